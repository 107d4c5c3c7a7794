"""``llmspell serve install-service``: the systemd unit (checked by ``systemd-analyze
verify`` when present, and started by hand to see it serve), the launchd plist, bad input."""

from __future__ import annotations

import os
import plistlib
import pwd
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.serve.conftest import stop, wait_final

SECRET = "do-not-leak-this-token-7f3a"


def install(tmp_path: Path, *args: str, home: Path | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run ``llmspell serve install-service ARGS``."""
    env = {**os.environ, "LLMSPELL_HOME": str(home or tmp_path / "home"),
           "LLMSPELL_SERVE_TOKEN": SECRET, "XDG_CONFIG_HOME": str(tmp_path / "xdg")}  # fmt: skip
    env.pop("LLMSPELL_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "llmspell_cli.main", "serve", "install-service", *args],
        env=env, cwd=cwd or tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def settings_of(unit: str) -> dict[str, list[str]]:
    """``Key=value`` lines of a unit, by key (repeated keys kept in order)."""
    out: dict[str, list[str]] = {}
    for line in unit.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key, []).append(value)
    return out


def verify(path: Path, tmp_path: Path, *, user: bool) -> None:
    """``systemd-analyze verify`` finds nothing to say about the unit."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    cmd = ["systemd-analyze", *(["--user"] if user else []), "verify", str(path)]
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def config_file(tmp_path: Path) -> Path:
    spells = tmp_path / "spells"
    spells.mkdir(exist_ok=True)
    (spells / "hello.lua").write_text('print("hello from the unit")\nreturn 7\n')
    config = tmp_path / "conf dir" / "llmspell.toml"  # a space: the unit must quote it
    config.parent.mkdir(exist_ok=True)
    config.write_text(f'[serve]\nspells_dir = "{spells}"\nport = 0\ndrain_seconds = 20\n')
    return config


def test_system_unit(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    me = pwd.getpwuid(os.geteuid()).pw_name
    done = install(tmp_path, "--print", "--config", str(config), "--run-as", me)
    assert done.returncode == 0, done.stderr
    unit = done.stdout
    assert SECRET not in unit and SECRET not in done.stderr  # the token is never written
    s = settings_of(unit)
    argv = shlex.split(s["ExecStart"][0])
    assert Path(argv[0]).is_absolute() and os.access(argv[0], os.X_OK)
    assert argv[1:] == ["serve", "--config", str(config.resolve())]
    assert s["EnvironmentFile"] == ["/etc/llmspell/serve.env"]
    assert f'"LLMSPELL_HOME={tmp_path / "home"}"' in s["Environment"] or (
        f"LLMSPELL_HOME={tmp_path / 'home'}" in s["Environment"]
    )
    assert s["WorkingDirectory"] == [str(tmp_path.resolve())]
    assert s["Restart"] == ["on-failure"] and s["User"] == [me]
    assert s["TimeoutStopSec"] == ["35"]  # drain_seconds + 15
    for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                       ("ProtectHome", "read-only"), ("PrivateTmp", "yes"),
                       ("CapabilityBoundingSet", ""), ("RestrictNamespaces", "yes")]:  # fmt: skip
        assert s[key] == [value], key
    assert str(tmp_path / "home") in s["ReadWritePaths"][0]
    assert s["WantedBy"] == ["multi-user.target"]
    # the workdir is under /tmp here: the PrivateTmp warning says so
    assert "PrivateTmp" in done.stderr
    path = tmp_path / "llmspell.service"
    path.write_text(unit)
    verify(path, tmp_path, user=False)


def test_user_unit_written_and_it_serves(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    out = tmp_path / "units" / "llmspell-test.service"
    done = install(tmp_path, "--user", "--config", str(config), "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stderr and "systemctl --user daemon-reload" in done.stderr
    assert "enable --now llmspell-test" in done.stderr
    assert (out.stat().st_mode & 0o777) == 0o644
    unit = out.read_text()
    assert SECRET not in unit
    s = settings_of(unit)
    assert s["WantedBy"] == ["default.target"] and "User" not in s
    assert "ProtectSystem" not in s  # needs privileges a user manager may not have
    assert s["NoNewPrivileges"] == ["yes"]
    env_file = Path(s["EnvironmentFile"][0])
    assert env_file == tmp_path / "xdg" / "llmspell" / "serve.env"
    verify(out, tmp_path, user=True)
    # the same again is fine; a different unit is not replaced without --force
    again = install(tmp_path, "--user", "--config", str(config), "--output", str(out))
    assert again.returncode == 0, again.stderr
    other = install(tmp_path, "--user", "--output", str(out))
    assert other.returncode == 2 and "StateError" in other.stderr and "--force" in other.stderr
    assert out.read_text() == unit
    assert install(tmp_path, "--user", "--output", str(out), "--force").returncode == 0
    assert "--config" not in out.read_text()
    out.write_text(unit)

    # do what systemd would: the env file, the environment, the directory, ExecStart
    env_file.parent.mkdir(parents=True)
    env_file.write_text(f"LLMSPELL_SERVE_TOKEN={SECRET}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMSPELL_")}
    for item in s["Environment"]:
        key, value = shlex.split(item)[0].split("=", 1)
        env[key] = value
    env["LLMSPELL_SERVE_TOKEN"] = SECRET
    argv = shlex.split(s["ExecStart"][0])
    proc = subprocess.Popen(argv, cwd=s["WorkingDirectory"][0], env=env, text=True,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        while line and "llmspell serve: http" not in line:
            line = proc.stderr.readline()
        url = re.search(r"(http://\S+) ", line)
        assert url, line
        with httpx.Client(base_url=url.group(1), timeout=30,
                          headers={"authorization": f"Bearer {SECRET}"}) as c:  # fmt: skip
            run_id = c.post("/v1/runs", json={"spell": "hello.lua"}).json()["id"]
            run = wait_final(c, run_id)
        assert run["status"] == "succeeded" and run["output"] == "hello from the unit\n"
        assert (tmp_path / "home").is_dir()  # the unit's LLMSPELL_HOME
    finally:
        stop(proc)


def test_launchd_plist(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    done = install(tmp_path, "--format", "launchd", "--user", "--print", "--config", str(config),
                   "--name", "org.llmspell.test")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout
    plist = plistlib.loads(done.stdout.encode())
    assert plist["Label"] == "org.llmspell.test"
    sh, flag, script = plist["ProgramArguments"]
    assert (sh, flag) == ("/bin/sh", "-c")
    env_file = tmp_path / "xdg" / "llmspell" / "serve.env"
    assert script.startswith(f"set -a; . {env_file}; set +a; exec /")
    argv = shlex.split(script.split("exec ", 1)[1])
    assert argv[1:] == ["serve", "--config", str(config.resolve())]
    assert plist["KeepAlive"] == {"SuccessfulExit": False} and plist["RunAtLoad"] is True
    assert plist["EnvironmentVariables"]["LLMSPELL_HOME"] == str(tmp_path / "home")
    assert plist["ExitTimeOut"] == 35 and "UserName" not in plist
    # the shell line really reads the token from the file and runs the command
    env_file.parent.mkdir(parents=True)
    env_file.write_text(f"LLMSPELL_SERVE_TOKEN={SECRET}\n")
    probe = script.split("exec ", 1)[0] + 'exec printenv LLMSPELL_SERVE_TOKEN'
    assert subprocess.run(["/bin/sh", "-c", probe], capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"]}).stdout == SECRET + "\n"  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "upstart", "--print"], 2, "unknown --format 'upstart'"),
        (["--name", "a b", "--print"], 2, "bad --name"),
        (["--name", "../x", "--print"], 2, "bad --name"),
        (["--config", "missing.toml", "--print"], 2, "ConfigurationError"),
        (["--output", "."], 2, "is a directory"),
        (["--output", "afile/unit.service"], 1, "cannot write"),
    ],
)
def test_bad_input(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    (tmp_path / "afile").write_text("not a directory")
    done = install(tmp_path, "--user", *args)
    assert done.returncode == code, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not done.stdout


def test_bad_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "llmspell.toml").write_text("[serve]\nport = -5\n")
    done = install(tmp_path, "--user", "--print")
    assert done.returncode == 2 and "ConfigurationError" in done.stderr
    assert "port" in done.stderr and not done.stdout
