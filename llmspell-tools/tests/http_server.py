"""A real HTTP server on 127.0.0.1 for the network tool tests (never the internet).

Fixtures (llmspell-tools/tests/conftest.py):

- ``http_server`` — a fresh :class:`HttpServer` per test: bound to 127.0.0.1 on a free
  port, served by daemon threads, shut down at teardown.
- ``net_tools`` — a :class:`ToolRunner` whose policy allows the network to 127.0.0.1
  only (``allow_network = true``, ``allowed_hosts = ["127.0.0.1"]``, no rate limit).
- ``net_ctx`` — that runner's tool context (``ctx.policy`` etc.), for calling
  ``llmspell_tools._http.request(net_ctx, ...)`` directly.

``HttpServer`` API::

    http_server.url("/json")            # "http://127.0.0.1:PORT/json"
    http_server.base_url / .host / .port
    http_server.requests                # [RecordedRequest] in arrival order
    http_server.last                    # the latest RecordedRequest (AssertionError if none)
    http_server.clear()                 # forget recorded requests and counters
    http_server.route("GET", "/thing", handler)   # add or replace a route ("*" = any
                                                  # method; HEAD uses the GET route)
    http_server.stop()                  # done by the fixture

A handler gets a :class:`RecordedRequest` (``method``, ``path`` without query, ``target``
with it, ``query`` {name: last value}, ``query_all`` {name: [values]}, ``headers``
lower-cased, ``body`` bytes, ``.text()``, ``.json()``, ``.server``) and returns
``(status, headers, body)`` where body is bytes, str, or any JSON value (sent as
``application/json``); it may also return a bare JSON value/str (status 200). A body
that is an iterator of bytes is streamed (no Content-Length) — for slow or huge bodies.

Built-in routes (any query parameter optional):

===========================================  ==============================================
``GET /`` ``/page.html`` ``/page2.html``     HTML: title, meta description/keywords/og,
                                             links (relative, absolute, external,
                                             mailto), images, ul/ol lists, headings, table
``GET /robots.txt``                          names ``/sitemap_index.xml``
``GET /sitemap.xml`` ``/sitemap2.xml``       urlsets (absolute URLs on this server)
``GET /sitemap_index.xml``                   sitemapindex → sitemap.xml, sitemap2.xml
``GET /json``                                ``{"name", "version", "items": [{id, name,
                                             tags}], "nested": {"a": {"b": 42}}}``
``* /echo``                                  JSON of the request: method, path, query,
                                             headers, body (text), json (if parsable)
``POST /graphql`` (also GET ?query=)         GraphQL over a fixed schema (below)
``GET /status/<code>``                       that status, JSON ``{"status": code}``
``GET /redirect?to=URL&status=302``          redirect to ``to`` (default ``/json``)
``GET /redirect/chain/<n>``                  n redirects, then ``/json``
``GET /redirect/loop``                       redirects to itself forever
``GET /redirect/metadata``                   → ``http://169.254.169.254/latest/meta-data/``
``GET /slow?delay_ms=N``                     waits N ms (default 2000), then JSON
``GET /drip?chunks=N&delay_ms=M``            N chunks of 1 KiB, M ms apart (streamed)
``* /flaky?fail=N&status=500&key=K``         ``status`` N times (per key), then 200 JSON
                                             ``{"attempts": n}``
``* /ratelimited?times=N&retry_after=S``     429 + ``Retry-After: S`` N times, then 200
``GET /huge?bytes=N&length=1``               N bytes (default 20 MiB); ``length=0``
                                             streams them without Content-Length
``GET /gzip?bytes=N``                        N zero bytes gzip-compressed
                                             (``Content-Encoding: gzip``)
``GET /text?charset=latin-1``                "café" encoded in that charset
``GET /notjson``                             ``application/json`` that is not JSON
===========================================  ==============================================

GraphQL schema (queries parsed by a small hand-written parser: operations, operation
names, variables with defaults, aliases, arguments, nested selections, ``__typename``;
no fragments or directives)::

    type Query { hello(name: String = "world"): String, user(id: ID!): User,
                 users(limit: Int): [User], echo(value: String): String }
    type Mutation { addUser(name: String!, email: String): User }
    type User { id: ID, name: String, email: String, friends: [User] }

Unknown fields, missing required arguments, unknown variables and syntax errors give
``{"errors": [{"message": ...}], "data": null}`` with status 200 (400 for a body that is
not JSON or has no query); ``user(id)`` of an unknown id gives ``data.user = null`` plus
an error (a partial result).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["HttpServer", "RecordedRequest"]

Handler = Callable[["RecordedRequest"], Any]


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    target: str
    path: str
    query: dict[str, str]
    query_all: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    server: HttpServer = field(repr=False)

    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class HttpServer:
    """The test server: see the module docstring."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.counters: dict[str, int] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._routes: dict[tuple[str, str], Handler] = {}
        self._prefix_routes: list[tuple[str, str, Handler]] = []
        self._users = {
            "1": {"id": "1", "name": "Ada", "email": "ada@example.com", "friends": ["2"]},
            "2": {"id": "2", "name": "Alan", "email": "alan@example.com", "friends": ["1"]},
        }
        self._install_defaults()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self.host = "127.0.0.1"
        self.port: int = server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # -- public API ---------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    @property
    def last(self) -> RecordedRequest:
        """The most recent request."""
        with self._lock:
            assert self.requests, "the test server received no request"
            return self.requests[-1]

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``method path`` (``"*"``: any method) with ``handler``; a path ending in
        ``/*`` matches every path under it."""
        key = (method.upper(), path)
        if path.endswith("/*"):
            self._prefix_routes.insert(0, (method.upper(), path[:-1], handler))
        else:
            self._routes[key] = handler

    def clear(self) -> None:
        """Forget recorded requests and the flaky/rate-limit counters."""
        with self._lock:
            self.requests.clear()
            self.counters.clear()

    def stop(self) -> None:
        """Stop serving and close the socket (slow handlers return at once)."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def count(self, key: str) -> int:
        """Increment and return the counter ``key`` (thread-safe)."""
        with self._lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]

    # -- dispatch -----------------------------------------------------------------------

    def _find(self, method: str, path: str) -> Handler | None:
        # HEAD is served by the GET route (the body is left out)
        methods = (method, "GET", "*") if method == "HEAD" else (method, "*")
        for m in methods:
            if (m, path) in self._routes:
                return self._routes[(m, path)]
        for m, prefix, handler in self._prefix_routes:
            if m in methods and path.startswith(prefix):
                return handler
        return None

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    # -- built-in routes ----------------------------------------------------------------

    def _install_defaults(self) -> None:
        for path in ("/", "/page.html"):
            self.route("GET", path, lambda r: _html(PAGE.format(base=r.server.base_url)))
        self.route("GET", "/page2.html", lambda r: _html(PAGE2))
        self.route("GET", "/robots.txt", self._robots)
        self.route("GET", "/sitemap.xml", lambda r: self._sitemap(["/", "/page.html"]))
        self.route("GET", "/sitemap2.xml", lambda r: self._sitemap(["/page2.html", "/json"]))
        self.route("GET", "/sitemap_index.xml", self._sitemap_index)
        self.route("GET", "/json", lambda r: JSON_DOC)
        self.route("*", "/echo", _echo)
        self.route("*", "/graphql", self._graphql)
        self.route("GET", "/status/*", _status)
        self.route("*", "/redirect", _redirect)
        self.route("GET", "/redirect/chain/*", _chain)
        self.route("GET", "/redirect/loop", lambda r: (302, {"Location": "/redirect/loop"}, b""))
        self.route(
            "GET",
            "/redirect/metadata",
            lambda r: (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        )
        self.route("GET", "/slow", self._slow)
        self.route("GET", "/drip", self._drip)
        self.route("*", "/flaky", self._flaky)
        self.route("*", "/ratelimited", self._ratelimited)
        self.route("GET", "/huge", _huge)
        self.route("GET", "/gzip", _gzip)
        self.route("GET", "/text", _text)
        self.route(
            "GET", "/notjson", lambda r: (200, {"Content-Type": "application/json"}, "{not json")
        )

    def _robots(self, req: RecordedRequest) -> Any:
        body = f"User-agent: *\nDisallow: /private\nSitemap: {self.url('/sitemap_index.xml')}\n"
        return 200, {"Content-Type": "text/plain"}, body

    def _sitemap(self, paths: list[str]) -> Any:
        urls = "".join(
            f"<url><loc>{self.url(p)}</loc><lastmod>2026-01-0{i + 1}</lastmod></url>"
            for i, p in enumerate(paths)
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )
        return 200, {"Content-Type": "application/xml"}, body

    def _sitemap_index(self, req: RecordedRequest) -> Any:
        maps = "".join(
            f"<sitemap><loc>{self.url(p)}</loc></sitemap>"
            for p in ("/sitemap.xml", "/sitemap2.xml")
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}'
            "</sitemapindex>"
        )
        return 200, {"Content-Type": "application/xml"}, body

    def _slow(self, req: RecordedRequest) -> Any:
        delay = int(req.query.get("delay_ms", "2000"))
        self.stopping.wait(delay / 1000)
        return {"slept_ms": delay}

    def _drip(self, req: RecordedRequest) -> Any:
        chunks = int(req.query.get("chunks", "10"))
        delay = int(req.query.get("delay_ms", "200")) / 1000

        def body() -> Iterator[bytes]:
            for _ in range(chunks):
                yield b"x" * 1024
                if self.stopping.wait(delay):
                    return

        return 200, {"Content-Type": "application/octet-stream"}, body()

    def _flaky(self, req: RecordedRequest) -> Any:
        fail = int(req.query.get("fail", "2"))
        status = int(req.query.get("status", "500"))
        n = self.count("flaky:" + req.query.get("key", ""))
        if n <= fail:
            return status, {}, {"error": f"failure {n} of {fail}"}
        return {"attempts": n}

    def _ratelimited(self, req: RecordedRequest) -> Any:
        times = int(req.query.get("times", "1"))
        n = self.count("ratelimited:" + req.query.get("key", ""))
        if n <= times:
            retry_after = req.query.get("retry_after", "1")
            return 429, {"Retry-After": retry_after}, {"error": "slow down"}
        return {"attempts": n, "at": time.time()}

    def _graphql(self, req: RecordedRequest) -> Any:
        if req.method == "GET":
            payload: Any = {
                "query": req.query.get("query"),
                "variables": json.loads(req.query.get("variables") or "null"),
                "operationName": req.query.get("operationName"),
            }
        else:
            try:
                payload = req.json()
            except ValueError:
                return 400, {}, {"errors": [{"message": "the body is not JSON"}]}
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return 400, {}, {"errors": [{"message": "no query in the request"}]}
        return execute_graphql(
            self._users, payload["query"], payload.get("variables"), payload.get("operationName")
        )


# -- route handlers ----------------------------------------------------------------------


def _html(body: str) -> Any:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body


def _echo(req: RecordedRequest) -> Any:
    parsed: Any = None
    try:
        parsed = req.json() if req.body else None
    except ValueError:
        parsed = None
    return {
        "method": req.method,
        "path": req.path,
        "query": req.query_all,
        "headers": req.headers,
        "body": req.text(),
        "json": parsed,
    }


def _status(req: RecordedRequest) -> Any:
    code = int(req.path.rsplit("/", 1)[1])
    return code, {}, {"status": code}


def _redirect(req: RecordedRequest) -> Any:
    status = int(req.query.get("status", "302"))
    return status, {"Location": req.query.get("to", "/json")}, b""


def _chain(req: RecordedRequest) -> Any:
    n = int(req.path.rsplit("/", 1)[1])
    target = f"/redirect/chain/{n - 1}" if n > 1 else "/json"
    return 302, {"Location": target}, b""


def _huge(req: RecordedRequest) -> Any:
    size = int(req.query.get("bytes", str(20 * 1024 * 1024)))
    if req.query.get("length", "1") == "1":
        return 200, {"Content-Type": "application/octet-stream"}, b"a" * size

    def body() -> Iterator[bytes]:
        left = size
        while left > 0:
            n = min(left, 65536)
            yield b"a" * n
            left -= n

    return 200, {"Content-Type": "application/octet-stream"}, body()


def _gzip(req: RecordedRequest) -> Any:
    size = int(req.query.get("bytes", str(20 * 1024 * 1024)))
    data = gzip.compress(b"\0" * size)
    return 200, {"Content-Type": "application/octet-stream", "Content-Encoding": "gzip"}, data


def _text(req: RecordedRequest) -> Any:
    charset = req.query.get("charset", "utf-8")
    return 200, {"Content-Type": f"text/plain; charset={charset}"}, "café".encode(charset)


# -- the HTTP plumbing -------------------------------------------------------------------


def _make_handler(server: HttpServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "llmspell-test/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            query_all = parse_qs(parts.query, keep_blank_values=True)
            req = RecordedRequest(
                method=self.command,
                target=self.path,
                path=parts.path,
                query={k: v[-1] for k, v in query_all.items()},
                query_all=query_all,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                server=server,
            )
            server._record(req)
            handler = server._find(self.command, parts.path)
            if handler is None:
                self._respond(404, {}, {"error": f"no route for {self.command} {parts.path}"})
                return
            try:
                answer = handler(req)
            except Exception as exc:  # a broken test handler: tell the client
                self._respond(500, {}, {"error": f"{type(exc).__name__}: {exc}"})
                return
            if isinstance(answer, tuple) and len(answer) == 3:
                self._respond(*answer)
            else:
                self._respond(200, {}, answer)

        def _respond(self, status: int, headers: dict[str, str], body: Any) -> None:
            headers = dict(headers)
            if isinstance(body, Iterator):
                self._stream(status, headers, body)
                return
            if isinstance(body, str):
                data = body.encode("utf-8")
                headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            elif isinstance(body, bytes | bytearray):
                data = bytes(body)
            else:
                data = json.dumps(body).encode("utf-8")
                headers.setdefault("Content-Type", "application/json")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        def _stream(self, status: int, headers: dict[str, str], chunks: Iterable[bytes]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    return _Handler


# -- a tiny GraphQL implementation -------------------------------------------------------


class GraphQLError(Exception):
    """A GraphQL error (message goes into ``errors``)."""


_TOKEN_RE = re.compile(
    r"""(?P<ws>[\s,]+|\#[^\n]*)
      | (?P<spread>\.\.\.)
      | (?P<punct>[{}()\[\]:!$=@])
      | (?P<string>"(?:[^"\\\n]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<name>[_A-Za-z][_0-9A-Za-z]*)""",
    re.X,
)


def _tokens(source: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN_RE.match(source, pos)
        if m is None:
            raise GraphQLError(f"Syntax Error: unexpected character {source[pos]!r} at {pos}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind == "ws":
            continue
        if kind == "spread":
            raise GraphQLError("fragments are not supported by this test server")
        out.append((kind, m.group()))
    out.append(("eof", ""))
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self.toks = _tokens(source)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.toks[self.i]

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        k, v = self.toks[self.i]
        if (value is not None and v != value) or (kind is not None and k != kind):
            want = value or kind
            got = v or "end of input"
            raise GraphQLError(f"Syntax Error: expected {want!r}, found {got!r}")
        self.i += 1
        return v

    def document(self) -> list[dict[str, Any]]:
        ops = []
        while self.peek()[0] != "eof":
            ops.append(self.operation())
        if not ops:
            raise GraphQLError("Syntax Error: the document has no operation")
        return ops

    def operation(self) -> dict[str, Any]:
        kind, value = self.peek()
        op: dict[str, Any] = {"type": "query", "name": None, "vars": {}}
        if kind == "name" and value in ("query", "mutation", "subscription"):
            op["type"] = self.take()
            if self.peek()[0] == "name":
                op["name"] = self.take()
            if self.peek()[1] == "(":
                op["vars"] = self.variable_defs()
        op["selections"] = self.selection_set()
        return op

    def variable_defs(self) -> dict[str, Any]:
        self.take("(")
        defs: dict[str, Any] = {}
        while self.peek()[1] != ")":
            self.take("$")
            name = self.take(kind="name")
            self.take(":")
            required = self.type_ref()
            default = self.value(const=True) if self.peek()[1] == "=" and self.take("=") else None
            defs[name] = {"required": required, "default": default}
        self.take(")")
        return defs

    def type_ref(self) -> bool:
        if self.peek()[1] == "[":
            self.take("[")
            self.type_ref()
            self.take("]")
        else:
            self.take(kind="name")
        if self.peek()[1] == "!":
            self.take("!")
            return True
        return False

    def selection_set(self) -> list[dict[str, Any]]:
        self.take("{")
        fields = []
        while self.peek()[1] != "}":
            fields.append(self.field())
        self.take("}")
        if not fields:
            raise GraphQLError("Syntax Error: empty selection set")
        return fields

    def field(self) -> dict[str, Any]:
        name = self.take(kind="name")
        alias = name
        if self.peek()[1] == ":":
            self.take(":")
            name = self.take(kind="name")
        args: dict[str, Any] = {}
        if self.peek()[1] == "(":
            self.take("(")
            while self.peek()[1] != ")":
                arg = self.take(kind="name")
                self.take(":")
                args[arg] = self.value()
            self.take(")")
        if self.peek()[1] == "@":
            raise GraphQLError("directives are not supported by this test server")
        sub = self.selection_set() if self.peek()[1] == "{" else None
        return {"name": name, "alias": alias, "args": args, "selections": sub}

    def value(self, const: bool = False) -> Any:
        kind, v = self.peek()
        if v == "$" and not const:
            self.take("$")
            return ("$", self.take(kind="name"))
        if kind == "string":
            self.take()
            return json.loads(v)
        if kind == "number":
            self.take()
            return float(v) if any(c in v for c in ".eE") else int(v)
        if kind == "name":
            self.take()
            return {"true": True, "false": False, "null": None}.get(v, v)
        if v == "[":
            self.take("[")
            items = []
            while self.peek()[1] != "]":
                items.append(self.value(const))
            self.take("]")
            return items
        if v == "{":
            self.take("{")
            obj = {}
            while self.peek()[1] != "}":
                key = self.take(kind="name")
                self.take(":")
                obj[key] = self.value(const)
            self.take("}")
            return obj
        raise GraphQLError(f"Syntax Error: unexpected {v or 'end of input'!r}")


_USER_FIELDS = ("id", "name", "email", "friends", "__typename")


def execute_graphql(
    users: dict[str, dict[str, Any]],
    query: str,
    variables: Any = None,
    operation_name: str | None = None,
) -> dict[str, Any]:
    """Run ``query`` against the fixed schema; the GraphQL response object."""
    try:
        ops = _Parser(query).document()
        if operation_name:
            matching = [o for o in ops if o["name"] == operation_name]
            if not matching:
                raise GraphQLError(f'Unknown operation named "{operation_name}".')
            op = matching[0]
        elif len(ops) > 1:
            raise GraphQLError("Must provide operation name if query contains multiple operations.")
        else:
            op = ops[0]
        values = _variables(op["vars"], variables)
    except GraphQLError as exc:
        return {"errors": [{"message": str(exc)}], "data": None}
    errors: list[dict[str, Any]] = []
    root = "Mutation" if op["type"] == "mutation" else "Query"
    if op["type"] == "subscription":
        return {"errors": [{"message": "subscriptions are not supported"}], "data": None}
    try:
        data = _select_root(users, root, op["selections"], values, errors)
    except GraphQLError as exc:
        return {"errors": [{"message": str(exc)}], "data": None}
    result: dict[str, Any] = {"data": data}
    if errors:
        result["errors"] = errors
    return result


def _variables(defs: dict[str, Any], given: Any) -> dict[str, Any]:
    if given is not None and not isinstance(given, dict):
        raise GraphQLError("variables must be an object")
    values = dict(given or {})
    for name, spec in defs.items():
        if name not in values:
            if spec["default"] is not None:
                values[name] = spec["default"]
            elif spec["required"]:
                raise GraphQLError(f'Variable "${name}" of required type was not provided.')
    return values


def _arg(args: dict[str, Any], name: str, values: dict[str, Any]) -> Any:
    value = args.get(name)
    if isinstance(value, tuple) and value[0] == "$":
        if value[1] not in values:
            raise GraphQLError(f'Variable "${value[1]}" is not defined.')
        return values[value[1]]
    return value


def _select_root(
    users: dict[str, dict[str, Any]],
    root: str,
    selections: list[dict[str, Any]],
    values: dict[str, Any],
    errors: list[dict[str, Any]],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in selections:
        name, alias, args = f["name"], f["alias"], f["args"]
        if name == "__typename":
            out[alias] = root
        elif root == "Query" and name == "hello":
            out[alias] = f"Hello, {_arg(args, 'name', values) or 'world'}!"
        elif root == "Query" and name == "echo":
            out[alias] = _arg(args, "value", values)
        elif root == "Query" and name == "user":
            uid = _arg(args, "id", values)
            if uid is None:
                raise GraphQLError('Field "user" argument "id" of type "ID!" is required.')
            user = users.get(str(uid))
            if user is None:
                errors.append({"message": f"user {uid} not found", "path": [alias]})
                out[alias] = None
            else:
                out[alias] = _select_user(users, user, f["selections"], "user")
        elif root == "Query" and name == "users":
            limit = _arg(args, "limit", values)
            chosen = list(users.values())[: limit if isinstance(limit, int) else None]
            out[alias] = [_select_user(users, u, f["selections"], "users") for u in chosen]
        elif root == "Mutation" and name == "addUser":
            uname = _arg(args, "name", values)
            if not isinstance(uname, str) or not uname:
                raise GraphQLError('Field "addUser" argument "name" of type "String!" is required.')
            uid = str(len(users) + 1)
            users[uid] = {
                "id": uid,
                "name": uname,
                "email": _arg(args, "email", values),
                "friends": [],
            }
            out[alias] = _select_user(users, users[uid], f["selections"], "addUser")
        else:
            raise GraphQLError(f'Cannot query field "{name}" on type "{root}".')
    return out


def _select_user(
    users: dict[str, dict[str, Any]],
    user: dict[str, Any],
    selections: list[dict[str, Any]] | None,
    where: str,
) -> dict[str, Any]:
    if not selections:
        raise GraphQLError(f'Field "{where}" of type "User" must have a selection of subfields.')
    out: dict[str, Any] = {}
    for f in selections:
        name = f["name"]
        if name not in _USER_FIELDS:
            raise GraphQLError(f'Cannot query field "{name}" on type "User".')
        if name == "__typename":
            out[f["alias"]] = "User"
        elif name == "friends":
            out[f["alias"]] = [
                _select_user(users, users[i], f["selections"], "friends") for i in user["friends"]
            ]
        else:
            out[f["alias"]] = user[name]
    return out


# -- page content ------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Test Page Title</title>
  <meta name="description" content="A page served by the llmspell test server.">
  <meta name="keywords" content="llmspell, testing, html">
  <meta name="author" content="llmspell">
  <meta property="og:title" content="OG Test Title">
  <meta property="og:type" content="website">
  <link rel="canonical" href="{base}/page.html">
  <link rel="stylesheet" href="/style.css">
</head>
<body>
  <h1 id="main-title">Welcome</h1>
  <p class="intro">This is the <b>intro</b> paragraph.</p>
  <h2>Links</h2>
  <ul id="links">
    <li><a href="/page2.html">Page two</a></li>
    <li><a href="{base}/json">JSON data</a></li>
    <li><a href="https://example.com/external">External</a></li>
    <li><a href="mailto:someone@example.com">Mail</a></li>
    <li><a href="#section">Anchor</a></li>
  </ul>
  <h2>Steps</h2>
  <ol class="steps"><li>First</li><li>Second</li><li>Third</li></ol>
  <img src="/images/logo.png" alt="Logo" width="64" height="64">
  <img src="https://example.com/photo.jpg" alt="Photo">
  <table id="data">
    <tr><th>name</th><th>value</th></tr>
    <tr><td>alpha</td><td>1</td></tr>
    <tr><td>beta</td><td>2</td></tr>
  </table>
  <div class="item" data-id="1">Item one</div>
  <div class="item" data-id="2">Item two</div>
  <script>var ignored = "script text";</script>
</body>
</html>
"""

PAGE2 = """<!DOCTYPE html>
<html><head><title>Page Two</title>
<meta name="description" content="The second page."></head>
<body><h1>Second page</h1><p>Back to <a href="/page.html">the first page</a>.</p></body>
</html>
"""

JSON_DOC = {
    "name": "llmspell",
    "version": "1.0",
    "items": [
        {"id": 1, "name": "alpha", "tags": ["a", "first"]},
        {"id": 2, "name": "beta", "tags": ["b"]},
        {"id": 3, "name": "gamma", "tags": []},
    ],
    "nested": {"a": {"b": 42}},
}
