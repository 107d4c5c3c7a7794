"""base64-encoder: encode and decode Base64 (standard or URL-safe), text or files."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import atomic_write, fail, output, read_bytes


def _source(params: dict[str, Any], ctx: Any) -> bytes:
    """The bytes to work on: ``input_file`` (policy-checked) or ``input``."""
    if params.get("input_file") is not None:
        if params.get("input") is not None:
            fail("give either 'input' or 'input_file', not both", kind="ValidationError")
        return read_bytes(ctx, params["input_file"], what="input_file")
    text: str | None = params.get("input")
    if text is None:
        fail("'input' or 'input_file' is required", kind="ValidationError")
    data = text.encode("utf-8")
    ctx.policy.check_size(len(data), what="input")
    return data


def _encode(params: dict[str, Any], ctx: Any) -> Any:
    data = _source(params, ctx)
    if params.get("binary_input") and params.get("input_file") is None:
        try:
            data = bytes.fromhex(data.decode("ascii"))
        except ValueError:
            fail("binary_input=true needs 'input' as hexadecimal bytes", kind="ValidationError")
    url_safe = params.get("variant", "standard") == "url_safe"
    encoded = (base64.urlsafe_b64encode if url_safe else base64.b64encode)(data).decode("ascii")
    result: dict[str, Any] = {
        "output": encoded,
        "binary": bool(params.get("binary_input")),  # rs-llmspell reads it on both ops
        "variant": params.get("variant", "standard"),
        "input_size": len(data),
        "output_size": len(encoded),
    }
    if params.get("output_file"):
        real = atomic_write(ctx, params["output_file"], encoded)
        result["output_file"] = str(real)
    return output(result, text=encoded)


def _decode(params: dict[str, Any], ctx: Any) -> Any:
    raw = _source(params, ctx)
    variant = params.get("variant", "standard")
    cleaned = b"".join(raw.split())  # tolerate line breaks and spaces
    cleaned += b"=" * (-len(cleaned) % 4)  # tolerate missing padding
    try:
        if variant == "url_safe":
            data = base64.urlsafe_b64decode(cleaned.replace(b"+", b"-").replace(b"/", b"_"))
        else:
            data = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        fail(f"input is not valid {variant} Base64: {exc}", operation="decode")
    result: dict[str, Any] = {"variant": variant, "input_size": len(raw), "output_size": len(data)}
    if params.get("output_file"):
        real = atomic_write(ctx, params["output_file"], data)
        result["output_file"] = str(real)
    try:
        text = data.decode("utf-8")
        result.update(output=text, binary=False)
    except UnicodeDecodeError:
        text = data.hex()
        result.update(output=text, binary=True, encoding="hex")
    return output(result, text=text)


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Encode or decode."""
    return _encode(params, ctx) if params["operation"] == "encode" else _decode(params, ctx)


TOOL = Tool(
    name="base64-encoder",
    description="Encode data to Base64 or decode Base64 (standard or URL-safe alphabet). "
    "Works on a string ('input') or a file ('input_file'); can write the result to "
    "'output_file'. Decoded bytes that are not UTF-8 text come back hex-encoded "
    "(result.binary=true).",
    category="utility",
    handler=run,
    timeout_seconds=30,
    security=("files",),
    tags=("encoding", "base64"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": ["encode", "decode"]},
            "input": {"type": "string", "description": "text to encode, or Base64 to decode"},
            "input_file": {"type": "string", "description": "read the input from this file"},
            "output_file": {"type": "string", "description": "also write the result here"},
            "variant": {
                "type": "string",
                "enum": ["standard", "url_safe"],
                "default": "standard",
                "description": "alphabet: standard (+/) or url_safe (-_)",
            },
            "binary_input": {
                "type": "boolean",
                "default": False,
                "description": "encode: 'input' is hexadecimal bytes, not text",
            },
        },
        "required": ["operation"],
        "additionalProperties": False,
    },
)
