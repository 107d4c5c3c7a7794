"""The network policy for tools that speak protocols other than HTTP (SMTP, databases).

``SecurityPolicy.resolve_url`` checks http(s) URLs only; :func:`check_host` puts a
``host:port`` through the same rules (``allow_network``, denied/allowed hosts, private
addresses) by checking the equivalent ``http://host:port/`` URL, and rewrites the
messages so they name ``host:port``. It returns the addresses the host resolved to, so
the caller can connect to a checked address (no second DNS answer is trusted).
"""

from __future__ import annotations

from typing import Any

from llmspell.errors import LLMSpellError

__all__ = ["check_host"]


def check_host(ctx: Any, host: str, port: int, *, what: str) -> list[str]:
    """The checked addresses of ``host`` for a connection to ``port``.

    Raises SecurityError (network off, host denied or not allowed, private address),
    ValidationError (not a host name) or ToolError (the name does not resolve), each
    naming ``what`` and ``host:port``.
    """
    netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
    url = f"http://{netloc}:{port}/"
    try:
        checked = ctx.policy.resolve_url(url, what=what)
    except LLMSpellError as exc:
        shown = f"{netloc}:{port}"
        message = exc.message.replace(url, shown)
        hint = exc.hint.replace(url, shown) if exc.hint else None
        raise type(exc)(message, hint=hint) from None
    addresses: list[str] = list(checked.addresses)
    return addresses
