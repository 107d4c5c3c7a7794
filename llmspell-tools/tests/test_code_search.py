"""code-search: symbols from real tree-sitter parses, text search, skipped files, limits
and the allowed paths. (The semantic operation: test_code_search_semantic.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmspell.errors import SecurityError

FIXTURES = Path(__file__).parent / "data" / "code"


@pytest.fixture
def tree(sandbox: Path) -> Path:
    """A source tree: the fixture files under src/, plus what must be skipped."""
    root = sandbox / "proj"
    shutil.copytree(FIXTURES, root / "src")
    for skipped in ("node_modules/lib", ".git/hooks", "env/lib"):
        (root / skipped).mkdir(parents=True)
    (root / "node_modules" / "lib" / "dep.js").write_text("function depFunction() {}\n")
    (root / ".git" / "hooks" / "hook.py").write_text("def git_hook(): pass\n")
    (root / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "env" / "lib" / "site.py").write_text("def venv_function(): pass\n")
    (root / "blob.py").write_bytes(b"def binary():\x00\x01\x02 pass\n")
    (root / "notes.txt").write_text("the reorder threshold is five\n")
    return root


def _symbols(result: dict) -> set[tuple[str, str, str]]:
    return {(s["file"], s["kind"], s["name"]) for s in result["result"]["symbols"]}


def test_symbols_of_every_language(tools, tree):
    r = tools.ok("code-search", operation="symbols", path="proj")
    found = _symbols(r)
    expected = {
        ("src/inventory.py", "class", "Item"),
        ("src/inventory.py", "method", "restock"),
        ("src/inventory.py", "function", "reorder_needed"),
        ("src/inventory.py", "function", "fetch_prices"),
        ("src/inventory.py", "function", "parse"),  # a local helper is not a method
        ("src/cart.js", "function", "cartTotal"),
        ("src/cart.js", "class", "Cart"),
        ("src/cart.js", "method", "addItem"),
        ("src/cart.js", "function", "applyDiscount"),
        ("src/shapes.ts", "interface", "Shape"),
        ("src/shapes.ts", "method", "area"),
        ("src/shapes.ts", "type", "Point"),
        ("src/shapes.ts", "enum", "Color"),
        ("src/shapes.ts", "class", "Circle"),
        ("src/shapes.ts", "function", "perimeter"),
        ("src/widget.tsx", "function", "Greeting"),
        ("src/queue.rs", "struct", "Queue"),
        ("src/queue.rs", "trait", "Drain"),
        ("src/queue.rs", "method", "drain_all"),
        ("src/queue.rs", "method", "new"),
        ("src/queue.rs", "method", "push"),
        ("src/queue.rs", "enum", "Priority"),
        ("src/queue.rs", "function", "checksum"),
        ("src/server.go", "struct", "Handler"),
        ("src/server.go", "interface", "Checker"),
        ("src/server.go", "method", "ServeHTTP"),
        ("src/server.go", "function", "NewHandler"),
        ("src/greeter.lua", "function", "M.greet"),
        ("src/greeter.lua", "method", "M:farewell"),
        ("src/greeter.lua", "function", "shout"),
        ("src/greeter.lua", "function", "M.whisper"),
    }
    assert expected <= found, expected - found
    names = {name for _, _, name in found}
    # .git, node_modules, a virtualenv and a binary file are never read
    assert not names & {"depFunction", "git_hook", "venv_function", "binary"}
    assert {"file": "blob.py", "reason": "binary"} in r["result"]["skipped"]
    assert r["result"]["files_scanned"] == 7


def test_symbol_lines_and_signatures(tools, tree):
    r = tools.ok("code-search", operation="symbols", path="proj/src/inventory.py")
    by_name = {s["name"]: s for s in r["result"]["symbols"]}
    restock = by_name["restock"]
    assert restock["line"] == 11 and restock["end_line"] == 13
    assert restock["signature"] == "def restock(self, amount: int) -> int"
    assert restock["parent"] == "Item" and restock["language"] == "python"
    assert by_name["reorder_needed"]["signature"] == (
        "def reorder_needed(item: Item, threshold: int = 5) -> bool"
    )
    r = tools.ok("code-search", operation="symbols", path="proj/src/queue.rs", kind="method")
    assert [(s["name"], s["parent"]) for s in r["result"]["symbols"]] == [
        ("drain_all", "Drain"), ("new", "Queue<T>"), ("push", "Queue<T>"),
    ]  # fmt: skip
    assert r["result"]["symbols"][2]["signature"] == (
        "pub fn push(&mut self, item: T) -> Result<(), T>"
    )
    assert "src/queue.rs" not in r["text"]  # paths are relative to the root given
    assert r["text"].splitlines()[0] == "queue.rs:8: [method] fn drain_all(&mut self) -> usize"


def test_symbols_filtered_by_name_and_kind(tools, tree):
    r = tools.ok("code-search", operation="symbols", path="proj", query="HANDLER")
    assert {s["name"] for s in r["result"]["symbols"]} == {"Handler", "NewHandler"}
    r = tools.ok("code-search", operation="symbols", path="proj", kind=["class", "struct"])
    assert {s["name"] for s in r["result"]["symbols"]} == {"Item", "Cart", "Circle", "Queue",
                                                           "Handler"}  # fmt: skip


def test_unknown_extensions_are_skipped_and_results_capped(tools, tree):
    (tree / "src" / "README.md").write_text("# def not_a_symbol():\n")
    r = tools.ok("code-search", operation="symbols", path="proj", max_results=3)
    assert r["result"]["count"] == 3 and r["result"]["truncated"] is True
    r = tools.ok("code-search", operation="symbols", path="proj/src/README.md")
    assert r["result"]["count"] == 0 and r["result"]["files_scanned"] == 0


def test_text_literal_with_columns_and_context(tools, tree):
    r = tools.ok("code-search", operation="text", path="proj", query="reorder threshold")
    files = [(m["file"], m["line"], m["column"]) for m in r["result"]["matches"]]
    assert files == [("notes.txt", 1, 5), ("src/inventory.py", 17, 47)]
    match = r["result"]["matches"][1]
    before = ["", "def reorder_needed(item: Item, threshold: int = 5) -> bool:"]
    assert match["context_before"] == before
    assert match["context_after"] == ["    return item.quantity < threshold", ""]
    assert r["text"].splitlines()[0] == "notes.txt:1:5: the reorder threshold is five"
    # literal: regex characters mean themselves; case-insensitive unless asked
    r = tools.ok("code-search", operation="text", path="proj", query="items.push(", context_lines=0)
    assert [m["file"] for m in r["result"]["matches"]] == ["src/cart.js", "src/queue.rs"]
    assert "context_before" not in r["result"]["matches"][0]
    r = tools.ok("code-search", operation="text", path="proj", query="CART", case_sensitive=True)
    assert r["result"]["count"] == 0


def test_text_regex_globs_and_skips(tools, tree):
    r = tools.ok("code-search", operation="text", path="proj", query=r"^func \w+\(",
                 regex=True, include="*.go")  # fmt: skip
    assert [(m["line"], m["text"]) for m in r["result"]["matches"]] == [
        (18, "func NewHandler(name string) *Handler {")
    ]
    r = tools.ok("code-search", operation="text", path="proj", query="function", exclude="*.lua")
    files = {m["file"] for m in r["result"]["matches"]}
    assert files == {"src/cart.js", "src/shapes.ts", "src/widget.tsx"}  # not node_modules
    r = tools.ok("code-search", operation="text", path="proj", query="def")
    assert {"file": "blob.py", "reason": "binary"} in r["result"]["skipped"]
    assert "git_hook" not in r["text"] and "venv_function" not in r["text"]


def test_bad_input(tools, tree):
    bad = tools.failed("code-search", operation="text", path="proj", query="(", regex=True)
    assert bad["error_kind"] == "ValidationError"
    bad = tools.failed("code-search", operation="text", path="proj")
    assert bad["error_kind"] == "ValidationError" and "query" in bad["error"]
    bad = tools.failed("code-search", operation="symbols", path="nope")
    assert bad["error_kind"] == "NotFoundError"
    with pytest.raises(SecurityError):
        tools("code-search", operation="symbols", path="/etc")
    from llmspell.errors import ValidationError

    with pytest.raises(ValidationError):
        tools("code-search", operation="grep", path="proj")


def test_backtracking_regex_stops(tools, tree):
    (tree / "long.txt").write_text("a" * 100_000 + "\n")
    bad = tools.failed("code-search", operation="text", path="proj/long.txt",
                       query="(a*)*a*a*a*[bc]", regex=True)  # fmt: skip
    assert bad["error_kind"] == "LimitExceeded"


def test_symlinks_out_of_the_allowed_paths_are_skipped(tools, tree, tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("def secret(): pass\n")
    (tree / "link.py").symlink_to(outside)
    (tree / "linkdir").symlink_to(tmp_path, target_is_directory=True)
    r = tools.ok("code-search", operation="symbols", path="proj")
    assert "secret" not in {s["name"] for s in r["result"]["symbols"]}
    assert {"file": "link.py", "reason": "symlink outside the allowed paths"} in (
        r["result"]["skipped"]
    )


def test_caps_from_settings(tools, sandbox, tree):
    from llmspell.config import load_settings
    from llmspell.runtime import Runtime

    overrides = {
        ("security", "allowed_paths"): [str(sandbox)],
        ("tools", "code-search"): {"max_files": 3, "max_file_bytes": 400},
    }
    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(sandbox)}
    runtime = Runtime(load_settings(environ=env, use_files=False, overrides=overrides))
    try:
        capped = type(tools)(runtime, sandbox)  # a ToolRunner on the capped runtime
        r = capped.ok("code-search", operation="symbols", path="proj/src")
        assert r["result"]["truncated"] is True
        assert any("larger than 400 bytes" in s["reason"] for s in r["result"]["skipped"])
        assert r["result"]["files_scanned"] == 3
    finally:
        runtime.close()


def test_missing_extra_names_the_pip_line(tools, tree, monkeypatch):
    import sys

    from llmspell_tools.search import _code_symbols

    monkeypatch.setitem(sys.modules, "tree_sitter", None)
    monkeypatch.setattr(_code_symbols, "_parsers", {})
    bad = tools.failed("code-search", operation="symbols", path="proj")
    assert bad["error_kind"] == "ConfigurationError"
    assert "pip install 'llmspell-tools[code]'" in bad["error"]


def test_the_skipped_list_is_capped(tools, sandbox):
    from llmspell_tools.search._code_files import MAX_SKIPPED

    blobs = sandbox / "blobs"
    blobs.mkdir()
    for n in range(MAX_SKIPPED + 5):
        (blobs / f"b{n:03}.py").write_bytes(b"\x00\x01")
    r = tools.ok("code-search", operation="symbols", path="blobs")
    skipped = r["result"]["skipped"]
    assert len(skipped) == MAX_SKIPPED + 1
    assert skipped[-1] == {"file": "...", "reason": "more files skipped, not listed"}
