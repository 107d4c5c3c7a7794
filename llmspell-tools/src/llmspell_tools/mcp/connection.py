"""One MCP server's connection: start on first use, reuse, restart once after a crash,
time out, stop. Connections live on one background event loop (:class:`LoopThread`), so
the MCP SDK's task groups stay on the task that entered them whichever loop (or thread)
the spell's runtime uses, and a synchronous caller (the tool registry resolving a name)
can wait for a server too.

Imported when the first MCP server is used (it imports the ``mcp`` SDK, ~1 s).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from typing import Any, TypeVar

import anyio
import anyio.lowlevel
import mcp_types as types
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS as _MODERN

from llmspell.errors import ConfigurationError, LLMSpellError, NotFoundError, ToolError
from llmspell_tools.mcp.server_requests import Caller, Sampler, roots_result
from llmspell_tools.mcp.spec import ServerSpec
from llmspell_tools.mcp.transport import ProcessState, stdio_transport

__all__ = ["Connection", "LoopThread", "McpTimeout", "loop_thread"]

T = TypeVar("T")


class McpTimeout(LLMSpellError):
    """An MCP server did not answer in time."""

    kind = "TimeoutError"


class LoopThread:
    """A daemon thread running an event loop for every MCP connection of the process."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True, name="llmspell-mcp")
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the MCP loop."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the MCP loop and wait for it (from any other thread)."""
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("LoopThread.run called on the MCP loop itself")
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise McpTimeout(f"no answer within {timeout:g} s") from None

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` running on the MCP loop (cancelling this cancels it there)."""
        return await asyncio.wrap_future(self.submit(coro))


_LOOP: LoopThread | None = None
_LOOP_LOCK = threading.Lock()


def loop_thread() -> LoopThread:
    """The process's MCP loop thread (started on first use)."""
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None:
            _LOOP = LoopThread()
        return _LOOP


class Connection:
    """One server. Every coroutine method runs on the MCP loop.

    Server requests: ``roots/list`` is answered with the allowed paths of ``runtime``'s
    policy; ``sampling/createMessage`` only when ``spec.sampling`` is set (the capability
    is not advertised otherwise); elicitation is never advertised. A
    ``notifications/tools/list_changed`` marks the tool list stale: the next
    :meth:`fresh_tools` reads it again (on 2026-07-28 sessions the client listens for it
    with ``subscriptions/listen``).
    """

    def __init__(self, spec: ServerSpec, runtime: Any = None) -> None:
        self.spec = spec
        self.runtime = runtime
        #: the calls llmspell has in progress on this server (sampling is charged to the
        #: latest)
        self.callers: list[Caller] = []
        #: set by a tools/list_changed notification; cleared when the list is read again
        self.tools_stale = False
        #: counts tool list reads (the manager re-registers when it changes)
        self.tools_version = 0
        self._sampler = (
            Sampler(spec.name, spec.sampling, spec.sampling_max_tokens, spec.timeout_seconds)
            if spec.sampling is not None
            else None
        )
        self._refresh_lock: asyncio.Lock | None = None
        self.client: Client | None = None
        self.state = ProcessState()
        #: "stopped", "ready", "crashed" or "failed" (could not start)
        self.status = "stopped"
        self.restarts = 0
        self.tools: list[types.Tool] = []
        self.server_info: dict[str, Any] = {}
        self._lock: asyncio.Lock | None = None
        self._holder: asyncio.Task[None] | None = None
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------

    def alive(self) -> bool:
        """True while the connection is up (and, for stdio, the process runs)."""
        return (
            self.client is not None
            and not self.state.closed.is_set()
            and self.state.returncode is None
        )

    async def ensure(self) -> Client:
        """The connected client: started now if it is not running; a server that
        crashed is restarted once per run (a second crash is an error)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.client is not None and self.alive():
                return self.client
            if self.client is not None or self.status == "crashed":
                why = self.state.explain()
                await self._close()
                if self.restarts >= 1:
                    self.status = "crashed"
                    raise ToolError(
                        f"MCP server {self.spec.name!r} crashed again after a restart; it is "
                        f"not restarted again in this run ({why or 'no details'})",
                        hint="run the server's command by hand to see why it stops",
                    )
                self.restarts += 1
            await self._start()
            assert self.client is not None
            return self.client

    async def _start(self) -> None:
        self.state = ProcessState()
        self._stopping = False
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._holder = asyncio.create_task(self._hold(ready))
        timeout = self.spec.startup_timeout_seconds
        try:
            await asyncio.wait_for(asyncio.shield(ready), timeout)
        except TimeoutError:
            why = self.state.explain()
            await self._close()
            self.status = "failed"
            raise McpTimeout(
                f"MCP server {self.spec.name!r} ({self.spec.describe()}) did not complete "
                f"the MCP handshake within {timeout:g} s" + (f"; {why}" if why else ""),
                hint="check the command or URL; raise startup_timeout_seconds for a slow server",
            ) from None
        except BaseException as exc:
            await self._close()
            self.status = "failed"
            raise self._start_error(exc) from None
        try:
            self.tools_stale = False
            self.tools = await self._all_tools()
            self.tools_version += 1
        except BaseException:
            await self._close()
            self.status = "failed"
            raise
        self.status = "ready"

    def _start_error(self, exc: BaseException) -> LLMSpellError:
        if isinstance(exc, LLMSpellError):
            return exc
        name, where = self.spec.name, self.spec.describe()
        if isinstance(exc, FileNotFoundError) and self.spec.command:
            return ConfigurationError(
                f"MCP server {name!r}: command {self.spec.command!r} was not found",
                hint="install it or give its full path in [mcp.servers." + name + "] command",
            )
        if isinstance(exc, PermissionError | NotADirectoryError) and self.spec.command:
            return ConfigurationError(f"MCP server {name!r}: cannot run {where!r}: {exc}")
        why = self.state.explain()
        detail = _exc_text(exc)
        if self.spec.url and not why:
            return ToolError(
                f"MCP server {name!r}: cannot connect to {self.spec.url}: {detail}",
                hint="check that the server runs and the URL (usually ending in /mcp)",
            )
        return ToolError(
            f"MCP server {name!r} ({where}) failed to start: {detail}"
            + (f"; {why}" if why else ""),
            hint="run the command by hand to see what it prints",
        )

    async def _hold(self, ready: asyncio.Future[None]) -> None:
        """Own the client's context for the connection's lifetime (the SDK's task
        groups must be left by the task that entered them)."""
        try:
            async with AsyncExitStack() as stack:
                client = Client(
                    self._transport(),
                    read_timeout_seconds=self.spec.timeout_seconds,
                    client_info=types.Implementation(name="llmspell", version=_version()),
                    list_roots_callback=self._list_roots,
                    message_handler=self._on_message,
                    # None: sampling is not offered (the SDK refuses a server that asks)
                    sampling_callback=self._sample if self._sampler is not None else None,
                )
                await stack.enter_async_context(client)
                listener = await self._listen(client)
                if listener is not None:
                    stack.push_async_callback(_cancel, listener)
                info = client.server_info
                self.server_info = {
                    "name": info.name if info else None,
                    "version": info.version if info else None,
                    "protocol": client.protocol_version,
                }
                self.client = client
                if not ready.done():
                    ready.set_result(None)
                await self.state.closed.wait()
        except BaseException as exc:  # reported through ``ready`` during start-up
            if not ready.done():
                ready.set_exception(exc if isinstance(exc, Exception) else ToolError(str(exc)))
            elif not isinstance(exc, Exception):
                raise
        finally:
            self.client = None
            if not self._stopping:
                self.status = "crashed"

    def _transport(self) -> Any:
        spec = self.spec
        if spec.command:
            return _StdioTransport(spec, self.state)
        from mcp.client.streamable_http import streamable_http_client

        from llmspell_tools.mcp.http_cap import capped_http_client

        http = capped_http_client(dict(spec.headers), spec.max_message_bytes, self.state)
        transport = streamable_http_client(
            str(spec.url), http_client=http, max_sse_event_size=spec.max_message_bytes
        )
        return _HttpTransport(transport, http)

    async def _close(self) -> None:
        self._stopping = True
        self.state.closed.set()
        holder, self._holder = self._holder, None
        if holder is not None and not holder.done():
            try:
                await asyncio.wait_for(asyncio.shield(holder), 8.0)
            except (TimeoutError, Exception):
                holder.cancel()
                with contextlib.suppress(BaseException):
                    await holder
        self.client = None

    async def stop(self) -> None:
        """Stop the server (its process ends); the next use starts it again."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            await self._close()
            self.status = "stopped"
            self.restarts = 0

    # -- what the server asks ----------------------------------------------------------

    async def _list_roots(self, context: Any) -> types.ListRootsResult | types.ErrorData:
        return roots_result(self.runtime)

    async def _sample(
        self, context: Any, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult | types.ErrorData:
        assert self._sampler is not None
        return await self._sampler.answer(self.callers[-1] if self.callers else None, params)

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            self.tools_stale = True
        await anyio.lowlevel.checkpoint()

    async def _listen(self, client: Client) -> asyncio.Task[None] | None:
        """On a 2026-07-28 session whose server announces tool list changes, a task
        holding a ``subscriptions/listen`` stream (its events reach :meth:`_on_message`);
        None otherwise. Waits for the server's acknowledgement (at most 5 s)."""
        tools = client.server_capabilities.tools
        if client.protocol_version not in _MODERN or tools is None or not tools.list_changed:
            return None
        acked = asyncio.Event()

        async def hold() -> None:
            try:
                async with client.listen(tools_list_changed=True) as sub:
                    acked.set()
                    async for _ in sub:
                        pass
            except Exception:  # no live updates: the list is still read on (re)start
                pass
            finally:
                acked.set()

        task = asyncio.create_task(hold())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(acked.wait(), min(5.0, self.spec.startup_timeout_seconds))
        return task

    async def fresh_tools(self) -> list[types.Tool]:
        """The server's tools, read again when it said they changed (a failed read keeps
        the last list and is retried next time)."""
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            if self.tools_stale and self.alive():
                self.tools_stale = False
                try:
                    self.tools = await self._all_tools(refresh=True)
                    self.tools_version += 1
                except Exception:
                    self.tools_stale = True
        return self.tools

    # -- requests ----------------------------------------------------------------------

    async def _all_tools(self, *, refresh: bool = False) -> list[types.Tool]:
        assert self.client is not None
        caps = self.client.server_capabilities
        if caps.tools is None:
            return []
        tools: list[types.Tool] = []
        cursor: str | None = None
        mode: Any = "refresh" if refresh else "use"
        for _ in range(100):
            page = await self.client.list_tools(cursor=cursor, cache_mode=mode)
            tools.extend(page.tools)
            cursor = page.next_cursor
            if not cursor:
                break
        return tools

    async def request(self, what: str, call: Callable[[Client], Awaitable[T]]) -> T:
        """``call(client)`` with the server started; MCP and transport failures become
        llmspell errors naming the server (a crash mid-call is not retried: a tool may
        have side effects; the next call restarts the server)."""
        client = await self.ensure()
        name = self.spec.name
        try:
            result = await call(client)
            if self.tools_stale:
                await self.fresh_tools()
            return result
        except MCPError as exc:
            if exc.code == types.CONNECTION_CLOSED or not self.alive():
                raise await self._crash(what) from None
            if exc.code == types.REQUEST_TIMEOUT:
                raise McpTimeout(
                    f"MCP server {name!r}: {what} timed out after {self.spec.timeout_seconds:g} s",
                    hint="raise timeout_seconds in [mcp.servers." + name + "]",
                ) from None
            if exc.code == types.METHOD_NOT_FOUND:
                raise NotFoundError(
                    f"MCP server {name!r} does not support {what}: {_clip(exc.error.message)}"
                ) from None
            raise ToolError(
                f"MCP server {name!r}: {what} failed: {_clip(exc.error.message)}",
                hint=_refusal_hint(exc.error.message, name),
            ) from None
        except LLMSpellError:
            raise
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream) as exc:
            raise await self._crash(what) from exc
        except Exception as exc:
            if not self.alive():
                raise await self._crash(what) from None
            raise ToolError(
                f"MCP server {name!r}: {what} failed: {_exc_text(exc)}",
                hint="the server sent something llmspell could not use",
            ) from None

    async def _crash(self, what: str) -> ToolError:
        self.status = "crashed"
        process = self.state.process
        if process is not None:  # its exit status, once the loop has reaped it
            with anyio.move_on_after(1.0):
                while process.returncode is None:
                    await anyio.sleep(0.01)
        why = self.state.explain()
        return ToolError(
            f"MCP server {self.spec.name!r} closed the connection during {what}"
            + (f": {why}" if why else "")
            + ("; it is restarted on next use" if self.restarts == 0 else ""),
        )


class _StdioTransport:
    """The capped stdio transport as an async context manager (a Client transport)."""

    def __init__(self, spec: ServerSpec, state: ProcessState) -> None:
        self._cm = stdio_transport(
            str(spec.command),
            list(spec.args),
            dict(spec.env),
            spec.cwd,
            spec.max_message_bytes,
            state,
        )

    async def __aenter__(self) -> Any:
        return await self._cm.__aenter__()

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._cm.__aexit__(*exc)


class _HttpTransport:
    """The SDK's streamable HTTP transport over an HTTP client we close ourselves."""

    def __init__(self, cm: Any, http: Any) -> None:
        self._cm = cm
        self._http = http

    async def __aenter__(self) -> Any:
        await self._http.__aenter__()
        try:
            return await self._cm.__aenter__()
        except BaseException:
            await self._http.__aexit__(None, None, None)
            raise

    async def __aexit__(self, *exc: Any) -> Any:
        try:
            return await self._cm.__aexit__(*exc)
        finally:
            await self._http.__aexit__(None, None, None)


def _refusal_hint(message: str, server: str) -> str | None:
    """What to do about a server request llmspell refused (the SDK's messages)."""
    if "Sampling not supported" in message:
        return (
            f"the server asked to sample an LLM; allow it with sampling = \"provider/model\" "
            f"in [mcp.servers.{server}] (docs/mcp.md)"
        )
    if "Elicitation not supported" in message:
        return "the server asked for user input (elicitation); a spell has no user to ask"
    return None


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(BaseException):
        await task


def _clip(text: str, limit: int = 500) -> str:
    text = "".join(c if c.isprintable() else " " for c in str(text))
    return text if len(text) <= limit else text[:limit] + "..."


def _exc_text(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_exc_text(e) for e in exc.exceptions)
    if isinstance(exc, MCPError):
        return _clip(exc.error.message)
    text = _clip(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _version() -> str:
    from llmspell import __version__

    return str(__version__)
