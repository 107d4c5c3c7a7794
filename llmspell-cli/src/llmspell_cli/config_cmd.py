"""``llmspell config show|init|validate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llmspell_cli.common import EXIT_USAGE, ConfigOpt, fail

if TYPE_CHECKING:
    from llmspell.config import Settings

app = typer.Typer(
    help="Show, create and validate configuration.", no_args_is_help=True, rich_markup_mode=None
)


TEMPLATE = """\
# llmspell configuration. Every key is optional; shown values are the defaults.
# Precedence: command-line flags > environment variables > this file > defaults.

[runtime]
default_engine = "lua"      # engine for files without a known extension (LLMSPELL_DEFAULT_ENGINE)
timeout_seconds = 300       # wall-time limit per run (--timeout, LLMSPELL_TIMEOUT)
memory_mb = 256             # engine memory limit (--memory-mb, LLMSPELL_MEMORY_MB)
instruction_limit = 0       # script instruction budget, 0 = unlimited (LLMSPELL_INSTRUCTION_LIMIT)
host_memory_mb = 1024       # what a run may make the host hold (LLMSPELL_HOST_MEMORY_MB)
log_level = "warn"          # trace|debug|info|warn|error|off (--log-level, LLMSPELL_LOG_LEVEL)

[state]
backend = "sqlite"          # sqlite|memory (LLMSPELL_STATE_BACKEND)
# path = "~/.llmspell/state.db"   # default: $LLMSPELL_HOME/state.db (LLMSPELL_STATE_PATH)

[security]
# allowed_paths = [".", "/tmp"]   # where file tools may read and write
allow_network = false       # network tools may run (--allow-net, LLMSPELL_ALLOW_NETWORK)
# only these hosts when set (--allow-host): "api.example.com", "*.example.com", "10.0.0.0/8"
allowed_hosts = []
denied_hosts = []           # never these hosts (same forms)
# reach loopback/private/link-local addresses (LLMSPELL_ALLOW_PRIVATE_ADDRESSES)
allow_private_addresses = false
max_response_bytes = 10485760     # largest HTTP body read (LLMSPELL_MAX_RESPONSE_BYTES)
network_timeout_seconds = 30      # per-request timeout (LLMSPELL_NETWORK_TIMEOUT)
# requests per second to one host, 0 = unlimited (LLMSPELL_REQUESTS_PER_SECOND_PER_HOST)
requests_per_second_per_host = 10
allow_process = false       # LLMSPELL_ALLOW_PROCESS
allowed_commands = []

# A custom OpenAI-compatible provider:
# [providers.local]
# provider_type = "openai"
# base_url = "http://127.0.0.1:8080/v1"
# api_key_env = "LOCAL_API_KEY"
# default_model = "my-model"
"""


def _load(config: Path | None, *, validating: bool = False):  # type: ignore[no-untyped-def]
    from llmspell.config import load_settings
    from llmspell.errors import LLMSpellError

    try:
        return load_settings(config)
    except LLMSpellError as exc:
        if validating and exc.hint and "llmspell config validate" in exc.hint:
            exc.hint = "fix the value"  # (we are that command)
        print(f"llmspell: {exc.kind}: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


@app.command("show")
def show(config: ConfigOpt = None) -> None:
    """Print the effective configuration as JSON (secrets redacted)."""
    settings = _load(config)
    print(f"# source: {settings.source or 'defaults (no config file found)'}", file=sys.stderr)
    print(json.dumps(settings.redacted(), indent=2))


@app.command("validate")
def validate(config: ConfigOpt = None) -> None:
    """Check the configuration; exit 2 with the file, key and fix when it is invalid.

    [tools.NAME] tables are checked against the installed tools: the tool must exist and
    each key must be one of its settings (a tool that declares none accepts any key).
    """
    settings = _load(config, validating=True)
    problems = _tool_table_problems(settings) if settings.tools else []
    problems += _mcp_server_problems(settings)
    if problems:
        for line in problems:
            print(f"llmspell: ConfigurationError: {line}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
    print(f"configuration OK ({settings.source or 'defaults: no config file found'})")


def _mcp_server_problems(settings: Settings) -> list[str]:
    """The problems of the [mcp.servers.*] tables (nothing is started); none when the
    MCP client (llmspell-tools) is not installed."""
    if not settings.mcp.servers:
        return []
    try:
        from llmspell_tools.mcp.spec import server_table_problems
    except ImportError:
        return []
    origin = settings.source or "the settings"
    return [f"{origin}: {p}" for p in server_table_problems(settings.mcp.servers)]


def _tool_table_problems(settings: Settings) -> list[str]:
    """The problems of the [tools.*] tables, one message each (plugins are loaded)."""
    from llmspell.errors import LLMSpellError
    from llmspell.runtime import Runtime
    from llmspell.tool_settings import tool_table_problems

    origin = settings.source or "the settings"
    try:
        runtime = Runtime(settings)
        return [p.message(origin) for p in tool_table_problems(settings, runtime.tools)]
    except LLMSpellError as exc:
        return [str(exc)]


@app.command("init")
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the file.")] = Path("llmspell.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter llmspell.toml."""
    if path.exists() and not force:
        fail(f"{path} already exists; pass --force to overwrite it", EXIT_USAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE, encoding="utf-8")
    print(f"wrote {path}")
