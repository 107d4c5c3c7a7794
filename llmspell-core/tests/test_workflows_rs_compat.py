"""rs-llmspell compatibility of workflows and tool lookup: placeholder spellings, the
condition types, the builder keys and table forms rs-llmspell spells send, the workflow
methods they call, and the tool names from before rs-llmspell's kebab-case rename."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import llmspell
from llmspell.errors import NotFoundError, ValidationError, WorkflowError
from llmspell.registry import ToolRegistry
from llmspell.tools import Tool
from llmspell.workflows.conditions import evaluate
from llmspell.workflows.model import parse_workflow
from llmspell.workflows.placeholders import substitute

# -- placeholders ---------------------------------------------------------------------------

SCOPE: dict[str, Any] = {
    "input": {"topic": "tides", "n": 3},
    "steps": {
        "calc": {"success": True, "result": {"result": 5}, "text": "5"},
        "draft": {"text": "a draft"},
        "fn": {"n": 1},
    },
    "shared": {"mode": "fast"},
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{step.calc.result}}", "5"),
        ("{{step.calc.output}}", "5"),
        ("{{step.calc.text}}", "5"),
        ("{{step.draft.result}}", "a draft"),
        ("{{step.fn.result.n}}", "1"),
        ("{{steps.calc.result}}", '{"result":5}'),  # llmspell's own form: the result table
        ("{{steps.draft.result}}", "a draft"),  # no result table: the text
        ("{{draft}}", "a draft"),  # a bare name: a step's output ...
        ("{{topic}} x{{n}}", "tides x3"),  # ... else an input key
        ("{{ draft }}", "a draft"),
    ],
)
def test_rs_placeholder_spellings_resolve(template: str, expected: str) -> None:
    assert substitute(template, SCOPE) == expected


@pytest.mark.parametrize(
    "template",
    [
        "{{content}}\n\n[Formatted for Blog]",  # template-creator's own variable
        "{{user.name}}",
        "{{#if x}}yes{{/if}}",
        "{{ name | upper }}",
        "{{ 1 + 1 }}",
        "Step {{step}} of {{steps}}",  # roots are strict only with a dot
        "{{loop}} {{shared}}",
    ],
)
def test_other_placeholders_pass_through_unchanged(template: str) -> None:
    assert substitute(template, SCOPE) == template
    assert substitute({"input": template, "context": [template]}, SCOPE) == {
        "input": template,
        "context": [template],
    }


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{step.nope.result}}", r"\{\{step.nope.result\}\} names no step that has run"),
        ("{{steps.calc.result.missing}}", r"nothing at 'missing'"),
        ("{{input.zz}}", r"nothing at 'zz'"),
        ("{{shared.none}}", r"nothing at 'none'"),
        ("{{loop.index}}", r"only known inside a loop"),
    ],
)
def test_explicit_roots_stay_strict(template: str, message: str) -> None:
    with pytest.raises(WorkflowError, match=message):
        substitute(template, SCOPE)


# -- conditions -----------------------------------------------------------------------------


def _holds(condition: Any, scope: dict[str, Any] | None = None) -> bool:
    spec = parse_workflow(
        {"name": "c", "condition": condition, "then_steps": [{"name": "t", "tool": "x"}]},
        kind="conditional",
        default_name="c",
    )
    return asyncio.run(evaluate(spec.condition, scope or SCOPE))


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("always", True),
        ("never", False),
        ({"type": "shared_data_equals", "key": "mode", "expected": "fast"}, True),
        ({"type": "shared_data_equals", "key": "mode", "value": "slow"}, False),
        ({"type": "step_result_equals", "step": "calc", "expected": "5"}, True),
        ({"type": "step_output_equals", "step": "calc", "expected": "6"}, False),
        ("step:draft:a draft", True),
        ({"type": "step_output_contains", "step": "draft", "expected": "draft"}, True),
        ({"type": "and", "conditions": ["always", {"type": "never"}]}, False),
        ({"type": "or", "conditions": ["never", {"type": "always"}]}, True),
        ({"type": "not", "condition": "never"}, True),
        ({"type": "step_output_equals", "step": "later", "expected": "x"}, False),
    ],
)
def test_rs_condition_types(condition: Any, expected: bool) -> None:
    assert _holds(condition) is expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("sometimes", r"condition 'sometimes' is not one of"),
        ({"type": "custom", "expression": "x > 1"}, r"give condition = function\(ctx\)"),
        ({"type": "and", "conditions": []}, r"an and condition needs conditions"),
        ({"type": "not"}, r"a not condition needs condition"),
        ({"type": "step_output_equals", "step": "s"}, r"needs expected = <a string>"),
    ],
)
def test_bad_conditions_are_validation_errors(condition: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _holds(condition)


# -- builder keys and table forms -----------------------------------------------------------


def _parse(fields: dict[str, Any], kind: str | None = None) -> Any:
    return parse_workflow(fields, kind=kind, default_name="wf")


STEP = {"name": "s", "tool": "calculator", "input": {"input": "1"}}


@pytest.mark.parametrize(
    ("given", "expected"),
    [("fail-fast", "fail_fast"), ("STOP", "fail_fast"), ("continue", "continue"),
     ("retry", "retry"), ("continue_on_error", "continue")],
)  # fmt: skip
def test_error_strategy_spellings(given: str, expected: str) -> None:
    spec = _parse({"type": "sequential", "steps": [STEP], "error_strategy": given})
    assert spec.error_strategy == expected


def test_unknown_error_strategy_is_refused() -> None:
    with pytest.raises(ValidationError, match="error_strategy must be one of"):
        _parse({"type": "sequential", "steps": [STEP], "error_strategy": "sometimes"})


def test_template_steps_say_templates_are_not_available() -> None:
    with pytest.raises(NotFoundError, match="templates are not available") as info:
        _parse({"type": "sequential", "template_steps": ["research"]})
    assert "template-creator" in (info.value.hint or "")
    step = {"name": "t", "type": "template", "template_id": "code-review", "params": {}}
    with pytest.raises(NotFoundError, match="step 't': templates are not available"):
        _parse({"type": "sequential", "steps": [step]})


def test_loop_table_form_with_iterator_and_body() -> None:
    spec = _parse(
        {"name": "l", "iterator": {"range": {"start": 1, "end": 3}, "max_iterations": 2},
         "body": [STEP]},
        kind="loop",
    )  # fmt: skip
    assert spec.range == (1.0, 3.0, 1.0) and spec.range_exclusive and spec.max_iterations == 2
    assert [s.name for s in spec.steps] == ["s"]


def test_while_given_as_text_needs_max_iterations() -> None:
    spec = _parse({"type": "loop", "while_fn": "x < 3", "max_iterations": 4, "steps": [STEP]})
    assert spec.while_text == "x < 3" and spec.range == (1.0, 4.0, 1.0)
    with pytest.raises(ValidationError, match=r"max_iterations\(n\) to run n times"):
        _parse({"type": "loop", "loop_condition": "x < 3", "steps": [STEP]})


def test_conditional_table_form_with_branches() -> None:
    spec = _parse(
        {
            "name": "c",
            "branches": [
                {"name": "yes", "condition": {"type": "always"}, "steps": [STEP]},
                {"name": "no", "steps": [dict(STEP, name="e")]},
            ],
        },
        kind="conditional",
    )
    assert spec.condition == {"type": "always"}
    assert [s.name for s in spec.then_steps] == ["s"]
    assert [s.name for s in spec.else_steps] == ["e"]
    with pytest.raises(ValidationError, match="takes one condition"):
        _parse({"branches": [{"condition": "always", "steps": [STEP]}] * 2}, kind="conditional")


def test_parallel_table_form_with_branches() -> None:
    spec = _parse({"name": "p", "branches": [STEP, dict(STEP, name="t")]}, kind="parallel")
    assert [s.name for s in spec.steps] == ["s", "t"]


# -- workflow methods and module functions through the op table -----------------------------


def _echo(params: dict[str, Any], ctx: Any) -> Any:
    return params.get("input")


class Tools:
    @llmspell.hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        obj = {"type": "object"}
        register(Tool(name="echo-tool", description="echo", handler=_echo, parameters=obj))


@pytest.fixture
def host(api_host: Any) -> Any:
    return api_host(Tools())


def test_outputs_state_and_metrics(host: Any) -> None:
    wf = host(
        "Workflow.sequential",
        {"name": "m", "steps": [{"name": "a", "tool": "echo-tool", "input": "hi"}]},
    )
    assert host.method(wf, "get_execution_id") is None
    r = host.method(wf, "execute", None)
    assert host.method(wf, "get_execution_id") == r["metadata"]["extra"]["execution_id"]
    assert host.method(wf, "list_outputs") == ["a"]
    assert host.method(wf, "get_output", "a")["text"] == "hi"
    assert host.method(wf, "get_all_outputs")["a"]["text"] == "hi"
    assert host.method(wf, "set_state", "k", {"v": 1}) is True
    assert host.method(wf, "get_state", "k") == {"v": 1}
    assert host.method(wf, "set_state", "k", None) is True
    assert host.method(wf, "get_state", "k") is None
    metrics = host.method(wf, "get_metrics")
    assert metrics["executions"] == 1 and metrics["successes"] == 1 and metrics["failures"] == 0
    assert host.method(wf, "clear_outputs") == 1
    assert host.method(wf, "get_output", "a") is None
    assert host.method(wf, "validate") == {"valid": True, "errors": []}


def test_callbacks_and_default_error_handler(host: Any, fn: Any) -> None:
    before, after, error, handler = (fn(lambda e: None) for _ in range(4))
    ok = host(
        "Workflow.sequential",
        {"name": "ok", "steps": [{"name": "a", "tool": "echo-tool", "input": "x"}]},
    )
    bad = host(
        "Workflow.sequential",
        {"name": "bad", "steps": [{"name": "a", "tool": "echo-tool", "input": "{{steps.z}}"}]},
    )
    assert host.method(ok, "on_before_execute", before)["hook_type"] == "before_execute"
    host.method(ok, "on_after_execute", after)
    host.method(bad, "on_error", error)
    host("Workflow.set_default_error_handler", handler)
    host.method(ok, "execute", None)
    with pytest.raises(WorkflowError):
        host.method(bad, "execute", None)
    assert before.calls[0][0]["workflow"] == "ok"
    assert after.calls[0][0]["result"]["success"] is True
    assert "names no step" in error.calls[0][0]["error"]
    assert handler.calls[0][0]["workflow"] == "bad" and not after.calls[1:]


def test_a_failing_callback_is_reported_not_raised(host: Any, fn: Any) -> None:
    def boom(event: Any) -> None:
        raise WorkflowError("callback broke")

    wf = host(
        "Workflow.sequential",
        {"name": "cb", "steps": [{"name": "a", "tool": "echo-tool", "input": "x"}]},
    )
    host.method(wf, "on_after_execute", fn(boom))
    assert host.method(wf, "execute", None)["success"] is True


def test_module_functions(host: Any, fn: Any) -> None:
    assert host("Workflow.types") == ["sequential", "parallel", "conditional", "loop"]
    wid = host(
        "Workflow.register",
        "sequential",
        {"name": "reg", "steps": [{"name": "a", "tool": "echo-tool", "input": "r"}]},
    )
    assert wid == "reg" and host("Workflow.get", "reg") is not None
    with pytest.raises(ValidationError, match="type must be one of"):
        host("Workflow.register", "circular", {"name": "x"})
    assert host("Workflow.remove", "reg") is True and host("Workflow.remove", "reg") is False
    host("Workflow.register", "sequential", {"name": "r2", "steps": [{"fn": fn(lambda c: 1)}]})
    assert host("Workflow.clear") == 1 and host("Workflow.list") == []
    assert host("Workflow.is_debug_enabled") is False
    host("Workflow.enable_debug", True)
    assert host("Workflow.is_debug_enabled") is True


def test_emit_publishes_as_event_publish_does(host: Any, fn: Any) -> None:
    wf = host("Workflow.sequential", {"name": "e", "steps": [{"fn": fn(lambda c: 1)}]})
    sub = host("Event.subscribe", "custom.*")
    assert host.method(wf, "emit", "custom.done", {"n": 1})["success"] is True
    got = host("Event.receive", sub, 0)
    assert got["data"] == {
        "workflow_id": "e", "workflow_name": "e", "workflow_type": "sequential", "data": {"n": 1}
    }  # fmt: skip
    with pytest.raises(ValidationError, match="event name"):
        host.method(wf, "emit", "bad name!", None)
    # the EventPublished hooks see it, as they see Event.publish
    host("Hook.register", "EventPublished", fn(lambda ctx: "skip"))
    assert host.method(wf, "emit", "custom.dropped", None)["success"] is False
    assert host("Event.receive", sub, 0) is None


# -- old tool names --------------------------------------------------------------------------


def _registry(notes: list[str]) -> ToolRegistry:
    registry = ToolRegistry(note=notes.append)
    for name in ("file-operations", "http-requester", "template-creator", "datetime-handler"):
        registry.register(Tool(name=name, description=name, handler=_echo))
    return registry


@pytest.mark.parametrize(
    ("old", "new"),
    [("file_operations", "file-operations"), ("http_request", "http-requester"),
     ("http-request", "http-requester"), ("template_engine", "template-creator"),
     ("date_time_handler", "datetime-handler")],
)  # fmt: skip
def test_old_tool_names_resolve_with_one_note(old: str, new: str) -> None:
    notes: list[str] = []
    registry = _registry(notes)
    assert registry.exists(old)
    assert registry.get(old).name == new and registry.find(old) is registry.get(new)
    assert notes == [f"llmspell: tool {old!r} is now {new!r}; the old name still works"]


def test_unknown_names_and_own_names_are_untouched() -> None:
    notes: list[str] = []
    registry = _registry(notes)
    assert not registry.exists("web_search")  # its target is not registered here
    with pytest.raises(NotFoundError, match="unknown tool 'nope_tool'"):
        registry.get("nope_tool")
    registry.register(Tool(name="my_tool", description="mine", handler=_echo))
    assert registry.get("my_tool").name == "my_tool"
    # a tool registered under an old name is that tool, not an alias
    registry.register(Tool(name="file_operations", description="own", handler=_echo))
    assert registry.get("file_operations").description == "own"
    assert notes == []


def test_conditional_runs_its_steps_before_the_condition(host: Any, fn: Any) -> None:
    seen: list[Any] = []

    def condition(ctx: Any) -> bool:
        seen.append(sorted(ctx["steps"]))
        return "probe" in ctx["steps"]

    wf = host(
        "Workflow.conditional",
        {
            "name": "pre",
            "steps": [{"name": "probe", "tool": "echo-tool", "input": "x"}],
            "condition": fn(condition),
            "then_steps": [{"name": "t", "tool": "echo-tool", "input": "{{step.probe.result}}!"}],
            "else_steps": [{"name": "e", "tool": "echo-tool", "input": "no"}],
        },
    )
    r = host.method(wf, "execute", None)
    assert seen == [["probe"]] and r["metadata"]["extra"]["branch"] == "then"
    assert r["outputs"]["t"]["text"] == "x!" and r["metadata"]["extra"]["total_steps"] == 2


def test_condition_function_sees_step_texts_by_name(host: Any, fn: Any) -> None:
    seen: list[Any] = []

    def condition(ctx: Any) -> bool:
        seen.append((ctx["probe"], ctx["input"]))
        return True

    wf = host(
        "Workflow.conditional",
        {
            "name": "byname",
            "steps": [
                {"name": "probe", "tool": "echo-tool", "input": "found"},
                {"name": "input", "tool": "echo-tool", "input": "shadowed"},
            ],
            "condition": fn(condition),
            "then_steps": [{"name": "t", "tool": "echo-tool", "input": "t"}],
        },
    )
    r = host.method(wf, "execute", {"k": 1})
    # a step named like a ctx key (input) does not replace it
    assert seen == [("found", {"k": 1})]
    assert r["execution_id"] == r["metadata"]["extra"]["execution_id"]


class OldNameTools:
    @llmspell.hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(Tool(name="file-operations", description="files", handler=_echo))


def test_old_name_note_goes_to_the_runs_stderr(api_host: Any) -> None:
    host = api_host(OldNameTools())
    assert host("Tool.exists", "file_operations") is True
    assert host("Tool.exists", "file_operations") is True
    stderr = host.runtime.output.stderr.getvalue()
    note = "llmspell: tool 'file_operations' is now 'file-operations'; the old name still works"
    assert stderr.count(note) == 1


@pytest.mark.parametrize(
    ("fields", "items"),
    [
        ({"rs_range": {"start": 2, "end": 6}}, [2, 3, 4, 5]),  # rs-llmspell: end excluded
        ({"rs_range": {"start": 1, "end": 6, "step": 2}}, [1, 3, 5]),
        ({"rs_range": {"end": 3}}, [0, 1, 2]),  # start defaults to 0, as in rs-llmspell
        ({"rs_range": {"start": 10, "end": 4, "step": -3}}, [10, 7]),
        ({"range": {"start": 2, "end": 6}}, [2, 3, 4, 5, 6]),  # llmspell's range: inclusive
    ],
)
def test_with_range_excludes_the_end(
    host: Any, fn: Any, fields: dict[str, Any], items: list[int]
) -> None:
    body = [{"name": "v", "fn": fn(lambda ctx: ctx["loop"]["item"])}]
    wf = host("Workflow.loop", {"name": "r", "steps": body, **fields})
    r = host.method(wf, "execute", None)
    assert [it["item"] for it in r["iterations"]] == items


def test_with_range_and_range_together_are_refused() -> None:
    with pytest.raises(ValidationError, match="give one range"):
        _parse({"type": "loop", "rs_range": {"end": 2}, "range": {"end": 2}, "steps": [STEP]})


def test_run_options_end_with_the_run(host: Any, fn: Any) -> None:
    host("Workflow.enable_debug", True)
    host("Workflow.set_default_error_handler", fn(lambda e: None))
    assert host("Workflow.is_debug_enabled") is True
    for cleanup in reversed(host.session.cleanups):  # what the end of the run does
        cleanup()
    assert host("Workflow.is_debug_enabled") is False
