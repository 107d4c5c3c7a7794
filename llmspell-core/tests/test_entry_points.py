"""The plugin loader's entry-point scan agrees with importlib.metadata."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from llmspell import entry_points as eps


@pytest.mark.parametrize("group", ["llmspell", "console_scripts", "pytest11"])
def test_the_scan_finds_what_importlib_metadata_finds(group: str) -> None:
    ours = {(e.name, e.value, e.dist_name, e.dist_version) for e in eps.entry_points(group)}
    theirs = {
        (
            e.name,
            e.value,
            e.dist.metadata["Name"] if e.dist else None,
            e.dist.version if e.dist else None,
        )
        for e in metadata.entry_points(group=group)
    }
    assert ours == theirs


def _dist(site: Path, folder: str, name: str, version: str, points: str) -> None:
    d = site / folder
    d.mkdir(parents=True)
    (d / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\nName: no\n"
    )
    (d / "entry_points.txt").write_text(points)


def test_first_distribution_of_a_name_wins_and_values_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(first, "my_plugin-1.0.dist-info", "My-Plugin", "1.0", "[llmspell]\np = json:dumps\n")
    _dist(second, "my.plugin-2.0.dist-info", "my.plugin", "2.0", "[llmspell]\nq = os\n")
    _dist(
        second,
        "other-0.1.dist-info",
        "other",
        "0.1",
        "# c\n[other]\nx = y\n\n[llmspell]\n r = os.path : join \n",
    )
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    found = eps.entry_points("llmspell")
    assert [(e.name, e.dist_name, e.dist_version) for e in found] == [
        ("p", "My-Plugin", "1.0"),
        ("r", "other", "0.1"),
    ]
    import json
    import os.path

    assert found[0].load() is json.dumps
    assert found[1].load() is os.path.join


def test_a_zip_on_sys_path_falls_back_to_importlib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[str] = []
    monkeypatch.setattr(eps, "_from_importlib", lambda group: called.append(group) or [])
    archive = tmp_path / "lib.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert eps.entry_points("llmspell") == [] and called == ["llmspell"]


def test_remember_answers_later_calls_from_the_first_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _dist(site, "one-1.0.dist-info", "one", "1.0", "[llmspell]\np = json:dumps\n")
    monkeypatch.setattr(sys, "path", [str(site)])
    monkeypatch.setattr(eps, "_remembered", None)
    assert [e.name for e in eps.entry_points("llmspell")] == ["p"]
    _dist(site, "two-1.0.dist-info", "two", "1.0", "[llmspell]\nq = os\n")
    assert [e.name for e in eps.entry_points("llmspell")] == ["p", "q"]  # not remembered
    eps.remember()
    assert [e.name for e in eps.entry_points("llmspell")] == ["p", "q"]
    (site / "two-1.0.dist-info" / "entry_points.txt").unlink()
    remembered = eps.entry_points("llmspell")
    assert [e.name for e in remembered] == ["p", "q"]  # the first scan's answer
    remembered.clear()  # a caller's copy: the remembered list is unchanged
    assert len(eps.entry_points("llmspell")) == 2
