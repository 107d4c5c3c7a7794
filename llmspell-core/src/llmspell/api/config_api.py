"""``Config``: read the effective configuration (secrets redacted)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import SecurityError
from llmspell.ops import GlobalSpec, Param, camel

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


CONFIG = GlobalSpec(
    "Config",
    aliases={
        "isNetworkAccessAllowed": "is_network_access_allowed",
        "isFileAccessAllowed": "is_file_access_allowed",
    },
    doc="Read the configuration.",
)


@CONFIG.function("get", Param("path", "string", optional=True))
def get(ctx: CallContext, path: str | None) -> Any:
    """The whole configuration, or the value at a dotted ``path`` (nil if absent)."""
    node: Any = ctx.settings.redacted()
    if not path:
        return node
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


@CONFIG.function("is_network_access_allowed")
def is_network_access_allowed(ctx: CallContext) -> bool:
    """True when tools may use the network (``[security] allow_network``)."""
    return ctx.settings.security.allow_network


@CONFIG.function("is_file_access_allowed")
def is_file_access_allowed(ctx: CallContext) -> bool:
    """True when tools may touch files (some allowed path is configured)."""
    return bool(ctx.settings.security.allowed_paths)


# -- rs-llmspell's Config helpers (read-only here: docs/coming-from-rs-llmspell.md) ----------


@CONFIG.function("get_default_engine")
def get_default_engine(ctx: CallContext) -> str:
    """The engine a spell runs on when its file does not say (``[runtime] default_engine``)."""
    return ctx.settings.runtime.default_engine


@CONFIG.function("get_section", Param("name", "string"))
def get_section(ctx: CallContext, name: str) -> Any:
    """One top-level section of the configuration (secrets redacted), or nil."""
    value: Any = ctx.settings.redacted().get(name)
    return value


@CONFIG.function("get_security")
def get_security(ctx: CallContext) -> dict[str, Any]:
    """The ``[security]`` section."""
    section: dict[str, Any] = ctx.settings.redacted()["security"]
    return section


@CONFIG.function("get_tools")
def get_tools(ctx: CallContext) -> dict[str, Any]:
    """The ``[tools]`` section (per-tool settings, secrets redacted)."""
    section: dict[str, Any] = ctx.settings.redacted()["tools"]
    return section


@CONFIG.function("list_providers")
def list_providers_(ctx: CallContext) -> list[str]:
    """The names of every known provider (presets and ``[providers.NAME]`` tables)."""
    from llmspell.provider_resolution import known_providers

    return known_providers(ctx.runtime)


@CONFIG.function("get_provider", Param("name", "string"))
def get_provider(ctx: CallContext, name: str) -> dict[str, Any] | None:
    """What is known of provider ``name`` (as ``Provider.get``: never its key), or nil."""
    from llmspell.provider_resolution import known_providers, provider_entry

    if name not in known_providers(ctx.runtime):
        return None
    return provider_entry(ctx.runtime, name)


@CONFIG.function("get_permissions")
def get_permissions(ctx: CallContext) -> dict[str, Any]:
    """``{file_access, network_access, process_spawn}`` plus the lists behind them."""
    security = ctx.settings.security
    return {
        "file_access": bool(security.allowed_paths),
        "network_access": security.allow_network,
        "process_spawn": security.allow_process,
        "allowed_paths": list(security.allowed_paths),
        "allowed_hosts": list(security.allowed_hosts),
        "allowed_commands": list(security.allowed_commands),
    }


@CONFIG.function("snapshot")
def snapshot(ctx: CallContext) -> dict[str, Any]:
    """A copy of the whole configuration (secrets redacted), as ``Config.get()``."""
    return ctx.settings.redacted()


@CONFIG.function("to_json")
def to_json(ctx: CallContext) -> str:
    """The whole configuration (secrets redacted) as a JSON string."""
    import json

    return json.dumps(ctx.settings.redacted(), sort_keys=True)


def _refuse(what: str) -> Any:
    def refuse(ctx: CallContext, *args: Any) -> None:
        raise SecurityError(
            f"Config.{camel(what)}: a spell cannot change the configuration",
            hint="the operator sets it in llmspell.toml or with command-line flags",
        )

    refuse.__doc__ = f"Refused: a spell cannot change the configuration ({what})."
    return refuse


for _writer in ("add_allowed_path", "set_provider", "set_security", "restore_snapshot"):
    CONFIG.function(_writer, variadic=True)(_refuse(_writer))

# rs-llmspell's Lua spells write these in camelCase: the same names in both languages
CONFIG.aliases.update({camel(name): name for name in CONFIG.functions if "_" in name})
