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


# -- bounded rendering (issue 11): refused before the work, never a GIL-long hang --------


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{{ (7 ** 30000000) % 10 }}", "bits"),
        ("{{ ('x' * 3000000000) | length }}", "the repetition exceeds"),
        ("{{ ([1] * 3000000000) | length }}", "the repetition exceeds"),
        ("{{ (10 ** 60000) * (10 ** 60000) }}", "bits"),
        ("{% set x = 'x' * 4000000 %}{% set x = x ~ x %}{{ x|length }}", "~ concatenation"),
        ("{% set x = 'x' * 4000000 %}{{ (x + x)|length }}", "the concatenation"),
        (
            "{% set ns = namespace(s='xx') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
            "exceeds",
        ),
        ("{{ '%0999999999d' % 1 }}", "format width"),
        ("{{ '%*d' % (999999999, 1) }}", "format width"),
        ("{{ '%999999999s'|format(1) }}", "format width"),
        ("{{ '{:999999999}'.format(1) }}", "format width"),
        ("{{ '{:{}}'.format(1, 999999999) }}", "format width"),
        ("{{ 'x'.center(999999999) }}", "str.center()"),
        ("{{ 'x'.zfill(999999999) }}", "str.zfill()"),
        ("{{ 'x'|center(999999999) }}", "center()"),
        ("{{ 'x'|indent(999999999) }}", "indent() width"),
        ("{{ ('&' * 100000)|replace('&', 'x' * 100000) }}", "replace()"),
        ("{{ ('&' * 100000).replace('&', 'x' * 100000) }}", "str.replace()"),
        ("{{ [1]|slice(999999999)|list|length }}", "slice()"),
        ("{{ [1, 2]|tojson(indent=99999999) }}", "tojson indent"),
        ("{{ ('%' * 4000000)|urlencode|urlencode|length }}", "|urlencode"),
        ("{{ range(10**9)|list|length }}", "MAX_RANGE"),
    ],
)
def test_jinja_bombs_are_refused_promptly(tools, template, fragment):
    import time

    start = time.monotonic()
    r = tools.failed("template-creator", input=template)
    assert time.monotonic() - start < 5
    assert fragment in r["error"], r["error"]


def test_jinja_size_errors_name_the_setting(tools):
    r = tools.failed("template-creator", input="{{ ('x' * 3000000000) | length }}")
    assert r["error_kind"] == "LimitExceeded"
    assert "[tools.template-creator] max_output_chars" in r["error"]


def test_jinja_cpu_loop_stops_at_the_run_deadline(tools):
    import asyncio
    import time

    from llmspell.errors import LimitExceeded
    from llmspell.testing import DeadlineContext
    from llmspell.tools import execute_tool

    template = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    tool = tools.runtime.tools.get("template-creator")
    start = time.monotonic()
    ctx = DeadlineContext(tools.runtime.tool_context(), 1.0)
    # the run's own limit ends the run (it is not a tool failure the spell goes on after)
    with pytest.raises(LimitExceeded, match="wall-time"):
        asyncio.run(execute_tool(tool, {"input": template}, ctx))
    assert time.monotonic() - start < 6


def test_ordinary_templates_still_render(tools):
    template = (
        "{{ 'x'.ljust(3) }}|{{ 'a,b'.split(',')|join('-') }}|{{ '%5.2f' % 3.14159 }}|"
        "{{ '{:>4}'.format('r') }}|{{ 'ab' * 2 }}|{{ 2 ** 10 }}|{{ [1] + [2] }}|"
        "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}"
        "{% endfor %}{{ ns.n }}|{{ 'a' ~ 1 }}|{{ 'x'|center(5) }}|{{ 'a\nb'|indent(2) }}"
    )
    r = tools.ok("template-creator", input=template)
    assert r["result"]["rendered"] == "x  |a-b| 3.14|   r|abab|1024|[1, 2]|3|a1|  x  |a\n  b"


def test_mustache_sections_and_output_are_bounded(tools):
    import time

    context = {"a": list(range(1000)), "s": "x" * 10000}
    start = time.monotonic()
    r = tools.failed(
        "template-creator",
        engine="mustache",
        input="{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}",
        context=context,
    )
    assert time.monotonic() - start < 8
    assert r["error_kind"] == "LimitExceeded" and "sections iterate" in r["error"]
    r = tools.failed(
        "template-creator", engine="mustache", input="{{#a}}{{s}}{{/a}}", context=context
    )
    assert r["error_kind"] == "LimitExceeded" and "max_output_chars" in r["error"]
    r = tools.ok("template-creator", engine="mustache", input="{{#a}}{{.}},{{/a}}", context=context)
    assert r["result"]["rendered"].startswith("0,1,2,")
