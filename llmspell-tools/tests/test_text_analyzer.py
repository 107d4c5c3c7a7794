"""text-analyzer: stats, readability, keywords, language guess, sentences, misuse."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError

TEXT = (
    "The cat sat on the mat. Dr. Smith saw the cat at 3.14 pm!\n\n"
    "Was it happy? The cat was very happy with the mat."
)


def test_stats(tools):
    r = tools.ok("text-analyzer", input=TEXT)["result"]
    assert r["sentences"] == 4 and r["paragraphs"] == 2 and r["words"] == 24
    assert 0 < r["lexical_diversity"] < 1


def test_sentences(tools):
    r = tools.ok("text-analyzer", operation="sentences", input=TEXT)["result"]
    assert r["sentences"][1] == "Dr. Smith saw the cat at 3.14 pm!"
    assert r["count"] == 4


def test_readability(tools):
    easy = tools.ok("text-analyzer", operation="readability", input="The cat sat. It ran.")
    hard = tools.ok(
        "text-analyzer",
        operation="readability",
        input=(
            "Institutional interoperability necessitates comprehensive organizational "
            "standardization of administrative documentation."
        ),
    )
    assert easy["result"]["flesch_reading_ease"] > 90 > hard["result"]["flesch_reading_ease"]
    assert hard["result"]["flesch_kincaid_grade"] > easy["result"]["flesch_kincaid_grade"]
    assert hard["result"]["interpretation"] == "very difficult"
    empty = tools.ok("text-analyzer", operation="readability", input="123 456")
    assert empty["result"]["flesch_reading_ease"] is None


def test_keywords(tools):
    r = tools.ok("text-analyzer", operation="keywords", input=TEXT, limit=2)["result"]
    assert [k["word"] for k in r["keywords"]] == ["cat", "happy"]
    assert r["keywords"][0]["count"] == 3


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The weather is nice today and we are going to the park with our friends.", "en"),
        ("El perro de mi vecino es muy grande y come todos los días en la casa.", "es"),
        ("Le chat de la voisine est très mignon et il dort sur le canapé.", "fr"),
        ("Der Hund meines Nachbarn ist sehr groß und schläft auf dem Sofa.", "de"),
        ("Il gatto della vicina è molto carino e dorme sul divano con i bambini.", "it"),
        ("O cachorro do meu vizinho é muito grande e dorme no sofá com as crianças.", "pt"),
    ],
)
def test_language(tools, text, lang):
    r = tools.ok("text-analyzer", operation="language", input=text)["result"]
    assert r["language"] == lang and r["confidence"] > 0


def test_language_unknown(tools):
    r = tools.ok("text-analyzer", operation="language", input="xqzt plorf gnarb")["result"]
    assert r["language"] == "unknown"


def test_misuse_and_size(tools):
    with pytest.raises(ValidationError, match="parameter 'input'"):
        tools("text-analyzer", input=3)
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("text-analyzer", operation="summarize", input="x")
    with pytest.raises(ValidationError, match="parameter 'limit'"):
        tools("text-analyzer", operation="keywords", input="x", limit=0)
    assert "over the limit" in tools.failed("text-analyzer", input="a" * 5_000_001)["error"]
