"""The Lua standard library inside the sandbox and JavaScript module imports, attacked
(issue 14; docs/security.md, promise 11): paths outside the allowed ones (``../``,
absolute, symlinks out), binary chunks, credentials through ``os.getenv``, processes,
huge and special files, handle exhaustion, and ``os.exit`` that nothing may swallow.
Through the real command."""

from __future__ import annotations

import os
import re

import pytest
from hostile_support import LIMIT_ENV, Hostile, Result, check, problems_common

SECRET = "hostile-secret-value-4242"
HOST_CRASH = ("internal error", "Traceback", "KeyError", "AttributeError", "TypeError: ")


def _run(h: Hostile, name: str, text: str, bound, *args: str, env=None) -> tuple[Result, float]:
    h.write(name, text)
    within = bound(5)
    r = h.run(
        "run", name, "--timeout", "5", *args,
        env={**LIMIT_ENV, "HOSTILE_SECRET": SECRET, **(env or {})}, kill_after=within + 2,
    )  # fmt: skip
    return r, within


def _problems(r: Result, within: float, code: int = 0) -> list[str]:
    found = problems_common(r)
    if r.wall > within:
        found.append(f"took {r.wall:.2f} s > {within:.2f} s")
    if r.returncode != code and not r.harness_kill:
        found.append(f"exit {r.returncode}, expected {code}")
    for crash in HOST_CRASH:
        if crash in r.output:
            found.append(f"{crash!r} in the output (a host-side crash)")
    if SECRET in r.output:
        found.append("the environment leaked")
    if re.search(r"/proc/\d+|/proc/self/environ", r.output):
        found.append("the output reveals where a link resolves")
    return found


def _lines(r: Result) -> dict[str, str]:
    return {k: v for k, _, v in (ln.partition(": ") for ln in r.stdout.splitlines())}


LUA_PATHS = r"""
local function try(label, fn, ...)
  local r = table.pack(pcall(fn, ...))
  local shown = {}
  for i = 1, r.n do shown[#shown + 1] = tostring(r[i]) end
  print(label .. ": " .. table.concat(shown, " | "):gsub("\n", " "))
end
local paths = {"link", "procdir/environ", "../outside.lua", "/etc/passwd", "dirlink/outside.lua"}
for _, p in ipairs(paths) do
  try("io.open " .. p, io.open, p)
  try("io.lines " .. p, io.lines, p)
  try("dofile " .. p, dofile, p)
  try("loadfile " .. p, loadfile, p)
end
package.path = "../?.lua;/etc/?;dirlink/?.lua"
try("require outside", require, "outside")
try("require environ", require, "passwd")
print("done: yes")
"""


def test_lua_paths_outside_are_denied_naming_the_path(hostile: Hostile, bound) -> None:
    """io/dofile/loadfile/require refuse every path outside the allowed ones — through
    ``../``, absolute paths, a symlink to ``/proc/self/environ``, a symlinked directory —
    with a SecurityError naming the path as the spell gave it; nothing of the target is
    read or revealed."""
    hostile.data("link", "procdir")
    (hostile.cwd.parent / "outside.lua").write_text("print('OUTSIDE RAN')\nreturn 1\n")
    os.symlink(hostile.cwd.parent, hostile.cwd / "dirlink")
    cfg = '[security]\nallowed_paths = ["."]\n'
    hostile.write("llmspell.toml", cfg)
    r, within = _run(hostile, "paths.lua", LUA_PATHS, bound)
    found = _problems(r, within)
    seen = _lines(r)
    for p in ("link", "procdir/environ", "../outside.lua", "/etc/passwd", "dirlink/outside.lua"):
        for fn in ("io.open", "io.lines", "dofile", "loadfile"):
            line = seen.get(f"{fn} {p}")
            if line is None:
                found.append(f"{fn} {p}: not reached")
            elif f"access to '{p}' is denied" not in line:
                found.append(f"{fn} {p}: not denied naming the path: {line!r}")
    for label in ("require outside", "require environ"):
        if "outside the allowed paths" not in seen.get(label, ""):
            found.append(f"{label}: not refused: {seen.get(label)!r}")
    if "OUTSIDE RAN" in r.stdout:
        found.append("a file outside the allowed paths ran")
    if "done" not in seen:
        found.append("the spell did not finish")
    check(found, r)


LUA_CHUNKS = r"""
local bin = string.dump and "x" or "\27LuaT\0\25\147\r\n\26\n\4\8\8junk"
local f = assert(io.open("bin.lua", "wb")) f:write(bin) f:close()
print("dofile: " .. tostring(select(2, pcall(dofile, "bin.lua"))))
print("loadfile: " .. tostring(select(2, loadfile("bin.lua"))))
print("loadfile b: " .. tostring(select(2, loadfile("bin.lua", "b"))))
print("require: " .. tostring(select(2, pcall(require, "bin"))))
print("load: " .. tostring(select(2, load(bin))))
print("load b: " .. tostring(select(2, load(bin, "x", "b"))))
print("io.popen: " .. type(io.popen))
print("os.execute: " .. type(os.execute))
print("os.remove: " .. type(os.remove))
print("os.rename: " .. type(os.rename))
print("os.tmpname: " .. type(os.tmpname))
print("io.tmpfile: " .. type(io.tmpfile))
print("package.loadlib: " .. type(package.loadlib))
print("package.searchers: " .. type(package.searchers))
print("debug: " .. type(debug))
print("string.dump: " .. type(string.dump))
"""


def test_lua_binary_chunks_and_processes_are_absent(hostile: Hostile, bound) -> None:
    """A precompiled chunk is refused by every loader; nothing that runs a process,
    deletes files or loads C code exists."""
    r, within = _run(hostile, "chunks.lua", LUA_CHUNKS, bound)
    found = _problems(r, within)
    seen = _lines(r)
    for label in ("dofile", "loadfile", "require"):
        if "binary" not in seen.get(label, ""):
            found.append(f"{label}: binary chunk not refused: {seen.get(label)!r}")
    for label in ("loadfile b", "load", "load b"):
        if not re.search("binary|text chunk", seen.get(label, "")):
            found.append(f"{label}: binary chunk not refused: {seen.get(label)!r}")
    for name in ("io.popen", "os.execute", "os.remove", "os.rename", "os.tmpname", "io.tmpfile",
                 "package.loadlib", "package.searchers", "debug", "string.dump"):  # fmt: skip
        if seen.get(name) != "nil":
            found.append(f"{name} exists: {seen.get(name)!r}")
    check(found, r)


LUA_GETENV = r"""
for _, name in ipairs({"HOSTILE_SECRET", "OPENAI_API_KEY", "HOSTILE_API_KEY", "HOSTILE_TOKEN",
                       "HOSTILE_PASSWORD", "HOSTILE_DB_URL", "HOSTILE_PLAIN", "HOME", "PATH"}) do
  print(name .. ": " .. tostring(os.getenv(name)))
end
"""


def test_lua_getenv_never_returns_a_credential(hostile: Hostile, bound) -> None:
    """With ``env_allowlist = ["HOSTILE_*"]`` (a glob matching credentials too), os.getenv
    returns the plain variable and nil for every credential-looking one, for anything not
    listed, and the password inside a URL value is masked."""
    hostile.write("llmspell.toml", '[security]\nenv_allowlist = ["HOSTILE_*"]\n')
    env = {
        "OPENAI_API_KEY": SECRET, "HOSTILE_API_KEY": SECRET, "HOSTILE_TOKEN": SECRET,
        "HOSTILE_PASSWORD": SECRET, "HOSTILE_DB_URL": f"postgres://u:{SECRET}@db/x",
        "HOSTILE_PLAIN": "plain-value",
    }  # fmt: skip
    r, within = _run(hostile, "getenv.lua", LUA_GETENV, bound, env=env)
    found = _problems(r, within)
    seen = _lines(r)
    expected = {
        "HOSTILE_SECRET": "nil", "OPENAI_API_KEY": "nil", "HOSTILE_API_KEY": "nil",
        "HOSTILE_TOKEN": "nil", "HOSTILE_PASSWORD": "nil", "HOSTILE_PLAIN": "plain-value",
        "HOSTILE_DB_URL": "postgres://u:[REDACTED]@db/x", "HOME": "nil", "PATH": "nil",
    }  # fmt: skip
    for name, want in expected.items():
        if seen.get(name) != want:
            found.append(f"os.getenv({name!r}) = {seen.get(name)!r}, expected {want!r}")
    check(found, r)


def test_lua_getenv_a_listed_credential_is_a_usage_error(hostile: Hostile, bound) -> None:
    """Listing a credential by name is refused when the config loads (exit 2), before
    any spell code runs."""
    hostile.write("llmspell.toml", '[security]\nenv_allowlist = ["OPENAI_API_KEY"]\n')
    r, within = _run(
        hostile, "listed.lua", 'print("RAN " .. tostring(os.getenv("OPENAI_API_KEY")))', bound,
        env={"OPENAI_API_KEY": SECRET},
    )  # fmt: skip
    found = _problems(r, within, code=2)
    if "env_allowlist" not in r.stderr or "credential" not in r.stderr:
        found.append("the usage error does not name env_allowlist and why")
    if "RAN" in r.stdout:
        found.append("the spell ran")
    check(found, r)


LUA_HUGE = r"""
local function try(label, fn, ...)
  local ok, err = pcall(fn, ...)
  print(label .. ": " .. tostring(ok) .. " " .. tostring(err):sub(1, 160))
end
try("read a", function() return io.open("sparse100g.bin", "rb"):read("a") end)
try("read l", function() return io.open("sparse100g.bin", "rb"):read("l") end)
try("read n", function() return io.open("sparse100g.bin", "rb"):read(2^40) end)
try("dofile", dofile, "sparse100g.bin")
try("write", function()
  local f = io.open("grow.txt", "w")
  local block = string.rep("x", 1 << 20)
  for i = 1, 200 do f:write(block) end
end)
try("fifo", function() return assert(io.open("fifo", "r")) end)
try("fifo w", function() return assert(io.open("fifo", "w")) end)
try("dofile fifo", dofile, "fifo")
try("handles", function()
  local keep = {}
  for i = 1, 100000 do keep[i] = assert(io.open("h.txt", "w")) end
end)
print("done: yes")
"""


def test_lua_huge_and_special_files_are_bounded(hostile: Hostile, bound) -> None:
    """A sparse 100 GiB file is refused before it is read (whole, as a line, by count),
    a file cannot grow past max_input_bytes, handles are capped, a FIFO is never opened
    (it would block): each a clear error at once, memory bounded."""
    hostile.data("sparse100g.bin")
    os.mkfifo(hostile.cwd / "fifo")
    r, within = _run(hostile, "huge.lua", LUA_HUGE, bound)
    found = _problems(r, within)
    seen = _lines(r)
    wants = {
        "read a": "over the limit", "read l": "over the limit", "read n": "over the limit",
        "dofile": "over the limit", "write": "over the limit", "handles": "files are open already",
        "fifo": "not a regular file", "fifo w": "not a regular file", "dofile fifo": "no such file",
    }  # fmt: skip
    for label, text in wants.items():
        line = seen.get(label, "")
        if not line.startswith("false") or text not in line:
            found.append(f"{label}: {line!r} (expected a refusal with {text!r})")
    grown = hostile.cwd / "grow.txt"
    if grown.exists() and grown.stat().st_size > 50 * 2**20:
        found.append(f"grow.txt grew to {grown.stat().st_size} bytes")
    check(found, r)


LUA_EXIT = r"""
print("start")
local ok = pcall(function()
  xpcall(function()
    coroutine.wrap(function()
      string.gsub("abc", "%w", function() pcall(os.exit, 7) end)
    end)()
  end, function(e) print("HANDLER SAW " .. tostring(e)) return e end)
end)
print("SURVIVED " .. tostring(ok))
while true do end
"""


def test_lua_exit_cannot_be_swallowed(hostile: Hostile, bound) -> None:
    """os.exit(7) deep inside pcall, xpcall, a coroutine and a C callback ends the run at
    once with exit code 7: no handler sees it, nothing after it runs, nothing on stderr."""
    r, within = _run(hostile, "exit.lua", LUA_EXIT, bound)
    found = _problems(r, 3.0 + within / 3, code=7)
    if r.stdout != "start\n":
        found.append(f"stdout is {r.stdout!r}, expected only 'start'")
    if r.stderr.strip():
        found.append(f"stderr is not empty: {r.stderr!r}")
    check(found, r)


def test_lua_exit_in_a_tool_handler_ends_the_run(hostile: Hostile, bound) -> None:
    """os.exit inside a script tool's handler (run by the host) ends the whole run."""
    text = (
        'Tool.register{name = "conf-exit", description = "d", handler = function(p)\n'
        "  os.exit(9)\nend}\n"
        'local r = Tool.execute("conf-exit", {})\nprint("SURVIVED " .. tostring(r.success))\n'
    )
    r, within = _run(hostile, "exit_tool.lua", text, bound)
    found = _problems(r, within, code=9)
    if "SURVIVED" in r.stdout:
        found.append("the spell went on after os.exit")
    check(found, r)


def test_lua_self_dofile_recursion_is_bounded(hostile: Hostile, bound) -> None:
    """A file that dofile()s itself forever ends with a clear error (Lua's C stack
    limit), not a crash."""
    r, within = _run(hostile, "self.lua", 'dofile("self.lua")\n', bound)
    found = problems_common(r)
    if r.wall > within:
        found.append(f"took {r.wall:.2f} s > {within:.2f} s")
    if r.returncode != 1 or not re.search(r"stack overflow|LimitExceeded", r.stderr):
        found.append(f"exit {r.returncode} without a stack overflow error")
    check(found, r)


@pytest.mark.parametrize(
    "spec", ["../outside.js", "./link", "./procdir/environ", "./dirlink/outside.js", "/etc/passwd"]
)
def test_js_imports_outside_are_denied_naming_the_path(hostile: Hostile, bound, spec) -> None:
    """A JavaScript import outside the allowed paths (``../``, absolute, through a
    symlink) is refused before any spell code runs, naming the specifier as written."""
    hostile.data("link", "procdir")
    (hostile.cwd.parent / "outside.js").write_text("print('OUTSIDE RAN'); export const x = 1;\n")
    os.symlink(hostile.cwd.parent, hostile.cwd / "dirlink")
    hostile.write("llmspell.toml", '[security]\nallowed_paths = ["."]\n')
    r, within = _run(
        hostile, "imp.js", f'print("SPELL RAN");\nimport {{ x }} from "{spec}";\n', bound
    )
    found = _problems(r, within, code=1)
    if spec.startswith(("./", "../")):
        if f"SecurityError: import of '{spec}' is denied" not in r.stderr:
            found.append("not denied naming the specifier")
    elif "only relative modules" not in r.stderr:
        found.append("a bare or absolute specifier is not refused clearly")
    if "RAN" in r.stdout:
        found.append("code ran")
    check(found, r)


def test_js_huge_or_special_modules_are_refused(hostile: Hostile, bound) -> None:
    """A sparse 100 GiB module is refused by its size before it is read; a FIFO is not
    a module file."""
    hostile.data("sparse100g.bin")
    os.symlink("sparse100g.bin", hostile.cwd / "huge.js")
    os.mkfifo(hostile.cwd / "fifo.js")
    for spec, text in (("./huge.js", "over the limit"), ("./fifo.js", "no such module file")):
        r, within = _run(hostile, "imp.js", f'import {{ x }} from "{spec}";\n', bound)
        found = _problems(r, within, code=1)
        if text not in r.stderr:
            found.append(f"{spec}: {text!r} not on stderr")
        check(found, r)
