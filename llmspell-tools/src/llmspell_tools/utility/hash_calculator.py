"""hash-calculator: hash strings or files (md5, sha1, sha256, sha512, blake2b) and verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import check, dispatch, fail, output, resolve

ALGORITHMS = ("md5", "sha1", "sha256", "sha512", "blake2b")
_CHUNK = 1 << 20


def _digest(params: dict[str, Any], ctx: Any) -> tuple[bytes, int]:
    algorithm = params.get("algorithm", "sha256")
    if algorithm == "blake3":
        fail(
            "blake3 is not available in this build; use algorithm 'blake2b' (or sha256/sha512)",
            kind="ValidationError",
        )
    hasher = hashlib.new(algorithm)
    if params.get("input_type", "string") == "file" or params.get("file") is not None:
        path = params.get("file") or params.get("input")
        if path is None:
            fail("input_type 'file' needs 'file' (the path)", kind="ValidationError")
        real = resolve(ctx, path, what="file")
        if not real.is_file():
            fail(f"file {path!r} does not exist or is not a regular file", kind="NotFoundError")
        ctx.policy.check_size(real.stat().st_size, what=f"file {path!r}")
        size = 0
        with real.open("rb") as fh:  # streamed; the call's deadline checked per chunk
            while chunk := fh.read(_CHUNK):
                check()
                hasher.update(chunk)
                size += len(chunk)
                if size > ctx.policy.max_input_bytes:  # a file growing while read
                    ctx.policy.check_size(size, what=f"file {path!r}")
        return hasher.digest(), size
    text = params.get("input")
    if text is None:
        fail("'input' (the string to hash) is required", kind="ValidationError")
    data = text.encode("utf-8")
    ctx.policy.check_size(len(data), what="input")
    hasher.update(data)
    return hasher.digest(), len(data)


def _render(digest: bytes, fmt: str) -> str:
    return base64.b64encode(digest).decode("ascii") if fmt == "base64" else digest.hex()


def _hash(params: dict[str, Any], ctx: Any) -> Any:
    digest, size = _digest(params, ctx)
    fmt = params.get("format", "hex")
    value = _render(digest, fmt)
    algorithm = params.get("algorithm", "sha256")
    return output(
        {"hash": value, "algorithm": algorithm, "format": fmt, "input_size": size}, text=value
    )


def _verify(params: dict[str, Any], ctx: Any) -> Any:
    expected = params.get("expected_hash")
    if not expected:
        fail("operation 'verify' needs 'expected_hash'", kind="ValidationError")
    digest, size = _digest(params, ctx)
    expected = expected.strip()
    if params.get("format", "hex") == "base64":
        actual = _render(digest, "base64")
        verified = hmac.compare_digest(actual.encode(), expected.encode())
    else:
        actual = digest.hex()
        verified = hmac.compare_digest(actual.encode(), expected.lower().encode())
    return output(
        {
            "verified": verified,
            "hash": actual,
            "expected_hash": expected,
            "algorithm": params.get("algorithm", "sha256"),
            "input_size": size,
        },
        text="verified" if verified else "mismatch",
    )


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Hash or verify."""
    return dispatch(params, {"hash": _hash, "verify": _verify}, params, ctx)


TOOL = Tool(
    name="hash-calculator",
    description="Compute a hash (md5, sha1, sha256, sha512, blake2b) of a string or a file, "
    "as hex or base64, or verify one against 'expected_hash' (result.verified). "
    "blake3 is not available: use blake2b.",
    category="utility",
    handler=run,
    timeout_seconds=60,
    security=("files",),
    tags=("hash", "checksum", "crypto"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": ["hash", "verify"]},
            "algorithm": {
                "type": "string",
                "enum": [*ALGORITHMS, "blake3"],
                "default": "sha256",
                "description": "hash algorithm (blake3 is refused: use blake2b)",
            },
            "input_type": {
                "type": "string",
                "enum": ["string", "file"],
                "default": "string",
                "description": "hash 'input' as a string, or the file at 'file'",
            },
            "input": {"type": "string", "description": "the string to hash"},
            "file": {"type": "string", "description": "path of the file to hash"},
            "format": {"type": "string", "enum": ["hex", "base64"], "default": "hex"},
            "expected_hash": {"type": "string", "description": "verify: the hash to compare"},
        },
        "required": ["operation"],
        "additionalProperties": False,
    },
)
