"""``Agent`` and ``Provider``: build agents, run them, list providers
(script-api.md#agent-and-provider; rs-llmspell's extras: api/agent_compat.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import weakref
from typing import TYPE_CHECKING, Any

from llmspell.agents import AGENT_KEYS, Agent, agent_spec
from llmspell.api.agent_compat import register_fields, split_compat
from llmspell.errors import ConfigurationError, LLMSpellError, ValidationError
from llmspell.lifecycle import fire
from llmspell.ops import BuilderSpec, GlobalSpec, ObjectType, Op, Param, ScriptFunction, method
from llmspell.provider_resolution import (
    build_provider,
    known_providers,
    list_providers,
    provider_entry,
    resolve_provider_config,
    split_model_spec,
)
from llmspell.tools import Tool, execute_tool

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


AGENT_OBJECT = ObjectType(
    "Agent",
    Agent,
    fields=lambda a: {"name": a.name, "model": a.model, "description": a.spec.description},
)
AGENT = GlobalSpec("Agent", object_types=[AGENT_OBJECT], doc="LLM agents.")
PROVIDER = GlobalSpec(
    "Provider",
    aliases={"isAvailable": "is_available", "getCapabilities": "get_capabilities"},
    doc="The configured LLM providers.",
)


async def _create(ctx: CallContext, table: dict[str, Any]) -> Agent:
    fields = dict(table.get("__fields", table) if isinstance(table, dict) else table)
    default_name = f"agent-{len(ctx.runtime.agents) + 1}"
    if ctx.runtime.hooks.has("BeforeAgentInit"):
        name = str(fields.get("name") or default_name)
        data = {"agent": name, "config": _public(fields)}
        outcome = await fire(ctx, "BeforeAgentInit", data, component_id=name)
        if outcome.action == "cancel":
            raise ValidationError(
                f"creating agent {name!r} was cancelled by {outcome.by()} at BeforeAgentInit"
            )
        if outcome.action == "modified" and isinstance(outcome.data.get("config"), dict):
            fields = {**fields, **outcome.data["config"]}
    fields, compat = split_compat(fields)
    spec = agent_spec(fields, default_name=default_name)
    spec = dataclasses.replace(
        spec,
        agent_type=compat.agent_type,
        resource_limits=compat.resource_limits,
        custom_config=compat.custom_config,
    )
    if spec.model:
        provider_name, model = split_model_spec(ctx.runtime, spec.model, spec.provider)
    else:  # provider("x") alone: the provider's default model
        provider_name, model = spec.provider or "", ""
    if spec.base_url:
        # a base_url the operator did not configure is checked by the network policy,
        # which resolves its host: off the loop thread
        config = await asyncio.to_thread(
            resolve_provider_config,
            ctx.runtime,
            provider_name,
            base_url=spec.base_url,
            api_key=spec.api_key,
        )
    else:
        config = resolve_provider_config(ctx.runtime, provider_name, api_key=spec.api_key)
    if not model:
        if not config.default_model:
            raise ConfigurationError(
                f"the agent has no model and provider {provider_name!r} has no default model",
                hint='set model("...") or default_model in [providers.NAME]',
            )
        model = config.default_model
    for tool in spec.tools:
        if not ctx.runtime.tools.exists(tool):
            ctx.runtime.tools.get(tool)  # raises NotFoundError with a did-you-mean
    # rs-llmspell's old tool names (file_operations) as today's: the names the model sees
    spec.tools = [ctx.runtime.tools.canonical(t) for t in spec.tools]
    # building the client imports the provider's SDK (up to ~1 s): off the loop thread
    provider = await asyncio.to_thread(build_provider, ctx.runtime, config)
    agent = Agent(ctx.runtime, spec, provider, provider_name, model)
    ctx.runtime.agents[agent.name] = agent
    await fire(
        ctx, "AfterAgentInit", {"agent": agent.name, "model": agent.model}, component_id=agent.name
    )
    return agent


def _public(fields: dict[str, Any]) -> dict[str, Any]:
    """Agent fields a hook may see: never the API key."""
    return {k: v for k, v in fields.items() if k not in ("api_key", "apiKey")}


_FIELDS = Param("fields", "object")
_CREATE = Op("agent.create", (_FIELDS,), _create, mode="async", display="Agent.create")
AGENT.functions["create"] = _CREATE
AGENT.builders["builder"] = BuilderSpec(
    setters={
        "name": "name",
        "description": "description",
        "model": "model",
        "provider": "provider",
        "system_prompt": "system_prompt",
        "temperature": "temperature",
        "max_tokens": "max_tokens",
        "base_url": "base_url",
        "api_key": "api_key",
        "tools": "tools",
        "allow_tools": "tools",
        "allowed_tools": "tools",
        "max_tool_calls": "max_tool_calls",
        "timeout": "timeout",
        "max_execution_time": "max_execution_time",
        "max_conversation_length": "max_conversation_length",
        "output_schema": "output_schema",
        "custom_config": "custom_config",
        "type": "type",
        "resource_limits": "resource_limits",
        "max_memory_mb": "max_memory_mb",
        "max_recursion_depth": "max_recursion_depth",
        "memory": "memory",
        "record_artifacts": "record_artifacts",
    },
    build=Op("agent.build", (_FIELDS,), _create, mode="async", display="Agent.builder():build"),
    appenders={"allow_tool": "tools"},
    presets={"memory_enabled": ("memory", True)},
)
_COMPAT_FIELDS = {"resource_limits", "max_memory_mb", "max_recursion_depth"}
assert set(AGENT.builders["builder"].setters.values()) <= set(AGENT_KEYS) | _COMPAT_FIELDS


@AGENT.function("list")
def list_(ctx: CallContext) -> list[dict[str, Any]]:
    """``{{name, model, description}}`` of the agents this runtime created."""
    return [a.info() for a in ctx.runtime.agents.values()]


@AGENT.function("register", _FIELDS, mode="async")
async def register(ctx: CallContext, table: dict[str, Any]) -> str:
    """Create an agent from rs-llmspell's register table (``{name, description, agent_type,
    model = {provider, model_id, temperature, max_tokens, settings}, allowed_tools,
    custom_config, resource_limits}``, or our ``Agent.create`` fields); returns its name."""
    agent = await _create(ctx, register_fields(table))
    return agent.name


#: what ``Agent.get_info("llm")`` / ``Agent.discover()`` say of the one agent type
LLM_TYPE: dict[str, Any] = {
    "type": "llm",
    "name": "llm",
    "description": "An agent backed by a language model, with tools and a conversation",
    "required_parameters": ["model"],
    "optional_parameters": [
        "name", "description", "provider", "system_prompt", "temperature", "max_tokens",
        "allowed_tools", "max_tool_calls", "timeout", "max_conversation_length",
        "output_schema", "custom_config", "resource_limits",
    ],
    "capabilities": ["text_generation", "conversation", "tool_use", "streaming"],
}  # fmt: skip


def _capabilities(agent: Agent) -> list[str]:
    caps = ["text_generation", "conversation", "streaming"]
    if agent.spec.tools:
        caps.append("tool_use")
    if agent.spec.output_schema is not None:
        caps.append("structured_output")
    return caps


def _details(agent: Agent) -> dict[str, Any]:
    return {
        **agent.info(),
        "type": agent.spec.agent_type,
        "provider": agent.provider_name,
        "allowed_tools": list(agent.spec.tools),
        "capabilities": _capabilities(agent),
    }


@AGENT.function("get_info", Param("name", "string"))
def get_info(ctx: CallContext, name: str) -> dict[str, Any] | None:
    """The agent called ``name`` (``{name, model, description, type, provider,
    allowed_tools, capabilities}``), the agent type ``"llm"`` described, or nil."""
    agent: Agent | None = ctx.runtime.agents.get(name)
    if agent is not None:
        return _details(agent)
    return dict(LLM_TYPE) if name == "llm" else None


@AGENT.function("discover")
def discover(ctx: CallContext) -> list[dict[str, Any]]:
    """The agent types: ``{{type = "llm", name, description, ...}}`` (there is one)."""
    return [dict(LLM_TYPE)]


@AGENT.function("list_capabilities")
def list_capabilities(ctx: CallContext) -> dict[str, Any]:
    """``{[agent name] = {name, type, capabilities}}`` of the agents this runtime created."""
    return {
        a.name: {"name": a.name, "type": a.spec.agent_type, "capabilities": _capabilities(a)}
        for a in ctx.runtime.agents.values()
    }


@AGENT.function("discover_by_capability", Param("capability", "string"))
def discover_by_capability(ctx: CallContext, capability: str) -> list[dict[str, Any]]:
    """The agents (``{name, model, description}``) that have ``capability``."""
    return [a.info() for a in ctx.runtime.agents.values() if capability in _capabilities(a)]


@AGENT.function(
    "wrap_as_tool", Param("agent"), Param("options", "object", optional=True), mode="sync"
)
def wrap_as_tool(ctx: CallContext, agent: Any, options: dict[str, Any] | None) -> str:
    """Register an agent (or the name of one) as a tool; ``options`` may give ``name``
    and ``description``. Returns the tool's name (like ``agent:as_tool``)."""
    if isinstance(agent, str):
        found = ctx.runtime.agents.get(agent)
        if found is None:
            raise ValidationError(f"Agent.wrap_as_tool: no agent is called {agent!r}")
        agent = found
    if not isinstance(agent, Agent):
        raise ValidationError("Agent.wrap_as_tool: argument 1 must be an agent or its name")
    opts = options or {}
    name, description = opts.get("name"), opts.get("description")
    if name is not None and not isinstance(name, str):
        raise ValidationError("Agent.wrap_as_tool: name must be a string")
    if description is not None and not isinstance(description, str):
        raise ValidationError("Agent.wrap_as_tool: description must be a string")
    tool_name: str = agent_as_tool(ctx, agent, name, description)
    return tool_name


@AGENT.function("get", Param("name", "string"))
def get(ctx: CallContext, name: str) -> Agent | None:
    """The agent called ``name``, or nil."""
    agent: Agent | None = ctx.runtime.agents.get(name)
    return agent


def _agent_of(value: Any) -> Agent:
    if isinstance(value, Agent):
        return value
    raise ValidationError("Agent.execute_all: each item needs agent = <an agent>")


@AGENT.function("execute_all", Param("items", "array"), mode="async")
async def execute_all(ctx: CallContext, items: list[Any]) -> list[dict[str, Any]]:
    """Run ``{{agent=, input=}, ...}`` concurrently; results in the same order."""
    jobs = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "input" not in item:
            raise ValidationError(f"Agent.execute_all: item {i} must be {{agent=, input=}}")
        jobs.append((_agent_of(item.get("agent")), item["input"]))
    try:
        # the first failure cancels the calls still running: none is left unobserved
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(agent.execute(ctx, text)) for agent, text in jobs]
    except* LLMSpellError as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]


class Metrics:
    """What ``agent:get_metrics()`` counts: calls made through the agent's methods."""

    def __init__(self) -> None:
        self.requests_total = 0
        self.requests_failed = 0
        self.tool_calls = 0
        self.total_tokens = 0
        self.total_ms = 0.0

    def as_dict(self, agent: Agent) -> dict[str, Any]:
        """The counters as rs-llmspell's ``get_metrics`` names them."""
        done = self.requests_total - self.requests_failed
        return {
            "agent_id": agent.name,
            "requests_total": self.requests_total,
            "requests_failed": self.requests_failed,
            "requests_succeeded": done,
            "tool_calls": self.tool_calls,
            "total_tokens": self.total_tokens,
            "average_response_time_ms": round(self.total_ms / done, 3) if done else 0.0,
        }


_METRICS: weakref.WeakKeyDictionary[Agent, Metrics] = weakref.WeakKeyDictionary()


def _metrics(agent: Agent) -> Metrics:
    found = _METRICS.get(agent)
    if found is None:
        found = _METRICS[agent] = Metrics()
    return found


async def _counted(agent: Agent, call: Any) -> Any:
    """Await ``call`` (an agent call), counting it in the agent's metrics."""
    metrics = _metrics(agent)
    metrics.requests_total += 1
    started = time.perf_counter()
    try:
        result = await call
    except BaseException:
        metrics.requests_failed += 1
        raise
    metrics.total_ms += (time.perf_counter() - started) * 1000
    if isinstance(result, dict):
        metrics.tool_calls += len(result.get("tool_calls") or [])
        usage = result.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("total_tokens"), int):
            metrics.total_tokens += usage["total_tokens"]
    return result


async def _execute(ctx: CallContext, agent: Agent, input: Any) -> dict[str, Any]:
    result: dict[str, Any] = await _counted(agent, agent.execute(ctx, input))
    return result


for _name in ("execute", "invoke"):
    AGENT_OBJECT.methods[_name] = Op(
        f"agent.{_name}",
        (Param("self", "handle", of=Agent, of_name="Agent"), Param("input")),
        _execute,
        mode="async",
        doc="Answer ``input``; the agent keeps the conversation.",
        display=f"Agent:{_name}",
    )


@method(AGENT_OBJECT, "get_config")
def agent_get_config(ctx: CallContext, agent: Agent) -> dict[str, Any]:
    """The agent's configuration as built (never its API key)."""
    spec = agent.spec
    limits = {
        "max_execution_time_secs": spec.timeout_seconds,
        "max_tool_calls": spec.max_tool_calls,
        "max_memory_mb": spec.resource_limits.get("max_memory_mb"),
        "max_recursion_depth": spec.resource_limits.get("max_recursion_depth"),
    }
    config = {
        "name": spec.name,
        "description": spec.description,
        "type": spec.agent_type,
        "model": agent.model,
        "provider": agent.provider_name,
        "model_id": agent.model_id,
        "system_prompt": spec.system_prompt,
        "temperature": spec.temperature,
        "max_tokens": spec.max_tokens,
        "base_url": spec.base_url,
        "allowed_tools": list(spec.tools),
        "max_conversation_length": spec.max_conversation_length,
        "output_schema": spec.output_schema,
        "resource_limits": {k: v for k, v in limits.items() if v is not None},
        "custom_config": dict(spec.custom_config),
    }
    return {k: v for k, v in config.items() if v is not None}


@method(AGENT_OBJECT, "get_metrics")
def agent_get_metrics(ctx: CallContext, agent: Agent) -> dict[str, Any]:
    """``{agent_id, requests_total, requests_failed, requests_succeeded, tool_calls,
    total_tokens, average_response_time_ms}`` of the calls made through the agent."""
    return _metrics(agent).as_dict(agent)


@method(AGENT_OBJECT, "get_state")
def agent_get_state(ctx: CallContext, agent: Agent) -> str:
    """``"ready"`` (an agent has no other lifecycle state here; rs-llmspell returns a
    debug string)."""
    return "ready"


@method(AGENT_OBJECT, "has_tool", Param("name", "string"))
def agent_has_tool(ctx: CallContext, agent: Agent, name: str) -> bool:
    """True when the agent may call tool ``name``."""
    return name in agent.spec.tools


@method(AGENT_OBJECT, "discover_tools")
def agent_discover_tools(ctx: CallContext, agent: Agent) -> list[str]:
    """The names of the tools the agent may call."""
    return list(agent.spec.tools)


def _allowed_tool(ctx: CallContext, agent: Agent, name: str, what: str) -> Tool:
    if name not in agent.spec.tools:
        allowed = ", ".join(agent.spec.tools) or "none"
        raise ValidationError(
            f"{what}: agent {agent.name!r} may not call tool {name!r} (its tools: {allowed})",
            hint="add it with allow_tool(name) / allowed_tools, or call Tool.execute",
        )
    tool: Tool = ctx.runtime.tools.get(name)
    return tool


def _tool_metadata(tool: Tool) -> dict[str, Any]:
    return {
        "name": tool.name,
        "description": tool.description,
        "category": tool.category,
        "version": tool.version,
        "parameters": tool.parameters,
    }


@method(
    AGENT_OBJECT, "invoke_tool", Param("name", "string"), Param("params", "object", optional=True),
    mode="async",
)  # fmt: skip
async def agent_invoke_tool(
    ctx: CallContext, agent: Agent, name: str, params: dict[str, Any] | None
) -> dict[str, Any]:
    """Run one of the agent's tools directly (as ``Tool.execute``); a ToolResult."""
    tool = _allowed_tool(ctx, agent, name, "Agent:invoke_tool")
    result: dict[str, Any] = await execute_tool(tool, params or {}, ctx)
    return result


@method(AGENT_OBJECT, "get_tool_metadata", Param("name", "string"))
def agent_get_tool_metadata(ctx: CallContext, agent: Agent, name: str) -> dict[str, Any] | None:
    """``{name, description, category, version, parameters}`` of one of the agent's tools,
    or nil when the agent does not have it."""
    if name not in agent.spec.tools:
        return None
    return _tool_metadata(ctx.runtime.tools.get(name))


@method(AGENT_OBJECT, "get_all_tool_metadata")
def agent_get_all_tool_metadata(ctx: CallContext, agent: Agent) -> dict[str, Any]:
    """``{[tool name] = metadata}`` of every tool the agent may call."""
    return {name: _tool_metadata(ctx.runtime.tools.get(name)) for name in agent.spec.tools}


AGENT_OBJECT.methods["invokeTool"] = AGENT_OBJECT.methods["invoke_tool"]


class AgentStream:
    """``agent:stream(input)`` without a callback: the agent runs in the background and
    its chunks are read one by one (``for chunk in ...`` / ``for await``)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.result: dict[str, Any] | None = None
        self.error: LLMSpellError | None = None
        self.done = False

    async def put(self, chunk: dict[str, Any]) -> None:
        """Called by the agent for every chunk."""
        await self.queue.put(chunk)


STREAM_OBJECT = ObjectType("AgentStream", AgentStream, iterator="next")
AGENT.object_types.append(STREAM_OBJECT)


async def _stream(
    ctx: CallContext,
    agent: Agent,
    input: Any,
    fn: ScriptFunction | None,
) -> Any:
    if fn is not None:
        return await _counted(agent, agent.execute(ctx, input, on_chunk=fn))
    stream = AgentStream()

    async def run() -> None:
        try:
            stream.result = await agent.execute(ctx, input, on_chunk=stream.put)
        except LLMSpellError as exc:
            stream.error = exc
        finally:
            await stream.queue.put(None)

    task = asyncio.ensure_future(run())
    ctx.cleanups.append(task.cancel)
    return stream


@method(STREAM_OBJECT, "next", mode="async")
async def stream_next(ctx: CallContext, stream: AgentStream) -> dict[str, Any] | None:
    """The next chunk ``{text, index}``, or nil when the answer is complete (an error the
    agent hit is raised here)."""
    if stream.done:
        return None
    chunk = await stream.queue.get()
    if chunk is None:
        stream.done = True
        if stream.error is not None:
            raise stream.error
    return chunk


@method(STREAM_OBJECT, "result")
def stream_result(ctx: CallContext, stream: AgentStream) -> dict[str, Any]:
    """The full result (as ``execute`` returns it) once every chunk has been read."""
    if not stream.done or stream.result is None:
        raise ValidationError("the stream is not finished: read every chunk first")
    return stream.result


_STREAM_PARAMS = (Param("input"), Param("fn", "function", optional=True))
for _name in ("stream", "invoke_stream", "invokeStream"):
    AGENT_OBJECT.methods[_name] = Op(
        f"agent.{_name}",
        (Param("self", "handle"), *_STREAM_PARAMS),
        _stream,
        mode="async",
        display=f"Agent:{_name}",
    )


@method(AGENT_OBJECT, "reset")
def agent_reset(ctx: CallContext, agent: Agent) -> bool:
    """Forget the conversation."""
    agent.reset()
    return True


@method(
    AGENT_OBJECT,
    "as_tool",
    Param("tool_name", "string", optional=True),
    Param("description", "string", optional=True),
)
def agent_as_tool(
    ctx: CallContext, agent: Agent, tool_name: str | None, description: str | None
) -> str:
    """Register this agent as a tool; returns the tool's name."""
    tool = agent.as_tool(ctx, tool_name, description)
    existing = ctx.runtime.tools.find(tool.name)
    if existing is not None and existing.source != "script":
        raise ValidationError(f"a built-in tool is already called {tool.name!r}")
    ctx.runtime.tools.register(tool, replace=True)
    ctx.cleanups.append(lambda: ctx.runtime.tools.unregister(tool.name))
    return tool.name


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    """A listing row as a spell sees it (rs-llmspell's ``capabilities`` keys included)."""
    caps = dict(row.get("capabilities") or {})
    caps.setdefault("supports_streaming", True)
    caps.setdefault("supports_multimodal", False)
    caps.setdefault("max_context_tokens", None)
    if row.get("default_model") and "available_models" not in caps:
        caps["available_models"] = [row["default_model"]]
    return {**row, "capabilities": {k: v for k, v in caps.items() if v is not None}}


@PROVIDER.function("list", Param("options", "object", optional=True))
def provider_list(ctx: CallContext, options: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The providers usable now (configured or with their key set): ``{name, enabled,
    available, provider_type, base_url, default_model, local, source, key_env,
    key_found, capabilities}``; ``{all = true}``: every preset and configured provider."""
    opts = options or {}
    unknown = set(opts) - {"all"}
    if unknown:
        raise ValidationError(
            f"Provider.list: unknown option(s) {', '.join(sorted(map(str, unknown)))} (known: all)"
        )
    every = opts.get("all", False)
    if not isinstance(every, bool):
        raise ValidationError("Provider.list: option 'all' must be a boolean")
    return [_entry(row) for row in list_providers(ctx.runtime, all=every)]


@PROVIDER.function("get", Param("name", "string"))
def provider_get(ctx: CallContext, name: str) -> dict[str, Any] | None:
    """One provider's details (a :func:`provider_list` row, usable or not), or nil."""
    if name not in known_providers(ctx.runtime):
        return None
    return _entry(provider_entry(ctx.runtime, name))


@PROVIDER.function("get_capabilities", Param("name", "string"))
def provider_get_capabilities(ctx: CallContext, name: str) -> dict[str, Any] | None:
    """The capabilities of a provider's default model, or nil for an unknown name."""
    row = provider_get(ctx, name)
    return None if row is None else dict(row["capabilities"])


@PROVIDER.function("is_available", Param("name", "string"))
def provider_is_available(ctx: CallContext, name: str) -> bool:
    """True when the provider is known, enabled and has its API key (if it needs one)."""
    try:
        resolve_provider_config(ctx.runtime, name)
    except LLMSpellError:
        return False
    return True
