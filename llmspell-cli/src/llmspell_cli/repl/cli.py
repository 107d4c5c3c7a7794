"""``llmspell repl``: registration, start-up, and piped (non-terminal) input."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from llmspell_cli.common import EXIT_OK, EXIT_SCRIPT, ConfigOpt

if TYPE_CHECKING:
    from llmspell_cli.repl.state import ReplState

__all__ = ["INTERRUPT_GRACE", "read_entries", "register"]

#: seconds an entry stopped by Ctrl-C may take to end before the REPL itself ends (an
#: agent call's first use imports its SDK, which cannot be stopped half-way)
INTERRUPT_GRACE = 10.0


def register(app: typer.Typer) -> None:
    """Add ``repl`` to ``app``."""

    @app.command("repl")
    def repl(
        engine: Annotated[
            str | None,
            typer.Option("--engine", "-e", help="lua or js (default: [runtime] default_engine)."),
        ] = None,
        config: ConfigOpt = None,
        timeout: Annotated[
            float | None,
            typer.Option("--timeout", min=0.001, help="Wall-time limit of each entry (seconds)."),
        ] = None,
        allow_net: Annotated[
            bool, typer.Option("--allow-net", help="Let network tools run.")
        ] = False,
        stream: Annotated[
            bool,
            typer.Option(
                "--stream/--no-stream",
                help="Show agents' tokens as they arrive (on a terminal; on by default).",
            ),
        ] = True,
        trace: Annotated[
            Path | None,
            typer.Option(
                "--trace",
                help="Write each entry's spans to FILE as JSON lines (needs the otel extra).",
                metavar="FILE",
            ),
        ] = None,
    ) -> None:
        """Interactive Lua or JavaScript: globals, top-level locals, agents and State
        persist between entries; an expression's value is echoed. Reads entries from
        standard input when it is not a terminal. Type .help for the commands."""
        code = start(
            engine=engine,
            config=config,
            timeout=timeout,
            allow_net=allow_net,
            stream=stream,
            trace=trace,
        )
        raise typer.Exit(code)


def start(
    *,
    engine: str | None,
    config: Path | None,
    timeout: float | None,
    allow_net: bool,
    stream: bool,
    stdin: IO[str] | None = None,
    trace: Path | None = None,
) -> int:
    """Run the REPL; returns the exit code (1 when a piped entry failed)."""
    from llmspell.errors import LLMSpellError
    from llmspell.watchdog import watchdog
    from llmspell_cli._support import build_runtime, fail
    from llmspell_cli.repl.state import ReplState
    from llmspell_cli.run_exec import _start_tracing, network_overrides

    stdin = stdin or sys.stdin
    interactive = stdin.isatty() and sys.stdout.isatty()
    # Ctrl-C while an entry runs stops it; a second one, or one while nothing runs
    # (piped input), ends the process (130), as for `llmspell run`
    watchdog.set_mode("exit")
    watchdog.interrupt_grace = INTERRUPT_GRACE
    watchdog.install_sigint()
    overrides = {
        ("runtime", "timeout_seconds"): timeout,
        **network_overrides(allow_net, None),
    }
    runtime = build_runtime(config, overrides)
    if trace is not None:
        _start_tracing(runtime, trace)
    observer = None
    if interactive and stream:
        from llmspell_cli.stream_display import StreamDisplay

        observer = StreamDisplay()
    try:
        try:
            state = ReplState(runtime, engine or runtime.settings.runtime.default_engine,
                              stream_observer=observer)  # fmt: skip
        except LLMSpellError as exc:
            fail(f"{exc.kind}: {exc}")
        try:
            if interactive:
                from llmspell_cli.repl.terminal import run_terminal

                asyncio.run(run_terminal(state, _banner(state)))
                return EXIT_OK
            failed = asyncio.run(_run_piped(state, stdin))
            return EXIT_SCRIPT if failed else EXIT_OK
        except LLMSpellError as exc:  # prompt_toolkit missing
            fail(f"{exc.kind}: {exc}")
        finally:
            state.close()
    finally:
        runtime.close()


def _banner(state: ReplState) -> str:
    from importlib import metadata

    engine_cls = state.runtime.engines.get(state.engine)
    try:
        version = metadata.version("llmspell-cli")
    except metadata.PackageNotFoundError:
        version = "(unknown version)"
    return (
        f"llmspell {version} — {engine_cls.language} "
        f"(.help for help, .exit or Ctrl-D to leave)"
    )


def read_entries(engine: str, lines: Iterable[str]) -> Iterator[str]:
    """Yield whole entries from ``lines``: a dot command is one line; other lines gather
    until :func:`~llmspell_cli.repl.complete.is_complete` says the entry is whole (what is
    left at the end of input is an entry too)."""
    from llmspell_cli.repl.complete import is_complete

    buffer: list[str] = []
    for line in lines:
        if not buffer and line.strip().startswith(".") and line.strip()[1:2].isalpha():
            yield line.strip()
            continue
        buffer.append(line)
        text = "".join(buffer)
        if not text.strip():
            buffer.clear()
            continue
        if is_complete(engine, text):
            yield text
            buffer.clear()
    if "".join(buffer).strip():
        yield "".join(buffer)


async def _run_piped(state: ReplState, stdin: IO[str]) -> bool:
    """Run the entries of piped input one by one; True when one of them failed."""
    failed = False
    # the engine can change with .engine: read the lines first, split as they come
    lines = iter(stdin.readline, "")
    while True:
        entries = read_entries(state.engine, lines)
        engine = state.engine
        for entry in entries:
            outcome = await state.submit(entry)
            failed = failed or outcome.error is not None
            if outcome.exit:
                return failed
            if state.engine != engine:
                break  # read the rest in the new language
        else:
            return failed
