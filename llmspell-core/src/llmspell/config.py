"""Configuration: ``llmspell.toml``, environment variables and CLI flags, validated.

Precedence (highest first): CLI flags (``overrides``), environment variables, the
config file, built-in defaults. The file is the first that exists of: ``--config``
(must exist), ``$LLMSPELL_CONFIG`` (must exist), ``./llmspell.toml``,
``~/.config/llmspell/config.toml``. Errors name the file, the key and the fix.
"""

from __future__ import annotations

import difflib
import os
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from llmspell.errors import ConfigurationError

__all__ = [
    "ENV_VARS",
    "ProviderSettings",
    "RuntimeSettings",
    "SecuritySettings",
    "Settings",
    "StateSettings",
    "discover_config_file",
    "llmspell_home",
    "load_settings",
]

LogLevel = Literal["trace", "debug", "info", "warn", "warning", "error", "off"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class RuntimeSettings(_Section):
    """``[runtime]``: engine choice and per-run limits."""

    default_engine: str = "lua"
    timeout_seconds: float = Field(300.0, gt=0)
    memory_mb: int = Field(256, ge=1)
    instruction_limit: int = Field(0, ge=0, description="0 = unlimited")
    log_level: LogLevel = "warn"


class StateSettings(_Section):
    """``[state]``: where ``State`` keeps values."""

    backend: Literal["sqlite", "memory"] = "sqlite"
    path: str | None = None


class SecuritySettings(_Section):
    """``[security]``: the policy tools run under."""

    allowed_paths: list[str] = Field(default_factory=lambda: [".", tempfile.gettempdir()])
    allow_network: bool = False
    allowed_hosts: list[str] = Field(default_factory=list)
    denied_hosts: list[str] = Field(default_factory=list)
    allow_private_addresses: bool = False
    allow_process: bool = False
    allowed_commands: list[str] = Field(default_factory=list)


class ProviderSettings(_Section):
    """``[providers.NAME]``: a provider (preset override or custom)."""

    provider_type: Literal["openai", "anthropic"] = "openai"
    base_url: str | None = None
    api_key_env: str | None = None
    default_model: str | None = None
    timeout_seconds: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0)
    enabled: bool = True


class Settings(_Section):
    """The whole validated configuration."""

    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    state: StateSettings = Field(default_factory=StateSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    default_provider: str | None = None
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    tools: dict[str, dict[str, Any]] = Field(default_factory=dict)

    #: the file the settings came from (None: defaults only); not part of the schema
    source: str | None = Field(default=None, exclude=True)

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict with anything secret-looking masked."""
        return _redact(self.model_dump(mode="json"))


_SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "credential")


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
    return value


#: Environment variables and the setting each one sets.
ENV_VARS: dict[str, tuple[str, ...]] = {
    "LLMSPELL_DEFAULT_ENGINE": ("runtime", "default_engine"),
    "LLMSPELL_TIMEOUT": ("runtime", "timeout_seconds"),
    "LLMSPELL_MEMORY_MB": ("runtime", "memory_mb"),
    "LLMSPELL_INSTRUCTION_LIMIT": ("runtime", "instruction_limit"),
    "LLMSPELL_LOG_LEVEL": ("runtime", "log_level"),
    "LLMSPELL_STATE_BACKEND": ("state", "backend"),
    "LLMSPELL_STATE_PATH": ("state", "path"),
    "LLMSPELL_ALLOW_NETWORK": ("security", "allow_network"),
    "LLMSPELL_ALLOW_PROCESS": ("security", "allow_process"),
    "LLMSPELL_DEFAULT_PROVIDER": ("default_provider",),
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
    user = Path(env.get("HOME", str(Path.home()))) / ".config" / "llmspell" / "config.toml"
    return user if user.is_file() else None


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def _known_keys(model: type[BaseModel]) -> list[str]:
    return [k for k in model.model_fields if k != "source"]


def _explain(exc: pydantic.ValidationError, origin: str) -> ConfigurationError:
    lines = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            section: type[BaseModel] = Settings
            for part in err["loc"][:-1]:
                field = section.model_fields.get(str(part))
                ann = getattr(field, "annotation", None) if field else None
                if isinstance(ann, type) and issubclass(ann, BaseModel):
                    section = ann
                elif field and str(part) == "providers":
                    section = ProviderSettings
            known = _known_keys(section)
            close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
            tip = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            lines.append(f"{loc}: unknown key ({tip})")
        else:
            got = err.get("input")
            lines.append(f"{loc}: {err['msg']} (got {got!r})")
    return ConfigurationError(
        f"invalid configuration in {origin}: " + "; ".join(lines),
        hint="fix the value, or run: llmspell config validate",
    )


def _coerce_env(name: str, raw: str, path: tuple[str, ...]) -> Any:
    if path[-1].startswith("allow"):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigurationError(f"{name}={raw!r} is not a boolean", hint=f"set {name}=1 or {name}=0")
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
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(
                f"{path}: not valid TOML: {exc}", hint="fix the syntax at the position shown"
            ) from None
        except OSError as exc:
            raise ConfigurationError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        Settings.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _explain(exc, str(path)) from None
    for name, setting in ENV_VARS.items():
        if name in env:
            _set(data, setting, _coerce_env(name, env[name], setting))
    for setting, value in (overrides or {}).items():
        if value is not None:
            _set(data, setting, value)
    try:
        settings = Settings.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _explain(exc, "environment variables / command-line flags") from None
    settings.source = str(path) if path else None
    return settings
