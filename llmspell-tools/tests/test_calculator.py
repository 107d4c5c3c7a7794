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
