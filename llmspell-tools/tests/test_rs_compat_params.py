"""Parameters rs-llmspell's spells send to its tools (RS-LLMSPELL-API.md §2), accepted
here beside llmspell's own names: each does what it did there, or fails clearly."""

from __future__ import annotations

import json
import sqlite3

import pytest

from llmspell.errors import SecurityError
from llmspell_tools.search import _providers


def test_template_creator_tera_and_auto_detect(tools):
    r = tools.ok("template-creator", input="{{ n * 2 }}", context={"n": 3}, engine="tera")
    assert r["result"]["rendered"] == "6" and r["result"]["engine"] == "jinja2"
    r = tools.ok(
        "template-creator",
        input="{{#items}}<{{.}}>{{/items}}",
        context={"items": ["a", "b"]},
        auto_detect=True,
    )
    assert r["result"]["engine"] == "mustache" and r["text"] == "<a><b>"
    r = tools.ok("template-creator", input="{% if x %}yes{% endif %}", context={"x": 1},
                 auto_detect=True)  # fmt: skip
    assert r["result"]["engine"] == "jinja2" and r["text"] == "yes"


def test_graphql_operation_introspection_and_subscription(net_tools, http_server, monkeypatch):
    from llmspell_tools import _http

    sent: list[dict] = []

    async def fake_request(ctx, method, url, **kw):  # the query the tool would POST
        sent.append(kw["json"])
        body = json.dumps({"data": {"__schema": {"types": []}}}).encode()
        return _http.HttpResult(200, {"content-type": "application/json"}, body, url)

    monkeypatch.setattr(_http, "request", fake_request)
    r = net_tools.ok("graphql-query", endpoint=http_server.url("/graphql"),
                     operation="introspection")  # fmt: skip
    assert sent[0]["query"].startswith("query IntrospectionQuery { __schema")
    assert r["result"]["data"] == {"__schema": {"types": []}}
    bad = net_tools.failed(
        "graphql-query", endpoint=http_server.url("/graphql"), operation="subscription",
        input="subscription { x }",
    )  # fmt: skip
    assert bad["error_kind"] == "ValidationError" and "subscriptions" in bad["error"]
    assert len(sent) == 1  # the subscription was never sent


def test_file_converter_convert_to_spaces(tools, sandbox):
    (sandbox / "a.py").write_text("if x:\n    y()\n", encoding="utf-8")
    tools.ok("file-converter", operation="indentation", path="a.py", convert_to_spaces=False)
    assert (sandbox / "a.py").read_text(encoding="utf-8") == "if x:\n\ty()\n"
    tools.ok("file-converter", operation="indentation", path="a.py", convert_to_spaces=True)
    assert (sandbox / "a.py").read_text(encoding="utf-8") == "if x:\n    y()\n"


def test_file_watcher_timeout_seconds(tools, sandbox):
    r = tools.ok("file-watcher", input=str(sandbox), timeout_seconds=0.2)
    assert r["success"]
    assert r["result"].get("timeout_ms", 200) == 200


def test_image_processor_source_path_and_detect(tools, sandbox):
    from PIL import Image

    Image.new("RGB", (8, 4)).save(sandbox / "p.png")
    r = tools.ok("image-processor", operation="detect", source_path="p.png")
    assert r["result"] == {"format": "PNG", "mime_type": "image/png", "width": 8, "height": 4}
    assert tools.ok("image-processor", file_path="p.png")["result"]["width"] == 8
    bad = tools.failed("image-processor", operation="metadata")
    assert bad["error_kind"] == "ValidationError" and "file_path" in bad["error"]


def test_web_searcher_options_per_provider():
    brave = _providers.apply_options(
        _providers.build_request("brave", "q", 5, "K"), "brave", "de", True
    )
    assert brave.params is not None
    assert brave.params["search_lang"] == "de" and brave.params["safesearch"] == "strict"
    serp = _providers.apply_options(
        _providers.build_request("serpapi", "q", 5, "K"), "serpapi", "fr", "off"
    )
    assert serp.params is not None and serp.params["hl"] == "fr" and serp.params["safe"] == "off"
    ddg = _providers.apply_options(
        _providers.build_request("duckduckgo", "q", 5, None), "duckduckgo", "en", "moderate"
    )
    assert ddg.data == {"q": "q", "kl": "wt-wt", "kp": "-2"}  # "en" is no region: kept
    ddg = _providers.apply_options(
        _providers.build_request("duckduckgo", "q", 5, None), "duckduckgo", "us-en", None
    )
    assert ddg.data is not None and ddg.data["kl"] == "us-en"
    tavily = _providers.build_request("tavily", "q", 5, "K")
    assert _providers.apply_options(tavily, "tavily", "en", True).json == tavily.json


def test_web_searcher_search_type_other_than_web_is_refused(net_tools):
    bad = net_tools.failed("web-searcher", input="x", search_type="news", provider="duckduckgo")
    assert bad["error_kind"] == "ValidationError" and "search_type 'news'" in bad["error"]


def test_database_connector_database_and_query_type(tools, sandbox):
    with sqlite3.connect(sandbox / "d.db") as db:
        db.execute("create table t (n integer)")
        db.execute("insert into t values (1)")
    r = tools.ok(
        "database-connector", database="d.db", query="select n from t", query_type="select"
    )
    assert r["result"]["rows"] == [{"n": 1}] or r["result"]["rows"] == [[1]]
    # run as operation execute, which is refused unless allow_write is set
    with pytest.raises(SecurityError, match="operation 'execute' is refused"):
        tools("database-connector", database="d.db", query="insert into t values (2)",
              query_type="insert")  # fmt: skip


def test_environment_reader_set_is_refused(tools):
    bad = tools.failed("environment-reader", operation="set", variable_name="X", value="1")
    assert bad["error_kind"] == "SecurityError" and "process-executor" in bad["error"]


def test_text_manipulator_count_type(tools):
    r = tools.ok("text-manipulator", operation="count", input="two words", count_type="words")
    assert r["result"]["result"] == 2 and r["text"] == "2"
    r = tools.ok("text-manipulator", operation="count", input="abc", count_type="chars")
    assert r["result"]["result"] == 3
    r = tools.ok("text-manipulator", operation="count", input="a b")
    assert r["result"]["result"]["words"] == 2  # without count_type: every count
