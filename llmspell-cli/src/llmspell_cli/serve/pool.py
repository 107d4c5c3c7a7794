"""Warm worker processes: a few ``python -m llmspell_cli.serve.child`` processes started
ahead of time, which have imported llmspell, the engines and the plugins and wait for a
run on stdin. A worker runs one run and exits (runs never share a process); taking one
makes the pool start a replacement in the background.

The processes are started by one long-lived thread, because a worker asks Linux to kill
it when the thread that started it ends (``PR_SET_PDEATHSIG``): no spell outlives the
host process that watches it, even after ``kill -9``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque

__all__ = ["WorkerPool", "kill", "spawn"]

#: seconds a new worker gets to import everything and say it is ready
_READY_TIMEOUT = 60.0
#: how long :meth:`WorkerPool.take` waits for a warm worker before starting one itself
_TAKE_WAIT = 10.0


def spawn(env: dict[str, str]) -> subprocess.Popen[str]:
    """Start one worker process (it leads its own session, so it can be killed with
    every process it starts)."""
    return subprocess.Popen(
        [sys.executable, "-m", "llmspell_cli.serve.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**env, "LLMSPELL_SERVE_PARENT": str(os.getpid())},
        start_new_session=True,
    )


def wait_ready(proc: subprocess.Popen[str], timeout: float = _READY_TIMEOUT) -> bool:
    """Read the worker's first protocol line (``{"t": "ready"}``); False (and the
    process killed) when it ended, or hung, before that."""
    assert proc.stdout is not None
    timer = threading.Timer(timeout, kill, (proc,))
    timer.daemon = True
    timer.start()
    try:
        line = proc.stdout.readline()
    finally:
        timer.cancel()
    if '"ready"' in line and proc.poll() is None:
        return True
    kill(proc)
    return False


def kill(proc: subprocess.Popen[str]) -> None:
    """Kill the worker process and its children (it leads its own session)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait()


def _stderr_tail(proc: subprocess.Popen[str]) -> str:
    try:
        return (proc.stderr.read(4000) if proc.stderr else "").strip()[-1000:]
    except (OSError, ValueError):
        return ""


class WorkerPool:
    """Keeps ``size`` ready worker processes (``size`` 0: none, every run starts its own)."""

    def __init__(self, size: int, env: dict[str, str]) -> None:
        self.size = size
        self.env = env
        self._idle: deque[subprocess.Popen[str]] = deque()
        self._starting = 0
        self._failures = 0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread that keeps the pool full."""
        if self.size > 0:
            self._thread = threading.Thread(target=self._fill, name="llmspell-pool", daemon=True)
            self._thread.start()

    def idle(self) -> int:
        """Ready workers waiting for a run."""
        with self._cond:
            return len(self._idle)

    def take(self) -> tuple[subprocess.Popen[str], bool]:
        """A ready worker and whether it was warm. When the pool has none ready (all
        taken, or it is off), wait a little for the one being started, else start one
        in this thread (whose lifetime then bounds the worker's)."""
        deadline = time.monotonic() + _TAKE_WAIT
        with self._cond:
            while self.size > 0 and not self._stopped:
                while self._idle:
                    proc = self._idle.popleft()
                    self._cond.notify_all()  # the filler starts a replacement
                    if proc.poll() is None:
                        return proc, True
                left = deadline - time.monotonic()
                if left <= 0 or (self._starting == 0 and self._failures > 0):
                    break
                self._cond.wait(min(left, 0.5))
        proc = spawn(self.env)
        if not wait_ready(proc):
            return proc, False  # dead: the run reports it (WorkerDied, with its stderr)
        return proc, False

    def stop(self) -> None:
        """Stop filling and kill the idle workers."""
        with self._cond:
            self._stopped = True
            idle, self._idle = list(self._idle), deque()
            self._cond.notify_all()
        for proc in idle:
            kill(proc)

    def _fill(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and len(self._idle) + self._starting >= self.size:
                    self._cond.wait()
                if self._stopped:
                    return
                self._starting += 1
                backoff = min(30.0, 0.5 * 2 ** min(self._failures, 6)) if self._failures else 0
            if backoff:
                time.sleep(backoff)
            try:
                proc = spawn(self.env)
            except OSError as exc:
                print(f"llmspell serve: cannot start a worker process: {exc}", file=sys.stderr)
                self._settle(None)
                continue
            threading.Thread(
                target=lambda p=proc: self._settle(p if wait_ready(p) else None, p),
                name="llmspell-pool-ready",
                daemon=True,
            ).start()

    def _settle(
        self, ready: subprocess.Popen[str] | None, proc: subprocess.Popen[str] | None = None
    ) -> None:
        """A started worker is ready (or failed): count it, and hand it out."""
        if ready is None and proc is not None:
            tail = _stderr_tail(proc)
            print(
                "llmspell serve: a worker process failed to start"
                + (f": {tail}" if tail else ""),
                file=sys.stderr,
            )
        with self._cond:
            self._starting -= 1
            if ready is None:
                self._failures += 1
            else:
                self._failures = 0
                if self._stopped:
                    kill(ready)
                else:
                    self._idle.append(ready)
            self._cond.notify_all()
