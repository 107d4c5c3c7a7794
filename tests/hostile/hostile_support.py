"""Shared machinery of the hostile-spell suite (issues 11 and 12; docs/security.md),
imported by conftest.py and the test modules.

Every case runs the real ``llmspell`` command in a subprocess, in its own session
(process group), in an isolated working directory with a private ``LLMSPELL_HOME`` and
``HOME``, exactly like ``tests/e2e``. The child is reaped with ``os.wait4`` so that the
peak RSS (``ru_maxrss``: the child and the descendants it reaped) is measured from
outside the process.

The harness protects the shared machine: a child that runs past its wall-time bound
(+ 1 s) or whose resident memory passes :data:`RSS_KILL_MB` is killed with its whole
process group; the case then fails with the reason.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
LLMSPELL = BIN / "llmspell"
COMMAND = [str(LLMSPELL)] if LLMSPELL.exists() else [sys.executable, "-m", "llmspell_cli.main"]
SPELLS = Path(__file__).parent / "spells"

#: slack for this noisy, shared machine, on top of 2 x limit + start-up
GRACE_S = 1.5
#: the engine memory limit every limit case runs with (--memory-mb)
MEMORY_MB = 64
#: the host memory budget every limit case runs with (LLMSPELL_HOST_MEMORY_MB)
HOST_MEMORY_MB = 256
#: the peak RSS a case may reach (interpreter + libraries are ~60-120 MB)
RSS_BOUND_MB = 700
#: the harness kills a child above this resident size (protects the shared machine)
RSS_KILL_MB = 2000

#: the limit flags every limit case passes
LIMIT_FLAGS = ("--memory-mb", str(MEMORY_MB))
LIMIT_ENV = {"LLMSPELL_HOST_MEMORY_MB": str(HOST_MEMORY_MB)}

#: words that say which limit ended a run
WALL = "wall-time"
MEMORY = "memory"
HOST_MEMORY = "host memory"
INSTRUCTION = "instruction"
ANY_LIMIT = (WALL, MEMORY, INSTRUCTION)

BAD_OUTPUT = ("Traceback", "PANIC", "Task exception was never retrieved")


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    """One finished run of the command."""

    args: list[str]
    returncode: int  # negative: killed by that signal
    stdout: str
    stderr: str
    wall: float  # seconds from start to reaping
    maxrss_mb: float  # peak RSS of the child (and reaped descendants)
    harness_kill: str | None = None  # why the harness killed it, if it did

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def explain(self) -> str:
        kill = f", killed by the harness: {self.harness_kill}" if self.harness_kill else ""
        return (
            f"$ llmspell {' '.join(self.args)}\n"
            f"exit {self.returncode}, {self.wall:.2f} s, peak RSS {self.maxrss_mb:.0f} MB{kill}\n"
            f"--- stdout\n{self.stdout[-3000:]}--- stderr\n{self.stderr[-3000:]}"
        )


def _tree_rss_mb(pid: int) -> float:
    """Resident size of ``pid`` and its descendants (MB); 0 when it is gone."""
    total = 0
    todo = [pid]
    seen: set[int] = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total / 2**20


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def reap(
    proc: subprocess.Popen[bytes],
    started: float,
    kill_after: float,
    *,
    on_tick: object = None,
) -> tuple[int, float, float, str | None]:
    """Wait for ``proc`` with ``os.wait4``; kill its group past ``kill_after`` seconds or
    :data:`RSS_KILL_MB`. Returns (returncode, wall, maxrss_mb, harness_kill)."""
    why: str | None = None
    last_rss = 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if callable(on_tick):
            on_tick()
        now = time.monotonic()
        if why is None and now - started > kill_after:
            why = f"still running after {kill_after:.1f} s"
            _kill_group(proc.pid)
        if why is None and now - last_rss > 0.05:
            last_rss = now
            rss = _tree_rss_mb(proc.pid)
            if rss > RSS_KILL_MB:
                why = f"resident memory {rss:.0f} MB > {RSS_KILL_MB} MB"
                _kill_group(proc.pid)
        time.sleep(0.01)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    _kill_group(proc.pid)  # leftovers of the group (a tool's child process)
    return proc.returncode, wall, usage.ru_maxrss / 1024, why


class Hostile:
    """Runs ``llmspell`` in ``cwd`` with an isolated environment, as tests/e2e does."""

    def __init__(self, root: Path) -> None:
        self.cwd = root / "run"
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.logs = root / "logs"
        self.logs.mkdir(exist_ok=True)
        self.home = root / "llmspell-home"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("LLMSPELL_") or k == "LLMSPELL_LOAD_PLUGINS"
        }
        env.update(
            LLMSPELL_HOME=str(self.home),
            HOME=str(self.cwd),
            COLUMNS="200",
            NO_COLOR="1",
            PYTHONIOENCODING="utf-8",
        )
        self.env = env
        self._n = 0

    # -- files

    def spell(self, name: str) -> str:
        """Copy ``spells/<name>`` into the working directory; returns its relative name."""
        shutil.copy(SPELLS / name, self.cwd / name)
        return name

    def write(self, name: str, text: str) -> Path:
        path = self.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def data(self, *names: str) -> None:
        """Make the named data files in the working directory (see :data:`DATA`)."""
        for name in names:
            DATA[name](self.cwd / name)

    # -- running

    def popen(self, args: Sequence[str], env: dict[str, str] | None, **kw: object) -> object:
        return subprocess.Popen(  # type: ignore[call-overload]
            [*COMMAND, *args], cwd=self.cwd, env={**self.env, **(env or {})}, **kw
        )

    def run(
        self, *args: str, env: dict[str, str] | None = None, kill_after: float = 60.0
    ) -> Result:
        """Run ``llmspell *args``; the child is killed (group) after ``kill_after`` s."""
        self._n += 1
        out_path = self.logs / f"{self._n}.out"
        err_path = self.logs / f"{self._n}.err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.monotonic()
            proc = self.popen(
                args,
                env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
            code, wall, rss, why = reap(proc, started, kill_after)  # type: ignore[arg-type]
        return Result(
            list(args),
            code,
            out_path.read_text("utf-8", "replace"),
            err_path.read_text("utf-8", "replace"),
            wall,
            rss,
            why,
        )


# --------------------------------------------------------------------------- data files


def _text_file(size: int) -> object:
    def make(path: Path) -> None:
        line = b"the quick brown fox jumps over the lazy dog 0123456789\n"
        with open(path, "wb") as f:
            block = line * ((1 << 20) // len(line) + 1)
            written = 0
            while written < size:
                chunk = block[: size - written]
                f.write(chunk)
                written += len(chunk)

    return make


def _one_line(path: Path) -> None:
    path.write_bytes(b"a" * 200_000 + b"\n")


def _sparse_100g(path: Path) -> None:
    # a hole: takes no disk space, reads as 100 GiB of zeros
    with open(path, "wb"):
        pass
    os.truncate(path, 100 * 2**30)


def _environ_link(path: Path) -> None:
    os.symlink("/proc/self/environ", path)


def _proc_dir(path: Path) -> None:
    os.symlink("/proc/self", path)


DATA = {
    "data40.txt": _text_file(40 * 2**20),
    "line200k.txt": _one_line,
    "sparse100g.bin": _sparse_100g,
    "link": _environ_link,
    "procdir": _proc_dir,
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def hostile(tmp_path: Path) -> Hostile:
    return Hostile(tmp_path)


@pytest.fixture(scope="session")
def startup(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Seconds a trivial spell takes from exec to exit (the slower engine, best of two)."""
    h = Hostile(tmp_path_factory.mktemp("startup"))
    h.write("hello.lua", 'print("hello")\n')
    h.write("hello.js", 'print("hello");\n')
    worst = 0.0
    for name in ("hello.lua", "hello.js"):
        # a failing start-up still costs its time; the cases report what fails
        runs = [h.run("run", name, kill_after=60) for _ in range(2)]
        worst = max(worst, min(r.wall for r in runs))
    return worst


@pytest.fixture
def bound(startup: float):  # type: ignore[no-untyped-def]
    """``bound(limit)``: the wall time a run with that limit may take."""

    def f(limit: float) -> float:
        return 2 * limit + startup + GRACE_S

    return f


# --------------------------------------------------------------------------- assertions


def problems_common(r: Result, *, rss_mb: float = RSS_BOUND_MB) -> list[str]:
    """What is wrong with any run, whatever its outcome."""
    found = []
    if r.harness_kill:
        found.append(f"the harness had to kill it ({r.harness_kill})")
    elif r.returncode < 0:
        found.append(f"killed by signal {-r.returncode}")
    for bad in BAD_OUTPUT:
        if bad in r.output:
            found.append(f"{bad!r} in the output")
    if r.maxrss_mb >= rss_mb:
        found.append(f"peak RSS {r.maxrss_mb:.0f} MB >= {rss_mb:.0f} MB")
    return found


def check(found: list[str], r: Result) -> None:
    if found:
        pytest.fail("; ".join(found) + "\n" + r.explain(), pytrace=False)


def assert_limit(
    r: Result,
    *,
    within: float,
    names: Sequence[str] = ANY_LIMIT,
    where: str | None = None,
    rss_mb: float = RSS_BOUND_MB,
    kind: str = "LimitExceeded",
    code: int = 1,
) -> None:
    """The run was ended by a limit: in time, exit ``code``, ``kind`` and one of
    ``names`` on stderr (and ``where``, a ``file`` or ``file:line``), nothing escaped."""
    found = problems_common(r, rss_mb=rss_mb)
    if r.wall > within:
        found.append(f"took {r.wall:.2f} s > {within:.2f} s")
    if r.returncode != code and not r.harness_kill:
        found.append(f"exit {r.returncode}, expected {code}")
    if kind not in r.stderr:
        found.append(f"{kind!r} not on stderr")
    low = r.stderr.lower()
    if not any(n.lower() in low for n in names):
        found.append(f"stderr names none of {list(names)}")
    if where and where not in r.stderr:
        found.append(f"stderr does not give the location {where!r}")
    if "SURVIVED" in r.stdout:
        found.append("the spell went on after the attack (SURVIVED printed)")
    check(found, r)


def assert_contained(
    r: Result,
    *,
    within: float,
    names: Sequence[str] = ANY_LIMIT,
    ok_marker: str | None = None,
    rss_mb: float = RSS_BOUND_MB,
) -> None:
    """For attacks a bounded primitive may refuse instead: the run ends in time and
    either with ``LimitExceeded`` (exit 1) or — when ``ok_marker`` is given — cleanly
    (exit 0 with ``ok_marker`` on stdout); or with exit 1 and a clear error kind."""
    found = problems_common(r, rss_mb=rss_mb)
    if r.wall > within:
        found.append(f"took {r.wall:.2f} s > {within:.2f} s")
    if not r.harness_kill:
        if r.returncode == 0:
            if ok_marker is None or ok_marker not in r.stdout:
                found.append(f"exit 0 without {ok_marker!r} on stdout")
        elif r.returncode == 1:
            if "LimitExceeded" in r.stderr:
                low = r.stderr.lower()
                if not any(n.lower() in low for n in names):
                    found.append(f"stderr names none of {list(names)}")
            elif not re.search(r"\b[A-Z][A-Za-z]*Error: ", r.stderr):
                found.append("exit 1 without a LimitExceeded or a clear error kind")
        else:
            found.append(f"exit {r.returncode}, expected 0 or 1")
    check(found, r)


# --------------------------------------------------------------------------- slow model


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    delay = 5.0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer({"object": "list", "data": [{"id": "m", "object": "model"}]})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        time.sleep(self.delay)
        self._answer(
            {
                "id": "chatcmpl-slow",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "slow answer"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
            }
        )

    def _answer(self, body: object) -> None:
        data = json.dumps(body).encode()
        with contextlib.suppress(OSError):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)


@dataclass
class SlowModel:
    """A model server on 127.0.0.1 that answers every chat request after 5 s."""

    port: int
    requests: list[str] = field(default_factory=list)

    def config(self) -> str:
        """An operator's llmspell.toml naming it ``[providers.slow]`` (model ``slow/m``)."""
        return (
            "[providers.slow]\n"
            'provider_type = "openai"\n'
            f'base_url = "http://127.0.0.1:{self.port}/v1"\n'
            'api_key_env = "SLOW_KEY"\n'
            "max_retries = 0\n"
        )

    env = {"SLOW_KEY": "dummy-key"}


@pytest.fixture(scope="session")
def slow_model() -> Iterator[SlowModel]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SlowModel(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


__all__ = [
    "ANY_LIMIT",
    "HOST_MEMORY",
    "INSTRUCTION",
    "LIMIT_ENV",
    "LIMIT_FLAGS",
    "MEMORY",
    "WALL",
    "Hostile",
    "Result",
    "assert_contained",
    "assert_limit",
    "check",
    "problems_common",
]


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Attack:
    """One hostile spell and what must stop it.

    ``mode`` "limit": the run must end with ``LimitExceeded`` naming one of ``names``;
    "contained": a bounded primitive may refuse the attack instead (a clear error, or
    exit 0 with ``ok`` on stdout when given) — but it must end in time, within memory,
    without a traceback."""

    spell: str
    names: tuple[str, ...] = ANY_LIMIT
    timeout: float = 1.0
    where: str | None = None
    mode: str = "limit"
    ok: str | None = None
    memory_mb: int = MEMORY_MB
    env: tuple[tuple[str, str], ...] = ()
    data: tuple[str, ...] = ()
    #: limit the bound is computed from (default: ``timeout``); e.g. an instruction
    #: budget must stop the spell long before a generous ``timeout``
    bound_limit: float | None = None
    rss_mb: float = RSS_BOUND_MB

    @property
    def id(self) -> str:
        return self.spell

    def param(self, *marks: object) -> object:
        return pytest.param(self, id=self.spell, marks=marks)


def run_attack(h: Hostile, attack: Attack, bound: object) -> tuple[Result, float]:
    """Run ``attack`` with its limits (``--timeout``, ``--memory-mb``, the host budget);
    returns the result and the wall-time bound it is held to."""
    within = bound(attack.bound_limit or attack.timeout)  # type: ignore[operator]
    h.data(*attack.data)
    name = h.spell(attack.spell)
    r = h.run(
        "run",
        name,
        "--timeout",
        str(attack.timeout),
        "--memory-mb",
        str(attack.memory_mb),
        env={**LIMIT_ENV, **dict(attack.env)},
        kill_after=within + 1.0,
    )
    return r, within


def check_attack(h: Hostile, attack: Attack, bound: object) -> Result:
    r, within = run_attack(h, attack, bound)
    if attack.mode == "limit":
        assert_limit(r, within=within, names=attack.names, where=attack.where, rss_mb=attack.rss_mb)
    else:
        assert_contained(
            r, within=within, names=attack.names, ok_marker=attack.ok, rss_mb=attack.rss_mb
        )
    return r
