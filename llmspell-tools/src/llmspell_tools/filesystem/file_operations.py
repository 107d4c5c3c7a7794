"""file-operations: read, write, list, copy, move and delete files inside the allowed paths.

Every path goes through the security policy (symlinks and ``..`` resolved first); writes
are atomic (temporary file + rename); recursive copies never follow links out of the
allowed paths; deletes and moves act on a symlink itself, never on what it points to.
"""

from __future__ import annotations

import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from llmspell.errors import SecurityError
from llmspell.tools import Tool
from llmspell_tools._support import (
    atomic_write,
    dispatch,
    fail,
    output,
    read_bytes,
    resolve,
)
from llmspell_tools.filesystem._paths import entry, is_allowed_root, safe_tree, walk

#: the most entries ``list_dir`` returns
MAX_LIST_ENTRIES = 10_000

ALIASES = {
    "mkdir": "create_dir",
    "ls": "list_dir",
    "dir": "list_dir",
    "cp": "copy",
    "mv": "move",
    "rename": "move",
    "stat": "metadata",
    "info": "metadata",
}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _kind(path: Path) -> str:
    if path.is_symlink():
        return "symlink"
    if path.is_dir():
        return "directory"
    if path.is_file():
        return "file"
    return "other" if path.exists() else "missing"


def _need(params: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = params.get(key)
        if value:
            return str(value)
    fail(f"parameter {keys[0]!r} is required for this operation", kind="ValidationError")


def _content(ctx: Any, params: dict[str, Any]) -> bytes:
    if "input" not in params:
        fail("parameter 'input' (the content) is required", kind="ValidationError")
    data = str(params["input"]).encode(params.get("encoding") or "utf-8")
    ctx.policy.check_size(len(data), what="content")
    return data


# -- operations ---------------------------------------------------------------------------


def _read(params: dict[str, Any], ctx: Any) -> Any:
    path = _need(params, "path")
    encoding = params.get("encoding") or "utf-8"
    data = read_bytes(ctx, path)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        fail(f"file {path!r} is not valid {encoding} text (byte {exc.start})", operation="read")
    except LookupError:
        fail(f"unknown encoding {encoding!r}", kind="ValidationError")
    return output({"path": path, "size": len(data), "content": text}, text=text)


def _write(params: dict[str, Any], ctx: Any, *, append: bool = False) -> Any:
    path = _need(params, "path")
    real = resolve(ctx, path)
    data = _content(ctx, params)
    if real.is_dir():
        fail(f"{path!r} is a directory", operation="append" if append else "write")
    if append and real.exists():
        ctx.policy.check_size(real.stat().st_size + len(data), what=f"file {path!r}")
    atomic_write(ctx, real, data, append=append)
    verb = "Appended" if append else "Wrote"
    return output(
        {"path": path, "bytes_written": len(data)}, text=f"{verb} {len(data)} bytes to {path}"
    )


def _append(params: dict[str, Any], ctx: Any) -> Any:
    return _write(params, ctx, append=True)


def _delete(params: dict[str, Any], ctx: Any) -> Any:
    path = _need(params, "path")
    real, link = entry(ctx, path)
    if is_allowed_root(ctx, real) or is_allowed_root(ctx, link):
        raise SecurityError(f"refusing to delete {path!r}: it is an allowed root directory")
    if link.is_symlink():
        link.unlink()
        kind = "symlink"
    elif not link.exists():
        fail(f"{path!r} does not exist", kind="NotFoundError", operation="delete")
    elif link.is_dir():
        kind = "directory"
        if params.get("recursive"):
            shutil.rmtree(link)
        else:
            try:
                link.rmdir()
            except OSError:
                fail(f"directory {path!r} is not empty (pass recursive=true)", operation="delete")
    else:
        kind = "file"
        link.unlink()
    return output({"path": path, "deleted": True, "type": kind}, text=f"Deleted {path}")


def _create_dir(params: dict[str, Any], ctx: Any) -> Any:
    path = _need(params, "path")
    real = resolve(ctx, path)
    if real.exists() and not real.is_dir():
        fail(f"{path!r} exists and is not a directory", operation="create_dir")
    created = not real.exists()
    try:
        real.mkdir(parents=params.get("recursive", True), exist_ok=True)
    except FileNotFoundError:
        fail(f"the parent of {path!r} does not exist (pass recursive=true)")
    return output({"path": path, "created": created}, text=f"Created directory {path}")


def _describe(path: Path, base: Path) -> dict[str, Any]:
    st = path.lstat()
    return {
        "name": path.name,
        "path": path.relative_to(base).as_posix(),
        "type": _kind(path),
        "size": st.st_size,
        "modified": _iso(st.st_mtime),
    }


def _list_dir(params: dict[str, Any], ctx: Any) -> Any:
    path = params.get("path") or "."
    real = resolve(ctx, path)
    if not real.exists():
        fail(f"{path!r} does not exist", kind="NotFoundError", operation="list_dir")
    if not real.is_dir():
        fail(f"{path!r} is not a directory", operation="list_dir")
    entries: list[dict[str, Any]] = []
    truncated = False
    for child in walk(real, recursive=bool(params.get("recursive"))):
        if len(entries) >= MAX_LIST_ENTRIES:
            truncated = True
            break
        entries.append(_describe(child, real))
    return output(
        {"path": path, "entries": entries, "count": len(entries), "truncated": truncated},
        text="\n".join(e["path"] for e in entries),
    )


def _destination(ctx: Any, source: Path, target_arg: str) -> Path:
    """The real destination: inside ``target`` when it is an existing directory."""
    target = resolve(ctx, target_arg, what="target_path")
    if target.is_dir():
        target = resolve(ctx, target / source.name, what="target_path")
    return target


def _copy(params: dict[str, Any], ctx: Any) -> Any:
    source_arg = _need(params, "source_path", "path")
    target_arg = _need(params, "target_path")
    source = resolve(ctx, source_arg, what="source_path")
    if not source.exists():
        fail(f"{source_arg!r} does not exist", kind="NotFoundError", operation="copy")
    target = _destination(ctx, source, target_arg)
    if source == target:
        fail("source and target are the same file", operation="copy")
    if source.is_file():
        atomic_write(ctx, target, read_bytes(ctx, source, what="source_path"))
        return output(
            {"source_path": source_arg, "target_path": target_arg, "files": 1},
            text=f"Copied {source_arg} to {target_arg}",
        )
    if not params.get("recursive"):
        fail(f"{source_arg!r} is a directory (pass recursive=true)", operation="copy")
    if target == source or target.is_relative_to(source):
        fail("cannot copy a directory into itself", operation="copy")
    if target.exists():
        fail(f"target {target_arg!r} already exists", operation="copy")
    # check everything before writing anything: links, sizes, destinations
    plan: list[tuple[Path, Path | None]] = []
    for item, real in safe_tree(ctx, source):
        dest = resolve(ctx, target / item.relative_to(source), what="target_path")
        if real is not None and real.is_file():
            ctx.policy.check_size(real.stat().st_size, what=f"file {str(item)!r}")
        plan.append((dest, real))
    target.mkdir(parents=True)
    files = 0
    for dest, real in plan:
        if real is None:  # a dangling symlink: nothing to copy
            continue
        if real.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif real.is_file():
            atomic_write(ctx, dest, real.read_bytes())
            files += 1
    return output(
        {"source_path": source_arg, "target_path": target_arg, "files": files},
        text=f"Copied {source_arg} to {target_arg} ({files} files)",
    )


def _move(params: dict[str, Any], ctx: Any) -> Any:
    source_arg = _need(params, "source_path", "path")
    target_arg = _need(params, "target_path")
    real, link = entry(ctx, source_arg, what="source_path")
    if not link.exists() and not link.is_symlink():
        fail(f"{source_arg!r} does not exist", kind="NotFoundError", operation="move")
    if is_allowed_root(ctx, link) or is_allowed_root(ctx, real):
        raise SecurityError(f"refusing to move {source_arg!r}: it is an allowed root directory")
    target = _destination(ctx, link, target_arg)
    if link.is_dir() and not link.is_symlink() and target.is_relative_to(link):
        fail("cannot move a directory into itself", operation="move")
    if target.is_dir() and not link.is_dir():
        fail(f"target {target_arg!r} is a directory", operation="move")
    if link.is_dir() and not link.is_symlink():
        # a tree moved elsewhere must not carry links that lead outside
        safe_tree(ctx, link)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(link, target)
    except OSError:  # another filesystem: copy then delete
        shutil.move(os.fspath(link), os.fspath(target))
    return output(
        {"source_path": source_arg, "target_path": target_arg},
        text=f"Moved {source_arg} to {target_arg}",
    )


def _metadata(params: dict[str, Any], ctx: Any) -> Any:
    path = _need(params, "path")
    real, link = entry(ctx, path)
    if not link.exists() and not link.is_symlink():
        fail(f"{path!r} does not exist", kind="NotFoundError", operation="metadata")
    lst = link.lstat()
    st = real.stat() if real.exists() else lst
    info: dict[str, Any] = {
        "path": path,
        "real_path": str(real),
        "type": _kind(real) if real.exists() else "symlink",
        "is_symlink": link.is_symlink(),
        "size": st.st_size,
        "permissions": oct(stat.S_IMODE(st.st_mode)),
        "modified": _iso(st.st_mtime),
        "accessed": _iso(st.st_atime),
        "created": _iso(getattr(st, "st_birthtime", st.st_ctime)),
        "readonly": not os.access(real, os.W_OK),
    }
    return output(info, text=f"{path}: {info['type']}, {info['size']} bytes")


def _exists(params: dict[str, Any], ctx: Any) -> Any:
    path = _need(params, "path")
    real = resolve(ctx, path)
    exists = real.exists()
    kind = _kind(real) if exists else None
    return output({"path": path, "exists": exists, "type": kind}, text=str(exists).lower())


OPERATIONS = {
    "read": _read,
    "write": _write,
    "append": _append,
    "delete": _delete,
    "create_dir": _create_dir,
    "list_dir": _list_dir,
    "copy": _copy,
    "move": _move,
    "metadata": _metadata,
    "exists": _exists,
}


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Dispatch to the operation (aliases such as ``ls``/``cp``/``mv`` accepted)."""
    return dispatch(params, OPERATIONS, params, ctx, aliases=ALIASES)


TOOL = Tool(
    name="file-operations",
    description="Read, write, append, delete, copy, move, list and inspect files and "
    "directories inside the allowed paths (atomic writes).",
    category="filesystem",
    handler=run,
    timeout_seconds=60,
    security=("files",),
    tags=("file", "filesystem", "io"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": [*OPERATIONS, *ALIASES]},
            "path": {"type": "string", "description": "the file or directory"},
            "input": {"type": "string", "description": "content to write or append"},
            "source_path": {"type": "string", "description": "copy/move source"},
            "target_path": {"type": "string", "description": "copy/move destination"},
            "recursive": {
                "type": "boolean",
                "description": "list/copy/delete directories recursively; create parents",
            },
            "encoding": {"type": "string", "default": "utf-8"},
        },
        "required": ["operation"],
        "additionalProperties": False,
    },
)
