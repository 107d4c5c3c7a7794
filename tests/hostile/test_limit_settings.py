"""Limits given outside their range — as flags, environment variables or config — are
usage errors: exit 2, the setting and its allowed range named, no traceback, nothing
run (issue 11)."""

from __future__ import annotations

import re

import pytest
from hostile_support import Hostile, check, problems_common

HUGE = "99999999999999999999"
HUGER = "99999999999999999999999"

#: (id, flags, env, [runtime] lines of llmspell.toml, words naming the setting)
CASES = [
    ("flag-memory-huge", ["--memory-mb", HUGE], {}, "", "memory"),
    ("flag-memory-negative", ["--memory-mb", "-5"], {}, "", "memory"),
    ("flag-timeout-inf", ["--timeout", "1e999"], {}, "", "timeout"),
    ("flag-timeout-nan", ["--timeout", "nan"], {}, "", "timeout"),
    ("flag-timeout-negative", ["--timeout", "-1"], {}, "", "timeout"),
    ("flag-host-memory-huge", ["--host-memory-mb", HUGE], {}, "", "memory"),
    ("env-timeout-negative", [], {"LLMSPELL_TIMEOUT": "-1"}, "", "timeout"),
    ("env-timeout-inf", [], {"LLMSPELL_TIMEOUT": "inf"}, "", "timeout"),
    ("env-timeout-nan", [], {"LLMSPELL_TIMEOUT": "nan"}, "", "timeout"),
    ("env-memory-huge", [], {"LLMSPELL_MEMORY_MB": HUGE}, "", "memory"),
    ("env-instructions-huge", [], {"LLMSPELL_INSTRUCTION_LIMIT": HUGER}, "", "instruction"),
    ("env-host-memory-negative", [], {"LLMSPELL_HOST_MEMORY_MB": "-1"}, "", "memory"),
    ("env-host-memory-huge", [], {"LLMSPELL_HOST_MEMORY_MB": HUGE}, "", "memory"),
    ("config-instructions-huge", [], {}, f"instruction_limit = {HUGER}", "instruction"),
    ("config-memory-huge", [], {}, f"memory_mb = {HUGE}", "memory"),
    ("config-timeout-inf", [], {}, "timeout_seconds = 1e400", "timeout"),
    ("config-timeout-nan", [], {}, "timeout_seconds = nan", "timeout"),
    ("config-host-memory-huge", [], {}, f"host_memory_mb = {HUGE}", "memory"),
]

RANGE = re.compile(r"range|at least|at most|between|<=|>=|greater than|less than|must be", re.I)


def _params() -> list[object]:
    out = []
    for case in CASES:
        for ext in ("lua", "js"):
            out.append(pytest.param(*case[1:], ext, id=f"{case[0]}-{ext}"))
    return out


@pytest.mark.parametrize(("flags", "env", "config", "setting", "ext"), _params())
def test_out_of_range_limit_is_a_usage_error(
    hostile: Hostile,
    flags: list[str],
    env: dict[str, str],
    config: str,
    setting: str,
    ext: str,
) -> None:
    spell = hostile.write(f"ran.{ext}", 'print("RAN")\n').name
    if config:
        hostile.write("llmspell.toml", f"[runtime]\n{config}\n")
    r = hostile.run("run", spell, *flags, env=env, kill_after=30)
    found = problems_common(r)
    if r.returncode != 2:
        found.append(f"exit {r.returncode}, expected 2 (a usage error)")
    if "RAN" in r.stdout:
        found.append("the spell ran")
    if not RANGE.search(r.stderr):
        found.append("stderr does not name the allowed range")
    if setting not in r.stderr.lower():
        found.append(f"stderr does not name the setting ({setting!r})")
    check(found, r)
