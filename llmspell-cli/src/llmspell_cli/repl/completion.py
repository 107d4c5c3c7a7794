"""Tab completion from the op table, in the engine's spelling (Lua ``snake_case``,
JavaScript ``camelCase``): global names; after ``Global.`` its functions, builders and
aliases; after ``:`` (Lua) or ``.`` the methods of the objects ops return; inside the
string argument of ``Tool.*(...)``, ``Agent.get(...)``/``Agent.get_info(...)`` and
``Config.get(...)``, tool names, agent names and config keys."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmspell.runtime import Runtime

__all__ = ["AGENT_NAME_FUNCTIONS", "Completion", "complete", "visible_globals"]

#: the functions of ``Agent`` whose string argument is an agent's name
AGENT_NAME_FUNCTIONS = ("get", "get_info", "getInfo")

_MEMBER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)([.:])([A-Za-z0-9_]*)$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_STRING_ARG = re.compile(
    r"\b(Tool|Agent|Config)\s*[.:]\s*([A-Za-z_]+)\s*\(\s*([\"'])([^\"']*)$"
)

#: the keywords offered beside the globals
_KEYWORDS = {
    "lua": "and break do else elseif end false for function goto if in local nil not or "
    "repeat return then true until while",
    "js": "async await break case catch class const continue default delete do else export "
    "false finally for function if import in instanceof let new null of return switch this "
    "throw true try typeof undefined var void while yield",
}


class Completion(tuple[str, int]):
    """``(text, start)``: a candidate and where it starts, relative to the cursor (a
    negative offset: the characters it replaces)."""

    __slots__ = ()

    @property
    def text(self) -> str:
        """The candidate."""
        return self[0]

    @property
    def start(self) -> int:
        """Its start relative to the cursor (``-len(prefix)``)."""
        return self[1]


def complete(runtime: Runtime, engine: str, before: str) -> list[Completion]:
    """Candidates for the text ``before`` the cursor, sorted, in ``engine``'s spelling."""
    camel = engine == "js"
    m = _STRING_ARG.search(before)
    if m is not None:
        return _strings(runtime, m.group(1), m.group(2), m.group(4))
    m = _MEMBER.search(before)
    if m is not None:
        owner, sep, prefix = m.groups()
        names = _members(runtime, owner, sep, camel)
        return _matching(names, prefix)
    m = _WORD.search(before)
    prefix = m.group() if m else ""
    if not prefix:
        return []
    names = {g.name for g in visible_globals(runtime, engine)}
    names.update(_KEYWORDS.get(engine, "").split())
    return _matching(names, prefix)


def visible_globals(runtime: Runtime, engine: str) -> list[Any]:
    """The globals a spell of ``engine`` sees (some exist in one language only)."""
    return [g for g in runtime.globals.all() if g.languages is None or engine in g.languages]


def _spell(name: str, camel: bool) -> str:
    from llmspell.ops import camel as to_camel

    return to_camel(name) if camel else name


def _members(runtime: Runtime, owner: str, sep: str, camel: bool) -> set[str]:
    spec = next((g for g in runtime.globals.all() if g.name == owner), None)
    if spec is not None and sep == ".":
        names = {*spec.functions, *spec.builders}
        return {_spell(n, camel) for n in names} | set(spec.aliases)
    # a variable holding a host object: the methods of every object type
    methods: set[str] = set()
    for g in runtime.globals.all():
        for ot in g.object_types:
            methods.update(_spell(name, camel) for name in ot.methods)
    return methods


def _strings(runtime: Runtime, owner: str, function: str, prefix: str) -> list[Completion]:
    if owner == "Tool":
        names = {t.name for t in runtime.tools.all()}
    elif owner == "Agent" and function in AGENT_NAME_FUNCTIONS:
        names = set(runtime.agents)
    elif owner == "Config" and function == "get":
        names = set(_config_keys(runtime.settings.redacted()))
    else:
        return []
    return _matching(names, prefix)


def _config_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        keys.append(path)
        if isinstance(value, dict):
            keys.extend(_config_keys(value, path + "."))
    return keys


def _matching(names: set[str], prefix: str) -> list[Completion]:
    return [Completion((n, -len(prefix))) for n in sorted(names) if n.startswith(prefix)]
