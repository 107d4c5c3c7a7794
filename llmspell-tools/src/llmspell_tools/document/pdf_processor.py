"""pdf-processor: text, per-page text and metadata of a PDF (pypdf).

Pages are numbered from 1; ``start_page``/``end_page`` select an inclusive range
(default: all pages). Encrypted PDFs are opened with ``password`` (or the empty
password); a wrong one is ``success=false``.
"""

from __future__ import annotations

import io
from typing import Any

from llmspell.tools import Tool, ToolFailure
from llmspell_tools._support import check, dispatch, fail, limit, output, over_limit, read_bytes

#: the default cap on extracted text (``[tools.pdf-processor] max_output_chars``)
MAX_OUTPUT_CHARS = 16 * 1024 * 1024


def _reader(ctx: Any, params: dict[str, Any]) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    path = params["input"]
    data = read_bytes(ctx, path, what="PDF")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        fail(f"{path!r} is not a PDF file (no %PDF header)", kind="FormatError")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt(params.get("password") or "")
            except (PyPdfError, NotImplementedError) as exc:
                fail(f"cannot decrypt {path!r}: {exc}", kind="FormatError")
            if not ok:
                fail(f"{path!r} is encrypted and the password is wrong or missing")
        _ = len(reader.pages)
    except PyPdfError as exc:
        fail(f"{path!r} is not a readable PDF: {exc}", kind="FormatError")
    return reader


def _range(reader: Any, params: dict[str, Any]) -> tuple[int, int]:
    count = len(reader.pages)
    start = int(params.get("start_page") or 1)
    end = int(params.get("end_page") or count)
    if count == 0:
        fail("the PDF has no pages")
    if start > count:
        fail(f"start_page {start} is past the last page ({count})", kind="ValidationError")
    if end < start:
        fail(f"end_page {end} is before start_page {start}", kind="ValidationError")
    return start, min(end, count)


def _page_texts(reader: Any, params: dict[str, Any], ctx: Any = None) -> tuple[int, int, list[str]]:
    """The text of each page in the range; the call's deadline is checked per page and
    the text is capped at ``[tools.pdf-processor] max_output_chars`` (16 Mi). pypdf
    itself caps each decompressed stream (``pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH``)."""
    start, end = _range(reader, params)
    cap = limit(ctx, "pdf-processor", "max_output_chars", MAX_OUTPUT_CHARS)
    texts: list[str] = []
    size = 0
    for number in range(start, end + 1):
        check()
        try:
            texts.append(reader.pages[number - 1].extract_text() or "")
        except ToolFailure:
            raise
        except Exception as exc:  # pypdf raises many kinds on damaged content streams
            fail(f"cannot extract the text of page {number}: {exc}", kind="FormatError")
        size += len(texts[-1])
        if size > cap:
            over_limit(
                f"the text of pages {start}-{number}",
                f"{cap} characters",
                setting="[tools.pdf-processor] max_output_chars (or extract fewer pages)",
            )
    return start, end, texts


def _extract_text(ctx: Any, params: dict[str, Any]) -> Any:
    reader = _reader(ctx, params)
    start, end, texts = _page_texts(reader, params, ctx)
    text = "\n\n".join(texts)
    result = {"page_count": len(reader.pages), "start_page": start, "end_page": end,
              "characters": len(text), "text": text}  # fmt: skip
    return output(result, text=text)


def _extract_pages(ctx: Any, params: dict[str, Any]) -> Any:
    reader = _reader(ctx, params)
    start, end, texts = _page_texts(reader, params, ctx)
    pages = [{"page": start + i, "text": t} for i, t in enumerate(texts)]
    result = {"page_count": len(reader.pages), "start_page": start, "end_page": end,
              "pages": pages}  # fmt: skip
    return output(result, text="\n\n".join(texts))


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _extract_metadata(ctx: Any, params: dict[str, Any]) -> Any:
    reader = _reader(ctx, params)
    meta = reader.metadata
    result: dict[str, Any] = {
        "page_count": len(reader.pages),
        "encrypted": bool(reader.is_encrypted),
        "pdf_version": reader.pdf_header.replace("%PDF-", ""),
        "title": None, "author": None, "subject": None, "creator": None, "producer": None,
        "keywords": None, "creation_date": None, "modification_date": None,
    }  # fmt: skip
    if meta is not None:
        result.update(
            title=meta.title,
            author=meta.author,
            subject=meta.subject,
            creator=meta.creator,
            producer=meta.producer,
            keywords=meta.get("/Keywords"),
        )
        for key in ("creation_date", "modification_date"):
            try:
                result[key] = _date(getattr(meta, key))
            except (ValueError, TypeError):  # a malformed date string
                result[key] = None
    for key, value in list(result.items()):
        if value is not None and not isinstance(value, bool | int | float):
            result[key] = str(value)
    text = f"{result['page_count']} page(s)" + (f", {result['title']!r}" if result["title"] else "")
    return output(result, text=text)


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Extract text, per-page text or metadata from a PDF."""
    ops = {"extract_text": _extract_text, "extract_pages": _extract_pages,
           "extract_metadata": _extract_metadata}  # fmt: skip
    return dispatch(params, ops, ctx, params, default="extract_text")


TOOL = Tool(
    name="pdf-processor",
    description="Extract the text (all of it or per page, for a page range) or the "
    "metadata (title, author, dates, page count) of a PDF file.",
    category="document",
    handler=run,
    timeout_seconds=60,
    security=("files",),
    settings={
        "max_output_chars": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_OUTPUT_CHARS,
            "description": "the most text extracted, in characters",
        },
    },
    tags=("pdf", "document", "text", "extract", "pypdf"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["extract_text", "extract_metadata", "extract_pages"],
                "default": "extract_text",
            },
            "input": {"type": "string", "description": "path of the PDF file"},
            "start_page": {
                "type": "integer",
                "minimum": 1,
                "description": "first page (1-based, default 1)",
            },
            "end_page": {
                "type": "integer",
                "minimum": 1,
                "description": "last page, inclusive (default: the last)",
            },
            "password": {"type": "string", "description": "password of an encrypted PDF"},
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
