"""What llmspell answers when an MCP server asks the client something (docs/mcp.md):

- ``roots/list``: the run's allowed paths (``[security] allowed_paths``) as ``file://``
  URIs, and nothing else (none when no path is allowed): it tells a server only what
  the operator already let spells touch.
- ``sampling/createMessage``: only for a server whose table opts in (``sampling``),
  answered by a one-turn agent on that model, so keys, endpoint rules, hooks, usage
  accounting and the run log are those of any agent; text only; ``maxTokens`` is capped
  at ``sampling_max_tokens``; at most :data:`MAX_SAMPLES_PER_CALL` per call, one at a
  time per server. It is charged to the run whose call to that server is in
  progress (a request outside any llmspell call is refused).
- Elicitation is never advertised (a spell has no user to ask); the SDK refuses it.

Runs on the MCP loop (imported with the connection, so with the SDK).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import mcp_types as types

from llmspell.errors import LLMSpellError

if TYPE_CHECKING:
    from llmspell.agents import Agent
    from llmspell.llm import Message

__all__ = ["MAX_SAMPLES_PER_CALL", "Caller", "Sampler", "roots_result"]

#: how a provider's finish reason is told to the server
_STOP = {"stop": "endTurn", "length": "maxTokens", "max_tokens": "maxTokens"}
#: the most text one sampling request may send to the model (characters)
_MAX_PROMPT_CHARS = 1_000_000
#: the most sampling requests a server may make during one llmspell call
MAX_SAMPLES_PER_CALL = 16


def roots_result(runtime: Any) -> types.ListRootsResult:
    """The allowed paths of ``runtime``'s security policy as MCP roots."""
    policy = getattr(runtime, "policy", None)
    paths = list(getattr(policy, "allowed_paths", None) or [])
    roots = [types.Root(uri=path.as_uri(), name=path.name or str(path)) for path in paths]
    return types.ListRootsResult(roots=roots)


class Caller:
    """A call llmspell has in progress on a server: the run's context and its loop."""

    def __init__(self, ctx: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.ctx = ctx
        self.loop = loop
        #: sampling requests answered (or refused) during this call
        self.samples = 0


def _error(message: str, code: int = types.INVALID_REQUEST) -> types.ErrorData:
    return types.ErrorData(code=code, message=message)


class Sampler:
    """Answers one server's ``sampling/createMessage`` with ``spec.sampling``'s model."""

    def __init__(self, server: str, model: str, max_tokens: int, timeout: float) -> None:
        self.server = server
        #: "" is the default provider's default model
        self.model = model
        self.max_tokens = max_tokens
        self.timeout = timeout
        #: the provider client, and the loop it was built for (a run's HTTP client
        #: is not shared with another run's loop)
        self._provider: tuple[Any, str, str] | None = None
        self._provider_loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()

    async def answer(
        self, caller: Caller | None, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult | types.ErrorData:
        """The model's answer to ``params``, or an MCP error the server sees."""
        if caller is None:
            return _error(
                "llmspell answers sampling/createMessage only while a spell's call to this "
                "server (a tool call, resource read or prompt) is in progress"
            )
        if params.tools or params.tool_choice is not None:
            return _error(
                "llmspell sampling does not offer tools to the model (no sampling.tools "
                "capability)",
                types.INVALID_PARAMS,
            )
        caller.samples += 1
        if caller.samples > MAX_SAMPLES_PER_CALL:
            return _error(
                f"llmspell answers at most {MAX_SAMPLES_PER_CALL} sampling requests during "
                "one call to a server"
            )
        try:
            history, last = _messages(params)
        except ValueError as exc:
            return _error(str(exc), types.INVALID_PARAMS)
        async with self._lock:  # one sampling at a time per server
            future = asyncio.run_coroutine_threadsafe(
                self._run(caller.ctx, params, history, last), caller.loop
            )
            try:
                async with asyncio.timeout(self.timeout + 5.0):
                    result = await asyncio.wrap_future(future)
            except TimeoutError:
                future.cancel()
                return _error(
                    f"llmspell sampling did not finish within {self.timeout:g} s",
                    types.INTERNAL_ERROR,
                )
            except LLMSpellError as exc:
                return _error(f"llmspell sampling failed: {exc.message}", types.INTERNAL_ERROR)
            except Exception as exc:
                return _error(
                    f"llmspell sampling failed: {type(exc).__name__}", types.INTERNAL_ERROR
                )
        return result

    async def _run(
        self, ctx: Any, params: types.CreateMessageRequestParams, history: list[Message], last: str
    ) -> types.CreateMessageResult:
        """On the run's loop: a fresh agent answers the conversation."""
        agent = await self._agent(ctx, params)
        agent.history = history
        out = await agent.execute(ctx, last)
        reason = _STOP.get(str(out.get("finish_reason") or ""))
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=str(out.get("text") or "")),
            model=agent.model,
            stop_reason=reason,
        )

    async def _agent(self, ctx: Any, params: types.CreateMessageRequestParams) -> Agent:
        from llmspell.agents import Agent, AgentSpec

        runtime = ctx.runtime
        loop = asyncio.get_running_loop()
        if self._provider is None or self._provider_loop is not loop:
            self._provider = await _open_provider(runtime, self.model, self.server)
            self._provider_loop = loop
        provider, provider_name, model = self._provider
        spec = AgentSpec(
            name=f"mcp-sampling:{self.server}",
            model=f"{provider_name}/{model}",
            description=f"answers sampling requests of MCP server {self.server!r}",
            system_prompt=params.system_prompt or None,
            temperature=params.temperature,
            max_tokens=max(1, min(int(params.max_tokens), self.max_tokens)),
            max_tool_calls=0,
            timeout_seconds=self.timeout,
        )
        return Agent(runtime, spec, provider, provider_name, model)


async def _open_provider(runtime: Any, spec: str, server: str) -> tuple[Any, str, str]:
    """``(client, provider name, model id)`` of the sampling model, like an agent's."""
    from llmspell.errors import ConfigurationError
    from llmspell.provider_resolution import open_model

    try:
        return await open_model(runtime, spec)
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"[mcp.servers.{server}] sampling: {exc.message}",
            hint='set sampling = "provider/model" of a provider whose key is configured',
        ) from None


def _messages(params: types.CreateMessageRequestParams) -> tuple[list[Message], str]:
    """The conversation as llmspell messages (all but the last) and the last user text;
    ValueError for anything but text, or a conversation not ending with the user."""
    from llmspell.llm import Message

    if not params.messages:
        raise ValueError("sampling/createMessage has no messages")
    out: list[Message] = []
    size = len(params.system_prompt or "")
    for index, message in enumerate(params.messages, 1):
        texts = []
        for block in message.content_as_list:
            if not isinstance(block, types.TextContent):
                raise ValueError(
                    f"llmspell sampling takes text content only; message {index} has "
                    f"{getattr(block, 'type', type(block).__name__)} content"
                )
            texts.append(block.text)
        text = "\n".join(texts)
        size += len(text)
        out.append(Message("assistant" if message.role == "assistant" else "user", text))
    if size > _MAX_PROMPT_CHARS:
        raise ValueError(
            f"the sampling request is {size} characters, over llmspell's limit of "
            f"{_MAX_PROMPT_CHARS}"
        )
    if out[-1].role != "user":
        raise ValueError("the last sampling message must be the user's")
    return out[:-1], out[-1].content
