"""Running a spell for ``llmspell run`` and ``llmspell exec``, without typer: reading the
spell, building the runtime, the progress line and the stream display, printing the
result, the usage and the error report."""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Any

from llmspell_cli._support import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    OutputFormat,
    build_runtime,
    fail,
    report,
)

#: the largest values the limit flags take (the same bounds as [runtime] in llmspell.toml)
MAX_MEMORY_MB = 1_048_576
MAX_TIMEOUT = 31_536_000.0


class LogLevel(StrEnum):
    """Levels for ``--log-level``."""

    trace = "trace"
    debug = "debug"
    info = "info"
    warn = "warn"
    warning = "warning"
    error = "error"
    off = "off"


def network_overrides(allow_net: bool, allow_hosts: list[str] | None) -> dict[tuple[str, ...], Any]:
    """The settings ``--allow-net``/``--allow-host`` set (``--allow-host`` implies the other)."""
    return {("security", "allow_network"): True if allow_net or allow_hosts else None}


def _print_result(value: Any, fmt: OutputFormat, payload: dict[str, Any]) -> None:
    try:
        _write_result(value, fmt, payload)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (`llmspell run s.lua | head`): not a failure of the spell
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _write_result(value: Any, fmt: OutputFormat, payload: dict[str, Any]) -> None:
    if fmt is OutputFormat.json:
        print(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=_unjsonable))
    elif value is not None:
        if isinstance(value, dict | list):
            print(
                json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=_unjsonable)
            )
        elif isinstance(value, bool):
            print("true" if value else "false")
        elif not isinstance(value, str | int | float):
            print(_unjsonable(value))
        else:
            print(value)


def _unjsonable(value: Any) -> str:
    from llmspell.ops import ScriptFunction

    return "<function>" if isinstance(value, ScriptFunction) else f"<{type(value).__name__}>"


def execute(
    *,
    source: str | None,
    path: Path | None,
    chunk_name: str | None,
    engine: str | None = None,
    config: Path | None = None,
    output: OutputFormat = OutputFormat.text,
    timeout: float | None = None,
    memory_mb: int | None = None,
    log_level: LogLevel | None = None,
    argv: list[str] | None = None,
    host_memory_mb: int | None = None,
    usage: bool = False,
    stream: bool = False,
    quiet: bool = False,
    allow_net: bool = False,
    allow_hosts: list[str] | None = None,
    trace: Path | None = None,
) -> None:
    """Run one spell the way ``llmspell run``/``exec`` do and exit as they do: print the
    result (or the error and what was spent), then return (exit 0) or raise SystemExit."""
    from llmspell.errors import LLMSpellError, NotFoundError, SpellExit

    overrides: dict[tuple[str, ...], Any] = {
        ("runtime", "timeout_seconds"): timeout,
        ("runtime", "memory_mb"): memory_mb,
        ("runtime", "host_memory_mb"): host_memory_mb,
        ("runtime", "log_level"): log_level.value if log_level else None,
        **network_overrides(allow_net, allow_hosts),
    }
    from llmspell.watchdog import watchdog

    # a run that overruns its limits (or a second Ctrl-C) ends the process: see
    # docs/security.md, "the watchdog"
    watchdog.set_mode("exit")
    watchdog.install_sigint()
    runtime = build_runtime(config, overrides, allow_hosts=allow_hosts)
    if trace is not None:
        _start_tracing(runtime, trace)
    display = _progress(runtime, quiet=quiet, stream=stream, log_level=log_level)
    started = time.perf_counter()
    try:
        observer = None
        if stream:
            from llmspell_cli.stream_display import StreamDisplay

            observer = StreamDisplay(lock=display.lock if display else None)
        result = runtime.run_sync(
            source,
            path=path,
            engine=engine,
            argv=argv or [],
            chunk_name=chunk_name,
            stream_observer=observer,
        )
    except LLMSpellError as exc:
        if display is not None:
            display.close()
        if isinstance(exc, NotFoundError) and exc.file is None:
            # no such script file or engine: a usage error, raised before the spell ran
            print(f"llmspell: {exc.kind}: {exc}", file=sys.stderr)
            raise SystemExit(EXIT_USAGE) from None
        spent = runtime.last_usage or None
        if isinstance(exc, SpellExit):
            # os.exit(code): the spell ended itself, with nothing to report
            if output is OutputFormat.json:
                duration = round((time.perf_counter() - started) * 1000, 3)
                payload = {"result": None, "exit_code": exc.code, "duration_ms": duration,
                           "usage": spent}  # fmt: skip
                print(json.dumps(payload, sort_keys=True))
            _report_spent(spent, table=usage)
            raise SystemExit(exc.code) from None
        if output is OutputFormat.json:
            err = {"kind": exc.kind, "message": str(exc), "file": exc.file, "line": exc.line}
            duration = round((time.perf_counter() - started) * 1000, 3)
            payload = {"result": None, "error": err, "duration_ms": duration, "usage": spent}
            print(json.dumps(payload, sort_keys=True))
        try:
            report(exc)
        finally:  # the error first, then what the run spent before it
            _report_spent(spent, table=usage)
    except KeyboardInterrupt:
        if display is not None:
            display.close()
        try:
            fail("interrupted", EXIT_INTERRUPTED)
        finally:
            _report_spent(runtime.last_usage or None, table=usage)
    finally:
        if display is not None:
            display.close()
        runtime.close()
    _print_result(result.value, output, result.to_json())
    if usage:
        from llmspell_cli.stream_display import print_usage

        print_usage(result.usage)


def _start_tracing(runtime: Any, path: Path) -> None:
    """``--trace FILE``: spans of the run written to FILE (a usage error when the
    OpenTelemetry SDK is missing or the file cannot be written)."""
    from llmspell.errors import LLMSpellError
    from llmspell.observability import attach

    try:
        attach(runtime, trace_file=path)
    except LLMSpellError as exc:
        runtime.close()
        fail(f"--trace: {exc.kind}: {exc}", EXIT_USAGE)


def _progress(runtime: Any, *, quiet: bool, stream: bool, log_level: LogLevel | None) -> Any:
    """The progress display for this run: a status line on a terminal (not with
    ``--quiet``), runtime events as log lines with ``--log-level debug|trace``."""
    verbose = log_level in (LogLevel.debug, LogLevel.trace)
    if quiet and not verbose:
        return None
    if not verbose and not sys.stderr.isatty():
        return None
    from llmspell_cli.progress_display import ProgressDisplay

    display = ProgressDisplay(
        live=sys.stderr.isatty() and not quiet and not stream,
        log_events="all" if log_level is LogLevel.trace else ("llm" if verbose else None),
    )
    display.attach(runtime)
    return display


def _report_spent(spent: dict[str, Any] | None, *, table: bool) -> None:
    """After a failure: what the run spent on LLM calls (stderr), so a failed run does
    not lose its cost. ``--usage`` prints the whole table."""
    if not spent or not spent.get("by_model"):
        return
    if table:
        from llmspell_cli.stream_display import print_usage

        print_usage(spent)
        return
    calls = sum(row.get("calls", 0) for row in spent["by_model"].values())
    cost = spent.get("cost_usd")
    money = f", ${cost:.6f}" if cost is not None else ""
    print(
        f"llmspell: before it failed, the run made {calls} LLM call"
        f"{'' if calls == 1 else 's'}: {spent.get('input_tokens', 0)} input and "
        f"{spent.get('output_tokens', 0)} output tokens{money} (--usage shows the table)",
        file=sys.stderr,
    )


def read_spell(script: Path) -> tuple[str, Path | None, str | None]:
    """``(source, path, chunk name)`` of the spell ``script`` names: a file, or ``-`` for
    standard input (chunk ``<stdin>``; the engine is ``--engine`` or the default). A
    leading UTF-8 byte-order mark is dropped. What cannot be read is a usage error."""
    if str(script) == "-":
        data = sys.stdin.buffer.read()
        where, path, chunk = "standard input", None, "<stdin>"
    else:
        if script.is_dir():
            fail(f"'{script}' is a directory, not a spell file", EXIT_USAGE)
        if not script.exists():
            fail(f"script file '{script}' does not exist", EXIT_USAGE)
        try:
            data = script.read_bytes()
        except OSError as exc:
            fail(f"cannot read script file '{script}': {exc.strerror}", EXIT_USAGE)
        where, path, chunk = f"script file '{script}'", script, None
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(
            f"{where} is not UTF-8 text (byte {exc.start} is not valid UTF-8); save it as UTF-8",
            EXIT_USAGE,
        )
    return source, path, chunk
