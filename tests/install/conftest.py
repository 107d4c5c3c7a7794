"""Fixtures for the install checks: wheels built once per session, fresh venvs per combination.

A uv workspace shares one environment, which hides a missing dependency declaration or
a core that quietly imports a plugin. These fixtures build real wheels of every
workspace member and of the sample plugins in ``tests/plugins/``, install chosen
combinations into fresh venvs (``uv venv`` + ``uv pip install``; third-party
dependencies come from PyPI through uv's cache), and run the venv's own ``llmspell``
console script in subprocesses.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "tests" / "plugins"

#: every workspace member (built with ``uv build --all-packages``)
MEMBERS = (
    "llmspell-core",
    "llmspell-engine-lua",
    "llmspell-engine-js",
    "llmspell-providers",
    "llmspell-tools",
    "llmspell-cli",
)
#: third-party sample plugins, each its own distribution under tests/plugins/
SAMPLE_PLUGINS = ("llmspell-engine-sample", "llmspell-plugin-broken")

BUILD_TIMEOUT = 600
INSTALL_TIMEOUT = 600
RUN_TIMEOUT = 120

#: inherited variables that would leak the dev environment into a fresh venv's processes
_DROP_ENV = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "CONDA_PREFIX")


def clean_env(**extra: str) -> dict[str, str]:
    """``os.environ`` without LLMSPELL_* and virtualenv/PYTHONPATH leaks, plus ``extra``."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("LLMSPELL_") and k not in _DROP_ENV
    }
    env.update(extra)
    return env


def _works(cmd: list[str]) -> bool:
    try:
        proc = subprocess.run(
            [*cmd, "--version"], capture_output=True, text=True, timeout=60, env=clean_env()
        )
    except OSError:
        return False
    return proc.returncode == 0 and proc.stdout.startswith("uv ")


def find_uv() -> list[str]:
    """The command that runs uv: ``$UV`` (set by ``uv run``), ``uv`` on PATH, or
    ``python -m uv``; fails the session with a clear message when none works."""
    candidates: list[list[str]] = []
    if os.environ.get("UV"):
        candidates.append([os.environ["UV"]])
    if shutil.which("uv"):
        candidates.append([str(shutil.which("uv"))])
    if importlib.util.find_spec("uv") is not None:
        candidates.append([sys.executable, "-m", "uv"])
    if shutil.which("python3"):
        candidates.append([str(shutil.which("python3")), "-m", "uv"])
    for cmd in candidates:
        if _works(cmd):
            return cmd
    pytest.fail(
        "the install checks need uv, and none was found ($UV, `uv` on PATH, "
        "`python -m uv`, `python3 -m uv`); install it with: python3 -m pip install uv",
        pytrace=False,
    )


def _check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    if proc.returncode != 0:
        pytest.fail(
            f"{what} failed (exit {proc.returncode})\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}",
            pytrace=False,
        )


class Venv:
    """A fresh virtual environment holding some of the built wheels."""

    def __init__(self, path: Path, dists: tuple[str, ...]) -> None:
        self.path = path
        self.dists = dists
        self.bindir = path / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bindir / ("python.exe" if os.name == "nt" else "python")
        #: what ``uv pip list`` reports: normalized distribution name -> version
        self.installed: dict[str, str] = {}

    def script(self, name: str) -> Path:
        """The path of console script ``name`` in this venv (it may not exist)."""
        return self.bindir / (name + (".exe" if os.name == "nt" else ""))

    def run(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        cwd: Path,
        env: dict[str, str] | None = None,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` with ``cwd``; HOME and LLMSPELL_HOME point into ``cwd/home``
        so no user configuration or state is read."""
        home = cwd / "home"
        home.mkdir(exist_ok=True)
        full_env = clean_env(
            HOME=str(home), LLMSPELL_HOME=str(home), COLUMNS="250", NO_COLOR="1", **(env or {})
        )
        return subprocess.run(
            [str(a) for a in argv],
            cwd=cwd,
            env=full_env,
            input=input,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )

    def llmspell(
        self, *args: str | os.PathLike[str], cwd: Path, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run this venv's ``llmspell`` console script."""
        return self.run([self.script("llmspell"), *args], cwd=cwd, env=env)

    def python_c(
        self, code: str, *, cwd: Path, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``python -c code`` with this venv's interpreter."""
        return self.run([self.python, "-c", code], cwd=cwd, env=env)


@pytest.fixture(scope="session")
def uv() -> list[str]:
    """The uv command (see :func:`find_uv`)."""
    return find_uv()


@pytest.fixture(scope="session")
def wheels(uv: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Wheels of every workspace member and sample plugin, by distribution name."""
    out = tmp_path_factory.mktemp("wheels")
    jobs = [
        ([*uv, "build", "--wheel", "--all-packages", "--out-dir", str(out)], "workspace members")
    ]
    jobs += [
        ([*uv, "build", "--wheel", "--out-dir", str(out), str(PLUGINS / name)], name)
        for name in SAMPLE_PLUGINS
    ]
    running = [
        (
            subprocess.Popen(
                cmd, cwd=ROOT, env=clean_env(), text=True,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            ),
            cmd,
            what,
        )
        for cmd, what in jobs
    ]  # fmt: skip
    for proc, cmd, what in running:
        stdout, stderr = proc.communicate(timeout=BUILD_TIMEOUT)
        _check(subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr), f"build {what}")
    found: dict[str, Path] = {}
    for whl in out.glob("*.whl"):
        found[whl.name.split("-")[0].replace("_", "-")] = whl
    missing = sorted(set(MEMBERS + SAMPLE_PLUGINS) - set(found))
    assert not missing, f"no wheel built for {missing} (built: {sorted(found)})"
    return found


@pytest.fixture(scope="session")
def make_venv(
    uv: list[str], wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Venv]:
    """``make_venv(dist, ...)``: a fresh venv with those wheels installed (cached per
    combination for the session). Checks that exactly the requested llmspell
    distributions got installed, from our wheels and not from an index."""
    cache: dict[tuple[str, ...], Venv] = {}

    def make(*dists: str) -> Venv:
        key = tuple(sorted(dists))
        if key in cache:
            return cache[key]
        path = tmp_path_factory.mktemp("venv-" + "+".join(d.removeprefix("llmspell-") for d in key))
        venv = Venv(path / "venv", key)
        env = clean_env()
        _check(
            subprocess.run(
                [*uv, "venv", "-q", str(venv.path), "--python", sys.executable],
                capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT,
            ),
            f"uv venv for {key}",
        )  # fmt: skip
        _check(
            subprocess.run(
                [*uv, "pip", "install", "-q", "--python", str(venv.python),
                 *(str(wheels[d]) for d in key)],
                capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT,
            ),
            f"uv pip install {' '.join(key)}",
        )  # fmt: skip
        listing = subprocess.run(
            [*uv, "pip", "list", "--python", str(venv.python), "--format", "json"],
            capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT,
        )  # fmt: skip
        _check(listing, "uv pip list")
        venv.installed = {p["name"].lower(): p["version"] for p in json.loads(listing.stdout)}
        ours = {n for n in venv.installed if n.startswith("llmspell")}
        assert ours == set(key), f"venv for {key} holds llmspell distributions {sorted(ours)}"
        cache[key] = venv
        return venv

    return make
