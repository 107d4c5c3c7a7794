"""``Config``: read the effective configuration (secrets redacted)."""

from __future__ import annotations

from typing import Any

from llmspell.ops import GlobalSpec, Param
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
