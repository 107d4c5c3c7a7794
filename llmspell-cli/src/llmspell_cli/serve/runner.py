"""The worker process of one attempt of a run, watched: its output batched into the run
store, killed at the run's time limit, on cancel or when the drain's grace period ends;
the outcome recorded. A short database outage loses nothing: output and outcome are
written once the database answers again."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llmspell_cli.serve.outage import is_connection_error
from llmspell_cli.serve.pool import kill

if TYPE_CHECKING:
    from llmspell_cli.serve.execution import Service

__all__ = ["KILL_GRACE", "Runner", "stopped_error"]

#: seconds a worker process gets past the run's own timeout before it is killed
KILL_GRACE = 5.0


def stopped_error(svc: Service) -> dict[str, Any]:
    """The error of a run killed because the drain's grace period ended."""
    seconds = svc.settings.serve.drain_seconds
    return {
        "kind": "WorkerDied",
        "message": f"the service stopped ({svc.executor}) and the run did not finish "
        f"within the drain period ([serve] drain_seconds = {seconds:g})",
        "hint": "submit the run again; raise [serve] drain_seconds to let longer runs "
        "finish when the service stops",
    }


class Runner:
    """The worker process of one run, watched: output batched into the store, killed
    at the limit or on cancel."""

    def __init__(self, svc: Service, run_id: str) -> None:
        self.svc = svc
        self.run_id = run_id
        with svc.store.engine.connect() as conn:
            import sqlalchemy as sa

            from llmspell_cli.serve.store import runs

            text, base = conn.execute(
                sa.select(runs.c.spec, runs.c.output_bytes).where(runs.c.id == run_id)
            ).one()
        self.spec: dict[str, Any] = json.loads(text)
        self.pending: list[tuple[str, str]] = []
        self.base = int(base or 0)  # output of the earlier attempts (each has the full cap)
        self.size = 0
        self.seq = svc.store.next_seq(run_id)
        self.truncated = False
        self.done: dict[str, Any] | None = None
        self.finished = threading.Event()  # the worker sent its outcome
        self.lock = threading.Lock()

    def run(self) -> dict[str, Any] | None:
        """Run the attempt; None when the run is final, else the ``WorkerDied`` error
        of a worker process that died (or was killed by the drain), for a retry."""
        spec = {**self.spec, "config": self.svc.config_path}
        proc, _warm = self.svc.pool.take()
        self.svc._procs[self.run_id] = proc
        try:
            return self._watch(proc, spec)
        finally:
            self.svc._procs.pop(self.run_id, None)
            kill(proc)

    def _watch(self, proc: subprocess.Popen[str], spec: dict[str, Any]) -> dict[str, Any] | None:
        assert proc.stdin and proc.stdout and proc.stderr
        try:
            proc.stdin.write(json.dumps(spec))
            proc.stdin.close()
        except OSError:  # the worker died before the run reached it: reported below
            pass
        reader = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        reader.start()
        errors: list[str] = []
        threading.Thread(
            target=lambda: errors.append(proc.stderr.read(65536)),  # type: ignore[union-attr]
            daemon=True,
        ).start()
        limit = float(self.spec.get("timeout") or self.svc.settings.runtime.timeout_seconds)
        deadline = time.monotonic() + limit + KILL_GRACE
        last_check = 0.0
        outcome: tuple[str, dict[str, Any]] | None = None
        while proc.poll() is None:
            if self.finished.wait(0.05):
                break  # the outcome is in: no need to wait for the process to exit
            self._flush()
            now = time.monotonic()
            if self.svc.drain_over.is_set():
                outcome = ("failed", stopped_error(self.svc))
                break
            if now > deadline:
                outcome = (
                    "failed",
                    {
                        "kind": "LimitExceeded",
                        "message": f"the run passed its time limit ({limit:g} s) and was killed",
                        "hint": "give a larger timeout (at most [serve] max_timeout_seconds)",
                    },
                )
                break
            if now - last_check > 0.25:
                last_check = now
                if self._status() not in ("running", None):
                    kill(proc)  # cancelled
                    return None
        kill(proc)
        reader.join(timeout=5)
        self._flush()
        if outcome is not None:
            if outcome[1]["kind"] == "WorkerDied":
                return outcome[1]  # the drain killed it
            self._record(lambda: self.svc.store.finish(self.run_id, outcome[0], error=outcome[1]))
            return None
        done = self.done
        if done is None:
            code = proc.returncode
            how = f"signal {-code}" if code and code < 0 else f"exit code {code}"
            tail = "".join(errors).strip()[-2000:]
            return {
                "kind": "WorkerDied",
                "message": f"the worker process ended ({how}) before "
                f"the run finished" + (f": {tail}" if tail else ""),
                "hint": "a memory or time limit may have been hit; see the output",
            }
        status = "failed" if done.get("error") else "succeeded"
        self._record(
            lambda: self.svc.store.finish(
                self.run_id,
                status,
                result=done.get("result"),
                usage=done.get("usage"),
                error=done.get("error"),
            )
        )
        return None

    def _read(self, stream: Any) -> None:
        cap = self.svc.settings.serve.max_output_bytes
        for line in stream:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("t") == "done":
                self.done = msg
                self.finished.set()
            elif msg.get("t") == "out":
                text = str(msg.get("x", ""))
                with self.lock:
                    if self.size + len(text) > cap:
                        if not self.truncated:
                            self.truncated = True
                            self.pending.append(("stderr", f"[output cut at {cap} bytes]\n"))
                        continue
                    self.size += len(text)
                    self.pending.append((str(msg.get("s", "stdout")), text))

    def _flush(self, *, strict: bool = False) -> None:
        """Write the output received since the last flush. While the database is
        unreachable it is kept (within the output cap) for the next flush, unless
        ``strict``: then the error is raised."""
        with self.lock:
            items, self.pending = self.pending, []
        if not items:
            return
        try:
            self.svc.store.append_output(self.run_id, self.seq, items, self.base + self.size)
        except Exception as exc:
            with self.lock:
                self.pending[:0] = items
            if strict or not is_connection_error(exc):
                raise
            return
        self.seq += len(items)

    def _status(self) -> str | None:
        """The run's status in the store; None while the database is unreachable (the
        run goes on: a cancel made meanwhile is seen once it is back)."""
        try:
            return self.svc.store.status(self.run_id)
        except Exception as exc:
            if not is_connection_error(exc):
                raise
            return None

    def _record(self, write: Callable[[], object]) -> None:
        """Write the outcome, again every 2 s while the database is unreachable (a short
        outage loses nothing), giving up when the drain is over: the database watch
        then fails the run (its outcome is lost)."""
        while True:
            try:
                self._flush(strict=True)
                write()
                return
            except Exception as exc:
                if not is_connection_error(exc) or self.svc.drain_over.wait(2.0):
                    raise
