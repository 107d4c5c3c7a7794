"""``[serve] warm_sdks``: which provider SDKs the warm workers import ahead of their run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmspell.config import load_settings
from llmspell.errors import ConfigurationError
from llmspell_cli.serve.warm import ENV, sdk_modules


def _settings(tmp_path: Path, text: str) -> object:
    path = tmp_path / "llmspell.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("", []),  # no agents, no providers: nothing to import
        ('[agents.a]\nmodel = "openai/gpt-4o-mini"\n', ["openai"]),
        ('[agents.a]\nmodel = "anthropic/claude-sonnet-4-6"\n', ["anthropic"]),
        ('[agents.a]\nmodel = "ollama/llama3"\n', ["openai"]),  # an OpenAI-compatible preset
        ('[agents.a]\nmodel = "scripted/m1"\n', []),  # a plugin's provider: its own client
        ('[agents.a]\nprovider = "groq"\nmodel = "llama"\n', ["openai"]),
        ('[providers.mine]\nbase_url = "http://127.0.0.1:9/v1"\n', ["openai"]),
        ('[providers.mine]\nprovider_type = "anthropic"\n', ["anthropic"]),
        ('[providers.mine]\nprovider_type = "anthropic"\nenabled = false\n', []),
        ('[serve]\nwarm_sdks = []\n[agents.a]\nmodel = "openai/gpt-4o-mini"\n', []),
        ('[serve]\nwarm_sdks = ["anthropic"]\n[agents.a]\nmodel = "openai/x"\n', ["anthropic"]),
        (
            '[serve]\nwarm_sdks = ["auto", "anthropic"]\n[agents.a]\nmodel = "openai/x"\n',
            ["anthropic", "openai"],
        ),
    ],
)
def test_which_sdks(tmp_path: Path, config: str, expected: list[str]) -> None:
    assert sdk_modules(_settings(tmp_path, config)) == expected


def test_an_unknown_sdk_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as err:
        _settings(tmp_path, '[serve]\nwarm_sdks = ["opnai"]\n')
    assert "serve.warm_sdks" in str(err.value) and "auto, openai, anthropic" in str(err.value)


def test_a_warm_worker_imports_them_before_its_run(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from llmspell_cli.serve import child\n"
        "before = 'openai' in sys.modules\n"
        "child._preload()\n"
        "print(before, 'openai' in sys.modules, 'anthropic' in sys.modules)\n"
    )
    env = {**os.environ, "LLMSPELL_HOME": str(tmp_path), ENV: "openai,not_a_module"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "False"]  # a missing one is skipped
