"""The providers llmspell knows out of the box: the two native APIs and the
OpenAI-compatible services and local servers, each with its base URL and the
environment variable holding its key (None for local servers, which need none).

``provider_type`` names the adapter: ``"openai"`` (the OpenAI Chat Completions API,
spoken by every compatible server) or ``"anthropic"`` (the Messages API).
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["PRESETS", "Preset", "preset_info"]


class Preset(TypedDict):
    """One row of :data:`PRESETS` (also the ``**info`` registered for it)."""

    provider_type: str
    base_url: str
    api_key_env: str | None
    default_model: str | None
    local: bool


def _remote(provider_type: str, base_url: str, key: str, model: str | None) -> Preset:
    return Preset(
        provider_type=provider_type,
        base_url=base_url,
        api_key_env=key,
        default_model=model,
        local=False,
    )


def _local(base_url: str) -> Preset:
    # a local server serves whatever model was loaded: the spell must name it
    return Preset(
        provider_type="openai", base_url=base_url, api_key_env=None, default_model=None, local=True
    )


PRESETS: dict[str, Preset] = {
    "openai": _remote("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "gpt-4o-mini"),
    "anthropic": _remote(
        "anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY", "claude-sonnet-4-6"
    ),
    # local OpenAI-compatible servers
    "ollama": _local("http://127.0.0.1:11434/v1"),
    "lmstudio": _local("http://127.0.0.1:1234/v1"),
    "vllm": _local("http://127.0.0.1:8000/v1"),
    "llamacpp": _local("http://127.0.0.1:8080/v1"),
    # hosted OpenAI-compatible services
    "groq": _remote(
        "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "llama-3.3-70b-versatile"
    ),
    "openrouter": _remote(
        "openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "openai/gpt-4o-mini"
    ),
    "together": _remote(
        "openai",
        "https://api.together.xyz/v1",
        "TOGETHER_API_KEY",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    ),
    "mistral": _remote(
        "openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", "mistral-small-latest"
    ),
    "deepseek": _remote(
        "openai", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", "deepseek-chat"
    ),
    "xai": _remote("openai", "https://api.x.ai/v1", "XAI_API_KEY", None),
    "fireworks": _remote(
        "openai", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY", None
    ),
    "perplexity": _remote("openai", "https://api.perplexity.ai", "PERPLEXITY_API_KEY", "sonar"),
}


def preset_info(name: str) -> dict[str, Any]:
    """A copy of preset ``name`` as a plain dict (KeyError when unknown)."""
    return dict(PRESETS[name])
