"""``llmspell run`` and ``llmspell exec``."""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from llmspell_cli.common import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ConfigOpt,
    OutputFormat,
    OutputOpt,
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


EngineOpt = Annotated[
    str | None, typer.Option("--engine", "-e", help="Engine name (default: by file extension).")
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", min=0.001, max=MAX_TIMEOUT, help="Wall-time limit in seconds."),
]
MemoryOpt = Annotated[
    int | None,
    typer.Option("--memory-mb", min=1, max=MAX_MEMORY_MB, help="Engine memory limit (MB)."),
]
HostMemoryOpt = Annotated[
    int | None,
    typer.Option(
        "--host-memory-mb",
        min=0,
        max=MAX_MEMORY_MB,
        help="What a run may make the host hold (MB; 0 = unbounded).",
    ),
]
LogOpt = Annotated[LogLevel | None, typer.Option("--log-level", help="Debug/log output level.")]
AllowNetOpt = Annotated[
    bool, typer.Option("--allow-net", help="Let network tools run ([security] allow_network).")
]
AllowHostOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-host",
        help="Add a host, *.domain or IP/CIDR to [security] allowed_hosts (repeatable; "
        "implies --allow-net; a listed private address becomes reachable).",
        show_default=False,
    ),
]


def network_overrides(allow_net: bool, allow_hosts: list[str] | None) -> dict[tuple[str, ...], Any]:
    """The settings ``--allow-net``/``--allow-host`` set (``--allow-host`` implies the other)."""
    return {("security", "allow_network"): True if allow_net or allow_hosts else None}


UsageOpt = Annotated[
    bool, typer.Option("--usage", help="Print a table of LLM calls, tokens and cost on stderr.")
]
StreamOpt = Annotated[
    bool, typer.Option("--stream", help="Show agents' tokens on stderr as they arrive.")
]


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


def _execute(
    *,
    source: str | None,
    path: Path | None,
    chunk_name: str | None,
    engine: str | None,
    config: Path | None,
    output: OutputFormat,
    timeout: float | None,
    memory_mb: int | None,
    log_level: LogLevel | None,
    argv: list[str],
    host_memory_mb: int | None = None,
    usage: bool = False,
    stream: bool = False,
    allow_net: bool = False,
    allow_hosts: list[str] | None = None,
) -> None:
    from llmspell.errors import LLMSpellError, NotFoundError

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
    started = time.perf_counter()
    try:
        observer = None
        if stream:
            from llmspell_cli.stream_display import StreamDisplay

            observer = StreamDisplay()
        result = runtime.run_sync(
            source,
            path=path,
            engine=engine,
            argv=argv,
            chunk_name=chunk_name,
            stream_observer=observer,
        )
    except LLMSpellError as exc:
        if isinstance(exc, NotFoundError) and exc.file is None:
            # no such script file or engine: a usage error, raised before the spell ran
            print(f"llmspell: {exc.kind}: {exc}", file=sys.stderr)
            raise SystemExit(EXIT_USAGE) from None
        if output is OutputFormat.json:
            err = {"kind": exc.kind, "message": str(exc), "file": exc.file, "line": exc.line}
            duration = round((time.perf_counter() - started) * 1000, 3)
            payload = {"result": None, "error": err, "duration_ms": duration, "usage": None}
            print(json.dumps(payload, sort_keys=True))
        report(exc)
    except KeyboardInterrupt:
        fail("interrupted", EXIT_INTERRUPTED)
    finally:
        runtime.close()
    _print_result(result.value, output, result.to_json())
    if usage:
        from llmspell_cli.stream_display import print_usage

        print_usage(result.usage)


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
            f"{where} is not UTF-8 text (byte {exc.start} is not valid UTF-8); "
            "save it as UTF-8",
            EXIT_USAGE,
        )
    return source, path, chunk


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``exec`` to ``app``."""

    @app.command("run")
    def run(
        script: Annotated[
            Path, typer.Argument(help="The spell file (.lua, .js, ...); - reads it from stdin.")
        ],
        args: Annotated[
            list[str] | None, typer.Argument(help="Script arguments, after --.", show_default=False)
        ] = None,
        engine: EngineOpt = None,
        config: ConfigOpt = None,
        output: OutputOpt = OutputFormat.text,
        timeout: TimeoutOpt = None,
        memory_mb: MemoryOpt = None,
        host_memory_mb: HostMemoryOpt = None,
        log_level: LogOpt = None,
        usage: UsageOpt = False,
        stream: StreamOpt = False,
        allow_net: AllowNetOpt = False,
        allow_host: AllowHostOpt = None,
    ) -> None:
        """Run a spell file: llmspell run SCRIPT [OPTIONS] [-- ARGS...]."""
        source, path, chunk_name = read_spell(script)
        _execute(
            source=source,
            path=path,
            chunk_name=chunk_name,
            engine=engine,
            config=config,
            output=output,
            timeout=timeout,
            memory_mb=memory_mb,
            host_memory_mb=host_memory_mb,
            log_level=log_level,
            argv=list(args or []),
            usage=usage,
            stream=stream,
            allow_net=allow_net,
            allow_hosts=allow_host,
        )

    @app.command("exec")
    def exec_(
        code: Annotated[str, typer.Argument(help="Spell source code, e.g. 'print(1+1)'.")],
        engine: EngineOpt = None,
        config: ConfigOpt = None,
        output: OutputOpt = OutputFormat.text,
        timeout: TimeoutOpt = None,
        memory_mb: MemoryOpt = None,
        host_memory_mb: HostMemoryOpt = None,
        log_level: LogOpt = None,
        usage: UsageOpt = False,
        stream: StreamOpt = False,
        allow_net: AllowNetOpt = False,
        allow_host: AllowHostOpt = None,
    ) -> None:
        """Run spell code given on the command line (engine: --engine or the default)."""
        _execute(
            source=code,
            path=None,
            chunk_name="<exec>",
            engine=engine,
            config=config,
            output=output,
            timeout=timeout,
            memory_mb=memory_mb,
            host_memory_mb=host_memory_mb,
            log_level=log_level,
            argv=[],
            usage=usage,
            stream=stream,
            allow_net=allow_net,
            allow_hosts=allow_host,
        )
