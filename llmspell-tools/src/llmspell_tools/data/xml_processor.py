"""xml-processor: parse, XPath query, validate and convert XML — parsed safely.

Every document goes through defusedxml first (DTD entity declarations and external
references are refused: billion-laughs, XXE), then lxml with ``resolve_entities=False``,
``no_network=True``, ``load_dtd=False`` and ``huge_tree=False`` for XPath and schemas.
"""

from __future__ import annotations

import json
from typing import Any

from llmspell.errors import SecurityError
from llmspell.tools import Tool, ToolFailure
from llmspell_tools._support import check, dispatch, fail, limit, output, over_limit
from llmspell_tools.data._values import check_text

MAX_XPATH = 2_000
MAX_MATCHES = 10_000
#: the default cap on an XPath's estimated node visits (``[tools.xml-processor] max_xpath_work``)
MAX_XPATH_WORK = 100_000_000
#: the default cap on the serialized matches (``[tools.xml-processor] max_output_chars``)
MAX_OUTPUT_CHARS = 16 * 1024 * 1024
_WIDE = ("/", "ancestor", "descendant", "preceding", "following", "id(")


def _xpath_nesting(xpath: str) -> int:
    """How deeply predicates that walk the document (an absolute path, ``//``, or a
    wide axis) are nested in ``xpath``: each such level multiplies libxml2's work by the
    node count, and libxml2 cannot be interrupted."""
    depth = 0
    stack: list[int] = []  # start offsets of open predicates
    quote = ""
    bare = []  # the expression with string literals blanked
    for ch in xpath:
        if quote:
            quote = "" if ch == quote else quote
            bare.append(" ")
        else:
            quote = ch if ch in "'\"" else ""
            bare.append(" " if quote else ch)
    code = "".join(bare)
    for i, ch in enumerate(code):
        if ch == "[":
            stack.append(i)
        elif ch == "]" and stack:
            start = stack.pop()
            if any(w in code[start:i] for w in _WIDE):
                depth = max(depth, len(stack) + 1)
    return depth


def _bound_xpath(ctx: Any, xpath: str, root: Any) -> None:
    """Refuse an XPath whose nested document-wide predicates would take too long."""
    nodes = sum(1 for _ in root.iter()) + 1
    nesting = _xpath_nesting(xpath)
    work = nodes ** (nesting + 1)
    cap = limit(ctx, "xml-processor", "max_xpath_work", MAX_XPATH_WORK)
    if work > cap:
        over_limit(
            f"the XPath's estimated work ({nodes} nodes ** {nesting + 1}: predicates that "
            f"search the whole document, nested {nesting} deep)",
            cap,
            setting="[tools.xml-processor] max_xpath_work",
        )


def _check_safe(text: str, name: str) -> None:
    """Refuse entity declarations, external references and malformed XML (defusedxml)."""
    import defusedxml
    from defusedxml import ElementTree as SafeET

    try:
        SafeET.fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as exc:
        raise SecurityError(f"'{name}' was refused: it has a DTD ({exc})") from None
    except defusedxml.EntitiesForbidden as exc:
        raise SecurityError(
            f"'{name}' was refused: it declares entities ({exc}); entity expansion "
            "(billion laughs) and external entities (XXE) are not allowed"
        ) from None
    except defusedxml.ExternalReferenceForbidden as exc:
        raise SecurityError(
            f"'{name}' was refused: it references an external resource ({exc})"
        ) from None
    except SafeET.ParseError as exc:
        fail(f"'{name}' is not well-formed XML: {exc}", kind="ParseError")


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_blank_text=False,
    )


def _parse(text: str, name: str = "input") -> Any:
    from lxml import etree

    check_text(text, name)
    _check_safe(text, name)
    try:
        return etree.fromstring(text.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        fail(f"'{name}' is not well-formed XML: {exc}", kind="ParseError")


def _strip_ns(tag: Any) -> str:
    name = str(tag)
    return name.split("}", 1)[1] if name.startswith("{") else name


def _to_dict(element: Any, keep_ns: bool) -> Any:
    """Element → JSON: attributes as '@name', text as '#text' (or the bare string when the
    element has nothing else), repeated children as arrays."""
    name = str if keep_ns else _strip_ns
    result: dict[str, Any] = {f"@{name(k)}": v for k, v in element.attrib.items()}
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        key, value = name(child.tag), _to_dict(child, keep_ns)
        if key in result:
            if not isinstance(result[key], list):
                result[key] = [result[key]]
            result[key].append(value)
        else:
            result[key] = value
    text = (element.text or "").strip()
    if text:
        if not result:
            return text
        result["#text"] = text
    return result or None


def _describe(item: Any) -> Any:
    from lxml import etree

    if isinstance(item, etree._Element):
        if not isinstance(item.tag, str):
            return {"type": "comment", "text": item.text}
        return {
            "type": "element",
            "tag": _strip_ns(item.tag),
            "text": (item.text or "").strip(),
            "attributes": dict(item.attrib),
            "xml": etree.tostring(item, encoding="unicode", with_tail=False),
        }
    if isinstance(item, bool | float | int):
        return item
    return str(item)  # attribute values and text nodes (smart strings)


def _parse_op(params: dict[str, Any]) -> Any:
    root = _parse(params["input"])
    count = sum(1 for e in root.iter() if isinstance(e.tag, str))
    children = sorted({_strip_ns(c.tag) for c in root if isinstance(c.tag, str)})
    result = {
        "root": _strip_ns(root.tag),
        "namespace": root.nsmap.get(root.prefix),
        "attributes": dict(root.attrib),
        "element_count": count,
        "children": children,
        "data": {_strip_ns(root.tag): _to_dict(root, False)},
    }
    return output(result, text=f"<{result['root']}> with {count} elements")


def _query(params: dict[str, Any], ctx: Any = None) -> Any:
    from lxml import etree

    xpath = params.get("xpath") or params.get("query")
    if not isinstance(xpath, str) or not xpath.strip():
        fail(
            "'xpath' (an XPath expression such as '//item/@id') is required", kind="ValidationError"
        )
    check_text(xpath, "xpath", MAX_XPATH)
    root = _parse(params["input"])
    namespaces = params.get("namespaces") or None
    _bound_xpath(ctx, xpath, root)
    try:
        found = root.xpath(xpath, namespaces=namespaces)
    except etree.XPathError as exc:
        fail(f"invalid XPath {xpath!r}: {exc}", kind="ValidationError")
    items = found if isinstance(found, list) else [found]
    if len(items) > MAX_MATCHES:
        fail(f"the XPath matched more than {MAX_MATCHES} nodes")
    cap = limit(ctx, "xml-processor", "max_output_chars", MAX_OUTPUT_CHARS)
    matches, size = [], 0
    for item in items:
        check()
        match = _describe(item)
        size += len(match["xml"]) if isinstance(match, dict) and "xml" in match else 1
        if size > cap:
            over_limit(
                "the serialized matches", f"{cap} characters",
                setting="[tools.xml-processor] max_output_chars",
            )  # fmt: skip
        matches.append(match)
    texts = [m["text"] if isinstance(m, dict) else str(m) for m in matches]
    return output(
        {"matches": matches, "count": len(matches), "result": matches},
        text="\n".join(t or "" for t in texts),
    )


def _validate(params: dict[str, Any]) -> Any:
    from lxml import etree

    text = params["input"]
    check_text(text)
    try:
        root = _parse(text)
    except ToolFailure as exc:  # malformed: that is the validation result
        return output({"valid": False, "well_formed": False, "errors": [str(exc)]}, text="invalid")
    schema_text = params.get("schema")
    if not schema_text:
        return output({"valid": True, "well_formed": True, "errors": []}, text="valid")
    schema_root = _parse(schema_text, "schema")
    xs = "{http://www.w3.org/2001/XMLSchema}"
    for tag in ("include", "import", "redefine", "override"):
        if schema_root.find(f".//{xs}{tag}") is not None:
            raise SecurityError(
                f"'schema' uses xs:{tag}; schemas that load other documents are refused"
            )
    try:
        schema = etree.XMLSchema(schema_root)
    except etree.XMLSchemaParseError as exc:
        fail(f"'schema' is not a valid XML Schema: {exc}", kind="ValidationError")
    valid = schema.validate(root)
    errors = [f"line {e.line}: {e.message}" for e in schema.error_log][:1000]
    return output(
        {"valid": bool(valid), "well_formed": True, "errors": errors},
        text="valid" if valid else f"invalid: {errors[0] if errors else ''}",
    )


def _to_json(params: dict[str, Any]) -> Any:
    root = _parse(params["input"])
    keep = bool(params.get("keep_namespaces"))
    data = {(str(root.tag) if keep else _strip_ns(root.tag)): _to_dict(root, keep)}
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return output({"result": data, "json": text}, text=text)


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Parse, query, validate or convert the XML in ``input``."""

    def query(p: dict[str, Any]) -> Any:
        return _query(p, ctx)

    ops = {"parse": _parse_op, "query": query, "validate": _validate, "to_json": _to_json}
    return dispatch(params, ops, params, default="parse")


TOOL = Tool(
    name="xml-processor",
    description="Process XML text: 'parse' (root, element count, data), 'query' (XPath, e.g. "
    "'//book[@lang=\"en\"]/title' or '//item/@id'; result.matches), 'validate' "
    "(well-formedness, or an XML Schema given as text in 'schema') and 'to_json' "
    "(attributes as '@name', text as '#text', repeated elements as arrays). DTD entities "
    "and external references are refused for safety.",
    category="data",
    handler=run,
    timeout_seconds=15,
    settings={
        "max_xpath_work": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_XPATH_WORK,
            "description": "the most estimated node visits of one XPath",
        },
        "max_output_chars": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_OUTPUT_CHARS,
            "description": "the longest serialized matches, in characters",
        },
    },
    tags=("xml", "xpath", "xsd"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["parse", "query", "validate", "to_json"],
                "default": "parse",
            },
            "input": {"type": "string", "description": "the XML document text"},
            "xpath": {"type": "string", "description": "an XPath 1.0 expression (query)"},
            "namespaces": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "prefix → namespace URI for the XPath",
            },
            "schema": {"type": "string", "description": "an XML Schema (XSD) text (validate)"},
            "keep_namespaces": {"type": "boolean", "default": False},
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
