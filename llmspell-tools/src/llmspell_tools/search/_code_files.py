"""The files of a source tree code-search reads: inside the allowed paths, without
version-control, dependency and virtual-environment directories, binary files or files
over the size cap, and never more than the file cap."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmspell.errors import SecurityError
from llmspell_tools._support import check, fail, resolve

__all__ = ["SKIP_DIRS", "SourceFile", "Tree", "is_binary", "scan"]

#: directories never entered (plus any directory holding a ``pyvenv.cfg``: a virtualenv)
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "node_modules", "bower_components", "__pycache__",
    ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".eggs", ".idea", ".vscode", ".cache", ".next", ".yarn",
})  # fmt: skip
#: the bytes looked at to tell a binary file (a NUL among them)
SNIFF_BYTES = 8192
#: the most directory entries one scan visits (files and directories, skipped ones too)
MAX_ENTRIES = 200_000
OUTSIDE = "symlink outside the allowed paths"
#: skipped files listed in a result
MAX_SKIPPED = 200


@dataclass
class SourceFile:
    """A file to read: its real path, the path shown (relative to the root), size, mtime."""

    real: Path
    rel: str
    size: int
    mtime_ns: int


@dataclass
class Tree:
    """The result of a scan: the files to read and what was skipped (with why)."""

    root: Path
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    truncated: bool = False

    def skip(self, file: str, reason: str) -> None:
        """Record a skipped file (the first :data:`MAX_SKIPPED`; then one line saying
        how many more)."""
        if len(self.skipped) < MAX_SKIPPED:
            self.skipped.append({"file": file, "reason": reason})
        elif len(self.skipped) == MAX_SKIPPED:
            self.skipped.append({"file": "...", "reason": "more files skipped, not listed"})


def is_binary(data: bytes) -> bool:
    """Whether ``data`` (the start of a file) looks binary: it holds a NUL byte."""
    return b"\x00" in data[:SNIFF_BYTES]


def _globs(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _wanted(rel: str, include: list[str], exclude: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]

    def hit(globs: list[str]) -> bool:
        return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(rel, g) for g in globs)

    return (not include or hit(include)) and not (exclude and hit(exclude))


def scan(
    ctx: Any,
    path: str,
    *,
    max_files: int,
    max_file_bytes: int,
    extensions: frozenset[str] | None = None,
    include: Any = None,
    exclude: Any = None,
) -> Tree:
    """The files under ``path`` (a directory or one file) to read, sorted by path.

    ``path`` must lie inside the allowed paths (SecurityError otherwise); symlinked
    directories are not followed, a symlinked file only when it resolves inside them.
    Only files with one of ``extensions`` (when given) and matching the globs count;
    files over ``max_file_bytes`` are skipped; past ``max_files`` the scan stops
    (``truncated``)."""
    root = resolve(ctx, path)
    if not root.exists():
        fail(f"{path!r} does not exist", kind="NotFoundError")
    cap = min(max_file_bytes, ctx.policy.max_input_bytes or max_file_bytes)
    inc, exc = _globs(include), _globs(exclude)
    if root.is_file():
        tree = Tree(root.parent)
        _add(tree, root, root.name, cap)
        return tree
    tree = Tree(root)
    entries = 0
    stack = [root]
    while stack and not tree.truncated:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                children = sorted(it, key=lambda e: e.name, reverse=True)
        except OSError as err:
            reason = str(err.strerror)
            tree.skip(_rel(root, Path(directory)), reason)
            continue
        if directory != root and any(c.name == "pyvenv.cfg" for c in children):
            continue  # a virtual environment
        dirs: list[Path] = []
        for child in reversed(children):
            entries += 1
            if entries % 256 == 0:
                check()
            if entries > MAX_ENTRIES:
                tree.truncated = True
                break
            item = Path(child.path)
            if child.is_dir(follow_symlinks=False):
                if child.name not in SKIP_DIRS:
                    dirs.append(item)
                continue
            rel = _rel(root, item)
            if extensions is not None and item.suffix.lower() not in extensions:
                continue
            if not _wanted(rel, inc, exc):
                continue
            if child.is_symlink():
                try:
                    item = resolve(ctx, item)
                except SecurityError:
                    tree.skip(rel, OUTSIDE)
                    continue
                if not item.is_file():
                    continue
            elif not child.is_file(follow_symlinks=False):
                continue
            if len(tree.files) >= max_files:
                tree.truncated = True
                break
            _add(tree, item, rel, cap)
        stack.extend(reversed(dirs))
    tree.files.sort(key=lambda f: f.rel)
    return tree


def _rel(root: Path, item: Path) -> str:
    try:
        return item.relative_to(root).as_posix()
    except ValueError:
        return item.as_posix()


def _add(tree: Tree, real: Path, rel: str, cap: int) -> None:
    try:
        stat = real.stat()
    except OSError as err:
        tree.skip(rel, str(err.strerror))
        return
    if stat.st_size > cap:
        tree.skip(rel, f"larger than {cap} bytes")
        return
    tree.files.append(SourceFile(real, rel, stat.st_size, stat.st_mtime_ns))


def read_source(tree: Tree, item: SourceFile) -> bytes | None:
    """The bytes of ``item``, or None (recorded in ``tree.skipped``) when it is binary or
    unreadable."""
    try:
        data = item.real.read_bytes()
    except OSError as err:
        tree.skip(item.rel, str(err.strerror))
        return None
    if is_binary(data):
        tree.skip(item.rel, "binary")
        return None
    return data
