"""``llmspell run`` and ``llmspell exec``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmspell_cli.common import ConfigOpt, OutputFormat, OutputOpt
from llmspell_cli.run_exec import (
    MAX_MEMORY_MB,
    MAX_TIMEOUT,
    LogLevel,
    execute,
    network_overrides,
    read_spell,
)

__all__ = ["AllowHostOpt", "AllowNetOpt", "network_overrides", "register"]


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


UsageOpt = Annotated[
    bool, typer.Option("--usage", help="Print a table of LLM calls, tokens and cost on stderr.")
]
StreamOpt = Annotated[
    bool,
    typer.Option(
        "--stream",
        help="Show agents' tokens on stderr as they arrive (concurrent agents: whole "
        "lines, each labelled with its agent).",
    ),
]
TraceOpt = Annotated[
    Path | None,
    typer.Option(
        "--trace",
        help="Write the run's OpenTelemetry spans to FILE as JSON lines (needs "
        "llmspell-core[otel]; see docs/observability.md).",
        metavar="FILE",
        show_default=False,
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No progress line on the terminal (it is off when stderr is not one)."
    ),
]


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
        quiet: QuietOpt = False,
        allow_net: AllowNetOpt = False,
        allow_host: AllowHostOpt = None,
        trace: TraceOpt = None,
    ) -> None:
        """Run a spell file: llmspell run SCRIPT [OPTIONS] [-- ARGS...]."""
        source, path, chunk_name = read_spell(script)
        execute(
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
            quiet=quiet,
            allow_net=allow_net,
            allow_hosts=allow_host,
            trace=trace,
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
        quiet: QuietOpt = False,
        allow_net: AllowNetOpt = False,
        allow_host: AllowHostOpt = None,
        trace: TraceOpt = None,
    ) -> None:
        """Run spell code given on the command line (engine: --engine or the default)."""
        execute(
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
            quiet=quiet,
            allow_net=allow_net,
            allow_hosts=allow_host,
            trace=trace,
        )
