"""docs/configuration.md covers every setting and environment variable, and its TOML
examples are valid configuration files."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from llmspell import config

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"

SECTIONS = {
    "runtime": config.RuntimeSettings,
    "state": config.StateSettings,
    "security": config.SecuritySettings,
    "hooks": config.HookSettings,
    "events": config.EventSettings,
    "storage": config.StorageSettings,
    "sessions": config.SessionsSettings,
    "rag": config.RagSettings,
    "memory": config.MemorySettings,
    "mcp": config.McpSettings,
    "observability": config.ObservabilitySettings,
    "logs": config.LogsSettings,
    "serve": config.ServeSettings,
    "providers.NAME": config.ProviderSettings,
}

#: variables read outside ENV_VARS (home, config file, plugin loader)
OTHER_ENV_VARS = (
    "LLMSPELL_HOME",
    "LLMSPELL_CONFIG",
    "LLMSPELL_STRICT_PLUGINS",
    "LLMSPELL_LOAD_PLUGINS",
    "LLMSPELL_DISABLE_PLUGIN_AUTOLOAD",
)


def _field_names(cls: Any) -> list[str]:
    if dataclasses.is_dataclass(cls):
        fields = dataclasses.fields(cls)
        return [f.name for f in fields if not f.metadata.get("internal")]
    return [n for n in getattr(cls, "model_fields", {}) if n != "source"]  # pydantic


def _section_text(doc: str, title: str) -> str:
    start = doc.index(f"### `[{title}]`")
    end = doc.find("\n### ", start + 1)
    return doc[start : end if end != -1 else None]


@pytest.mark.parametrize("section", SECTIONS, ids=str)
def test_every_key_documented(section: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    if section == "providers.NAME":
        text = doc[doc.index("### `default_provider` and `[providers.NAME]`") :]
        text = text[: text.index("\n### ", 1)]
    else:
        text = _section_text(doc, section)
    missing = [k for k in _field_names(SECTIONS[section]) if f"| `{k}` |" not in text]
    assert not missing, f"[{section}] keys missing from docs/configuration.md: {missing}"


def test_top_level_keys_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for key in _field_names(config.Settings):
        assert f"`{key}`" in doc or f"[{key}" in doc, key


def test_every_env_var_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    names = [*config.ENV_VARS, *OTHER_ENV_VARS]
    missing = [n for n in names if f"| `{n}` |" not in doc]
    assert not missing, f"environment variables missing from the table: {missing}"
    for name, path in config.ENV_VARS.items():
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{name}` |"))
        assert f"`{'.'.join(path)}`" in row, f"{name} should say it sets {'.'.join(path)}"


def test_toml_examples_are_valid(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks
    for i, block in enumerate(blocks):
        path = tmp_path / f"example{i}.toml"
        path.write_text(block, encoding="utf-8")
        settings = config.load_settings(path, environ={})
        assert settings.source == str(path)
