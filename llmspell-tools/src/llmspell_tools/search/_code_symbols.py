"""Symbols of a source file by its tree-sitter grammar: functions, classes, methods, types.

One table per language says which syntax nodes are symbols and of what kind; a walk of
the syntax tree collects them with their line and signature (the declaration up to its
body). tree-sitter and the grammars are the ``llmspell-tools[code]`` extra, imported
when the first file is parsed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from llmspell.extras import require

__all__ = ["LANGUAGES", "Symbol", "language_of", "parse_symbols"]

#: file extension -> language
LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".rs": "rust",
    ".go": "go",
    ".lua": "lua",
}

#: language -> (grammar module, function returning the language pointer)
_GRAMMARS = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "rust": ("tree_sitter_rust", "language"),
    "go": ("tree_sitter_go", "language"),
    "lua": ("tree_sitter_lua", "language"),
}

_JS = {
    "function_declaration": "function",
    "generator_function_declaration": "function",
    "class_declaration": "class",
    "method_definition": "method",
}
_TS = {
    **_JS,
    "abstract_class_declaration": "class",
    "interface_declaration": "interface",
    "type_alias_declaration": "type",
    "enum_declaration": "enum",
    "method_signature": "method",
    "abstract_method_signature": "method",
    "function_signature": "function",
    "internal_module": "module",
}
#: language -> syntax node type -> symbol kind
_KINDS: dict[str, dict[str, str]] = {
    "python": {"function_definition": "function", "class_definition": "class"},
    "javascript": _JS,
    "typescript": _TS,
    "tsx": _TS,
    "rust": {
        "function_item": "function",
        "function_signature_item": "function",
        "struct_item": "struct",
        "enum_item": "enum",
        "trait_item": "trait",
        "impl_item": "impl",
        "mod_item": "module",
        "macro_definition": "macro",
        "type_item": "type",
    },
    "go": {
        "function_declaration": "function",
        "method_declaration": "method",
        "type_spec": "type",
        "method_elem": "method",
    },
    "lua": {"function_declaration": "function"},
}
#: nodes whose functions are methods
_CLASS_LIKE = {
    "class_definition", "class_declaration", "abstract_class_declaration", "class_body",
    "impl_item", "trait_item", "interface_declaration", "type_spec",
}  # fmt: skip
#: function values that make ``name = <value>`` a function symbol (JS/TS/Lua)
_FUNCTION_VALUES = {"arrow_function", "function_expression", "function", "function_definition"}
#: the longest signature kept (characters)
MAX_SIGNATURE = 240
#: deeper syntax trees are not walked further (pathological nesting)
MAX_DEPTH = 200

_parsers: dict[str, Any] = {}


@dataclass
class Symbol:
    """One symbol: its name, kind, 1-based line, signature and the lines it spans."""

    name: str
    kind: str
    line: int
    end_line: int
    signature: str
    parent: str | None = None

    def as_dict(self, file: str) -> dict[str, Any]:
        """The JSON shape of a result: file, line, kind, name, signature (and parent)."""
        out: dict[str, Any] = {
            "file": file,
            "line": self.line,
            "end_line": self.end_line,
            "kind": self.kind,
            "name": self.name,
            "signature": self.signature,
        }
        if self.parent:
            out["parent"] = self.parent
        return out


def language_of(path: str) -> str | None:
    """The language of a file by its extension, None when no grammar reads it."""
    return LANGUAGES.get(os.path.splitext(path)[1].lower())


def _parser(language: str) -> Any:
    parser = _parsers.get(language)
    if parser is None:
        ts = require("tree_sitter", dist="llmspell-tools", extra="code", what="code-search")
        module, func = _GRAMMARS[language]
        grammar = require(module, dist="llmspell-tools", extra="code", what="code-search")
        parser = ts.Parser(ts.Language(getattr(grammar, func)()))
        _parsers[language] = parser
    return parser


def _text(source: bytes, node: Any) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def _signature(source: bytes, node: Any, body_of: Any = None) -> str:
    """The declaration without its body, on one line: ``def f(a, b) -> int`` (the body
    of ``body_of`` when the function is a value assigned in ``node``)."""
    holder = body_of if body_of is not None else node
    body = holder.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    if body is None:
        parts = [holder.child_by_field_name(f) for f in ("parameters", "return_type", "result")]
        ends = [p.end_byte for p in parts if p is not None]
        end = max(ends) if ends else end
    text = source[node.start_byte : end].decode("utf-8", errors="replace")
    if body is None and not ends:
        text = text.split("\n", 1)[0]
    text = " ".join(text.split()).rstrip(" {:=")
    if len(text) > MAX_SIGNATURE:
        text = text[: MAX_SIGNATURE - 1] + "…"
    return text


def _name(source: bytes, node: Any, language: str) -> str | None:
    if node.type == "impl_item":  # impl Trait for Type / impl Type
        typ = node.child_by_field_name("type")
        trait = node.child_by_field_name("trait")
        if typ is None:
            return None
        return f"{_text(source, trait)} for {_text(source, typ)}" if trait else _text(source, typ)
    name = node.child_by_field_name("name")
    if name is None:
        return None
    return _text(source, name)


def _assigned_function(source: bytes, node: Any) -> tuple[str, Any] | None:
    """``const f = () => ...`` / ``M.f = function() end``: the name and the value node."""
    if node.type == "variable_declarator":
        value = node.child_by_field_name("value")
        name = node.child_by_field_name("name")
        if value is not None and name is not None and value.type in _FUNCTION_VALUES:
            return _text(source, name), value
    elif node.type == "assignment_statement":  # Lua
        names = [c for c in node.children if c.type == "variable_list"]
        values = [c for c in node.children if c.type == "expression_list"]
        if names and values:
            targets = names[0].named_children
            exprs = values[0].named_children
            if len(targets) == 1 and len(exprs) == 1 and exprs[0].type in _FUNCTION_VALUES:
                return _text(source, targets[0]), exprs[0]
    return None


def parse_symbols(source: bytes, language: str) -> list[Symbol]:
    """Every symbol of ``source`` in ``language``, in source order."""
    tree = _parser(language).parse(source)
    kinds = _KINDS[language]
    out: list[Symbol] = []

    def visit(node: Any, parent: str | None, in_class: bool, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        for child in node.named_children:
            kind = kinds.get(child.type)
            name = _name(source, child, language) if kind else None
            if kind and name:
                if kind == "function" and in_class:
                    kind = "method"
                if language == "lua" and kind == "function" and (":" in name):
                    kind = "method"
                signature = _signature(source, child)
                if language == "go" and child.type == "type_spec":
                    typ = child.child_by_field_name("type")
                    if typ is not None and typ.type in ("struct_type", "interface_type"):
                        kind = typ.type.removesuffix("_type")
                    signature = f"type {name} {kind if kind != 'type' else signature}"
                out.append(
                    Symbol(name, kind, child.start_point[0] + 1, child.end_point[0] + 1,
                           signature, parent)
                )
                classy = child.type in _CLASS_LIKE
                visit(child, name if classy else parent, classy, depth + 1)
                continue
            assigned = _assigned_function(source, child)
            if assigned is not None:
                fname, value = assigned
                out.append(
                    Symbol(fname, "method" if in_class else "function",
                           child.start_point[0] + 1, child.end_point[0] + 1,
                           _signature(source, child, value) or fname, parent)
                )
                visit(value, parent, False, depth + 1)
                continue
            visit(child, parent, in_class, depth + 1)

    visit(tree.root_node, None, False, 0)
    return out
