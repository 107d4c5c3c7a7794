"""graphql-query against the local server's GraphQL endpoint."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import SecurityError, ValidationError


def test_query_with_variables(net_tools, http_server):
    r = net_tools.ok(
        "graphql-query",
        endpoint=http_server.url("/graphql"),
        input="query Get($id: ID!) { user(id: $id) { id name friends { name } } }",
        variables={"id": "1"},
    )
    assert r["result"]["data"] == {
        "user": {"id": "1", "name": "Ada", "friends": [{"name": "Alan"}]}
    }
    assert r["result"]["errors"] is None
    assert json.loads(r["text"]) == r["result"]["data"]
    sent = http_server.last.json()
    assert sent["variables"] == {"id": "1"} and "operationName" not in sent
    assert http_server.last.headers["content-type"] == "application/json"


def test_operation_name_aliases_and_mutation(net_tools, http_server):
    doc = 'query A { hello } query B { first: hello(name: "B") users(limit: 1) { name } }'
    r = net_tools.ok(
        "graphql-query", endpoint=http_server.url("/graphql"), input=doc, operation_name="B"
    )
    assert r["result"]["data"] == {"first": "Hello, B!", "users": [{"name": "Ada"}]}
    r = net_tools.ok(
        "graphql-query",
        endpoint=http_server.url("/graphql"),
        query='mutation { addUser(name: "Grace") { id name } }',
    )
    assert r["result"]["data"] == {"addUser": {"id": "3", "name": "Grace"}}


def test_graphql_errors_fail_with_their_messages(net_tools, http_server):
    url = http_server.url("/graphql")
    r = net_tools.failed("graphql-query", endpoint=url, input="{ hello nope }")
    assert r["error_kind"] == "GraphQLError"
    assert 'Cannot query field "nope" on type "Query"' in r["error"]
    r = net_tools.failed("graphql-query", endpoint=url, input="{ user(id: 42) { name } }")
    assert "user 42 not found (at user)" in r["error"]  # partial data + errors: a failure
    r = net_tools.failed("graphql-query", endpoint=url, input="{ hello ")
    assert "Syntax Error" in r["error"]
    r = net_tools.failed("graphql-query", endpoint=url, input="query A { hello } query B { hello }")
    assert "operation name" in r["error"]
    r = net_tools.failed(
        "graphql-query", endpoint=url, input="query($id: ID!) { user(id: $id) { name } }"
    )
    assert "$id" in r["error"]


def test_not_a_graphql_endpoint(net_tools, http_server):
    r = net_tools.failed("graphql-query", endpoint=http_server.url("/page.html"), input="{ a }")
    assert "did not answer with a GraphQL response" in r["error"]
    r = net_tools.failed("graphql-query", endpoint=http_server.url("/nowhere"), input="{ a }")
    assert r["error_kind"] == "HttpError" and "HTTP 404" in r["error"]


def test_bad_parameters_and_policy(tools, net_tools, http_server):
    with pytest.raises(ValidationError, match="endpoint"):
        net_tools("graphql-query", input="{ hello }")
    r = net_tools.failed("graphql-query", endpoint=http_server.url("/graphql"))
    assert r["error_kind"] == "ValidationError" and "'input'" in r["error"]
    with pytest.raises(ValidationError, match="variables"):
        net_tools("graphql-query", endpoint=http_server.url("/graphql"), input="{a}", variables=[1])
    with pytest.raises(SecurityError, match="network access is not allowed"):
        tools("graphql-query", endpoint=http_server.url("/graphql"), input="{ hello }")
    with pytest.raises(SecurityError, match="allowed_hosts"):
        net_tools("graphql-query", endpoint="http://10.1.1.1/graphql", input="{ hello }")


def test_token_never_in_output(net_tools, http_server):
    token = "gql-token-31337"
    http_server.route(
        "POST",
        "/graphql-auth",
        lambda r: {"errors": [{"message": f"bad token {r.headers.get('authorization')}"}]},
    )
    r = net_tools.failed(
        "graphql-query",
        endpoint=http_server.url("/graphql-auth"),
        input="{ hello }",
        auth={"type": "bearer", "token": token},
    )
    assert http_server.last.headers["authorization"] == f"Bearer {token}"
    assert token not in json.dumps(r) and "bad token" in r["error"]
