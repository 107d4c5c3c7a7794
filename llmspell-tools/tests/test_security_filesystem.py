"""Filesystem tools under the policy: `..`, absolute paths and symlinks leading outside
are SecurityErrors for every operation, and a denial touches nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llmspell.errors import SecurityError


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    """Everything under ``root``: kind and content (or link target) per relative path."""
    out: dict[str, tuple[str, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", "")
            else:
                out[rel] = ("file", p.read_bytes().decode("latin-1"))
    return out


@pytest.fixture
def world(tools, tmp_path):
    """A sandbox with files and links, and a secret directory outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP SECRET")
    (outside / "sub").mkdir()
    (outside / "sub" / "deep.txt").write_text("deep secret")
    root = tools.root
    (root / "inside.txt").write_text("hello")
    (root / "dir").mkdir()
    (root / "dir" / "a.txt").write_text("a")
    (root / "link_file").symlink_to(outside / "secret.txt")
    (root / "link_dir").symlink_to(outside)
    (root / "dir" / "escape").symlink_to("../../outside/secret.txt")
    return tmp_path, outside


def _denied(tools, world, name, **params):
    base, _ = world
    before = snapshot(base)
    with pytest.raises(SecurityError):
        tools(name, **params)
    assert snapshot(base) == before


OUT = "../outside/secret.txt"


@pytest.mark.parametrize(
    "params",
    [
        {"operation": "read", "path": OUT},
        {"operation": "read", "path": "dir/../../outside/secret.txt"},
        {"operation": "read", "path": "link_file"},
        {"operation": "read", "path": "dir/escape"},
        {"operation": "read", "path": "link_dir/secret.txt"},
        {"operation": "write", "path": OUT, "input": "pwned"},
        {"operation": "write", "path": "link_file", "input": "pwned"},
        {"operation": "write", "path": "link_dir/new.txt", "input": "pwned"},
        {"operation": "append", "path": "link_file", "input": "pwned"},
        {"operation": "delete", "path": OUT},
        {"operation": "delete", "path": "link_file"},
        {"operation": "delete", "path": "link_dir", "recursive": True},
        {"operation": "delete", "path": "link_dir/sub", "recursive": True},
        {"operation": "delete", "path": ".", "recursive": True},
        {"operation": "create_dir", "path": "../outside/made"},
        {"operation": "create_dir", "path": "link_dir/made"},
        {"operation": "list_dir", "path": ".."},
        {"operation": "list_dir", "path": "link_dir"},
        {"operation": "copy", "source_path": OUT, "target_path": "stolen.txt"},
        {"operation": "copy", "source_path": "link_file", "target_path": "stolen.txt"},
        {"operation": "copy", "source_path": "inside.txt", "target_path": "../outside/x.txt"},
        {"operation": "copy", "source_path": "inside.txt", "target_path": "link_dir"},
        {"operation": "copy", "source_path": "dir", "target_path": "copy", "recursive": True},
        {"operation": "move", "source_path": OUT, "target_path": "stolen.txt"},
        {"operation": "move", "source_path": "link_file", "target_path": "moved"},
        {"operation": "move", "source_path": "inside.txt", "target_path": "../outside/x.txt"},
        {"operation": "move", "source_path": "inside.txt", "target_path": "link_dir/x.txt"},
        {"operation": "move", "source_path": "dir", "target_path": "elsewhere"},
        {"operation": "move", "source_path": ".", "target_path": "x"},
        {"operation": "metadata", "path": "link_file"},
        {"operation": "exists", "path": OUT},
        {"operation": "exists", "path": "link_dir/secret.txt"},
    ],
    ids=lambda p: f"{p['operation']}:{p.get('path') or p.get('source_path')}",
)
def test_file_operations_denied(tools, world, params):
    _denied(tools, world, "file-operations", **params)


def test_absolute_path_outside_denied(tools, world):
    _, outside = world
    secret = str(outside / "secret.txt")
    _denied(tools, world, "file-operations", operation="read", path=secret)
    _denied(tools, world, "file-operations", operation="write", path=secret, input="x")
    _denied(tools, world, "file-operations", operation="delete", path=secret)
    _denied(tools, world, "file-operations", operation="read", path="/etc/passwd")
    _denied(tools, world, "file-operations", operation="list_dir", path="/")
    _denied(tools, world, "file-operations", operation="read", path="~/../../etc/passwd")
    _denied(tools, world, "file-operations", operation="read", path="a\x00b")


def test_link_inside_pointing_inside_is_deleted_as_a_link(tools):
    (tools.root / "target.txt").write_text("keep me")
    (tools.root / "alias").symlink_to("target.txt")
    tools.ok("file-operations", operation="delete", path="alias")
    assert not (tools.root / "alias").is_symlink()
    assert (tools.root / "target.txt").read_text() == "keep me"


def test_recursive_delete_does_not_follow_links(tools, world):
    _, outside = world
    tools.ok("file-operations", operation="delete", path="dir", recursive=True)
    assert not (tools.root / "dir").exists()
    assert (outside / "secret.txt").read_text() == "TOP SECRET"


@pytest.mark.parametrize(
    "params",
    [
        {"pattern": "SECRET", "path": ".."},
        {"pattern": "SECRET", "path": "link_dir"},
        {"pattern": "SECRET", "path": "link_file"},
        {"pattern": "SECRET", "path": "/etc"},
    ],
)
def test_file_search_denied(tools, world, params):
    _denied(tools, world, "file-search", **params)


def test_search_never_reads_through_links(tools, world):
    r = tools.ok("file-search", pattern="secret", path=".", recursive=True)
    assert r["result"]["matches"] == []
    skipped = {s["file"] for s in r["result"]["skipped"]}
    assert {"link_file", "dir/escape"} <= skipped
    assert "TOP SECRET" not in str(r)


@pytest.mark.parametrize(
    "params",
    [
        {"operation": "encoding", "path": OUT},
        {"operation": "encoding", "path": "link_file"},
        {"operation": "encoding", "path": "inside.txt", "target_path": "../outside/secret.txt"},
        {"operation": "line_endings", "path": "inside.txt", "target_path": "link_file"},
        {"operation": "indentation", "path": "inside.txt", "target_path": "link_dir/new.txt"},
    ],
)
def test_file_converter_denied(tools, world, params):
    _denied(tools, world, "file-converter", **params)


@pytest.mark.parametrize("paths", ["..", "link_dir", ["inside.txt", "/tmp/../etc"]])
def test_file_watcher_denied(tools, world, paths):
    _denied(tools, world, "file-watcher", operation="watch", input=paths, timeout_ms=50)


def test_oversized_inputs_refused(tools, tmp_path):
    tools.runtime.policy.max_input_bytes = 100
    small = tools
    sandbox = tools.root
    (sandbox / "big.txt").write_text("x" * 101)
    before = snapshot(tmp_path)
    with pytest.raises(SecurityError, match="over the limit"):
        small("file-operations", operation="read", path="big.txt")
    with pytest.raises(SecurityError, match="over the limit"):
        small("file-operations", operation="write", path="new.txt", input="y" * 101)
    with pytest.raises(SecurityError, match="over the limit"):
        small("file-operations", operation="copy", source_path="big.txt", target_path="c")
    with pytest.raises(SecurityError, match="over the limit"):
        small("file-converter", operation="encoding", path="big.txt")
    with pytest.raises(SecurityError, match="longer than"):
        small("file-search", pattern="a" * 1000, path=".")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a*)*b", r"(\w+\s?)*$", "(x+x+)+y", "(a{1,5})+"])
def test_catastrophic_regex_refused(tools, pattern):
    (tools.root / "f.txt").write_text("a" * 40 + "!")
    with pytest.raises(SecurityError, match="nests repetition"):
        tools("file-search", pattern=pattern, path=".", use_regex=True)


def test_atomic_write_failure_keeps_old_content(tools, monkeypatch):
    target = tools.root / "keep.txt"
    target.write_text("old content")

    def boom(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", boom)
    r = tools.failed("file-operations", operation="write", path="keep.txt", input="new")
    assert "disk on fire" in r["error"]
    r = tools.failed("file-converter", operation="line_endings", path="keep.txt",
                     line_ending="crlf")  # fmt: skip
    assert target.read_text() == "old content"
    assert sorted(p.name for p in tools.root.iterdir()) == ["keep.txt"]  # no temp files left
