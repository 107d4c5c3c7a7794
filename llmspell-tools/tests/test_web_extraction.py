"""The pure parts of the web tools: HTML extraction (web-scraper, webpage-monitor),
change detection (webpage-monitor) and sitemap parsing (sitemap-crawler). No network."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from llmspell.tools import ToolFailure
from llmspell_tools.web import _change, _html, _sitemap

PAGE = "https://site.example/docs/page.html"

DOC = """<!doctype html>
<html lang="en-GB"><head>
<meta charset="utf-8"><title>  The   Page </title>
<meta name="description" content=" A test page. ">
<meta name="keywords" content="a, b">
<meta property="og:title" content="OG title"><meta property="og:image" content="/og.png">
<meta property="og:image" content="/second.png">
<meta name="twitter:card" content="summary">
<link rel="stylesheet" href="/s.css"><link rel="canonical" href="/docs/canonical">
<style>body { color: red }</style><script>var secret = "not text";</script>
<script type="application/ld+json">{"@type": "Article"}</script>
</head><body>
<header><nav><a href="/">Home</a> | <a href="guide/">Guide</a></nav></header>
<main><h1>Main <em>title</em></h1>
<p class="lead">First   paragraph,<br>second line.</p>
<!-- a comment that is not text -->
<ul><li class="item" data-id="1">One</li><li class="item" data-id="2">Two</li></ul>
<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>
<p><a href="javascript:alert(1)">bad</a> <a href="https://other.example/x?y=1#z">Other</a>
<a href="/">Home again</a> <a href="empty.html"><img src="pic.jpg" alt="A picture"></a>
<a href="">self</a></p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="inline">
<img data-src="/lazy.webp" alt="Lazy"><img src="//cdn.example/abs.png">
<noscript>Enable JavaScript</noscript><template><p>hidden</p></template>
</main></body></html>"""


@pytest.fixture(scope="module")
def soup():
    return _html.parse_html(DOC.encode("utf-8"), "utf-8")


def test_readable_text(soup):
    assert _html.readable_text(soup) == "\n".join(
        [
            "Home | Guide",
            "Main title",
            "First paragraph,",
            "second line.",
            "One",
            "Two",
            "k v",
            "a 1",
            "bad Other Home again self",
        ]
    )


def test_source_line_breaks_are_spaces_except_in_pre():
    doc = _html.parse_html(b"<p>one\ntwo <b>three</b>\n four</p><pre>x = 1\n  y = 2</pre>")
    assert _html.readable_text(doc) == "one two three four\nx = 1\ny = 2"


def test_raw_text_keeps_whitespace_but_not_scripts(soup):
    raw = _html.readable_text(soup, normalize=False)
    assert "First   paragraph," in raw
    assert "secret" not in raw and "color: red" not in raw and "hidden" not in raw


def test_selectors(soup):
    items = _html.compile_selector("li.item")
    assert _html.select_texts(soup, items) == ["One", "Two"]
    assert _html.select_texts(soup, _html.compile_selector("h2")) == []
    found = _html.select_elements(soup, items, include_html=True)
    assert found[0] == {
        "text": "One",
        "attrs": {"class": "item", "data-id": "1"},
        "html": '<li class="item" data-id="1">One</li>',
    }
    assert "html" not in _html.select_elements(soup, items)[1]
    ld = _html.compile_selector('script[type="application/ld+json"]')
    assert _html.select_texts(soup, ld) == ['{"@type": "Article"}']


@pytest.mark.parametrize("css", ["a[", "li:::x", "p > > q", ":hover("])
def test_invalid_selector_is_a_validation_failure(css):
    with pytest.raises(ToolFailure, match=r"invalid CSS selector in selectors\.x") as info:
        _html.compile_selector(css, what="selectors.x")
    assert info.value.kind == "ValidationError"


def test_links_are_absolute_unique_and_safe(soup):
    links = _html.extract_links(soup, PAGE)
    assert links == [
        {"url": "https://site.example/", "text": "Home"},
        {"url": "https://site.example/docs/guide/", "text": "Guide"},
        {"url": "https://other.example/x?y=1#z", "text": "Other"},
        {"url": "https://site.example/docs/empty.html", "text": "A picture"},
    ]


def test_base_href_changes_resolution():
    doc = _html.parse_html(b'<base href="https://cdn.example/root/"><a href="x">X</a>'
                           b'<img src="i.png">')  # fmt: skip
    assert _html.extract_links(doc, PAGE) == [{"url": "https://cdn.example/root/x", "text": "X"}]
    assert _html.extract_images(doc, PAGE)[0]["src"] == "https://cdn.example/root/i.png"


def test_images(soup):
    assert _html.extract_images(soup, PAGE) == [
        {"src": "https://site.example/docs/pic.jpg", "alt": "A picture"},
        {"src": "https://site.example/lazy.webp", "alt": "Lazy"},
        {"src": "https://cdn.example/abs.png", "alt": ""},
    ]


def test_meta(soup):
    assert _html.extract_meta(soup, PAGE) == {
        "title": "The Page",
        "description": "A test page.",
        "keywords": "a, b",
        "author": None,
        "canonical": "https://site.example/docs/canonical",
        "lang": "en-GB",
        "open_graph": {"title": "OG title", "image": "/og.png"},
        "twitter": {"card": "summary"},
    }
    bare = _html.parse_html(b"<p>no head</p>")
    meta = _html.extract_meta(bare, PAGE)
    assert meta["title"] is None and meta["canonical"] is None and meta["open_graph"] == {}


def test_charsets():
    latin = "<meta charset='iso-8859-1'><p>caf\xe9</p>".encode("latin-1")
    assert _html.readable_text(_html.parse_html(latin)) == "café"
    utf8 = "<p>naïve</p>".encode()
    assert _html.readable_text(_html.parse_html(utf8, "utf-8")) == "naïve"
    assert _html.readable_text(_html.parse_html(utf8, "no-such-charset")) == "naïve"


def test_deep_nesting_does_not_recurse():
    deep = b"<div>" * 5000 + b"deep" + b"</div>" * 5000
    assert _html.readable_text(_html.parse_html(deep)) == "deep"


# -- change detection ------------------------------------------------------------------


def test_normalize():
    text = "  a   b \r\n\r\n\tc\rd  "
    assert _change.normalize(text, ignore_whitespace=True) == "a b\nc\nd"
    assert _change.normalize(text, ignore_whitespace=False) == "  a   b \n\n\tc\nd  "


def test_hash():
    assert _change.content_hash("é") == hashlib.sha256("é".encode()).hexdigest()


def test_compare():
    result = _change.compare("a\nb\nc", "a\nB\nc\nd")
    assert result["added_lines"] == ["B", "d"] and result["removed_lines"] == ["b"]
    assert result["added_count"] == 2 and result["removed_count"] == 1
    assert result["diff"].splitlines()[:2] == ["--- previous", "+++ current"]
    assert "-b" in result["diff"].splitlines() and "+B" in result["diff"].splitlines()
    assert result["diff_truncated"] is False
    same = _change.compare("x", "x")
    assert same["diff"] == "" and same["added_count"] == same["removed_count"] == 0


def test_compare_lines_that_look_like_headers():
    result = _change.compare("++ a", "-- b")
    assert result["added_lines"] == ["-- b"] and result["removed_lines"] == ["++ a"]


def test_compare_is_capped():
    old = "\n".join(f"old {i}" for i in range(100))
    new = "\n".join(f"new {i}" for i in range(100))
    result = _change.compare(old, new, max_lines=10)
    assert result["diff_truncated"] is True and len(result["diff"].splitlines()) == 10
    assert len(result["added_lines"]) == 10 and result["added_count"] == 100
    assert _change.compare("", "a")["added_lines"] == ["a"]


# -- sitemaps ----------------------------------------------------------------------------

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url><loc>https://site.example/</loc><lastmod>2024-05-01</lastmod>
       <changefreq>daily</changefreq><priority>1.0</priority></url>
  <url><loc>
    https://site.example/about
  </loc><priority>high</priority>
       <image:image><image:loc>https://site.example/a.png</image:loc></image:image></url>
  <url><lastmod>2024-01-01</lastmod></url>
  <url><loc>ftp://site.example/file</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://site.example/sitemap-pages.xml</loc><lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc>https://site.example/sitemap-posts.xml.gz</loc></sitemap>
  <sitemap><loc>file:///etc/passwd</loc></sitemap>
</sitemapindex>"""


def test_urlset():
    doc = _sitemap.parse_sitemap(URLSET)
    assert doc.kind == "urlset" and doc.sitemaps == []
    assert doc.urls == [
        {"loc": "https://site.example/", "lastmod": "2024-05-01", "changefreq": "daily",
         "priority": 1.0},
        {"loc": "https://site.example/about", "lastmod": None, "changefreq": None,
         "priority": None},
    ]  # fmt: skip


def test_sitemap_index():
    doc = _sitemap.parse_sitemap(INDEX)
    assert doc.kind == "sitemapindex" and doc.urls == []
    assert doc.sitemaps == [
        {"loc": "https://site.example/sitemap-pages.xml", "lastmod": "2024-05-01"},
        {"loc": "https://site.example/sitemap-posts.xml.gz", "lastmod": None},
    ]


def test_text_sitemap_and_no_namespace():
    doc = _sitemap.parse_sitemap(
        b"\xef\xbb\xbfhttps://a.example/1\r\n\r\nnot a url\nhttp://a.example/2\n"
    )
    assert doc.kind == "text"
    assert [u["loc"] for u in doc.urls] == ["https://a.example/1", "http://a.example/2"]
    bare = _sitemap.parse_sitemap(b"<urlset><url><loc>https://b.example/</loc></url></urlset>")
    assert [u["loc"] for u in bare.urls] == ["https://b.example/"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<!DOCTYPE u [<!ENTITY x "boom">]><urlset>&x;</urlset>', "DTD or entities"),
        (b'<!DOCTYPE u SYSTEM "http://evil.example/x.dtd"><urlset/>', "DTD or entities|external"),
        (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
        (b"<urlset><url>", "not well-formed XML"),
        (b"\xff\xfe\x00garbage", "neither XML nor UTF-8"),
        (b"just words, no urls", "no XML and no http"),
    ],
)
def test_bad_sitemaps(data, message):
    with pytest.raises(ToolFailure, match=message) as info:
        _sitemap.parse_sitemap(data)
    assert info.value.kind == "FormatError"


def test_gzip():
    packed = gzip.compress(URLSET)
    assert _sitemap.looks_gzipped(packed) and not _sitemap.looks_gzipped(URLSET)
    assert _sitemap.gunzip_capped(packed, 10_000) == URLSET


def test_gzip_bomb_is_stopped_early():
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))  # 64 MiB of zeros, ~64 KiB packed
    assert len(bomb) < 200_000
    with pytest.raises(ToolFailure, match="more than 1048576 bytes") as info:
        _sitemap.gunzip_capped(bomb, 1024 * 1024)
    assert info.value.kind == "LimitExceeded"


def test_gzip_corrupt_or_truncated():
    with pytest.raises(ToolFailure, match="not valid gzip"):
        _sitemap.gunzip_capped(b"\x1f\x8b\x08\x00garbage-garbage", 1000)
    with pytest.raises(ToolFailure, match="truncated"):
        _sitemap.gunzip_capped(gzip.compress(URLSET)[:20], 10_000)


def test_robots_sitemap_lines():
    robots = (
        "User-agent: *\nDisallow: /private\n"
        "Sitemap: https://site.example/sitemap.xml\n"
        "sitemap:/relative-sitemap.xml # comment\n"
        "SITEMAP: https://site.example/sitemap.xml\n"
        "Sitemap: ftp://nope.example/x\n"
        "Disallow: /sitemap: not a field\n"
    )
    assert _sitemap.sitemaps_from_robots(robots, "https://site.example/robots.txt") == [
        "https://site.example/sitemap.xml",
        "https://site.example/relative-sitemap.xml",
    ]
