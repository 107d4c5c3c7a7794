"""Ctrl-C through a real terminal, and a wall-time limit around a slow host call
(issue 11; PLATFORM.md §1).

The command runs in a new session whose controlling terminal is a pty; the test writes
``\\x03`` to the master as a user's keyboard would, so the kernel sends SIGINT to the
foreground process group. The first Ctrl-C interrupts the spell wherever it is (exit 130,
"interrupted", the spell location when the engine knows it); a second one ends the
process at once."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import subprocess
import termios
import time
from dataclasses import dataclass

import pytest
from hostile_support import (
    LIMIT_ENV,
    WALL,
    Hostile,
    Result,
    SlowModel,
    _kill_group,
    assert_limit,
    check,
    problems_common,
)

#: how long after a Ctrl-C the process must be gone (2 s + slack for a shared machine)
FIRST_WITHIN = 2.5
SECOND_WITHIN = 1.5


@dataclass
class PtyRun:
    result: Result
    presses: list[float]  # monotonic times of the Ctrl-C presses
    ended: float  # monotonic time the child was reaped

    @property
    def after_last_press(self) -> float:
        return self.ended - self.presses[-1] if self.presses else float("nan")


def _controlling_tty() -> None:  # runs in the child, after setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_with_ctrl_c(
    h: Hostile,
    args: list[str],
    env: dict[str, str] | None = None,
    *,
    presses: int = 1,
    second_after: float = 0.5,
    give_up: float = 8.0,
) -> PtyRun:
    """Start ``llmspell *args`` on a pty; when it prints READY press Ctrl-C; if
    ``presses`` is 2 and it still runs ``second_after`` s later, press again."""
    master, slave = os.openpty()
    started = time.monotonic()
    proc = h.popen(
        args,
        env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=_controlling_tty,
    )
    assert isinstance(proc, subprocess.Popen)
    os.close(slave)
    out = bytearray()
    pressed: list[float] = []
    why = None
    status = usage = None
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            ready, _, _ = select.select([master], [], [], 0.01)
            if ready:
                with contextlib.suppress(OSError):
                    out.extend(os.read(master, 65536))
            now = time.monotonic()
            if not pressed:
                if b"READY" in out:
                    time.sleep(0.3)  # let it get busy
                    os.write(master, b"\x03")
                    pressed.append(time.monotonic())
                elif now - started > 15:
                    why = "never printed READY"
            elif len(pressed) < presses and now - pressed[-1] > second_after:
                os.write(master, b"\x03")
                pressed.append(time.monotonic())
            if why is None and pressed and now - pressed[-1] > give_up:
                why = f"still running {give_up} s after Ctrl-C"
            if why:
                _kill_group(proc.pid)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
        ended = time.monotonic()
        # what is left in the pty
        while True:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out.extend(chunk)
    finally:
        os.close(master)
        _kill_group(proc.pid)
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    text = out.decode("utf-8", "replace").replace("\r\n", "\n")
    result = Result(list(args), code, "", text, ended - started, usage.ru_maxrss / 1024, why)
    return PtyRun(result, pressed, ended)


def assert_interrupted(run: PtyRun, *, within: float, where: str | None = None) -> None:
    r = run.result
    found = problems_common(r)
    if not run.presses:
        found.append("Ctrl-C was never pressed")
    elif run.after_last_press > within:
        found.append(f"ended {run.after_last_press:.2f} s after the last Ctrl-C > {within} s")
    if r.returncode != 130 and not r.harness_kill:
        found.append(f"exit {r.returncode}, expected 130")
    if "interrupted" not in r.stderr.lower():
        found.append("'interrupted' not in the output")
    if where and where not in r.stderr:
        found.append(f"the output does not give the location {where!r}")
    if "SURVIVED" in r.stderr:
        found.append("the spell went on (SURVIVED printed)")
    check(found, r)


FIRST = [
    ("ctrlc_busy.lua", "ctrlc_busy.lua:2"),
    # a stop cannot reach pure JavaScript: the watchdog ends it, and knows no line
    ("ctrlc_busy.js", "ctrlc_busy.js: Interrupted"),
    ("ctrlc_rep.lua", None),
    ("ctrlc_join.js", None),
]


@pytest.mark.parametrize(("spell", "where"), FIRST, ids=[s for s, _ in FIRST])
def test_first_ctrl_c_interrupts_a_busy_spell(hostile: Hostile, spell: str, where) -> None:
    name = hostile.spell(spell)
    run = run_with_ctrl_c(hostile, ["run", name, "--timeout", "600"], LIMIT_ENV)
    assert_interrupted(run, within=FIRST_WITHIN, where=where)


@pytest.mark.parametrize("spell", ["agent_slow.lua", "agent_slow.js"])
def test_first_ctrl_c_interrupts_a_slow_agent_call(
    hostile: Hostile, slow_model: SlowModel, spell: str
) -> None:
    hostile.write("llmspell.toml", slow_model.config())
    name = hostile.spell(spell)
    run = run_with_ctrl_c(
        hostile, ["run", name, "--timeout", "60"], {**LIMIT_ENV, **slow_model.env}
    )
    assert_interrupted(run, within=FIRST_WITHIN, where=f"{spell}:3")


SECOND = [
    "ctrlc_rep.lua",
    "ctrlc_join.js",
    "ctrlc_gc.lua",
    "ctrlc_stuck_tool.lua",
    "ctrlc_stuck_tool.js",
]


@pytest.mark.parametrize("spell", SECOND)
def test_second_ctrl_c_ends_the_process_at_once(hostile: Hostile, spell: str) -> None:
    name = hostile.spell(spell)
    run = run_with_ctrl_c(hostile, ["run", name, "--timeout", "600"], LIMIT_ENV, presses=2)
    r = run.result
    found = problems_common(r)
    if run.after_last_press > (SECOND_WITHIN if len(run.presses) == 2 else FIRST_WITHIN):
        found.append(f"ended {run.after_last_press:.2f} s after the last Ctrl-C")
    if r.returncode != 130 and not r.harness_kill:
        found.append(f"exit {r.returncode}, expected 130")
    check(found, r)


@pytest.mark.parametrize("spell", ["agent_slow.lua", "agent_slow.js"])
def test_wall_time_limit_around_a_slow_agent_call(
    hostile: Hostile, slow_model: SlowModel, bound, spell: str
) -> None:
    """``--timeout 1`` around an agent call that takes 5 s ends in time, at the call."""
    hostile.write("llmspell.toml", slow_model.config())
    name = hostile.spell(spell)
    within = bound(1)
    r = hostile.run(
        "run",
        name,
        "--timeout",
        "1",
        env={**LIMIT_ENV, **slow_model.env},
        kill_after=within + 1,
    )
    assert_limit(r, within=within, names=(WALL,), where=f"{spell}:3")
