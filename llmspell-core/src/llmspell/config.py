"""Configuration: ``llmspell.toml``, environment variables and CLI flags, validated.

Precedence (highest first): CLI flags (``overrides``), environment variables, the
config file, built-in defaults. The file is the first that exists of: ``--config``
(must exist), ``$LLMSPELL_CONFIG`` (must exist), ``./llmspell.toml``,
``~/.config/llmspell/config.toml``. Errors name the file, the key and the fix.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmspell.errors import ConfigurationError

__all__ = [
    "ENV_VARS",
    "LogsSettings",
    "ObservabilitySettings",
    "ProviderSettings",
    "RuntimeSettings",
    "SecuritySettings",
    "ServeSettings",
    "Settings",
    "StateSettings",
    "discover_config_file",
    "llmspell_home",
    "load_settings",
]

# Settings are plain dataclasses checked by the small validator below rather than
# pydantic models: importing pydantic and building the models cost ~100 ms of a
# ~250 ms cold `llmspell run` on the reference machine (see docs/configuration.md).

#: upper bounds of the [runtime] limits (a year; 1 TiB; 2**53 instructions)
MAX_TIMEOUT_SECONDS = 31_536_000.0
MAX_MEMORY_MB = 1_048_576
MAX_INSTRUCTIONS = 2**53

LOG_LEVELS = ("trace", "debug", "info", "warn", "warning", "error", "off")
#: each level's number (a message shows when its number is at least the run's level)
LOG_LEVEL_NUMBERS = {
    "trace": 5,
    "debug": 10,
    "info": 20,
    "warn": 30,
    "warning": 30,
    "error": 40,
    "off": 100,
}


def _opt(default: Any = dataclasses.MISSING, *, factory: Any = None, **rules: Any) -> Any:
    """A dataclass field with validation rules (kind, gt, ge, choices, item)."""
    if factory is not None:
        return field(default_factory=factory, metadata=rules)
    return field(default=default, metadata=rules)


@dataclass
class RuntimeSettings:
    """``[runtime]``: engine choice and per-run limits."""

    default_engine: str = _opt("lua", kind="str")
    timeout_seconds: float = _opt(300.0, kind="float", gt=0, le=MAX_TIMEOUT_SECONDS)
    memory_mb: int = _opt(256, kind="int", ge=1, le=MAX_MEMORY_MB)
    instruction_limit: int = _opt(0, kind="int", ge=0, le=MAX_INSTRUCTIONS)
    #: what a run may make the host hold (0: unbounded); see docs/security.md
    host_memory_mb: int = _opt(1024, kind="int", ge=0, le=MAX_MEMORY_MB)
    log_level: str = _opt("warn", kind="str", choices=LOG_LEVELS)


@dataclass
class StateSettings:
    """``[state]``: where ``State`` keeps values."""

    backend: str = _opt("sqlite", kind="str", choices=("sqlite", "memory"))
    path: str | None = _opt(None, kind="str", optional=True)


@dataclass
class SecuritySettings:
    """``[security]``: the policy tools run under."""

    allowed_paths: list[str] = _opt(factory=lambda: [".", _tempdir()], kind="list", item="str")
    allow_network: bool = _opt(False, kind="bool")
    allowed_hosts: list[str] = _opt(factory=list, kind="list", item="str")
    denied_hosts: list[str] = _opt(factory=list, kind="list", item="str")
    allow_private_addresses: bool = _opt(False, kind="bool")
    allow_process: bool = _opt(False, kind="bool")
    allowed_commands: list[str] = _opt(factory=list, kind="list", item="str")
    max_input_bytes: int = _opt(50 * 1024 * 1024, kind="int", ge=1)
    max_response_bytes: int = _opt(10 * 1024 * 1024, kind="int", ge=1)
    network_timeout_seconds: float = _opt(30.0, kind="float", gt=0)
    requests_per_second_per_host: float = _opt(10.0, kind="float", ge=0)
    #: environment variables a spell may read with Lua's os.getenv: names, or globs
    #: such as "MYAPP_*"; names that look like credentials are refused (docs/security.md)
    env_allowlist: list[str] = _opt(factory=list, kind="list", item="str")

    def __post_init__(self) -> None:
        if self.env_allowlist:
            from llmspell.security import check_env_allowlist

            try:
                check_env_allowlist(self.env_allowlist)
            except ValueError as exc:
                raise _Invalid("security.env_allowlist", str(exc)) from None
        # host entries are checked here so a typo fails at load time, not at first use
        for key in ("allowed_hosts", "denied_hosts"):
            entries = getattr(self, key)
            if not entries:
                continue
            from llmspell.security import parse_host_entry

            for entry in entries:
                try:
                    parse_host_entry(entry)
                except ValueError as exc:
                    raise _Invalid(f"security.{key}", str(exc)) from None


@dataclass
class HookSettings:
    """``[hooks]``: how hooks that fail are treated."""

    #: "report": a failing hook is reported on stderr and the run goes on; "fail": it
    #: fails the operation it hooked
    on_error: str = _opt("report", kind="str", choices=("report", "fail"))
    #: how often ``retry`` results may re-run one operation
    max_retries: int = _opt(3, kind="int", ge=0)


@dataclass
class EventSettings:
    """``[events]``: the event bus's subscription queues."""

    #: events one subscription holds before the overflow policy applies
    queue_size: int = _opt(1000, kind="int", ge=1)
    #: the most bytes of event data one subscription holds (1 MiB to 1 GiB)
    queue_bytes: int = _opt(16 * 1024 * 1024, kind="int", ge=1 << 20, le=1 << 30)
    #: "drop_oldest" keeps the newest events; "drop_newest" keeps the oldest
    overflow: str = _opt("drop_oldest", kind="str", choices=("drop_oldest", "drop_newest"))


@dataclass
class ProviderSettings:
    """``[providers.NAME]``: a provider (preset override or custom)."""

    #: unset: the preset's type for a known provider, else "openai"
    provider_type: str | None = _opt(
        None, kind="str", choices=("openai", "anthropic"), optional=True
    )
    base_url: str | None = _opt(None, kind="str", optional=True)
    api_key_env: str | None = _opt(None, kind="str", optional=True)
    #: more endpoints (besides the preset's URL and ``base_url``) a spell's agent may
    #: name as its ``base_url`` and still be given this provider's key (docs/providers.md)
    allowed_base_urls: list[str] = _opt(factory=list, kind="list", item="str")
    default_model: str | None = _opt(None, kind="str", optional=True)
    timeout_seconds: float = _opt(60.0, kind="float", gt=0)
    max_retries: int = _opt(3, kind="int", ge=0)
    enabled: bool = _opt(True, kind="bool")

    def __post_init__(self) -> None:
        # an unusable entry fails at load time, not when a spell first names it
        if not self.allowed_base_urls:
            return
        from llmspell.provider_resolution import parse_endpoint

        for entry in self.allowed_base_urls:
            try:
                parse_endpoint(entry)
            except ValueError as exc:
                raise _Invalid("providers.*.allowed_base_urls", str(exc)) from None


def _check_database_url(path: str, url: str | None) -> None:
    if url is None:
        return
    if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise _Invalid(
            path,
            "must be sqlite:///PATH or postgresql://USER@HOST/DB "
            f"(got {_mask_password(url)!r})",
        )


@dataclass
class StorageSettings:
    """``[storage]``: one database for State, sessions, artifacts, RAG and Memory."""

    #: None: SQLite files under LLMSPELL_HOME; ``postgresql://...`` moves them to
    #: PostgreSQL together, so several hosts share them (docs/rag-and-memory.md)
    url: str | None = _opt(None, kind="str", optional=True)

    def __post_init__(self) -> None:
        _check_database_url("storage.url", self.url)


@dataclass
class SessionsSettings:
    """``[sessions]``: limits of sessions' artifacts (docs/sessions-and-state.md)."""

    #: the largest content one artifact may have, in bytes
    max_artifact_bytes: int = _opt(10 * 1024 * 1024, kind="int", ge=1, le=1024**3)
    #: the most artifacts one session may hold
    max_artifacts_per_session: int = _opt(10_000, kind="int", ge=1)


@dataclass
class RagSettings:
    """``[rag]``: the embedder and the vector store of RAG, Memory and Context."""

    #: "local" (all-MiniLM-L6-v2 on this machine, no key), "PROVIDER/MODEL" for an
    #: OpenAI-compatible /v1/embeddings of a configured provider, or a plugin's embedder
    embedder: str = _opt("local", kind="str")
    #: a registered vector store ("sqlite-vec", "pgvector"); None: "pgvector" when
    #: [storage] url is PostgreSQL, else "sqlite-vec"
    store: str | None = _opt(None, kind="str", optional=True)
    #: the sqlite-vec file (default: LLMSPELL_HOME/rag.db) or a PostgreSQL URL for
    #: pgvector (default: [storage] url)
    location: str | None = _opt(None, kind="str", optional=True)
    #: the largest document one ingest accepts (bytes of text)
    max_document_bytes: int = _opt(10 * 1024 * 1024, kind="int", ge=1)
    #: the most documents (or files) one ingest call accepts
    max_documents: int = _opt(10_000, kind="int", ge=1)
    #: default chunking: tokens per chunk, tokens shared by neighbours, strategy
    chunk_size: int = _opt(200, kind="int", ge=16, le=8192)
    chunk_overlap: int = _opt(20, kind="int", ge=0, le=4096)
    chunk_strategy: str = _opt(
        "sentence", kind="str", choices=("fixed", "sentence", "markdown")
    )
    #: the most results one search returns
    max_top_k: int = _opt(100, kind="int", ge=1, le=10_000)


@dataclass
class MemorySettings:
    """``[memory]``: episodic and semantic memory, consolidation, agents' context."""

    #: the model Memory.consolidate asks ("provider/model"); None: the default provider
    consolidation_model: str | None = _opt(None, kind="str", optional=True)
    #: the token budget of the context an agent with memory gets before each call
    agent_context_tokens: int = _opt(1000, kind="int", ge=0, le=1_000_000)
    #: the largest entry Memory.episodic.add accepts (bytes)
    max_entry_bytes: int = _opt(1024 * 1024, kind="int", ge=1)


@dataclass
class McpSettings:
    """``[mcp]``: MCP servers whose tools spells may use (docs/mcp.md)."""

    #: ``[mcp.servers.NAME]``: command/args/env/cwd (stdio) or url/headers (HTTP);
    #: checked by the MCP client when it starts a server
    servers: dict[str, dict[str, Any]] = _opt(factory=dict, kind="tables")


@dataclass
class ObservabilitySettings:
    """``[observability]``: OpenTelemetry traces and metrics (docs/observability.md)."""

    #: an OTLP/HTTP collector (``http://127.0.0.1:4318``); None: nothing is exported
    #: unless ``llmspell run --trace FILE`` asks for it
    otlp_endpoint: str | None = _opt(None, kind="str", optional=True)
    #: put prompts, answers and tool arguments on spans (off: only names, models, tokens)
    content: bool = _opt(False, kind="bool")
    #: the ``service.name`` resource attribute of exported spans and metrics
    service_name: str = _opt("llmspell", kind="str")

    def __post_init__(self) -> None:
        url = self.otlp_endpoint
        if url is not None and not url.startswith(("http://", "https://")):
            raise _Invalid(
                "observability.otlp_endpoint",
                f"must be an http:// or https:// URL (got {_mask_password(url)!r})",
            )


@dataclass
class LogsSettings:
    """``[logs]``: the local run log ``llmspell logs`` browses (docs/observability.md)."""

    #: record runs, agent calls and tool calls (``llmspell logs off`` also stops it)
    enabled: bool = _opt(True, kind="bool")
    #: keep prompts, answers and tool parameters (off: names, models, tokens, timings)
    content: bool = _opt(True, kind="bool")
    #: runs older than this many days are deleted (0: kept forever)
    keep_days: int = _opt(90, kind="int", ge=0, le=36_500)
    #: the SQLite file (default: LLMSPELL_HOME/logs.db)
    path: str | None = _opt(None, kind="str", optional=True)
    #: the longest text kept of one prompt, answer or parameter set (bytes; longer is cut)
    max_content_bytes: int = _opt(64 * 1024, kind="int", ge=256, le=16 * 1024 * 1024)


@dataclass
class ServeSettings:
    """``[serve]``: the service mode, ``llmspell serve`` / ``llmspell worker``
    (docs/serve.md)."""

    #: the address to listen on (anything but loopback exposes the API to the network)
    host: str = _opt("127.0.0.1", kind="str")
    #: the TCP port (0: a free one, printed at start)
    port: int = _opt(8750, kind="int", ge=0, le=65535)
    #: the environment variable holding the API's bearer tokens (comma-separated);
    #: tokens never live in the config file
    tokens_env: str = _opt("LLMSPELL_SERVE_TOKEN", kind="str")
    #: the directory ``{"spell": PATH}`` runs are read from (None: paths must lie inside
    #: ``[security] allowed_paths``); paths outside it are refused
    spells_dir: str | None = _opt(None, kind="str", optional=True)
    #: accept ``{"source": ...}`` runs (spell code in the request)
    allow_source: bool = _opt(True, kind="bool")
    #: runs executing at once on this host (each in its own worker process)
    workers: int = _opt(2, kind="int", ge=1, le=256)
    #: keep ``workers`` worker processes started ahead, their imports done (a run still
    #: gets a fresh process of its own); off: every run starts one
    warm_workers: bool = _opt(True, kind="bool")
    #: on SIGTERM, seconds the runs in flight get to finish before they are killed
    drain_seconds: float = _opt(30.0, kind="float", ge=0, le=MAX_TIMEOUT_SECONDS)
    #: the largest request body (bytes)
    max_body_bytes: int = _opt(1024 * 1024, kind="int", ge=1024, le=256 * 1024 * 1024)
    #: queued plus running runs one token may have at once
    max_runs_in_flight_per_token: int = _opt(32, kind="int", ge=1)
    #: the largest ``timeout`` a request may ask for (seconds)
    max_timeout_seconds: float = _opt(3600.0, kind="float", gt=0, le=MAX_TIMEOUT_SECONDS)
    #: the largest ``memory_mb`` a request may ask for
    max_memory_mb: int = _opt(1024, kind="int", ge=1, le=MAX_MEMORY_MB)
    #: output kept per run (bytes; later output is dropped and the run says so)
    max_output_bytes: int = _opt(1024 * 1024, kind="int", ge=1024, le=1024**3)
    #: a host whose heartbeat is older than this is dead: its running runs are
    #: recovered by a live host (failed, as a worker died mid-run)
    dead_after_seconds: float = _opt(15.0, kind="float", ge=2, le=3600)
    #: schedules one token may make through ``POST /v1/schedules``
    max_schedules_per_token: int = _opt(50, kind="int", ge=1, le=100000)
    #: the most ``retries`` a run may ask for (re-runs after its worker process or host
    #: died mid-run; 0: runs are never retried)
    max_retries: int = _opt(3, kind="int", ge=0, le=20)
    #: seconds before a run's first retry; each further retry waits twice as long
    #: (at most 300 s)
    retry_backoff_seconds: float = _opt(2.0, kind="float", ge=0, le=300)
    #: provider SDKs the warm workers import before their run arrives ("auto": those of
    #: the providers that ``[agents.*]`` and ``[providers.*]`` name; [] for none): an
    #: agent's first call then skips the SDK's import (~1 s for openai)
    warm_sdks: list[str] = _opt(
        factory=lambda: ["auto"], kind="list", item="str", choices=("auto", "openai", "anthropic")
    )


@dataclass
class Settings:
    """The whole validated configuration."""

    runtime: RuntimeSettings = _opt(factory=RuntimeSettings, kind="section")
    state: StateSettings = _opt(factory=StateSettings, kind="section")
    security: SecuritySettings = _opt(factory=SecuritySettings, kind="section")
    hooks: HookSettings = _opt(factory=HookSettings, kind="section")
    events: EventSettings = _opt(factory=EventSettings, kind="section")
    storage: StorageSettings = _opt(factory=StorageSettings, kind="section")
    sessions: SessionsSettings = _opt(factory=SessionsSettings, kind="section")
    rag: RagSettings = _opt(factory=RagSettings, kind="section")
    memory: MemorySettings = _opt(factory=MemorySettings, kind="section")
    mcp: McpSettings = _opt(factory=McpSettings, kind="section")
    observability: ObservabilitySettings = _opt(factory=ObservabilitySettings, kind="section")
    logs: LogsSettings = _opt(factory=LogsSettings, kind="section")
    serve: ServeSettings = _opt(factory=ServeSettings, kind="section")
    default_provider: str | None = _opt(None, kind="str", optional=True)
    providers: dict[str, ProviderSettings] = _opt(
        factory=dict, kind="sections", item=ProviderSettings
    )
    tools: dict[str, dict[str, Any]] = _opt(factory=dict, kind="tables")
    #: ``[agents.NAME]``: agents declared in config (served by ``llmspell mcp serve``
    #: and ``llmspell serve``); each an agent config table as ``Agent.builder`` takes
    agents: dict[str, dict[str, Any]] = _opt(factory=dict, kind="tables")
    #: ``[[schedules]]``: spells ``llmspell serve`` runs on a schedule (``spell``,
    #: ``cron`` or ``every``, ``args``, ``name``); checked when the service starts
    schedules: list[dict[str, Any]] = _opt(factory=list, kind="table_list")
    #: the file the settings came from (None: defaults only); not a setting
    source: str | None = field(default=None, compare=False, metadata={"internal": True})

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-compatible data."""
        data = dataclasses.asdict(self)
        data.pop("source", None)
        return data

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict with anything secret-looking masked."""
        redacted: dict[str, Any] = _redact(self.as_dict())
        return redacted


def _tempdir() -> str:
    """What ``tempfile.gettempdir()`` returns, without importing tempfile (with shutil and
    random, ~4 ms of every start): the first usable directory of ``TMPDIR``, ``TEMP``,
    ``TMP`` and the usual places; tempfile itself when none is."""
    candidates = [os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")]
    if os.name == "nt":
        import tempfile

        return tempfile.gettempdir()
    for candidate in [*candidates, "/tmp", "/var/tmp", "/usr/tmp"]:
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return os.path.abspath(candidate)
    import tempfile

    return tempfile.gettempdir()


_SECTIONS: dict[str, type] = {
    "runtime": RuntimeSettings,
    "state": StateSettings,
    "security": SecuritySettings,
    "hooks": HookSettings,
    "events": EventSettings,
    "storage": StorageSettings,
    "sessions": SessionsSettings,
    "rag": RagSettings,
    "memory": MemorySettings,
    "mcp": McpSettings,
    "observability": ObservabilitySettings,
    "logs": LogsSettings,
    "serve": ServeSettings,
}


class _Invalid(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


def _fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}


def _check_value(path: str, value: Any, rules: Mapping[str, Any]) -> Any:
    kind = rules["kind"]
    if value is None and rules.get("optional"):
        return None
    if kind == "str":
        if not isinstance(value, str):
            raise _Invalid(path, f"must be a string (got {value!r})")
        choices = rules.get("choices")
        if choices and value not in choices:
            raise _Invalid(path, f"must be one of {', '.join(choices)} (got {value!r})")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Invalid(path, f"must be true or false (got {value!r})")
        return value
    if kind in ("int", "float"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        if kind == "float":
            ok = ok or isinstance(value, float)
        if not ok:
            word = "an integer" if kind == "int" else "a number"
            raise _Invalid(path, f"must be {word} (got {value!r})")
        out_of_range = (
            ("gt" in rules and not value > rules["gt"])
            or ("ge" in rules and not value >= rules["ge"])
            or ("le" in rules and not value <= rules["le"])
        )
        if out_of_range or (kind == "float" and not math.isfinite(value)):
            raise _Invalid(path, f"must be {_range_text(rules)} (got {value!r})")
        return float(value) if kind == "float" else value
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _Invalid(path, f"must be a list of strings (got {value!r})")
        allowed: tuple[str, ...] = rules.get("choices") or ()
        for item in value if allowed else ():
            if item not in allowed:
                raise _Invalid(path, f"items must be among {', '.join(allowed)} (got {item!r})")
        return list(value)
    if kind == "section":
        return _build(rules["cls"], value, path)
    if kind == "sections":
        if not isinstance(value, dict):
            raise _Invalid(path, f"must be a table of tables (got {value!r})")
        return {name: _build(rules["item"], v, f"{path}.{name}") for name, v in value.items()}
    if kind == "table_list":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _Invalid(path, f"must be an array of tables, [[{path}]] (got {value!r})")
        return [dict(v) for v in value]
    if kind == "tables":
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise _Invalid(path, f"must be a table of tables (got {value!r})")
        return dict(value)
    raise AssertionError(kind)  # pragma: no cover


def _number_text(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _range_text(rules: Mapping[str, Any]) -> str:
    """The allowed range of a number setting, in words (``from 1 to 1048576``)."""
    if "ge" in rules:
        low = f"from {_number_text(rules['ge'])}"
    elif "gt" in rules:
        low = f"greater than {_number_text(rules['gt'])}"
    else:
        low = "a finite number"
    if "le" in rules:
        joiner = " to " if "ge" in rules else " and at most "
        return low + joiner + _number_text(rules["le"])
    return ("at least " + _number_text(rules["ge"])) if "ge" in rules else low


def _build(cls: type, data: Any, prefix: str = "") -> Any:
    where = prefix or "the top level"
    if not isinstance(data, dict):
        raise _Invalid(where, f"must be a table (got {data!r})")
    fields = _fields(cls)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        f = fields.get(key)
        if f is None:
            import difflib  # only for a did-you-mean

            close = difflib.get_close_matches(str(key), list(fields), n=1)
            tip = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(fields)}"
            raise _Invalid(path, f"unknown key ({tip})")
        rules = dict(f.metadata)
        if rules["kind"] == "section":
            rules["cls"] = _SECTIONS[key]
        kwargs[key] = _check_value(path, value, rules)
    return cls(**kwargs)


_SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "credential")


def _mask_password(text: str) -> str:
    """``scheme://user:***@host``: a URL's password masked (database URLs in settings)."""
    import re  # re caches the compiled pattern

    return re.sub(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/@:\s]*:)[^/@\s]*@", r"\g<head>***@", text)


def _redact(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, key) for v in value]
    lowered = key.lower()
    if (
        isinstance(value, str)
        and value
        and any(w in lowered for w in _SECRET_WORDS)
        and not lowered.endswith("_env")
    ):
        return "***"
    if isinstance(value, str) and "://" in value:
        return _mask_password(value)
    return value


#: Environment variables and the setting each one sets.
ENV_VARS: dict[str, tuple[str, ...]] = {
    "LLMSPELL_DEFAULT_ENGINE": ("runtime", "default_engine"),
    "LLMSPELL_TIMEOUT": ("runtime", "timeout_seconds"),
    "LLMSPELL_MEMORY_MB": ("runtime", "memory_mb"),
    "LLMSPELL_INSTRUCTION_LIMIT": ("runtime", "instruction_limit"),
    "LLMSPELL_HOST_MEMORY_MB": ("runtime", "host_memory_mb"),
    "LLMSPELL_LOG_LEVEL": ("runtime", "log_level"),
    "LLMSPELL_STATE_BACKEND": ("state", "backend"),
    "LLMSPELL_STATE_PATH": ("state", "path"),
    "LLMSPELL_ALLOW_NETWORK": ("security", "allow_network"),
    "LLMSPELL_ALLOW_PROCESS": ("security", "allow_process"),
    "LLMSPELL_ALLOW_PRIVATE_ADDRESSES": ("security", "allow_private_addresses"),
    "LLMSPELL_MAX_RESPONSE_BYTES": ("security", "max_response_bytes"),
    "LLMSPELL_NETWORK_TIMEOUT": ("security", "network_timeout_seconds"),
    "LLMSPELL_REQUESTS_PER_SECOND_PER_HOST": ("security", "requests_per_second_per_host"),
    "LLMSPELL_DEFAULT_PROVIDER": ("default_provider",),
    "LLMSPELL_DATABASE_URL": ("storage", "url"),
    "LLMSPELL_RAG_EMBEDDER": ("rag", "embedder"),
    "LLMSPELL_RAG_STORE": ("rag", "store"),
    "LLMSPELL_OTLP_ENDPOINT": ("observability", "otlp_endpoint"),
    "LLMSPELL_LOGS": ("logs", "enabled"),
}


def llmspell_home(environ: Mapping[str, str] | None = None) -> Path:
    """The llmspell home: ``$LLMSPELL_HOME`` or ``~/.llmspell``."""
    env = os.environ if environ is None else environ
    home = env.get("LLMSPELL_HOME")
    return Path(home).expanduser() if home else Path.home() / ".llmspell"


def discover_config_file(
    explicit: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Path | None:
    """The config file to use, or None; an explicit or ``$LLMSPELL_CONFIG`` path must exist."""
    env = os.environ if environ is None else environ
    if explicit:
        p = Path(explicit).expanduser()
        if not p.is_file():
            raise ConfigurationError(
                f"config file {str(p)!r} (from --config) does not exist",
                hint="check the path, or create one with: llmspell config init",
            )
        return p
    if env.get("LLMSPELL_CONFIG"):
        p = Path(env["LLMSPELL_CONFIG"]).expanduser()
        if not p.is_file():
            raise ConfigurationError(
                f"config file {str(p)!r} (from LLMSPELL_CONFIG) does not exist",
                hint="fix or unset LLMSPELL_CONFIG",
            )
        return p
    local = (cwd or Path.cwd()) / "llmspell.toml"
    if local.is_file():
        return local
    home = env.get("HOME") if environ is not None else str(Path.home())
    if not home:
        return None
    user = Path(home) / ".config" / "llmspell" / "config.toml"
    return user if user.is_file() else None


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def _validate(data: dict[str, Any], origin: str) -> Settings:
    try:
        settings: Settings = _build(Settings, data)
    except _Invalid as exc:
        raise ConfigurationError(
            f"invalid configuration in {origin}: {exc}",
            hint="fix the value, or run: llmspell config validate",
        ) from None
    return settings


def _coerce_env(name: str, raw: str, path: tuple[str, ...]) -> Any:
    section: type = Settings if len(path) == 1 else _SECTIONS[path[0]]
    kind = _fields(section)[path[-1]].metadata["kind"]
    text = raw.strip()
    if kind == "bool":
        lowered = text.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigurationError(
            f"{name}={raw!r} is not a boolean", hint=f"set {name}=1 or {name}=0"
        )
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            word = "an integer" if kind == "int" else "a number"
            raise ConfigurationError(
                f"{name}={raw!r} is not {word}", hint=f"set {name} to {word}, or unset it"
            ) from None
    return raw


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[tuple[str, ...], Any] | None = None,
    cwd: Path | None = None,
    use_files: bool = True,
) -> Settings:
    """Load and validate settings from file, environment and overrides (in that order)."""
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    path = discover_config_file(config_file, env, cwd) if use_files else None
    if path is not None:
        import tomllib  # only when there is a file to read

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(
                f"{path}: not valid TOML: {exc}", hint="fix the syntax at the position shown"
            ) from None
        except UnicodeDecodeError as exc:
            raise ConfigurationError(
                f"{path}: not valid UTF-8 text (byte {exc.start})",
                hint="save the file as UTF-8",
            ) from None
        except OSError as exc:
            raise ConfigurationError(f"cannot read config file {path}: {exc.strerror}") from None
    _validate(data, str(path) if path else "defaults")
    for name, setting in ENV_VARS.items():
        if name in env:
            _set(data, setting, _coerce_env(name, env[name], setting))
            _validate(data, f"environment variable {name}")
    for setting, value in (overrides or {}).items():
        if value is not None:
            _set(data, setting, value)
    settings = _validate(data, "command-line flags")
    settings.source = str(path) if path else None
    return settings
