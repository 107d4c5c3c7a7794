"""What ``llmspell mcp serve`` offers: built-in (and plugin) tools, the tools the spells
of ``--spells DIR`` register, spells with a declared input schema, and ``[agents.NAME]``
agents. Every call goes through the runtime exactly as a spell's call would: the tool
policy ([security]: paths, network, processes), parameter validation, timeouts, hooks.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError, NotFoundError

if TYPE_CHECKING:
    from llmspell.runtime import RunSession, Runtime

__all__ = ["Catalog", "ServedTool", "build_catalog"]

#: a spell's declaration beside it: ``NAME.lua`` + ``NAME.mcp.json``
SIDECAR = ".mcp.json"
_SPELL_EXTS = (".lua", ".js", ".mjs")
_SIDECAR_KEYS = ("name", "description", "input_schema", "output_schema", "timeout_seconds")


@dataclass
class ServedTool:
    """One MCP tool: its schema and the coroutine answering a call with a ToolResult
    dict (``success``, ``result``, ``text``, ``error``, ``error_kind``)."""

    name: str
    description: str
    input_schema: dict[str, Any]
    call: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
    output_schema: dict[str, Any] | None = None
    kind: str = "tool"


@dataclass
class Catalog:
    """The served tools by name, and the long-lived runs hosting spell-registered tools."""

    tools: dict[str, ServedTool] = field(default_factory=dict)
    hosts: list[RunSession] = field(default_factory=list)

    def add(self, tool: ServedTool) -> None:
        """Add ``tool``; a second tool of the same name is a ConfigurationError."""
        if tool.name in self.tools:
            raise ConfigurationError(
                f"llmspell mcp serve: two tools are called {tool.name!r} "
                f"(a {self.tools[tool.name].kind} and a {tool.kind})",
                hint="rename the spell, the agent or the registered tool",
            )
        self.tools[tool.name] = tool

    def close(self) -> None:
        """End the runs hosting spell-registered tools (their cleanups run)."""
        for session in self.hosts:
            try:
                session.engine.close()
            finally:
                for cleanup in reversed(session.cleanups):
                    cleanup()
        self.hosts.clear()


def _registry_tool(runtime: Runtime, name: str, kind: str) -> ServedTool:
    from llmspell.tools import execute_tool

    tool = runtime.tools.get(name)

    async def call(args: dict[str, Any]) -> dict[str, Any]:
        return await execute_tool(tool, args, runtime.tool_context())

    return ServedTool(tool.name, tool.description, tool.parameters, call, kind=kind)


def _agent_tool(runtime: Runtime, name: str, table: dict[str, Any]) -> ServedTool:
    """``[agents.NAME]`` as a tool taking ``{prompt}``: each call builds the agent in a
    run (the run's limits and the policy apply) and returns the agent's text."""
    from llmspell.agents import agent_spec

    if not isinstance(table, dict):
        raise ConfigurationError(f"[agents.{name}] must be a table")
    agent_spec(dict(table), default_name=name)  # a bad table fails at start, naming it
    config = json.dumps({**table, "name": table.get("name", name)})
    description = str(
        table.get("description") or f"Ask the agent {name!r} (a prompt in, text out)."
    )

    async def call(args: dict[str, Any]) -> dict[str, Any]:
        prompt = args.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            from llmspell.errors import ValidationError

            raise ValidationError(f"agent {name!r}: 'prompt' must be a non-empty string")
        result = await runtime.run(
            _AGENT_SPELL, chunk_name=f"<agent {name}>.lua", engine="lua",
            argv=[f"--config={config}", f"--prompt={prompt}"],
        )  # fmt: skip
        text = str(result.value or "")
        return {"success": True, "result": text, "text": text}

    schema = {
        "type": "object",
        "properties": {"prompt": {"type": "string", "description": "What to ask the agent."}},
        "required": ["prompt"],
    }
    return ServedTool(name, description, schema, call, kind="agent")


_AGENT_SPELL = """
local agent = Agent.create(JSON.parse(ARGS.config))
return agent:execute(ARGS.prompt).text or ""
"""


def _sidecar(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{path}: not a readable JSON file: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: must be a JSON object")
    unknown = sorted(set(data) - set(_SIDECAR_KEYS))
    if unknown:
        raise ConfigurationError(
            f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(_SIDECAR_KEYS)})"
        )
    schema = data.get("input_schema")
    if not isinstance(schema, dict) or schema.get("type", "object") != "object":
        raise ConfigurationError(f"{path}: 'input_schema' must be a JSON schema of an object")
    from llmspell.schema import SchemaProblem, check_schema

    for key in ("input_schema", "output_schema"):
        if data.get(key) is None:
            continue
        try:
            check_schema(data[key])
        except SchemaProblem as exc:
            raise ConfigurationError(f"{path}: {key!r} is not a valid JSON schema: {exc}") from None
    return data


def _arg(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _spell_tool(runtime: Runtime, spell: Path, decl: dict[str, Any]) -> ServedTool:
    """A spell with a declared input schema as a tool: each call runs the spell with
    the arguments as ``ARGS`` (strings as given, other values as JSON text); what it
    returns is the result."""
    from llmspell.schema import first_error

    name = str(decl.get("name") or spell.stem)
    schema = dict(decl["input_schema"])
    schema.setdefault("type", "object")
    output_schema = decl.get("output_schema")
    timeout = decl.get("timeout_seconds")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
    ):
        raise ConfigurationError(
            f"{spell.with_name(spell.stem + SIDECAR)}: 'timeout_seconds' must be a positive number"
        )

    async def call(args: dict[str, Any]) -> dict[str, Any]:
        from llmspell.errors import ValidationError
        from llmspell.runtime import Limits

        problem = first_error(schema, args)
        if problem is not None:
            raise ValidationError(f"spell tool {name!r}: parameter '{problem[0]}': {problem[1]}")
        limits = Limits.from_settings(runtime.settings)
        if timeout is not None:
            limits.timeout_seconds = float(timeout)
        result = await runtime.run(
            path=spell, argv=[f"--{k}={_arg(v)}" for k, v in args.items()], limits=limits
        )
        value = result.value
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return {"success": True, "result": value, "text": text}

    description = str(decl.get("description") or f"The spell {spell.name}.")
    return ServedTool(name, description, schema, call, output_schema, kind="spell")


async def _host_spell(runtime: Runtime, spell: Path) -> RunSession:
    """Run a spell that registers tools and keep its run open, so the tools it
    registered (bound to its engine) stay callable while the server runs."""
    from llmspell.runtime import Limits, RunSession

    engine_cls = runtime.select_engine(spell, None)
    limits = Limits.from_settings(runtime.settings)
    limits.timeout_seconds = None  # a served tool's calls have their own timeouts
    session = RunSession(
        runtime, engine_cls=engine_cls, chunk_name=spell.name, script_path=spell,
        argv=[], limits=limits, output=runtime.output,
    )  # fmt: skip
    source = spell.read_text(encoding="utf-8-sig")
    try:
        await session.engine.run(source, spell.name)
    except BaseException:
        session.engine.close()
        for cleanup in reversed(session.cleanups):
            cleanup()
        raise
    return session


async def build_catalog(
    runtime: Runtime,
    *,
    spells: Path | None = None,
    only: list[str] | None = None,
    builtin: bool = True,
) -> Catalog:
    """Everything to serve. ``only`` keeps just the named tools (an unknown name is an
    error); ``builtin=False`` leaves the built-in and plugin tools out."""
    catalog = Catalog()
    # start the runtime (plugins' startup hooks) with an empty run
    await runtime.run("return nil", chunk_name="<mcp serve>.lua", engine="lua")
    before = {t.name for t in runtime.tools.all()}
    if spells is not None:
        if not spells.is_dir():
            raise NotFoundError(f"--spells {str(spells)!r} is not a directory")
        for path in sorted(spells.iterdir()):
            if path.suffix not in _SPELL_EXTS or not path.is_file():
                continue
            decl_path = path.with_name(path.stem + SIDECAR)
            if decl_path.exists():
                catalog.add(_spell_tool(runtime, path, _sidecar(decl_path)))
            else:
                catalog.hosts.append(await _host_spell(runtime, path))
    for tool in runtime.tools.all():
        if tool.source.startswith("mcp:"):
            continue  # an MCP server's tools are its own to serve
        if tool.name not in before:
            catalog.add(_registry_tool(runtime, tool.name, "spell-registered tool"))
        elif builtin:
            catalog.add(_registry_tool(runtime, tool.name, "tool"))
    for name, table in sorted(runtime.settings.agents.items()):
        catalog.add(_agent_tool(runtime, name, table))
    if only:
        missing = [n for n in only if n not in catalog.tools]
        if missing:
            import difflib

            close = difflib.get_close_matches(missing[0], list(catalog.tools), n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            raise NotFoundError(f"--tool {missing[0]!r}: no such tool to serve{tip}")
        catalog.tools = {n: catalog.tools[n] for n in only}
    return catalog
