"""file-operations: every operation and its result shape."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError


def test_write_read_append(tools):
    r = tools.ok("file-operations", operation="write", path="notes/a.txt", input="héllo")
    assert r["text"] == "Wrote 6 bytes to notes/a.txt"
    assert r["operation"] == "write"
    r = tools.ok("file-operations", operation="read", path="notes/a.txt")
    assert r["text"] == "héllo"
    tools.ok("file-operations", operation="append", path="notes/a.txt", input="!")
    assert (tools.root / "notes" / "a.txt").read_text() == "héllo!"


def test_exists_and_metadata(tools):
    assert tools.ok("file-operations", operation="exists", path="x")["result"]["exists"] is False
    (tools.root / "x").write_text("abc")
    r = tools.ok("file-operations", operation="exists", path="x")
    assert r["result"] == {"path": "x", "exists": True, "type": "file"}
    meta = tools.ok("file-operations", operation="stat", path="x")["result"]
    assert meta["size"] == 3 and meta["type"] == "file" and meta["is_symlink"] is False


def test_list_dir_and_aliases(tools):
    (tools.root / "d" / "e").mkdir(parents=True)
    (tools.root / "d" / "f.txt").write_text("1")
    (tools.root / "d" / "e" / "g.txt").write_text("22")
    flat = tools.ok("file-operations", operation="ls", path="d")["result"]["entries"]
    assert [(e["name"], e["type"]) for e in flat] == [("e", "directory"), ("f.txt", "file")]
    deep = tools.ok("file-operations", operation="list_dir", path="d", recursive=True)
    assert [e["path"] for e in deep["result"]["entries"]] == ["e", "e/g.txt", "f.txt"]


def test_copy_move_delete(tools):
    (tools.root / "src" / "sub").mkdir(parents=True)
    (tools.root / "src" / "sub" / "a.txt").write_text("a")
    tools.ok("file-operations", operation="cp", source_path="src", target_path="dst",
             recursive=True)  # fmt: skip
    assert (tools.root / "dst" / "sub" / "a.txt").read_text() == "a"
    tools.ok("file-operations", operation="copy", source_path="dst/sub/a.txt", target_path="b.txt")
    tools.ok("file-operations", operation="rename", source_path="b.txt", target_path="c.txt")
    assert (tools.root / "c.txt").read_text() == "a" and not (tools.root / "b.txt").exists()
    tools.ok("file-operations", operation="mv", source_path="c.txt", target_path="dst")
    assert (tools.root / "dst" / "c.txt").exists()
    r = tools.failed("file-operations", operation="delete", path="dst")
    assert "recursive" in r["error"]
    tools.ok("file-operations", operation="delete", path="dst", recursive=True)
    assert not (tools.root / "dst").exists()


def test_create_dir(tools):
    r = tools.ok("file-operations", operation="mkdir", path="a/b/c")
    assert r["result"]["created"] is True and (tools.root / "a" / "b" / "c").is_dir()
    assert tools.ok("file-operations", operation="mkdir", path="a")["result"]["created"] is False


def test_failures(tools):
    assert tools.failed("file-operations", operation="read", path="nope")["error_kind"] == (
        "NotFoundError"
    )
    (tools.root / "bin").write_bytes(b"\xff\xfe\x00")
    assert (
        "not valid utf-8" in tools.failed("file-operations", operation="read", path="bin")["error"]
    )
    tools.failed("file-operations", operation="copy", source_path="nope", target_path="x")
    tools.failed("file-operations", operation="write", path="x.txt")
    with pytest.raises(ValidationError):
        tools("file-operations", operation="explode", path="x")
