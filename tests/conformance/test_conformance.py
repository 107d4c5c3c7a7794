"""The engine conformance suite: every behaviour folder here runs through the real
``llmspell run`` command once per engine, and must print exactly ``expected.txt``.

See README.md in this folder for the layout of a behaviour and for running the suite
against another engine (``LLMSPELL_CONFORMANCE_ENGINES``). This module imports nothing
from llmspell, so it runs wherever the ``llmspell`` command does.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ENGINES_VAR = "LLMSPELL_CONFORMANCE_ENGINES"
COMMAND_VAR = "LLMSPELL_CONFORMANCE_COMMAND"
#: environment variables passed through to the runs (everything else LLMSPELL_* is
#: dropped so that the caller's configuration cannot change the expected output)
PASSTHROUGH = {"LLMSPELL_LOAD_PLUGINS", "LLMSPELL_STRICT_PLUGINS"}
KNOWN_KEYS = {
    "server",
    "exit_code",
    "stderr_contains",
    "stderr_not_contains",
    "args",
    "options",
    "env",
    "skip",
    "stdout_masks",
    "description",
}
#: what a ``stdout_masks`` match becomes before stdout is compared
MASK = "<masked>"
RUN_TIMEOUT = 60


def _command() -> list[str]:
    if os.environ.get(COMMAND_VAR):
        return shlex.split(os.environ[COMMAND_VAR])
    script = Path(sys.executable).parent / ("llmspell.exe" if os.name == "nt" else "llmspell")
    if script.exists():
        return [str(script)]
    found = shutil.which("llmspell")
    return [found] if found else [sys.executable, "-m", "llmspell_cli.main"]


COMMAND = _command()


def _base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMSPELL_") or k in PASSTHROUGH}
    env.update(
        LLMSPELL_HOME=str(home / ".llmspell"),
        HOME=str(home),
        USERPROFILE=str(home),
        COLUMNS="200",
        NO_COLOR="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


# -- engines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engine:
    """An engine under test and the spell file extension it runs."""

    name: str
    ext: str


def _parse_engines(text: str) -> list[Engine]:
    """``"lua:.lua,js:.js"`` → engines (an entry without ``:ext`` is an error)."""
    engines = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, ext = item.partition(":")
        if not sep or not ext.strip():
            raise pytest.UsageError(f"{ENGINES_VAR}: {item!r} needs an extension, e.g. {item}:.lua")
        ext = ext.strip()
        engines.append(Engine(name.strip(), ext if ext.startswith(".") else "." + ext))
    return engines


@functools.cache
def _installed_engines() -> list[Engine]:
    """Engines the ``llmspell`` command has installed (``llmspell engines --json``)."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [*COMMAND, "engines", "--json"],
            cwd=tmp,
            env=_base_env(Path(tmp)),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=RUN_TIMEOUT,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"`llmspell engines --json` failed:\n{proc.stderr}")
    engines = []
    present = {p.suffix for p in HERE.glob("*/spell.*")}
    for row in json.loads(proc.stdout):
        exts = list(row.get("extensions") or [])
        if not exts:
            continue
        # one extension per engine: the first the suite has spells for
        ext = next((e for e in exts if e in present), exts[0])
        engines.append(Engine(row["name"], ext))
    return engines


def selected_engines() -> list[Engine]:
    """``$LLMSPELL_CONFORMANCE_ENGINES`` if set, else every installed engine."""
    if os.environ.get(ENGINES_VAR, "").strip():
        return _parse_engines(os.environ[ENGINES_VAR])
    return _installed_engines()


# -- behaviours ---------------------------------------------------------------------------


@dataclass
class Behaviour:
    """One folder: spells per language, the expected stdout, and run expectations."""

    name: str
    path: Path
    expected_stdout: str
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return int(self.spec.get("exit_code", 0))

    def strings(self, key: str) -> list[str]:
        value = self.spec.get(key, [])
        return [value] if isinstance(value, str) else list(value)

    def spell(self, ext: str) -> Path | None:
        path = self.path / f"spell{ext}"
        return path if path.is_file() else None

    def skip_reason(self, ext: str) -> str | None:
        return (self.spec.get("skip") or {}).get(ext)

    def normalize(self, stdout: str) -> str:
        """``stdout`` with every match of a ``stdout_masks`` pattern replaced by MASK
        (values that change from run to run, such as ``duration_ms``)."""
        for pattern in self.strings("stdout_masks"):
            stdout = re.sub(pattern, MASK, stdout)
        return stdout


def load_behaviours() -> list[Behaviour]:
    behaviours = []
    for folder in sorted(p for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not any(folder.glob("spell.*")):
            continue
        expected = folder / "expected.txt"
        spec_file = folder / "expected.json"
        spec = json.loads(spec_file.read_text(encoding="utf-8")) if spec_file.exists() else {}
        behaviours.append(
            Behaviour(
                folder.name,
                folder,
                expected.read_text(encoding="utf-8") if expected.exists() else "",
                spec,
            )
        )
    return behaviours


BEHAVIOURS = load_behaviours()


# -- running ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run of one spell produced."""

    argv: list[str]
    exit_code: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (
            f"command: {shlex.join(self.argv)}\nexit code: {self.exit_code}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


_OUTCOMES: dict[tuple[str, Engine], Outcome] = {}
_SERVERS: dict[str, int] = {}


def _katan_port() -> int:
    """The port of one ``llm-katan --backend echo`` server on 127.0.0.1, started on first
    use for behaviours whose expected.json says ``"server": "llm-katan"`` (their
    llmspell.toml uses ``{katan_port}``), and stopped when the test process exits."""
    if "llm-katan" in _SERVERS:
        return _SERVERS["llm-katan"]
    import atexit
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    stats = Path(tempfile.mkdtemp(prefix="llmspell-katan-")) / "stats.json"
    katan = str(Path(sys.executable).parent / "llm-katan")
    proc = subprocess.Popen(
        [katan, "--model", "echo-model", "--backend", "echo", "--host", "127.0.0.1",
         "--port", str(port), "--providers", "openai,anthropic", "--disable-dashboard",
         "--stats-file", str(stats)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    atexit.register(proc.terminate)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("llm-katan did not start") from None
            time.sleep(0.2)
    _SERVERS["llm-katan"] = port
    return port


def _http_port() -> int:
    """The port of one small HTTP server on 127.0.0.1 (a daemon thread of this process,
    started on first use) for behaviours whose expected.json says ``"server": "http"``;
    ``{http_port}`` in their llmspell.toml, ``args`` and ``options`` becomes its port.

    Routes: ``GET /json`` → ``{"name": "llmspell", "items": [1, 2, 3]}``; any method on
    ``/echo`` → ``{"method", "path", "body", "json"}`` of the request; ``/status/N`` →
    status N with ``{"status": N}``; ``/redirect?to=URL`` → 302 to URL.
    """
    if "http" in _SERVERS:
        return _SERVERS["http"]
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(data, sort_keys=True).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            if url.path == "/json" and self.command == "GET":
                self._answer(200, {"name": "llmspell", "items": [1, 2, 3]})
            elif url.path == "/echo":
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
                text = raw.decode("utf-8", "replace")
                self._answer(200, {"method": self.command, "path": self.path, "body": text,
                                   "json": parsed})  # fmt: skip
            elif url.path.startswith("/status/") and url.path[8:].isdigit():
                code = int(url.path[8:])
                self._answer(code, {"status": code})
            elif url.path == "/redirect":
                target = parse_qs(url.query).get("to", ["/json"])[0]
                self._answer(302, {}, {"Location": target})
            else:
                self._answer(404, {"error": f"no route {self.command} {url.path}"})

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _SERVERS["http"] = int(server.server_address[1])
    return _SERVERS["http"]


def _substitute(spec: dict[str, Any], text: str) -> str:
    """``{http_port}`` → the HTTP server's port, for ``"server": "http"`` behaviours."""
    if spec.get("server") == "http" and "{http_port}" in text:
        return text.replace("{http_port}", str(_http_port()))
    return text


def run_spell(behaviour: Behaviour, engine: Engine) -> Outcome:
    """Run the behaviour's spell for ``engine`` (once per session; later calls reuse it)."""
    key = (behaviour.name, engine)
    if key in _OUTCOMES:
        return _OUTCOMES[key]
    spell = behaviour.spell(engine.ext)
    assert spell is not None
    spec = behaviour.spec
    with tempfile.TemporaryDirectory(prefix=f"llmspell-conf-{behaviour.name}-") as tmp:
        cwd = Path(tmp)
        config = behaviour.path / "llmspell.toml"
        extra_env: dict[str, str] = {}
        if config.is_file():
            text = config.read_text(encoding="utf-8")
            if spec.get("server") == "llm-katan":
                text = text.replace("{katan_port}", str(_katan_port()))
                extra_env["KATAN_KEY"] = "conformance-dummy-key"
            text = _substitute(spec, text)
            (cwd / "llmspell.toml").write_text(text, encoding="utf-8")
        # the spell is copied so that it runs as ./spell.<ext> (its name in error locations)
        shutil.copy(spell, cwd / spell.name)
        files = behaviour.path / "files"
        if files.is_dir():  # modules and data the spell reads, beside it
            shutil.copytree(files, cwd, dirs_exist_ok=True, symlinks=True)
        options = [_substitute(spec, o) for o in spec.get("options", [])]
        argv = [*COMMAND, "run", "--engine", engine.name, *options, spell.name]
        if "args" in spec:
            argv += ["--", *(_substitute(spec, a) for a in spec["args"])]
        env = {**_base_env(cwd), **extra_env}
        env.update({str(k): str(v) for k, v in (spec.get("env") or {}).items()})
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=RUN_TIMEOUT,
        )
    outcome = Outcome(argv, proc.returncode, proc.stdout, proc.stderr)
    _OUTCOMES[key] = outcome
    return outcome


def check(behaviour: Behaviour, engine: Engine, outcome: Outcome) -> list[str]:
    """Every way the outcome differs from the behaviour's expectations (empty: none)."""
    problems = []
    file_name = f"spell{engine.ext}"
    stdout = behaviour.normalize(outcome.stdout)
    if stdout != behaviour.expected_stdout:
        diff = "".join(
            difflib.unified_diff(
                behaviour.expected_stdout.splitlines(keepends=True),
                stdout.splitlines(keepends=True),
                fromfile=f"{behaviour.name}/expected.txt",
                tofile=f"stdout of {file_name} ({engine.name})",
            )
        )
        problems.append(f"stdout differs from expected.txt:\n{diff}")
    if outcome.exit_code != behaviour.exit_code:
        problems.append(f"exit code {outcome.exit_code}, expected {behaviour.exit_code}")
    wanted = [s.replace("{file}", file_name) for s in behaviour.strings("stderr_contains")]
    unwanted = [s.replace("{file}", file_name) for s in behaviour.strings("stderr_not_contains")]
    for fragment in wanted:
        if fragment not in outcome.stderr:
            problems.append(f"stderr does not contain {fragment!r}")
    for fragment in unwanted:
        if fragment in outcome.stderr:
            problems.append(f"stderr contains {fragment!r}, which it must not")
    if behaviour.exit_code == 0 and not wanted and not unwanted and outcome.stderr:
        problems.append("stderr is not empty (expected.json states no stderr expectations)")
    return problems


def _cases() -> list[Any]:
    cases = []
    for behaviour in BEHAVIOURS:
        for engine in selected_engines():
            if behaviour.spell(engine.ext) is None:
                continue
            marks = []
            reason = behaviour.skip_reason(engine.ext)
            if reason:
                marks.append(pytest.mark.skip(reason=reason))
            cases.append(
                pytest.param(behaviour, engine, id=f"{behaviour.name}-{engine.name}", marks=marks)
            )
    return cases


# -- the tests ----------------------------------------------------------------------------


def test_suite_is_well_formed():
    assert BEHAVIOURS, "no behaviour folders found"
    for behaviour in BEHAVIOURS:
        unknown = set(behaviour.spec) - KNOWN_KEYS
        assert not unknown, f"{behaviour.name}/expected.json: unknown keys {sorted(unknown)}"
        assert (behaviour.path / "expected.txt").is_file(), f"{behaviour.name}: no expected.txt"
        for ext in behaviour.spec.get("skip") or {}:
            assert ext.startswith("."), f"{behaviour.name}: skip keys are extensions like .js"
        for pattern in behaviour.strings("stdout_masks"):
            re.compile(pattern)  # a bad pattern fails here, naming itself


def test_engines_are_available():
    engines = selected_engines()
    assert engines, "no script engine installed (and LLMSPELL_CONFORMANCE_ENGINES unset)"


@pytest.mark.parametrize("engine", selected_engines(), ids=lambda e: f"{e.name}{e.ext}")
def test_every_behaviour_has_a_spell_for_the_engine(engine):
    """An engine is conformant only if it runs the whole suite: each behaviour needs a
    spell in its language unless expected.json skips the language with a reason."""
    missing = [
        b.name for b in BEHAVIOURS if b.spell(engine.ext) is None and not b.skip_reason(engine.ext)
    ]
    assert not missing, (
        f"behaviours without spell{engine.ext} for engine {engine.name!r}: {', '.join(missing)}"
    )


@pytest.mark.parametrize(("behaviour", "engine"), _cases())
def test_behaviour(behaviour, engine):
    outcome = run_spell(behaviour, engine)
    problems = check(behaviour, engine, outcome)
    if problems:
        pytest.fail(
            f"behaviour {behaviour.name!r} with engine {engine.name!r}:\n- "
            + "\n- ".join(problems)
            + "\n\n"
            + outcome.describe(),
            pytrace=False,
        )


def test_languages_agree():
    """Where a behaviour runs in several languages, they produce the same output."""
    compared = 0
    disagreements = []
    for behaviour in BEHAVIOURS:
        ran = [
            e
            for e in selected_engines()
            if behaviour.spell(e.ext) is not None and not behaviour.skip_reason(e.ext)
        ]
        if len(ran) < 2:
            continue
        compared += 1
        first, base = ran[0], run_spell(behaviour, ran[0])
        base_stdout = behaviour.normalize(base.stdout)
        for other in ran[1:]:
            outcome = run_spell(behaviour, other)
            stdout = behaviour.normalize(outcome.stdout)
            if (stdout, outcome.exit_code) == (base_stdout, base.exit_code):
                continue
            diff = "".join(
                difflib.unified_diff(
                    base_stdout.splitlines(keepends=True),
                    stdout.splitlines(keepends=True),
                    fromfile=f"{first.name} (spell{first.ext})",
                    tofile=f"{other.name} (spell{other.ext})",
                )
            )
            disagreements.append(
                f"{behaviour.name}: {first.name} exit {base.exit_code}, "
                f"{other.name} exit {outcome.exit_code}\n{diff}"
            )
    if not compared:
        pytest.skip("no behaviour ran in more than one language")
    if disagreements:
        pytest.fail("languages disagree:\n" + "\n".join(disagreements), pytrace=False)
