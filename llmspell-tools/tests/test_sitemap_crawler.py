"""sitemap-crawler against the local HTTP server: discovery through robots.txt,
indexes, depth/URL/sitemap limits, gzip (and bombs), and the policy on every fetch."""

from __future__ import annotations

import gzip

import pytest

from llmspell.errors import SecurityError, ValidationError

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _urlset(*locs: str) -> str:
    body = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{body}</urlset>'


def _index(*locs: str) -> str:
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f"<sitemapindex {NS}>{body}</sitemapindex>"


def _xml(text: str):
    return lambda r: (200, {"Content-Type": "application/xml"}, text)


def test_one_sitemap(net_tools, http_server):
    r = net_tools.ok("sitemap-crawler", input=http_server.url("/sitemap.xml"))
    res = r["result"]
    assert res["urls"] == [
        {"loc": http_server.url("/"), "lastmod": "2026-01-01", "changefreq": None,
         "priority": None},
        {"loc": http_server.url("/page.html"), "lastmod": "2026-01-02", "changefreq": None,
         "priority": None},
    ]  # fmt: skip
    assert res["sitemaps"] == [http_server.url("/sitemap.xml")] and res["source"] == "input"
    assert res["truncated"] is False and res["count"] == 2 and res["skipped"] == []
    assert r["text"] == "2 URLs from 1 sitemaps"


def test_site_root_uses_robots_txt_and_follows_the_index(net_tools, http_server):
    res = net_tools.ok("sitemap-crawler", input=http_server.base_url + "/")["result"]
    assert res["source"] == "robots.txt"
    assert res["sitemaps"] == [http_server.url(p) for p in
                               ("/sitemap_index.xml", "/sitemap.xml", "/sitemap2.xml")]  # fmt: skip
    assert [u["loc"] for u in res["urls"]] == [
        http_server.url(p) for p in ("/", "/page.html", "/page2.html", "/json")
    ]
    assert http_server.requests[0].path == "/robots.txt"


def test_site_without_robots_sitemap_falls_back_to_sitemap_xml(net_tools, http_server):
    http_server.route("GET", "/robots.txt", lambda r: (404, {}, "no robots"))
    res = net_tools.ok("sitemap-crawler", input=http_server.base_url)["result"]
    assert res["source"] == "default" and res["sitemaps"] == [http_server.url("/sitemap.xml")]
    http_server.route("GET", "/sitemap.xml", lambda r: (404, {}, "none"))
    r = net_tools.failed("sitemap-crawler", input=http_server.base_url)
    assert r["error_kind"] == "NotFoundError" and "no sitemap found" in r["error"]
    assert "robots.txt names none" in r["error"]


def test_follow_sitemaps_false_and_max_depth(net_tools, http_server):
    r = net_tools.ok("sitemap-crawler", input=http_server.url("/sitemap_index.xml"),
                     follow_sitemaps=False)["result"]  # fmt: skip
    assert (
        r["urls"] == [] and [s["reason"] for s in r["skipped"]] == ["follow_sitemaps is false"] * 2
    )
    http_server.route("GET", "/deep0.xml", _xml(_index(http_server.url("/deep1.xml"))))
    http_server.route("GET", "/deep1.xml", _xml(_index(http_server.url("/sitemap.xml"))))
    shallow = net_tools.ok("sitemap-crawler", input=http_server.url("/deep0.xml"),
                           max_depth=1)["result"]  # fmt: skip
    assert shallow["urls"] == []
    assert shallow["sitemaps"] == [http_server.url("/deep0.xml"), http_server.url("/deep1.xml")]
    assert shallow["skipped"] == [{"url": http_server.url("/sitemap.xml"),
                                   "reason": "deeper than max_depth 1"}]  # fmt: skip
    deep = net_tools.ok("sitemap-crawler", input=http_server.url("/deep0.xml"))["result"]
    assert deep["count"] == 2


def test_limits(net_tools, http_server):
    r = net_tools.ok("sitemap-crawler", input=http_server.url("/sitemap_index.xml"),
                     max_urls=3)["result"]  # fmt: skip
    assert r["count"] == 3 and r["truncated"] is True
    r = net_tools.ok("sitemap-crawler", input=http_server.url("/sitemap_index.xml"),
                     max_sitemaps=2)["result"]  # fmt: skip
    assert r["truncated"] is True and len(r["sitemaps"]) == 2
    assert r["skipped"] == [{"url": http_server.url("/sitemap2.xml"),
                             "reason": "max_sitemaps reached"}]  # fmt: skip


def test_duplicates_loops_and_text_sitemaps(net_tools, http_server):
    me = http_server.url("/loop.xml")
    http_server.route("GET", "/loop.xml", _xml(_index(me, http_server.url("/dupes.xml"),
                                                      http_server.url("/list.txt"))))  # fmt: skip
    a, b = http_server.url("/a"), http_server.url("/b")
    http_server.route("GET", "/dupes.xml", _xml(_urlset(a, a, b)))
    listing = f"{b}\n{http_server.url('/c')}\n"
    http_server.route("GET", "/list.txt", lambda r: (200, {"Content-Type": "text/plain"}, listing))
    res = net_tools.ok("sitemap-crawler", input=me)["result"]
    assert [u["loc"] for u in res["urls"]] == [a, b, http_server.url("/c")]
    assert res["sitemaps"] == [me, http_server.url("/dupes.xml"), http_server.url("/list.txt")]


def test_gzip_sitemaps_and_bombs(net_tools, http_server):
    packed = gzip.compress(_urlset(http_server.url("/z")).encode())
    http_server.route("GET", "/s.xml.gz", lambda r: (200, {"Content-Type": "application/gzip"},
                                                     packed))  # fmt: skip
    res = net_tools.ok("sitemap-crawler", input=http_server.url("/s.xml.gz"))["result"]
    assert [u["loc"] for u in res["urls"]] == [http_server.url("/z")]
    bomb = gzip.compress(b"<urlset>" + b" " * (8 * 1024 * 1024))
    http_server.route("GET", "/bomb.xml.gz", lambda r: (200, {}, bomb))
    net_tools.runtime.policy.max_input_bytes = 1024 * 1024
    r = net_tools.failed("sitemap-crawler", input=http_server.url("/bomb.xml.gz"))
    assert r["error_kind"] == "LimitExceeded" and "more than 1048576 bytes" in r["error"]


def test_policy_applies_to_every_listed_sitemap(net_tools, http_server):
    listed = [
        "http://169.254.169.254/latest/meta-data/sitemap.xml",
        f"http://127.0.0.2:{http_server.port}/sitemap.xml",
        http_server.url("/status/404"),
        http_server.url("/sitemap.xml"),
    ]
    http_server.route("GET", "/mixed.xml", _xml(_index(*listed)))
    res = net_tools.ok("sitemap-crawler", input=http_server.url("/mixed.xml"))["result"]
    assert res["count"] == 2 and res["sitemaps"][-1] == http_server.url("/sitemap.xml")
    reasons = {s["url"]: s["reason"] for s in res["skipped"]}
    assert (
        reasons[listed[0]].startswith("SecurityError: ") and "169.254.169.254" in reasons[listed[0]]
    )
    assert (
        reasons[listed[1]].startswith("SecurityError: ") and "allowed_hosts" in reasons[listed[1]]
    )
    assert reasons[listed[2]].startswith("NotFoundError: ")
    assert {r.path for r in http_server.requests} == {"/mixed.xml", "/status/404", "/sitemap.xml"}


def test_refusals_of_the_input(tools, net_tools, http_server):
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("sitemap-crawler", input=http_server.url("/sitemap.xml"))
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("sitemap-crawler", input=http_server.base_url)
    with pytest.raises(SecurityError, match=r"169\.254\.169\.254"):
        net_tools("sitemap-crawler", input=http_server.url("/redirect/metadata"))
    with pytest.raises(SecurityError, match="allowed_hosts"):
        net_tools("sitemap-crawler", input=f"http://127.0.0.2:{http_server.port}/")
    net_tools.runtime.policy.denied_hosts = ["127.0.0.1"]
    with pytest.raises(SecurityError, match="denied_hosts"):
        net_tools("sitemap-crawler", input=http_server.url("/sitemap.xml"))


def test_failures(net_tools, http_server):
    r = net_tools.failed("sitemap-crawler", input=http_server.url("/page.html"))
    assert r["error_kind"] == "FormatError" and "HTML page, not a sitemap" in r["error"]
    r = net_tools.failed("sitemap-crawler", input=http_server.url("/json"))
    assert r["error_kind"] == "FormatError"
    http_server.route("GET", "/broken.xml", _xml("<urlset><url>"))
    r = net_tools.failed("sitemap-crawler", input=http_server.url("/broken.xml"))
    assert "not well-formed XML" in r["error"]
    r = net_tools.failed("sitemap-crawler", input=http_server.url("/status/404"))
    assert r["error_kind"] == "NotFoundError"
    r = net_tools.failed("sitemap-crawler", input=http_server.url("/slow?delay_ms=3000"),
                         timeout_ms=200)  # fmt: skip
    assert r["error_kind"] == "TimeoutError"
    r = net_tools.failed("sitemap-crawler", input=http_server.url("/sitemap.xml"), max_bytes=50)
    assert "larger than the limit of 50 bytes" in r["error"]


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/x", "file:///etc/passwd", "http://"])
def test_bad_urls_raise(net_tools, url):
    with pytest.raises((ValidationError, SecurityError)):
        net_tools("sitemap-crawler", input=url)
