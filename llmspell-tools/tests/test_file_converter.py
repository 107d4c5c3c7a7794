"""file-converter: encoding detection/conversion, line endings, indentation."""

from __future__ import annotations


def test_encoding_detected_and_converted(tools):
    text = "Ça coûte très cher, déjà été là-bas. " * 5
    (tools.root / "l1.txt").write_bytes(text.encode("cp1252"))
    r = tools.ok("file-converter", operation="encoding", path="l1.txt", target_path="u.txt",
                 from_encoding="cp1252")  # fmt: skip
    assert (tools.root / "u.txt").read_text(encoding="utf-8") == text
    assert r["result"]["to_encoding"] == "utf-8"
    # detection (no from_encoding): a UTF-16 file with its BOM
    (tools.root / "u16.txt").write_text(text, encoding="utf-16")
    r = tools.ok("file-converter", operation="encoding", path="u16.txt")
    assert (tools.root / "u16.txt").read_text(encoding="utf-8") == text
    assert "16" in r["result"]["from_encoding"]
    tools.ok("file-converter", operation="encoding", path="u.txt", from_encoding="utf-8",
             to_encoding="utf-16")  # fmt: skip
    assert (tools.root / "u.txt").read_bytes().decode("utf-16") == text


def test_line_endings(tools):
    (tools.root / "m.txt").write_bytes(b"a\r\nb\rc\nd")
    r = tools.ok("file-converter", operation="line_endings", path="m.txt", line_ending="crlf")
    assert (tools.root / "m.txt").read_bytes() == b"a\r\nb\r\nc\r\nd"
    assert r["result"]["found"] == {"crlf": 1, "cr": 1, "lf": 1}
    tools.ok("file-converter", operation="line_endings", path="m.txt")
    assert (tools.root / "m.txt").read_bytes() == b"a\nb\nc\nd"


def test_indentation(tools):
    (tools.root / "i.py").write_text("def f():\n\treturn 1\n\t\tx\n")
    r = tools.ok("file-converter", operation="indentation", path="i.py", tab_size=2)
    assert (tools.root / "i.py").read_text() == "def f():\n  return 1\n    x\n"
    assert r["result"]["lines_changed"] == 2
    tools.ok("file-converter", operation="indentation", path="i.py", tab_size=2,
             indent_style="tabs")  # fmt: skip
    assert (tools.root / "i.py").read_text() == "def f():\n\treturn 1\n\t\tx\n"


def test_failures(tools):
    assert tools.failed("file-converter", operation="encoding", path="x")["error_kind"] == (
        "NotFoundError"
    )
    (tools.root / "t.txt").write_text("ü")
    r = tools.failed("file-converter", operation="encoding", path="t.txt", to_encoding="ascii")
    assert "cannot be encoded" in r["error"]
    assert (tools.root / "t.txt").read_text() == "ü"
