"""archive-handler: list, extract and create zip, tar, tar.gz and tar.xz archives.

Extraction checks the whole archive before writing anything: every member's target is
resolved and must lie inside ``target_path`` and the allowed paths (no ``..``, absolute or
backslash names: zip-slip), symlink, hardlink and device members are refused, and the
member count, total uncompressed size, per-member size and compression ratio are capped
(decompression bombs). Any of these is a SecurityError and nothing is written. Listing is
bounded too: a zip's central directory is sized from its end record before it is parsed,
and a compressed tar is not decompressed past ``max_total_bytes`` of declared members.
Settings: ``[tools.archive-handler] max_members`` (10,000) and ``max_total_bytes`` (1 GiB);
each member is also capped by ``[security] max_input_bytes``. Files are
written atomically; if extraction still fails midway (a corrupt member), what it created
is removed again.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from llmspell.errors import SecurityError
from llmspell.tools import Tool
from llmspell_tools._support import (
    atomic_write,
    check,
    dispatch,
    fail,
    limit,
    output,
    over_limit,
    resolve,
)
from llmspell_tools.filesystem._paths import safe_tree

#: the most members an archive may have
MAX_MEMBERS = 10_000
#: the most bytes an extraction may write in total
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: the largest uncompressed/compressed ratio accepted (for members over RATIO_FLOOR bytes)
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
#: the most central-directory bytes per allowed member (a zip's directory is parsed whole)
DIRECTORY_BYTES_PER_MEMBER = 1024
TOOL_NAME = "archive-handler"


def _max_members(ctx: Any) -> int:
    return limit(ctx, TOOL_NAME, "max_members", MAX_MEMBERS)


def _max_total(ctx: Any) -> int:
    return limit(ctx, TOOL_NAME, "max_total_bytes", MAX_TOTAL_BYTES)


def _zip_directory_check(real: Path, max_members: int) -> None:
    """Refuse a zip whose central directory (read whole by :mod:`zipfile`) is too big,
    from its end record, before anything is parsed."""
    try:
        with real.open("rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
    except (OSError, zipfile.BadZipFile):
        return  # zipfile reports it
    if not end:
        return
    entries, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if entries > max_members:
        raise SecurityError(
            f"zip archive {real.name!r} has more than {max_members} members ({entries}; "
            "possible archive bomb)",
            hint=f"raise [tools.{TOOL_NAME}] max_members",
        )
    if directory > max_members * DIRECTORY_BYTES_PER_MEMBER:
        raise SecurityError(
            f"zip archive {real.name!r} has a {directory}-byte central directory, more than "
            f"{max_members} members may fill ({DIRECTORY_BYTES_PER_MEMBER} bytes each; "
            "possible archive bomb)",
            hint=f"raise [tools.{TOOL_NAME}] max_members",
        )


FORMATS = ("zip", "tar", "tar.gz", "tar.xz")
_SUFFIXES = {
    ".zip": "zip",
    ".tar": "tar",
    ".tar.gz": "tar.gz",
    ".tgz": "tar.gz",
    ".tar.xz": "tar.xz",
    ".txz": "tar.xz",
}
_TAR_MODES = {"tar": "", "tar.gz": "gz", "tar.xz": "xz"}
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class Member:
    """One archive entry, format-independent."""

    name: str
    kind: str  # file, directory, symlink, hardlink, other
    size: int
    compressed: int | None
    ref: Any


def _format(params: dict[str, Any], path: str) -> str:
    if params.get("format"):
        return str(params["format"])
    lower = path.lower()
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return _SUFFIXES[suffix]
    fail(
        f"cannot tell the archive format of {path!r} (pass format: {', '.join(FORMATS)})",
        kind="ValidationError",
    )


def _zip_members(zf: zipfile.ZipFile) -> Iterator[Member]:
    for info in zf.infolist():
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            kind = "symlink"
        elif info.is_dir():
            kind = "directory"
        elif stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            kind = "other"
        else:
            kind = "file"
        yield Member(info.filename, kind, info.file_size, info.compress_size, info)


def _tar_members(tf: tarfile.TarFile) -> Iterator[Member]:
    while (info := tf.next()) is not None:
        if info.issym():
            kind = "symlink"
        elif info.islnk():
            kind = "hardlink"
        elif info.isdir():
            kind = "directory"
        elif info.isfile():
            kind = "file"
        else:
            kind = "other"
        yield Member(info.name, kind, info.size, None, info)


class _Archive:
    """An open archive of either family with a bounded member scan."""

    def __init__(self, real: Path, fmt: str, max_members: int, max_total: int) -> None:
        self.fmt = fmt
        self.max_members = max_members
        self.max_total = max_total
        self.zip: zipfile.ZipFile | None = None
        self.tar: tarfile.TarFile | None = None
        try:
            if fmt == "zip":
                _zip_directory_check(real, max_members)
                self.zip = zipfile.ZipFile(real)
            else:
                self.tar = tarfile.open(real, f"r:{_TAR_MODES[fmt]}")  # type: ignore[call-overload]  # noqa: SIM115
        except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
            fail(f"cannot open {real.name!r} as {fmt}: {exc}")

    def members(self) -> list[Member]:
        """Every member, scanned within the member-count and (compressed tar) size caps."""
        found: list[Member] = []
        source = _zip_members(self.zip) if self.zip else _tar_members(self.tar)  # type: ignore[arg-type]
        declared = 0
        try:
            for member in source:
                check()
                found.append(member)
                if len(found) > self.max_members:
                    raise SecurityError(
                        f"archive has more than {self.max_members} members (possible archive bomb)",
                        hint=f"raise [tools.{TOOL_NAME}] max_members",
                    )
                declared += max(member.size, 0)
                if self.fmt in ("tar.gz", "tar.xz") and declared > self.max_total:
                    # reading the next header means decompressing this member's data
                    raise SecurityError(
                        f"compressed tar archive declares more than {self.max_total} bytes "
                        "of members (possible archive bomb)",
                        hint=f"raise [tools.{TOOL_NAME}] max_total_bytes",
                    )
        except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
            fail(f"corrupt {self.fmt} archive: {exc}")
        return found

    def open(self, member: Member) -> IO[bytes]:
        if self.zip is not None:
            return self.zip.open(member.ref)
        assert self.tar is not None
        handle = self.tar.extractfile(member.ref)
        if handle is None:
            fail(f"cannot read member {member.name!r}")
        return handle

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
        if self.tar is not None:
            self.tar.close()


def _open(ctx: Any, params: dict[str, Any]) -> tuple[_Archive, Path]:
    path = params.get("path")
    if not path:
        fail("parameter 'path' (the archive) is required", kind="ValidationError")
    fmt = _format(params, path)
    real = resolve(ctx, path, what="archive")
    if not real.is_file():
        fail(f"archive {path!r} does not exist", kind="NotFoundError")
    ctx.policy.check_size(real.stat().st_size, what=f"archive {path!r}")
    return _Archive(real, fmt, _max_members(ctx), _max_total(ctx)), real


def _list(params: dict[str, Any], ctx: Any) -> Any:
    archive, _ = _open(ctx, params)
    try:
        members = archive.members()
    finally:
        archive.close()
    entries = [
        {"name": m.name, "type": m.kind, "size": m.size, "compressed_size": m.compressed}
        for m in members
    ]
    return output(
        {"path": params["path"], "format": archive.fmt, "entries": entries, "count": len(entries)},
        text="\n".join(m.name for m in members),
    )


def _check_name(name: str) -> None:
    bad = (
        not name
        or "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or _DRIVE.match(name) is not None
        or ".." in name.split("/")
    )
    if bad:
        raise SecurityError(f"archive member {name!r} would be written outside the target")


def _plan(
    ctx: Any, archive: _Archive, archive_size: int, target: Path
) -> list[tuple[Member, Path]]:
    """Every member with its checked destination; SecurityError on any unsafe member."""
    members = archive.members()
    total = 0
    plan: list[tuple[Member, Path]] = []
    for m in members:
        check()
        if m.kind in ("symlink", "hardlink"):
            raise SecurityError(f"archive member {m.name!r} is a {m.kind}; links are refused")
        if m.kind == "other":
            raise SecurityError(f"archive member {m.name!r} is not a regular file or directory")
        _check_name(m.name)
        dest = (target / m.name).resolve(strict=False)
        if not dest.is_relative_to(target):
            raise SecurityError(f"archive member {m.name!r} would be written outside the target")
        dest = resolve(ctx, dest, what=f"archive member {m.name!r}")
        if m.kind == "file":
            ctx.policy.check_size(m.size, what=f"archive member {m.name!r}")
            total += m.size
            ratio_bad = m.compressed is not None and m.size > RATIO_FLOOR
            if ratio_bad and m.size > MAX_RATIO * max(m.compressed or 0, 1):
                raise SecurityError(
                    f"archive member {m.name!r} expands {m.size} bytes from "
                    f"{m.compressed} (ratio over {MAX_RATIO}: possible zip bomb)"
                )
        plan.append((m, dest))
    if total > archive.max_total:
        raise SecurityError(
            f"archive would extract {total} bytes, over the limit of {archive.max_total}",
            hint=f"raise [tools.{TOOL_NAME}] max_total_bytes",
        )
    if total > RATIO_FLOOR and total > MAX_RATIO * max(archive_size, 1):
        raise SecurityError(
            f"archive expands to {total} bytes from {archive_size} "
            f"(ratio over {MAX_RATIO}: possible archive bomb)"
        )
    return plan


def _extract(params: dict[str, Any], ctx: Any) -> Any:
    target_arg = params.get("target_path")
    if not target_arg:
        fail("parameter 'target_path' (the directory to extract to) is required",
             kind="ValidationError")  # fmt: skip
    target = resolve(ctx, target_arg, what="target_path")
    if target.exists() and not target.is_dir():
        fail(f"target {target_arg!r} is not a directory", operation="extract")
    archive, real = _open(ctx, params)
    written = 0
    try:
        plan = _plan(ctx, archive, real.stat().st_size, target)
        overwrite = bool(params.get("overwrite"))
        clashes = [m.name for m, dest in plan if m.kind == "file" and dest.exists()]
        if clashes and not overwrite:
            fail(f"{len(clashes)} files already exist in the target (first: {clashes[0]!r}); "
                 "pass overwrite=true", operation="extract")  # fmt: skip
        created: list[Path] = []
        try:
            if not target.exists():
                target.mkdir(parents=True)
                created.append(target)
            for m, dest in plan:
                check()
                for parent in reversed([dest, *dest.parents] if m.kind == "directory"
                                       else list(dest.parents)):  # fmt: skip
                    if parent.is_relative_to(target) and not parent.exists():
                        parent.mkdir()
                        created.append(parent)
                if m.kind != "file":
                    continue
                with archive.open(m) as fh:
                    data = fh.read(m.size + 1)
                if len(data) != m.size:
                    fail(f"member {m.name!r} does not have its declared size", operation="extract")
                written += len(data)
                if written > archive.max_total:
                    raise SecurityError(f"extraction passed {archive.max_total} bytes")
                existed = dest.exists()
                atomic_write(ctx, dest, data)
                if not existed:
                    created.append(dest)
        except BaseException:
            for path in reversed(created):
                if path.is_dir() and not path.is_symlink():
                    with contextlib.suppress(OSError):
                        path.rmdir()
                else:
                    path.unlink(missing_ok=True)
            raise
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, RuntimeError) as exc:
        fail(f"corrupt archive: {exc}", operation="extract")
    finally:
        archive.close()
    names = [m.name for m, _ in plan]
    return output(
        {"path": params["path"], "target_path": target_arg, "entries": names,
         "count": len(names), "bytes": written},
        text=f"Extracted {len(names)} entries to {target_arg}",
    )  # fmt: skip


def _sources(ctx: Any, params: dict[str, Any], out_real: Path) -> list[tuple[str, Path | None]]:
    raw = params.get("input")
    if not raw:
        fail("parameter 'input' (files to archive) is required", kind="ValidationError")
    items = [raw] if isinstance(raw, str) else list(raw)
    plan: list[tuple[str, Path | None]] = []
    total = 0
    most = _max_members(ctx)
    for item in items:
        check()
        real = resolve(ctx, item, what="input")
        if not real.exists():
            fail(f"input {item!r} does not exist", kind="NotFoundError", operation="create")
        base = Path(item).name if Path(item).name not in ("", ".", "..") else real.name
        if real.is_file():
            plan.append((base, real))
            total += real.stat().st_size
            continue
        plan.append((base + "/", None))
        for entry, target in safe_tree(ctx, real):
            check()
            if entry == out_real or target is None:
                continue
            arc = f"{base}/{entry.relative_to(real).as_posix()}"
            if target.is_dir():
                plan.append((arc + "/", None))
            else:
                plan.append((arc, target))
                total += target.stat().st_size
            if len(plan) > most:
                over_limit(
                    "the number of files to archive",
                    most,
                    setting=f"[tools.{TOOL_NAME}] max_members",
                    operation="create",
                )
    ctx.policy.check_size(total, what="the files to archive")
    return plan


def _create(params: dict[str, Any], ctx: Any) -> Any:
    path = params.get("path")
    if not path:
        fail("parameter 'path' (the archive to create) is required", kind="ValidationError")
    fmt = _format(params, path)
    out_real = resolve(ctx, path, what="archive")
    plan = _sources(ctx, params, out_real)
    buf = io.BytesIO()
    if fmt == "zip":
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for arc, real in plan:
                if real is None:
                    zf.writestr(zipfile.ZipInfo(arc), b"")
                else:
                    zf.write(real, arc)
    else:
        with tarfile.open(fileobj=buf, mode=f"w:{_TAR_MODES[fmt]}") as tf:  # type: ignore[call-overload]
            for arc, real in plan:
                if real is None:
                    info = tarfile.TarInfo(arc.rstrip("/"))
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tf.addfile(info)
                else:
                    info = tf.gettarinfo(os.fspath(real), arc)
                    with real.open("rb") as fh:
                        tf.addfile(info, fh)
    data = buf.getvalue()
    atomic_write(ctx, out_real, data)
    names = [arc for arc, _ in plan]
    return output(
        {"path": path, "format": fmt, "entries": names, "count": len(names), "size": len(data)},
        text=f"Created {path} with {len(names)} entries",
    )


def run(params: dict[str, Any], ctx: Any) -> Any:
    """List, extract or create an archive."""
    ops = {"list": _list, "extract": _extract, "create": _create}
    return dispatch(params, ops, params, ctx, default="list")


TOOL = Tool(
    name="archive-handler",
    description="List, extract or create zip, tar, tar.gz and tar.xz archives, with "
    "zip-slip, link and decompression-bomb protection.",
    category="filesystem",
    handler=run,
    timeout_seconds=120,
    security=("files",),
    settings={
        "max_members": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_MEMBERS,
            "description": "the most members one archive may have",
        },
        "max_total_bytes": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_TOTAL_BYTES,
            "description": "the most bytes an extraction may write",
        },
    },
    tags=("archive", "zip", "tar", "compression"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": ["list", "extract", "create"]},
            "path": {"type": "string", "description": "the archive"},
            "target_path": {"type": "string", "description": "directory to extract into"},
            "input": {
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                "description": "files and directories to put in a new archive",
            },
            "format": {"type": "string", "enum": list(FORMATS)},
            "overwrite": {"type": "boolean", "default": False},
        },
        "required": ["operation", "path"],
        "additionalProperties": False,
    },
)
