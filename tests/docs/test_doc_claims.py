"""The docs claim only what exists, and do not call a shipped feature missing.

Every page a user reads (``README.md``, ``examples/README.md``, ``docs/**/*.md``) is
checked against the code *at test time* — nothing here lists what exists:

- **tools**: names in ``Tool.execute("x"``/``Tool.get("x")``/``Tool.schema("x")``, an
  agent's ``tools = {...}``, a workflow step's ``tool = "x"``, ``[tools.x]`` and
  ``llmspell tool info|invoke x`` must be installed tools (the real tool registry) or tools
  the same page defines (``Tool.register``, ``as_tool``, a plugin example);
- **CLI**: every ``llmspell ...`` command line in a code block or inline code is walked
  through the real command tree of ``llmspell_cli`` (commands, subcommands, options);
- **configuration**: every key of a ```toml block (and every ``[section] key`` in inline
  code) must be a setting of ``llmspell.config`` — ``[providers.NAME]`` keys those of a
  provider, ``[tools.NAME]`` keys those the tool declares (``Tool.settings``) when it
  declares them;
- **globals**: in ```lua and ```js blocks, a capitalised global must exist in that
  engine (asked of the real engine through ``llmspell exec``) or be defined by the page,
  and ``Global.member`` of an API global must be one of its functions in that language;
  Lua blocks must not use a standard library function the sandbox does not have (also
  asked of the engine);
- **stale words**: "arrives in a later release", "not yet", "registers nothing", ...
- **counts**: "N tools" must be the number of installed tools, and the tool index
  (``docs/tools/README.md``) must have a row for every one.

:data:`ALLOWLIST` holds the intentional exceptions, each with its reason; an entry that
no longer matches anything fails too, so the list stays small.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: intentional mentions: (page, kind, value) -> why the page says it
ALLOWLIST: dict[tuple[str, str, str], str] = {
    ("docs/script-api.md", "tool", "revers"): "shows the NotFoundError of a misspelt name",
    ("docs/DESIGN.md", "count", "30 built-in tools"): "a start-up measurement of its time",
    ("docs/agents.md", "tool", "calculater"): "shows the error for an unknown tool (Lua)",
    ("docs/agents.md", "tool", "nope"): "shows the error for an unknown tool (JavaScript)",
    ("docs/security.md", "command", "llmspell serve"): (
        "FALSE, left to the owner of docs/security.md (issue 13 report): there is no "
        "`llmspell serve`; remove this entry when the page is fixed"
    ),
}

#: pages that may use rs-llmspell's old tool names (they still work, with a note)
OLD_NAME_PAGES = {"docs/coming-from-rs-llmspell.md"}

#: phrases that call a feature missing; a shipped feature must not be described so
STALE = re.compile(
    r"arrives? in (?:a )?later release|in (?:a )?later releases?|arrives? with `?llmspell"
    r"|\bnot yet\b|registers nothing|no tools are built in|until then\b|"
    r"currently does not|coming soon|in a future release",
    re.IGNORECASE,
)

#: Lua's standard libraries and base functions a sandbox may leave out (or Lua 5.4 lacks);
#: whether a spell has them is asked of the real engine
LUA_LIBRARIES = ("string", "table", "math", "io", "os", "coroutine", "utf8", "debug", "package")
LUA_BASE = ("require", "dofile", "loadfile", "load", "loadstring", "module", "setfenv", "unpack")
_LUA_LIB_USE = re.compile(rf"(?<![\w.:])({'|'.join(LUA_LIBRARIES)})\s*\.\s*([A-Za-z_]\w*)")
_LUA_BASE_USE = re.compile(rf"(?<![\w.:])({'|'.join(LUA_BASE)})\s*\(")


# -- the pages ------------------------------------------------------------------------------


@dataclass
class Block:
    """A fenced code block: its info string and first line (1-based) in the page."""

    lang: str
    line: int
    code: str


@dataclass
class Page:
    """A Markdown page split into code blocks and prose (the lines outside blocks)."""

    name: str
    blocks: list[Block]
    prose: list[tuple[int, str]]

    def inline_code(self) -> Iterator[tuple[int, str]]:
        """Every inline code span of the prose, with its line."""
        for line, text in self.prose:
            for m in re.finditer(r"(`+)(.+?)\1", text):
                yield line, m.group(2).strip()


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")


def parse_page(name: str, text: str) -> Page:
    """Split ``text`` into fenced blocks and prose lines."""
    blocks: list[Block] = []
    prose: list[tuple[int, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            prose.append((i + 1, lines[i]))
            i += 1
            continue
        fence, lang = m.group(1), m.group(2).lower()
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            j += 1
        blocks.append(Block(lang, i + 2, "\n".join(lines[i + 1 : j])))
        i = j + 1
    return Page(name, blocks, prose)


def _page_files() -> list[Path]:
    return [
        ROOT / "README.md",
        ROOT / "examples" / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
    ]


PAGES = [p.relative_to(ROOT).as_posix() for p in _page_files()]


@functools.cache
def page(name: str) -> Page:
    """The parsed page ``name`` (a path relative to the repository)."""
    return parse_page(name, (ROOT / name).read_text(encoding="utf-8"))


# -- the truth, from the code ---------------------------------------------------------------


@functools.cache
def runtime() -> Any:
    """A runtime with the workspace's plugins (the conftest sets LLMSPELL_LOAD_PLUGINS)."""
    from llmspell.config import load_settings
    from llmspell.runtime import Runtime

    settings = load_settings(
        use_files=False, environ={}, overrides={("state", "backend"): "memory"}
    )
    return Runtime(settings)


@pytest.fixture(autouse=True, scope="module")
def _close_runtime() -> Iterator[None]:
    yield
    if runtime.cache_info().currsize:
        runtime().close()
        runtime.cache_clear()


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
        names.add(fn if lang == "lua" else camel(fn))
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
    """The click command tree of ``llmspell`` (its core commands)."""
    import typer.main

    from llmspell_cli import main

    return typer.main.get_command(main.app)


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


def _keys(cls: Any) -> set[str]:
    return {f.name for f in fields(cls) if not f.metadata.get("internal")}


# -- what a page defines itself -------------------------------------------------------------

_NAME_FIELD = re.compile(r"""\bname\s*[=:]\s*["']([\w.-]+)["']""")
_AS_TOOL = re.compile(r"""\b(?:as_tool|asTool|LazyTool|Tool)\s*\(\s*["']([\w.-]+)["']""")


def defined_tools(pg: Page) -> set[str]:
    """Tools (and agents used as tools) the page defines in its own code blocks."""
    found: set[str] = set()
    for b in pg.blocks:
        if re.search(r"Tool\.register|as_tool|asTool|register_tools|\bTool\(", b.code):
            found |= set(_NAME_FIELD.findall(b.code)) | set(_AS_TOOL.findall(b.code))
    for _, code in pg.inline_code():
        found |= set(_AS_TOOL.findall(code))
    return found


def defined_globals(pg: Page) -> set[str]:
    """Globals defined by the page's plugin examples (``GlobalSpec("Name"``)."""
    names: set[str] = set()
    for b in pg.blocks:
        if b.lang == "python":
            names |= set(re.findall(r"""GlobalSpec\(\s*(?:name\s*=\s*)?["'](\w+)["']""", b.code))
    return names


def defined_commands(pg: Page) -> set[str]:
    """CLI commands the page's plugin examples add (``@app.command("name")``)."""
    names: set[str] = set()
    for b in pg.blocks:
        if b.lang == "python":
            names |= set(re.findall(r"""\.command\(\s*["']([\w-]+)["']""", b.code))
    return names


# -- the claims ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One false claim: where, of what kind, the value, and why it is false."""

    page: str
    line: int
    kind: str
    value: str
    why: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.kind} {self.value!r}: {self.why}"


_TOOL_CALL = re.compile(r"""\bTool\.(?:execute|get|schema)\(\s*["']([\w.-]+)["']""")
_TOOL_LIST = re.compile(
    r"""\b(?:tools|allow_tools|allowed_tools|allowTools|allowedTools)\s*(?:[=:]\s*|\(\s*)[{\[]([^}\]]*)[}\]]"""
)
_STEP_TOOL = re.compile(r"""\btool\s*[=:]\s*["']([\w.-]+)["']""")
_TOOL_TABLE = re.compile(r"\[tools\.([\w-]+)\](?:\s+(\w+))?")


def tool_claims(pg: Page) -> list[Problem]:
    """Tool names the page uses that are neither installed nor defined by the page."""
    known = tool_names() | defined_tools(pg)
    problems: list[Problem] = []

    def check(line: int, name: str, where: str) -> None:
        if name in known:
            return
        today = runtime().tools.canonical(name)  # an rs-llmspell name still works
        if today == name or today not in known:
            problems.append(Problem(pg.name, line, "tool", name, f"no such tool ({where})"))
        elif pg.name not in OLD_NAME_PAGES:
            why = f"rs-llmspell's old name; the tool is {today!r} ({where})"
            problems.append(Problem(pg.name, line, "tool", name, why))

    for b in pg.blocks:
        if b.lang not in ("lua", "js", "javascript", "toml", ""):
            continue
        for n, text in enumerate(b.code.splitlines()):
            line = b.line + n
            for name in _TOOL_CALL.findall(text):
                check(line, name, "Tool call")
            for group in _TOOL_LIST.findall(text):
                for name in re.findall(r"""["']([\w.-]+)["']""", group):
                    check(line, name, "an agent's tools")
            if b.lang != "toml":
                for name in _STEP_TOOL.findall(text):
                    check(line, name, "a workflow step")
            if b.lang == "toml" and text.lstrip().startswith("[tools."):
                check(line, _TOOL_TABLE.findall(text)[0][0], "[tools.NAME] table")
    for line, code in pg.inline_code():
        for name in _TOOL_CALL.findall(code):
            check(line, name, "Tool call")
        for name, _ in _TOOL_TABLE.findall(code):
            if name != "NAME" and name.islower():
                check(line, name, "[tools.NAME]")
    return problems


def _strip(token: str) -> str:
    return token.strip("[](),.;'\"")


def _is_placeholder(token: str) -> bool:
    return (
        not token
        or token.isupper()
        or token.startswith("<")
        or "..." in token
        or token in ("OPTIONS",)
        or bool(re.fullmatch(r"[A-Z][A-Z_-]*\.*", token))
    )


def _options(cmd: Any) -> set[str]:
    names = {"-h", "--help"}
    for p in cmd.params:
        if getattr(p, "param_type_name", "") == "option":
            names |= set(p.opts) | set(p.secondary_opts)
    return names


def check_command(tokens: list[str], extra_commands: set[str]) -> str | None:
    """Why ``llmspell <tokens>`` is not a command line of the real CLI, or None."""
    cmd: Any = cli_root()
    path = ["llmspell"]
    positional: list[str] = []
    for raw in tokens:
        if raw == "--":
            break  # the spell's own arguments
        token = _strip(raw) if raw.startswith(("[", "(")) or raw.endswith(("]", ")", ",")) else raw
        if not token:
            continue
        if token.startswith("-") and token != "-":
            flag = token.split("=", 1)[0]
            if re.fullmatch(r"-[A-Za-z]|--[a-z][\w-]*", flag) and flag not in _options(cmd):
                return f"{' '.join(path)} has no option {flag}"
            continue
        sub = getattr(cmd, "commands", None)
        if sub is not None and not positional:
            if len(path) == 1 and not re.fullmatch(r"[a-z][\w-]*", token):
                return None  # not a command line ("llmspell 0.1.0", the output of version)
            if "|" in token:  # alternatives: "state list|get|delete|clear"
                wrong = [t for t in token.split("|") if t not in sub]
                return f"{' '.join(path)} has no command {wrong[0]!r}" if wrong else None
            if token in sub:
                cmd = sub[token]
                path.append(token)
                continue
            if _is_placeholder(token) or (len(path) == 1 and token in extra_commands):
                return None
            return f"{' '.join(path)} has no command {token!r}"
        positional.append(token)
    if path[1:2] == ["tool"] and path[2:3] in (["info"], ["invoke"]) and positional:
        name = positional[0]
        if not _is_placeholder(name) and name not in tool_names():
            return f"no such tool {name!r}"
    return None


_SEPARATORS = {"|", "||", "&&", ";", "$", "#"}


def command_lines(text: str) -> Iterator[list[str]]:
    """The argument lists of every ``llmspell`` invocation on a line of shell or text."""
    line = text.strip()
    if line.startswith("$ "):
        line = line[2:]
    line = re.split(r"\s{3,}", line)[0]  # a column of explanation after the command
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError:
        return
    for i, tok in enumerate(tokens):
        if tok != "llmspell":
            continue
        before = tokens[:i]
        wrapper = not before or before[-1] in _SEPARATORS | {"--all-packages", "exec"}
        env_only = all(re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", t) for t in before)
        if wrapper or env_only:
            rest = tokens[i + 1 :]
            end = next((k for k, t in enumerate(rest) if t in _SEPARATORS | {">", "2>"}), len(rest))
            yield rest[:end]


def cli_claims(pg: Page) -> list[Problem]:
    """``llmspell`` command lines of the page that the real CLI does not have."""
    extra = defined_commands(pg)
    problems: list[Problem] = []

    def check(line: int, text: str) -> None:
        for args in command_lines(text):
            why = check_command(args, extra)
            if why:
                problems.append(
                    Problem(pg.name, line, "command", " ".join(["llmspell", *args]), why)
                )

    for b in pg.blocks:
        if b.lang not in ("sh", "bash", "shell", "console", "text", ""):
            continue
        lines = b.code.splitlines()
        prompts = any(x.lstrip().startswith("$ ") for x in lines)
        for n, text in enumerate(lines):
            if prompts and not text.lstrip().startswith("$ "):
                continue  # output of the commands above
            check(b.line + n, text)
    for line, code in pg.inline_code():
        if code.startswith("llmspell ") or " llmspell " in code:
            check(line, code)
    return problems + section_flag_claims(pg)


_COMMAND_HEADING = re.compile(r"^##\s+`llmspell ([\w -]+)`")
_FLAG = re.compile(r"^(-[A-Za-z]|--[a-z][\w-]*)\b")


def _all_options(cmd: Any) -> set[str]:
    found = _options(cmd)
    for sub in getattr(cmd, "commands", {}).values():
        found |= _all_options(sub)
    return found


def section_flag_claims(pg: Page) -> list[Problem]:
    """In a section headed ``## `llmspell CMD` `` (the CLI reference), an option a table
    row names in its first cell (`` | `--timeout SECONDS` | ``) must be one of CMD's (or
    its subcommands', or the root's)."""
    problems: list[Problem] = []
    cmd: Any = None
    inline = dict(_group_inline(pg))
    for line, text in pg.prose:
        if text.startswith("## "):
            cmd = None
            m = _COMMAND_HEADING.match(text)
            if m:
                cmd = cli_root()
                for part in m.group(1).split():
                    cmd = getattr(cmd, "commands", {}).get(part)
                    if cmd is None:
                        problems.append(
                            Problem(pg.name, line, "command", m.group(1), "no such command")
                        )
                        break
            continue
        if cmd is None or not text.startswith("|"):
            continue
        first_cell = text.split("|")[1]
        for code in inline.get(line, []):
            f = _FLAG.match(code)
            if f is None or f"`{code}`" not in first_cell:
                continue
            if f.group(1) not in _all_options(cmd) | _options(cli_root()):
                problems.append(
                    Problem(
                        pg.name,
                        line,
                        "option",
                        f.group(1),
                        f"llmspell {cmd.name} has no such option",
                    )
                )
    return problems


def _group_inline(pg: Page) -> Iterator[tuple[int, list[str]]]:
    by_line: dict[int, list[str]] = {}
    for line, code in pg.inline_code():
        by_line.setdefault(line, []).append(code)
    yield from by_line.items()


def _toml_problems(pg: Page, line: int, data: dict[str, Any]) -> list[Problem]:
    sections = config_sections()
    problems: list[Problem] = []

    def bad(key: str, why: str) -> None:
        problems.append(Problem(pg.name, line, "config key", key, why))

    for top, value in data.items():
        if top not in sections:
            bad(top, "not a setting of llmspell.toml")
        elif top == "providers":
            from llmspell.config import ProviderSettings

            for name, table in value.items():
                for key in set(table) - _keys(ProviderSettings):
                    bad(f"providers.{name}.{key}", "not a provider setting")
        elif top == "tools":
            for name, table in value.items():
                if name not in tool_names():
                    continue  # reported by tool_claims
                declared = tool_settings(name)
                if declared is not None:
                    for key in set(table) - set(declared):
                        bad(f"tools.{name}.{key}", f"not a setting of {name}")
        elif sections[top] is not None and isinstance(value, dict):
            for key in set(value) - _keys(sections[top]):
                bad(f"{top}.{key}", f"not a [{top}] setting")
    return problems


_INLINE_KEY = re.compile(r"^\[(\w+)\]\s+(\w+)\b")
_INLINE_TOOL_KEY = re.compile(r"\[tools\.([\w-]+)\]\s+(\w+)\b")


def config_claims(pg: Page) -> list[Problem]:
    """Configuration keys of the page (```toml blocks, ``[section] key``) that do not exist."""
    problems: list[Problem] = []
    sections = config_sections()
    for b in pg.blocks:
        if b.lang != "toml" or re.search(r"^\[(?:project|build-system|tool)[.\]]", b.code, re.M):
            continue  # a pyproject.toml
        try:
            data = tomllib.loads(b.code)
        except tomllib.TOMLDecodeError as exc:
            problems.append(Problem(pg.name, b.line, "config key", "(block)", f"not TOML: {exc}"))
            continue
        problems += _toml_problems(pg, b.line, data)
    for line, code in pg.inline_code():
        m = _INLINE_KEY.match(code)
        section = sections.get(m.group(1)) if m else None
        if m and section is not None and m.group(2) not in _keys(section):
            key = f"{m.group(1)}.{m.group(2)}"
            problems.append(Problem(pg.name, line, "config key", key, "no such key"))
        for name, key in _INLINE_TOOL_KEY.findall(code):
            if name in tool_names():
                declared = tool_settings(name)
                if declared is not None and key not in declared:
                    problems.append(
                        Problem(
                            pg.name,
                            line,
                            "config key",
                            f"tools.{name}.{key}",
                            f"not a setting of {name}",
                        )
                    )
    return problems


_GLOBAL_USE = re.compile(r"(?<![\w.:$])([A-Z][A-Za-z0-9_]*)\s*(?:([.:])\s*([A-Za-z_]\w*))?")
_LOCAL_DEF = re.compile(
    r"\b(?:local|const|let|var|class|function)\s+(?:function\s+)?([A-Z]\w*)|\b([A-Z]\w*)\s*=[^=]"
)


def _code_only(code: str, lang: str) -> str:
    """``code`` without comments and string literals (so prose in them is not read)."""
    code = re.sub(r"\[(=*)\[.*?\]\1\]", '""', code, flags=re.S)  # Lua long strings
    code = re.sub(r"`(?:\\.|[^`\\])*`", '""', code, flags=re.S)  # JS templates
    code = re.sub(r""""(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'""", '""', code)
    comment = "--" if lang == "lua" else "//"
    code = re.sub(rf"{re.escape(comment)}.*", "", code)
    return re.sub(r"/\*.*?\*/", "", code, flags=re.S) if lang != "lua" else code


def global_claims(pg: Page) -> list[Problem]:
    """Globals and API functions the page's Lua and JavaScript blocks use that do not exist."""
    problems: list[Problem] = []
    own = defined_globals(pg)
    specs = api_globals()
    for b in pg.blocks:
        lang = {"lua": "lua", "js": "js", "javascript": "js"}.get(b.lang)
        if lang is None:
            continue
        code = _code_only(b.code, lang)
        local = {a or c for a, c in _LOCAL_DEF.findall(code)}
        available = engine_globals(lang)
        for n, text in enumerate(code.splitlines()):
            line = b.line + n
            for what, why in lua_problems(text) if lang == "lua" else []:
                problems.append(Problem(pg.name, line, "global", what, why))
            for m in _GLOBAL_USE.finditer(text):
                name, sep, member = m.group(1), m.group(2), m.group(3)
                if name in own or name in local:
                    continue
                if name not in available:
                    if sep or text[m.end() :].lstrip().startswith(("(", "{")):
                        problems.append(
                            Problem(pg.name, line, "global", name, f"no such global in {lang}")
                        )
                    continue
                spec = specs.get(name)
                if spec is None or not sep or (spec.languages and lang not in spec.languages):
                    continue
                names = members(spec, lang)
                if names is not None and member not in names:
                    problems.append(
                        Problem(
                            pg.name,
                            line,
                            "global",
                            f"{name}.{member}",
                            f"{name} has no {member!r} in {lang}",
                        )
                    )
    return problems + inline_global_claims(pg)


_INLINE_MEMBER = re.compile(r"(?<![\w.:$])([A-Z][A-Za-z]*)\s*[.:]\s*([A-Za-z_]\w*)\s*[({]")


def inline_global_claims(pg: Page) -> list[Problem]:
    """``Global.member(...)`` in inline code, for an API global: the member must exist in
    Lua or in JavaScript (prose may use either name). Other capitalised names in prose
    are not checked (a page may mention rs-llmspell's globals)."""
    if defined_globals(pg):
        return []  # a page that defines globals of its own (plugins.md)
    specs = api_globals()
    problems: list[Problem] = []
    for line, code in pg.inline_code():
        for name, member in _INLINE_MEMBER.findall(code):
            spec = specs.get(name)
            names = members(spec, "lua") if spec is not None else None
            if names is None or spec is None:
                continue
            if member not in names | (members(spec, "js") or set()):
                problems.append(
                    Problem(pg.name, line, "global", f"{name}.{member}", "no such function")
                )
    return problems


_TOOL_COUNT = re.compile(r"\b(\d+) (?:built-in )?tools\b")


def count_claims(pg: Page) -> list[Problem]:
    """ "N tools" where N is not the number of installed tools."""
    total = len(tool_names())
    return [
        Problem(pg.name, line, "count", m.group(0), f"{total} tools are installed")
        for line, text in pg.prose
        for m in _TOOL_COUNT.finditer(text)
        if int(m.group(1)) != total
    ]


def stale_claims(pg: Page) -> list[Problem]:
    """Prose that calls a feature missing."""
    return [
        Problem(pg.name, line, "stale", m.group(0), "calls a feature missing")
        for line, text in pg.prose
        for m in STALE.finditer(text)
    ]


CHECKS = {
    "tool": tool_claims,
    "command": cli_claims,
    "config key": config_claims,
    "count": count_claims,
    "global": global_claims,
    "stale": stale_claims,
}


def unexpected(problems: list[Problem]) -> list[Problem]:
    """The problems the allowlist does not excuse."""
    return [p for p in problems if (p.page, p.kind, p.value) not in ALLOWLIST]


# -- tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(CHECKS))
@pytest.mark.parametrize("name", PAGES)
def test_page_claims_exist(name: str, kind: str) -> None:
    problems = unexpected(CHECKS[kind](page(name)))
    assert not problems, "the page claims what does not exist:\n" + "\n".join(map(str, problems))


def test_allowlist_entries_are_used() -> None:
    used = {
        (p.page, p.kind, p.value)
        for name in PAGES
        for check in CHECKS.values()
        for p in check(page(name))
    }
    stale = [f"{k}: {why}" for k, why in ALLOWLIST.items() if k not in used]
    assert not stale, "allowlist entries that match nothing (remove them):\n" + "\n".join(stale)


def test_every_tool_is_in_the_tool_index() -> None:
    index = (ROOT / "docs" / "tools" / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| \[([\w-]+)\]\(", index, re.M))
    missing = sorted(tool_names() - listed)
    assert not missing, f"docs/tools/README.md lists no row for: {missing}"


def test_the_pages_are_found() -> None:
    assert {"README.md", "docs/script-api.md", "docs/cli.md", "docs/configuration.md"} <= set(PAGES)
    assert "docs/SCRIPT-API.md" not in PAGES, "one script-API page: docs/script-api.md"


def test_truth_comes_from_the_code() -> None:
    assert {"calculator", "file-operations"} <= tool_names()
    assert {"State", "Tool", "Agent", "Workflow", "Hook", "Event"} <= set(api_globals())
    assert {"print", "State"} <= engine_globals("lua")
    assert {"console", "State"} <= engine_globals("js")
    assert {"run", "exec", "tool", "config"} <= set(cli_root().commands)


# -- the checks catch what they should (a made-up page) --------------------------------------

BAD_PAGE = """# A page with false claims

`Workflow` arrives in a later release, and the 3 tools are not yet there.

```lua
local r = Tool.execute("web-search", { query = "x" })
local a = Agent.create({ model = "openai/gpt-4o-mini", tools = { "calculator", "nowhere" } })
Tool.execute("file_operations", { operation = "list", path = "." })
print(State.fetch("k"), os.execute("ls"), debug.traceback(), loadstring("x"))
local s = Session.create()
```

```js
const v = await State.listKeys("s");
const w = await State.list_keys("s");
```

```sh
$ llmspell run spell.lua --turbo
$ llmspell frobnicate
$ llmspell tool info no-such-tool
$ llmspell config show|check
```

```toml
[runtime]
timeout = 5

[tools.web-search]
max_results = 5

[providers.local]
api_key = "sk-nope"
```

See `[security] allow_everything` and `llmspell config check`, and `Hook.fire(point)`.

## `llmspell run`

| option | meaning |
|---|---|
| `--turbo` | goes faster |
| `--timeout SECONDS`, `-V` | the run's own option, and the root's |

## `llmspell frob`
"""


def _bad() -> dict[str, set[str]]:
    pg = parse_page("bad.md", BAD_PAGE)
    return {kind: {p.value for p in check(pg)} for kind, check in CHECKS.items()}


def test_checks_flag_unknown_tools() -> None:
    assert _bad()["tool"] == {"web-search", "nowhere", "file_operations"}


def test_checks_flag_unknown_commands_and_flags() -> None:
    found = _bad()["command"]
    assert "llmspell run spell.lua --turbo" in found
    assert "llmspell frobnicate" in found
    assert "llmspell tool info no-such-tool" in found
    assert "llmspell config check" in found
    assert "llmspell config show|check" in found
    assert {"--turbo", "frob"} <= found  # the option tables of the CLI reference
    assert not {"--timeout", "-V"} & found


def test_checks_flag_unknown_config_keys() -> None:
    assert {"runtime.timeout", "providers.local.api_key", "security.allow_everything"} <= _bad()[
        "config key"
    ]


def test_checks_flag_unknown_globals_and_sandboxed_names() -> None:
    found = _bad()["global"]
    assert {"os.execute", "debug.traceback", "loadstring"} <= found
    assert {"State.fetch", "Session", "State.list_keys", "Hook.fire"} <= found
    assert "State.listKeys" not in found


def test_checks_flag_stale_words() -> None:
    assert _bad()["stale"] == {"arrives in a later release", "not yet"}


def test_checks_flag_a_wrong_tool_count() -> None:
    assert _bad()["count"] == {"3 tools"}


def test_good_claims_pass() -> None:
    good = parse_page(
        "good.md",
        '```lua\nlocal r = Tool.execute("calculator", { input = "1+2" })\n'
        'print(State.list_keys("s")[1], JSON.stringify(r))\n```\n\n'
        "```sh\n$ llmspell run x.lua --timeout 5 -o json -- --anything goes\n"
        "$ llmspell tool invoke calculator -p '{}'\n"
        "$ llmspell config show|validate\n```\n\n"
        "```toml\n[runtime]\ntimeout_seconds = 5\n```\n\nSee `[security] allow_network`.\n",
    )
    for kind, check in CHECKS.items():
        assert not check(good), kind


def test_problem_reads_well() -> None:
    problem = Problem("docs/x.md", 3, "tool", "datetime", "no such tool (Tool call)")
    assert str(problem) == "docs/x.md:3: tool 'datetime': no such tool (Tool call)"
    assert json.dumps(str(problem))
