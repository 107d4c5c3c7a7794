"""Runs as DBOS workflows: the queue, the workflow and its one step, which executes the
spell in a worker process (``llmspell_cli.serve.child``, taken warm from serve/pool.py)
that it can kill; the retries of a run whose worker process or host died (when it asked
for them); the hosts' heartbeats, the recovery of runs held by a host that died, and the
drain on stop (no new runs; in-flight ones get a grace period)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSConfig, SetWorkflowID

from llmspell_cli.serve.outage import is_connection_error, reason
from llmspell_cli.serve.pool import WorkerPool, kill
from llmspell_cli.serve.runner import KILL_GRACE, Runner, stopped_error
from llmspell_cli.serve.store import RunStore, database_urls

__all__ = ["QUEUE", "Service", "current", "tick_run_id"]

#: the DBOS queue every host takes runs from
QUEUE = "llmspell-runs"
_service: Service | None = None


def current() -> Service:
    """The service of this process (started by :meth:`Service.start`)."""
    if _service is None:  # pragma: no cover - only when a workflow runs before start()
        raise RuntimeError("the llmspell service is not started")
    return _service


@dataclass
class Service:
    """One host of the service: DBOS, the run records, the heartbeat thread."""

    settings: Any
    home: Path
    config_path: str | None = None
    #: the command, for its log lines ("llmspell serve" or "llmspell worker")
    prog: str = "llmspell serve"
    executor: str = field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    )
    store: RunStore = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event)
    _procs: dict[str, subprocess.Popen[str]] = field(default_factory=dict)
    pool: WorkerPool = field(init=False)
    #: set on stop: this host takes no new runs
    draining: threading.Event = field(default_factory=threading.Event)
    #: set when the drain's grace period is over: the runs still going are killed
    drain_over: threading.Event = field(default_factory=threading.Event)
    _active: set[str] = field(default_factory=set)
    _active_lock: threading.Lock = field(default_factory=threading.Lock)
    #: one per worker: a run's attempt holds one while its worker process runs
    _slots: threading.BoundedSemaphore = field(init=False)
    #: the runs holding a slot
    _held: set[str] = field(default_factory=set)
    #: whether a run submitted while a slot is free starts at once, skipping the queue's
    #: poll (one host on SQLite); on a shared PostgreSQL every run goes through the queue,
    #: so the hosts share the work fairly
    direct: bool = field(init=False)

    def start(self) -> None:
        """Start the warm workers, launch DBOS (system database next to the run
        records) and the heartbeat."""
        global _service
        self.home.mkdir(parents=True, exist_ok=True)
        from llmspell_cli.serve import warm as warm_imports

        sdks = ",".join(warm_imports.sdk_modules(self.settings))
        env = {**os.environ, "LLMSPELL_HOME": str(self.home), "PYTHONUNBUFFERED": "1",
               warm_imports.ENV: sdks}  # fmt: skip
        warm = self.settings.serve.workers if self.settings.serve.warm_workers else 0
        self.pool = WorkerPool(warm, env)
        self.pool.start()
        sys_url, store_url = database_urls(self.settings.storage.url, self.home)
        self.store = RunStore(store_url)
        self._slots = threading.BoundedSemaphore(self.settings.serve.workers)
        self.direct = store_url.startswith("sqlite")
        config: DBOSConfig = {
            "name": "llmspell",
            "system_database_url": sys_url,
            "executor_id": self.executor,
            "log_level": os.environ.get("LLMSPELL_DBOS_LOG_LEVEL", "WARNING"),
            "application_version": "llmspell-serve-1",
            # how soon a schedule made on another host starts firing here too
            "scheduler_polling_interval_sec": 2.0,
        }
        _service = self
        from llmspell_cli.serve import schedules  # registers the scheduled workflow

        DBOS(config=config)
        DBOS.launch()
        DBOS.register_queue(
            QUEUE,
            worker_concurrency=self.settings.serve.workers,
            polling_interval_sec=0.05,
            on_conflict="always_update",
        )
        schedules.apply_config_schedules(self, schedules.config_entries(self.settings))
        self.store.heartbeat(self.executor, socket.gethostname(), os.getpid())
        threading.Thread(target=self._heartbeat, name="llmspell-heartbeat", daemon=True).start()

    def stop(self, drain_seconds: float | None = None) -> None:
        """Drain (:meth:`drain`, ``[serve] drain_seconds`` unless given), then stop the
        heartbeat, kill what is left and shut DBOS down."""
        global _service
        self.drain(self.settings.serve.drain_seconds if drain_seconds is None else drain_seconds)
        self._stop.set()
        self.pool.stop()
        for proc in list(self._procs.values()):
            kill(proc)
        DBOS.destroy(destroy_registry=False)
        if not self.active():
            self.store.forget_executor(self.executor)  # left cleanly: nothing to recover
        self.store.close()
        _service = None

    def drain(self, seconds: float) -> None:
        """Take no new runs (this host stops dequeuing and scheduling; queued runs stay
        queued for other hosts or the next start), let the runs in flight finish for up
        to ``seconds``, then kill the rest: they fail with ``WorkerDied`` ("the service
        stopped"). Returns when no run is in flight here."""
        if not self.draining.is_set():
            self.draining.set()
            for event in getattr(_dbos_instance(), "background_thread_stop_events", []):
                event.set()  # the queue and scheduler threads: what DBOS's destroy stops
        deadline = time.monotonic() + seconds
        while self.active() and time.monotonic() < deadline and not self.drain_over.is_set():
            time.sleep(0.05)
        self.drain_over.set()
        deadline = time.monotonic() + KILL_GRACE + 5
        while self.active() and time.monotonic() < deadline:
            time.sleep(0.05)

    def active(self) -> int:
        """Runs in flight on this host (DBOS workflows dequeued here and not done)."""
        dbos = _dbos_instance()
        try:
            workflows = len(dbos._active_workflows_set.activeList()) if dbos else 0
        except AttributeError:  # another DBOS version: our own count only
            workflows = 0
        with self._active_lock:
            return max(len(self._active), workflows)

    # -- submitting ------------------------------------------------------------------
    def submit(self, spec: dict[str, Any], *, token: str, kind: str) -> str:
        """Record the run and put it on the queue; returns its id. Refused (503) while
        this host is stopping."""
        if self.draining.is_set():
            from llmspell_cli.serve.http_errors import ApiError

            raise ApiError(
                503,
                "StateError",
                "the service is stopping: it takes no new runs",
                "submit to another host of the service, or again once it has restarted",
            )
        run_id = uuid.uuid4().hex
        # a free worker and no older run waiting: start now (the queue polls every 50 ms)
        now = self.direct and not self.store.has_queued() and self._slots.acquire(blocking=False)
        if now:
            with self._active_lock:
                self._held.add(run_id)
        try:
            self.store.create(run_id, token=token, kind=kind, spec=spec)
            with SetWorkflowID(run_id):
                if now:
                    DBOS.start_workflow(run_workflow, run_id)
                else:
                    DBOS.enqueue_workflow(QUEUE, run_workflow, run_id)
        except BaseException:
            self.release_slot(run_id)
            raise
        return run_id

    def take_slot(self, run_id: str) -> bool:
        """Hold a worker slot for the run's attempt (at once when its submit took one),
        waiting while all are busy; False when the drain's grace period ends first."""
        with self._active_lock:
            if run_id in self._held:
                return True
        while not self._slots.acquire(timeout=0.05):
            if self.drain_over.is_set():
                return False
        with self._active_lock:
            self._held.add(run_id)
        return True

    def release_slot(self, run_id: str) -> None:
        """Give back the run's worker slot (nothing when it holds none)."""
        with self._active_lock:
            if run_id not in self._held:
                return
            self._held.discard(run_id)
        self._slots.release()

    def cancel(self, run_id: str, message: str = "cancelled by request") -> bool:
        """Cancel a queued or running run (its worker process is killed within ~0.3 s
        on whichever host runs it); False when it had already finished. ``message``
        becomes the run's error message."""
        done = self.store.finish(
            run_id, "cancelled", error={"kind": "Cancelled", "message": message}
        )
        DBOS.cancel_workflow(run_id)
        with self._active_lock:
            started = run_id in self._active
        if not started:  # a cancelled workflow may never reach its step, which frees it
            self.release_slot(run_id)
        return done

    # -- hosts -----------------------------------------------------------------------
    def _heartbeat(self) -> None:
        dead_after = self.settings.serve.dead_after_seconds
        said = ""  # the last error reported: a database down for long is one line
        while not self._stop.wait(min(2.0, dead_after / 4)):
            try:
                self.store.heartbeat(self.executor, socket.gethostname(), os.getpid())
                said = ""
                if self.draining.is_set():
                    continue  # takes over no run while stopping
                for dead in self.store.dead_executors(dead_after):
                    self._recover(dead)
            except Exception as exc:  # the database may be down for a while: retry
                line = f"{type(exc).__name__}: {reason(exc)}"
                if line != said:
                    said = line
                    print(f"{self.prog}: heartbeat: {line}", file=sys.stderr, flush=True)

    def _recover(self, dead: str) -> None:
        """Take over the runs of a host that stopped beating: DBOS puts their workflows
        back on the queue; a run with retries left is queued again (the next attempt
        runs on a live host), the others fail with ``WorkerDied`` (the spell is not
        re-run unasked: it may have had effects)."""
        self.store.forget_executor(dead)
        recovered: set[str] = set()
        try:
            for handle in DBOS._recover_pending_workflows([dead]):
                workflow_id = handle.get_workflow_id()
                recovered |= {workflow_id, tick_run_id(workflow_id)}
        except Exception as exc:
            print(f"llmspell serve: recovering runs of {dead}: {exc}", file=sys.stderr)
        for run_id, attempt in self.store.running_on(dead):
            if run_id in recovered:
                self.store.retry(run_id, _died(dead), executor=dead, attempt=attempt,
                                 note=" on a live host")  # fmt: skip
            else:  # not a DBOS workflow any more: nothing would run it again
                self.store.finish(run_id, "failed", error=_died(dead))


def _dbos_instance() -> Any:
    from dbos import _dbos

    return getattr(_dbos, "_dbos_global_instance", None)


def _died(executor: str) -> dict[str, Any]:
    return {
        "kind": "WorkerDied",
        "message": f"the host running this run ({executor}) died mid-run",
        "hint": "submit the run again (or give it \"retries\" if the spell may run twice)",
    }


def tick_run_id(workflow_id: str) -> str:
    """The run id of a schedule tick's workflow (the same on every host)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"llmspell:{workflow_id}").hex


@DBOS.workflow(name="llmspell_run")
def run_workflow(run_id: str) -> None:
    """One run: a single step, so a recovered run never re-executes a finished spell."""
    execute_run(run_id)


@DBOS.step(name="llmspell_execute")
def execute_run(run_id: str) -> None:
    """Execute the run in a worker process, again while its worker process (or host)
    dies and it has retries left, and record its output and outcome."""
    svc = current()
    with svc._active_lock:
        svc._active.add(run_id)
    try:
        while True:
            try:
                _attempts(svc, run_id)
                return
            except Exception as exc:
                if not is_connection_error(exc) or not _database_back(svc):
                    raise
                if svc.store.status(run_id) != "queued":
                    return  # it had started: the database watch fails it (outcome lost)
                # it had not started (the outage came between the dequeue and the start):
                # run it now rather than leave it queued with no workflow to run it
    finally:
        with svc._active_lock:
            svc._active.discard(run_id)
        svc.release_slot(run_id)


def _database_back(svc: Service) -> bool:
    """Wait until the run store answers again (every 2 s); False when the drain's grace
    period ends first."""
    while not svc.drain_over.wait(2.0):
        try:
            svc.store.status("")
            return True
        except Exception as exc:
            if not is_connection_error(exc):
                raise
    return False


def backoff(settings: Any, failed: int) -> float:
    """Seconds before the retry that follows ``failed`` failed attempts."""
    first = float(settings.serve.retry_backoff_seconds)
    return float(min(300.0, first * 2 ** max(0, failed - 1)))


def _attempts(svc: Service, run_id: str) -> None:
    row = svc.store.get(run_id, with_output=False)
    if row is None or row["status"] not in ("queued", "running"):
        return  # cancelled while queued
    if row["status"] == "running":  # DBOS recovery: the attempt died with its host
        dead = row["executor"] or "?"
        svc.store.retry(run_id, _died(dead), executor=dead, attempt=row["attempts"],
                        note=" on a live host")  # fmt: skip
    while True:
        if not _wait_backoff(svc, run_id):
            return
        if svc.draining.is_set() and svc.store.progress(run_id)[1] > 0:
            _requeue_elsewhere(svc, run_id)  # a retry is a new run: not on this host
            return
        if not svc.take_slot(run_id):  # stopping while waiting for a worker
            _requeue_elsewhere(svc, run_id)
            return
        try:
            attempt = svc.store.start(run_id, svc.executor)
            if attempt == 0:
                return  # cancelled, or taken by another host (its recovery raced ours)
            error = stopped_error(svc) if svc.drain_over.is_set() else Runner(svc, run_id).run()
        finally:
            svc.release_slot(run_id)  # not held through a retry's backoff
        if error is None:
            return  # the run is final
        note = (" on another host" if svc.draining.is_set()
                else f" in {backoff(svc.settings, attempt):g} s")  # fmt: skip
        decided = svc.store.retry(run_id, error, executor=svc.executor, attempt=attempt,
                                  note=note)  # fmt: skip
        if decided is None or decided[0] == "failed":
            return


def _wait_backoff(svc: Service, run_id: str) -> bool:
    """Wait out the backoff after the run's failed attempts (cut short when this host
    starts to stop); False when the run is not queued any more (cancelled)."""
    row = svc.store.get(run_id, with_output=False)
    if row is None or row["status"] != "queued":
        return False
    previous = row["previous_errors"]
    if not previous:
        return True
    until = float(previous[-1].get("at") or 0) + backoff(svc.settings, len(previous))
    last_check = 0.0
    while (now := time.time()) < until and not svc.draining.is_set():
        if now - last_check > 0.25:
            last_check = now
            if svc.store.status(run_id) != "queued":
                return False
        time.sleep(min(0.05, until - now))
    return True


def _requeue_elsewhere(svc: Service, run_id: str) -> None:
    """A queued run (between two attempts) on a host that is stopping: a new workflow
    puts it on the queue for another host (or this one once it starts again). Enqueued
    from a thread of its own: this one is inside the run's DBOS step."""
    attempt = svc.store.progress(run_id)[1]

    def enqueue() -> None:
        try:
            with SetWorkflowID(f"{run_id}-attempt{attempt + 1}"):
                DBOS.enqueue_workflow(QUEUE, run_workflow, run_id)
        except Exception as exc:
            svc.store.finish(run_id, "failed", error={
                "kind": "WorkerDied",
                "message": f"the service stopped between two attempts of the run and could "
                f"not queue the next one: {type(exc).__name__}: {exc}",
                "hint": "submit the run again",
            })  # fmt: skip

    thread = threading.Thread(target=enqueue, name="llmspell-requeue", daemon=True)
    thread.start()
    thread.join()
