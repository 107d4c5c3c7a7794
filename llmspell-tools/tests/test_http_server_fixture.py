"""The local HTTP test server itself: routes, recording, extension, GraphQL."""

from __future__ import annotations

import json
import urllib.request


def _get(url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_server_serves_records_and_extends(http_server):
    assert http_server.base_url.startswith("http://127.0.0.1:")
    status, _, body = _get(http_server.url("/json"))
    assert status == 200 and json.loads(body)["nested"]["a"]["b"] == 42
    http_server.route("PUT", "/custom", lambda r: (201, {"X-Test": "yes"}, {"got": r.json()}))
    req = urllib.request.Request(http_server.url("/custom"), data=b'{"a": 1}', method="PUT")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 201 and resp.headers["X-Test"] == "yes"
        assert json.loads(resp.read()) == {"got": {"a": 1}}
    last = http_server.last
    assert (last.method, last.path, last.json()) == ("PUT", "/custom", {"a": 1})
    assert len(http_server.requests) == 2
    status, _, _ = _get(http_server.url("/nope"))
    assert status == 404


def test_graphql_endpoint(http_server):
    def gql(query, variables=None, op=None):
        payload = json.dumps({"query": query, "variables": variables, "operationName": op})
        hdrs = {"Content-Type": "application/json"}
        return json.loads(_get(http_server.url("/graphql"), payload.encode(), hdrs)[2])

    assert gql("{ hello }") == {"data": {"hello": "Hello, world!"}}
    got = gql("query Q($id: ID!) { u: user(id: $id) { id name } }", {"id": "2"})
    assert got == {"data": {"u": {"id": "2", "name": "Alan"}}}
    assert 'Cannot query field "nope"' in gql("{ nope }")["errors"][0]["message"]
    partial = gql("{ user(id: 9) { name } hello }")
    assert partial["data"] == {"user": None, "hello": "Hello, world!"}
    assert partial["errors"][0]["message"] == "user 9 not found"
    assert "Syntax Error" in gql("{ hello ")["errors"][0]["message"]
    two = "query A { hello } query B { users(limit: 1) { name friends { name } } }"
    assert gql(two, op="B")["data"] == {"users": [{"name": "Ada", "friends": [{"name": "Alan"}]}]}
    added = gql('mutation { addUser(name: "Grace") { id name } }')
    assert added["data"]["addUser"] == {"id": "3", "name": "Grace"}


def test_flaky_and_sitemaps(http_server):
    assert _get(http_server.url("/flaky?fail=1&key=a"))[0] == 500
    assert _get(http_server.url("/flaky?fail=1&key=a"))[0] == 200
    status, _, body = _get(http_server.url("/sitemap_index.xml"))
    assert status == 200 and http_server.url("/sitemap2.xml").encode() in body
