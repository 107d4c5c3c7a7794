"""file-search: plain and regex search, globs, context, limits."""

from __future__ import annotations


def _tree(root):
    (root / "src").mkdir()
    (root / "src" / "a.py").write_text("import os\nTODO: fix\nprint('x')\n")
    (root / "src" / "b.txt").write_text("todo later\nnothing\n")
    (root / "bin.dat").write_bytes(b"TODO\x00\x01")


def test_plain_case_insensitive_by_default(tools):
    _tree(tools.root)
    r = tools.ok("file-search", pattern="todo", path=".")
    files = sorted((m["file"], m["line"]) for m in r["result"]["matches"])
    assert files == [("./src/a.py", 2), ("./src/b.txt", 1)]
    assert {"file": "bin.dat", "reason": "binary"} in [
        {"file": s["file"].removeprefix("./"), "reason": s["reason"]}
        for s in r["result"]["skipped"]
    ]


def test_case_sensitive_regex_globs_context(tools):
    _tree(tools.root)
    r = tools.ok("file-search", pattern=r"^TODO:\s+\w+", path="src", use_regex=True,
                 case_sensitive=True, include="*.py", context_lines=1)  # fmt: skip
    (m,) = r["result"]["matches"]
    assert m["line"] == 2 and m["context_before"] == ["import os"]
    assert m["context_after"] == ["print('x')"]
    r = tools.ok("file-search", pattern="todo", path="src", exclude=["*.py"])
    assert [m["file"] for m in r["result"]["matches"]] == ["src/b.txt"]


def test_max_results_and_single_file(tools):
    (tools.root / "f.txt").write_text("x\n" * 50)
    r = tools.ok("file-search", pattern="x", path="f.txt", max_results=5)
    assert r["result"]["count"] == 5 and r["result"]["truncated"] is True


def test_bad_regex_and_missing_path(tools):
    (tools.root / "f.txt").write_text("x")
    assert tools.failed("file-search", pattern="(", path=".", use_regex=True)["error_kind"] == (
        "ValidationError"
    )
    assert tools.failed("file-search", pattern="x", path="nope")["error_kind"] == "NotFoundError"
    # a safe regex with a repeated group passes
    tools.ok("file-search", pattern=r"(ab)+", path=".", use_regex=True)


# -- regular expressions run with a time budget (issue 11) -------------------------------


def test_backtracking_regex_on_a_long_line_stops_promptly(tools, sandbox):
    import time

    (sandbox / "long.txt").write_text("a" * 200_000 + "\n")
    start = time.monotonic()
    r = tools.failed("file-search", pattern="a*a*a*a*a*[bc]", path="long.txt", use_regex=True)
    assert time.monotonic() - start < 15
    assert r["error_kind"] == "LimitExceeded"
    assert "took longer than" in r["error"]


def test_regex_search_still_finds_lines(tools, sandbox):
    (sandbox / "f.txt").write_text("alpha\nbeta\nGamma\n")
    r = tools.ok("file-search", pattern="^(al|ga)", path="f.txt", use_regex=True)
    assert [m["line"] for m in r["result"]["matches"]] == [1, 3]
