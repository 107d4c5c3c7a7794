"""pdf-processor: text, page ranges, metadata, encrypted and broken PDFs, denials."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmspell.errors import SecurityError, ValidationError


def make_pdf(path: Path, texts: list[str], *, title: str | None = None, password: str = "") -> Path:
    """A PDF with one page per text (Helvetica), written by pypdf itself."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    for text in texts:
        page = writer.add_blank_page(300, 200)
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    if title:
        writer.add_metadata({"/Title": title, "/Author": "Ada Lovelace"})
    if password:
        writer.encrypt(password)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


@pytest.fixture
def pdf(sandbox):
    return make_pdf(sandbox / "doc.pdf", ["Hello page one", "Second page", "Third page"],
                    title="Notes")  # fmt: skip


def test_extract_text_all_and_range(tools, pdf):
    r = tools.ok("pdf-processor", input="doc.pdf")
    assert "Hello page one" in r["text"] and "Third page" in r["text"]
    assert r["result"]["page_count"] == 3
    r = tools.ok("pdf-processor", operation="extract_text", input=str(pdf), start_page=2,
                 end_page=2)  # fmt: skip
    assert r["text"] == "Second page"
    assert (r["result"]["start_page"], r["result"]["end_page"]) == (2, 2)


def test_extract_pages(tools, pdf):
    r = tools.ok("pdf-processor", operation="extract_pages", input="doc.pdf", start_page=2)
    assert [p["page"] for p in r["result"]["pages"]] == [2, 3]
    assert r["result"]["pages"][1]["text"] == "Third page"
    # an end past the last page is clamped
    r = tools.ok("pdf-processor", operation="extract_pages", input="doc.pdf", end_page=99)
    assert len(r["result"]["pages"]) == 3


def test_metadata(tools, pdf):
    r = tools.ok("pdf-processor", operation="extract_metadata", input="doc.pdf")
    meta = r["result"]
    assert meta["title"] == "Notes" and meta["author"] == "Ada Lovelace"
    assert meta["page_count"] == 3 and meta["encrypted"] is False
    assert meta["pdf_version"].startswith("1.")


def test_bad_ranges(tools, pdf):
    assert "past the last page" in tools.failed("pdf-processor", input="doc.pdf",
                                                start_page=4)["error"]  # fmt: skip
    r = tools.failed("pdf-processor", input="doc.pdf", start_page=3, end_page=2)
    assert "before start_page" in r["error"]
    with pytest.raises(ValidationError, match="start_page"):
        tools("pdf-processor", input="doc.pdf", start_page=0)


def test_encrypted(tools, sandbox):
    make_pdf(sandbox / "secret.pdf", ["classified"], password="pw")
    assert "password" in tools.failed("pdf-processor", input="secret.pdf")["error"]
    assert "password" in tools.failed("pdf-processor", input="secret.pdf", password="no")["error"]
    r = tools.ok("pdf-processor", input="secret.pdf", password="pw")
    assert r["text"] == "classified"


def test_missing_and_broken_files(tools, sandbox):
    assert tools.failed("pdf-processor", input="nope.pdf")["error_kind"] == "NotFoundError"
    (sandbox / "fake.pdf").write_text("just text", encoding="utf-8")
    assert "not a PDF" in tools.failed("pdf-processor", input="fake.pdf")["error"]
    (sandbox / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    assert tools.failed("pdf-processor", input="broken.pdf")["error_kind"] == "FormatError"
    with pytest.raises(ValidationError, match="parameter 'input'"):
        tools("pdf-processor", operation="extract_text")


def test_outside_allowed_paths_is_denied(tools, tmp_path):
    outside = make_pdf(tmp_path / "outside.pdf", ["x"])
    with pytest.raises(SecurityError, match="denied"):
        tools("pdf-processor", input=str(outside))
    with pytest.raises(SecurityError):
        tools("pdf-processor", input="../outside.pdf")


def test_extracted_text_is_capped_by_the_setting(sandbox, pdf):
    import asyncio

    from llmspell.config import load_settings
    from llmspell.runtime import Runtime
    from llmspell.tools import execute_tool

    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(sandbox)}
    overrides = {("security", "allowed_paths"): [str(sandbox)],
                 ("tools", "pdf-processor"): {"max_output_chars": 20}}  # fmt: skip
    runtime = Runtime(load_settings(environ=env, use_files=False, overrides=overrides))
    try:
        tool = runtime.tools.get("pdf-processor")
        r = asyncio.run(execute_tool(tool, {"input": "doc.pdf"}, runtime.tool_context()))
        assert r["error_kind"] == "LimitExceeded"
        assert "[tools.pdf-processor] max_output_chars" in r["error"]
        r = asyncio.run(execute_tool(tool, {"input": "doc.pdf", "end_page": 1},
                                     runtime.tool_context()))  # fmt: skip
        assert r["success"] and r["text"] == "Hello page one"
    finally:
        runtime.close()
