"""Registration, the presets table, and the lazy-import promise."""

from __future__ import annotations

import subprocess
import sys

from llmspell.llm import ProviderConfig
from llmspell.registry import ProviderRegistry
from llmspell_providers import plugin
from llmspell_providers.anthropic_adapter import AnthropicProvider
from llmspell_providers.openai_adapter import OpenAIProvider
from llmspell_providers.presets import PRESETS

COMPATIBLE = {
    "ollama",
    "lmstudio",
    "vllm",
    "llamacpp",
    "groq",
    "openrouter",
    "together",
    "mistral",
    "deepseek",
    "xai",
    "fireworks",
    "perplexity",
}
LOCAL = {"ollama", "lmstudio", "vllm", "llamacpp"}


def test_presets_table_is_complete():
    assert set(PRESETS) == COMPATIBLE | {"openai", "anthropic"}
    for name, preset in PRESETS.items():
        assert set(preset) == {"provider_type", "base_url", "api_key_env", "default_model", "local"}
        assert preset["base_url"].startswith("http")
        assert preset["local"] is (name in LOCAL)
        if name in LOCAL:
            assert preset["api_key_env"] is None
            assert preset["base_url"].startswith("http://127.0.0.1:")
        else:
            assert preset["api_key_env"] == name.upper() + "_API_KEY"
            assert preset["base_url"].startswith("https://")
        expected = "anthropic" if name == "anthropic" else "openai"
        assert preset["provider_type"] == expected
    assert PRESETS["ollama"]["base_url"] == "http://127.0.0.1:11434/v1"
    assert PRESETS["lmstudio"]["base_url"] == "http://127.0.0.1:1234/v1"
    assert PRESETS["vllm"]["base_url"] == "http://127.0.0.1:8000/v1"
    assert PRESETS["llamacpp"]["base_url"] == "http://127.0.0.1:8080/v1"
    assert PRESETS["openai"]["base_url"] == "https://api.openai.com/v1"


def test_register_providers_registers_every_preset_with_its_factory():
    registry = ProviderRegistry()
    plugin.register_providers(registry.register)
    assert registry.names() == sorted(PRESETS)
    assert registry.get("openai").factory is plugin.openai_factory
    assert registry.get("anthropic").factory is plugin.anthropic_factory
    assert registry.get("groq").factory is plugin.openai_factory
    config = ProviderConfig(name="groq", provider_type="openai")
    assert isinstance(registry.get("groq").factory(config), OpenAIProvider)
    config = ProviderConfig(name="anthropic", provider_type="anthropic")
    assert isinstance(registry.get("anthropic").factory(config), AnthropicProvider)
    info = registry.get("groq").info
    assert info["base_url"] == "https://api.groq.com/openai/v1"
    assert info["api_key_env"] == "GROQ_API_KEY"
    assert info["provider_type"] == "openai"
    assert registry.get("ollama").info["local"] is True


def test_factory_builds_a_provider_without_importing_the_sdk():
    provider = OpenAIProvider(ProviderConfig(name="openai", provider_type="openai"))
    assert provider.capabilities("gpt-4o").supports_multimodal


def _fresh(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


def test_importing_the_plugin_imports_no_sdk_nor_http_client():
    code = (
        "import sys\n"
        "import llmspell_providers.plugin as p\n"
        "from llmspell.llm import ProviderConfig\n"
        "p.OpenAIProvider(ProviderConfig(name='x', provider_type='openai'))\n"
        "p.AnthropicProvider(ProviderConfig(name='y', provider_type='anthropic'))\n"
        "heavy = ('openai', 'anthropic', 'httpx', 'httpx2')\n"
        "print(','.join(m for m in heavy if m in sys.modules) or 'none')\n"
    )
    assert _fresh(code) == "none"
