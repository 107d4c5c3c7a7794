"""Finding the ``llmspell`` entry points without :mod:`importlib.metadata`.

``importlib.metadata`` imports ``email``, ``zipfile`` and ``csv`` and parses every
distribution's metadata — about a tenth of a cold ``llmspell run``. The installed
distributions' ``entry_points.txt`` files say all the plugin loader needs, so this module
reads them directly from the ``*.dist-info`` / ``*.egg-info`` folders on ``sys.path``,
with the same rules (the first distribution of a name on ``sys.path`` wins). When
``sys.path`` holds anything but folders (a zip file, an egg), it falls back to
``importlib.metadata``.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

__all__ = ["FoundEntryPoint", "entry_points", "remember"]

#: the groups already scanned, kept once :func:`remember` was called
_remembered: dict[str, list[FoundEntryPoint]] | None = None


@dataclass(frozen=True)
class FoundEntryPoint:
    """One entry point: its name, ``module:attr`` value and distribution."""

    name: str
    value: str
    dist_name: str | None
    dist_version: str | None

    def load(self) -> Any:
        """Import the module and return the object the value names."""
        module_name, _, attrs = self.value.partition(":")
        obj: Any = importlib.import_module(module_name.strip())
        for attr in filter(None, attrs.strip().split(".")):
            obj = getattr(obj, attr)
        return obj


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def remember() -> None:
    """Scan each group once from now on: later calls answer from the first scan. For a
    long-lived process whose installed distributions do not change while it lives (a
    service's warm worker, which scans while it waits for its run)."""
    global _remembered
    if _remembered is None:
        _remembered = {}


def entry_points(group: str) -> list[FoundEntryPoint]:
    """Every entry point in ``group`` of the installed distributions."""
    if _remembered is not None:
        if group not in _remembered:
            _remembered[group] = _scan(group)
        return list(_remembered[group])
    return _scan(group)


def _scan(group: str) -> list[FoundEntryPoint]:
    folders = [p or os.curdir for p in sys.path]
    if any(os.path.isfile(p) for p in folders):
        return _from_importlib(group)
    found: list[FoundEntryPoint] = []
    seen: set[str] = set()
    for folder in folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for entry in names:
            if not entry.endswith((".dist-info", ".egg-info")):
                continue
            stem = entry.rsplit(".", 1)[0]
            dist_key = _normalized(stem.split("-", 1)[0])
            if dist_key in seen:
                continue
            seen.add(dist_key)
            path = os.path.join(folder, entry, "entry_points.txt")
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except OSError:
                continue
            points = _parse(text, group)
            if not points:
                continue
            name, version = _name_version(os.path.join(folder, entry))
            found.extend(FoundEntryPoint(n, v, name, version) for n, v in points)
    return found


def _parse(text: str, group: str) -> list[tuple[str, str]]:
    """``(name, value)`` pairs of ``[group]`` in an ``entry_points.txt``."""
    points: list[tuple[str, str]] = []
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        if current == group and "=" in line:
            name, _, value = line.partition("=")
            points.append((name.strip(), value.strip()))
    return points


def _name_version(dist_folder: str) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` from the metadata headers (no email parser needed)."""
    name = version = None
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(dist_folder, file), encoding="utf-8") as fh:
                for line in fh:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    if line.startswith("Name:"):
                        name = line[5:].strip()
                    elif line.startswith("Version:"):
                        version = line[8:].strip()
        except OSError:
            continue
        break
    return name, version


def _from_importlib(group: str) -> list[FoundEntryPoint]:
    from importlib import metadata

    found: list[FoundEntryPoint] = []
    for ep in metadata.entry_points(group=group):
        dist = ep.dist
        name = dist.metadata["Name"] if dist is not None else None
        version = dist.version if dist is not None else None
        found.append(FoundEntryPoint(ep.name, ep.value, name, version))
    return found
