"""From a model spec to a provider client: presets, ``[providers.NAME]``, env vars, keys.

``"openai/gpt-4o-mini"`` names provider ``openai``; ``"openrouter/meta/llama-3"`` names
``openrouter`` (the first segment is the provider); a bare ``"gpt-4o-mini"`` uses the
configured default provider. A provider's settings come from its registered preset,
overridden by ``[providers.NAME]`` in llmspell.toml, then by
``LLMSPELL_PROVIDER_<NAME>_BASE_URL``, then by the agent's own ``base_url``/``api_key``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError
from llmspell.llm import ChatProvider, ProviderConfig

if TYPE_CHECKING:
    from llmspell.runtime import Runtime

__all__ = ["build_provider", "known_providers", "resolve_provider_config", "split_model_spec"]

DEFAULT_PROVIDER = "openai"


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


def resolve_provider_config(
    runtime: Runtime,
    name: str,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ProviderConfig:
    """The full configuration of provider ``name``; ConfigurationError when unknown,
    disabled, or missing its API key (the message names the env var to set)."""
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
    url: str | None = base_url or env.get(_env_name(name)) or info.get("base_url")
    key_env: str | None = info.get("api_key_env")
    api_key_value: str | None = api_key or (env.get(key_env) if key_env else None)
    if key_env and not api_key_value:
        raise ConfigurationError(
            f"provider {name!r} needs an API key: set the environment variable {key_env}",
            hint=f"export {key_env}=... (or pass api_key to the agent)",
        )
    return ProviderConfig(
        name=name,
        provider_type=provider_type,
        base_url=url,
        api_key=api_key_value,
        api_key_env=key_env,
        default_model=info.get("default_model"),
        timeout_seconds=float(info.get("timeout_seconds", 60.0)),
        max_retries=int(info.get("max_retries", 3)),
        transport=runtime.provider_transport,
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
