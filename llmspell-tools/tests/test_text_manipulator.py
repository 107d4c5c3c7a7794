"""text-manipulator: every operation, options, and limits."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import SecurityError, ValidationError


def tm(tools, operation, text, **options):
    r = tools.ok("text-manipulator", input=text, operation=operation, options=options)
    return r["result"]["result"]


@pytest.mark.parametrize(
    ("operation", "text", "options", "expected"),
    [
        ("uppercase", "abc ß", {}, "ABC SS"),
        ("lowercase", "AbC", {}, "abc"),
        ("reverse", "abc", {}, "cba"),
        ("trim", "  a b \n", {}, "a b"),
        ("trim", "--a--", {"chars": "-"}, "a"),
        ("replace", "a-b-c", {"from": "-", "to": "+"}, "a+b+c"),
        ("replace", "a-b-c", {"from": "-", "to": "+", "count": 1}, "a+b-c"),
        ("replace", "a1b22", {"from": r"\d+", "to": "#", "regex": True}, "a#b#"),
        ("substring", "hello world", {"start": 6}, "world"),
        ("substring", "hello world", {"start": 0, "end": 5}, "hello"),
        ("split", "a,b,c", {"delimiter": ","}, ["a", "b", "c"]),
        ("split", "a  b\tc", {}, ["a", "b", "c"]),
        ("join", '["a", "b", "c"]', {"delimiter": "-"}, "a-b-c"),
        ("snake_case", "HTTPServer errorCode", {}, "http_server_error_code"),
        ("kebab_case", "Hello World_again", {}, "hello-world-again"),
        ("camel_case", "hello_world-foo", {}, "helloWorldFoo"),
        ("pascal_case", "hello world", {}, "HelloWorld"),
        ("sanitize", "a\x00b\u200bc\x1b[0m\nd", {}, "abc[0m\nd"),
        ("sanitize", "<b>hi</b>", {"strip_html": True}, "hi"),
        ("truncate", "abcdefghij", {"max_length": 6}, "abc..."),
        ("truncate", "abc", {"max_length": 6}, "abc"),
        ("truncate", "abcdefghij", {"max_length": 5, "suffix": "~"}, "abcd~"),
        ("indent", "a\nb", {"spaces": 2}, "  a\n  b"),
        ("indent", "a\nb", {"prefix": "> "}, "> a\n> b"),
        ("dedent", "    a\n      b", {}, "a\n  b"),
        ("normalize_whitespace", "  a \n\t b  ", {}, "a b"),
        ("word_wrap", "aaa bbb ccc", {"width": 7}, "aaa bbb\nccc"),
    ],
)
def test_operations(tools, operation, text, options, expected):
    assert tm(tools, operation, text, **options) == expected


def test_result_shape_and_count(tools):
    r = tools.ok("text-manipulator", input="Hi there. Bye!\n\nNew para.", operation="count")
    counts = r["result"]["result"]
    assert counts["words"] == 5 and counts["sentences"] == 3 and counts["paragraphs"] == 2
    assert json.loads(r["text"]) == counts
    r = tools.ok("text-manipulator", input="abc", operation="uppercase")
    assert r["text"] == "ABC" and r["result"]["original_length"] == 3
    assert r["result"]["operation"] == "uppercase"


def test_failures(tools):
    assert tools.failed("text-manipulator", input="x", operation="replace")
    assert tools.failed("text-manipulator", input="x", operation="join")
    bad = tools.failed("text-manipulator", input="x", operation="replace",
                       options={"from": "(", "to": "", "regex": True})  # fmt: skip
    assert "regular expression" in bad["error"]
    big = tools.failed("text-manipulator", input="a" * 1000, operation="replace",
                       options={"from": "a", "to": "b" * 20_000})  # fmt: skip
    assert big["error_kind"] == "LimitExceeded"


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("text-manipulator", input="x", operation="shout")
    with pytest.raises(ValidationError, match="parameter 'input'"):
        tools("text-manipulator", operation="uppercase")
    with pytest.raises(ValidationError, match=r"parameter 'options\.width'"):
        tools("text-manipulator", input="x", operation="word_wrap", options={"width": 0})
    with pytest.raises(ValidationError, match=r"parameter 'options\.start'"):
        tools("text-manipulator", input="x", operation="substring", options={"start": "1"})


def test_oversized_input_refused(tools):
    tools.runtime.policy.max_input_bytes = 50
    with pytest.raises(SecurityError, match="over the limit"):
        tools("text-manipulator", input="é" * 30, operation="uppercase")


# -- bounded regular expressions and counts (issue 11) -----------------------------------


def test_backtracking_replace_stops_promptly(tools):
    import time

    start = time.monotonic()
    r = tools.failed(
        "text-manipulator",
        input="a" * 100_000,
        operation="replace",
        options={"from": "a*a*a*a*a*[bc]", "to": "x", "regex": True},
    )
    assert time.monotonic() - start < 15
    assert r["error_kind"] == "LimitExceeded" and "took longer than" in r["error"]


def test_regex_replace_growth_is_capped(tools):
    r = tools.failed(
        "text-manipulator",
        input="a" * 100_000,
        operation="replace",
        options={"from": "", "to": "x" * 1000, "regex": True},
    )
    assert r["error_kind"] == "LimitExceeded"


def test_regex_replace_keeps_re_semantics(tools):
    r = tools.ok(
        "text-manipulator",
        input="2024-01-05",
        operation="replace",
        options={"from": r"(\d+)-(\d+)-(\d+)", "to": r"\3/\2/\g<1>", "regex": True},
    )
    assert r["result"]["result"] == "05/01/2024"


def test_counting_sentences_is_linear(tools):
    import time

    start = time.monotonic()
    r = tools.ok("text-manipulator", input="a" * 1_000_000 + "." * 1_000_000, operation="count")
    assert time.monotonic() - start < 5
    assert r["result"]["result"]["sentences"] == 1
    r = tools.ok("text-manipulator", input="One. Two! Three?  Four...", operation="count")
    assert r["result"]["result"]["sentences"] == 4
