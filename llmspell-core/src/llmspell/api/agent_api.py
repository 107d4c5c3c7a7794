"""``Agent`` and ``Provider``: build agents, run them, list providers (script-api.md#agent-and-provider)."""

from __future__ import annotations

import asyncio
from typing import Any

from llmspell.agents import AGENT_KEYS, Agent, agent_spec
from llmspell.errors import ConfigurationError, LLMSpellError, ValidationError
from llmspell.lifecycle import fire
from llmspell.ops import BuilderSpec, GlobalSpec, ObjectType, Op, Param, ScriptFunction, method
from llmspell.provider_resolution import (
    build_provider,
    known_providers,
    resolve_provider_config,
    split_model_spec,
)
from llmspell.runtime import CallContext

AGENT_OBJECT = ObjectType(
    "Agent",
    Agent,
    fields=lambda a: {"name": a.name, "model": a.model, "description": a.spec.description},
)
AGENT = GlobalSpec("Agent", object_types=[AGENT_OBJECT], doc="LLM agents.")
PROVIDER = GlobalSpec(
    "Provider", aliases={"isAvailable": "is_available"}, doc="The configured LLM providers."
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
    spec = agent_spec(fields, default_name=default_name)
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
    },
    build=Op("agent.build", (_FIELDS,), _create, mode="async", display="Agent.builder():build"),
)
assert set(AGENT.builders["builder"].setters.values()) <= set(AGENT_KEYS)


@AGENT.function("list")
def list_(ctx: CallContext) -> list[dict[str, Any]]:
    """``{{name, model, description}}`` of the agents this runtime created."""
    return [a.info() for a in ctx.runtime.agents.values()]


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


@method(AGENT_OBJECT, "execute", Param("input"), mode="async")
async def agent_execute(ctx: CallContext, agent: Agent, input: Any) -> dict[str, Any]:
    """Answer ``input``; the agent keeps the conversation."""
    return await agent.execute(ctx, input)


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
        return await agent.execute(ctx, input, on_chunk=fn)
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


def _provider_info(ctx: CallContext, name: str) -> dict[str, Any]:
    info: dict[str, Any] = {"name": name, "enabled": True, "available": False}
    try:
        config = resolve_provider_config(ctx.runtime, name)
    except ConfigurationError as exc:
        info["enabled"] = "disabled" not in exc.message
        info["reason"] = exc.message
        config = None
    else:
        info["available"] = True
    details = ctx.runtime.providers.get(name).info if name in ctx.runtime.providers.names() else {}
    info["provider_type"] = (
        config.provider_type if config else details.get("provider_type")
    ) or "openai"
    info["base_url"] = config.base_url if config else details.get("base_url")
    info["default_model"] = config.default_model if config else details.get("default_model")
    caps = details.get("capabilities")
    info["capabilities"] = caps(info["default_model"]) if callable(caps) else (caps or {})
    return info


@PROVIDER.function("list")
def provider_list(ctx: CallContext) -> list[dict[str, Any]]:
    """Every known provider: name, enabled, available (its key is set), capabilities."""
    return [_provider_info(ctx, name) for name in known_providers(ctx.runtime)]


@PROVIDER.function("get", Param("name", "string"))
def provider_get(ctx: CallContext, name: str) -> dict[str, Any] | None:
    """One provider's details, or nil."""
    if name not in known_providers(ctx.runtime):
        return None
    return _provider_info(ctx, name)


@PROVIDER.function("is_available", Param("name", "string"))
def provider_is_available(ctx: CallContext, name: str) -> bool:
    """True when the provider is known, enabled and has its API key (if it needs one)."""
    try:
        resolve_provider_config(ctx.runtime, name)
    except LLMSpellError:
        return False
    return True
