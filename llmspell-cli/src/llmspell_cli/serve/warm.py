"""Which provider SDKs a warm worker imports before its run arrives (``[serve]
warm_sdks``): importing ``openai`` takes about a second, which every agent run of a
service would otherwise pay on its first call. ``"auto"`` takes the SDKs of the
providers the configuration names — the ``model`` (``PROVIDER/MODEL``) and ``provider``
of each ``[agents.NAME]``, and each enabled ``[providers.NAME]`` — so a service that
runs no agents starts its workers no slower."""

from __future__ import annotations

from typing import Any

from llmspell_cli.serve.child import WARM_SDKS as ENV

__all__ = ["ENV", "sdk_modules"]

_SDKS = ("openai", "anthropic")


def sdk_modules(settings: Any) -> list[str]:
    """The SDK modules (``openai``, ``anthropic``) the warm workers import."""
    wanted = set(settings.serve.warm_sdks)
    if "auto" in wanted:
        wanted.discard("auto")
        wanted |= {t for name in _provider_names(settings) if (t := _type_of(name, settings))}
    return sorted(wanted & set(_SDKS))


def _provider_names(settings: Any) -> set[str]:
    names = {name for name, p in settings.providers.items() if p.enabled}
    for agent in settings.agents.values():
        model = str(agent.get("model") or "")
        if "/" in model:
            names.add(model.split("/", 1)[0])
        if agent.get("provider"):
            names.add(str(agent["provider"]))
    return names


def _type_of(name: str, settings: Any) -> str | None:
    """The adapter a provider name uses: its ``[providers.NAME] provider_type``, its
    preset's, ``openai`` for another configured one; None for a name neither knows (a
    plugin's provider brings its own client)."""
    configured = settings.providers.get(name)
    if configured is not None and configured.provider_type:
        return str(configured.provider_type)
    try:
        from llmspell_providers.presets import PRESETS
    except ImportError:  # the providers distribution is not installed: no SDK either
        return None
    if name in PRESETS:
        return str(PRESETS[name]["provider_type"])
    return "openai" if configured is not None else None
