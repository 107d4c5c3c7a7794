"""Sitemap parsing for sitemap-crawler (pure functions, no network).

Reads the sitemaps.org protocol: ``<urlset>`` files, ``<sitemapindex>`` files and
plain-text sitemaps (one URL per line), gzip-compressed or not, and the ``Sitemap:``
lines of a robots.txt. XML goes through defusedxml (no DTDs, no entities, no external
references) and gzip through a decompressor that stops at a size cap (bombs).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from llmspell_tools._support import fail

__all__ = [
    "SitemapDocument",
    "gunzip_capped",
    "looks_gzipped",
    "parse_sitemap",
    "sitemaps_from_robots",
]

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024


@dataclass
class SitemapDocument:
    """A parsed sitemap: ``kind`` is ``urlset``, ``sitemapindex`` or ``text``;
    ``urls`` the page entries (``{loc, lastmod, changefreq, priority}``) and
    ``sitemaps`` the child sitemap entries of an index (``{loc, lastmod}``)."""

    kind: str
    urls: list[dict[str, Any]] = field(default_factory=list)
    sitemaps: list[dict[str, Any]] = field(default_factory=list)


def looks_gzipped(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic number."""
    return data[:2] == _GZIP_MAGIC


def gunzip_capped(data: bytes, limit: int, *, what: str = "sitemap") -> bytes:
    """Decompress gzip ``data``, failing (LimitExceeded) as soon as the output would
    pass ``limit`` bytes — a small compressed file cannot expand into gigabytes."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = data
    try:
        while pending:
            out += inflater.decompress(pending, _CHUNK)
            if len(out) > limit:
                fail(
                    f"{what} expands to more than {limit} bytes when decompressed; refused "
                    "(raise max_bytes if it is genuine)",
                    kind="LimitExceeded",
                )
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        out += inflater.flush()
    except zlib.error as exc:
        fail(f"{what} is not valid gzip data ({exc})", kind="FormatError")
    if not inflater.eof:
        fail(f"{what} is truncated gzip data (the stream ends early)", kind="FormatError")
    if len(out) > limit:
        fail(f"{what} expands to more than {limit} bytes when decompressed", kind="LimitExceeded")
    return bytes(out)


def _local(tag: Any) -> str:
    """An element's name without its namespace (``{http://...}url`` → ``url``)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: Any, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _priority(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0.0 <= number <= 1.0 else None


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _parse_text(text: str) -> SitemapDocument:
    urls = [
        {"loc": line, "lastmod": None, "changefreq": None, "priority": None}
        for line in (raw.strip() for raw in text.splitlines())
        if _is_http(line)
    ]
    return SitemapDocument("text", urls=urls)


def parse_sitemap(data: bytes, *, what: str = "sitemap") -> SitemapDocument:
    """Parse a sitemap document (already decompressed).

    XML with a ``urlset`` or ``sitemapindex`` root (any namespace) gives those entries;
    a document that is not XML but holds ``http(s)`` URLs one per line is a text
    sitemap. Entries without a usable ``<loc>`` are left out. Anything else fails with
    FormatError, and so does a DTD or entity declaration (sitemaps never need them;
    defusedxml refuses them before anything is expanded).
    """
    import defusedxml
    from defusedxml import ElementTree as SafeET

    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        try:
            text = stripped.decode("utf-8")
        except UnicodeDecodeError:
            fail(f"{what} is neither XML nor UTF-8 text", kind="FormatError")
        document = _parse_text(text)
        if not document.urls:
            fail(f"{what} holds no XML and no http(s) URLs", kind="FormatError")
        return document
    try:
        root = SafeET.fromstring(stripped, forbid_dtd=True)
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden) as exc:
        fail(f"{what} declares a DTD or entities, which sitemaps never need ({exc})",
             kind="FormatError")  # fmt: skip
    except defusedxml.ExternalReferenceForbidden as exc:
        fail(f"{what} refers to an external resource ({exc})", kind="FormatError")
    except SafeET.ParseError as exc:
        fail(f"{what} is not well-formed XML ({exc})", kind="FormatError")
    kind = _local(root.tag)
    if kind == "urlset":
        urls = []
        for entry in root:
            if _local(entry.tag) != "url":
                continue
            loc = _child_text(entry, "loc")
            if loc is None or not _is_http(loc):
                continue
            urls.append(
                {
                    "loc": loc,
                    "lastmod": _child_text(entry, "lastmod"),
                    "changefreq": _child_text(entry, "changefreq"),
                    "priority": _priority(_child_text(entry, "priority")),
                }
            )
        return SitemapDocument("urlset", urls=urls)
    if kind == "sitemapindex":
        children = []
        for entry in root:
            if _local(entry.tag) != "sitemap":
                continue
            loc = _child_text(entry, "loc")
            if loc is not None and _is_http(loc):
                children.append({"loc": loc, "lastmod": _child_text(entry, "lastmod")})
        return SitemapDocument("sitemapindex", sitemaps=children)
    fail(
        f"{what} is XML but not a sitemap: its root element is <{kind}>, not <urlset> "
        "or <sitemapindex>",
        kind="FormatError",
    )


def sitemaps_from_robots(text: str, robots_url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt (case-insensitive field name, relative
    URLs resolved against the robots.txt URL, duplicates dropped, order kept)."""
    found: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        name, sep, value = line.partition(":")
        if not sep or name.strip().lower() != "sitemap":
            continue
        url = urljoin(robots_url, value.strip())
        if _is_http(url) and url not in found:
            found.append(url)
    return found
