"""``Tool``: run, list, inspect and register tools (script-api.md#tool)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llmspell.errors import LLMSpellError, ValidationError
from llmspell.lifecycle import fire
from llmspell.ops import GlobalSpec, ObjectType, Param, ScriptFunction, method
from llmspell.schema import SchemaProblem, check_schema
from llmspell.tools import Tool, ToolFailure, execute_tool

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


TOOL_HANDLE = ObjectType(
    "ToolHandle",
    Tool,
    fields=lambda t: {
        "name": t.name,
        "description": t.description,
        "category": t.category,
        "version": t.version,
        "schema": t.parameters,
    },
)
TOOL = GlobalSpec("Tool", object_types=[TOOL_HANDLE], doc="Run and register tools.")


@TOOL.function(
    "execute", Param("name", "string"), Param("params", "object", optional=True), mode="async"
)
async def execute(ctx: CallContext, name: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Run tool ``name`` with ``params``; returns a ToolResult."""
    return await execute_tool(ctx.runtime.tools.get(name), params or {}, ctx)


@method(TOOL_HANDLE, "execute", Param("params", "object", optional=True), mode="async")
async def handle_execute(ctx: CallContext, tool: Tool, params: dict[str, Any] | None) -> Any:
    """Run this tool with ``params``."""
    return await execute_tool(tool, params or {}, ctx)


async def _discovered(
    ctx: CallContext, filter: dict[str, Any], found: Callable[[dict[str, Any]], list[Any]]
) -> list[Any]:
    """``found(filter)`` between the tool discovery hooks (a hook may change the filter,
    skip discovery, or change the list)."""
    if not ctx.runtime.hooks.has("BeforeToolDiscovery", "AfterToolDiscovery"):
        return found(filter)
    outcome = await fire(ctx, "BeforeToolDiscovery", {"filter": filter}, component_id="tools")
    if outcome.action in ("skip", "cancel"):
        return []
    if outcome.action == "replace" and isinstance(outcome.data, list):
        return list(outcome.data)
    if outcome.action == "modified" and isinstance(outcome.data.get("filter"), dict):
        filter = outcome.data["filter"]
    tools = found(filter)
    data = {"filter": filter, "tools": tools}
    after = await fire(ctx, "AfterToolDiscovery", data, component_id="tools")
    if after.action == "replace" and isinstance(after.data, list):
        return list(after.data)
    if after.action == "modified" and isinstance(after.data.get("tools"), list):
        return list(after.data["tools"])
    return tools


@TOOL.function("list", Param("filter", "object", optional=True), mode="async")
async def list_(ctx: CallContext, filter: dict[str, Any] | None) -> list[Any]:
    """``{{name, description, category, version}}`` for every tool (optionally one category)."""

    def found(f: dict[str, Any]) -> list[Any]:
        return [t.info() for t in ctx.runtime.tools.all(f.get("category"))]

    return await _discovered(ctx, filter or {}, found)


@TOOL.function("discover", Param("filter", "object", optional=True), mode="async")
async def discover(ctx: CallContext, filter: dict[str, Any] | None) -> list[Any]:
    """Tools matching ``{category=?, tag=?}``."""

    def found(f: dict[str, Any]) -> list[Any]:
        tools = ctx.runtime.tools.all(f.get("category"))
        if f.get("tag"):
            tools = [t for t in tools if f["tag"] in t.tags]
        return [{**t.info(), "tags": list(t.tags)} for t in tools]

    return await _discovered(ctx, filter or {}, found)


@TOOL.function("get", Param("name", "string"))
def get(ctx: CallContext, name: str) -> Tool | None:
    """The tool called ``name`` (with ``execute`` as a method), or nil."""
    return ctx.runtime.tools.find(name)


@TOOL.function("exists", Param("name", "string"))
def exists(ctx: CallContext, name: str) -> bool:
    """True if a tool called ``name`` exists."""
    return ctx.runtime.tools.exists(name)


@TOOL.function("categories")
def categories(ctx: CallContext) -> list[str]:
    """The tool categories in use."""
    return ctx.runtime.tools.categories()


@TOOL.function("schema", Param("name", "string"))
def schema(ctx: CallContext, name: str) -> dict[str, Any]:
    """The JSON schema of the tool's parameters."""
    return ctx.runtime.tools.get(name).parameters


def _script_handler(fn: ScriptFunction) -> Any:
    async def handler(params: dict[str, Any], ctx: Any) -> Any:
        try:
            return await fn(params)
        except LLMSpellError as exc:
            raise ToolFailure(
                exc.message if hasattr(exc, "message") else str(exc), kind=exc.kind
            ) from None

    return handler


_REGISTER_KEYS = (
    "name", "description", "parameters", "schema", "handler", "execute", "category",
    "version", "tags", "timeout_seconds",
)  # fmt: skip


def _register_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with camelCase keys read as snake_case; unknown keys are an error."""
    import re

    out: dict[str, Any] = {}
    for key, value in spec.items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
        if snake not in _REGISTER_KEYS:
            import difflib

            close = difflib.get_close_matches(snake, _REGISTER_KEYS, n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            raise ValidationError(
                f"Tool.register: unknown key {key!r}{tip} (known: {', '.join(_REGISTER_KEYS)})"
            )
        out[snake] = value
    return out


@TOOL.function("register", Param("spec", "object"))
def register(ctx: CallContext, spec: dict[str, Any]) -> bool:
    """Define a tool from the script: ``{name, description, parameters, handler}``."""
    spec = _register_spec(spec)
    name = spec.get("name")
    handler = spec.get("handler") or spec.get("execute")
    if not isinstance(name, str) or not name:
        raise ValidationError("Tool.register: 'name' must be a non-empty string")
    if not isinstance(handler, ScriptFunction):
        raise ValidationError("Tool.register: 'handler' must be a function(params)")
    parameters = (
        spec.get("parameters") or spec.get("schema") or {"type": "object", "properties": {}}
    )
    if not isinstance(parameters, dict):
        raise ValidationError("Tool.register: 'parameters' must be a JSON schema table/object")
    _check_schema(name, parameters)
    existing = ctx.runtime.tools.find(name)
    if existing is not None and existing.source != "script":
        raise ValidationError(f"Tool.register: a built-in tool is already called {name!r}")
    tool = Tool(
        name=name,
        description=str(spec.get("description") or ""),
        handler=_script_handler(handler),
        parameters=parameters,
        category=str(spec.get("category") or "custom"),
        version=str(spec.get("version") or "1.0.0"),
        tags=tuple(str(t) for t in spec.get("tags") or ()),
        timeout_seconds=float(spec.get("timeout_seconds") or 300.0),
        source="script",
    )
    ctx.runtime.tools.register(tool, replace=True)
    ctx.cleanups.append(lambda: ctx.runtime.tools.unregister(name))
    return True


def _check_schema(name: str, schema: dict[str, Any]) -> None:
    try:
        check_schema(schema)
    except SchemaProblem as exc:
        raise ValidationError(
            f"Tool.register: 'parameters' of {name!r} is not a valid JSON schema: {exc}"
        ) from None
