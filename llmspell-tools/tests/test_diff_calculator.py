"""diff-calculator: text formats, JSON structure diffs, files under the policy."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import SecurityError, ValidationError

OLD = "one\ntwo\nthree\n"
NEW = "one\n2\nthree\nfour\n"


def test_unified_default(tools):
    r = tools.ok("diff-calculator", old_text=OLD, new_text=NEW)
    diff = r["result"]["diff"]
    assert diff.startswith("--- old\n+++ new\n@@")
    assert "-two\n" in diff and "+2\n" in diff and "+four\n" in diff
    assert r["result"]["stats"]["additions"] == 2 and r["result"]["stats"]["deletions"] == 1
    assert r["result"]["changes"][0]["type"] == "change"
    assert r["result"]["identical"] is False and r["text"] == diff


def test_other_formats(tools):
    ctx = tools.ok("diff-calculator", old_text=OLD, new_text=NEW, format="context")
    assert ctx["result"]["diff"].startswith("*** old\n--- new\n")
    simple = tools.ok("diff-calculator", old_text=OLD, new_text=NEW, format="simple")
    assert simple["result"]["diff"] == "- two\n+ 2\n+ four\n"
    inline = tools.ok("diff-calculator", old_text="the quick fox", new_text="the slow fox",
                      format="inline")  # fmt: skip
    assert inline["result"]["diff"] == "the [-quick-]{+slow+} fox"


def test_identical_and_no_trailing_newline(tools):
    same = tools.ok("diff-calculator", old_text="a", new_text="a")
    assert same["result"]["identical"] and same["result"]["diff"] == ""
    assert same["text"] == "no differences"
    r = tools.ok("diff-calculator", old_text="a", new_text="b")
    assert "\\ No newline at end of file" in r["result"]["diff"]


def test_json(tools):
    r = tools.ok("diff-calculator", type="json", old_json={"a": 1, "b": [1, 2], "c": "x"},
                 new_json={"a": 2, "b": [1, 2, 3], "d": True})  # fmt: skip
    changes = r["result"]["changes"]
    json.dumps(changes)  # JSON-serializable
    assert changes["values_changed"]["root['a']"] == {"new_value": 2, "old_value": 1}
    assert "root['d']" in changes["dictionary_item_added"]
    assert "root['c']" in changes["dictionary_item_removed"]
    assert "root['b'][2]" in changes["iterable_item_added"]
    assert r["result"]["identical"] is False
    same = tools.ok("diff-calculator", type="json", old_json=[1, {"x": None}],
                    new_json=[1, {"x": None}])  # fmt: skip
    assert same["result"]["identical"] and same["result"]["changes"] == {}
    assert tools.failed("diff-calculator", type="json", old_json={})


def test_files(tools, sandbox):
    (sandbox / "a.txt").write_text(OLD)
    (sandbox / "b.txt").write_text(NEW)
    r = tools.ok("diff-calculator", type="file", old_file="a.txt", new_file="b.txt")
    assert r["result"]["diff"].startswith("--- a.txt\n+++ b.txt\n")
    missing = tools.failed("diff-calculator", type="file", old_file="a.txt", new_file="zz")
    assert missing["error_kind"] == "NotFoundError"
    (sandbox / "bin").write_bytes(b"\xff\xfe\x00")
    assert tools.failed("diff-calculator", type="file", old_file="a.txt", new_file="bin")


def test_file_outside_sandbox_denied(tools, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    with pytest.raises(SecurityError):
        tools("diff-calculator", type="file", old_file="a.txt", new_file=str(outside))
    with pytest.raises(SecurityError):
        tools("diff-calculator", type="file", old_file="../secret.txt", new_file="b.txt")


def test_misuse_and_limits(tools):
    with pytest.raises(ValidationError, match="parameter 'format'"):
        tools("diff-calculator", old_text="a", new_text="b", format="side_by_side")
    with pytest.raises(ValidationError, match="parameter 'type'"):
        tools("diff-calculator", type="xml")
    with pytest.raises(ValidationError, match="parameter 'old_text'"):
        tools("diff-calculator", old_text=1, new_text="b")
    assert tools.failed("diff-calculator", old_text="a")["error_kind"] == "ValidationError"
    tools.runtime.policy.max_input_bytes = 10
    with pytest.raises(SecurityError, match="over the limit"):
        tools("diff-calculator", old_text="a" * 6, new_text="b" * 6)
    with pytest.raises(SecurityError, match="over the limit"):
        tools("diff-calculator", type="json", old_json=["a" * 20], new_json=[])


# -- bounded work (issue 11) ------------------------------------------------------------


def test_repeated_lines_are_refused_promptly(tools):
    import time

    old = "same\n" * 20_000
    new = "same\n" * 19_999 + "other\n"
    start = time.monotonic()
    r = tools.failed("diff-calculator", old_text=old, new_text=new)
    assert r["error_kind"] == "LimitExceeded"
    assert "[tools.diff-calculator] max_work" in r["error"]
    r = tools.failed("diff-calculator", old_text="a " * 20_000, new_text="a " * 20_001,
                     format="inline")  # fmt: skip
    assert r["error_kind"] == "LimitExceeded" and "words" in r["error"]
    assert time.monotonic() - start < 10


def test_large_ordinary_diffs_still_work(tools):
    old = "".join(f"line {i}\n" for i in range(20_000))
    new = old.replace("line 500\n", "changed\n")
    r = tools.ok("diff-calculator", old_text=old, new_text=new, format="simple")
    assert r["result"]["diff"] == "- line 500\n+ changed\n"
