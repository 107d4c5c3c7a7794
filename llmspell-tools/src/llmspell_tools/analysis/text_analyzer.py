"""text-analyzer: statistics, readability, keywords, language guess, sentence split.

The language guess is a heuristic: it counts common function words ("stopwords") of
English, Spanish, French, German, Italian and Portuguese. It is right for ordinary prose
of a sentence or more, unreliable for short or mixed text, and knows no other language.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, output
from llmspell_tools.data._values import check_text

MAX_TEXT = 5_000_000
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*", re.UNICODE)
_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "inc",
    "ltd",
    "co",
    "no",
    "fig",
    "sra",
    "mme",
    "mlle",
}
_SENTENCE_END = re.compile(r"([.!?…]+)([\"'”\u2019)\]]*)(\s+)")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "en": _set(
        "the of and to a in is it that was for on are with as be at by this have from or "
        "had not but what all were when we there can an your which their if do will each "
        "about how up out them then she many some so these would other into has more her "
        "two like him see time could no make than been who its now people my made over "
        "did down only way find use may i you he they our me us"
    ),
    "es": _set(
        "de la que el en y a los se del las un por con no una su para es al lo como más "
        "pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta "
        "hay donde quien desde todo nos durante todos uno les ni contra otros ese eso "
        "ante ellos e esto mí antes algunos qué unos yo otro otras otra él tanto esa "
        "estos mucho quienes nada muchos cual poco ella estar estas algunas algo nosotros "
        "está son fue"
    ),
    "fr": _set(
        "de la le et les des en un du une que est pour qui dans par plus pas au sur ne se "
        "ce il sont avec ou son aux elle nous vous ils leur mais été cette ces comme tout "
        "fait être on sa ses je tu a été avait ont était très sans même aussi bien peut "
        "où donc alors lui y"
    ),
    "de": _set(
        "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als "
        "auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie "
        "einem über einen so zum war haben nur oder aber vor zur bis mehr durch man sein "
        "wurde sei ich wir ihr kann diese"
    ),
    "it": _set(
        "di e il la che in a per un è non una sono del della le si con i da al dei gli "
        "come più lo ma anche delle nel alla questo ci ha se nella su degli tra io loro "
        "essere molto era sul quando questa cosa tutto ho siamo hanno perché fra"
    ),
    "pt": _set(
        "de a o que e do da em um para é com não uma os no se na por mais as dos como mas "
        "foi ao ele das tem à seu sua ou ser quando muito há nos já está eu também só "
        "pelo pela até isso ela entre era depois sem mesmo aos ter seus quem nas me esse "
        "eles estão você tinha foram essa num nem suas meu às minha têm numa pelos elas "
        "havia seja qual será nós lhe deles essas esses pelas este fosse dele"
    ),
}

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
}
# a few letters that point at one language, to break ties between close neighbours
_MARKS = {"es": "ñ¿¡", "fr": "çœùêèû", "de": "äöüß", "pt": "ãõç", "it": "ì"}


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and inner apostrophes)."""
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    """``text`` split into sentences at ., ! and ? (not after common abbreviations,
    initials or inside numbers like 3.14) and at blank lines."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        start = 0
        for m in _SENTENCE_END.finditer(block):
            before = block[start : m.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            if m.group(1) == "." and (last in _ABBREV or (len(last) == 1 and last.isalpha())):
                continue
            piece = block[start : m.end(2)].strip()
            if piece:
                out.append(" ".join(piece.split()))
            start = m.end()
        rest = block[start:].strip()
        if rest:
            out.append(" ".join(rest.split()))
    return out


def syllables(word: str) -> int:
    """An English syllable estimate: vowel groups, minus a silent final 'e', at least 1."""
    w = word.lower().strip("'\u2019")
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    groups = re.findall(r"[aeiouyàâäéèêëîïôöùûü]+", w)
    count = len(groups)
    return max(1, count)


def _stats(params: dict[str, Any]) -> Any:
    text = params["input"]
    ws = words(text)
    ss = sentences(text)
    lower = [w.lower() for w in ws]
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    result = {
        "characters": len(text),
        "characters_no_spaces": len(re.sub(r"\s", "", text)),
        "words": len(ws),
        "unique_words": len(set(lower)),
        "sentences": len(ss),
        "paragraphs": len(paragraphs),
        "lines": len(text.splitlines()),
        "average_word_length": sum(map(len, ws)) / len(ws) if ws else 0.0,
        "average_sentence_length": len(ws) / len(ss) if ss else 0.0,
        "lexical_diversity": len(set(lower)) / len(ws) if ws else 0.0,
        "reading_time_minutes": len(ws) / 200,
    }
    return output(result, text=f"{len(ws)} words, {len(ss)} sentences, {len(text)} characters")


def _interpret(ease: float) -> str:
    for bound, label in (
        (90, "very easy"),
        (80, "easy"),
        (70, "fairly easy"),
        (60, "standard"),
        (50, "fairly difficult"),
        (30, "difficult"),
    ):
        if ease >= bound:
            return label
    return "very difficult"


def _readability(params: dict[str, Any]) -> Any:
    text = params["input"]
    ws = words(text)
    ss = max(1, len(sentences(text)))
    if not ws:
        result: dict[str, Any] = {
            "flesch_reading_ease": None,
            "flesch_kincaid_grade": None,
            "words": 0,
            "sentences": 0,
            "syllables": 0,
            "interpretation": "no words",
        }
        return output(result, text="no words to score")
    syl = sum(syllables(w) for w in ws)
    wps, spw = len(ws) / ss, syl / len(ws)
    ease = 206.835 - 1.015 * wps - 84.6 * spw
    grade = 0.39 * wps + 11.8 * spw - 15.59
    complex_words = sum(1 for w in ws if syllables(w) >= 3)
    result = {
        "flesch_reading_ease": round(ease, 2),
        "flesch_kincaid_grade": round(grade, 2),
        "interpretation": _interpret(ease),
        "words": len(ws),
        "sentences": ss,
        "syllables": syl,
        "average_words_per_sentence": round(wps, 2),
        "average_syllables_per_word": round(spw, 3),
        "complex_words": complex_words,
        "method": "Flesch formulas with a vowel-group syllable heuristic (English)",
    }
    return output(result, text=f"reading ease {ease:.1f} ({_interpret(ease)}), grade {grade:.1f}")


def _keywords(params: dict[str, Any]) -> Any:
    text = params["input"]
    limit = params.get("limit", 10)
    min_length = params.get("min_length", 3)
    language = params.get("language") or _guess(text)[0] or "en"
    stop = STOPWORDS.get(language, frozenset()) | STOPWORDS["en"]
    lower = [w.lower() for w in words(text)]
    counts = Counter(w for w in lower if len(w) >= min_length and w not in stop)
    total = sum(counts.values())
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    keywords: list[dict[str, Any]] = [
        {"word": w, "count": c, "frequency": c / total} for w, c in top
    ]
    return output(
        {"keywords": keywords, "language": language, "total_words": len(lower)},
        text=", ".join(k["word"] for k in keywords),
    )


def _guess(text: str) -> tuple[str | None, float, dict[str, float]]:
    lower = [w.lower() for w in words(text)[:20_000]]
    if not lower:
        return None, 0.0, {}
    scores = {
        lang: sum(1 for w in lower if w in stop) / len(lower) for lang, stop in STOPWORDS.items()
    }
    sample = text[:20_000].lower()
    for lang, marks in _MARKS.items():
        if any(ch in sample for ch in marks):
            scores[lang] += 0.02
    best = max(scores, key=lambda k: scores[k])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < 0.05:
        return None, 0.0, scores
    margin = ranked[0] - ranked[1]
    confidence = min(1.0, ranked[0] * 2 + margin * 3)
    return best, round(confidence, 3), scores


def _language(params: dict[str, Any]) -> Any:
    lang, confidence, scores = _guess(params["input"])
    result: dict[str, Any] = {
        "language": lang or "unknown",
        "name": LANGUAGE_NAMES.get(lang or "", "unknown"),
        "confidence": confidence,
        "scores": {k: round(v, 4) for k, v in scores.items()},
        "method": "heuristic: share of common stopwords (en, es, fr, de, it, pt only)",
    }
    return output(result, text=result["language"])


def _sentences(params: dict[str, Any]) -> Any:
    ss = sentences(params["input"])
    return output({"sentences": ss, "count": len(ss)}, text="\n".join(ss))


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Analyze the text in ``input``."""
    check_text(params["input"], "input", MAX_TEXT)
    ops = {
        "stats": _stats,
        "readability": _readability,
        "keywords": _keywords,
        "language": _language,
        "sentences": _sentences,
    }
    return dispatch(params, ops, params, default="stats")


TOOL = Tool(
    name="text-analyzer",
    description="Analyze text: 'stats' (characters, words, sentences, paragraphs, lexical "
    "diversity), 'readability' (Flesch reading ease and Flesch-Kincaid grade, English "
    "syllable heuristic), 'keywords' (most frequent non-stopwords; limit, min_length), "
    "'language' (heuristic guess among en, es, fr, de, it, pt from common words), "
    "'sentences' (split into sentences).",
    category="analysis",
    handler=run,
    timeout_seconds=15,
    tags=("text", "nlp", "readability"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["stats", "readability", "keywords", "language", "sentences"],
                "default": "stats",
            },
            "input": {"type": "string", "description": "the text to analyze"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10},
            "min_length": {"type": "integer", "minimum": 1, "maximum": 50, "default": 3},
            "language": {
                "type": "string",
                "enum": list(STOPWORDS),
                "description": "keywords: the stopword language (default: guessed)",
            },
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
