"""Path helpers the filesystem tools share: policy-checked entries and safe tree walks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llmspell.errors import SecurityError
from llmspell_tools._support import fail, resolve

#: the most entries a recursive walk visits before it stops (list, copy, search)
MAX_WALK_ENTRIES = 100_000


def entry(ctx: Any, path: str | os.PathLike[str], *, what: str = "path") -> tuple[Path, Path]:
    """``(real, link)`` for ``path``: ``real`` with every symlink resolved, ``link`` the
    directory entry itself (parent resolved, last component kept, so a symlink stays a
    symlink). Both must lie inside the allowed paths, else SecurityError."""
    real = resolve(ctx, path, what=what)
    raw = Path(os.fspath(path)).expanduser()
    if not raw.is_absolute():
        raw = Path(ctx.policy.cwd) / raw
    name = raw.name
    if name in ("", ".", ".."):
        return real, real
    parent = resolve(ctx, raw.parent, what=what)
    return real, parent / name


def is_allowed_root(ctx: Any, real: Path) -> bool:
    """Whether ``real`` is one of the allowed roots themselves (never deleted/moved)."""
    return any(real == Path(root) for root in ctx.policy.allowed_paths)


def checked_target(ctx: Any, link: Path) -> Path | None:
    """The policy-checked real target of a symlink found during a walk, or None when it
    dangles. SecurityError when it points outside the allowed paths."""
    real = resolve(ctx, link, what="symlink")
    return real if real.exists() else None


def walk(root: Path, *, recursive: bool = True) -> Iterator[Path]:
    """Every entry under the directory ``root`` in sorted depth-first order (a directory
    before its contents), not following symlinks; stops with a failure past
    :data:`MAX_WALK_ENTRIES`."""
    count = 0

    def children(directory: Path) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(directory) as it:
                return iter(sorted(it, key=lambda e: e.name))
        except OSError as exc:
            fail(f"cannot list {str(directory)!r}: {exc.strerror or exc}")

    stack = [children(root)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        count += 1
        if count > MAX_WALK_ENTRIES:
            fail(f"more than {MAX_WALK_ENTRIES} entries under {str(root)!r}")
        path = Path(child.path)
        yield path
        if recursive and child.is_dir(follow_symlinks=False):
            stack.append(children(path))


def safe_tree(ctx: Any, root: Path) -> list[tuple[Path, Path | None]]:
    """The entries under ``root`` as ``(entry, real)`` pairs for copying: regular
    files and directories map to themselves, symlinks to their checked target (None when
    dangling). SecurityError for a link leading outside the allowed paths; symlinked
    directories are refused (they could loop or escape the copy)."""
    out: list[tuple[Path, Path | None]] = []
    for path in walk(root):
        if path.is_symlink():
            target = checked_target(ctx, path)
            if target is not None and target.is_dir():
                fail(f"{str(path)!r} is a symlink to a directory; not followed")
            out.append((path, target))
        else:
            out.append((path, path))
    return out


__all__ = ["MAX_WALK_ENTRIES", "SecurityError", "checked_target", "entry", "safe_tree", "walk"]
