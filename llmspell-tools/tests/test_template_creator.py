"""template-creator: Jinja2 (sandboxed) and Mustache rendering, errors and budgets."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError


def render(tools, template, **params):
    return tools.ok("template-creator", input=template, **params)["result"]["rendered"]


def test_jinja2(tools):
    tpl = "Hi {{ name | title }}!{% for i in items %} {{ loop.index }}={{ i }}{% endfor %}\n"
    out = render(tools, tpl, context={"name": "ada lovelace", "items": ["a", "b"]})
    assert out == "Hi Ada Lovelace! 1=a 2=b\n"
    r = tools.ok("template-creator", input="{{ x }}", context={"x": "<b>&"})
    assert r["result"]["rendered"] == "<b>&" == r["text"]  # text: no autoescape
    assert r["result"]["engine"] == "jinja2"
    assert render(tools, "{{ x }}", context={"x": "<b>"}, escape_html=True) == "&lt;b&gt;"
    assert render(tools, "[{{ missing }}]") == "[]"


def test_mustache(tools):
    tpl = "Hello {{name}}!{{#items}} <{{.}}>{{/items}}{{^empty}} none{{/empty}}"
    out = render(tools, tpl, engine="mustache", context={"name": "<Bob>", "items": [1, 2]})
    assert out == "Hello <Bob>! <1> <2> none"
    esc = render(tools, "{{x}}", engine="mustache", context={"x": "<&>"}, escape_html=True)
    assert esc == "&lt;&amp;&gt;"
    assert render(tools, "[{{nope}}]", engine="mustache") == "[]"


def test_mustache_does_not_read_partials_from_disk(tools, sandbox):
    (sandbox / "secret.mustache").write_text("SECRET")
    assert render(tools, "{{> secret}}", engine="mustache") == ""


def test_template_errors_fail(tools):
    r = tools.failed("template-creator", input="{% for x in %}")
    assert "template error" in r["error"] and "line 1" in r["error"]
    r = tools.failed("template-creator", input="{{ missing }}", strict=True)
    assert "missing" in r["error"]
    assert tools.failed("template-creator", input="{{ 1 / 0 }}")
    assert tools.failed("template-creator", input="{{nope}}", engine="mustache", strict=True)


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ x.__class__.__base__ }}",
    ],
)
def test_sandbox_blocks_escapes(tools, template):
    r = tools("template-creator", input=template, context={"x": 1})
    assert not r["success"] or "class" not in r["result"]["rendered"]
    if not r["success"]:
        assert "unsafe" in r["error"] or "undefined" in r["error"].lower()


def test_budgets(tools, monkeypatch):
    from llmspell_tools.utility import template_creator

    big = "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}"
    r = tools.failed("template-creator", input=big)
    assert r["error_kind"] == "LimitExceeded" and "exceeds" in r["error"]
    monkeypatch.setattr(template_creator, "RENDER_SECONDS", 0.2)
    slow = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    r = tools.failed("template-creator", input=slow)
    assert r["error_kind"] == "LimitExceeded" and "longer than" in r["error"]
    long_tpl = "x" * (template_creator.MAX_TEMPLATE_CHARS + 1)
    assert tools.failed("template-creator", input=long_tpl)["error_kind"] == "LimitExceeded"


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'engine'"):
        tools("template-creator", input="x", engine="erb")
    with pytest.raises(ValidationError, match="parameter 'context'"):
        tools("template-creator", input="x", context=[1])
    with pytest.raises(ValidationError, match="parameter 'input'"):
        tools("template-creator", context={})
