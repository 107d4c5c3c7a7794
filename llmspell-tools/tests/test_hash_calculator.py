"""hash-calculator: every algorithm, files, verify, and refusals."""

from __future__ import annotations

import base64
import hashlib

import pytest

from llmspell.errors import LimitExceeded, SecurityError, ValidationError
from llmspell.testing import DeadlineContext


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256", "sha512", "blake2b"])
def test_hash_strings(tools, algorithm):
    r = tools.ok("hash-calculator", operation="hash", algorithm=algorithm, input="abc")
    assert r["result"]["hash"] == hashlib.new(algorithm, b"abc").hexdigest()
    assert r["result"]["algorithm"] == algorithm and r["text"] == r["result"]["hash"]


def test_default_sha256_and_base64(tools):
    r = tools.ok("hash-calculator", operation="hash", input="abc", format="base64")
    assert r["result"]["hash"] == base64.b64encode(hashlib.sha256(b"abc").digest()).decode()


def test_hash_file_streams(tools, sandbox):
    data = b"x" * (3 * 1024 * 1024 + 7)
    (sandbox / "f.bin").write_bytes(data)
    r = tools.ok("hash-calculator", operation="hash", input_type="file", file="f.bin")
    assert r["result"]["hash"] == hashlib.sha256(data).hexdigest()
    assert r["result"]["input_size"] == len(data)
    missing = tools.failed("hash-calculator", operation="hash", input_type="file", file="no")
    assert missing["error_kind"] == "NotFoundError"


def test_verify(tools):
    good = hashlib.md5(b"hi").hexdigest().upper()
    r = tools.ok("hash-calculator", operation="verify", algorithm="md5", input="hi",
                 expected_hash=good)  # fmt: skip
    assert r["result"]["verified"] is True
    r = tools.ok("hash-calculator", operation="verify", input="hi", expected_hash="00")
    assert r["result"]["verified"] is False and r["text"] == "mismatch"
    assert tools.failed("hash-calculator", operation="verify", input="hi")


def test_blake3_refused_clearly(tools):
    r = tools.failed("hash-calculator", operation="hash", algorithm="blake3", input="x")
    assert "blake2b" in r["error"]


def test_misuse_and_security(tools, tmp_path):
    with pytest.raises(ValidationError, match="parameter 'algorithm'"):
        tools("hash-calculator", operation="hash", algorithm="crc32", input="x")
    with pytest.raises(ValidationError, match="parameter 'input'"):
        tools("hash-calculator", operation="hash", input=3)
    assert tools.failed("hash-calculator", operation="hash")["error_kind"] == "ValidationError"
    outside = tmp_path / "outside"
    outside.write_text("secret")
    with pytest.raises(SecurityError):
        tools("hash-calculator", operation="hash", input_type="file", file=str(outside))
    tools.runtime.policy.max_input_bytes = 10
    with pytest.raises(SecurityError, match="over the limit"):
        tools("hash-calculator", operation="hash", input="y" * 11)


# -- the input cap and the call's deadline (issue 11) ------------------------------------


def test_huge_sparse_file_is_refused_by_the_input_cap(tools, sandbox):
    import time

    with open(sandbox / "sparse.bin", "wb") as fh:
        fh.truncate(100 * 1024**3)
    start = time.monotonic()
    with pytest.raises(SecurityError, match="max_input_bytes"):
        tools("hash-calculator", operation="hash", input_type="file", file="sparse.bin")
    assert time.monotonic() - start < 5


def test_hashing_stops_at_the_run_deadline(sandbox):
    import asyncio
    import time

    from llmspell.config import load_settings
    from llmspell.runtime import Runtime
    from llmspell.tools import execute_tool

    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(sandbox)}
    overrides = {
        ("security", "allowed_paths"): [str(sandbox)],
        ("security", "max_input_bytes"): 200 * 1024**3,
    }
    runtime = Runtime(load_settings(environ=env, use_files=False, overrides=overrides))

    try:
        with open(sandbox / "sparse.bin", "wb") as fh:
            fh.truncate(100 * 1024**3)
        tool = runtime.tools.get("hash-calculator")
        params = {"operation": "hash", "input_type": "file", "file": "sparse.bin"}
        start = time.monotonic()
        ctx = DeadlineContext(runtime.tool_context(), 0.5)
        # the run's own limit ends the run: it is not a tool failure
        with pytest.raises(LimitExceeded, match="wall-time"):
            asyncio.run(execute_tool(tool, params, ctx))
        assert time.monotonic() - start < 5
    finally:
        runtime.close()
