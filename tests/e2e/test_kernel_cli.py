"""``llmspell kernel install|list``: the kernel spec written (argv, language, interrupt
mode), where it goes (--prefix, --user, --sys-prefix), bad input refused with a clear
error, and the exact pip line when the ``kernel`` extra is missing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import CLI


def _spec(prefix: Path, name: str) -> dict[str, object]:
    path = prefix / "share" / "jupyter" / "kernels" / name / "kernel.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_install_writes_a_spec_that_runs_this_python(cli: CLI) -> None:
    proc = cli("kernel", "install", "--prefix", "pfx")
    assert proc.returncode == 0, cli.explain(proc)
    dest = cli.cwd / "pfx" / "share" / "jupyter" / "kernels" / "llmspell-lua"
    assert proc.stdout == f"installed kernel spec 'llmspell-lua' in {dest}\n"
    spec = _spec(cli.cwd / "pfx", "llmspell-lua")
    assert spec["argv"] == [
        sys.executable, "-m", "llmspell_cli.kernel", "-f", "{connection_file}", "--engine", "lua"
    ]  # fmt: skip
    assert spec["language"] == "lua"
    assert spec["display_name"] == "llmspell (Lua)"
    assert spec["interrupt_mode"] == "signal"


def test_install_options_reach_the_kernel_argv(cli: CLI) -> None:
    cli.write("conf/llmspell.toml", "[runtime]\ntimeout_seconds = 5\n")
    proc = cli(
        "kernel", "install", "--prefix", "pfx", "--engine", "js", "--name", "spells-js",
        "--display-name", "Spells", "--config", "conf/llmspell.toml", "--timeout", "2.5",
        "--allow-net",
    )  # fmt: skip
    assert proc.returncode == 0, cli.explain(proc)
    spec = _spec(cli.cwd / "pfx", "spells-js")
    argv = spec["argv"]
    assert isinstance(argv, list)
    assert argv[5:] == [
        "--engine", "js", "--config", str(cli.cwd / "conf" / "llmspell.toml"),
        "--timeout", "2.5", "--allow-net",
    ]  # fmt: skip
    assert spec["language"] == "javascript"
    assert spec["display_name"] == "Spells"


def test_user_install_and_list(cli: CLI) -> None:
    env = {"JUPYTER_DATA_DIR": str(cli.cwd / "jdata"), "JUPYTER_PATH": str(cli.cwd / "none")}
    proc = cli("kernel", "install", "--user", "--engine", "js", env=env)
    assert proc.returncode == 0, cli.explain(proc)
    assert (cli.cwd / "jdata" / "kernels" / "llmspell-js" / "kernel.json").is_file()
    listed = cli("kernel", "list", env=env)
    assert listed.returncode == 0, cli.explain(listed)
    assert listed.stdout == f"llmspell-js\tjs\t{cli.cwd / 'jdata' / 'kernels' / 'llmspell-js'}\n"
    rows = json.loads(cli("kernel", "list", "-o", "json", env=env).stdout)
    assert [(r["name"], r["engine"], r["language"]) for r in rows] == [
        ("llmspell-js", "js", "javascript")
    ]
    assert rows[0]["python"] == sys.executable


def test_list_without_specs_says_how_to_install(cli: CLI) -> None:
    env = {"JUPYTER_DATA_DIR": str(cli.cwd / "jdata"), "JUPYTER_PATH": str(cli.cwd / "none")}
    proc = cli("kernel", "list", env=env)
    assert proc.returncode == 0, cli.explain(proc)
    assert "llmspell kernel install" in proc.stdout


def test_bad_input_is_refused_clearly(cli: CLI) -> None:
    proc = cli("kernel", "install", "--prefix", "p", "--name", "no spaces")
    assert proc.returncode == 2
    assert "ValidationError: invalid kernel name 'no spaces'" in proc.stderr
    assert "letters, digits" in proc.stderr
    proc = cli("kernel", "install", "--prefix", "p", "--config", "missing.toml")
    assert proc.returncode == 2
    assert "NotFoundError: no config file" in proc.stderr
    proc = cli("kernel", "install", "--prefix", "p", "--user")
    assert proc.returncode == 2
    assert "--user and --prefix exclude each other" in proc.stderr
    proc = cli("kernel", "install", "--engine", "cobol")
    assert proc.returncode == 2
    assert "'cobol' is not one of 'lua', 'js'" in proc.stderr
    assert not (cli.cwd / "p").exists()


def test_a_missing_kernel_extra_names_the_pip_line(cli: CLI) -> None:
    # an ipykernel that cannot be imported, ahead of the installed one
    cli.write("shadow/ipykernel/__init__.py", "raise ImportError('gone', name='ipykernel')\n")
    env = {"PYTHONPATH": str(cli.cwd / "shadow")}
    pip = "pip install 'llmspell-cli[kernel]'"
    proc = cli("kernel", "install", "--prefix", "p", env=env)
    assert proc.returncode == 2
    assert "llmspell kernel needs the Python package 'ipykernel'" in proc.stderr
    assert pip in proc.stderr
    started = cli("run", "-", stdin="print('no kernel needed')", env=env)
    assert started.stdout == "no kernel needed\n", cli.explain(started)
    kernel = subprocess.run(
        [sys.executable, "-m", "llmspell_cli.kernel", "-f", "x.json"],
        cwd=cli.cwd, env={**cli.env, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert kernel.returncode == 2
    assert pip in kernel.stderr


def test_a_bad_configuration_ends_the_kernel_with_its_error(cli: CLI) -> None:
    cli.write("bad.toml", "[runtime\n")
    kernel = subprocess.run(
        [sys.executable, "-m", "llmspell_cli.kernel", "-f", "conn.json", "--config", "bad.toml"],
        cwd=cli.cwd, env=cli.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert kernel.returncode == 2
    assert "llmspell: ConfigurationError:" in kernel.stderr
    assert "not valid TOML" in kernel.stderr
