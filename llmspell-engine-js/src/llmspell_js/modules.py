"""``import`` of relative JavaScript modules inside the allowed paths.

The QuickJS binding names every module ``<input>`` and has no module loader, so the
host links a spell's modules itself, before the spell runs:

1. It finds the top-level ``import``/``export`` statements of the spell and of every
   module it imports (:mod:`llmspell_js.jslex`), reads each imported file through the
   file policy (``[security] allowed_paths``, ``max_input_bytes``; a denial names the
   specifier as written), and refuses what it cannot honour with a clear error: a bare
   specifier (``"lodash"``), a missing file, a name a module does not export, a cycle.
2. Each imported module is evaluated as a real module (strict, top-level ``await``
   allowed) whose first line registers its namespace (getters over its own bindings)
   in a small registry; each ``import`` becomes, on the importer's first line,
   ``const {...} = await __llmspellModules.get(k)``, so a module's imports are
   evaluated before its body, in order, once each.
3. Every module's text is placed on its own range of line numbers (it is preceded by
   blank lines), so an error's line tells the module and its own line
   (:meth:`Linked.locate`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmspell.errors import NotFoundError, SecurityError, ValidationError
from llmspell_js.jslex import LexError, Token, tokenize

if TYPE_CHECKING:
    from llmspell.runtime import RunSession

__all__ = ["REGISTRY_JS", "Linked", "link"]

#: the most modules one spell may import (directly or not)
MAX_MODULES = 256
#: the most blank lines the modules' line ranges may take in all (see Linked.locate)
MAX_PADDING = 32 * 1024 * 1024
#: the registry the linked modules use: defined before the modules are evaluated (not
#: writable, so a module cannot replace it for those that follow) and deleted once they
#: all captured it; it only ever holds the spell's own modules
REGISTRY_JS = r"""
(function __llmspell_modules_init(G) {
  "use strict";
  const create = Object.create, freeze = Object.freeze, defineProperty = Object.defineProperty;
  const PromiseCtor = Promise, then = Promise.prototype.then, ReflectApply = Reflect.apply;
  const entries = create(null);
  // a module's entry: its namespace (define) and a Promise of it, settled once the
  // module's evaluation settles (done); whichever comes first creates it
  function __llmspell_entry(key) {
    let entry = entries[key];
    if (entry === undefined) {
      entry = { ns: undefined, resolve: undefined, ready: undefined };
      entry.ready = new PromiseCtor(function __llmspell_ready(resolve) {
        entry.resolve = resolve;
      });
      entries[key] = entry;
    }
    return entry;
  }
  const registry = freeze({
    define: function __llmspell_define(key, ns) {
      const entry = __llmspell_entry(key);
      if (entry.ns === undefined) entry.ns = freeze(ns);
    },
    done: function __llmspell_module_done(key, evaluation) {
      const entry = __llmspell_entry(key);
      const ns = function __llmspell_ns() { return entry.ns; };
      entry.resolve(ReflectApply(then, evaluation, [ns]));
    },
    get: function __llmspell_get(key) {
      return __llmspell_entry(key).ready;
    },
  });
  // present only while the modules are evaluated (each captures it on its first line)
  defineProperty(G, "__llmspellModules", { value: registry, enumerable: false,
    writable: false, configurable: true });
  return registry.done;
})(globalThis)
"""
_REG = "__llmspellModules"
#: a JavaScript identifier (what a module may bind locally)
_IDENT = re.compile(r"^[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*$")
#: each linked module's first words: its own handle on the registry
_R = "__llmspell_r"
_CAPTURE = f"const {_R} = {_REG}; "
_DEFAULT = "__llmspell_default"


class LinkError(ValidationError):
    """A module cannot be linked (its message names the importer's file and line)."""


@dataclass
class Module:
    """One imported module: its file, the name errors show and its linked text."""

    key: str
    real: Path
    shown: str
    source: str
    exports: set[str] = field(default_factory=set)
    text: str = ""
    first_line: int = 0
    lines: int = 0


@dataclass
class Linked:
    """The linked spell: its own text and its modules in evaluation order."""

    main: str
    modules: list[Module]
    chunk_name: str
    main_lines: int

    def locate(self, line: int | None) -> tuple[str, int | None]:
        """The file and line an ``<input>`` line number belongs to."""
        if line is None or line <= self.main_lines:
            return self.chunk_name, line
        for m in self.modules:
            if m.first_line <= line < m.first_line + m.lines:
                return m.shown, line - m.first_line + 1
        return self.chunk_name, None


# -- statements -----------------------------------------------------------------------------


@dataclass
class Binding:
    """What one import statement binds: the module, a default, a namespace, names."""

    specifier: str
    default: str | None = None
    namespace: str | None = None
    names: list[tuple[str, str]] = field(default_factory=list)  # (exported, local)


@dataclass
class Statement:
    """A top-level import or export statement: its span and what it means."""

    start: int
    end: int
    line: int
    imports: Binding | None = None
    #: exported name -> local binding (None: from the re-exported module ``reexport``)
    exports: dict[str, str | None] = field(default_factory=dict)
    reexport: Binding | None = None
    star: bool = False  # ``export * from``
    #: replace the statement's text with this (None: keep it)
    replace: str | None = None


def _string(tok: Token) -> str:
    import json

    if tok.kind != "str":
        raise ValueError("expected a string")
    body = tok.text[1:-1]
    if tok.text[0] == "'":
        body = body.replace('\\"', '"').replace('"', '\\"').replace("\\'", "'")
    return str(json.loads('"' + body + '"'))


class _Parser:
    """Top-level import/export statements of one module's tokens."""

    def __init__(self, src: str, shown: str, *, imports_only: bool = False) -> None:
        self.src = src
        self.shown = shown
        #: the spell itself: its exports are real (its result), only imports matter
        self.imports_only = imports_only
        try:
            self.toks = tokenize(src)
        except LexError:
            self.toks = []  # QuickJS reports the syntax error itself
        self.i = 0

    def line_of(self, pos: int) -> int:
        return self.src.count("\n", 0, pos) + 1

    def fail(self, tok: Token | None, message: str) -> LinkError:
        pos = tok.start if tok is not None else len(self.src)
        return LinkError(message).at(self.shown, self.line_of(pos))

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise self.fail(None, "unexpected end of module in an import or export")
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.take()
        if tok.text != text:
            raise self.fail(tok, f"expected '{text}' in an import or export, found '{tok.text}'")
        return tok

    def string(self, tok: Token) -> str:
        try:
            return _string(tok)
        except ValueError:
            raise self.fail(
                tok, "unsupported escape in a module path or name (use plain characters)"
            ) from None

    def ident(self) -> str:
        tok = self.take()
        if tok.kind != "id" or not _IDENT.match(tok.text):
            raise self.fail(tok, f"expected a name in an import or export, found '{tok.text}'")
        return tok.text

    def check_idents(self, names: list[str], tok: Token) -> None:
        for name in names:
            if not _IDENT.match(name):
                raise self.fail(tok, f"{name!r} is not a name a module can bind")

    def name(self) -> str:
        tok = self.take()
        if tok.kind == "str":
            return self.string(tok)
        if tok.kind != "id":
            raise self.fail(tok, f"expected a name in an import or export, found '{tok.text}'")
        return tok.text

    def statements(self) -> list[Statement]:
        found: list[Statement] = []
        toks = self.toks
        while self.i < len(toks):
            tok = toks[self.i]
            prev = toks[self.i - 1] if self.i else None
            at_statement = tok.depth == 0 and (prev is None or tok.nl or prev.text in (";", "}"))
            nxt = self.peek(1)
            if at_statement and tok.text == "import" and tok.kind == "id":
                if nxt is not None and nxt.text in ("(", "."):
                    self.i += 1  # import(...) / import.meta: an expression
                    continue
                found.append(self.import_statement())
            elif at_statement and tok.text == "export" and tok.kind == "id":
                if self.imports_only:
                    self.i += 1
                    continue
                found.append(self.export_statement())
            else:
                self.i += 1
        return found

    def _end(self, first: Token) -> Statement:
        last = self.toks[self.i - 1]
        tok = self.peek()
        if tok is not None and tok.text in ("with", "assert") and not tok.nl:
            raise self.fail(tok, "import attributes (with { type: ... }) are not supported")
        if tok is not None and tok.text == ";":
            last = self.take()
        return Statement(first.start, last.end, self.line_of(first.start))

    def specifier(self) -> str:
        tok = self.take()
        if tok.kind != "str":
            raise self.fail(tok, "expected the module's path as a string (from './lib.js')")
        return self.string(tok)

    def clause_names(self) -> list[tuple[str, str]]:
        self.expect("{")
        names: list[tuple[str, str]] = []
        while True:
            tok = self.peek()
            if tok is not None and tok.text == "}":
                self.take()
                return names
            exported = self.name()
            local = exported
            tok = self.peek()
            if tok is not None and tok.text == "as":
                self.take()
                local = self.name()
            names.append((exported, local))
            tok = self.take()
            if tok.text == "}":
                return names
            if tok.text != ",":
                raise self.fail(tok, f"expected ',' or '}}' in an import list, found '{tok.text}'")

    def import_statement(self) -> Statement:
        first = self.take()  # import
        tok = self.peek()
        if tok is not None and tok.kind == "str":
            binding = Binding(self.specifier())
            st = self._end(first)
            st.imports = binding
            return st
        binding = Binding("")
        if tok is not None and tok.kind == "id" and tok.text != "from":
            binding.default = self.ident()
            tok = self.peek()
            if tok is not None and tok.text == ",":
                self.take()
                tok = self.peek()
        if tok is not None and tok.text == "*":
            self.take()
            self.expect("as")
            binding.namespace = self.ident()
        elif tok is not None and tok.text == "{":
            binding.names = self.clause_names()
            self.check_idents([local for _, local in binding.names], tok)
        elif binding.default is None:
            raise self.fail(tok, "expected a name, '*' or '{' after import")
        self.expect("from")
        binding.specifier = self.specifier()
        st = self._end(first)
        st.imports = binding
        return st

    def export_statement(self) -> Statement:
        first = self.take()  # export
        tok = self.take()
        if tok.text == "default":
            return self.export_default(first)
        if tok.text == "*":
            ns = None
            if self.peek() is not None and self.peek().text == "as":  # type: ignore[union-attr]
                self.take()
                ns = self.name()
            self.expect("from")
            binding = Binding(self.specifier(), namespace=ns)
            st = self._end(first)
            st.reexport, st.star, st.replace = binding, ns is None, ""
            if ns is not None:
                st.exports[ns] = None
            return st
        if tok.text == "{":
            self.i -= 1
            names = self.clause_names()
            nxt = self.peek()
            if nxt is not None and nxt.text == "from" and not nxt.nl:
                self.take()
                binding = Binding(self.specifier(), names=names)
                st = self._end(first)
                st.reexport, st.replace = binding, ""
                st.exports = {exported_as: None for _, exported_as in names}
                return st
            self.check_idents([local for local, _ in names], tok)
            st = self._end(first)
            st.exports = {exported_as: local for local, exported_as in names}
            return st
        if tok.text in ("function", "class", "async"):
            self.i -= 1
            name = self.declared_name()
            st = Statement(first.start, first.end, self.line_of(first.start))
            st.exports[name] = name
            return st
        if tok.text in ("const", "let", "var"):
            st = Statement(first.start, first.end, self.line_of(first.start))
            for name in self.declarators():
                st.exports[name] = name
            return st
        raise self.fail(tok, f"unsupported export form 'export {tok.text}'")

    def declared_name(self) -> str:
        tok = self.take()
        if tok.text == "async":
            tok = self.take()
        if tok.text == "function" and self.peek() is not None and self.peek().text == "*":  # type: ignore[union-attr]
            self.take()
        nxt = self.peek()
        if nxt is None or nxt.kind != "id" or nxt.text in ("extends",):
            raise self.fail(nxt, "an exported function or class needs a name")
        return self.take().text

    def declarators(self) -> list[str]:
        names: list[str] = []
        depth0 = self.toks[self.i - 1].depth
        expect_name = True
        while self.i < len(self.toks):
            tok = self.peek()
            assert tok is not None
            if expect_name:
                if tok.text in ("{", "["):
                    raise self.fail(
                        tok, "destructuring in an export (export const { a } = ...) is not "
                        "supported in imported modules: export each name on its own"
                    )  # fmt: skip
                names.append(self.ident())
                expect_name = False
                continue
            if tok.depth == depth0:
                if tok.text == ";":
                    self.take()
                    break
                if tok.text == ",":
                    self.take()
                    expect_name = True
                    continue
                prev = self.toks[self.i - 1]
                ends_value = prev.kind in ("id", "str", "tpl", "num", "regex") or prev.text in (
                    ")", "]", "}",
                )  # fmt: skip
                if tok.nl and ends_value and tok.kind in ("id", "str", "num", "tpl"):
                    break
            self.i += 1
        return names

    def export_default(self, first: Token) -> Statement:
        tok = self.peek()
        nxt = self.peek(1)
        st = Statement(first.start, first.end, self.line_of(first.start))
        named = None
        if tok is not None and tok.text in ("function", "class", "async"):
            j = 1
            if tok.text == "async":
                j = 2
            after = self.peek(j)
            if after is not None and after.text == "*":
                j += 1
                after = self.peek(j)
            if (tok.text != "async" or (nxt is not None and nxt.text == "function")) and (
                after is not None and after.kind == "id" and after.text != "extends"
            ):
                named = after.text
        if named is not None:
            st.exports["default"] = named
            return st
        default_tok = self.toks[self.i - 1]
        st.end = default_tok.end
        st.exports["default"] = _DEFAULT
        st.replace = f"const {_DEFAULT} ="
        return st


# -- linking ----------------------------------------------------------------------------


class _Linker:
    def __init__(self, session: RunSession, chunk_name: str) -> None:
        self.session = session
        self.policy = session.policy
        self.chunk_name = chunk_name
        script = session.script_path
        self.base = (
            (self.policy.cwd / script).resolve().parent if script is not None else self.policy.cwd
        )
        self.shown_base = os.path.dirname(chunk_name) if script is not None else ""
        self.modules: dict[Path, Module] = {}
        self.order: list[Module] = []
        self.total = 0
        #: the namespace variable each import/re-export statement binds (by id)
        self.bound: dict[int, str] = {}
        #: the spell's own file: a module importing it is a cycle
        self.main_real = (self.policy.cwd / script).resolve() if script is not None else None

    def shown(self, real: Path) -> str:
        rel = os.path.relpath(real, self.base)
        return os.path.normpath(os.path.join(self.shown_base, rel)) if self.shown_base else rel

    def resolve(self, spec: str, importer_dir: Path, where: Any) -> Path:
        if not spec.startswith(("./", "../")):
            raise LinkError(
                f"cannot import {spec!r}: only relative modules are supported "
                "(import { x } from './lib.js'), from files inside the allowed paths"
            ).at(*where)
        raw = importer_dir / spec
        candidates = (
            [raw] if raw.suffix in (".js", ".mjs") else [raw, raw.with_name(raw.name + ".js")]
        )
        for cand in candidates:
            try:
                real = self.policy.resolve_path(cand, what="path")
            except SecurityError:
                raise SecurityError(
                    f"import of {spec!r} is denied: it is outside the allowed paths",
                    hint="add the directory to [security] allowed_paths in llmspell.toml",
                ).at(*where) from None
            if _is_file(real):
                return real
        raise NotFoundError(
            f"cannot import {spec!r}: no such module file (the path is relative to the "
            "importing file)"
        ).at(*where)

    def load(self, real: Path, chain: list[Path], where: Any) -> Module:
        if real in chain:
            cycle = " -> ".join(self.shown(p) for p in [*chain[chain.index(real) :], real])
            raise LinkError(
                f"circular import: {cycle} (modules that import each other are not supported; "
                "move what they share into a third module)"
            ).at(*where)
        found = self.modules.get(real)
        if found is not None:
            return found
        if len(self.modules) >= MAX_MODULES:
            raise LinkError(f"a spell may import at most {MAX_MODULES} modules").at(*where)
        shown = self.shown(real)
        try:
            size = real.stat().st_size
        except OSError as exc:
            raise ValidationError(f"cannot read module {shown!r}: {exc.strerror}").at(
                *where
            ) from None
        self.policy.check_size(size, what=f"module {shown!r}")
        self.total += size
        self.session.check_host_bytes(self.total * 4, "the spell's modules")
        try:
            source = real.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"module {shown!r} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
            ).at(*where) from None
        except OSError as exc:
            raise ValidationError(f"cannot read module {shown!r}: {exc.strerror}").at(
                *where
            ) from None
        if source.startswith("#!"):
            source = "//" + source
        module = Module(key=f"m{len(self.modules) + 1}", real=real, shown=shown, source=source)
        self.modules[real] = module
        parser = _Parser(source, shown)
        statements = parser.statements()
        prefix = self.imports(statements, real.parent, [*chain, real], shown)
        names: dict[str, str] = {}
        for st in statements:
            for exported, local in st.exports.items():
                if local is not None:
                    names[exported] = local
        getters = [f"get {_prop(k)}() {{ return {v}; }}" for k, v in names.items()]
        for st in statements:
            if st.reexport is None:
                continue
            target = self.modules[
                self.resolve(st.reexport.specifier, real.parent, (shown, st.line))
            ]
            ns = self.bound[id(st)]
            if st.star:
                for name in sorted(target.exports - {"default"} - set(names)):
                    getters.append(f"get {_prop(name)}() {{ return {ns}[{_js(name)}]; }}")
                    names[name] = ""
            elif st.reexport.namespace is not None:
                getters.append(f"get {_prop(st.reexport.namespace)}() {{ return {ns}; }}")
                names[st.reexport.namespace] = ""
            else:
                for local, exported_as in st.reexport.names:
                    self.check_export(target, local, (shown, st.line))
                    getters.append(f"get {_prop(exported_as)}() {{ return {ns}[{_js(local)}]; }}")
                    names[exported_as] = ""
        module.exports = set(names)
        define = f"{_CAPTURE}{_R}.define({_js(module.key)}, {{ {', '.join(getters)} }}); "
        module.text = define + prefix + _rewrite(source, statements)
        module.lines = module.text.count("\n") + 1
        self.order.append(module)
        return module

    def imports(
        self, statements: list[Statement], folder: Path, chain: list[Path], shown: str
    ) -> str:
        """The importer's first-line prefix binding what its import statements name."""
        parts: list[str] = []
        gets: list[str] = []
        for st in statements:
            binding = st.imports or st.reexport
            if binding is None:
                continue
            where = (shown, st.line)
            real = self.resolve(binding.specifier, folder, where)
            target = self.load(real, chain, where)
            n = len(self.bound) + 1
            var = f"__llmspell_ns{n}"
            self.bound[id(st)] = var
            # every get() runs before the first await, while the registry is reachable
            gets.append(f"__llmspell_p{n} = {_R}.get({_js(target.key)})")
            parts.append(f"const {var} = await __llmspell_p{n};")
            if st.imports is None:
                continue
            if binding.default is not None:
                self.check_export(target, "default", where)
                parts.append(f"const {binding.default} = {var}.default;")
            if binding.namespace is not None:
                parts.append(f"const {binding.namespace} = {var};")
            if binding.names:
                for exported, _ in binding.names:
                    self.check_export(target, exported, where)
                pairs = ", ".join(f"{_js(e)}: {local}" for e, local in binding.names)
                parts.append(f"const {{ {pairs} }} = {var};")
        if not gets:
            return ""
        return f"const {', '.join(gets)}; " + " ".join(parts) + " "

    def check_export(self, target: Module, name: str, where: Any) -> None:
        if name not in target.exports:
            listed = ", ".join(sorted(target.exports)) or "nothing"
            raise LinkError(
                f"module {target.shown!r} does not export {name!r} (it exports {listed})"
            ).at(*where)


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (False for a name the system refuses)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _js(text: str) -> str:
    import json

    return json.dumps(text)


def _prop(name: str) -> str:
    return name if name.isidentifier() else _js(name)


def _rewrite(source: str, statements: list[Statement]) -> str:
    """``source`` with import statements (and re-exports) blanked, line breaks kept, and
    ``export default <expression>`` made a binding."""
    out: list[str] = []
    pos = 0
    for st in statements:
        if st.imports is None and st.replace is None:
            continue
        out.append(source[pos : st.start])
        gone = source[st.start : st.end]
        replacement = st.replace if st.replace is not None else ""
        out.append(replacement + "".join(c for c in gone if c == "\n"))
        pos = st.end
    out.append(source[pos:])
    return "".join(out)


def link(session: RunSession, source: str, chunk_name: str) -> Linked | None:
    """Link the spell ``source`` (run as a module): None when it imports nothing, else
    its text and its modules' (see the module docstring). Raises LinkError,
    SecurityError or NotFoundError naming the importing file and line."""
    parser = _Parser(source, chunk_name, imports_only=True)
    statements = [st for st in parser.statements() if st.imports is not None]
    if not statements:
        return None
    linker = _Linker(session, chunk_name)
    chain = [linker.main_real] if linker.main_real is not None else []
    prefix = linker.imports(statements, linker.base, chain, chunk_name)
    main = _CAPTURE + prefix + _rewrite(source, statements)
    main_lines = main.count("\n") + 1
    line = main_lines + 1
    padding = 0
    for module in linker.order:
        padding += line - 1
        line += module.lines
    if padding > MAX_PADDING:
        raise LinkError(
            f"the spell and its {len(linker.order)} modules have too many lines to link "
            f"({line - 1}); each module is placed after the lines of those before it, and "
            f"that may take at most {MAX_PADDING} blank lines in all: import fewer or "
            "smaller modules"
        ).at(chunk_name, None)
    session.check_host_bytes(padding + linker.total, "the spell's linked modules")
    line = main_lines + 1
    for module in linker.order:
        module.first_line = line
        module.text = "\n" * (line - 1) + module.text
        line += module.lines
    return Linked(main, linker.order, chunk_name, main_lines)
