"""docs/embedders.md stays true: its plugin example registers a working embedder, and the
missing-extra message it shows is the one users get."""

from __future__ import annotations

import math
import re
import sys
import types
from pathlib import Path

import pytest

from llmspell.config import RagSettings, Settings
from llmspell.embedders import open_embedder
from llmspell.errors import ConfigurationError
from llmspell.plugins import PluginLoader
from llmspell.runtime import Runtime
from llmspell_providers.embeddings.local import open_local

DOC = Path(__file__).parents[2] / "docs" / "embedders.md"


def _python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)


def test_the_plugin_example_registers_a_working_embedder():
    (code,) = _python_blocks()
    module = types.ModuleType("docs_trigram_plugin")
    exec(compile(code, str(DOC), "exec"), module.__dict__)
    loader = PluginLoader(autoload=False, strict=True)
    loader.register(module, name="trigram")
    loader.check_pending()
    runtime = Runtime(Settings(rag=RagSettings(embedder="trigram")), loader=loader)
    try:
        assert runtime.embedders.names() == ["trigram"]
        emb = open_embedder(runtime.settings.rag.embedder, runtime.embedders, runtime.settings)
        a, b, c = emb.embed(["the quick brown fox", "the quick brown foxes", "zzz qqq"])
        assert len(a) == emb.dimensions == 256
        assert abs(math.sqrt(sum(x * x for x in a)) - 1.0) < 1e-9
        dot = lambda u, v: sum(x * y for x, y in zip(u, v, strict=True))  # noqa: E731
        assert dot(a, b) > dot(a, c)
        with pytest.raises(ConfigurationError):
            open_embedder("trigram/other", runtime.embedders, runtime.settings)
    finally:
        runtime.close()


def test_the_missing_extra_message_is_the_documented_one(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ConfigurationError) as err:
        open_local()
    assert f"{err.value.kind}: {err.value}" in DOC.read_text(encoding="utf-8")
