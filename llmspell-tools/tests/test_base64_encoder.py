"""base64-encoder: both alphabets, files under the policy, and bad input."""

from __future__ import annotations

import base64

import pytest

from llmspell.errors import SecurityError, ValidationError


def test_encode_decode_roundtrip(tools):
    r = tools.ok("base64-encoder", operation="encode", input="héllo?>")
    assert r["result"]["output"] == base64.b64encode("héllo?>".encode()).decode()
    assert r["text"] == r["result"]["output"]
    back = tools.ok("base64-encoder", operation="decode", input=r["result"]["output"])
    assert back["result"]["output"] == "héllo?>" and back["result"]["binary"] is False


def test_url_safe_variant_and_missing_padding(tools):
    data = "\xff\xfe?>"
    std = tools.ok("base64-encoder", operation="encode", input=data)["result"]["output"]
    url = tools.ok("base64-encoder", operation="encode", input=data, variant="url_safe")
    assert url["result"]["output"] == base64.urlsafe_b64encode(data.encode()).decode()
    assert "+" in std or "/" in std
    assert "+" not in url["result"]["output"] and "/" not in url["result"]["output"]
    unpadded = url["result"]["output"].rstrip("=")
    r = tools.ok("base64-encoder", operation="decode", input=unpadded, variant="url_safe")
    assert r["result"]["output"] == data


def test_binary_input_and_binary_output(tools):
    r = tools.ok("base64-encoder", operation="encode", input="00ff10", binary_input=True)
    assert r["result"]["output"] == "AP8Q"
    back = tools.ok("base64-encoder", operation="decode", input="AP8Q")
    assert back["result"] == {**back["result"], "binary": True, "output": "00ff10"}
    assert tools.failed("base64-encoder", operation="encode", input="zz", binary_input=True)


def test_files(tools, sandbox):
    (sandbox / "in.bin").write_bytes(b"\x00\x01binary")
    r = tools.ok("base64-encoder", operation="encode", input_file="in.bin", output_file="o.b64")
    assert (sandbox / "o.b64").read_text() == base64.b64encode(b"\x00\x01binary").decode()
    tools.ok("base64-encoder", operation="decode", input_file="o.b64", output_file="out.bin")
    assert (sandbox / "out.bin").read_bytes() == b"\x00\x01binary"
    assert r["result"]["output_file"] == str(sandbox / "o.b64")
    missing = tools.failed("base64-encoder", operation="encode", input_file="nope.txt")
    assert missing["error_kind"] == "NotFoundError"


def test_invalid_base64_fails(tools):
    r = tools.failed("base64-encoder", operation="decode", input="not base64!!")
    assert "not valid standard Base64" in r["error"]


def test_misuse_and_security(tools, sandbox, tmp_path):
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("base64-encoder", operation="rot13", input="x")
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("base64-encoder", input="x")
    with pytest.raises(ValidationError, match="parameter 'variant'"):
        tools("base64-encoder", operation="encode", input="x", variant="base32")
    assert tools.failed("base64-encoder", operation="encode")["error_kind"] == "ValidationError"
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    with pytest.raises(SecurityError):
        tools("base64-encoder", operation="encode", input_file=str(outside))
    with pytest.raises(SecurityError):
        tools("base64-encoder", operation="encode", input="x", output_file=str(tmp_path / "w"))
    assert not (tmp_path / "w").exists()


def test_oversized_input_refused(tools, sandbox):
    tools.runtime.policy.max_input_bytes = 100
    with pytest.raises(SecurityError, match="over the limit"):
        tools("base64-encoder", operation="encode", input="x" * 101)
    (sandbox / "big").write_bytes(b"x" * 200)
    with pytest.raises(SecurityError, match="over the limit"):
        tools("base64-encoder", operation="encode", input_file="big")
