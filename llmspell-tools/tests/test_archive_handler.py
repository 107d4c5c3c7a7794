"""archive-handler: create, list and extract in every format."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("name", ["a.zip", "a.tar", "a.tar.gz", "a.tgz", "a.tar.xz"])
def test_round_trip(tools, name):
    (tools.root / "d" / "sub").mkdir(parents=True)
    (tools.root / "d" / "x.txt").write_text("x")
    (tools.root / "d" / "sub" / "y.txt").write_text("yy")
    (tools.root / "z.txt").write_text("z")
    r = tools.ok("archive-handler", operation="create", path=name, input=["d", "z.txt"])
    assert "d/sub/y.txt" in r["result"]["entries"]
    listed = tools.ok("archive-handler", operation="list", path=name)["result"]["entries"]
    names = {e["name"].rstrip("/") for e in listed}
    assert {"d", "d/x.txt", "d/sub/y.txt", "z.txt"} <= names
    out = tools.ok("archive-handler", operation="extract", path=name, target_path="out")
    assert out["result"]["count"] == len(listed)
    assert (tools.root / "out" / "d" / "sub" / "y.txt").read_text() == "yy"
    assert (tools.root / "out" / "z.txt").read_text() == "z"


def test_extract_does_not_overwrite_unless_asked(tools):
    (tools.root / "f.txt").write_text("new")
    tools.ok("archive-handler", operation="create", path="a.zip", input="f.txt")
    (tools.root / "out").mkdir()
    (tools.root / "out" / "f.txt").write_text("old")
    r = tools.failed("archive-handler", operation="extract", path="a.zip", target_path="out")
    assert "overwrite" in r["error"]
    assert (tools.root / "out" / "f.txt").read_text() == "old"
    tools.ok("archive-handler", operation="extract", path="a.zip", target_path="out",
             overwrite=True)  # fmt: skip
    assert (tools.root / "out" / "f.txt").read_text() == "new"


def test_failures(tools):
    (tools.root / "bad.zip").write_bytes(b"not a zip")
    tools.failed("archive-handler", operation="list", path="bad.zip")
    assert tools.failed("archive-handler", operation="list", path="x.rar")["error_kind"] == (
        "ValidationError"
    )
    assert tools.failed("archive-handler", operation="list", path="none.zip")["error_kind"] == (
        "NotFoundError"
    )
