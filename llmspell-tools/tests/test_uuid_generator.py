"""uuid-generator: versions, formats, ids, v7 layout and ordering, validation."""

from __future__ import annotations

import time
import uuid

import pytest

from llmspell.errors import ValidationError
from llmspell.tools import execute_tool


def run(tools, **params):
    """Like tools(...), for params that include 'name' (ToolRunner's own first argument)."""
    import asyncio

    tool = tools.runtime.tools.get("uuid-generator")
    return asyncio.run(execute_tool(tool, params, tools.runtime.tool_context()))


@pytest.mark.parametrize("version", ["v1", "v4", "v7", "4"])
def test_generate_versions(tools, version):
    r = tools.ok("uuid-generator", version=version)
    value = uuid.UUID(r["result"]["uuid"])
    assert value.version == int(version.removeprefix("v"))
    assert value.variant == uuid.RFC_4122
    assert r["result"]["version"] == "v" + version.removeprefix("v")


def test_v1_does_not_leak_the_mac(tools):
    value = uuid.UUID(tools.ok("uuid-generator", version="v1")["result"]["uuid"])
    assert value.node & (1 << 40)  # multicast bit: a random node id


def test_v5_is_deterministic(tools):
    r = run(tools, version="v5", namespace="url", name="https://x.org")
    assert r["result"]["uuid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, "https://x.org"))
    ns = str(uuid.uuid4())
    r = run(tools, version="v5", namespace=ns, name="a")
    assert r["result"]["uuid"] == str(uuid.uuid5(uuid.UUID(ns), "a"))
    assert tools.failed("uuid-generator", version="v5")["error_kind"] == "ValidationError"
    assert not run(tools, version="v5", name="a", namespace="bogus")["success"]


def test_v7_layout_and_order(tools):
    before = time.time_ns() // 1_000_000
    ids = [tools.ok("uuid-generator", version="v7")["result"]["uuid"] for _ in range(50)]
    after = time.time_ns() // 1_000_000
    assert ids == sorted(ids) and len(set(ids)) == 50
    ms = uuid.UUID(ids[0]).int >> 80
    assert before <= ms <= after


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("hyphenated", lambda s: len(s) == 36),
        ("standard", lambda s: len(s) == 36),
        ("simple", lambda s: len(s) == 32 and "-" not in s),
        ("urn", lambda s: s.startswith("urn:uuid:")),
        ("braced", lambda s: s.startswith("{") and s.endswith("}")),
    ],
)
def test_formats(tools, fmt, check):
    assert check(tools.ok("uuid-generator", format=fmt)["result"]["uuid"])


def test_component_custom_deterministic(tools):
    r = tools.ok("uuid-generator", operation="component_id", prefix="agent")
    assert r["result"]["id"].startswith("agent_") and len(r["result"]["id"]) == 6 + 32
    short = tools.ok("uuid-generator", operation="component_id", short=True)["result"]["id"]
    assert short.startswith("component_") and len(short) == 10 + 8
    a = run(tools, operation="deterministic", name="x", namespace="tool")
    b = run(tools, operation="deterministic", name="x", namespace="tool")
    c = run(tools, operation="deterministic", name="x")
    assert a["success"] and c["success"]
    assert a["result"]["id"] == b["result"]["id"] != c["result"]["id"]
    assert tools.failed("uuid-generator", operation="deterministic")
    r = tools.ok("uuid-generator", operation="custom", prefix="job", suffix="v2", timestamp=True,
                 short=True)  # fmt: skip
    parts = r["result"]["id"].split("_")
    assert parts[0] == "job" and parts[1].isdigit() and len(parts[2]) == 8 and parts[3] == "v2"


def test_validate(tools):
    r = tools.ok("uuid-generator", operation="validate", uuid=str(uuid.uuid4()))
    assert r["result"]["valid"] is True and r["result"]["version"] == "v4"
    r = tools.ok("uuid-generator", operation="validate", input="{" + str(uuid.uuid4()) + "}")
    assert r["result"]["valid"] is True
    r = tools.ok("uuid-generator", operation="validate", uuid="nope")
    assert r["result"]["valid"] is False
    assert tools.failed("uuid-generator", operation="validate")["error_kind"] == "ValidationError"


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'version'"):
        tools("uuid-generator", version="v3")
    with pytest.raises(ValidationError, match="parameter 'format'"):
        tools("uuid-generator", format="base64")
    with pytest.raises(ValidationError, match="parameter 'prefix'"):
        tools("uuid-generator", operation="component_id", prefix="p" * 500)
    with pytest.raises(ValidationError):
        tools("uuid-generator", bogus=1)
