"""``llmspell providers`` end to end: the real command lists presets and configured
providers with their base URL, default model and key variable, never the key."""

from __future__ import annotations

import json
from typing import Any

SECRET = "sk-e2e-providers-secret-value"
NO_KEYS = {
    name: ""
    for name in (
        "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY", "OPENROUTER_API_KEY",
        "TOGETHER_API_KEY", "MISTRAL_API_KEY", "DEEPSEEK_API_KEY", "XAI_API_KEY",
        "FIREWORKS_API_KEY", "PERPLEXITY_API_KEY", "E2E_OFFICE_KEY",
    )
}  # fmt: skip

CONFIG = """
default_provider = "office"

[providers.office]
base_url = "http://127.0.0.1:9/v1"
api_key_env = "E2E_OFFICE_KEY"
default_model = "office-model"

[providers.off]
base_url = "http://127.0.0.1:9/v1"
enabled = false
"""


def test_text_lists_presets_and_configured_without_keys(cli: Any) -> None:
    cli.write("llmspell.toml", CONFIG)
    proc = cli("providers", env={**NO_KEYS, "OPENAI_API_KEY": SECRET})
    assert proc.returncode == 0, cli.explain(proc)
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert lines["NAME"].split() == ["NAME", "TYPE", "USABLE", "BASE", "URL", "DEFAULT", "MODEL",
                                     "KEY", "FROM"]  # fmt: skip
    assert "https://api.openai.com/v1" in lines["openai"] and "gpt-4o-mini" in lines["openai"]
    assert "OPENAI_API_KEY (found)" in lines["openai"] and " yes " in lines["openai"]
    assert "ANTHROPIC_API_KEY (not set)" in lines["anthropic"] and " no " in lines["anthropic"]
    assert "not needed" in lines["ollama"] and "http://127.0.0.1:11434/v1" in lines["ollama"]
    assert "E2E_OFFICE_KEY (not set)" in lines["office"] and "config" in lines["office"]
    assert "office: provider 'office' needs an API key" in proc.stdout
    assert "off: provider 'off' is disabled" in proc.stdout
    assert SECRET not in proc.stdout + proc.stderr


def test_json_and_usable(cli: Any) -> None:
    cli.write("llmspell.toml", CONFIG)
    env = {**NO_KEYS, "E2E_OFFICE_KEY": SECRET, "GROQ_API_KEY": SECRET}
    proc = cli("providers", "--output", "json", env=env)
    assert proc.returncode == 0, cli.explain(proc)
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["office"]["available"] is True and rows["office"]["key_found"] is True
    assert rows["office"]["key_env"] == "E2E_OFFICE_KEY"
    assert rows["office"]["default_model"] == "office-model"
    assert rows["groq"]["source"] == "preset" and rows["openai"]["available"] is False
    assert rows["off"]["enabled"] is False
    assert SECRET not in proc.stdout
    usable = cli("providers", "--usable", "-o", "json", env=env)
    assert usable.returncode == 0, cli.explain(usable)
    # what Provider.list() returns: configured and usable, or a key found
    assert [row["name"] for row in json.loads(usable.stdout)] == ["groq", "office"]
    legacy = cli("providers", "--json", "--usable", env=env)
    assert json.loads(legacy.stdout) == json.loads(usable.stdout)


def test_same_listing_as_provider_list(cli: Any) -> None:
    cli.write("llmspell.toml", CONFIG)
    env = {**NO_KEYS, "E2E_OFFICE_KEY": SECRET}
    cli.write("p.lua", "for _, p in ipairs(Provider.list()) do print(p.name) end")
    spell = cli("run", "p.lua", env=env)
    listed = cli("providers", "--usable", "-o", "json", env=env)
    assert spell.returncode == 0, cli.explain(spell)
    assert spell.stdout.split() == [row["name"] for row in json.loads(listed.stdout)] == ["office"]


def test_config_option_and_errors(cli: Any) -> None:
    cli.write("other.toml", '[providers.elsewhere]\nbase_url = "http://127.0.0.1:9/v1"\n')
    proc = cli("providers", "--config", "other.toml", "-o", "json", env=NO_KEYS)
    assert proc.returncode == 0, cli.explain(proc)
    assert "elsewhere" in {row["name"] for row in json.loads(proc.stdout)}
    missing = cli("providers", "-c", "nowhere.toml")
    assert missing.returncode == 2 and "nowhere.toml" in missing.stderr
    cli.write("bad.toml", "[providers.x]\nbase_url = 5\n")
    bad = cli("providers", "-c", "bad.toml")
    assert bad.returncode == 2 and "providers.x.base_url" in bad.stderr
    wrong = cli("providers", "--output", "yaml")
    assert wrong.returncode == 2
