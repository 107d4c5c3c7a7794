"""The ipykernel ``Kernel`` that runs notebook cells as REPL entries.

One :class:`~llmspell_cli.repl.state.ReplState` per kernel: globals, top-level locals,
agents, tools and State persist between cells exactly as between REPL entries. While a
cell runs, ``print`` (stdout), warnings and ``io.stderr`` (stderr) and agents' tokens
(stderr, ``[agent] ...`` as in ``llmspell run --stream``) go out as ``stream`` messages
as they are written; an expression's values come back as ``execute_result``; an error as
an ``error`` whose ``ename`` is the llmspell error kind. SIGINT (a front end's
"interrupt", ``interrupt_mode: signal``) reaches the watchdog, which stops the running
cell with ``Interrupted``; the kernel goes on. Lua's ``io.read`` asks the front end
(``input_request``, :mod:`.stdin`); ``inspect`` and ``history`` requests are answered
from the op table (:mod:`llmspell_cli.repl.inspect`) and the cells run (:mod:`.history`).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipykernel.kernelbase import Kernel

from llmspell_cli.kernel.history import CellHistory, history_reply
from llmspell_cli.kernel.protocol import (
    completion_reply,
    error_content,
    inspect_reply,
    is_complete_reply,
    language_info,
    result_data,
)
from llmspell_cli.kernel.stdin import KernelStdin, request_input
from llmspell_cli.repl.state import Outcome, ReplState
from llmspell_cli.stream_display import StreamDisplay

if TYPE_CHECKING:
    from llmspell.errors import LLMSpellError
    from llmspell.runtime import Runtime

__all__ = ["KernelOptions", "LLMSpellKernel", "kernel_class"]

#: what ``.help`` shows in a notebook
HELP = """Commands (a cell of one line):
  .help        show this help
  .help NAME   the help of NAME (State, State.save, agent:execute, a tool, an agent)
  .save FILE   write the cells that ran without an error as a spell
  .load FILE   run a spell file in this session (its globals and locals stay)
  .clear       start a fresh session (globals and locals forgotten)

Tab completes; Shift-Tab shows the help of the name at the cursor; the notebook's
Interrupt stops a running cell.
"""

#: dot commands that make no sense in a notebook, and what to do instead
_REFUSED = {
    ".exit": "use the notebook's Shut Down Kernel",
    ".quit": "use the notebook's Shut Down Kernel",
    ".engine": "pick the other llmspell kernel (llmspell kernel install --engine lua|js)",
}


@dataclass(frozen=True)
class KernelOptions:
    """What ``python -m llmspell_cli.kernel`` was started with (the kernel spec's argv)."""

    engine: str = "lua"
    config: Path | None = None
    timeout: float | None = None
    allow_net: bool = False

    def build_runtime(self) -> Runtime:
        """The runtime these options describe (a bad configuration prints its error and
        exits 2, as every command does)."""
        from llmspell_cli._support import build_runtime
        from llmspell_cli.run_exec import network_overrides

        overrides = {
            ("runtime", "timeout_seconds"): self.timeout,
            **network_overrides(self.allow_net, None),
        }
        return build_runtime(self.config, overrides)


class KernelStream:
    """A text stream whose writes go to the front end as ``stream`` messages at once."""

    def __init__(self, kernel: LLMSpellKernel, name: str) -> None:
        self.kernel = kernel
        self.name = name

    def write(self, text: str) -> int:
        """Send ``text`` as a ``stream`` message of this stream's name."""
        if text:
            self.kernel.send_stream(self.name, text)
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered."""

    def isatty(self) -> bool:
        """Not a terminal (no spinners, no colours)."""
        return False


class _TokenDisplay(StreamDisplay):
    """Agents' tokens on the kernel's stderr stream (``[agent] text``)."""

    def __init__(self, out: KernelStream) -> None:
        super().__init__()
        self._out = out


class _CellState(ReplState):
    """A REPL state whose entries report values and errors to the caller instead of
    printing them (the kernel sends them as messages)."""

    label = "<kernel>"

    async def run(self, source: str, chunk_name: str | None = None) -> Outcome:
        """Run one entry; its values or its error are in the outcome."""
        from llmspell.errors import LLMSpellError
        from llmspell.watchdog import watchdog

        watchdog.reset_interrupts()
        try:
            values = await self.session.run(source, chunk_name=chunk_name)
        except LLMSpellError as exc:
            return Outcome(error=exc)
        finally:
            self._end_streams()
        return Outcome(values=values)


class LLMSpellKernel(Kernel):
    """Runs cells of one language (``options.engine``) in one interactive session."""

    implementation = "llmspell"
    implementation_version = "0.1.0"
    banner = "llmspell: Lua and JavaScript spells that orchestrate LLM agents"
    options = KernelOptions()
    #: the runtime built before the kernel started (its errors reach the real stderr)
    prebuilt: Runtime | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        from importlib import metadata

        from llmspell.runtime import Output

        opts = self.options
        self.language_info = language_info(opts.engine)
        with contextlib.suppress(metadata.PackageNotFoundError):
            self.implementation_version = metadata.version("llmspell-cli")
        self.runtime: Runtime = self.prebuilt or opts.build_runtime()
        stdout, stderr = KernelStream(self, "stdout"), KernelStream(self, "stderr")
        self.runtime.output = Output(stdout=stdout, stderr=stderr)  # type: ignore[arg-type]
        self.state = _CellState(
            self.runtime,
            opts.engine,
            stdout=stdout,  # type: ignore[arg-type]
            stderr=stderr,  # type: ignore[arg-type]
            chunk_name="cell",
            stream_observer=_TokenDisplay(stderr),
        )
        self.history = CellHistory()
        #: whether the front end of the cell being run answers input requests
        self.stdin_allowed = False
        # the kernel's own standard input is a pipe nothing writes to: io.read asks the
        # front end instead
        self.stdin = KernelStdin(self)
        sys.stdin = self.stdin
        engine_cls = self.runtime.engines.get(opts.engine)
        self.banner = f"llmspell {self.implementation_version}: {engine_cls.language}"

    # -- signals: Ctrl-C goes to the watchdog, not to a KeyboardInterrupt ----------------

    def pre_handler_hook(self) -> None:
        """Route SIGINT to the watchdog while a request is handled (ipykernel would
        raise KeyboardInterrupt in whatever Python frame runs, inside the engine)."""
        from llmspell.watchdog import watchdog

        watchdog.install_sigint()

    def post_handler_hook(self) -> None:
        """Keep the route: a SIGINT between requests is forgotten before the next cell."""

    # -- output --------------------------------------------------------------------------

    def send_stream(self, name: str, text: str) -> None:
        """A ``stream`` message (``stdout``/``stderr``) for the request being handled."""
        self._publish("stream", {"name": name, "text": text})

    def _publish(self, msg_type: str, content: dict[str, Any]) -> None:
        """An IOPub message for the request being handled."""
        self.send_response(self.iopub_socket, msg_type, content)  # type: ignore[no-untyped-call]

    # -- requests ------------------------------------------------------------------------

    async def do_execute(
        self,
        code: str,
        silent: bool,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool = False,
        *,
        cell_meta: dict[str, Any] | None = None,
        cell_id: str | None = None,
    ) -> dict[str, Any]:
        """Run a cell (or a dot command: ``.help [NAME]``, ``.save FILE``, ``.load FILE``,
        ``.clear``); a cell that is not ``silent`` and stores history is remembered for
        ``history`` requests with its ``text/plain`` result."""
        self.stdin_allowed = allow_stdin
        self.stdin.reset()
        try:
            reply, output = await self._execute(code, silent)
        finally:
            self.stdin_allowed = False
        if code.strip() and not silent and store_history:
            self.history.record(self.execution_count, code, output)
        return reply

    async def _execute(self, code: str, silent: bool) -> tuple[dict[str, Any], str | None]:
        from llmspell.errors import LLMSpellError, ValidationError

        stripped = code.strip()
        count = self.execution_count
        ok: dict[str, Any] = {
            "status": "ok",
            "execution_count": count,
            "payload": [],
            "user_expressions": {},
        }
        if not stripped:
            return ok, None
        if "\n" not in stripped and stripped.startswith(".") and stripped[1:2].isalpha():
            name, _, arg = stripped.partition(" ")
            try:
                if name == ".help" and not arg.strip():
                    self.send_stream("stdout", HELP)
                    return ok, None
                if name in _REFUSED:
                    raise ValidationError(
                        f"{name} is a REPL command the kernel does not run", hint=_REFUSED[name]
                    )
                outcome = await self.state.command(stripped)
            except LLMSpellError as exc:
                outcome = Outcome(error=exc)
        else:
            outcome = await self.state.run(code, chunk_name=f"In[{count}]")
        if outcome.error is not None:
            return {**self._send_error(outcome.error), "execution_count": count}, None
        if outcome.values and not silent:
            data = result_data(outcome.values, self.state.engine)
            content = {"execution_count": count, "data": data, "metadata": {}}
            self._publish("execute_result", content)
            return ok, str(data["text/plain"])
        return ok, None

    def ask_input(self, prompt: str = "") -> str | None:
        """An answer from the front end for the running cell (``io.read``); None when it
        does not take input or answered Ctrl-D (the end of input)."""
        if not self.stdin_allowed:
            return None
        return request_input(self, prompt, self.state.session.session.stop_error)

    def _send_error(self, exc: LLMSpellError) -> dict[str, Any]:
        content = error_content(exc)
        self._publish("error", content)
        return {"status": "error", **content}

    async def do_complete(self, code: str, cursor_pos: int | None) -> dict[str, Any]:
        """Completions from the op table, tools, agents and config keys (the REPL's)."""
        pos = len(code) if cursor_pos is None else cursor_pos
        return completion_reply(self.runtime, self.state.engine, code, pos)

    async def do_inspect(
        self,
        code: str,
        cursor_pos: int,
        detail_level: int = 0,
        omit_sections: Any = (),
    ) -> dict[str, Any]:
        """Help for the name at the cursor, from the op table (a global, a function, a
        method, a tool or agent name in a string); ``found: false`` when none has help."""
        return inspect_reply(self.runtime, self.state.engine, code, cursor_pos, detail_level)

    async def do_history(
        self,
        hist_access_type: str,
        output: bool,
        raw: bool,
        session: int | None = None,
        start: int | None = None,
        stop: int | None = None,
        n: int | None = None,
        pattern: str | None = None,
        unique: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """``tail``, ``range`` and ``search`` over the cells this kernel ran."""
        content = {
            "hist_access_type": hist_access_type, "output": output, "session": session,
            "start": start, "stop": stop, "n": n, "pattern": pattern, "unique": unique,
        }  # fmt: skip
        return history_reply(self.history, content)

    async def do_is_complete(self, code: str) -> dict[str, Any]:
        """``complete``, ``incomplete`` (with an indent) or ``invalid``."""
        return is_complete_reply(self.state.engine, code)

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        """Close the session and the runtime."""
        try:
            self.state.close()
        finally:
            self.runtime.close()
        return {"status": "ok", "restart": restart}


def kernel_class(options: KernelOptions, runtime: Runtime | None = None) -> type[LLMSpellKernel]:
    """A kernel class started with ``options`` and ``runtime`` (built from the options
    when None); IPKernelApp instantiates it."""
    return type("LLMSpellKernel", (LLMSpellKernel,), {"options": options, "prebuilt": runtime})
