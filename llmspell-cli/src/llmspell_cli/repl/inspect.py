"""Help for a name, built from the op table's own definitions (the single source Tab
completion and docs/script-api.md use), in the engine's spelling (Lua ``snake_case`` and
``obj:method``, JavaScript ``camelCase``, ``await`` and ``obj.method``).

What has help: a global (``State``), a function or builder of a global (``State.save``,
``Agent.builder``), a method of a host object (``agent:execute``, ``Agent:execute``),
a tool (``Tool.execute("calculator"``: what ``llmspell tool info`` shows) and an agent
(``Agent.get("writer"``: the live agent, or its ``[agents.NAME]`` table with secrets
redacted). :func:`help_at` finds the name at a cursor (the kernel's Shift-Tab);
:func:`help_for` takes a name (the REPL's and the kernel's ``.help NAME``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmspell_cli.repl.completion import AGENT_NAME_FUNCTIONS, visible_globals

if TYPE_CHECKING:
    from llmspell.ops import BuilderSpec, GlobalSpec, ObjectType, Op
    from llmspell.runtime import Runtime

__all__ = ["Help", "help_at", "help_for", "help_text"]

_STRING_ARG = re.compile(
    r"\b(Tool|Agent)\s*[.:]\s*([A-Za-z_]+)\s*\(\s*([\"'])([^\"'\n]*)([\"']?)"
)
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.:]*$")
_IDENT_TAIL = re.compile(r"^[A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)*")
_CALLEE = re.compile(r"([A-Za-z_][A-Za-z0-9_.:]*)\s*$")
_DOC_CODE = re.compile(r"``(.+?)``", re.S)
_DOC_NAME = re.compile(r"\b([A-Z][A-Za-z]*)([.:])([a-z][a-z0-9_]*)\b")
#: the characters around the cursor a name at the cursor is looked for in
_NAME_WINDOW = 256


@dataclass(frozen=True)
class Help:
    """Help for one name: a title and the same text as plain text and as Markdown."""

    title: str
    text: str
    markdown: str

    def bundle(self) -> dict[str, str]:
        """The mime bundle of an ``inspect_reply``."""
        return {"text/plain": self.text, "text/markdown": self.markdown}


class _Page:
    """Plain and Markdown lines built side by side."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.md: list[str] = []

    def code(self, *lines: str) -> None:
        self.plain.extend(lines)
        self.md.extend(["```", *lines, "```"])

    def para(self, text: str) -> None:
        if text:
            self.plain.append(text)
            self.md.append(text)

    def blank(self) -> None:
        self.plain.append("")
        self.md.append("")

    def heading(self, text: str) -> None:
        self.plain.extend(["", text])
        self.md.extend(["", f"**{text}**", ""])

    def item(self, name: str, text: str = "") -> None:
        self.plain.append(f"  {name}" + (f"  {text}" if text else ""))
        self.md.append(f"- `{name}`" + (f" — {text}" if text else ""))

    def help(self, title: str) -> Help:
        return Help(title, "\n".join(self.plain).strip() + "\n", "\n".join(self.md).strip() + "\n")


# -- the name at a cursor -----------------------------------------------------------------


def help_at(
    runtime: Runtime, engine: str, code: str, cursor_pos: int, detail: int = 0
) -> Help | None:
    """Help for what is at ``cursor_pos`` (code points) in ``code``: a tool or agent name
    inside the string argument of ``Tool.*(`` / ``Agent.get(``, else the name around the
    cursor, else the function whose call's parentheses hold the cursor. None when none
    of them has help."""
    pos = max(0, min(cursor_pos, len(code)))
    found = _string_help(runtime, engine, code, pos)
    if found is not None:
        return found
    name = _name_at(code, pos)
    if name:
        found = help_for(runtime, engine, name, detail, names_only=True)
        if found is not None:
            return found
    callee = _callee(code, pos)
    if callee:
        return help_for(runtime, engine, callee, detail, names_only=True)
    return None


def _string_help(runtime: Runtime, engine: str, code: str, pos: int) -> Help | None:
    for m in _STRING_ARG.finditer(code):
        if not m.start(4) <= pos <= m.end():
            continue
        owner, function, value = m.group(1), m.group(2), m.group(4)
        if owner == "Tool":
            return _tool_help(runtime, value)
        if function in AGENT_NAME_FUNCTIONS:
            return _agent_help(runtime, engine, value)
    return None


def _name_at(code: str, pos: int) -> str:
    # a name is short: looking further would only make the regex slow on long cells
    left = _NAME_CHARS.search(code[max(0, pos - _NAME_WINDOW) : pos])
    right = _IDENT_TAIL.match(code[pos : pos + _NAME_WINDOW])
    text = (left.group() if left else "") + (right.group() if right else "")
    m = _NAME.search(text)
    return m.group() if m else ""


def _callee(code: str, pos: int) -> str:
    """The name before the innermost ``(`` still open at ``pos`` (strings skipped)."""
    quote = ""
    opens: list[int] = []
    for i, ch in enumerate(code[:pos]):
        if quote:
            if ch == quote and code[i - 1] != "\\":
                quote = ""
            continue
        if ch in "\"'`":
            quote = ch
        elif ch == "(":
            opens.append(i)
        elif ch == ")" and opens:
            opens.pop()
    if not opens:
        return ""
    m = _CALLEE.search(code[max(0, opens[-1] - _NAME_WINDOW) : opens[-1]])
    return m.group(1) if m else ""


# -- a name ------------------------------------------------------------------------------


def help_for(
    runtime: Runtime, engine: str, name: str, detail: int = 1, *, names_only: bool = False
) -> Help | None:
    """Help for ``name``: ``Global``, ``Global.function``, ``Global.builder``,
    ``obj:method`` / ``obj.method``; unless ``names_only``, also a tool or an agent named
    ``name``. ``detail`` 1 adds the parameters (and each function of a global). None
    when nothing is called so."""
    name = name.strip()
    globals_ = {g.name: g for g in visible_globals(runtime, engine)}
    owner, sep, member = _split(name)
    if not sep:
        spec = globals_.get(name)
        if spec is not None:
            return _global_help(spec, engine, detail, runtime)
        if names_only:
            return None
        return _tool_help(runtime, name) or _agent_help(runtime, engine, name)
    spec = globals_.get(owner)
    if spec is not None and sep == ".":
        op = _function(spec, member)
        if op is not None:
            return _op_help(op[0], op[1], engine, detail, runtime, owner=spec.name)
        builder = _builder(spec, member)
        if builder is not None:
            return _builder_help(spec, builder[0], builder[1], engine)
    if "." in member or ":" in member:
        return None
    return _method_help(runtime, engine, owner, member, detail)


def _split(name: str) -> tuple[str, str, str]:
    m = re.search(r"[.:]", name)
    if m is None:
        return name, "", ""
    return name[: m.start()], m.group(), name[m.end() :]


def _spell(name: str, engine: str) -> str:
    from llmspell.ops import camel

    return camel(name) if engine == "js" else name


def _function(spec: GlobalSpec, member: str) -> tuple[str, Op] | None:
    """The op ``member`` names (either spelling, or an alias) and the name it goes by."""
    from llmspell.ops import camel

    if member in spec.functions:
        return member, spec.functions[member]
    for key, op in spec.functions.items():
        if camel(key) == member:
            return key, op
    target = spec.aliases.get(member)
    if target is not None and target in spec.functions:
        return target, spec.functions[target]
    return None


def _builder(spec: GlobalSpec, member: str) -> tuple[str, BuilderSpec] | None:
    from llmspell.ops import camel

    for key, builder in spec.builders.items():
        if member in (key, camel(key)):
            return key, builder
    return None


# -- pages ----------------------------------------------------------------------------


def _doc(text: str, engine: str, runtime: Runtime) -> str:
    """A docstring as one paragraph per blank-line block, ````x```` as ```x```, names
    of globals' functions (and ``nil``) in the engine's spelling."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    out = "\n\n".join(p for p in paragraphs if p)
    out = _DOC_CODE.sub(lambda m: f"`{m.group(1)}`", out)
    if engine == "js":
        known = {g.name for g in runtime.globals.all()}
        known |= {ot.name for g in runtime.globals.all() for ot in g.object_types}

        def respell(m: re.Match[str]) -> str:
            if m.group(1) not in known:
                return m.group()
            return f"{m.group(1)}.{_spell(m.group(3), engine)}"

        out = _DOC_NAME.sub(respell, out)
        out = re.sub(r"\bnil\b", "null", out)
    return out


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    return re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0]


def _params(op: Op) -> list[Any]:
    return [p for p in op.params if not (p.name == "self" and p.type == "handle")]


def _signature(call: str, op: Op, engine: str) -> str:
    args = [p.name + ("?" if p.optional else "") for p in _params(op)]
    if op.variadic:
        args.append("...")
    text = f"{call}({', '.join(args)})"
    return f"await {text}" if engine == "js" else text


def _param_lines(page: _Page, op: Op, engine: str, runtime: Runtime) -> None:
    params = _params(op)
    if not params:
        return
    page.heading("Parameters")
    for p in params:
        kind = p.of_name or p.type
        facts = [kind, "optional" if p.optional else "required"]
        if p.default is not None:
            facts.append("default " + json.dumps(p.default, default=str))
        text = ", ".join(facts) + (f" — {_doc(p.doc, engine, runtime)}" if p.doc else "")
        page.item(p.name, text)


def _returns(engine: str) -> str:
    return "Returns a Promise: `await` it." if engine == "js" else ""


def _op_help(
    key: str, op: Op, engine: str, detail: int, runtime: Runtime, *, owner: str
) -> Help:
    page = _Page()
    call = f"{owner}.{_spell(key, engine)}"
    page.code(_signature(call, op, engine))
    page.para(_doc(op.doc, engine, runtime) or "(no description)")
    if detail:
        _param_lines(page, op, engine, runtime)
        returns = _returns(engine)
        if returns:
            page.blank()
            page.para(returns)
    return page.help(call)


def _global_help(spec: GlobalSpec, engine: str, detail: int, runtime: Runtime) -> Help:
    page = _Page()
    page.code(spec.name)
    page.para(_doc(spec.doc, engine, runtime) or "(no description)")
    if spec.value is not None:
        return page.help(spec.name)
    if spec.functions:
        page.heading("Functions")
        for key, op in sorted(spec.functions.items()):
            call = f"{spec.name}.{_spell(key, engine)}"
            if detail:
                text = _first_sentence(_doc(op.doc, engine, runtime))
                page.item(_signature(call, op, engine), text)
            else:
                page.item(call)
    if spec.builders:
        page.heading("Builders")
        for key in sorted(spec.builders):
            page.item(f"{spec.name}.{_spell(key, engine)}()")
    for ot in spec.object_types:
        page.heading(f"{ot.name} objects")
        sep = ":" if engine == "lua" else "."
        for mname in sorted(_method_names(ot, engine)):
            page.item(f"{_receiver(ot)}{sep}{mname}")
    if spec.aliases and engine == "lua":
        page.heading("Aliases")
        for alias, target in sorted(spec.aliases.items()):
            page.item(f"{spec.name}.{alias}", f"= {spec.name}.{target}")
    return page.help(spec.name)


def _builder_help(spec: GlobalSpec, key: str, builder: BuilderSpec, engine: str) -> Help:
    page = _Page()
    sep = ":" if engine == "lua" else "."
    start = f"{spec.name}.{_spell(key, engine)}()"
    example = f"{start}{sep}name(...){sep}build()"
    page.code(f"await {example}" if engine == "js" else example)
    page.para(
        "A builder: each setter records one field and returns the builder; "
        f"{sep}build() makes the {spec.name.lower()} with them (one request)."
    )
    page.heading("Setters")
    for setter, field in sorted(builder.setters.items()):
        shown = _spell(setter, engine)
        page.item(f"{sep}{shown}(value)", "" if field == setter else f"sets {field}")
    for setter, field in sorted(builder.appenders.items()):
        page.item(f"{sep}{_spell(setter, engine)}(value)", f"appends to {field}")
    for setter, (field, value) in sorted(builder.presets.items()):
        page.item(f"{sep}{_spell(setter, engine)}()", f"{field} = {json.dumps(value)}")
    return page.help(start)


def _receiver(ot: ObjectType) -> str:
    return ot.name[:1].lower() + ot.name[1:]


def _method_names(ot: ObjectType, engine: str) -> set[str]:
    return {_spell(name, engine) for name in ot.methods}


def _method_help(
    runtime: Runtime, engine: str, owner: str, member: str, detail: int
) -> Help | None:
    """``member`` as a method of host objects: every object type that has it, the one
    whose name the receiver spells first (``agent:execute`` → Agent)."""
    from llmspell.ops import camel

    matches: list[tuple[ObjectType, str, Op]] = []
    for g in visible_globals(runtime, engine):
        for ot in g.object_types:
            for key, op in ot.methods.items():
                if member in (key, camel(key)) and not any(ot is m[0] for m in matches):
                    matches.append((ot, key, op))
    if not matches:
        return None
    wanted = owner.lower().replace("_", "")
    matches.sort(key=lambda m: (m[0].name.lower() not in wanted, m[0].name))
    page = _Page()
    sep = ":" if engine == "lua" else "."
    for i, (ot, key, op) in enumerate(matches):
        if i:
            page.blank()
        call = f"{_receiver(ot)}{sep}{_spell(key, engine)}"
        page.code(_signature(call, op, engine))
        page.para(f"A method of {ot.name} objects. " + (_doc(op.doc, engine, runtime) or ""))
        if detail:
            _param_lines(page, op, engine, runtime)
    ot, key, _ = matches[0]
    return page.help(f"{ot.name}{sep}{_spell(key, engine)}")


def _tool_help(runtime: Runtime, name: str) -> Help | None:
    """What ``llmspell tool info NAME`` prints."""
    from llmspell.errors import NotFoundError
    from llmspell_cli.tool_cmd import info_lines, tool_details

    if not name:
        return None
    try:
        tool = runtime.tools.get(name)
    except NotFoundError:
        return None
    text = "\n".join(info_lines(tool_details(tool))) + "\n"
    return Help(name, text, "```\n" + text + "```\n")


def _agent_help(runtime: Runtime, engine: str, name: str) -> Help | None:
    """A live agent of this session, and/or its ``[agents.NAME]`` configuration (secrets
    redacted)."""
    if not name:
        return None
    page = _Page()
    agent = runtime.agents.get(name)
    configured = runtime.settings.redacted().get("agents", {}).get(name)
    if agent is None and configured is None:
        return None
    if agent is not None:
        info = agent.info()
        page.code(f"agent {name}")
        page.para(", ".join(f"{k}: {v}" for k, v in info.items() if k != "name" and v))
    if configured is not None:
        page.heading(f"[agents.{name}] in the configuration")
        page.code(*json.dumps(configured, indent=2, sort_keys=True, default=str).splitlines())
    return page.help(name)


def help_text(runtime: Runtime, engine: str, name: str) -> str:
    """``.help NAME``: the plain help for ``name`` (with parameters); a NotFoundError
    naming what has help when nothing is called so."""
    from llmspell.errors import NotFoundError

    found = help_for(runtime, engine, name, 1)
    if found is None:
        globals_ = sorted(g.name for g in visible_globals(runtime, engine))
        raise NotFoundError(
            f"no help for {name!r}",
            hint="give a global (" + ", ".join(globals_) + "), Global.function, "
            "object:method, a tool name or an agent name",
        )
    return found.text
