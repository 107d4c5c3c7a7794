"""The worker process of one run: ``python -m llmspell_cli.serve.child`` imports
llmspell, its plugins and engines, writes ``{"t": "ready"}`` to stdout, then reads the run
(JSON) on stdin — a warm worker waits there, started ahead of time (serve/pool.py) —,
runs the spell under its limits and writes JSON lines to stdout:
``{"t": "out", "s": "stdout"|"stderr", "x": TEXT}`` while it runs, then one
``{"t": "done", "result": ..., "usage": ..., "error": ...}``, and exits: a process runs
one run only. The service kills this process at the run's limit or on cancel."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import threading
from typing import IO, Any

__all__ = ["main"]

#: [serve] warm_sdks, as serve/warm.py passes it
WARM_SDKS = "LLMSPELL_SERVE_WARM_SDKS"


class _Pipe:
    """A text stream that forwards every write as an ``out`` message."""

    def __init__(self, emit: Any, stream: str) -> None:
        self._emit = emit
        self._stream = stream

    def write(self, text: str) -> int:
        if text:
            self._emit({"t": "out", "s": self._stream, "x": text})
        return len(text)

    def flush(self) -> None:
        return None


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=lambda v: f"<{type(v).__name__}>"))


def _give_history(runtime: Any, history: list[dict[str, str]]) -> None:
    """An agent run of a chat: the agent the spell creates starts with the earlier turns
    of the conversation (set when it is built, before its first call)."""
    from llmspell.llm import Message

    turns = [Message(role=t["role"], content=str(t["content"])) for t in history]  # type: ignore[arg-type]

    def seed(ctx: Any) -> None:
        agent = runtime.agents.get(ctx.data.get("agent"))
        if agent is not None and not agent.history:
            agent.history = list(turns)

    runtime.hooks.register("AfterAgentInit", seed, "highest", source="serve", name="serve-chat")


def _die_with_parent() -> None:
    """Be killed when the service process that started this one dies (Linux; even by
    kill -9), so no spell outlives the host that watches it; exit at once when it has
    already died."""
    parent = os.environ.pop("LLMSPELL_SERVE_PARENT", None)
    if sys.platform.startswith("linux") and parent:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != int(parent):
            os._exit(1)


def _set_name(name: bytes) -> None:
    """Name the process (``ps``, ``/proc/PID/comm``; Linux): ``llmspell-warm`` while it
    waits for a run, ``llmspell-run`` once it has one."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name))  # PR_SET_NAME


def _preload() -> None:
    """Import what a run needs before it arrives: the runtime, the run log, the provider
    SDKs of ``[serve] warm_sdks``, the plugins (the engines, providers and tools they
    bring; their entry points scanned once) and the engines' modules."""
    import llmspell.llm
    import llmspell.observability.attach
    import llmspell.observability.runlog
    import llmspell.runtime  # noqa: F401
    from llmspell import entry_points
    from llmspell.plugins import PluginLoader

    entry_points.remember()  # the run's Runtime finds the plugins without a second scan
    for sdk in filter(None, os.environ.pop(WARM_SDKS, "").split(",")):
        with contextlib.suppress(Exception):  # not installed: the agent call says so
            importlib.import_module(sdk)  # [serve] warm_sdks (serve/warm.py)
    loader = PluginLoader()
    for impl in loader.pm.hook.register_engines.get_hookimpls():
        # a broken plugin is reported by the run's own Runtime
        with contextlib.suppress(Exception):
            impl.function(lambda *_args, **_kwargs: None)  # imports the engine's module


def main() -> None:
    """Run the spell described on stdin; the protocol is in the module docstring."""
    _die_with_parent()
    _set_name(b"llmspell-warm")
    proto: IO[str] = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # anything else printing to fd 1 goes to stderr, not into the protocol
    sys.stdout = sys.stderr
    lock = threading.Lock()

    def emit(message: dict[str, Any]) -> None:
        line = json.dumps(message, ensure_ascii=False, default=str)
        with lock:
            proto.write(line + "\n")
            proto.flush()

    _preload()
    emit({"t": "ready"})
    spec = json.loads(sys.stdin.read())
    _set_name(b"llmspell-run")
    # the caller's trace context (a request's traceparent header), else a new trace: the
    # run's span continues it when tracing is on
    os.environ.pop("TRACEPARENT", None)
    if spec.get("traceparent"):
        os.environ["TRACEPARENT"] = spec["traceparent"]
    from llmspell.config import load_settings
    from llmspell.errors import LLMSpellError, SpellExit
    from llmspell.runtime import Output, Runtime
    from llmspell.watchdog import watchdog

    watchdog.set_mode("exit")
    overrides: dict[tuple[str, ...], Any] = {
        ("runtime", "timeout_seconds"): spec.get("timeout"),
        ("runtime", "memory_mb"): spec.get("memory_mb"),
    }
    done: dict[str, Any] = {"t": "done", "result": None, "usage": None, "error": None}
    runtime = None
    try:
        settings = load_settings(spec.get("config"), overrides=overrides)
        output = Output(stdout=_Pipe(emit, "stdout"), stderr=_Pipe(emit, "stderr"))  # type: ignore[arg-type]
        runtime = Runtime(settings, output=output)
        if spec.get("history"):
            _give_history(runtime, spec["history"])
        observer = None
        if spec.get("stream_agents"):  # a streaming chat, or a run asking: tokens go out live
            from llmspell_cli.serve.agent_tokens import AgentTokens

            observer = AgentTokens(emit)
        result = runtime.run_sync(
            spec.get("source"),
            path=spec.get("path"),
            engine=spec.get("engine"),
            argv=spec.get("args") or [],
            chunk_name=spec.get("chunk_name"),
            stream_observer=observer,
        )
        done["result"] = _jsonable(result.value)
        done["usage"] = result.usage
    except SpellExit as exc:
        done["usage"] = runtime.last_usage if runtime else None
        if exc.code:
            done["error"] = {
                "kind": "SpellExit",
                "message": f"the spell exited with code {exc.code}",
            }
    except LLMSpellError as exc:
        done["usage"] = (runtime.last_usage or None) if runtime else None
        done["error"] = {"kind": exc.kind, "message": str(exc), "file": exc.file, "line": exc.line}
    except Exception as exc:  # a bug, reported rather than lost
        done["error"] = {"kind": "InternalError", "message": f"{type(exc).__name__}: {exc}"}
    finally:
        if runtime is not None:
            runtime.close()
    emit(done)
    proto.close()


if __name__ == "__main__":
    main()
