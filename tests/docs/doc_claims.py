"""The claims a page makes — tools, command lines, configuration keys, globals, counts,
stale words — and the ones that are false (for ``test_doc_claims.py``)."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from doc_cli_claims import cli_claims
from doc_pages import Page, Problem
from doc_truth import (
    api_globals,
    config_sections,
    engine_globals,
    lua_problems,
    members,
    runtime,
    setting_keys,
    tool_names,
    tool_settings,
)

#: intentional mentions: (page, kind, value) -> why the page says it
ALLOWLIST: dict[tuple[str, str, str], str] = {
    ("docs/script-api.md", "tool", "revers"): "shows the NotFoundError of a misspelt name",
    ("docs/DESIGN.md", "count", "30 built-in tools"): "a start-up figure measured with 30 tools",
    ("docs/agents.md", "tool", "calculater"): "shows the error for an unknown tool (Lua)",
    ("docs/agents.md", "tool", "nope"): "shows the error for an unknown tool (JavaScript)",
    ("docs/mcp.md", "tool", "time__get_current_time"): "an MCP server's tool (the page "
    "configures [mcp.servers.time]); it exists once that server runs",
}

#: pages that may use rs-llmspell's old tool names (they still work, with a note)
OLD_NAME_PAGES = {"docs/coming-from-rs-llmspell.md"}

#: phrases that call a feature missing; a shipped feature must not be described so
STALE = re.compile(
    r"arrives? in (?:a )?later release|in (?:a )?later releases?|arrives? with `?llmspell"
    r"|\b(?:is|are|does|do|can)(?:n't| not) yet\b|\bnot yet (?:available|implemented|"
    r"supported|there|built|shipped|included)|\bnot implemented\b|registers nothing|"
    r"no tools are built in|until then\b|currently does not|coming soon|in a future release",
    re.IGNORECASE,
)


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


# -- the claims ------------------------------------------------------------------------------


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
                for key in set(table) - setting_keys(ProviderSettings):
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
            for key in set(value) - setting_keys(sections[top]):
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
        if m and section is not None and m.group(2) not in setting_keys(section):
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
