"""The local embedder (all-MiniLM-L6-v2, int8 ONNX) on this machine (issue 15).

Run from the repository root::

    uv run --all-packages python benchmarks/bench_embed.py          # a table
    uv run --all-packages python benchmarks/bench_embed.py --json   # machine-readable

Measures, as median [min..max]:

1. cold import: ``import llmspell_providers.plugin`` plus registering the embedders (what
   every start-up pays), and ``import llmspell_providers.embeddings.local`` (what opening
   the local embedder pays before the model loads), each in fresh processes, beside the
   floor ``import llmspell.embedders``;
2. model load: in fresh processes, open the embedder and embed one short text (verify
   the file's sha256, build the tokenizer, create the onnxruntime session, first run);
3. throughput: chunks of exactly 200 WordPiece tokens embedded in batches of 32, in
   chunks per second (one process, after warm-up).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

_TEXT = """river mountain engine theory market garden window language history planet signal
library protein harbour circuit glacier poem budget vaccine algorithm orchestra festival
satellite village treaty molecule canyon lantern compiler harvest"""
WORDS = _TEXT.split()


def stats(values: list[float]) -> dict[str, float]:
    """median, min and max of ``values``."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def fmt(s: dict[str, float], unit: str, digits: int = 1) -> str:
    """``median [min..max] unit``."""
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}..{s['max']:.{digits}f}] {unit}"


def fresh(code: str) -> float:
    """Seconds the snippet ``code`` reports (it prints a float) in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return float(out.stdout.strip().splitlines()[-1])


def cold_imports(runs: int) -> dict[str, dict[str, float]]:
    """Import costs in ms, each case in ``runs`` fresh processes (after one warm-up)."""
    cases = {
        "floor: import llmspell.embedders": "import llmspell.embedders\n",
        "plugin import + register_embedders": (
            "import llmspell.embedders\n"
            "from llmspell.backends import BackendRegistry\n"
            "t = time.perf_counter()\n"
            "import llmspell_providers.plugin as p\n"
            "p.register_embedders(BackendRegistry('e').register)\n"
        ),
        "import llmspell_providers.embeddings.local": (
            "import llmspell.embedders\n"
            "t = time.perf_counter()\n"
            "import llmspell_providers.embeddings.local\n"
        ),
        "... + open_local() (imports the extras)": (
            "import llmspell.embedders\n"
            "t = time.perf_counter()\n"
            "from llmspell_providers.embeddings.local import open_local\n"
            "open_local()\n"
        ),
    }
    results = {}
    for name, body in cases.items():
        code = "import time\nt = time.perf_counter()\n" + body
        code += "print((time.perf_counter() - t) * 1000)\n"
        fresh(code)
        results[name] = stats([fresh(code) for _ in range(runs)])
    return results


def model_load(runs: int) -> dict[str, dict[str, float]]:
    """Seconds from ``open_local()`` to the first vector, in fresh processes; and the
    model's own load time (verify + tokenizer + session)."""
    code = (
        "import time, json\n"
        "from llmspell_providers.embeddings.local import open_local\n"
        "from llmspell_providers.embeddings import minilm\n"
        "t = time.perf_counter()\n"
        "e = open_local(); e.embed(['hello world'])\n"
        "first = time.perf_counter() - t\n"
        "m = minilm.load_model()\n"
        "t = time.perf_counter(); minilm.build_tokenizers(); tok = time.perf_counter() - t\n"
        "print(json.dumps([first, m.load_seconds, tok]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    rows = []
    for i in range(runs + 1):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        if i:
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "first embed (open + load + run), s": stats([r[0] for r in rows]),
        "model load (sha256 + tokenizer + session), s": stats([r[1] for r in rows]),
        "tokenizer built from vocab.txt, ms": stats([r[2] * 1000 for r in rows]),
    }


def make_chunks(count: int, tokens: int, counter: Any) -> list[str]:
    """``count`` different texts of exactly ``tokens`` WordPiece tokens."""
    chunks = []
    for i in range(count):
        words = [WORDS[(i * 7 + j * 3 + j // 5) % len(WORDS)] for j in range(tokens + 20)]
        text = " ".join(words)
        while counter(text) > tokens:
            text = text.rsplit(" ", 1)[0]
        chunks.append(text)
    return chunks


def throughput(repeats: int, count: int, tokens: int, batch: int) -> dict[str, Any]:
    """Chunks per second embedding ``count`` chunks of ``tokens`` tokens, ``batch`` at a
    time, ``repeats`` times."""
    from llmspell_providers.embeddings.local import open_local

    embedder = open_local()
    embedder.max_batch = batch
    chunks = make_chunks(count, tokens, embedder.count_tokens)
    assert all(embedder.count_tokens(c) == tokens for c in chunks)
    embedder.embed(chunks[:batch])  # warm-up
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        embedder.embed(chunks)
        rates.append(count / (time.perf_counter() - t))
    return {"chunks/s": stats(rates), "chunks": count, "tokens": tokens, "batch": batch}


def main() -> int:
    """Run the three measurements and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per case")
    parser.add_argument("--repeats", type=int, default=3, help="throughput repetitions")
    parser.add_argument("--chunks", type=int, default=128, help="chunks per repetition")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = {
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cold_import_ms": cold_imports(args.runs),
        "model_load": model_load(args.runs),
        "throughput": throughput(args.repeats, args.chunks, 200, 32),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"local embedder (all-MiniLM-L6-v2 int8), {result['cpus']} CPUs, median [min..max]")
    for name, s in result["cold_import_ms"].items():
        print(f"  {name:<48} {fmt(s, 'ms')}")
    for name, s in result["model_load"].items():
        unit = name.rsplit(", ", 1)[1]
        print(f"  {name.rsplit(', ', 1)[0]:<48} {fmt(s, unit, 3 if unit == 's' else 1)}")
    tp = result["throughput"]
    label = f"throughput, {tp['tokens']}-token chunks, batch {tp['batch']}"
    print(f"  {label:<48} {fmt(tp['chunks/s'], 'chunks/s')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
