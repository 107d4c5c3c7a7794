"""calculator: good expressions, variables, and every way an expression can be bad."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError


def test_evaluates_with_functions_and_variables(tools):
    r = tools.ok("calculator", input="2 * (3 + x) + sqrt(16)", variables={"x": 4})
    assert r["result"]["result"] == 18.0
    assert r["result"]["result_type"] == "float"
    assert tools.ok("calculator", input="7 // 2")["result"]["result"] == 3
    assert r["metadata"]["tool"] == "calculator"


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("1/0", "division by zero"),
        ("2 +", "cannot evaluate"),
        ("__import__('os').system('true')", "cannot evaluate"),
        ("open('/etc/passwd')", "cannot evaluate"),
        ("'a' * 3", "does not evaluate to a number"),
        ("nope + 1", "cannot evaluate"),
    ],
)
def test_bad_expressions_fail_cleanly(tools, expression, fragment):
    r = tools.failed("calculator", input=expression)
    assert fragment in r["error"]


def test_validate_and_functions(tools):
    assert tools.ok("calculator", operation="validate", input="1 + 2")["result"]["valid"] is True
    assert tools.ok("calculator", operation="validate", input="1 +")["result"]["valid"] is False
    assert "sqrt" in tools.ok("calculator", operation="functions")["result"]["functions"]


def test_misuse_raises(tools):
    with pytest.raises(ValidationError, match="parameter 'input'"):
        tools("calculator", input=5)
    with pytest.raises(ValidationError, match=r"parameter 'variables\.x'"):
        tools("calculator", input="x", variables={"x": "a"})
    assert tools.failed("calculator", input="9" * 20_000)["error_kind"] == "ValidationError"


def test_every_module_defines_the_tool_its_file_names():
    from importlib import import_module

    from llmspell_tools.plugin import tool_modules, tool_name

    modules = tool_modules()
    assert len(modules) >= 30
    for module in modules:
        assert import_module(module).TOOL.name == tool_name(module), module


def test_tools_load_on_first_use(tools):
    registry = tools.runtime.tools
    assert registry.exists("pdf-processor")
    assert "pdf-processor" in registry._lazy  # registered by name, not imported yet
    assert registry.get("pdf-processor").category == "document"
    assert "pdf-processor" not in registry._lazy
    assert len(registry.all()) >= 30 and not registry._lazy


# -- bounded big-integer work (issue 11): refused before it starts, never a GIL-long hang --


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("factorial(1000000) % 7", "factorial(1000000) would have about"),
        ("pow(7, 300000000)", "7 ** 300000000 would have about"),
        ("(7 ** 30000000) % 10", "over the limit of 100,000 bits"),
        ("9**9**9", "[tools.calculator] max_int_bits"),
        ("(2**60000) * (2**60000) % 7", "the product would have about"),
        ("1 << 200000", "1 << 200000 would have about"),
        ("pow(3, 2**8000, 2**8000 + 1)", "over the work limit"),
        ("round(5, -10**6)", "round() to -1000000 digits"),
        ("'%099999999d' % 1", "string formatting"),
        ("2 ** 50000", "4300 digits"),
    ],
)
def test_big_integer_bombs_are_refused_promptly(tools, expression, fragment):
    import time

    start = time.monotonic()
    r = tools.failed("calculator", input=expression)
    assert time.monotonic() - start < 3
    assert r["error_kind"] == "LimitExceeded", r
    assert fragment in r["error"], r["error"]


def test_big_but_bounded_integers_still_work(tools):
    assert tools.ok("calculator", input="factorial(8000) % 7")["result"]["result"] == 0
    assert tools.ok("calculator", input="2 ** 99999 % 7")["result"]["result"] == 1
    assert tools.ok("calculator", input="(10**100)**2 % 97")["result"]["result"] == 81
    assert tools.ok("calculator", input="pow(3, 2**1000, 1000007)")["success"]


def test_many_bounded_operations_hit_the_time_budget(tools):
    expression = "+".join(["pow(3, 2**2000-1, 2**2048+1) % 7"] * 280)
    r = tools.failed("calculator", input=expression)
    assert r["error_kind"] == "LimitExceeded"
    assert "longer than 1 s" in r["error"]


def test_max_int_bits_is_configurable(sandbox):
    import asyncio

    from llmspell.config import load_settings
    from llmspell.runtime import Runtime
    from llmspell.tools import execute_tool

    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(sandbox)}
    settings = load_settings(
        environ=env, use_files=False, overrides={("tools", "calculator"): {"max_int_bits": 300000}}
    )
    runtime = Runtime(settings)
    try:
        tool = runtime.tools.get("calculator")
        r = asyncio.run(execute_tool(tool, {"input": "2 ** 200000 % 7"}, runtime.tool_context()))
        assert r["success"], r
    finally:
        runtime.close()


def test_huge_variable_is_refused(tools):
    r = tools.failed("calculator", input="x % 7", variables={"x": 2**200000})
    assert r["error_kind"] == "LimitExceeded"
