"""The watchdog: a monitor thread outside the engines that makes every run end.

Limits are enforced in three layers (docs/security.md): the engines' cooperative checks,
bounded primitives, and this backstop. One daemon thread per process watches every run
in flight:

- at a run's deadline it calls :meth:`RunSession.stop` and cancels the run's task, so a
  run waiting on host work (an agent call, a tool) ends at once;
- it samples the process's resident memory and stops a run whose growth passes the
  run's budget (``memory_mb + host_memory_mb`` plus slack for lazily imported libraries);
- in ``exit`` mode (the CLI) a run still going ``grace`` seconds after it was told to
  stop is ended with the process: the limit's error is printed and the process exits
  (1 for a limit, 130 for an interrupt). Code that never releases the GIL cannot be
  reached by a Python thread, so ``exit`` mode also arms :mod:`faulthandler`'s C-level
  timer, which ends the process (exit 1) a little later still.

It also turns SIGINT into an interrupt: :meth:`Watchdog.install_sigint` routes the
signal through a wakeup pipe to this thread (a Python signal handler would wait for the
main thread, which may be inside a long C call): the first Ctrl-C stops the running
spells with :class:`~llmspell.errors.Interrupted`; a second one exits at once (130).

Before it ends the process, the watchdog calls the exit hooks (:meth:`Watchdog.add_exit_hook`:
the run log and tracing end the runs in flight with the error, write them and export
their spans), for at most :data:`EXIT_FLUSH_SECONDS`: a stuck database or collector does
not keep the process alive. faulthandler's timer, the last resort for a thread that
never releases the GIL, ends the process without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Literal

from llmspell.errors import Interrupted, LimitExceeded, SpellExit

if TYPE_CHECKING:
    from llmspell.runtime import RunSession

__all__ = ["EXIT_INTERRUPTED", "EXIT_LIMIT", "Watch", "Watchdog", "grace_for", "watchdog"]

#: process exit codes in ``exit`` mode
EXIT_LIMIT, EXIT_INTERRUPTED = 1, 130
#: how often the thread looks at deadlines and memory (seconds)
POLL_SECONDS = 0.05
#: growth allowed beyond the run's budgets before the RSS watch stops it (libraries a
#: run imports on first use: an SDK, httpx, matplotlib)
RSS_SLACK_BYTES = 256 * 1024 * 1024
#: how long an interrupted run may take to unwind before the process ends
INTERRUPT_GRACE = 1.0
#: how long the exit hooks (the run log, spans) may take before the process ends anyway
EXIT_FLUSH_SECONDS = 1.0

#: an exit hook: called with the error the process ends with
ExitHook = Callable[[BaseException], Any]

Mode = Literal["exit", "cooperative"]


def grace_for(timeout: float | None) -> float:
    """Seconds a run may overrun its wall-time limit before the backstop acts: half the
    limit, at least 0.5 s and at most 5 s (a run ends within 2x its limit)."""
    if not timeout:
        return 5.0
    return min(max(timeout * 0.5, 0.5), 5.0)


def _rss_bytes() -> int | None:
    """The process's resident set size, or None where /proc is not available."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@dataclass(eq=False)
class Watch:
    """One watched run: its session, its task and loop, and when it was told to stop."""

    session: RunSession
    loop: asyncio.AbstractEventLoop
    task: asyncio.Task[Any] | None
    rss_limit: int | None
    #: monotonic time by which the run must have ended, once it was told to stop
    must_end_by: float | None = None
    done: bool = False
    _cancelled: bool = field(default=False, repr=False)

    def stop(self, err: LimitExceeded, grace: float) -> None:
        """Tell the run to end with ``err`` and give it ``grace`` seconds to do so."""
        self.session.stop(err)
        now = time.monotonic()
        if self.must_end_by is None or now + grace < self.must_end_by:
            self.must_end_by = now + grace
        if not self._cancelled and self.task is not None:
            self._cancelled = True
            # a closed loop (RuntimeError) means the run is over already
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self.task.cancel)


class Watchdog:
    """The process's monitor thread (see the module docstring)."""

    def __init__(self) -> None:
        self.mode: Mode = "cooperative"
        self._watches: list[Watch] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wake_r: int | None = None
        self._wake_w: int | None = None
        #: how long an interrupted run may take to unwind (``llmspell repl`` allows more:
        #: an entry stopped while Python imports a provider SDK ends when the import does)
        self.interrupt_grace = INTERRUPT_GRACE
        self._interrupts = 0
        #: where ``exit`` mode writes the final error (stderr's descriptor)
        self.error_fd = 2
        self._backstop_file: IO[bytes] | None = None
        self._exit_hooks: list[weakref.WeakMethod[ExitHook] | ExitHook] = []

    # -- setup --------------------------------------------------------------------------

    def set_mode(self, mode: Mode) -> None:
        """``exit``: end the process when a run overruns (the CLI); ``cooperative``: only
        stop and cancel runs (library callers, who keep their process)."""
        self.mode = mode

    def install_sigint(self) -> None:
        """Route SIGINT to the watchdog thread (main thread only; the CLI calls it).
        Called again (``llmspell repl`` after each prompt, whose event loop took the
        signal wakeup descriptor for its own signals) it points the route back here."""
        if self._wake_w is None:
            r, w = os.pipe()
            os.set_blocking(w, False)
            os.set_blocking(r, False)
            self._wake_r, self._wake_w = r, w
        signal.signal(signal.SIGINT, _ignore_in_python)
        signal.set_wakeup_fd(self._wake_w, warn_on_full_buffer=False)
        self._ensure_thread()

    def add_exit_hook(self, hook: weakref.WeakMethod[ExitHook] | ExitHook) -> None:
        """Call ``hook(error)`` before exit mode ends the process (a
        :class:`weakref.WeakMethod` is called while its object lives)."""
        with self._lock:
            self._exit_hooks = [h for h in self._exit_hooks if _live(h) is not None]
            self._exit_hooks.append(hook)

    def exit_hooks(self) -> list[ExitHook]:
        """The exit hooks whose objects still live."""
        with self._lock:
            return [h for h in map(_live, self._exit_hooks) if h is not None]

    def run_exit_hooks(
        self,
        err: BaseException,
        bound: float = EXIT_FLUSH_SECONDS,
        hooks: list[ExitHook] | None = None,
    ) -> bool:
        """Call the exit hooks with ``err`` in a thread of their own and wait for them at
        most ``bound`` seconds; True when they all returned in time. Errors they raise
        are ignored (the process is ending)."""
        hooks = self.exit_hooks() if hooks is None else hooks
        if not hooks:
            return True

        def call_all() -> None:
            for hook in hooks:
                with contextlib.suppress(Exception):
                    hook(err)

        worker = threading.Thread(target=call_all, name="llmspell-exit-hooks", daemon=True)
        worker.start()
        worker.join(bound)
        return not worker.is_alive()

    def reset_interrupts(self) -> None:
        """Forget earlier Ctrl-Cs: an interactive session calls it before each entry, so
        the first Ctrl-C during the entry stops it and only a second one ends the process."""
        self._interrupts = 0

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._loop, name="llmspell-watchdog", daemon=True
            )
            self._thread.start()

    # -- runs ---------------------------------------------------------------------------

    def watch(self, session: RunSession) -> Watch:
        """Start watching ``session`` (call from inside the run's task)."""
        try:
            task = asyncio.current_task()
        except RuntimeError:
            task = None
        limits = session.limits
        rss_limit = None
        budget = (limits.memory_mb or 0) + (limits.host_memory_mb or 0)
        base = _rss_bytes() if limits.host_memory_mb else None
        if base is not None:
            rss_limit = base + budget * 1024 * 1024 + RSS_SLACK_BYTES
        w = Watch(session, asyncio.get_running_loop(), task, rss_limit)
        with self._lock:
            self._watches.append(w)
            if self._interrupts:  # Ctrl-C came before the run started
                w.stop(Interrupted(), self.interrupt_grace)
        self._arm_backstop()
        self._ensure_thread()
        return w

    def unwatch(self, w: Watch) -> None:
        """The run has ended (whatever way)."""
        w.done = True
        with self._lock:
            if w in self._watches:
                self._watches.remove(w)
        self._arm_backstop()

    def _arm_backstop(self) -> None:
        """In exit mode, arm faulthandler's C timer for the latest moment any watched run
        may still be going (it needs no GIL); disarm it when nothing is watched."""
        if self.mode != "exit":
            return
        with self._lock:
            ends = [_backstop_time(w) for w in self._watches]
        if not ends or float("inf") in ends:
            self._backstop(None)
        else:
            self._backstop(max(ends) - time.monotonic())

    def _backstop(self, delay: float | None) -> None:
        """(Re)arm faulthandler's timer to end the process in ``delay`` seconds (silently,
        exit 1); None disarms it."""
        import faulthandler

        faulthandler.cancel_dump_traceback_later()
        if delay is None:
            return
        if self._backstop_file is None:
            self._backstop_file = open(os.devnull, "wb")  # noqa: SIM115 - lives as long as we do
        faulthandler.dump_traceback_later(max(delay, 0.1), exit=True, file=self._backstop_file)

    # -- the thread ---------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            if self._wake_r is not None:
                ready, _, _ = select.select([self._wake_r], [], [], POLL_SECONDS)
                if ready:
                    self._read_signals()
            else:
                time.sleep(POLL_SECONDS)
            self._check()

    def _read_signals(self) -> None:
        assert self._wake_r is not None
        try:
            data = os.read(self._wake_r, 64)
        except BlockingIOError:
            return
        for signum in data:
            if signum == signal.SIGINT:
                self._interrupted()

    def _interrupted(self) -> None:
        self._interrupts += 1
        if self._interrupts >= 2:
            self._exit(Interrupted("interrupted (second Ctrl-C)"), EXIT_INTERRUPTED)
        with self._lock:
            watches = list(self._watches)
        if not watches:
            # nothing is running a spell (start-up, printing the result): end now
            self._exit(Interrupted(), EXIT_INTERRUPTED)
        for w in watches:
            w.stop(Interrupted(), self.interrupt_grace)
        self._arm_backstop_interrupt()

    def _arm_backstop_interrupt(self) -> None:
        if self.mode == "exit":
            self._backstop(self.interrupt_grace * 2)

    def _check(self) -> None:
        now = time.monotonic()
        with self._lock:
            watches = list(self._watches)
        if not watches:
            return
        rss = _rss_bytes() if any(w.rss_limit for w in watches) else None
        for w in watches:
            if w.done:
                continue
            session = w.session
            if w.must_end_by is None:
                if now > session.deadline:
                    grace = grace_for(session.limits.timeout_seconds)
                    w.stop(session.timeout_error(), grace)
                elif rss is not None and w.rss_limit is not None and rss > w.rss_limit:
                    w.stop(_rss_error(session, rss, w.rss_limit), INTERRUPT_GRACE)
            elif now > w.must_end_by and self.mode == "exit":
                err = session.timeout_error()
                if isinstance(err, SpellExit):  # os.exit(code): its code, nothing printed
                    self._exit(err, err.code, show=False)
                code = EXIT_INTERRUPTED if isinstance(err, Interrupted) else EXIT_LIMIT
                self._exit(err.at(err.file or session.chunk_name, err.line), code)

    def _exit(self, err: LimitExceeded, code: int, *, show: bool = True) -> None:
        """End the process with ``err`` printed as the CLI prints errors, after the exit
        hooks had their (bounded) time to record the runs in flight."""
        if self.mode != "exit":
            return
        if show:
            with contextlib.suppress(OSError):
                os.write(self.error_fd, (err.display() + "\n").encode("utf-8", "replace"))
        hooks = self.exit_hooks()
        if hooks:
            # faulthandler's timer must not end the process while the hooks work
            self._backstop(EXIT_FLUSH_SECONDS + 1.0)
            self.run_exit_hooks(err, hooks=hooks)
        os._exit(code)


def _backstop_time(w: Watch) -> float:
    """When faulthandler should end the process for this run: well after the watchdog
    thread itself would have (it only matters when that thread cannot get the GIL)."""
    session = w.session
    if w.must_end_by is not None:
        return w.must_end_by + 1.0
    if session.deadline == float("inf"):
        return float("inf")
    return session.deadline + 2 * grace_for(session.limits.timeout_seconds) + 1.0


def _rss_error(session: RunSession, rss: int, limit: int) -> LimitExceeded:
    mb = 1024 * 1024
    limits = session.limits
    return LimitExceeded(
        f"host memory limit exceeded: the process grew to {rss // mb} MB, over the "
        f"{limit // mb} MB allowed (memory_mb {limits.memory_mb or 0} + host_memory_mb "
        f"{limits.host_memory_mb} + {RSS_SLACK_BYTES // mb} MB for libraries)",
        limit="host_memory",
        hint="raise it with --host-memory-mb N or [runtime] host_memory_mb",
    )


def _live(hook: weakref.WeakMethod[ExitHook] | ExitHook) -> ExitHook | None:
    """The callable behind ``hook`` (None when its object is gone)."""
    if isinstance(hook, weakref.WeakMethod):
        return hook()
    return hook


def _ignore_in_python(signum: int, frame: Any) -> None:
    """SIGINT's Python-level handler: the watchdog thread acts on the wakeup byte."""


#: the process's watchdog
watchdog = Watchdog()
