"""The bridge stays private; handles are type-checked; denials name the path the spell
gave (issue 12; PLATFORM.md §2). Through the real command, in both engines where both
can express it. (The credential cases live in tests/security/.)"""

from __future__ import annotations

import re

import pytest
from hostile_support import LIMIT_ENV, Hostile, Result, SlowModel, check, problems_common

#: what a host-side crash looks like in an error message
HOST_CRASH = (
    "internal error",
    "IndexError",
    "KeyError",
    "AttributeError",
    "ValueError",
    "JSONDecodeError",
    "RecursionError",
)


def _run(h: Hostile, spell: str, bound, env: dict[str, str] | None = None) -> tuple[Result, float]:
    name = h.spell(spell)
    within = bound(1)
    r = h.run(
        "run", name, "--timeout", "10", env={**LIMIT_ENV, **(env or {})}, kill_after=within + 1
    )
    return r, within


def _problems(r: Result, within: float) -> list[str]:
    found = problems_common(r)
    if r.wall > within:
        found.append(f"took {r.wall:.2f} s > {within:.2f} s")
    for crash in HOST_CRASH:
        if crash in r.output:
            found.append(f"{crash!r} in the output (a host-side crash)")
    return found


FORGED = [
    "forge_stringify_garbage.js",
    "forge_stringify_shapes.js",
    "forge_stringify_throws.js",
    "forge_stringify_not_string.js",
    "forge_push.js",
    "forge_proto_getters.js",
]


@pytest.mark.parametrize("spell", FORGED)
def test_forged_request_batches(hostile: Hostile, bound, spell: str) -> None:
    """Either the bridge never used the spell's replacement (the call works: exit 0) or
    the host refuses the batch with a clear ScriptError — never a traceback, a crash,
    a hang until the wall-time limit."""
    r, within = _run(hostile, spell, bound)
    found = _problems(r, within)
    if r.returncode == 0:
        if "SURVIVED 2" not in r.stdout:
            found.append("exit 0 but the call did not give 2")
    elif r.returncode == 1:
        if "LimitExceeded" in r.stderr:
            found.append("ended by a limit (a hang), not a clear error")
        elif not re.search(r"\b(ScriptError|ValidationError): ", r.stderr):
            found.append("exit 1 without a ScriptError/ValidationError")
    else:
        found.append(f"exit {r.returncode}")
    check(found, r)


@pytest.mark.parametrize("spell", ["prepare_stack_trace.js", "caller_probe.js"])
def test_bridge_functions_are_unreachable(hostile: Hostile, bound, spell: str) -> None:
    r, within = _run(hostile, spell, bound)
    found = _problems(r, within)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("LEAKED:")]
    if r.returncode != 0 or not lines:
        found.append("the probe did not run to its end")
    for line in lines:
        names = [n for n in line[len("LEAKED:") :].split(",") if n]
        bad = [n for n in names if n.startswith("__llmspell") or n == "this"]
        if bad:
            found.append(f"the spell got hold of bridge functions: {bad}")
    check(found, r)


#: label printed by the spell -> the type the ValidationError must name
EXPECTED_TYPE = {
    "wf.execute(agent)": "Workflow",
    "wf.execute(tool)": "Workflow",
    "wf.execute(timer)": "Workflow",
    "t.stop(wf)": "Timer",
    "t.lap(agent)": "Timer",
    "agent.execute(wf)": "Agent",
}


@pytest.mark.parametrize("spell", ["wrong_handle.lua", "wrong_handle.js"])
def test_wrong_type_handles(hostile: Hostile, slow_model: SlowModel, bound, spell: str) -> None:
    """A handle of another type is a ValidationError naming the expected type (the
    agent is never run: that would take the slow model's 5 s)."""
    hostile.write("llmspell.toml", slow_model.config())
    r, within = _run(hostile, spell, bound, env=slow_model.env)
    found = _problems(r, within)
    if r.returncode != 0:
        found.append(f"exit {r.returncode}, expected 0 (each error is caught)")
    seen = {}
    for line in r.stdout.splitlines():
        label, _, message = line.partition(": ")
        seen[label] = message
    for label, type_name in EXPECTED_TYPE.items():
        message = seen.get(label)
        if message is None:
            found.append(f"{label}: not reached")
        elif "ValidationError" not in message or type_name not in message:
            found.append(f"{label}: {message!r} is not a ValidationError naming {type_name}")
    check(found, r)


@pytest.mark.parametrize("spell", ["symlink_denial.lua", "symlink_denial.js"])
def test_denial_names_the_path_the_spell_gave(hostile: Hostile, bound, spell: str) -> None:
    """``link -> /proc/self/environ``, ``procdir -> /proc/self``: the SecurityError names
    the path the spell gave, never where it resolves (``/proc/<pid>/environ``), and
    nothing of the environment leaks — for every file tool tried."""
    hostile.data("link", "procdir")
    secret = "hostile-secret-value-4242"
    r, within = _run(hostile, spell, bound, env={"HOSTILE_SECRET": secret})
    found = _problems(r, within)
    if r.returncode != 0:
        found.append(f"exit {r.returncode}, expected 0 (each error is caught)")
    for path in ("link", "procdir/environ"):
        for op in ("read", "hash", "search"):
            label = f"{op} {path}"
            line = next((ln for ln in r.stdout.splitlines() if ln.startswith(label + ":")), None)
            if line is None:
                found.append(f"{label}: not reached")
                continue
            if "SecurityError" not in line:
                found.append(f"{label}: not a SecurityError: {line!r}")
            if f"'{path}'" not in line and f'"{path}"' not in line:
                found.append(f"{label}: does not name {path!r}: {line!r}")
    if re.search(r"/proc/", r.output):
        found.append("the output reveals where a link resolves")
    if secret in r.output:
        found.append("the environment leaked")
    check(found, r)
