"""The Lua standard library inside the sandbox: ``arg``, ``os.exit``, ``os.getenv``,
``dofile``/``loadfile``/``require`` of Lua source and ``io``, each on the host's policy
(docs/security.md, "The Lua standard library")."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmspell.config import load_settings
from llmspell.errors import (
    ConfigurationError,
    LimitExceeded,
    SecurityError,
    SpellExit,
    ValidationError,
)
from llmspell.runtime import Limits, Runtime

from .conftest import Spell


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory that is the only allowed path."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _runtime(**security: object) -> Runtime:
    env = {"LLMSPELL_STATE_BACKEND": "memory"}
    overrides = {("security", k): v for k, v in security.items()}
    return Runtime(load_settings(environ=env, use_files=False, overrides=overrides))


@pytest.fixture
def lua(sandbox: Path) -> Iterator[Spell]:
    rt = _runtime(allowed_paths=["."], max_input_bytes=4096)
    yield Spell(rt)
    rt.close()


# -- arg ------------------------------------------------------------------------------------


def test_arg_holds_the_script_and_positional_arguments(spell):
    ran = spell.run(
        "return {arg[0], arg[1], arg[2], #arg, arg.k, ARGS.k}",
        argv=["a", "--k", "v", "b"],
        chunk_name="s.lua",
    )
    assert ran.value == ["s.lua", "a", "b", 2, None, "v"]


# -- os.exit --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "code"),
    [("os.exit()", 0), ("os.exit(true)", 0), ("os.exit(false)", 1), ("os.exit(7)", 7),
     ("os.exit(255)", 255), ("os.exit(3.0)", 3), ("os.exit(0, true)", 0)],
)  # fmt: skip
def test_exit_ends_the_run_with_its_code(spell, call, code):
    failed = spell.fail(f'print("before")\n{call}\nprint("never")')
    assert isinstance(failed.error, SpellExit)
    assert failed.error.code == code
    assert failed.stdout == "before\n"
    assert (failed.error.file, failed.error.line) == ("t.lua", 2)


@pytest.mark.parametrize("bad", ["256", "-1", '"1"', "{}", "1.5"])
def test_exit_code_out_of_range_is_a_validation_error(spell, bad):
    failed = spell.fail(f"os.exit({bad})")
    assert isinstance(failed.error, ValidationError)
    assert "os.exit" in failed.error.message


@pytest.mark.parametrize(
    "catcher",
    [
        "pcall(os.exit, 4)",
        "pcall(function() os.exit(4) end)",
        "xpcall(function() os.exit(4) end, function(e) return e end)",
        "coroutine.wrap(function() pcall(os.exit, 4) end)()",
        "coroutine.resume(coroutine.create(function() os.exit(4) end))",
        'string.gsub("abc", "%w", function() pcall(os.exit, 4) end)',
        "table.sort({3, 2, 1}, function(a, b) os.exit(4) end)",
        'pcall(load("os.exit(4)"))',
        "pcall(setmetatable({}, {__index = function() os.exit(4) end}).x)",
    ],
)
def test_no_catch_can_swallow_exit(spell, catcher):
    failed = spell.fail(f'{catcher}\nprint("swallowed")\nwhile true do end')
    assert isinstance(failed.error, SpellExit)
    assert failed.error.code == 4
    assert "swallowed" not in failed.stdout


def test_exit_inside_a_tool_handler_ends_the_run(spell):
    failed = spell.fail(
        'Tool.register{name = "conf-exit", description = "d", handler = function(p)\n'
        "  os.exit(5)\nend}\n"
        'local r = Tool.execute("conf-exit", {})\nprint("after", r and r.success)\n'
    )
    assert isinstance(failed.error, SpellExit)
    assert failed.error.code == 5
    assert "after" not in failed.stdout


def test_runtime_is_usable_after_exit(spell):
    spell.fail("os.exit(1)")
    spell.check_usable()


# -- os.getenv ----------------------------------------------------------------------------


def test_getenv_returns_only_allowlisted_names(monkeypatch):
    monkeypatch.setenv("LLMSPELL_T_PLAIN", "plain")
    monkeypatch.setenv("LLMSPELL_T_GLOB_A", "a")
    monkeypatch.setenv("LLMSPELL_T_OTHER", "other")
    monkeypatch.setenv("LLMSPELL_T_API_KEY", "sk-secret")
    monkeypatch.setenv("LLMSPELL_T_DB_URL", "postgres://me:hunter2@db/x")
    rt = _runtime(env_allowlist=["LLMSPELL_T_PLAIN", "LLMSPELL_T_GLOB_*", "LLMSPELL_T_DB_URL"])
    try:
        value = Spell(rt).value(
            'return {os.getenv("LLMSPELL_T_PLAIN"), os.getenv("LLMSPELL_T_GLOB_A"),\n'
            'os.getenv("LLMSPELL_T_OTHER") == nil, os.getenv("LLMSPELL_T_GLOB_API_KEY") == nil,\n'
            'os.getenv("LLMSPELL_T_API_KEY") == nil, os.getenv("LLMSPELL_T_DB_URL"),\n'
            'os.getenv("NOT_SET_ANYWHERE") == nil}'
        )
    finally:
        rt.close()
    assert value == ["plain", "a", True, True, True, "postgres://me:[REDACTED]@db/x", True]


def test_getenv_without_an_allowlist_is_always_nil(spell, monkeypatch):
    monkeypatch.setenv("LLMSPELL_T_PLAIN", "plain")
    assert spell.value(
        'return {os.getenv("LLMSPELL_T_PLAIN") == nil, os.getenv("PATH") == nil}'
    ) == [
        True,
        True,
    ]


@pytest.mark.parametrize(
    "name", ["OPENAI_API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "x=y", ""]
)
def test_a_credential_in_the_allowlist_is_a_configuration_error(name):
    with pytest.raises(ConfigurationError, match="env_allowlist"):
        _runtime(env_allowlist=[name])


def test_getenv_needs_a_string(spell):
    failed = spell.fail("os.getenv({})")
    assert isinstance(failed.error, ValidationError)


# -- dofile, loadfile, require ------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_dofile_and_loadfile_run_source_in_the_sandbox(lua, sandbox):
    _write(sandbox / "lib.lua", "local n = ... return (n or 1) * 2, type(io and io.popen)")
    assert lua.value('return {dofile("lib.lua")}') == [2, "nil"]
    assert lua.value('local f = loadfile("lib.lua") return {f(21)}') == [42, "nil"]
    assert lua.value('return loadfile("lib.lua", "t", {type = type})(5)') == 10


def test_loadfile_reports_failures_as_nil_and_message(lua, sandbox):
    _write(sandbox / "broken.lua", "return +")
    ran = lua.run(
        'local a, ea = loadfile("missing.lua")\nlocal b, eb = loadfile("broken.lua")\n'
        'local c, ec = loadfile("broken.lua", "b")\n'
        "return {a == nil, ea, b == nil, eb, c == nil, ec}"
    )
    v = ran.value
    assert v[0] is True and "missing.lua" in v[1] and "no such file" in v[1]
    assert v[2] is True and v[3].startswith("broken.lua:1:")
    assert v[4] is True and "text chunks" in v[5]


def test_require_finds_modules_on_package_path_and_caches_them(lua, sandbox):
    _write(sandbox / "mods" / "util.lua", "counter = (counter or 0) + 1\nreturn {n = counter}")
    _write(sandbox / "pkg" / "init.lua", "return {name = ..., file = select(2, ...)}")
    ran = lua.run(
        'package.path = package.path .. ";./mods/?.lua"\n'
        'local u = require("util")\nlocal again = require("util")\n'
        'local p = require("pkg")\n'
        "return {u.n, u == again, package.loaded.util == u, p.name, p.file,\n"
        "  package.loaded.string == string, require('string') == string}"
    )
    assert ran.value == [1, True, True, "pkg", "./pkg/init.lua", True, True]


def test_require_looks_in_the_spells_directory(sandbox, monkeypatch):
    spell_dir = sandbox / "app"
    _write(spell_dir / "helper.lua", "return 'from the spell directory'")
    _write(spell_dir / "main.lua", 'print((require("helper")))')
    rt = _runtime(allowed_paths=["."])
    try:
        out = io.StringIO()
        from llmspell.runtime import Output

        rt.run_sync(path=spell_dir / "main.lua", output=Output(stdout=out, stderr=out))
    finally:
        rt.close()
    assert out.getvalue() == "from the spell directory\n"


def test_dotted_module_names_are_directories(lua, sandbox):
    _write(sandbox / "a" / "b.lua", "return 'a.b'")
    assert lua.value('return require("a.b")') == "a.b"


def test_circular_require_is_a_clear_error(lua, sandbox):
    _write(sandbox / "ca.lua", 'local b = require("cb")\nreturn b')
    _write(sandbox / "cb.lua", 'local a = require("ca")\nreturn a')
    failed = lua.fail('require("ca")')
    assert "circular require" in failed.error.message
    assert "ca -> cb -> ca" in failed.error.message
    assert (failed.error.file, failed.error.line) == ("./cb.lua", 1)


def test_errors_in_modules_report_the_modules_file_and_line(lua, sandbox):
    _write(sandbox / "bad.lua", "local M = {}\n\nerror('broken module')\nreturn M")
    _write(sandbox / "syntax.lua", "local x = = 1")
    failed = lua.fail('require("bad")')
    assert (failed.error.file, failed.error.line) == ("./bad.lua", 3)
    assert failed.error.message == "broken module"
    failed = lua.fail('\nrequire("syntax")')
    assert "error loading module 'syntax'" in failed.error.message
    assert "./syntax.lua:1:" in failed.error.message
    # a failed require does not stay half-loaded
    assert lua.value('return {pcall(require, "bad")}')[0] is False


def test_missing_module_lists_what_was_tried(lua):
    failed = lua.fail('require("nowhere")')
    assert "module 'nowhere' not found" in failed.error.message
    assert "no file './nowhere.lua'" in failed.error.message


@pytest.mark.parametrize("name", ["..x", "a..b", "/etc/x", "a.", ""])
def test_bad_module_names_are_refused(lua, name):
    failed = lua.fail(f"require({name!r})")
    assert isinstance(failed.error, ValidationError)


def test_package_has_no_c_loaders(lua):
    assert lua.value(
        "return {package.cpath, package.loadlib == nil, package.searchers == nil}"
    ) == ["", True, True]


# -- paths outside, symlinks, binary chunks, sizes (the file policy) ------------------------


@pytest.mark.parametrize("fn", ["dofile", "loadfile", "io.open", "io.lines"])
def test_paths_outside_are_denied_with_the_path_given(lua, sandbox, fn):
    secret = sandbox.parent / "outside.lua"
    _write(secret, "return 'outside'")
    (sandbox / "link.lua").symlink_to(secret)
    for path in ["../outside.lua", str(secret), "link.lua", "/etc/passwd"]:
        ran = lua.run(
            f"local ok, a, b = pcall({fn}, {path!r})\nreturn {{ok, tostring(a), tostring(b)}}"
        )
        text = " ".join(str(v) for v in ran.value)
        assert f"access to '{path}' is denied" in text, (fn, path, text)
        assert "outside'" not in text or path != "link.lua"
        assert str(secret) not in text or path == str(secret)


def test_require_does_not_leave_the_allowed_paths(lua, sandbox):
    _write(sandbox.parent / "evil.lua", "return 'evil'")
    failed = lua.fail(
        'package.path = "../?.lua;' + str(sandbox.parent) + '/?.lua"\nrequire("evil")'
    )
    assert "module 'evil' not found" in failed.error.message
    assert "outside the allowed paths" in failed.error.message


@pytest.mark.parametrize("fn", ["dofile", "require"])
def test_binary_chunks_are_refused(lua, sandbox, fn):
    (sandbox / "bin.lua").write_bytes(b"\x1bLuaT\x00\x19\x93\r\n\x1a\njunk")
    arg = "bin" if fn == "require" else "bin.lua"
    failed = lua.fail(f"{fn}({arg!r})")
    assert isinstance(failed.error, SecurityError)
    assert "binary" in failed.error.message


def test_a_source_file_over_max_input_bytes_is_refused(lua, sandbox):
    _write(sandbox / "big.lua", "-- " + "x" * 5000)
    failed = lua.fail('dofile("big.lua")')
    assert isinstance(failed.error, SecurityError)
    assert "over the limit of 4096 bytes" in failed.error.message


# -- io ------------------------------------------------------------------------------------


def test_io_write_then_read_every_format(lua, sandbox):
    ran = lua.run(
        'local f = assert(io.open("data.txt", "w"))\n'
        'assert(f:write("first line\\n", 42, " ", 2.5, "\\n", "tail") == f)\n'
        "f:close()\n"
        'local r = assert(io.open("data.txt", "rb"))\n'
        'local l1 = r:read("l")\n'
        'local n1, n2 = r:read("n", "*n")\n'
        'local rest = r:read("L")\n'
        "local four = r:read(4)\n"
        'local last = r:read("a")\n'
        'local at_end = {r:read("l"), r:read(1), r:read("a"), r:read(0)}\n'
        "r:close()\n"
        "return {l1, n1, n2, rest, four, last, at_end[1] == nil, at_end[2] == nil,\n"
        "  at_end[3], at_end[4] == nil, math.type(n1), io.type(r)}"
    )
    assert ran.value == [
        "first line", 42, 2.5, "\n", "tail", "", True, True, "", True, "integer", "closed file",
    ]  # fmt: skip
    assert (sandbox / "data.txt").read_bytes() == b"first line\n42 2.5\ntail"


def test_io_lines_append_seek_and_plus_modes(lua, sandbox):
    ran = lua.run(
        'local f = io.open("log.txt", "w") f:write("a\\nb\\n") f:close()\n'
        'f = io.open("log.txt", "a") f:write("c\\n") f:close()\n'
        "local seen = {}\n"
        'for line in io.lines("log.txt") do seen[#seen + 1] = line end\n'
        'local g = io.open("log.txt", "r+")\n'
        'local size = g:seek("end")\n'
        'g:seek("set", 2) g:write("B") g:seek("set")\n'
        'local all = g:read("a") g:close()\n'
        'local h = io.open("log.txt")\n'
        'local pairs_ = {} for a, b in h:lines(1, "l") do pairs_[#pairs_ + 1] = a .. "|" .. b end\n'
        "h:close()\n"
        "return {table.concat(seen, ','), size, all, table.concat(pairs_, ',')}"
    )
    assert ran.value == ["a,b,c", 6, "a\nB\nc\n", "a|,B|,c|"]


def test_io_binary_data_round_trips(lua, sandbox):
    payload = bytes(range(256))
    (sandbox / "in.bin").write_bytes(payload)
    lua.run(
        'local data = io.open("in.bin", "rb"):read("a")\n'
        "assert(#data == 256 and data:byte(256) == 255)\n"
        'local o = io.open("out.bin", "wb") o:write(data) o:close()'
    )
    assert (sandbox / "out.bin").read_bytes() == payload


def test_io_write_and_stderr_go_to_the_runs_output(lua):
    ran = lua.run('io.write("a", 1, " ", 2.0, "\\n")\nprint("p")\nio.stderr:write("e\\n")')
    assert ran.stdout == "a1 2\np\n"
    assert ran.stderr == "e\n"


def test_io_read_reads_standard_input(lua, monkeypatch):
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(b"line one\n12 rest\n")))
    monkeypatch.setattr(sys, "stdin", stdin)
    ran = lua.run('return {io.read(), io.read("n"), io.read("a"), io.read("l") == nil}')
    assert ran.value == ["line one", 12, " rest\n", True]


def test_io_errors_are_clear(lua, sandbox):
    v = lua.value(
        'local a, ea, code = io.open("nope/missing.txt")\n'
        'local ok1, e1 = pcall(io.open, "x.txt", "rw")\n'
        'local f = io.open("x.txt", "w")\n'
        'local ok2, e2 = pcall(f.read, f, "l")\n'
        "f:close()\n"
        'local ok3, e3 = pcall(io.open("x.txt").read, io.open("x.txt"), "z")\n'
        'local ok4, e4 = pcall(f.write, f, "x")\n'
        "local ok5, e5 = pcall(io.stdout.write, io.stdout, {})\n"
        "return {a == nil, ea, code, e1, e2, e3, e4, e5, io.close()}"
    )
    assert v[0] is True and v[1] == "nope/missing.txt: No such file or directory" and v[2] == 2
    assert "invalid mode 'rw'" in v[3]
    assert "not open for reading" in v[4]
    assert "invalid format 'z'" in v[5]
    assert "closed file" in v[6]
    assert "string expected, got table" in v[7]
    assert v[8] is None


def test_a_read_over_max_input_bytes_is_refused(lua, sandbox):
    (sandbox / "big.txt").write_bytes(b"x" * 5000)
    for fmt in ['"a"', '"l"', "5000"]:
        failed = lua.fail(f'local f = io.open("big.txt")\nf:read({fmt})')
        assert isinstance(failed.error, SecurityError), fmt
        assert "over the limit of 4096 bytes" in failed.error.message
        assert failed.error.line == 2
    # in parts it works
    assert lua.value('local f = io.open("big.txt") local n = 0\n'
                     "while true do local s = f:read(1000) if not s then break end n = n + #s end\n"
                     "return n") == 5000  # fmt: skip


def test_a_file_may_not_grow_past_max_input_bytes(lua, sandbox):
    failed = lua.fail(
        'local f = io.open("grow.txt", "w")\nfor i = 1, 10 do f:write(string.rep("y", 1000)) end'
    )
    assert isinstance(failed.error, SecurityError)
    assert "over the limit of 4096 bytes" in failed.error.message
    assert (sandbox / "grow.txt").stat().st_size <= 4096


def test_special_files_are_not_opened(lua, sandbox):
    os.mkfifo(sandbox / "fifo")
    (sandbox / "dir").mkdir()
    v = lua.value('return {select(2, io.open("fifo")), select(2, io.open("fifo", "w")),'
                  ' select(2, io.open("dir"))}')  # fmt: skip
    assert v[0] == "fifo: not a regular file"
    assert v[1] == "fifo: not a regular file"
    assert "dir" in v[2]


def test_open_files_are_bounded_and_closed_at_the_end(lua, sandbox):
    failed = lua.fail(
        "local keep = {}\nfor i = 1, 100 do keep[i] = assert(io.open('f' .. i .. '.txt', 'w')) end"
    )
    assert "files are open already" in failed.error.message
    before = len(os.listdir("/proc/self/fd"))
    lua.run("for i = 1, 10 do io.open('g' .. i .. '.txt', 'w') end")
    assert len(os.listdir("/proc/self/fd")) <= before


def test_to_be_closed_files(lua, sandbox):
    ran = lua.run(
        'local keep\ndo local f <close> = io.open("tbc.txt", "w") f:write("x") keep = f end\n'
        "return io.type(keep)"
    )
    assert ran.value == "closed file"
    assert (sandbox / "tbc.txt").read_text() == "x"


def test_file_handles_cannot_be_forged(lua):
    v = lua.value(
        'local f = io.open("real.txt", "w")\n'
        "local fake = setmetatable({}, getmetatable(f))\n"
        "local ok, err = pcall(fake.write, fake, 'x')\n"
        "return {ok, err}"
    )
    assert v[0] is False and "FILE* expected" in v[1]


class _FdStdin:
    """A stand-in for sys.stdin that has only a descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd


def test_io_read_from_a_pipe(lua, monkeypatch):
    r, w = os.pipe()
    os.write(w, b"first\n12 3.5 tail\n")
    os.close(w)
    monkeypatch.setattr(sys, "stdin", _FdStdin(r))
    try:
        v = lua.value(
            'local l = io.read("l")\nlocal a, b = io.read("n", "n")\n'
            'return {l, a, b, io.read("L"), io.read("a"), io.read() == nil}'
        )
    finally:
        os.close(r)
    assert v == ["first", 12, 3.5, " tail\n", "", True]


def test_io_read_waiting_for_input_ends_at_the_deadline(lua, monkeypatch):
    r, w = os.pipe()  # nothing is ever written
    monkeypatch.setattr(sys, "stdin", _FdStdin(r))
    try:
        failed, took = lua.timed_fail(
            'local ok = pcall(io.read, "l")\nprint("SURVIVED")', limits=Limits(timeout_seconds=0.5)
        )
    finally:
        os.close(r)
        os.close(w)
    assert isinstance(failed.error, LimitExceeded)
    assert "wall-time" in failed.error.message
    assert (failed.error.file, failed.error.line) == ("t.lua", 1)
    assert "SURVIVED" not in failed.stdout
    assert took < 2.0


def test_names_the_system_refuses_are_clear_errors(lua):
    v = lua.value(
        'package.path = string.rep("a", 100000) .. "/?.lua"\n'
        'local ok, err = pcall(require, "x")\n'
        'local f, ferr = io.open(string.rep("b/", 50000) .. "x")\n'
        'local ok2, derr = pcall(dofile, string.rep("c", 5000))\n'
        "return {ok, err, f == nil, ferr, ok2, derr}"
    )
    assert v[0] is False and "module 'x' not found" in v[1]
    assert v[2] is True and "File name too long" in v[3]
    assert v[4] is False and "cannot read" in v[5]
    assert "internal error" not in " ".join(str(x) for x in v)


def test_state_written_before_exit_is_kept(spell):
    failed = spell.fail('State.set("exit-k", "kept")\nio.write("flushed")\nos.exit(2)')
    assert isinstance(failed.error, SpellExit) and failed.error.code == 2
    assert failed.stdout == "flushed"
    assert spell.value('return State.get("exit-k")') == "kept"


def test_watchdog_ends_an_exiting_run_with_its_code(monkeypatch):
    """A run told to exit that does not end within its grace: in the CLI the watchdog
    ends the process with the spell's code and prints nothing."""
    import time
    from types import SimpleNamespace

    from llmspell.watchdog import Watch, Watchdog

    dog = Watchdog()
    dog.set_mode("exit")
    written: list[bytes] = []

    class Ended(Exception):
        pass

    def fake_exit(code: int) -> None:
        raise Ended(code)

    monkeypatch.setattr("os._exit", fake_exit)
    monkeypatch.setattr("os.write", lambda fd, data: written.append(data) or len(data))
    exited = SpellExit(3)
    session = SimpleNamespace(
        deadline=-float("inf"), timeout_error=lambda: exited, chunk_name="s.lua",
        limits=SimpleNamespace(timeout_seconds=1),
    )  # fmt: skip
    watch = Watch(session, None, None, None, must_end_by=time.monotonic() - 1)  # type: ignore[arg-type]
    dog._watches.append(watch)
    with pytest.raises(Ended) as ended:
        dog._check()
    assert ended.value.args == (3,)
    assert written == []


def test_default_package_path_leaves_out_world_writable_directories(sandbox):
    shared = sandbox.parent / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    private = sandbox.parent / "private"
    private.mkdir(mode=0o755)
    rt = _runtime(allowed_paths=[".", str(shared), str(private)])
    try:
        path = Spell(rt).value("return package.path")
    finally:
        rt.close()
    assert path.split(";")[:2] == ["./?.lua", "./?/init.lua"]
    assert f"{private}/?.lua" in path
    assert str(shared) not in path


def test_a_string_larger_than_a_file_may_be_is_refused_before_it_crosses(lua, sandbox):
    failed = lua.fail('local f = io.open("one.txt", "w")\nf:write(string.rep("z", 5000))')
    assert isinstance(failed.error, SecurityError)
    assert "writing 5000 bytes is over the limit of 4096 bytes" in failed.error.message
    assert failed.error.line == 2
    assert (sandbox / "one.txt").stat().st_size == 0
    # standard output has no such cap
    assert len(lua.run('io.write(string.rep("z", 5000))').stdout) == 5000
