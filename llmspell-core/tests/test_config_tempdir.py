"""The default allowed temp directory is tempfile.gettempdir()'s, found without tempfile."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from llmspell.config import _tempdir


@pytest.mark.parametrize("setting", ["unset", "own", "missing", "relative"])
def test_same_answer_as_tempfile(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rel").mkdir()
    value = {"own": str(tmp_path), "missing": str(tmp_path / "nope"), "relative": "rel"}
    if setting in value:
        monkeypatch.setenv("TMPDIR", value[setting])
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert _tempdir() == tempfile.gettempdir()
