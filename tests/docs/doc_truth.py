"""What exists, asked of the code at test time: the installed tools and their settings,
the API globals, the globals each engine gives a spell, the CLI's command tree and the
configuration model (for the docs-claims test, ``test_doc_claims.py``)."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import Any

#: Lua's standard libraries and base functions a sandbox may leave out (or Lua 5.4 lacks);
#: whether a spell has them is asked of the real engine
LUA_LIBRARIES = ("string", "table", "math", "io", "os", "coroutine", "utf8", "debug", "package")
LUA_BASE = ("require", "dofile", "loadfile", "load", "loadstring", "module", "setfenv", "unpack")
_LUA_LIB_USE = re.compile(rf"(?<![\w.:])({'|'.join(LUA_LIBRARIES)})\s*\.\s*([A-Za-z_]\w*)")
_LUA_BASE_USE = re.compile(rf"(?<![\w.:])({'|'.join(LUA_BASE)})\s*\(")


@functools.cache
def runtime() -> Any:
    """A runtime with the workspace's plugins (the conftest sets LLMSPELL_LOAD_PLUGINS)."""
    from llmspell.config import load_settings
    from llmspell.runtime import Runtime

    settings = load_settings(
        use_files=False, environ={}, overrides={("state", "backend"): "memory"}
    )
    return Runtime(settings)


@functools.cache
def tool_names() -> frozenset[str]:
    """The installed tools."""
    return frozenset(t.name for t in runtime().tools.all())


def tool_settings(name: str) -> dict[str, Any] | None:
    """The ``[tools.NAME]`` keys tool ``name`` declares, or None when it does not say."""
    declared = getattr(runtime().tools.get(name), "settings", None)
    return dict(declared) if declared is not None else None


@functools.cache
def api_globals() -> dict[str, Any]:
    """The registered API globals (``GlobalSpec``) by name."""
    return {spec.name: spec for spec in runtime().globals.all()}


def members(spec: Any, lang: str) -> set[str] | None:
    """The names ``spec.<name>`` has in ``lang`` (None: a plain value such as ARGS)."""
    from llmspell.ops import camel

    if spec.value is not None:
        return None
    names = set(spec.aliases) | set(spec.builders)
    for fn in spec.functions:
        name = fn if lang == "lua" else camel(fn)
        names |= {name, name.split(".", 1)[0]}  # Memory.episodic.add: Memory has episodic
    if lang == "js":
        names |= {camel(b) for b in spec.builders}
    return names


def _llmspell() -> str:
    exe = Path(sys.executable).with_name("llmspell")
    if not exe.exists():  # pragma: no cover - Windows layout
        exe = Path(sys.executable).with_name("llmspell.exe")
    return str(exe)


_ENGINE_GLOBALS = {
    # the globals, and "lib.member" for the standard library tables
    "lua": (
        "local t = {} for k, v in pairs(_G) do t[#t + 1] = k "
        f"if type(v) == 'table' and ({' or '.join(f'k == {lib!r}' for lib in LUA_LIBRARIES)}) "
        "then for m in pairs(v) do t[#t + 1] = k .. '.' .. m end end end "
        "print(table.concat(t, ' '))"
    ),
    "js": "print(Object.getOwnPropertyNames(globalThis).join(' '))",
}


@functools.cache
def engine_globals(lang: str) -> frozenset[str]:
    """The global names a spell of ``lang`` sees, asked of the real engine."""
    env = {**os.environ, "LLMSPELL_STATE_BACKEND": "memory"}
    proc = subprocess.run(
        [_llmspell(), "exec", "--engine", lang, _ENGINE_GLOBALS[lang]],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return frozenset(proc.stdout.split())


def lua_problems(text: str) -> list[tuple[str, str]]:
    """The Lua standard library members and base functions ``text`` uses that the
    sandbox does not have, as ``(what, why)``."""
    available = engine_globals("lua")
    found: list[tuple[str, str]] = []
    for lib, member in _LUA_LIB_USE.findall(text):
        if lib not in available:
            found.append((f"{lib}.{member}", f"the Lua sandbox has no {lib}"))
        elif f"{lib}.{member}" not in available:
            found.append((f"{lib}.{member}", f"the Lua sandbox has no {lib}.{member}"))
    for name in _LUA_BASE_USE.findall(text):
        if name not in available:
            found.append((name, f"the Lua sandbox has no {name}"))
    return found


@functools.cache
def cli_root() -> Any:
    """The click command tree of ``llmspell`` (its core commands): the typer app every
    command but a plain ``run``/``exec`` goes through (``llmspell_cli.app``)."""
    import importlib

    import typer.main

    try:
        app = importlib.import_module("llmspell_cli.app").app
    except ModuleNotFoundError:  # before the app had a module of its own
        app = importlib.import_module("llmspell_cli.main").app
    return typer.main.get_command(app)


def config_sections() -> dict[str, Any]:
    """``Settings`` field name -> its dataclass (or None for a plain value)."""
    from llmspell import config

    out: dict[str, Any] = {}
    for f in fields(config.Settings):
        if f.metadata.get("internal") or f.name == "source":
            continue
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        out[f.name] = type(default) if is_dataclass(default) else None
    return out


def setting_keys(cls: Any) -> set[str]:
    """The keys of a settings dataclass."""
    return {f.name for f in fields(cls) if not f.metadata.get("internal")}


def options(cmd: Any) -> set[str]:
    """The option names of a click command (with -h/--help)."""
    names = {"-h", "--help"}
    for p in cmd.params:
        if getattr(p, "param_type_name", "") == "option":
            names |= set(p.opts) | set(p.secondary_opts)
    return names


def all_options(cmd: Any) -> set[str]:
    """The option names of a command and all its subcommands."""
    found = options(cmd)
    for sub in getattr(cmd, "commands", {}).values():
        found |= all_options(sub)
    return found
