"""RAG, Memory and Context on this machine (issue 15).

Run from the repository root::

    uv run --all-packages python benchmarks/bench_rag.py          # a table
    uv run --all-packages python benchmarks/bench_rag.py --json   # machine-readable

Measures, as median [min..max] (latencies as p50 / p95 over all calls):

1. ingest throughput: ``RagService.ingest`` of documents (sentence chunks of 200 tokens)
   with the local embedder into the default sqlite-vec store, in chunks per second,
   beside the embedder alone on the very same chunk texts and batches — the difference
   is what chunking, bookkeeping and the store writes add (goal: at most 15 %);
2. ``Memory.episodic.add`` without embedding cost: the entry's vector precomputed (what
   the service adds: checks, the record, the store write), on sqlite-vec and on the
   in-memory store, and the whole call with the test hash embedder (goal: p50 <= 1 ms);
3. ``Context.assemble`` over 10,000 episodic entries of one session (384 dimensions,
   hash-embedded so the query costs next to nothing), budget 1000 tokens, on sqlite-vec
   and on the in-memory store (goal: p50 <= 20 ms).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from llmspell.config import load_settings
from llmspell.embedders import HashEmbedder
from llmspell.memory import memory_service
from llmspell.rag import rag_service
from llmspell.rag.chunking import chunk_text
from llmspell.runtime import Output, Runtime

_TEXT = """river mountain engine theory market garden window language history planet signal
library protein harbour circuit glacier poem budget vaccine algorithm orchestra festival
satellite village treaty molecule canyon lantern compiler harvest"""
_WORDS = _TEXT.split()


def stats(values: list[float]) -> dict[str, float]:
    """median, min and max of ``values``."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def pcts(values: list[float]) -> dict[str, float]:
    """p50 and p95 of ``values``."""
    ordered = sorted(values)
    return {"p50": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))]}


def fmt(s: dict[str, float], unit: str, digits: int = 1) -> str:
    """``median [min..max] unit``."""
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}..{s['max']:.{digits}f}] {unit}"


def document(n: int, sentences: int = 60) -> str:
    """A document of ``sentences`` sentences of 12 to 20 words."""
    out = []
    for i in range(sentences):
        k = 12 + (i * 7 + n) % 9
        words = [_WORDS[(n * 31 + i * 17 + j * 5) % len(_WORDS)] for j in range(k)]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def runtime(home: Path, store: str, embedder: str = "local") -> Runtime:
    """A runtime with its vector store under ``home``."""
    settings = load_settings(
        environ={"LLMSPELL_HOME": str(home)},
        use_files=False,
        overrides={
            ("state", "backend"): "memory",
            ("rag", "store"): store,
            ("rag", "embedder"): embedder,
            ("rag", "location"): str(home / f"rag-{store}-{embedder}.db"),
        },
    )
    rt = Runtime(settings, output=Output(io.StringIO(), io.StringIO()))
    rt.embedders.register(lambda model=None, **_: HashEmbedder(dimensions=384), name="hash384")
    return rt


def bench_ingest(home: Path, docs: int, repeats: int) -> dict[str, Any]:
    """Chunks per second: the service's ingest vs the embedder alone, same texts."""
    rt = runtime(home, "sqlite-vec")
    svc = rag_service(rt)
    embedder = svc.index.embedder()
    texts = [document(n) for n in range(docs)]
    chunks = [
        c.text
        for t in texts
        for c in chunk_text(
            t, strategy="sentence", chunk_size=200, overlap=20, count_tokens=embedder.count_tokens
        )
    ]
    batch = embedder.max_batch
    embedder.embed(chunks[:batch])  # warm-up (the model's first run)
    svc.ingest([{"content": "warm up"}], {"scope": "warm"})
    alone, service = [], []
    for r in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(chunks), batch):
            embedder.embed(chunks[i : i + batch])
        alone.append(len(chunks) / (time.perf_counter() - start))
        start = time.perf_counter()
        got = svc.ingest(
            [{"id": f"d{n}", "content": t} for n, t in enumerate(texts)],
            {"scope": f"bench{r}", "chunking": {"chunk_size": 200, "overlap": 20}},
        )
        service.append(got["vectors_created"] / (time.perf_counter() - start))
        assert got["vectors_created"] == len(chunks), (got, len(chunks))
    rt.close()
    a, s = stats(alone), stats(service)
    return {
        "chunks": len(chunks),
        "embedder_alone": a,
        "ingest": s,
        "overhead_pct": round((a["median"] / s["median"] - 1) * 100, 1),
    }


def bench_add(home: Path, calls: int) -> dict[str, Any]:
    """Memory.episodic.add latency without embedding cost."""
    out: dict[str, Any] = {}
    for store in ("sqlite-vec", "memory"):
        rt = runtime(home, store, "hash384")
        mem = memory_service(rt)
        vector = mem.index.embedder().embed(["a precomputed vector"])[0]
        mem.add("warm", "user", "warm up")
        times = []
        for i in range(calls):
            start = time.perf_counter()
            mem.episodic.add("bench", "user", f"entry {i} about {_WORDS[i % 30]}", vector=vector)
            times.append((time.perf_counter() - start) * 1000)
        out[f"{store}, precomputed vector"] = pcts(times)
        times = []
        for i in range(calls):
            start = time.perf_counter()
            mem.add("bench2", "user", f"entry {i} about {_WORDS[i % 30]}")
            times.append((time.perf_counter() - start) * 1000)
        out[f"{store}, hash embedder"] = pcts(times)
        rt.close()
    return out


def bench_assemble(home: Path, entries: int, calls: int) -> dict[str, Any]:
    """Context.assemble over ``entries`` episodic entries of one session."""
    out: dict[str, Any] = {}
    for store in ("sqlite-vec", "memory"):
        rt = runtime(home, store, "hash384")
        mem = memory_service(rt)
        embedder = mem.index.embedder()
        texts = [
            f"note {i}: the {_WORDS[i % 30]} {_WORDS[(i * 7) % 30]} {_WORDS[(i * 13) % 30]}"
            for i in range(entries)
        ]
        vectors = embedder.embed(texts)
        mem.add("s", "user", "first")
        for text, vec in zip(texts, vectors, strict=True):
            mem.episodic.add("s", "user", text, vector=vec)
        mem.assemble("warm up", "episodic", 1000, "s")
        times = []
        for i in range(calls):
            start = time.perf_counter()
            got = mem.assemble(f"{_WORDS[i % 30]} {_WORDS[(i * 3) % 30]}", "episodic", 1000, "s")
            times.append((time.perf_counter() - start) * 1000)
            assert got["token_count"] <= 1000 and got["chunks"]
        out[store] = pcts(times)
        rt.close()
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--docs", type=int, default=24, help="documents per ingest (24)")
    parser.add_argument("--repeats", type=int, default=3, help="ingest repeats (3)")
    parser.add_argument("--calls", type=int, default=500, help="calls per latency case (500)")
    parser.add_argument("--entries", type=int, default=10_000, help="entries to assemble from")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="llmspell-bench-rag-") as tmp:
        home = Path(tmp)
        result = {
            "ingest": bench_ingest(home, args.docs, args.repeats),
            "episodic_add_ms": bench_add(home, args.calls),
            "assemble_ms": bench_assemble(home, args.entries, min(args.calls, 200)),
        }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    ing = result["ingest"]
    print(f"ingest, {ing['chunks']} chunks of 200 tokens, local embedder, sqlite-vec")
    print(f"  embedder alone      {fmt(ing['embedder_alone'], 'chunks/s')}")
    print(f"  RAG ingest          {fmt(ing['ingest'], 'chunks/s')}")
    print(f"  overhead            {ing['overhead_pct']} %   (goal <= 15 %)")
    print("Memory.episodic.add, ms            p50      p95   (goal p50 <= 1 ms)")
    for case, p in result["episodic_add_ms"].items():
        print(f"  {case:32} {p['p50']:6.3f}   {p['p95']:6.3f}")
    print(f"Context.assemble over {args.entries} entries, ms  p50  p95   (goal p50 <= 20 ms)")
    for case, p in result["assemble_ms"].items():
        print(f"  {case:32} {p['p50']:6.2f}   {p['p95']:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
