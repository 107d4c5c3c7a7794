"""file-converter: change a text file's encoding, line endings or indentation.

The source encoding is detected with charset-normalizer unless ``from_encoding`` is
given. The result is written atomically to ``target_path`` (default: the file itself).
"""

from __future__ import annotations

import re
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import atomic_write, dispatch, fail, output, read_bytes, resolve

ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LEADING = re.compile(r"^[ \t]+", re.MULTILINE)


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    if not data:
        return "utf-8"
    best = from_bytes(data).best()
    if best is None:
        fail("cannot detect the file's encoding (pass from_encoding)", operation="encoding")
    encoding: str = best.encoding
    return encoding


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        fail(f"unknown encoding {encoding!r}", kind="ValidationError")
    except UnicodeDecodeError as exc:
        fail(f"the file is not valid {encoding} (byte {exc.start})")


def _load(params: dict[str, Any], ctx: Any) -> tuple[bytes, str, str]:
    data = read_bytes(ctx, params["path"])
    source = params.get("from_encoding") or _detect(data)
    return data, source, _decode(data, source)


def _save(params: dict[str, Any], ctx: Any, text: str, encoding: str) -> dict[str, Any]:
    try:
        data = text.encode(encoding)
    except LookupError:
        fail(f"unknown encoding {encoding!r}", kind="ValidationError")
    except UnicodeEncodeError as exc:
        fail(f"character {exc.object[exc.start]!r} cannot be encoded as {encoding}")
    target = params.get("target_path") or params["path"]
    resolve(ctx, target, what="target_path")  # checked before anything is written
    atomic_write(ctx, target, data)
    return {"path": params["path"], "target_path": target, "bytes_written": len(data)}


def _encoding(params: dict[str, Any], ctx: Any) -> Any:
    _, source, text = _load(params, ctx)
    target = params.get("to_encoding") or "utf-8"
    info = _save(params, ctx, text, target)
    info.update(from_encoding=source, to_encoding=target)
    return output(info, text=f"Converted {info['path']} from {source} to {target}")


def _line_endings(params: dict[str, Any], ctx: Any) -> Any:
    _, source, text = _load(params, ctx)
    style = params.get("line_ending") or "lf"
    counts = {
        "crlf": text.count("\r\n"),
        "cr": text.count("\r") - text.count("\r\n"),
        "lf": text.count("\n") - text.count("\r\n"),
    }
    converted = _LINE_BREAK.sub(ENDINGS[style], text)
    info = _save(params, ctx, converted, params.get("to_encoding") or source)
    info.update(line_ending=style, found=counts, encoding=params.get("to_encoding") or source)
    return output(info, text=f"Converted {info['path']} to {style.upper()} line endings")


def _rs_style(params: dict[str, Any]) -> str:
    """rs-llmspell's ``convert_to_spaces`` (default true) as an indent style."""
    return "tabs" if params.get("convert_to_spaces") is False else "spaces"


def _indentation(params: dict[str, Any], ctx: Any) -> Any:
    _, source, text = _load(params, ctx)
    size = int(params.get("tab_size", 4))
    style = params.get("indent_style") or _rs_style(params)
    changed = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal changed
        width = 0
        for ch in m.group(0):
            width = (width // size + 1) * size if ch == "\t" else width + 1
        new = " " * width if style == "spaces" else "\t" * (width // size) + " " * (width % size)
        changed += new != m.group(0)
        return new

    converted = _LEADING.sub(fix, text)
    info = _save(params, ctx, converted, params.get("to_encoding") or source)
    info.update(indent_style=style, tab_size=size, lines_changed=changed)
    return output(info, text=f"Re-indented {changed} lines of {info['path']} with {style}")


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Convert the file's encoding, line endings or indentation."""
    ops = {"encoding": _encoding, "line_endings": _line_endings, "indentation": _indentation}
    return dispatch(params, ops, params, ctx)


TOOL = Tool(
    name="file-converter",
    description="Convert a text file's encoding (with detection), line endings "
    "(lf/crlf/cr) or indentation (tabs/spaces); writes atomically.",
    category="filesystem",
    handler=run,
    timeout_seconds=60,
    security=("files",),
    tags=("file", "encoding", "convert"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": ["encoding", "line_endings", "indentation"]},
            "path": {"type": "string"},
            "target_path": {"type": "string", "description": "default: overwrite path"},
            "from_encoding": {"type": "string", "description": "default: detected"},
            "to_encoding": {"type": "string", "description": "default: utf-8 / unchanged"},
            "line_ending": {"type": "string", "enum": list(ENDINGS), "default": "lf"},
            "tab_size": {"type": "integer", "minimum": 1, "maximum": 16, "default": 4},
            "indent_style": {"type": "string", "enum": ["spaces", "tabs"], "default": "spaces"},
            "convert_to_spaces": {
                "type": "boolean",
                "description": "rs-llmspell's switch: true = indent_style spaces, false = tabs",
            },
        },
        "required": ["operation", "path"],
        "additionalProperties": False,
    },
)
