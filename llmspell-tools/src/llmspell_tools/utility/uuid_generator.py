"""uuid-generator: UUIDs v1/v4/v5/v7 in several formats, component ids, validation."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output

#: namespaces for deterministic ids (fixed: the same name always gives the same id)
NAMESPACES = {
    "agent": uuid.uuid5(uuid.NAMESPACE_DNS, "agent.llmspell"),
    "tool": uuid.uuid5(uuid.NAMESPACE_DNS, "tool.llmspell"),
    "workflow": uuid.uuid5(uuid.NAMESPACE_DNS, "workflow.llmspell"),
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}

_V7_LOCK = threading.Lock()
_V7_LAST = [0, 0]  # last unix ms, last 12-bit counter


def uuid7() -> uuid.UUID:
    """A version 7 UUID (RFC 9562 §5.7): 48-bit Unix milliseconds, version, 12-bit
    ``rand_a`` used as a counter seeded randomly each millisecond (§6.2 method 1, so ids
    made in one process sort in creation order), variant, 62 random bits."""
    with _V7_LOCK:
        ms = time.time_ns() // 1_000_000
        if ms > _V7_LAST[0]:
            counter = secrets.randbits(11)  # leave headroom to count up within the ms
        else:
            ms = _V7_LAST[0]
            counter = _V7_LAST[1] + 1
            if counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                ms += 1
                counter = secrets.randbits(11)
        _V7_LAST[0], _V7_LAST[1] = ms, counter
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= secrets.randbits(62)
    return uuid.UUID(int=value)


def _fmt(value: uuid.UUID, fmt: str) -> str:
    if fmt == "simple":
        return value.hex
    if fmt == "urn":
        return value.urn
    if fmt == "braced":
        return "{" + str(value) + "}"
    return str(value)


def _namespace(name: str | None, default: str) -> uuid.UUID:
    key = name or default
    if key in NAMESPACES:
        return NAMESPACES[key]
    try:
        return uuid.UUID(key)
    except ValueError:
        fail(
            f"namespace {key!r} is neither a UUID nor one of {', '.join(NAMESPACES)}",
            kind="ValidationError",
        )


def _generate(params: dict[str, Any]) -> Any:
    version = "v" + params.get("version", "v4").removeprefix("v")
    if version == "v1":
        # a random node (multicast bit set, RFC 9562 §6.10) instead of the MAC address
        value = uuid.uuid1(node=secrets.randbits(48) | (1 << 40))
    elif version == "v5":
        if not params.get("name"):
            fail("version v5 needs 'name' (and optionally 'namespace')", kind="ValidationError")
        value = uuid.uuid5(_namespace(params.get("namespace"), "dns"), params["name"])
    elif version == "v7":
        value = uuid7()
    else:
        value = uuid.uuid4()
    fmt = params.get("format", "hyphenated")
    fmt = "hyphenated" if fmt == "standard" else fmt
    text = _fmt(value, fmt)
    return output({"uuid": text, "version": version, "format": fmt}, text=text)


def _component_id(params: dict[str, Any]) -> Any:
    prefix = params.get("prefix", "component")
    short = bool(params.get("short", False))
    body = uuid.uuid4().hex[:8] if short else uuid.uuid4().hex
    ident = f"{prefix}_{body}" if prefix else body
    return output({"id": ident, "prefix": prefix, "short": short}, text=ident)


def _deterministic(params: dict[str, Any]) -> Any:
    name = params.get("name")
    if not name:
        fail("operation 'deterministic' needs 'name'", kind="ValidationError")
    namespace = params.get("namespace") or "agent"
    value = uuid.uuid5(_namespace(namespace, "agent"), name)
    text = _fmt(value, params.get("format", "hyphenated"))
    return output({"id": text, "uuid": text, "namespace": namespace, "name": name}, text=text)


def _custom(params: dict[str, Any]) -> Any:
    short = bool(params.get("short", False))
    stamp = bool(params.get("timestamp", False))
    parts: list[str] = []
    if params.get("prefix"):
        parts.append(params["prefix"])
    if stamp:
        parts.append(str(time.time_ns() // 1_000_000))
    parts.append(uuid.uuid4().hex[:8] if short else uuid.uuid4().hex)
    if params.get("suffix"):
        parts.append(params["suffix"])
    ident = "_".join(parts)
    return output({"id": ident, "timestamp": stamp, "short": short}, text=ident)


def _validate(params: dict[str, Any]) -> Any:
    raw = params.get("uuid") or params.get("input")
    if raw is None:
        fail("operation 'validate' needs 'uuid' (the string to check)", kind="ValidationError")
    try:
        value = uuid.UUID(raw.strip())
    except ValueError:
        return output({"valid": False, "error": "not a valid UUID"}, text="invalid")
    variant = {
        uuid.RFC_4122: "RFC4122",
        uuid.RESERVED_NCS: "NCS",
        uuid.RESERVED_MICROSOFT: "Microsoft",
        uuid.RESERVED_FUTURE: "Future",
    }.get(value.variant, str(value.variant))
    version = (value.int >> 76) & 0xF
    result = {
        "valid": True,
        "uuid": str(value),
        "version": f"v{version}" if variant == "RFC4122" else None,
        "variant": variant,
        "nil": value.int == 0,
    }
    return output(result, text="valid")


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Generate, build ids, or validate."""
    ops = {
        "generate": _generate,
        "component_id": _component_id,
        "deterministic": _deterministic,
        "custom": _custom,
        "validate": _validate,
    }
    return dispatch(params, ops, params, default="generate")


TOOL = Tool(
    name="uuid-generator",
    description="Generate UUIDs (v4 random, v7 time-ordered, v1 time-based, v5 from "
    "namespace+name) as hyphenated/simple/urn/braced text; make prefixed component ids, "
    "deterministic ids (same name → same id) or custom ids; validate a UUID string.",
    category="utility",
    handler=run,
    inline=True,
    timeout_seconds=5,
    tags=("uuid", "id"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["generate", "component_id", "deterministic", "custom", "validate"],
                "default": "generate",
            },
            "version": {
                "type": "string",
                "enum": ["v1", "v4", "v5", "v7", "1", "4", "5", "7"],
                "default": "v4",
                "description": "generate: UUID version (v5 needs 'name')",
            },
            "format": {
                "type": "string",
                "enum": ["hyphenated", "standard", "simple", "urn", "braced"],
                "default": "hyphenated",
            },
            "namespace": {
                "type": "string",
                "description": "v5/deterministic: dns, url, oid, x500, agent, tool, workflow "
                "or a UUID",
            },
            "name": {"type": "string", "description": "v5/deterministic: the name to hash"},
            "prefix": {"type": "string", "maxLength": 200, "description": "id prefix"},
            "suffix": {"type": "string", "maxLength": 200, "description": "custom: id suffix"},
            "short": {"type": "boolean", "description": "8 hex digits instead of 32"},
            "timestamp": {"type": "boolean", "description": "custom: include Unix ms"},
            "uuid": {"type": "string", "maxLength": 200, "description": "validate: the UUID"},
            "input": {"type": "string", "maxLength": 200, "description": "alias of 'uuid'"},
        },
        "additionalProperties": False,
    },
)
