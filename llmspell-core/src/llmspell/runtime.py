"""The language-agnostic runtime: registries, configuration, state and the run host.

A :class:`Runtime` is created once per process (or per test). Each script run gets a
:class:`RunSession`: the host that answers the script's requests (ops), owns the run's
limits, output and ARGS, and is the ``ctx`` every op implementation receives.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from llmspell.backends import BackendRegistry
from llmspell.config import LOG_LEVEL_NUMBERS, Settings, load_settings
from llmspell.engine import ScriptEngine
from llmspell.errors import LimitExceeded, LLMSpellError, NotFoundError, PluginError, ScriptError
from llmspell.events import EventBus
from llmspell.hooks import HookRegistry
from llmspell.ops import GlobalSpec, ObjectType, Op
from llmspell.plugins import PluginLoader
from llmspell.registry import EngineRegistry, GlobalRegistry, ProviderRegistry, ToolRegistry
from llmspell.security import SecurityPolicy
from llmspell.state import StateBackend, open_backend
from llmspell.watchdog import watchdog

if TYPE_CHECKING:
    from llmspell.sessions import Sessions

__all__ = [
    "CallContext",
    "Limits",
    "Output",
    "RunResult",
    "RunSession",
    "Runtime",
    "ToolContext",
    "parse_args",
]

#: the log levels by number (kept here for older imports; defined in llmspell.config)
LOG_LEVELS = LOG_LEVEL_NUMBERS


@dataclass
class Limits:
    """Per-run limits; ``None`` or 0 means unlimited.

    ``memory_mb`` bounds the engine's own heap; ``host_memory_mb`` bounds what the run
    makes the host hold (values crossing the bridge, tool results, event queues; the
    process's growth is watched too). See docs/security.md.
    """

    timeout_seconds: float | None = 300.0
    memory_mb: int | None = 256
    instruction_limit: int | None = None
    host_memory_mb: int | None = 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits configured in ``[runtime]``."""
        rt = settings.runtime
        return cls(
            rt.timeout_seconds,
            rt.memory_mb,
            rt.instruction_limit or None,
            rt.host_memory_mb or None,
        )

    @property
    def host_memory_bytes(self) -> int | None:
        """``host_memory_mb`` in bytes (None: unbounded)."""
        return self.host_memory_mb * 1024 * 1024 if self.host_memory_mb else None


class Output:
    """Where a run's output goes. ``print`` goes to stdout, warnings and logs to stderr;
    every write is flushed so script and host output keep their order."""

    def __init__(self, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> None:
        self._stdout = stdout
        self._stderr = stderr
        self._closed: set[str] = set()

    @property
    def stdout(self) -> IO[str]:
        """The stream print writes to."""
        return self._stdout or sys.stdout

    @property
    def stderr(self) -> IO[str]:
        """The stream warnings and logs write to."""
        return self._stderr or sys.stderr

    def write(self, text: str, stream: str = "stdout") -> None:
        """Write ``text`` to ``stream`` ("stdout" or "stderr") and flush.

        Once a reader has gone away (``llmspell run s.lua | head``), further output to
        that stream is dropped instead of failing the spell.
        """
        if stream in self._closed:
            return
        target = self.stderr if stream == "stderr" else self.stdout
        try:
            target.write(text)
            target.flush()
        except BrokenPipeError:
            self._closed.add(stream)


def parse_args(script_name: str, argv: Sequence[str]) -> dict[Any, Any]:
    """``ARGS`` of script-api.md#args: ``{0: script, 1: "a", ..., "k": "v", "flag": "true"}``."""
    args: dict[Any, Any] = {0: script_name}
    positional: list[str] = []
    i = 0
    argv = list(argv)
    while i < len(argv):
        tok = argv[i]
        if tok.startswith("--") and len(tok) > 2:
            name, eq, value = tok[2:].partition("=")
            if eq:
                args[name] = value
            elif i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                args[name] = argv[i + 1]
                i += 1
            else:
                args[name] = "true"
        else:
            positional.append(tok)
        i += 1
    for n, value in enumerate(positional, start=1):
        args[n] = value
    return args


@dataclass
class RunResult:
    """What a run returns: the script's result value, its duration and usage."""

    value: Any
    duration_ms: float
    engine: str
    usage: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``--output json`` object."""
        return {
            "result": self.value,
            "duration_ms": round(self.duration_ms, 3),
            "usage": self.usage,
        }


class RunSession:
    """The host of one script run: answers ops, holds limits, output, ARGS and handles."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        engine_cls: type[ScriptEngine],
        chunk_name: str,
        script_path: Path | None,
        argv: Sequence[str],
        limits: Limits,
        output: Output,
    ) -> None:
        self.runtime = runtime
        self.engine_name = engine_cls.name
        self.naming = engine_cls.naming
        self.chunk_name = chunk_name
        self.script_path = script_path
        self.args = parse_args(chunk_name, argv)
        self.limits = limits
        self.output = output
        self.started = time.monotonic()
        #: the correlation id of the run's events and hooks (workflows use their own)
        self.run_id = f"run-{os.urandom(6).hex()}"
        self.deadline = (
            self.started + limits.timeout_seconds if limits.timeout_seconds else float("inf")
        )
        #: set by :meth:`stop` (from any thread): why the run must end now
        self._stop: LimitExceeded | None = None
        self.usage: dict[str, Any] = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
        self.data: dict[str, Any] = {}
        self.cleanups: list[Callable[[], Any]] = []
        #: set by ``llmspell run --stream``: sees every agent call's tokens as they arrive
        #: (``call_started(agent, call_id)``, ``token(text, call_id)``,
        #: ``call_finished(call_id)``; concurrent calls have different ids)
        self.stream_observer: Any = None
        self.engine: ScriptEngine = engine_cls(self)

    # -- what engines bind ----------------------------------------------------------

    def globals(self) -> list[GlobalSpec]:
        """The globals this run's engine binds (language filters applied)."""
        return [
            g
            for g in self.runtime.globals.all()
            if g.languages is None or self.engine_name in g.languages
        ]

    def object_type(self, value: Any) -> ObjectType | None:
        """The object type of a host object an op returned, or None for plain values."""
        types = self.runtime.globals.object_types
        for cls in type(value).__mro__:
            ot = types.get(cls)
            if ot is not None:
                return ot
        return None

    def call(self, op: Op, args: Sequence[Any]) -> Any:
        """Run ``op`` with script ``args``: a value (sync ops) or an awaitable.

        Host errors raise :class:`LLMSpellError`. Any other exception is a bug in the op;
        engines turn it into a script error naming the op (see LuaEngine).
        """
        bound = op.bind_args(args, self.naming)
        if op.mode == "sync":
            return op.impl(self, *bound)
        if op.mode == "async":
            return op.impl(self, *bound)
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self.runtime.executor, lambda: op.impl(self, *bound))

    def renew(self) -> None:
        """Start the limits over for the next entry of an interactive session: a new
        wall-time deadline, and no stop request left from the entry before."""
        self.started = time.monotonic()
        timeout = self.limits.timeout_seconds
        self.deadline = self.started + timeout if timeout else float("inf")
        self._stop = None

    def check_deadline(self) -> None:
        """Raise LimitExceeded (or Interrupted) when the run must end: its wall-time limit
        has passed or :meth:`stop` was called. Cheap; call it at every await point and
        between steps of long host work."""
        if self._stop is not None or time.monotonic() > self.deadline:
            raise self.timeout_error()

    def stop_error(self) -> LimitExceeded | None:
        """The error the run must end with now, or None while it may go on."""
        if self._stop is not None or time.monotonic() > self.deadline:
            return self.timeout_error()
        return None

    def stop(self, err: LimitExceeded) -> None:
        """Ask the run to end with ``err`` (thread-safe; the first reason wins). Engines
        see it at their next cooperative check, as if the deadline had passed."""
        if self._stop is None:
            self._stop = err
        self.deadline = -float("inf")

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop is not None

    def timeout_error(self) -> LimitExceeded:
        """The error for a run that must end: the reason given to :meth:`stop`, else
        the wall-time limit."""
        if self._stop is not None:
            return self._stop
        return LimitExceeded(
            f"wall-time limit of {self.limits.timeout_seconds:g} s exceeded",
            limit="timeout",
            hint="raise it with --timeout SECONDS or [runtime] timeout_seconds",
        )

    def check_host_bytes(self, size: int, what: str) -> None:
        """Raise LimitExceeded when one value of ``size`` bytes (a value crossing the
        bridge, a tool result) would not fit in the run's host memory budget."""
        budget = self.limits.host_memory_bytes
        if budget is not None and size > budget:
            raise LimitExceeded(
                f"{what} needs about {size // (1024 * 1024)} MB, over the host memory "
                f"limit of {self.limits.host_memory_mb} MB",
                limit="host_memory",
                hint="raise it with --host-memory-mb N or [runtime] host_memory_mb",
            )

    # -- services ops use ------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The runtime's settings."""
        return self.runtime.settings

    @property
    def state(self) -> StateBackend:
        """The state backend (opened on first use)."""
        return self.runtime.state

    @property
    def policy(self) -> SecurityPolicy:
        """The security policy tools run under."""
        return self.runtime.policy

    def log(self, level: str, message: str, module: str | None = None) -> None:
        """Write a log line to stderr if ``level`` passes the configured log level."""
        if LOG_LEVELS.get(level, 20) < self.runtime.log_threshold:
            return
        where = f" [{module}]" if module else ""
        self.output.write(f"[{level.upper()}]{where} {message}\n", "stderr")

    def report(self, message: str) -> None:
        """Report a problem that does not stop the run (a failing hook): always shown."""
        self.output.write(f"[WARN] {message}\n", "stderr")


#: The context every op implementation receives as its first argument.
CallContext = RunSession


class ToolContext:
    """What a tool handler receives outside a spell: the same services a
    :class:`RunSession` offers tools (settings, policy, state, output, log)."""

    def __init__(self, runtime: Runtime, output: Output) -> None:
        self.runtime = runtime
        self.output = output

    @property
    def settings(self) -> Settings:
        """The runtime's settings."""
        return self.runtime.settings

    @property
    def policy(self) -> SecurityPolicy:
        """The security policy tools run under."""
        return self.runtime.policy

    @property
    def state(self) -> StateBackend:
        """The state backend."""
        return self.runtime.state

    def log(self, level: str, message: str, module: str | None = None) -> None:
        """Write a log line to stderr if ``level`` passes the configured log level."""
        if LOG_LEVELS.get(level, 20) >= self.runtime.log_threshold:
            where = f" [{module}]" if module else ""
            self.output.write(f"[{level.upper()}]{where} {message}\n", "stderr")

    def report(self, message: str) -> None:
        """Report a problem that does not stop the work (a failing hook): always shown."""
        self.output.write(f"[WARN] {message}\n", "stderr")


class Runtime:
    """Registries, configuration, state and the ``run`` entry point.

    ``Runtime()`` loads installed plugins; tests pass ``autoload=False`` and register
    what they need with ``runtime.loader.register(plugin, name=...)`` before
    :meth:`refresh` (or pass a ready ``loader``).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        loader: PluginLoader | None = None,
        autoload: bool = True,
        output: Output | None = None,
    ) -> None:
        self.settings = settings if settings is not None else load_settings()
        self.loader = loader if loader is not None else PluginLoader(autoload=autoload)
        self.output = output or Output()
        self.log_threshold = LOG_LEVELS[self.settings.runtime.log_level]
        self._state: StateBackend | None = None
        self._sessions: Sessions | None = None
        self._policy: SecurityPolicy | None = None
        #: an httpx transport providers use instead of the network (tests: MockTransport)
        self.provider_transport: Any = None
        #: agents created by spells of this runtime, by name
        self.agents: dict[str, Any] = {}
        #: workflows built by spells of this runtime, by id
        self.workflows: dict[str, Any] = {}
        #: the session that is current (``Session.set_current``): agents' memory and
        #: artifacts default to it; None when no session is current
        self.current_session_id: str | None = None
        #: services opened on first use (RAG, Memory and their vector index), by name;
        #: :meth:`close` closes them
        self.services: dict[str, Any] = {}
        events = self.settings.events
        self.events = EventBus(
            queue_size=events.queue_size,
            overflow=events.overflow,
            queue_bytes=events.queue_bytes,
        )
        self._executor: ThreadPoolExecutor | None = None
        self._started = False
        #: the usage of the last run, also of one that failed (``RunResult.usage`` shape)
        self.last_usage: dict[str, Any] = {}
        self.refresh()

    def refresh(self) -> None:
        """(Re)build the registries from the plugins' registration hooks."""
        self.engines = EngineRegistry()
        self.providers = ProviderRegistry()
        # notes about rs-llmspell's old tool names go where the run's stderr goes
        self.tools = ToolRegistry(note=lambda text: self.output.write(text + "\n", "stderr"))
        self.globals = GlobalRegistry()
        self.embedders = BackendRegistry(
            "embedder", hint="pip install 'llmspell-providers[local]' for the local embedder"
        )
        self.vector_stores = BackendRegistry("vector store")
        self.state_backends = BackendRegistry("state backend")
        #: State migrations plugins registered: (scope, version, fn, plugin)
        self.state_migrations: list[tuple[str, int, Callable[..., Any], str]] = []
        hooks = self.settings.hooks
        self.hooks = HookRegistry(on_error=hooks.on_error, max_retries=hooks.max_retries)
        self._collect("register_engines", self.engines.register)
        self._collect("register_providers", self.providers.register)
        self._collect("register_tools", self.tools.register)
        self._collect("register_globals", self.globals.register)
        self._collect("register_embedders", self.embedders.register)
        self._collect("register_vector_stores", self.vector_stores.register)
        self._collect("register_state_backends", self.state_backends.register)
        self._collect("register_state_migrations", self._register_migration)
        self._collect("register_hooks", self._register_hook)

    def _register_migration(
        self, scope: str, version: int, fn: Callable[..., Any], *, origin: str = ""
    ) -> None:
        if not isinstance(scope, str) or not scope or isinstance(version, bool):
            raise PluginError(f"register_state_migrations: bad scope {scope!r}")
        if not isinstance(version, int) or not callable(fn):
            raise PluginError(
                f"register_state_migrations: {scope!r} needs an integer version and a function"
            )
        self.state_migrations.append((scope, version, fn, origin))

    def _register_hook(
        self,
        point: str,
        fn: Callable[..., Any],
        priority: str = "normal",
        *,
        name: str = "",
        origin: str = "python",
    ) -> None:
        self.hooks.register(point, fn, priority, source=origin, name=name or origin)

    def _collect(self, hook: str, add: Callable[..., None]) -> None:
        # registration order: the core's built-ins first, then plugins as they loaded;
        # the first registration of a name stays and a later clash is reported
        for impl in getattr(self.loader.pm.hook, hook).get_hookimpls():
            origin = impl.plugin_name

            def register(*args: Any, _origin: str = origin, **kwargs: Any) -> None:
                try:
                    add(*args, origin=_origin, **kwargs) if _takes_origin(add) else add(
                        *args, **kwargs
                    )
                except LLMSpellError as exc:
                    self._plugin_failed(_origin, hook, exc)

            try:
                impl.function(register)
            except PluginError:
                raise  # strict mode: already reported by the callback
            except Exception as exc:
                self._plugin_failed(origin, hook, exc)

    def _plugin_failed(self, name: str, hook: str, exc: BaseException) -> None:
        info = self.loader._info(name)
        info.error = f"{hook} raised {type(exc).__name__}: {exc}"
        self.loader._fail(info, exc)

    # -- services -------------------------------------------------------------------

    @property
    def executor(self) -> ThreadPoolExecutor:
        """The worker thread that runs blocking ops (one, so state writes keep order)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llmspell-io")
        return self._executor

    @property
    def policy(self) -> SecurityPolicy:
        """The security policy of ``[security]`` (allowed paths taken from the cwd)."""
        if self._policy is None:
            self._policy = SecurityPolicy.from_settings(self.settings.security)
        return self._policy

    def tool_context(self, output: Output | None = None) -> ToolContext:
        """A context for running tools outside a spell (``llmspell tool invoke``)."""
        return ToolContext(self, output or self.output)

    @property
    def state(self) -> StateBackend:
        """The configured state backend, opened on first use."""
        if self._state is None:
            from llmspell.state.location import storage_location

            where = storage_location(self.settings)
            if where.backend in self.state_backends:
                factory = self.state_backends.get(where.backend).factory
                self._state = factory(where.location, settings=self.settings)
            else:
                self._state = open_backend(where.backend, where.location)
        return self._state

    @property
    def sessions(self) -> Sessions:
        """Sessions and artifacts, beside State (opened on first use)."""
        if self._sessions is None:
            from llmspell.sessions import open_sessions

            self._sessions = open_sessions(self.settings)
        return self._sessions

    def report(self, message: str) -> None:
        """Report a problem that does not stop the work (a failing hook): always shown."""
        self.output.write(f"[WARN] {message}\n", "stderr")

    async def _system_hook(self, point: str) -> None:
        if self.hooks.has(point):
            await self.hooks.run(point, {}, component_id="system", report=self.report)

    def close(self) -> None:
        """Shut down: call shutdown hooks, close the state store and worker thread."""
        if self._started:
            self.loader.call("llmspell_shutdown", runtime=self)
            if self.hooks.has("SystemShutdown"):
                try:
                    asyncio.get_running_loop()
                except RuntimeError:
                    asyncio.run(self._system_hook("SystemShutdown"))
                else:  # inside a loop (an async caller): run what can run now
                    self.report("SystemShutdown hooks skipped: close() was called in a loop")
            self._started = False
        for service in reversed(list(self.services.values())):
            service.close()
        self.services.clear()
        if self._state is not None:
            self._state.close()
            self._state = None
        if self._sessions is not None:
            self._sessions.close()
            self._sessions = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    # -- running --------------------------------------------------------------------

    def select_engine(self, path: str | Path | None, engine: str | None) -> type[ScriptEngine]:
        """``--engine`` > file extension (of the path, or of the chunk name for source
        runs) > configured default engine."""
        if engine:
            return self.engines.get(engine)
        if path is not None and Path(path).suffix and not str(path).startswith("<"):
            found = self.engines.for_path(path)
            if found is None:
                raise self.engines.missing_for_path(path)
            return found
        return self.engines.get(self.settings.runtime.default_engine)

    async def run(
        self,
        source: str | None = None,
        *,
        path: str | Path | None = None,
        engine: str | None = None,
        argv: Sequence[str] = (),
        limits: Limits | None = None,
        chunk_name: str | None = None,
        output: Output | None = None,
        stream_observer: Any = None,
    ) -> RunResult:
        """Run a spell from ``source`` or ``path``; returns its :class:`RunResult`.

        Raises :class:`ScriptError` (uncaught script errors, with file and line),
        :class:`LimitExceeded`, or another :class:`LLMSpellError`.
        """
        if source is None:
            if path is None:
                raise ValueError("run() needs source or path")
            try:
                source = Path(path).read_text(encoding="utf-8-sig")  # (drops a BOM)
            except FileNotFoundError:
                raise NotFoundError(f"script file {str(path)!r} does not exist") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise ScriptError(f"cannot read script {str(path)!r}: {exc}") from None
        if source.startswith("\ufeff"):  # a byte-order mark is not part of the spell
            source = source[1:]
        engine_cls = self.select_engine(path if path is not None else chunk_name, engine)
        name = chunk_name or (Path(path).name if path is not None else "<string>")
        await self.start()
        session = RunSession(
            self,
            engine_cls=engine_cls,
            chunk_name=name,
            script_path=Path(path) if path is not None else None,
            argv=argv,
            limits=limits or Limits.from_settings(self.settings),
            output=output or self.output,
        )
        session.stream_observer = stream_observer
        start = time.perf_counter()
        self._run_event(session, "run.started", start)
        try:
            value = await self.watched(session, session.engine.run(source, name))
        except BaseException as exc:
            self._run_event(session, "run.failed", start, exc)
            raise
        finally:
            # what the run spent, also when it failed (the CLI reports it either way)
            self.last_usage = dict(session.usage)
            session.engine.close()
            for cleanup in reversed(session.cleanups):
                cleanup()
        duration = (time.perf_counter() - start) * 1000
        self._run_event(session, "run.completed", start)
        return RunResult(value, duration, engine_cls.name, dict(session.usage))

    def _run_event(
        self, session: RunSession, event_type: str, start: float, error: BaseException | None = None
    ) -> None:
        """Publish ``run.started`` / ``run.completed`` / ``run.failed`` (the run log and
        tracing listen: docs/observability.md); the first run attaches them."""
        if event_type == "run.started" and not hasattr(self, "observability"):
            from llmspell.observability import attach

            attach(self)
        if not self.events.has_listeners:
            return
        info: dict[str, Any] = {"run_id": session.run_id, "spell": session.chunk_name}
        if event_type == "run.started":
            info["engine"] = session.engine_name
            info["script"] = str(session.script_path) if session.script_path else None
        else:
            info["duration_ms"] = round((time.perf_counter() - start) * 1000, 3)
            info["usage"] = dict(session.usage)
        if error is not None:
            info["error"] = str(error) or type(error).__name__
            info["error_kind"] = getattr(error, "kind", None) or type(error).__name__
        self.events.notify(event_type, info, session.run_id)

    async def start(self) -> None:
        """Start the runtime once (the first run does it): check ``[tools.NAME]`` tables,
        call the plugins' ``llmspell_startup`` and the SystemStartup hooks."""
        if self._started:
            return
        if self.settings.tools:  # a typo in a [tools.NAME] table stops the run here
            from llmspell.tool_settings import check_tool_tables

            check_tool_tables(self.settings, self.tools)
        self._started = True
        self.loader.call("llmspell_startup", runtime=self)
        await self._system_hook("SystemStartup")

    def interactive(
        self,
        *,
        engine: str | None = None,
        limits: Limits | None = None,
        output: Output | None = None,
        chunk_name: str = "stdin",
    ) -> Any:
        """An :class:`~llmspell.interactive.InteractiveSession` of ``engine`` (default:
        ``[runtime] default_engine``): one engine state that runs entries one by one."""
        from llmspell.interactive import InteractiveSession

        return InteractiveSession(
            self, engine=engine, limits=limits, output=output, chunk_name=chunk_name
        )

    async def watched(self, session: RunSession, work: Any) -> Any:
        """Await ``work`` (an engine's run of ``session``) under the session's limits: the
        wall-time limit, the watchdog (memory, Ctrl-C). A limit that ends it is raised as
        :class:`LimitExceeded` located at the spell's line when the engine can tell."""
        watch = watchdog.watch(session)
        try:
            timeout = session.limits.timeout_seconds or None
            async with asyncio.timeout(timeout):
                return await work
        except LimitExceeded as err:
            # a limit the host raised (a deadline checked between workflow steps, the host
            # memory budget) has no spell location of its own
            raise self._located(session, err) from None
        except TimeoutError:
            raise self._located(session, session.timeout_error()) from None
        except asyncio.CancelledError:
            if not session.stopping:
                raise  # cancelled by our caller, not by a limit
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            raise self._located(session, session.timeout_error()) from None
        finally:
            watchdog.unwatch(watch)

    @staticmethod
    def _located(session: RunSession, err: LimitExceeded) -> LimitExceeded:
        """``err`` with the spell's location, when it has none (raised by the host)."""
        if err.file is None:
            try:
                line = session.engine.current_line()
            except Exception:
                line = None
            err.at(session.chunk_name, line)
        return err

    def run_sync(self, source: str | None = None, **kwargs: Any) -> RunResult:
        """:meth:`run` from synchronous code (starts an event loop)."""
        return asyncio.run(self.run(source, **kwargs))


def _takes_origin(fn: Callable[..., Any]) -> bool:
    import inspect

    try:
        return "origin" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
