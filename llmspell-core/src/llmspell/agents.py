"""Agents: a model, a system prompt, allowed tools and a conversation
(script-api.md#agent-and-provider).

:meth:`Agent.execute` runs the tool-call loop itself: the model asks for tools, the
tools run (built-in, script-registered, or other agents registered as tools), their
results go back, until the model answers or ``max_tool_calls`` is spent. With an
``output_schema`` the answer is parsed and validated, with one repair attempt.
"""

from __future__ import annotations

import asyncio
import base64
import builtins
import json
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from llmspell.errors import (
    ConfigurationError,
    LLMSpellError,
    TimeoutError,
    ValidationError,
)
from llmspell.hooks import Points, around, cancelled
from llmspell.lifecycle import correlation_of, fire, hooks_of, publish, report_of
from llmspell.progress import AgentCall, agent_call, current_call, tool_call
from llmspell.schema import SchemaProblem, check_schema, first_error
from llmspell.tools import Tool, execute_tool

if TYPE_CHECKING:
    from llmspell.llm import (
        ChatProvider,
        ChatRequest,
        ChatResponse,
        ImagePart,
        Message,
        ToolSpec,
        Usage,
    )

__all__ = ["AGENT_KEYS", "Agent", "AgentSpec", "agent_spec"]


def _llm() -> ModuleType:
    """The provider interface, imported with the first agent (a spell without agents
    does not pay for its dataclasses)."""
    import llmspell.llm

    return llmspell.llm


@dataclass
class AgentSpec:
    """What an agent is made of (``Agent.create`` table / builder fields)."""

    name: str
    model: str
    provider: str | None = None
    description: str = ""
    system_prompt: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    tools: list[str] = field(default_factory=list)
    max_tool_calls: int = 8
    timeout_seconds: float | None = None
    max_conversation_length: int = 100
    output_schema: dict[str, Any] | None = None
    #: rs-llmspell's fields, recorded for ``agent:get_config()`` (api/agent_compat.py)
    agent_type: str = "llm"
    resource_limits: dict[str, Any] = field(default_factory=dict)
    custom_config: dict[str, Any] = field(default_factory=dict)
    #: ``{session_id?, max_tokens?, strategy?}`` when the agent has memory
    #: (llmspell.agent_memory), None without
    memory: dict[str, Any] | None = None
    #: store answers and tool results as artifacts of the current session
    #: (llmspell.sessions.recording)
    record_artifacts: bool = False


#: accepted keys of ``Agent.create`` (and builder fields), with their aliases
AGENT_KEYS: dict[str, str] = {
    "name": "name", "model": "model", "provider": "provider", "description": "description",
    "system_prompt": "system_prompt", "systemPrompt": "system_prompt",
    "temperature": "temperature", "max_tokens": "max_tokens", "maxTokens": "max_tokens",
    "base_url": "base_url", "baseUrl": "base_url", "api_key": "api_key", "apiKey": "api_key",
    "tools": "tools", "allow_tools": "tools", "allowTools": "tools",
    "allowed_tools": "tools", "allowedTools": "tools",
    "max_tool_calls": "max_tool_calls", "maxToolCalls": "max_tool_calls",
    "timeout": "timeout_seconds", "timeout_seconds": "timeout_seconds",
    "max_execution_time": "timeout_seconds", "maxExecutionTime": "timeout_seconds",
    "max_conversation_length": "max_conversation_length",
    "maxConversationLength": "max_conversation_length",
    "output_schema": "output_schema", "outputSchema": "output_schema",
    "custom_config": "custom_config", "customConfig": "custom_config", "type": "type",
    "memory": "memory", "memory_enabled": "memory", "memoryEnabled": "memory",
    "record_artifacts": "record_artifacts", "recordArtifacts": "record_artifacts",
}  # fmt: skip

_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,), "model": (str,), "provider": (str,), "description": (str,),
    "system_prompt": (str,), "temperature": (int, float), "max_tokens": (int,),
    "base_url": (str,), "api_key": (str,), "tools": (list,), "max_tool_calls": (int,),
    "timeout_seconds": (int, float), "max_conversation_length": (int,),
    "output_schema": (dict,),
}  # fmt: skip


def agent_spec(table: dict[str, Any], default_name: str) -> AgentSpec:
    """An :class:`AgentSpec` from a script table; ValidationError names a bad key."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        target = AGENT_KEYS.get(key)
        if target is None:
            import difflib  # only for a did-you-mean

            close = difflib.get_close_matches(key, list(AGENT_KEYS), n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            raise ValidationError(f"Agent: unknown field {key!r}{tip}")
        if value is None:
            continue
        if target == "type":
            if value != "llm":
                raise ValidationError(f"Agent: type {value!r} is not supported (only 'llm')")
            continue
        if target == "custom_config":
            if not isinstance(value, dict):
                raise ValidationError("Agent: custom_config must be a table/object")
            for inner in ("system_prompt", "max_conversation_length"):
                if inner in value:
                    values[inner] = value[inner]
            continue
        if target == "memory":
            from llmspell.agent_memory import memory_config

            values["memory"] = memory_config(value)
            continue
        if target == "record_artifacts":
            if not isinstance(value, bool):
                raise ValidationError("Agent: record_artifacts must be a boolean")
            values[target] = value
            continue
        if target == "tools" and value == {}:
            value = []
        if isinstance(value, bool) or not isinstance(value, _TYPES[target]):
            raise ValidationError(
                f"Agent: field {key!r} has the wrong type ({type(value).__name__})"
            )
        values[target] = value
    if "model" not in values and "provider" not in values:
        raise ConfigurationError(
            "the agent has no model",
            hint='set model = "provider/model" (e.g. "openai/gpt-4o-mini")',
        )
    values.setdefault("model", "")  # provider alone: its default model (resolved later)
    values.setdefault("name", default_name)
    if not all(isinstance(t, str) for t in values.get("tools", [])):
        raise ValidationError("Agent: tools must be a list of tool names")
    if values.get("output_schema") is not None:
        try:
            check_schema(values["output_schema"])
        except SchemaProblem as exc:
            raise ValidationError(
                f"Agent: output_schema is not a valid JSON schema: {exc}"
            ) from None
    for key in ("max_tool_calls", "max_conversation_length", "max_tokens"):
        if key in values and values[key] < (0 if key == "max_tool_calls" else 1):
            raise ValidationError(f"Agent: {key} must be positive")
    return AgentSpec(**values)


ChunkSink = Callable[[dict[str, Any]], Any]

AGENT_POINTS = Points("BeforeAgentExecution", "AfterAgentExecution", "AgentError", "ProviderError")


def _hook_result(agent: Agent, text: str = "", *, skipped: bool) -> dict[str, Any]:
    """The result of a call a hook skipped (no text) or answered itself (``replace`` with
    a bare value): no model ran, so no usage."""
    return {
        "text": text,
        "skipped" if skipped else "replaced_by_hook": True,
        "tool_calls": [],
        "usage": {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0},
        "model": agent.model_id,
        "finish_reason": None,
        "metadata": {"model": agent.model, "token_count": 0, "execution_time_ms": 0.0},
    }


class Agent:
    """An LLM agent bound to one provider client; keeps its conversation."""

    def __init__(
        self, runtime: Any, spec: AgentSpec, provider: ChatProvider, provider_name: str, model: str
    ) -> None:
        self.runtime = runtime
        self.spec = spec
        self.provider = provider
        self.provider_name = provider_name
        self.model_id = model
        self.history: list[Message] = []

    @property
    def name(self) -> str:
        """The agent's name."""
        return self.spec.name

    @property
    def model(self) -> str:
        """``provider/model``."""
        return f"{self.provider_name}/{self.model_id}"

    def info(self) -> dict[str, Any]:
        """``{name, model, description}`` (``Agent.list()``)."""
        return {"name": self.name, "model": self.model, "description": self.spec.description}

    def reset(self) -> None:
        """Forget the conversation."""
        self.history = []

    # -- running ---------------------------------------------------------------------

    async def execute(
        self, ctx: Any, input: Any, on_chunk: ChunkSink | None = None
    ) -> dict[str, Any]:
        """Answer ``input`` (a string or ``{text, media, parameters}``); see the module doc.

        In a runtime, the agent hook points fire around the call and ``agent.started`` /
        ``agent.completed`` / ``agent.failed`` events are published.
        """
        with agent_call(ctx, self.name, self.model, input) as call:
            return await self._execute_observed(ctx, input, on_chunk, call.call_id)

    async def _execute_observed(
        self, ctx: Any, input: Any, on_chunk: ChunkSink | None, call_id: int
    ) -> dict[str, Any]:
        hooks = hooks_of(ctx)
        if hooks is None:
            return await self._execute_timed(ctx, input, on_chunk)
        cid = correlation_of(ctx)
        ident = {"agent": self.name, "model": self.model, "call_id": call_id}
        publish(ctx, "agent.started", ident, cid)
        started = time.perf_counter()
        try:
            result: Any = await around(
                hooks,
                AGENT_POINTS,
                {"agent": self.name, "input": input},
                lambda data: self._execute_timed(ctx, data.get("input"), on_chunk),
                component_id=f"agent {self.name!r}",
                skipped=lambda data: _hook_result(self, skipped=True),
                correlation_id=cid,
                report=report_of(ctx),
            )
        except LLMSpellError as exc:
            info = {**ident, "error": exc.message, "error_kind": exc.kind}
            publish(ctx, "agent.failed", info, cid)
            raise
        if not isinstance(result, dict):  # a hook replaced it with a bare value
            result = _hook_result(self, str(result), skipped=False)
        elapsed = round((time.perf_counter() - started) * 1000, 3)
        done: dict[str, Any] = {**ident, "duration_ms": elapsed}
        done["response_model"] = result.get("model")
        done["finish_reason"] = result.get("finish_reason")
        done["cost_usd"] = (result.get("metadata") or {}).get("cost_usd")
        call = current_call()
        if call is not None:
            call.notes["result"] = result
        publish(ctx, "agent.completed", {**done, "usage": result.get("usage")}, cid)
        final: dict[str, Any] = result
        return final

    async def _execute_timed(
        self, ctx: Any, input: Any, on_chunk: ChunkSink | None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.spec.timeout_seconds):
                return await self._execute(ctx, input, on_chunk, started)
        except TimeoutError:
            raise
        except builtins.TimeoutError:
            raise TimeoutError(
                f"agent {self.name!r} did not finish within {self.spec.timeout_seconds:g} s",
                hint="raise it with timeout(seconds) / max_execution_time",
            ) from None

    async def _execute(
        self, ctx: Any, input: Any, on_chunk: ChunkSink | None, started: float
    ) -> dict[str, Any]:
        usage = _llm().Usage()
        seen: dict[str, str] = {}
        call = current_call() or AgentCall(0, self.name, self.model, ctx)
        try:
            return await self._converse(ctx, input, on_chunk, started, usage, seen, call)
        finally:
            # tokens spent count even when the call fails later (a tool round, a
            # timeout): the run's usage is what the provider will bill
            if seen:
                model = seen.get("model") or self.model_id
                self._account(ctx, usage, self.provider.cost_usd(model, usage))

    async def _converse(
        self,
        ctx: Any,
        input: Any,
        on_chunk: ChunkSink | None,
        started: float,
        usage: Usage,
        seen: dict[str, str],
        this: AgentCall,
    ) -> dict[str, Any]:
        user = self._user_message(ctx, input)
        system = self.spec.system_prompt
        if self.spec.memory is not None:
            from llmspell.agent_memory import recall

            recalled = await recall(self, user.content)
            if recalled:
                system = f"{system}\n\n{recalled}" if system else recalled
        # what is sent holds at most max_conversation_length messages, the new one included
        prefix = self._trim(self.history, self.spec.max_conversation_length - 1)
        messages = [*prefix, user]
        tools = self._tool_specs()
        calls: list[dict[str, Any]] = []
        response = _llm().ChatResponse(text="")
        for step in range(self.spec.max_tool_calls + 1):
            offer = tools if step < self.spec.max_tool_calls else []
            observer = getattr(ctx, "stream_observer", None)
            request = self._request(messages, offer, system)
            response = await self._call(request, on_chunk, observer, ctx, this)
            usage.add(response.usage)
            seen["model"] = response.model or self.model_id
            if not (response.tool_calls and offer):
                break
            round_info = {
                "agent": self.name,
                "call_id": this.call_id,
                "round": step + 1,
                "tools": [c.name for c in response.tool_calls],
                "usage": usage.as_dict(),
            }
            publish(ctx, "agent.tool_round", round_info, correlation_of(ctx))
            asked = _llm().Message("assistant", response.text, tool_calls=response.tool_calls)
            messages.append(asked)
            for call in response.tool_calls:
                if call.error is not None:
                    outcome = {"success": False, "error": call.error}
                else:
                    with tool_call(call.id, call.arguments):
                        outcome = await self._run_tool(ctx, call.name, call.arguments)
                calls.append({"name": call.name, "arguments": call.arguments, "result": outcome})
                answer = json.dumps(outcome, default=str)
                reply = _llm().Message("tool", answer, tool_call_id=call.id, name=call.name)
                messages.append(reply)
        data = None
        if self.spec.output_schema is not None:
            data, response = await self._structured(messages, response, usage)
        messages.append(_llm().Message("assistant", response.text))
        if self.spec.memory is not None:
            from llmspell.agent_memory import remember

            await remember(self, user.content, response.text)
        if self.spec.record_artifacts:
            from llmspell.sessions.recording import record_agent_call

            await record_agent_call(
                ctx, self.name, self.model, user.content, response.text, calls
            )
        # append this turn to the history as it is *now*: calls of one agent that ran
        # concurrently (parallel steps, execute_all) each keep their turn
        added = messages[len(prefix) :]
        self.history = self._trim([*self.history, *added], self.spec.max_conversation_length)
        cost = self.provider.cost_usd(response.model or self.model_id, usage)
        elapsed = round((time.perf_counter() - started) * 1000, 3)
        result: dict[str, Any] = {
            "text": response.text,
            "tool_calls": calls,
            "usage": usage.as_dict(),
            "model": response.model or self.model_id,
            "finish_reason": response.finish_reason,
            "metadata": {
                "model": self.model,
                "token_count": usage.total_tokens,
                "execution_time_ms": elapsed,
            },
        }
        if cost is not None:
            result["metadata"]["cost_usd"] = cost
        if data is not None:
            result["data"] = data
        return result

    def _request(
        self, messages: list[Message], tools: list[ToolSpec], system: str | None = None
    ) -> ChatRequest:
        from llmspell.llm import ChatRequest

        return ChatRequest(
            model=self.model_id,
            messages=list(messages),
            system=system if system is not None else self.spec.system_prompt,
            tools=tools,
            temperature=self.spec.temperature,
            max_tokens=self.spec.max_tokens,
            output_schema=self.spec.output_schema,
            timeout_seconds=self.spec.timeout_seconds,
        )

    async def _call(
        self,
        request: ChatRequest,
        on_chunk: ChunkSink | None,
        observer: Any = None,
        ctx: Any = None,
        call: AgentCall | None = None,
    ) -> ChatResponse:
        hooks = hooks_of(ctx)
        if hooks is not None and hooks.has("BeforeProviderCall", "AfterProviderCall"):
            info = {
                "agent": self.name,
                "provider": self.provider_name,
                "model": request.model,
                "messages": len(request.messages),
                "tools": [t.name for t in request.tools],
            }
            outcome = await fire(ctx, "BeforeProviderCall", info, component_id=self.name)
            if outcome.action == "cancel":
                raise cancelled(
                    f"the provider call of agent {self.name!r} was cancelled by "
                    f"{outcome.by()} at BeforeProviderCall",
                    "ProviderError",
                )
            response = await self._call(request, on_chunk, observer, None, call)
            after = {
                **info,
                "finish_reason": response.finish_reason,
                "usage": response.usage.as_dict(),
                "tool_calls": [c.name for c in response.tool_calls],
            }
            await fire(ctx, "AfterProviderCall", after, component_id=self.name)
            return response
        if on_chunk is None and observer is None:
            return await self.provider.chat(request)
        call_id = call.call_id if call is not None else 0
        if observer is not None:
            observer.call_started(self.name, call_id)
        try:
            return await self._streamed(request, on_chunk, observer, call_id)
        finally:
            if observer is not None:
                observer.call_finished(call_id)

    async def _streamed(
        self, request: ChatRequest, on_chunk: ChunkSink | None, observer: Any, call_id: int
    ) -> ChatResponse:
        final: ChatResponse | None = None
        index = 0
        async for piece in self.provider.stream(request):
            if isinstance(piece, _llm().ChatResponse):
                final = piece
            elif piece:
                index += 1
                if observer is not None:
                    observer.token(piece, call_id)
                if on_chunk is not None:
                    outcome = on_chunk({"text": piece, "index": index})
                    if asyncio.iscoroutine(outcome):
                        await outcome
        if final is None:
            raise LLMSpellError("the provider's stream ended without a final response")
        return final

    def _tool_specs(self) -> list[ToolSpec]:
        specs = []
        for name in self.spec.tools:
            tool = self.runtime.tools.get(name)
            specs.append(_llm().ToolSpec(tool.name, tool.description, tool.parameters))
        return specs

    async def _run_tool(self, ctx: Any, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run a tool the model asked for; every failure goes back to the model as a
        ``success=false`` result it can react to."""
        if name not in self.spec.tools:
            return {"success": False, "error": f"tool {name!r} is not available to this agent"}
        try:
            return await execute_tool(self.runtime.tools.get(name), arguments, ctx)
        except LLMSpellError as exc:
            return {"success": False, "error": str(exc), "error_kind": exc.kind}

    async def _structured(
        self, messages: list[Message], response: ChatResponse, usage: Usage
    ) -> tuple[Any, ChatResponse]:
        schema = self.spec.output_schema or {}
        for attempt in range(2):
            problem = _parse_problem(response.text, schema)
            if problem is None:
                return _json_in(response.text), response
            if attempt == 1:
                raise ValidationError(
                    f"agent {self.name!r}: the model's answer does not match output_schema "
                    f"after one repair attempt: {problem}"
                )
            repair = [
                *messages,
                _llm().Message("assistant", response.text),
                _llm().Message(
                    "user",
                    f"Your answer is not valid: {problem}. Reply again with only a JSON value "
                    "that matches the schema, nothing else.",
                ),
            ]
            response = await self.provider.chat(self._request(repair, []))
            usage.add(response.usage)
        raise AssertionError("unreachable")  # pragma: no cover

    def _user_message(self, ctx: Any, input: Any) -> Message:
        if isinstance(input, str):
            from llmspell.llm import Message

            return Message("user", input)
        if not isinstance(input, dict) or not isinstance(input.get("text", ""), str):
            raise ValidationError("agent input must be a string or {text=, media=?, parameters=?}")
        text = input.get("text", "")
        params = input.get("parameters")
        if isinstance(params, dict) and params:
            text += "\n\nParameters: " + json.dumps(params, sort_keys=True)
        images = [_image(ctx, m) for m in input.get("media") or []]
        from llmspell.llm import Message

        return Message("user", text, images=images)

    @staticmethod
    def _trim(messages: list[Message], limit: int) -> list[Message]:
        """The last ``limit`` messages, starting at a user turn (never with an answer or
        a tool result whose question was cut off)."""
        kept = messages[-limit:] if limit > 0 else []
        while kept and kept[0].role != "user":
            kept = kept[1:]
        return kept

    def _account(self, ctx: Any, usage: Usage, cost: float | None) -> None:
        """Add one execution to the run's usage: totals and a row per model."""
        totals = getattr(ctx, "usage", None)
        if not isinstance(totals, dict):
            return
        for key, value in usage.as_dict().items():
            totals[key] = totals.get(key, 0) + value
        rows = totals.setdefault("by_model", {})
        row = rows.setdefault(self.model, {"calls": 0, "input_tokens": 0, "output_tokens": 0})
        row["calls"] += 1
        row["input_tokens"] += usage.input_tokens
        row["output_tokens"] += usage.output_tokens
        if cost is not None:
            row["cost_usd"] = round(row.get("cost_usd", 0.0) + cost, 8)
            totals["cost_usd"] = round(totals.get("cost_usd", 0.0) + cost, 8)

    def as_tool(self, ctx: Any, name: str | None = None, description: str | None = None) -> Tool:
        """This agent as a tool other agents and workflows can call (``{input}`` → text)."""

        async def handler(params: dict[str, Any], tool_ctx: Any) -> Any:
            result = await self.execute(tool_ctx, params["input"])
            return result["text"]

        return Tool(
            name=name or self.name,
            description=description or self.spec.description or f"Ask the agent {self.name!r}",
            handler=handler,
            parameters={
                "type": "object",
                "properties": {"input": {"type": "string", "description": "what to ask"}},
                "required": ["input"],
            },
            category="agent",
            timeout_seconds=self.spec.timeout_seconds or 300.0,
            source="script",
        )


def _strip_fence(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped.strip()


#: how many "{"/"[" positions _json_in tries as the start of a JSON value in prose
_MAX_JSON_STARTS = 32


def _json_in(text: str) -> Any:
    """The JSON value of a model's answer: the whole text (a ```json fence stripped), or
    else the first JSON object/array inside it — small models often wrap the value in a
    sentence ("Here is the JSON: {...}"). Raises JSONDecodeError for the whole text."""
    whole = _strip_fence(text)
    try:
        return json.loads(whole)
    except json.JSONDecodeError as exc:
        first_error_ = exc
    except RecursionError:
        first_error_ = json.JSONDecodeError("nested too deeply", whole, 0)
    decoder = json.JSONDecoder()
    tries = 0
    for i, ch in enumerate(text):
        if ch in "{[":
            # each try may scan the rest of the text: a bounded number keeps a hostile
            # answer ("[[[[...") from costing quadratic time
            tries += 1
            if tries > _MAX_JSON_STARTS:
                break
            try:
                value, _ = decoder.raw_decode(text, i)
            except (json.JSONDecodeError, RecursionError):
                continue
            if isinstance(value, dict | list) and value:
                return value
    raise first_error_


def _parse_problem(text: str, schema: dict[str, Any]) -> str | None:
    try:
        value = _json_in(text)
    except json.JSONDecodeError as exc:
        return f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    problem = first_error(schema, value)
    if problem is None:
        return None
    path, message = problem
    return f"{path or 'the value'}: {message}"


def _image(ctx: Any, media: Any) -> ImagePart:
    """An image from ``{path=}``/``{data=, media_type=}`` or a file path string."""
    if isinstance(media, str):
        media = {"path": media}
    if not isinstance(media, dict):
        raise ValidationError("media items must be a file path or {data=, media_type=} / {path=}")
    if "data" in media:
        from llmspell.llm import ImagePart

        return ImagePart(str(media["data"]), str(media.get("media_type") or "image/png"))
    path = media.get("path")
    if not isinstance(path, str):
        raise ValidationError("a media item needs 'data' (base64) or 'path'")
    real = ctx.policy.resolve_path(path, what="media file")
    if not real.is_file():
        raise ValidationError(f"media file {path!r} does not exist")
    ctx.policy.check_size(real.stat().st_size, what=f"media file {path!r}")
    media_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
    from llmspell.llm import ImagePart

    return ImagePart(base64.b64encode(real.read_bytes()).decode("ascii"), media_type)
