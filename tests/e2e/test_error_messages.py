"""Error rough edges (issue 13): runaway workflow recursion is reported once with its
depth, and a hook failing under ``on_error = "fail"`` names itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import CLI

RECURSIVE = {
    "lua": """
local wf
local again = function() return wf:execute() end
wf = Workflow.sequential{name = "rec", steps = {{name = "again", fn = again}}}
wf:execute()
""",
    "js": """
let wf;
const again = async () => await wf.execute();
wf = await Workflow.sequential({name: "rec", steps: [{name: "again", fn: again}]});
await wf.execute();
""",
}


@pytest.mark.parametrize("lang", ["lua", "js"])
def test_runaway_recursion_is_one_short_line(tmp_path: Path, lang: str) -> None:
    cli = CLI(tmp_path)
    cli.write(f"spell.{lang}", RECURSIVE[lang])
    done = cli("run", f"spell.{lang}")
    assert done.returncode == 1
    err = done.stderr.strip()
    assert len(err) < 400, err
    assert err.count("failed at step 'again'") == 1, err
    assert "levels deep" in err and "nested more than 32 deep" in err, err
    assert err.count("(at ") <= 1, err


def test_a_failing_hook_under_fail_is_named(tmp_path: Path) -> None:
    cli = CLI(tmp_path)
    cli.write("llmspell.toml", '[hooks]\non_error = "fail"\n')
    cli.write(
        "spell.lua",
        'Hook.register("BeforeToolExecution", function(ctx) error("hook broke") end)\n'
        'Tool.execute("calculator", {input = "1+1"})\n',
    )
    done = cli("run", "spell.lua")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "spell.lua:2: ScriptError: hook 1 at BeforeToolExecution failed: spell.lua:1: hook broke"
    )
