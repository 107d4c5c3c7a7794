"""Files to text for ``RAG.ingest_file``: plain text, Markdown, HTML and PDF.

Every path passes the security policy's read check (inside ``[security] allowed_paths``)
and the size caps (the file itself up to ``[security] max_input_bytes``, its text up to
``[rag] max_document_bytes``). Binary files are refused with a clear error.
"""

from __future__ import annotations

import io
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from llmspell.errors import NotFoundError, ValidationError

__all__ = ["SUFFIXES", "extract_text", "html_to_text"]

#: the file types ingest_file reads, by suffix
SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}

_SKIP = {"script", "style", "head", "noscript", "template", "svg"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr", "title",
}  # fmt: skip


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n" if tag in ("p", "div", "section", "article") else "\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page (scripts, styles and the head left out)."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _read(real: Path, shown: str, limit: int) -> bytes:
    with real.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            f"file {shown!r} is over the limit of {limit} bytes",
            hint="split it, or raise [security] max_input_bytes / [rag] max_document_bytes",
        )
    return data


def _decode(data: bytes, shown: str) -> str:
    if b"\x00" in data[:8192]:
        raise ValidationError(
            f"file {shown!r} is binary, not text",
            hint="ingest_file reads .txt, .md, .html/.htm and .pdf files",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"file {shown!r} is not UTF-8 text (bad byte at offset {exc.start}); "
            "binary files cannot be ingested",
            hint="convert it to UTF-8 text first",
        ) from None


def _pdf_text(data: bytes, shown: str) -> str:
    from llmspell.extras import require

    pypdf = require("pypdf", dist="llmspell-core", extra="rag", what="reading PDF files")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError(f"PDF {shown!r} is encrypted; it cannot be read")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        raise ValidationError(f"PDF {shown!r} cannot be read: {exc}") from None
    return "\n\n".join(p.strip() for p in pages if p.strip())


def extract_text(policy: Any, path: str, *, max_bytes: int) -> tuple[str, dict[str, Any]]:
    """``(text, metadata)`` of the file at ``path`` (``metadata``: source, file name and
    type). Raises SecurityError outside the allowed paths, NotFoundError for a missing
    file, ValidationError for an unknown type, a binary or over-large file."""
    real: Path = policy.resolve_path(path, what="document")
    if not real.exists():
        raise NotFoundError(f"document {path!r} does not exist")
    if not real.is_file():
        raise ValidationError(f"document {path!r} is not a regular file")
    kind = SUFFIXES.get(real.suffix.lower())
    if kind is None:
        raise ValidationError(
            f"document {path!r}: unsupported file type {real.suffix or '(none)'!r}",
            hint="ingest_file reads .txt, .md, .html/.htm and .pdf files",
        )
    size = real.stat().st_size
    policy.check_size(size, what=f"document {path!r}")
    limit = policy.max_input_bytes if kind == "pdf" else min(policy.max_input_bytes, max_bytes)
    data = _read(real, path, limit)
    if kind == "pdf":
        if not data.startswith(b"%PDF"):
            raise ValidationError(f"file {path!r} is not a PDF (no %PDF header)")
        text = _pdf_text(data, path)
    else:
        text = _decode(data, path)
        if kind == "html":
            text = html_to_text(text)
    meta = {"source": os.fspath(path), "file_name": real.name, "file_type": kind}
    return text, meta
