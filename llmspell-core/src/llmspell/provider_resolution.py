"""From a model spec to a provider client: presets, ``[providers.NAME]``, env vars, keys.

``"openai/gpt-4o-mini"`` names provider ``openai``; ``"openrouter/meta/llama-3"`` names
``openrouter`` (the first segment is the provider); a bare ``"gpt-4o-mini"`` uses the
configured default provider. A provider's settings come from its registered preset,
overridden by ``[providers.NAME]`` in llmspell.toml, then by
``LLMSPELL_PROVIDER_<NAME>_BASE_URL``, then by the agent's own ``base_url``/``api_key``.

Credentials stay with their endpoints (docs/providers.md, "Keys and endpoints"): the key
the operator configured for a provider (the env var its preset or ``api_key_env`` names)
is sent only to an endpoint the operator configured for it — the preset's URL,
``[providers.NAME] base_url``, ``LLMSPELL_PROVIDER_<NAME>_BASE_URL`` or an entry of
``[providers.NAME] allowed_base_urls``. An agent whose ``base_url`` is anything else must
bring its own ``api_key`` (else :class:`~llmspell.errors.SecurityError`, before any
request), and its endpoint passes the network policy like an HTTP tool's URL; the
client then connects only to the addresses the policy checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from llmspell.errors import ConfigurationError, SecurityError

if TYPE_CHECKING:
    from llmspell.llm import ChatProvider, ProviderConfig
    from llmspell.runtime import Runtime

__all__ = [
    "Endpoint",
    "build_provider",
    "known_providers",
    "list_providers",
    "open_model",
    "operator_endpoints",
    "parse_endpoint",
    "provider_entry",
    "resolve_provider_config",
    "split_model_spec",
]

DEFAULT_PROVIDER = "openai"

#: where each SDK sends requests when no base URL is configured at all
SDK_DEFAULT_URLS = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}


def known_providers(runtime: Runtime) -> list[str]:
    """Registered presets and types plus the ``[providers.NAME]`` tables, sorted."""
    return sorted({*runtime.providers.names(), *runtime.settings.providers})


def split_model_spec(runtime: Runtime, spec: str, provider: str | None = None) -> tuple[str, str]:
    """``(provider, model)`` for a model spec (an explicit ``provider`` wins)."""
    spec = spec.strip()
    if not spec:
        raise ConfigurationError("the agent has no model", hint='set model("provider/model")')
    if provider:
        prefix = provider + "/"
        return provider, spec[len(prefix) :] if spec.startswith(prefix) else spec
    head, sep, rest = spec.partition("/")
    if sep and head in known_providers(runtime):
        if not rest:
            raise ConfigurationError(f"model spec {spec!r} names no model after the provider")
        return head, rest
    if sep:
        known = ", ".join(known_providers(runtime)) or "none (install llmspell-providers)"
        raise ConfigurationError(
            f"unknown provider {head!r} in model spec {spec!r} (known: {known})",
            hint="add a [providers.NAME] table to llmspell.toml for a custom provider",
        )
    default = runtime.settings.default_provider or DEFAULT_PROVIDER
    return default, spec


def _env_name(provider: str) -> str:
    return "LLMSPELL_PROVIDER_" + re.sub(r"[^A-Za-z0-9]", "_", provider).upper() + "_BASE_URL"


@dataclass(frozen=True)
class Endpoint:
    """A base URL reduced to what decides where a request goes: scheme, host, port and
    path (normalised: see :func:`parse_endpoint`)."""

    scheme: str
    host: str
    port: int
    #: no trailing slash; "" for the root
    path: str

    @property
    def url(self) -> str:
        """The normalised URL (the port only when not the scheme's default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        netloc = host if self.port == default else f"{host}:{self.port}"
        return f"{self.scheme}://{netloc}{self.path}"

    def covers(self, other: Endpoint) -> bool:
        """Whether ``other`` is this endpoint or lies under it: the same scheme, host and
        port, and a path equal to this path or continuing it after a ``/``."""
        same_origin = (self.scheme, self.host, self.port) == (other.scheme, other.host, other.port)
        return same_origin and (other.path == self.path or other.path.startswith(self.path + "/"))


def parse_endpoint(url: str) -> Endpoint:
    """``url`` as an :class:`Endpoint`; ValueError (naming the URL and the problem) when it
    cannot be one.

    Accepted: ``http``/``https`` URLs with a host, without user info, query or fragment,
    and without ``%`` escapes or backslashes in the path. Normalised: scheme and host
    lower-cased, an international host IDNA-encoded, a trailing dot of the host dropped,
    IP addresses in canonical form, the default port filled in, ``.``/``..`` path
    segments resolved, the trailing slash dropped.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"{url!r} is not a URL")
    text = url.strip()
    if any(ord(c) <= 0x20 or c == "\x7f" for c in text):
        raise ValueError(f"{_shown(text)!r} contains spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{_shown(text)!r} is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{_shown(text)!r} is not an http:// or https:// URL")
    if "@" in parts.netloc:
        raise ValueError(f"{_shown(text)!r} has user info (user:password@); leave it out")
    if "?" in text or "#" in text:
        raise ValueError(f"{_shown(text)!r} has a query or fragment; give only the base URL")
    if "%" in parts.path or "\\" in parts.path:
        raise ValueError(f"{_shown(text)!r} has % escapes or backslashes in its path")
    raw_host = (parts.hostname or "").rstrip(".")
    if not raw_host:
        raise ValueError(f"{_shown(text)!r} has no host")
    try:
        import ipaddress  # (a few ms; only when a URL names an IP)

        host = str(ipaddress.ip_address(raw_host))
    except ValueError:
        try:
            host = raw_host.lower().encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"{_shown(text)!r} has an invalid host name ({exc})") from None
    segments: list[str] = []
    for segment in parts.path.split("/")[1:]:
        if segment == "..":
            if segments:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    path = "/" + "/".join(segments) if segments else ""
    path = path.rstrip("/")
    return Endpoint(scheme, host, port if port is not None else _default_port(scheme), path)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _shown(url: str) -> str:
    """``url`` for messages: no user info, query or fragment."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "<an invalid URL>"
    netloc = parts.netloc.rpartition("@")[2]
    if not parts.scheme:
        return parts.path.partition("?")[0]
    return f"{parts.scheme}://{netloc}{parts.path}"


def operator_endpoints(
    runtime: Runtime, name: str, environ: Mapping[str, str] | None = None
) -> list[str]:
    """The URLs provider ``name``'s key may be sent to (every endpoint its operator
    configured): the preset's URL, ``[providers.NAME] base_url``,
    ``LLMSPELL_PROVIDER_<NAME>_BASE_URL`` and ``[providers.NAME] allowed_base_urls``;
    the SDK's default URL when none of the first three is set. Unknown: []."""
    env = os.environ if environ is None else environ
    urls: list[str] = []
    provider_type = "openai"
    if name in runtime.providers.names():
        info = runtime.providers.get(name).info
        provider_type = str(info.get("provider_type") or provider_type)
        if info.get("base_url"):
            urls.append(str(info["base_url"]))
    table = runtime.settings.providers.get(name)
    if table is not None:
        provider_type = table.provider_type or provider_type
        if table.base_url:
            urls.append(table.base_url)
    if env.get(_env_name(name)):
        urls.append(env[_env_name(name)])
    if not urls and provider_type in SDK_DEFAULT_URLS:
        urls.append(SDK_DEFAULT_URLS[provider_type])
    if table is not None:
        urls.extend(table.allowed_base_urls)
    return list(dict.fromkeys(urls))


def _operator_match(url: str, allowed: list[str]) -> str | None:
    """The normalised ``url`` when an operator endpoint covers it, else None."""
    try:
        wanted = parse_endpoint(url)
    except ValueError:
        return None
    for entry in allowed:
        try:
            endpoint = parse_endpoint(entry)
        except ValueError:
            continue  # an operator URL with a query, say: only used as configured
        if endpoint.covers(wanted):
            return wanted.url
    return None


def resolve_provider_config(
    runtime: Runtime,
    name: str,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ProviderConfig:
    """The full configuration of provider ``name``; ConfigurationError when unknown,
    disabled, or missing its API key (the message names the env var to set).

    ``base_url`` and ``api_key`` are the agent's own (set by the spell). A ``base_url``
    that no operator endpoint covers (:func:`operator_endpoints`,
    :meth:`Endpoint.covers`) gets no operator key: without its own ``api_key`` it is a
    SecurityError, with one it must pass the network policy (SecurityError,
    ValidationError or ToolError from :meth:`SecurityPolicy.resolve_url`, which resolves
    the host: call this off the event loop then), and the client is pinned to the
    checked addresses.
    """
    env = os.environ if environ is None else environ
    info: dict[str, Any] = {}
    registered = name in runtime.providers.names()
    if registered:
        info.update(runtime.providers.get(name).info)
    table = runtime.settings.providers.get(name)
    if table is not None:
        if not table.enabled:
            raise ConfigurationError(
                f"provider {name!r} is disabled in llmspell.toml", hint="set enabled = true"
            )
        for key in ("provider_type", "base_url", "api_key_env", "default_model"):
            value = getattr(table, key)
            if value is not None:
                info[key] = value
        info["timeout_seconds"] = table.timeout_seconds
        info["max_retries"] = table.max_retries
    elif not registered:
        known = ", ".join(known_providers(runtime)) or "none (install llmspell-providers)"
        raise ConfigurationError(
            f"unknown provider {name!r} (known: {known})",
            hint="install llmspell-providers or add a [providers.NAME] table to llmspell.toml",
        )
    provider_type = str(info.get("provider_type") or "openai")
    url: str | None = env.get(_env_name(name)) or info.get("base_url")
    key_env: str | None = info.get("api_key_env")
    addresses: list[str] = []
    if base_url:
        allowed = operator_endpoints(runtime, name, env)
        matched = _operator_match(base_url, allowed)
        if matched is not None:
            url = matched
        else:
            if key_env and not api_key:
                raise SecurityError(
                    f"the agent's base_url {_shown(base_url)} is not an endpoint configured "
                    f"for provider {name!r}, so the operator's key ({key_env}) is not sent "
                    f"there (it goes only to {', '.join(_shown(u) for u in allowed)})",
                    hint=f"give the agent its own api_key for that server, or list the URL "
                    f"in [providers.{name}] allowed_base_urls in llmspell.toml",
                )
            checked = runtime.policy.resolve_url(
                base_url, what=f"the base_url of an agent on provider {name!r}"
            )
            url, addresses = checked.url, list(checked.addresses)
    api_key_value: str | None = api_key or (env.get(key_env) if key_env else None)
    if key_env and not api_key_value:
        raise ConfigurationError(
            f"provider {name!r} needs an API key: set the environment variable {key_env}",
            hint=f"export {key_env}=... (or pass api_key to the agent)",
        )
    from llmspell.llm import ProviderConfig  # with the first agent, not at start-up

    return ProviderConfig(
        name=name,
        provider_type=provider_type,
        base_url=url,
        api_key=api_key_value,
        # a spell's own key is not the one in the env var (errors name the var)
        api_key_env=None if api_key else key_env,
        default_model=info.get("default_model"),
        timeout_seconds=float(info.get("timeout_seconds", 60.0)),
        max_retries=int(info.get("max_retries", 3)),
        transport=runtime.provider_transport,
        pinned_addresses=addresses,
    )


def build_provider(runtime: Runtime, config: ProviderConfig) -> ChatProvider:
    """A client for ``config``, from the factory registered for its provider type."""
    try:
        factory = runtime.providers.get(config.provider_type).factory
    except Exception:
        raise ConfigurationError(
            f"no provider implementation of type {config.provider_type!r} for {config.name!r}",
            hint="install llmspell-providers (types: openai, anthropic)",
        ) from None
    provider: ChatProvider = factory(config)
    return provider


async def open_model(runtime: Runtime, spec: str | None) -> tuple[ChatProvider, str, str]:
    """``(client, provider name, model id)`` for a ``"provider/model"`` spec, or for the
    default provider's default model when ``spec`` is empty (a model an operator names in
    a setting, such as ``[memory] consolidation_model``); a ConfigurationError when
    there is no usable one (the caller adds which setting to change)."""
    import asyncio

    if spec:
        provider_name, model = split_model_spec(runtime, spec)
    else:
        provider_name, model = runtime.settings.default_provider or DEFAULT_PROVIDER, ""
    config = resolve_provider_config(runtime, provider_name)
    model = model or config.default_model or ""
    if not model:
        raise ConfigurationError(f"provider {provider_name!r} has no default model")
    provider = await asyncio.to_thread(build_provider, runtime, config)
    return provider, provider_name, model


def provider_entry(
    runtime: Runtime, name: str, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What is known of provider ``name`` without contacting it: ``{name, enabled,
    available, provider_type, base_url, default_model, local, source, key_env,
    key_found, capabilities, reason?}``. Never the key itself: ``key_env`` names the
    environment variable it is read from and ``key_found`` says whether it is set."""
    env = os.environ if environ is None else environ
    registered = name in runtime.providers.names()
    details: dict[str, Any] = runtime.providers.get(name).info if registered else {}
    table = runtime.settings.providers.get(name)
    entry: dict[str, Any] = {"name": name, "enabled": True, "available": False}
    try:
        config: ProviderConfig | None = resolve_provider_config(runtime, name, environ=env)
    except ConfigurationError as exc:
        entry["enabled"] = table is None or table.enabled
        entry["reason"] = exc.message
        config = None
    else:
        entry["available"] = True
    key_env = (table.api_key_env if table is not None else None) or details.get("api_key_env")
    url = env.get(_env_name(name)) or (table.base_url if table is not None else None)
    entry["provider_type"] = (
        config.provider_type
        if config
        else (table.provider_type if table is not None else None) or details.get("provider_type")
    ) or "openai"
    entry["base_url"] = config.base_url if config else url or details.get("base_url")
    entry["default_model"] = (
        config.default_model
        if config
        else (table.default_model if table is not None else None) or details.get("default_model")
    )
    entry["local"] = bool(details.get("local")) or _is_local_url(entry["base_url"])
    entry["source"] = "+".join(
        part for part, present in (("preset", registered), ("config", table is not None)) if present
    )
    entry["key_env"] = key_env
    entry["key_found"] = bool(key_env and env.get(key_env))
    caps = details.get("capabilities")
    entry["capabilities"] = caps(entry["default_model"]) if callable(caps) else dict(caps or {})
    return entry


def _is_local_url(url: str | None) -> bool:
    """True when ``url`` names this machine (a loopback address or ``localhost``)."""
    if not url:
        return False
    try:
        host = parse_endpoint(url).host
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        import ipaddress  # (a few ms; only when a URL names an IP)

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def list_providers(
    runtime: Runtime, *, all: bool = False, environ: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The providers a spell can use now, as :func:`provider_entry` rows sorted by name:
    every ``[providers.NAME]`` table, the default provider and every preset whose key is
    set, each only when it resolves (enabled, key present if it needs one). ``all``:
    every registered preset and configured table, usable or not (``available`` and
    ``reason`` say which). Nothing is contacted (LocalLLM.status probes servers)."""
    env = os.environ if environ is None else environ
    rows = [provider_entry(runtime, name, env) for name in known_providers(runtime)]
    if all:
        return rows
    default = runtime.settings.default_provider
    return [
        row
        for row in rows
        if row["available"]
        and ("config" in row["source"].split("+") or row["name"] == default or row["key_found"])
    ]
