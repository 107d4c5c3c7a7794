"""Agents over HTTP: ``POST /v1/agents/{name}:execute`` and the OpenAI-compatible
``POST /v1/chat/completions``. Each call is a run (kind ``agent``) on the shared queue:
a worker process builds the agent in a spell run, so the run's limits, the network
policy and the provider key rules (docs/providers.md) hold exactly as for a spell."""

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from llmspell.observability.propagation import valid_traceparent
from llmspell_cli.serve.execution import Service
from llmspell_cli.serve.http_errors import ApiError
from llmspell_cli.serve.store import FINAL

__all__ = ["AGENT_SPELL", "ChatRequest", "ExecuteRequest", "add_agent_routes", "queue_run"]

#: the spell a worker process runs for an agent call; the conversation so far is given
#: to the agent by the worker (``history`` of the run)
AGENT_SPELL = """
local agent = Agent.create(JSON.parse(ARGS.config))
local r
if ARGS.stream == "1" then
  r = agent:stream(ARGS.input, function(c) io.write(c.text) end)
else
  r = agent:execute(ARGS.input)
end
return {text = r.text or "", usage = r.usage, model = r.model,
        finish_reason = r.finish_reason, data = r.data}
"""

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_SECRET_KEYS = ("api_key", "apiKey")
_ROLES = ("system", "user", "assistant")


class ExecuteRequest(BaseModel):
    """``POST /v1/agents/{name}:execute``."""

    model_config = ConfigDict(extra="forbid")
    input: str | None = Field(None, min_length=1, description="what to ask the agent")
    prompt: str | None = Field(None, min_length=1, description="the same as input")
    agent: str | dict[str, Any] | None = Field(
        None,
        description='an ad-hoc agent (name not in [agents]): "provider/model" or an '
        "agent config table as Agent.create takes",
    )
    stream: bool = Field(False, description="answer as Server-Sent Events of text deltas")
    timeout: float | None = Field(None, gt=0, description="seconds (capped by config)")


class ChatMessage(BaseModel):
    """One message of a chat completion request (text content only)."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """``POST /v1/chat/completions`` (OpenAI's shape; unknown fields are ignored)."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(
        ...,
        min_length=1,
        description='a configured agent\'s name, or "spell:NAME" for a spell file of '
        "[serve] spells_dir (GET /v1/models lists both)",
    )
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=1000)
    stream: bool = False
    timeout: float | None = Field(None, gt=0, description="seconds (capped by config)")
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)


def add_agent_routes(app: FastAPI, service: Service, caller: Callable[..., str]) -> None:
    """Add the agent endpoints to ``app`` (``caller``: the token dependency)."""
    from llmspell_cli.serve import chat_spells

    Caller = Annotated[str, Depends(caller)]
    settings = service.settings
    spells = chat_spells.SpellModels(settings)

    @app.post("/v1/agents/{name}:execute", response_model=None)
    async def execute(name: str, body: ExecuteRequest, who: Caller, request: Request) -> Any:
        """Ask an agent of ``[agents.NAME]`` (or an ad-hoc one); answers
        ``{id, agent, text, usage, model, finish_reason}`` or, with ``stream``, SSE."""
        text = body.input if body.input is not None else body.prompt
        if text is None or (body.input is not None and body.prompt is not None):
            raise ApiError(422, "ValidationError", "give exactly one of 'input' or 'prompt'",
                           '{"input": "What is 2+2?"}')  # fmt: skip
        config = _agent_config(name, body.agent, settings)
        run_id = await _submit(
            service, who, name, config, text, [], body.stream, body.timeout,
            traceparent=request.headers.get("traceparent"),
        )  # fmt: skip
        if body.stream:
            events = _agent_events(service, run_id, name)
            return _sse(events, openai=False, service=service, run_id=run_id)
        record = await _wait(service, run_id, request)
        return {"id": run_id, "agent": name, **_answer(record)}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(body: ChatRequest, who: Caller, request: Request) -> Any:
        """OpenAI-compatible chat completions: ``model`` names a configured agent, or
        a spell (``spell:NAME``)."""
        if body.model.startswith(chat_spells.PREFIX):
            return await chat_spells.chat(service, spells, body, who, request)
        config = _agent_config(body.model, None, settings)
        system, history, text = _conversation(body.messages)
        if system:
            own = config.get("system_prompt")
            config["system_prompt"] = f"{own}\n\n{system}" if own else system
        if body.temperature is not None:
            config["temperature"] = body.temperature
        limit = body.max_completion_tokens or body.max_tokens
        if limit is not None:
            config["max_tokens"] = limit
        run_id = await _submit(
            service, who, body.model, config, text, history, body.stream, body.timeout,
            traceparent=request.headers.get("traceparent"),
        )  # fmt: skip
        created = int(time.time())
        if body.stream:
            chunks = _chat_chunks(service, run_id, body.model, created)
            return _sse(chunks, openai=True, service=service, run_id=run_id)
        answer = _answer(await _wait(service, run_id, request))
        usage = answer.get("usage") or {}
        return {
            "id": f"chatcmpl-{run_id}",
            "object": "chat.completion",
            "created": created,
            "model": body.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer["text"]},
                    "finish_reason": _finish(answer.get("finish_reason")),
                }
            ],
            "usage": _openai_usage(usage),
        }

    chat_spells.add_model_routes(app, service, spells, caller)


# -- the agent's config --------------------------------------------------------------------
def _agent_config(name: str, adhoc: str | dict[str, Any] | None, settings: Any) -> dict[str, Any]:
    """The agent table of ``name``: ``[agents.NAME]``, or the ad-hoc one of the request."""
    if not _NAME.match(name):
        raise ApiError(422, "ValidationError", f"bad agent name {name!r}",
                       "agent names: letters, digits, '_', '-', '.' (at most 64)")  # fmt: skip
    configured = settings.agents.get(name)
    if configured is not None and adhoc is not None:
        raise ApiError(
            422,
            "ValidationError",
            f"agent {name!r} is configured in [agents.{name}]: the request may not redefine it",
            "drop 'agent' from the body, or use another name for an ad-hoc agent",
        )
    if configured is not None:
        if not isinstance(configured, dict):
            raise ApiError(500, "ConfigurationError", f"[agents.{name}] must be a table")
        table = dict(configured)
    elif adhoc is None:
        known = ", ".join(sorted(settings.agents)) or "none"
        raise ApiError(
            404,
            "NotFoundError",
            f"no agent {name!r} in [agents] (configured: {known})",
            'declare [agents.NAME] in llmspell.toml, or send an ad-hoc agent: '
            '{"agent": "provider/model", "input": ...}',
        )
    elif isinstance(adhoc, str):
        table = {"model": adhoc}
    else:
        table = dict(adhoc)
        _check_adhoc(table, settings)
    table.setdefault("name", name)
    from llmspell.agents import agent_spec
    from llmspell.errors import LLMSpellError

    try:
        agent_spec(dict(table), default_name=name)
    except LLMSpellError as exc:
        raise ApiError(422, exc.kind, f"agent {name!r}: {exc.message}", exc.hint) from None
    return table


def _check_adhoc(table: dict[str, Any], settings: Any) -> None:
    """What a request may not put in an ad-hoc agent: keys (they would be stored with the
    run), and tools unless the service runs code from requests anyway."""
    for key in _SECRET_KEYS:
        if key in table:
            raise ApiError(
                422,
                "ValidationError",
                "the service takes no API keys in requests (they would be kept with the run)",
                "configure the provider in [providers.NAME] with api_key_env on the service",
            )
    tools = table.get("tools") or table.get("allowed_tools") or table.get("allow_tools")
    if tools and not settings.serve.allow_source:
        raise ApiError(
            403,
            "SecurityError",
            "ad-hoc agents with tools are refused: this service does not run code from "
            "requests",
            "declare the agent in [agents.NAME], or set [serve] allow_source = true",
        )


def _conversation(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]], str]:
    """``(system text, earlier turns, the last user message)`` of a chat request."""
    system: list[str] = []
    turns: list[dict[str, str]] = []
    for msg in messages:
        text = _text(msg)
        if msg.role in ("system", "developer"):
            system.append(text)
        else:
            turns.append({"role": msg.role, "content": text})
    if not turns or turns[-1]["role"] != "user":
        raise ApiError(422, "ValidationError", "the last message must be the user's",
                       '"messages": [..., {"role": "user", "content": "..."}]')  # fmt: skip
    return "\n\n".join(system), turns[:-1], turns[-1]["content"]


def _text(msg: ChatMessage) -> str:
    if msg.content is None:
        return ""
    if isinstance(msg.content, str):
        return msg.content
    parts = []
    for part in msg.content:
        if part.get("type") != "text":
            raise ApiError(422, "ValidationError",
                           f"message content of type {part.get('type')!r} is not supported",
                           "send text content only")  # fmt: skip
        parts.append(str(part.get("text", "")))
    return "".join(parts)


# -- running -------------------------------------------------------------------------------
async def _submit(
    service: Service,
    who: str,
    name: str,
    config: dict[str, Any],
    text: str,
    history: list[dict[str, str]],
    stream: bool,
    timeout: float | None,
    *,
    traceparent: str | None = None,
) -> str:
    spec: dict[str, Any] = {
        "source": AGENT_SPELL,
        "engine": "lua",
        "chunk_name": f"<agent {name}>.lua",
        "spell": f"<agent {name}>",
        "args": [
            f"--config={json.dumps(config)}",
            f"--input={text}",
            f"--stream={'1' if stream else '0'}",
        ],
        "history": history,
        "memory_mb": None,
    }
    return await queue_run(service, who, spec, "agent", timeout, traceparent)


async def queue_run(
    service: Service,
    who: str,
    spec: dict[str, Any],
    kind: str,
    timeout: float | None,
    traceparent: str | None,
) -> str:
    """Queue the run ``spec`` for the token ``who`` (its ``timeout`` checked against
    the cap, its in-flight limit enforced); returns the run id."""
    serve = service.settings.serve
    if timeout is not None and timeout > serve.max_timeout_seconds:
        raise ApiError(422, "ValidationError",
                       f"timeout {timeout:g} is over the service's cap "
                       f"({serve.max_timeout_seconds:g} s)",
                       "ask for less, or raise [serve] max_timeout_seconds")  # fmt: skip
    spec["timeout"] = timeout or min(
        service.settings.runtime.timeout_seconds, serve.max_timeout_seconds
    )
    if valid_traceparent(traceparent):
        spec["traceparent"] = str(traceparent).strip()
    limit = serve.max_runs_in_flight_per_token
    if await asyncio.to_thread(service.store.in_flight, who) >= limit:
        raise ApiError(
            429,
            "LimitExceeded",
            f"this token already has {limit} runs queued or running",
            "wait for some to finish, or raise [serve] max_runs_in_flight_per_token",
        )
    return await asyncio.to_thread(service.submit, spec, token=who, kind=kind)


#: the error of a run whose HTTP client went away before the answer
GONE = "cancelled: the client disconnected before the answer"


async def _wait(service: Service, run_id: str, request: Request) -> dict[str, Any]:
    """The run's record once it is final; a client that disconnects first cancels the
    run (nobody is left to read the answer, and its agent would go on spending)."""
    gone = False
    while True:
        if await asyncio.to_thread(service.store.status, run_id) in FINAL:
            record = await asyncio.to_thread(service.store.get, run_id)
            assert record is not None
            return record
        if not gone and await request.is_disconnected():
            gone = True
            await asyncio.to_thread(service.cancel, run_id, GONE)
        await asyncio.sleep(0.05)


async def _cancel_if_abandoned(
    service: Service, run_id: str, events: AsyncIterator[str]
) -> AsyncIterator[str]:
    """``events``, cancelling the run when the stream is closed before its end (the
    client disconnected)."""
    try:
        async for item in events:
            yield item
    except (asyncio.CancelledError, GeneratorExit):
        # not awaited: this task is being cancelled (or closed), the thread is not
        asyncio.get_running_loop().run_in_executor(None, _cancel_unfinished, service, run_id)
        raise


def _cancel_unfinished(service: Service, run_id: str) -> None:
    import sys

    from llmspell_cli.serve.outage import reason

    try:
        if service.store.status(run_id) not in FINAL:
            service.cancel(run_id, GONE)
    except Exception as exc:  # the database may be down: the run goes on
        print(f"{service.prog}: run {run_id}: the client disconnected; cancelling failed: "
              f"{type(exc).__name__}: {reason(exc)}", file=sys.stderr, flush=True)  # fmt: skip


def _answer(record: dict[str, Any]) -> dict[str, Any]:
    """The agent's answer of a finished run, or its error as an HTTP error."""
    if record["status"] != "succeeded":
        error = record.get("error") or {}
        kind = str(error.get("kind") or "Error")
        status = {"ConfigurationError": 500, "SecurityError": 403, "Cancelled": 409}.get(kind, 502)
        if kind in ("LimitExceeded", "TimeoutError"):
            status = 504
        raise ApiError(status, kind, f"run {record['id']}: {error.get('message', 'failed')}",
                       error.get("hint"))  # fmt: skip
    result = record.get("result") or {}
    return {
        "text": str(result.get("text") or ""),
        "data": result.get("data"),
        "usage": result.get("usage"),
        "model": result.get("model"),
        "finish_reason": result.get("finish_reason"),
    }


def _openai_usage(usage: dict[str, Any]) -> dict[str, int]:
    inp = int(usage.get("input_tokens") or 0)
    out = int(usage.get("output_tokens") or 0)
    return {"prompt_tokens": inp, "completion_tokens": out,
            "total_tokens": int(usage.get("total_tokens") or inp + out)}  # fmt: skip


def _finish(reason: Any) -> str:
    return reason if reason in ("stop", "length", "tool_calls", "content_filter") else "stop"


# -- streaming -----------------------------------------------------------------------------
def chunk_maker(run_id: str, model: str, created: int) -> Callable[..., str]:
    """A function making the ``chat.completion.chunk`` SSE lines of one chat's stream:
    ``chunk(delta, finish_reason=None, **more)``."""
    base = {"id": f"chatcmpl-{run_id}", "object": "chat.completion.chunk",
            "created": created, "model": model}  # fmt: skip

    def chunk(delta: dict[str, Any], finish: str | None = None, **more: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return f"data: {json.dumps({**base, 'choices': [choice], **more})}\n\n"

    return chunk


def error_chunk(kind: str, message: str, hint: str | None) -> str:
    """The SSE line ending a chat stream with an error (OpenAI's ``error`` shape, plus
    our ``kind`` and ``hint``)."""
    error = {"message": message, "type": kind, "kind": kind, "hint": hint}
    return f"data: {json.dumps({'error': error})}\n\n"


def _sse(
    events: AsyncIterator[str], *, openai: bool, service: Service, run_id: str
) -> StreamingResponse:
    """A live stream of run ``run_id``; it ends with an error (an ``error`` event, or
    OpenAI's ``data: {"error": ...}`` chunk) when the database becomes unreachable, and
    the run is cancelled when the client disconnects before the end."""
    from llmspell_cli.serve.outage import guard_stream

    def error_item(error: dict[str, str]) -> str:
        if openai:
            return error_chunk(error["kind"], error["message"], error["hint"])
        return f"event: error\ndata: {json.dumps({'error': error})}\n\n"

    headers = {"cache-control": "no-cache", "x-accel-buffering": "no"}
    return StreamingResponse(
        guard_stream(_cancel_if_abandoned(service, run_id, events), error_item),
        media_type="text/event-stream",
        headers=headers,
    )


async def _deltas(service: Service, run_id: str) -> AsyncIterator[str | dict[str, Any]]:
    """The agent's text deltas as they reach the run's output, then the final record."""
    seq = 0
    while True:
        status = await asyncio.to_thread(service.store.status, run_id)
        chunks = await asyncio.to_thread(service.store.output_since, run_id, seq)
        for n, stream, text in chunks:
            seq = n + 1
            if stream == "stdout" and text:
                yield text
        if status in FINAL and not chunks:
            record = await asyncio.to_thread(service.store.get, run_id)
            assert record is not None
            yield record
            return
        await asyncio.sleep(0.03)


async def _agent_events(service: Service, run_id: str, name: str) -> AsyncIterator[str]:
    yield f"event: run\ndata: {json.dumps({'id': run_id, 'agent': name})}\n\n"
    async for item in _deltas(service, run_id):
        if isinstance(item, str):
            yield f"event: delta\ndata: {json.dumps({'text': item})}\n\n"
            continue
        try:
            done: dict[str, Any] = {"id": run_id, "agent": name, **_answer(item)}
            yield f"event: done\ndata: {json.dumps(done)}\n\n"
        except ApiError as exc:
            error = {"kind": exc.kind, "message": exc.message, "hint": exc.hint}
            yield f"event: error\ndata: {json.dumps({'error': error})}\n\n"


async def _chat_chunks(
    service: Service, run_id: str, model: str, created: int
) -> AsyncIterator[str]:
    chunk = chunk_maker(run_id, model, created)
    yield chunk({"role": "assistant", "content": ""})
    async for item in _deltas(service, run_id):
        if isinstance(item, str):
            yield chunk({"content": item})
            continue
        try:
            answer = _answer(item)
        except ApiError as exc:
            yield error_chunk(exc.kind, exc.message, exc.hint)
        else:
            usage = _openai_usage(answer.get("usage") or {})
            yield chunk({}, _finish(answer.get("finish_reason")), usage=usage)
    yield "data: [DONE]\n\n"
