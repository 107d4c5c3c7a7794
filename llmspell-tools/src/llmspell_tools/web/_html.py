"""HTML extraction shared by web-scraper and webpage-monitor (no network here).

Everything works on a BeautifulSoup tree built with the stdlib ``html.parser``
backend: CSS selection (soupsieve), readable text, absolute links and images, and the
page's metadata. beautifulsoup4 is imported inside the functions so that importing
this module stays cheap.
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from llmspell_tools._support import fail

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

__all__ = [
    "compile_selector",
    "document_base",
    "extract_images",
    "extract_links",
    "extract_meta",
    "parse_html",
    "readable_text",
    "select_elements",
    "select_texts",
]

#: elements whose content is never page text (a selected element of these kinds still
#: gives its own content: ``script[type="application/ld+json"]`` returns the JSON)
SKIP = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe"}
)

#: elements that start a new line of text
BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav",
        "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot",
        "thead", "tr", "ul", "option", "legend", "html",
    }
)  # fmt: skip

#: URL schemes that are never returned as links or images
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")

_BREAK = object()
_PRE_END = object()
_SPACES = re.compile(r"\s+")


def parse_html(body: bytes, charset: str | None = None) -> BeautifulSoup:
    """Parse ``body`` with the stdlib parser; ``charset`` (from Content-Type) is a hint,
    otherwise the document's ``<meta charset>`` or a guess decides the encoding."""
    from bs4 import BeautifulSoup

    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = None
    return BeautifulSoup(body, "html.parser", from_encoding=charset or None)


def compile_selector(css: str, *, what: str = "selector") -> Any:
    """A compiled CSS selector; an invalid one is a ValidationError naming ``what``."""
    import soupsieve

    try:
        return soupsieve.compile(css)
    except Exception as exc:  # SelectorSyntaxError, NotImplementedError for odd pseudo-classes
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        fail(f"invalid CSS selector in {what}: {css!r} ({first})", kind="ValidationError")


def _collapse(line: str) -> str:
    return " ".join(line.split())


def readable_text(node: Tag | BeautifulSoup, *, normalize: bool = True) -> str:
    """The text a reader sees in ``node``: no script, style, template or head content,
    a line break at every block element and ``<br>``. With ``normalize`` line breaks in
    the source count as spaces (except inside ``<pre>``), each line's whitespace is
    collapsed and blank lines are dropped; otherwise the text is kept as written (only
    the skipped elements removed)."""
    from bs4.element import NavigableString, PreformattedString, Tag

    if isinstance(node, Tag) and node.name in SKIP and node.parent is not None:
        raw = node.get_text()
        return "\n".join(filter(None, map(_collapse, raw.splitlines()))) if normalize else raw
    parts: list[str] = []
    stack: list[Any] = [node]
    in_pre = 0  # inside <pre>, line breaks in the source are kept
    while stack:  # iterative: deeply nested pages must not hit the recursion limit
        item = stack.pop()
        if item is _BREAK:
            parts.append("\n")
        elif item is _PRE_END:
            in_pre -= 1
        elif isinstance(item, PreformattedString):  # comments, CDATA, doctype, <?...?>
            continue
        elif isinstance(item, NavigableString):
            # in normal flow a line break in the source is just a space (as a browser
            # shows it); only block elements and <br> start lines
            parts.append(str(item) if in_pre or not normalize else _SPACES.sub(" ", item))
        elif isinstance(item, Tag):
            if item is not node and item.name in SKIP:
                continue
            if item.name == "br":
                parts.append("\n")
                continue
            if item.name in BLOCK:
                parts.append("\n")
                stack.append(_BREAK)
            elif item.name in ("td", "th"):
                parts.append(" ")
            if item.name == "pre":
                in_pre += 1
                stack.append(_PRE_END)
            stack.extend(reversed(item.contents))
    text = "".join(parts)
    if normalize:
        return "\n".join(filter(None, map(_collapse, text.splitlines())))
    return text.strip("\n")


def select_texts(soup: BeautifulSoup, selector: Any) -> list[str]:
    """The readable text of every element ``selector`` (compiled) matches, in order."""
    return [readable_text(el) for el in selector.select(soup)]


def _attrs(tag: Tag) -> dict[str, str]:
    return {
        name: " ".join(value) if isinstance(value, list) else str(value)
        for name, value in tag.attrs.items()
    }


def select_elements(
    soup: BeautifulSoup, selector: Any, *, include_html: bool = False
) -> list[dict[str, Any]]:
    """Every matched element as ``{text, attrs}`` (plus ``html``, its outer HTML, when
    ``include_html``)."""
    found = []
    for el in selector.select(soup):
        item: dict[str, Any] = {"text": readable_text(el), "attrs": _attrs(el)}
        if include_html:
            item["html"] = str(el)
        found.append(item)
    return found


def document_base(soup: BeautifulSoup, page_url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` if any, else the page's
    (final, after redirects) URL."""
    base = soup.find("base", href=True)
    if base is not None:
        href = str(base.get("href") or "").strip()
        if href and not href.lower().startswith(_UNSAFE_SCHEMES):
            return urljoin(page_url, href)
    return page_url


def _absolute(base: str, ref: str) -> str | None:
    ref = ref.strip()
    if not ref or ref.lower().startswith(_UNSAFE_SCHEMES):
        return None
    url = urljoin(base, ref)
    try:
        urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal: not a usable link
        return None
    return url


def extract_links(soup: BeautifulSoup, page_url: str) -> list[dict[str, str]]:
    """Every ``<a href>`` as ``{url, text}``: absolute URLs, first occurrence of each URL
    kept, ``javascript:``/``data:`` links left out; ``text`` falls back to the link's
    ``title`` or an image's ``alt``."""
    base = document_base(soup, page_url)
    seen: dict[str, dict[str, str]] = {}
    for a in soup.find_all("a", href=True):
        url = _absolute(base, str(a.get("href") or ""))
        if url is None:
            continue
        text = _collapse(readable_text(a))
        if not text:
            img = a.find("img", alt=True)
            text = _collapse(str(a.get("title") or (img.get("alt") if img else "") or ""))
        if url not in seen:
            seen[url] = {"url": url, "text": text}
        elif not seen[url]["text"] and text:
            seen[url]["text"] = text
    return list(seen.values())


def extract_images(soup: BeautifulSoup, page_url: str) -> list[dict[str, str]]:
    """Every ``<img>`` as ``{src, alt}`` with an absolute ``src`` (``data-src`` when a
    lazy-loaded image has no ``src``); inline ``data:`` images are left out."""
    base = document_base(soup, page_url)
    images = []
    for img in soup.find_all("img"):
        ref = str(img.get("src") or img.get("data-src") or "")
        src = _absolute(base, ref)
        if src is not None:
            images.append({"src": src, "alt": _collapse(str(img.get("alt") or ""))})
    return images


def _meta_content(soup: BeautifulSoup, attr: str, value: str) -> str | None:
    for tag in soup.find_all("meta"):
        if str(tag.get(attr) or "").lower() == value and tag.get("content") is not None:
            return str(tag.get("content")).strip()
    return None


def _prefixed(soup: BeautifulSoup, prefix: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("property") or tag.get("name") or "").strip()
        if key.lower().startswith(prefix) and tag.get("content") is not None:
            found.setdefault(key[len(prefix) :], str(tag.get("content")).strip())
    return found


def extract_meta(soup: BeautifulSoup, page_url: str) -> dict[str, Any]:
    """The page's metadata: ``title``, ``description``, ``keywords``, ``author``,
    ``canonical`` (absolute), ``lang``, ``open_graph`` (``og:*`` without the prefix)
    and ``twitter`` (``twitter:*``); absent values are null."""
    title_tag = soup.find("title")
    canonical = None
    for link in soup.find_all("link", href=True):
        rel: Any = link.get("rel") or []
        rels = rel if isinstance(rel, list) else str(rel).split()
        if "canonical" in (r.lower() for r in rels):
            canonical = _absolute(document_base(soup, page_url), str(link.get("href")))
            break
    html_tag = soup.find("html")
    lang = html_tag.get("lang") if html_tag is not None else None
    return {
        "title": _collapse(title_tag.get_text()) if title_tag is not None else None,
        "description": _meta_content(soup, "name", "description"),
        "keywords": _meta_content(soup, "name", "keywords"),
        "author": _meta_content(soup, "name", "author"),
        "canonical": canonical,
        "lang": str(lang).strip() if lang else None,
        "open_graph": _prefixed(soup, "og:"),
        "twitter": _prefixed(soup, "twitter:"),
    }
