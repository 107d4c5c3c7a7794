"""url-analyzer: take a URL apart (scheme, host, port, path, query parameters, fragment,
IP or domain) without any network access; with ``fetch_metadata`` also fetch the page
under the network policy and report status, content type, title and description."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import fail

#: multi-label public suffixes recognised when splitting domain and TLD (a small built-in
#: list, not the full Public Suffix List)
_SUFFIXES_2 = frozenset(
    f"{second}.{cc}"
    for cc in (
        "uk",
        "au",
        "nz",
        "za",
        "jp",
        "br",
        "in",
        "kr",
        "cn",
        "mx",
        "ar",
        "tr",
        "il",
        "sg",
        "my",
        "id",
        "th",
        "tw",
        "hk",
    )
    for second in ("co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gob", "mil")
)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443, "ssh": 22}
#: the most of a page read for metadata
_METADATA_BYTES = 2 * 1024 * 1024


class _HeadParser(HTMLParser):
    """Collects <title> and the description metas; stops caring after </head>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.description: str | None = None
        self.og: dict[str, str] = {}
        self.language: str | None = None
        self._in_title = False
        self._title_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html" and values.get("lang"):
            self.language = values["lang"]
        elif tag == "title" and self.title is None:
            self._in_title = True
        elif tag == "meta":
            name = (values.get("name") or values.get("property") or "").lower()
            content = values.get("content", "").strip()
            if name == "description" and self.description is None:
                self.description = content
            elif name.startswith("og:") and name[3:] not in self.og:
                self.og[name[3:]] = content

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split())

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)


def _host_parts(host: str) -> dict[str, Any]:
    import ipaddress

    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        ip = None
    if ip is not None:
        return {
            "is_ip": True,
            "ip_version": ip.version,
            "domain": None,
            "tld": None,
            "subdomain": None,
        }
    labels = [label for label in host.rstrip(".").split(".") if label]
    if len(labels) < 2:
        return {
            "is_ip": False,
            "ip_version": None,
            "domain": host or None,
            "tld": None,
            "subdomain": None,
        }
    suffix_len = 2 if ".".join(labels[-2:]) in _SUFFIXES_2 and len(labels) > 2 else 1
    tld = ".".join(labels[-suffix_len:])
    domain = ".".join(labels[-suffix_len - 1 :])
    sub = ".".join(labels[: -suffix_len - 1]) or None
    return {"is_ip": False, "ip_version": None, "domain": domain, "tld": tld, "subdomain": sub}


def _query_params(query: str, decode: bool) -> dict[str, Any]:
    from urllib.parse import parse_qsl

    params: dict[str, Any] = {}
    if decode:
        pairs = parse_qsl(query, keep_blank_values=True)
    else:
        pairs = [(p.partition("=")[0], p.partition("=")[2]) for p in query.split("&") if p]
    for key, value in pairs:
        if key in params:
            existing = params[key]
            params[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            params[key] = value
    return params


def analyze(url: str, decode_params: bool = True) -> dict[str, Any]:
    """The parts of ``url`` (no network); ValidationError-kind failure when unparsable."""
    from urllib.parse import unquote, urlsplit

    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        fail(f"{text!r} is not a valid URL: {exc}", kind="ValidationError")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    info: dict[str, Any] = {
        "url": text,
        "valid": bool(scheme and host),
        "scheme": scheme or None,
        "host": host or None,
        "port": port if port is not None else _DEFAULT_PORTS.get(scheme),
        "explicit_port": port is not None,
        "path": (unquote(parts.path) if decode_params else parts.path) or ("/" if host else ""),
        "query": parts.query or None,
        "query_params": _query_params(parts.query, decode_params),
        "fragment": parts.fragment or None,
        "has_credentials": parts.username is not None,
        "is_secure": scheme in ("https", "wss"),
    }
    info.update(
        _host_parts(host)
        if host
        else {"is_ip": False, "ip_version": None, "domain": None, "tld": None, "subdomain": None}
    )
    return info


async def _metadata(ctx: Any, url: str, timeout_s: float | None) -> dict[str, Any]:
    from urllib.parse import urlsplit

    from llmspell_tools._http import request

    parts = urlsplit(url)
    secrets = [s for s in (parts.username, parts.password) if s]
    result = await request(
        ctx, "GET", url, timeout_s=timeout_s, max_bytes=_METADATA_BYTES, secrets=secrets
    )
    content_type = result.headers.get("content-type", "")
    meta: dict[str, Any] = {
        "status": result.status,
        "content_type": content_type.split(";", 1)[0].strip() or None,
        "content_length": len(result.body),
        "final_url": result.url,
        "redirects": result.redirects,
        "title": None,
        "description": None,
        "language": None,
        "open_graph": {},
        "elapsed_ms": result.elapsed_ms,
    }
    if "html" in content_type.lower() or result.body.lstrip()[:15].lower().startswith(
        (b"<!doctype", b"<html")
    ):
        parser = _HeadParser()
        parser.feed(result.text())
        meta.update(
            title=parser.title,
            description=parser.description,
            language=parser.language,
            open_graph=parser.og,
        )
    return meta


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Analyze the URL; fetch it only when ``fetch_metadata`` is true."""
    info = analyze(params["input"], params.get("decode_params", True))
    if params.get("fetch_metadata", False):
        if not info["valid"]:
            fail(f"cannot fetch {info['url']!r}: it has no scheme or host", kind="ValidationError")
        timeout = params.get("timeout_ms")
        meta = await _metadata(ctx, info["url"], None if timeout is None else timeout / 1000)
        from llmspell_tools.api._request import public_url

        meta["final_url"] = public_url(meta["final_url"])
        meta["redirects"] = [public_url(u) for u in meta["redirects"]]
        info["metadata"] = meta
    info["url"] = _without_credentials(info["url"])
    summary = (
        f"{info['scheme']}://{info['host']}"
        if info["valid"]
        else f"not an absolute URL: {info['url']}"
    )
    if "metadata" in info:
        meta = info["metadata"]
        summary += f" → HTTP {meta['status']}" + (f", {meta['title']!r}" if meta["title"] else "")
    return ToolOutput(result=info, text=summary)


def _without_credentials(url: str) -> str:
    """``url`` with a ``user:password@`` part shown as ``***@`` (it may hold a token)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    netloc = "***@" + parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


TOOL = Tool(
    name="url-analyzer",
    description="Take a URL apart: scheme, host, port, path, query parameters (decoded "
    "unless decode_params=false), fragment, whether the host is an IP, domain, TLD and "
    "subdomain. No network unless fetch_metadata=true, which fetches the page (network "
    "policy applies) and adds result.metadata {status, content_type, title, description, "
    "final_url, ...}.",
    category="web",
    handler=run,
    timeout_seconds=120,
    security=("network",),
    tags=("url", "parse", "domain", "metadata", "web"),
    parameters={
        "type": "object",
        "properties": {
            "input": {"type": "string", "description": "the URL to analyze"},
            "decode_params": {
                "type": "boolean",
                "default": True,
                "description": "percent-decode the path and query parameters",
            },
            "fetch_metadata": {
                "type": "boolean",
                "default": False,
                "description": "also fetch the page (needs network access) for status, "
                "content type, title and description",
            },
            "timeout_ms": {
                "type": "integer",
                "minimum": 1,
                "maximum": 600_000,
                "description": "fetch timeout in ms (default [security] network_timeout_seconds)",
            },
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
