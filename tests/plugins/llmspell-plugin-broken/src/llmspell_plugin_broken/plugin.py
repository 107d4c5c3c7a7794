"""The entry point of a broken plugin: importing it fails, as a buggy plugin might."""

from __future__ import annotations

raise RuntimeError("boom at import")
