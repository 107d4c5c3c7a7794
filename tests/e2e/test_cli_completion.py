"""End-to-end tests of ``llmspell completion bash|zsh|fish`` and the completion protocol the
printed scripts use (``_LLMSPELL_COMPLETE=complete_<shell>``): a real subprocess per case."""

from __future__ import annotations

import shutil
import subprocess

import pytest


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_llmspell(cli, shell):
    proc = cli("completion", shell)
    assert proc.returncode == 0, cli.explain(proc)
    script = proc.stdout
    assert script.strip()
    assert "llmspell" in script
    assert f"_LLMSPELL_COMPLETE=complete_{shell}" in script


def test_completion_help_shows_how_to_install(cli):
    proc = cli("completion", "--help")
    assert proc.returncode == 0, cli.explain(proc)
    assert "echo 'eval \"$(llmspell completion bash)\"' >> ~/.bashrc" in proc.stdout
    assert "~/.config/fish/completions/llmspell.fish" in proc.stdout


def test_completion_of_an_unknown_shell_is_a_usage_error(cli):
    proc = cli("completion", "tcsh")
    assert proc.returncode == 2, cli.explain(proc)
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish'" in proc.stderr


def test_bash_protocol_completes_commands_and_subcommands(cli):
    proc = cli(env={"_LLMSPELL_COMPLETE": "complete_bash", "COMP_WORDS": "llmspell to",
                    "COMP_CWORD": "1"})  # fmt: skip
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.split() == ["tool"]
    proc = cli(env={"_LLMSPELL_COMPLETE": "complete_bash", "COMP_WORDS": "llmspell state ",
                    "COMP_CWORD": "2"})  # fmt: skip
    assert set(proc.stdout.split()) == {
        "list", "get", "delete", "clear", "show", "export", "import", "migrate"
    }, cli.explain(proc)


def test_zsh_and_fish_protocols_offer_tool(cli):
    proc = cli(env={"_LLMSPELL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "llmspell to"})
    assert proc.returncode == 0 and '"tool"' in proc.stdout, cli.explain(proc)
    proc = cli(env={"_LLMSPELL_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "llmspell to",
                    "_TYPER_COMPLETE_FISH_ACTION": "get-args"})  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.split("\t")[0] == "tool", cli.explain(proc)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_completes_in_a_real_bash(cli):
    script = cli("completion", "bash").stdout
    cli.write("complete.sh", script)
    from tests.e2e.conftest import COMMAND

    # the script calls the program by name: put this llmspell first on PATH
    bindir = cli.cwd / "bin"
    bindir.mkdir()
    wrapper = bindir / "llmspell"
    wrapper.write_text("#!/bin/sh\nexec " + " ".join(f"'{c}'" for c in COMMAND) + ' "$@"\n')
    wrapper.chmod(0o755)
    probe = (
        "source complete.sh; COMP_WORDS=(llmspell to); COMP_CWORD=1; "
        "_llmspell_completion llmspell; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    env = {**cli.env, "PATH": f"{bindir}:{cli.env.get('PATH', '')}"}
    proc = subprocess.run(["bash", "--norc", "-c", probe], cwd=cli.cwd, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["tool"], proc.stdout + proc.stderr
