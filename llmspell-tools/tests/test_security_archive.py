"""archive-handler under the policy: zip-slip, link members and decompression bombs are
SecurityErrors, checked before anything is written."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from llmspell.errors import SecurityError
from llmspell_tools.filesystem import archive_handler


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", "")
            else:
                out[rel] = ("file", str(p.stat().st_size))
    return out


def make_zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, target)


def make_tar(path: Path, mode: str, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> None:
    with tarfile.open(path, mode) as tf:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                tf.addfile(info, io.BytesIO(m[1]))


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def _denied(tools, tmp_path, **params):
    before = snapshot(tmp_path)
    with pytest.raises(SecurityError) as exc:
        tools("archive-handler", operation="extract", **params)
    assert snapshot(tmp_path) == before
    return str(exc.value)


@pytest.fixture
def outside(tmp_path):
    out = tmp_path / "outside"
    out.mkdir()
    (out / "victim.txt").write_text("original")
    return out


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "../outside/victim.txt",
        "a/../../evil.txt",
        "/tmp/evil.txt",
        "..\\evil.txt",
        "C:/evil.txt",
        "ok/../../../etc/x",
    ],
)
def test_zip_slip_refused(tools, tmp_path, outside, name):
    make_zip(tools.root / "a.zip", {"good.txt": b"fine", name: b"evil"})
    msg = _denied(tools, tmp_path, path="a.zip", target_path="out")
    assert "outside the target" in msg


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:xz"])
def test_tar_slip_refused(tools, tmp_path, outside, mode):
    make_tar(tools.root / "a.tar", mode, [("good.txt", b"ok"), ("../outside/victim.txt", b"x")])
    _denied(tools, tmp_path, path="a.tar", target_path="out", format=mode.replace("w:", "tar.")
            if ":" in mode else "tar")  # fmt: skip
    make_tar(tools.root / "b.tar", mode, [("/etc/evil", b"x")])
    _denied(tools, tmp_path, path="b.tar", target_path="out",
            format="tar" if mode == "w" else mode.replace("w:", "tar."))  # fmt: skip


def test_symlink_and_hardlink_members_refused(tools, tmp_path, outside):
    make_zip(tools.root / "l.zip", {"a.txt": b"a"}, links={"link": str(outside)})
    assert "symlink" in _denied(tools, tmp_path, path="l.zip", target_path="out")
    make_tar(tools.root / "s.tar", "w", [_link("link", str(outside)), ("link/victim.txt", b"x")])
    assert "symlink" in _denied(tools, tmp_path, path="s.tar", target_path="out")
    make_tar(tools.root / "h.tar", "w", [_link("hard", "../outside/victim.txt", tarfile.LNKTYPE)])
    assert "hardlink" in _denied(tools, tmp_path, path="h.tar", target_path="out")
    dev = tarfile.TarInfo("dev")
    dev.type = tarfile.CHRTYPE
    make_tar(tools.root / "d.tar", "w", [dev])
    _denied(tools, tmp_path, path="d.tar", target_path="out")


def test_target_path_outside_or_through_link_refused(tools, tmp_path, outside):
    make_zip(tools.root / "a.zip", {"victim.txt": b"pwned"})
    _denied(tools, tmp_path, path="a.zip", target_path="../outside")
    _denied(tools, tmp_path, path="a.zip", target_path=str(outside))
    (tools.root / "out_link").symlink_to(outside)
    _denied(tools, tmp_path, path="a.zip", target_path="out_link")
    # an existing directory link inside the target leading outside
    (tools.root / "t").mkdir()
    (tools.root / "t" / "sub").symlink_to(outside)
    make_zip(tools.root / "b.zip", {"sub/victim.txt": b"pwned"})
    _denied(tools, tmp_path, path="b.zip", target_path="t")
    assert (outside / "victim.txt").read_text() == "original"


def test_archive_path_outside_refused(tools, tmp_path, outside):
    make_zip(outside / "x.zip", {"a.txt": b"a"})
    with pytest.raises(SecurityError):
        tools("archive-handler", operation="list", path="../outside/x.zip")
    _denied(tools, tmp_path, path=str(outside / "x.zip"), target_path="out")


def test_zip_bomb_ratio_refused(tools, tmp_path):
    make_zip(tools.root / "bomb.zip", {"zeros.bin": b"\0" * (20 * 1024 * 1024)})
    assert (tools.root / "bomb.zip").stat().st_size < 100_000
    msg = _denied(tools, tmp_path, path="bomb.zip", target_path="out")
    assert "bomb" in msg


def test_tar_gz_bomb_ratio_refused(tools, tmp_path):
    make_tar(tools.root / "bomb.tar.gz", "w:gz", [("zeros.bin", b"\0" * (8 * 1024 * 1024))])
    assert "bomb" in _denied(tools, tmp_path, path="bomb.tar.gz", target_path="out")


def test_member_over_input_cap_refused(tools, tmp_path):
    tools.runtime.policy.max_input_bytes = 1000
    make_zip(tools.root / "big.zip", {"big.bin": os.urandom(2000)})
    assert "over the limit" in _denied(tools, tmp_path, path="big.zip", target_path="out")


def test_total_size_cap(tools, tmp_path, monkeypatch):
    monkeypatch.setattr(archive_handler, "MAX_TOTAL_BYTES", 1500)
    make_zip(tools.root / "many.zip", {f"f{i}.bin": os.urandom(600) for i in range(3)})
    assert "over the limit" in _denied(tools, tmp_path, path="many.zip", target_path="out")


def test_member_count_cap(tools, tmp_path, monkeypatch):
    monkeypatch.setattr(archive_handler, "MAX_MEMBERS", 5)
    make_zip(tools.root / "many.zip", {f"f{i}.txt": b"x" for i in range(6)})
    assert "more than 5 members" in _denied(tools, tmp_path, path="many.zip", target_path="out")
    with pytest.raises(SecurityError):
        tools("archive-handler", operation="list", path="many.zip")


def test_lying_sizes_clean_up(tools, tmp_path):
    """A member that fails midway leaves nothing behind (created files removed)."""
    with zipfile.ZipFile(tools.root / "c.zip", "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.txt", b"a" * 100)
        zf.writestr("b/c.txt", b"c" * 100)
    data = bytearray((tools.root / "c.zip").read_bytes())
    idx = data.rfind(b"c" * 10)
    data[idx : idx + 4] = b"XXXX"  # corrupt the second member (stored CRC mismatch)
    (tools.root / "c.zip").write_bytes(bytes(data))
    before = snapshot(tmp_path)
    r = tools("archive-handler", operation="extract", path="c.zip", target_path="out")
    assert not r["success"]
    assert snapshot(tmp_path) == before


def test_create_refuses_links_outside_and_inputs_outside(tools, tmp_path, outside):
    (tools.root / "d").mkdir()
    (tools.root / "d" / "ok.txt").write_text("ok")
    (tools.root / "d" / "leak").symlink_to(outside / "victim.txt")
    before = snapshot(tmp_path)
    with pytest.raises(SecurityError):
        tools("archive-handler", operation="create", path="x.zip", input=["d"])
    with pytest.raises(SecurityError):
        tools("archive-handler", operation="create", path="y.zip", input=["../outside"])
    with pytest.raises(SecurityError):
        tools("archive-handler", operation="create", path="../outside/z.zip", input=["d/ok.txt"])
    assert snapshot(tmp_path) == before


# -- bounded listing and settings (issue 11) ----------------------------------------------


def _runtime_with(root: Path, **settings: int):
    from llmspell.config import load_settings
    from llmspell.runtime import Runtime

    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(root)}
    overrides = {
        ("security", "allowed_paths"): [str(root)],
        ("tools", "archive-handler"): settings,
    }
    return Runtime(load_settings(environ=env, use_files=False, overrides=overrides))


def _run(runtime, **params):
    import asyncio

    from llmspell.tools import execute_tool

    tool = runtime.tools.get("archive-handler")
    return asyncio.run(execute_tool(tool, params, runtime.tool_context()))


def test_zip_with_a_huge_directory_is_refused_before_parsing(tools):
    import time

    path = tools.root / "wide.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(10_050):
            zf.writestr(f"{i}", b"")
    start = time.monotonic()
    with pytest.raises(SecurityError, match="more than 10000 members") as exc:
        tools("archive-handler", operation="list", path="wide.zip")
    assert "max_members" in (exc.value.hint or "")
    assert time.monotonic() - start < 10


def test_compressed_tar_scan_stops_at_max_total_bytes(sandbox):
    make_tar(sandbox / "big.tar.gz", "w:gz", [("zeros.bin", b"\0" * (3 * 1024 * 1024)),
                                               ("after.txt", b"x")])  # fmt: skip
    runtime = _runtime_with(sandbox, max_total_bytes=1024 * 1024)
    try:
        with pytest.raises(SecurityError, match="declares more than 1048576 bytes") as exc:
            _run(runtime, operation="list", path="big.tar.gz")
        assert "[tools.archive-handler] max_total_bytes" in (exc.value.hint or "")
    finally:
        runtime.close()
    runtime = _runtime_with(sandbox)  # the default (1 GiB) lists it
    try:
        r = _run(runtime, operation="list", path="big.tar.gz")
        assert r["success"] and r["result"]["count"] == 2
    finally:
        runtime.close()


def test_member_and_total_settings(sandbox):
    make_zip(sandbox / "six.zip", {f"f{i}.txt": b"x" * 10 for i in range(6)})
    runtime = _runtime_with(sandbox, max_members=5)
    try:
        with pytest.raises(SecurityError, match="more than 5 members"):
            _run(runtime, operation="list", path="six.zip")
    finally:
        runtime.close()
    runtime = _runtime_with(sandbox, max_total_bytes=50)
    try:
        with pytest.raises(SecurityError, match="over the limit of 50") as exc:
            _run(runtime, operation="extract", path="six.zip", target_path="out")
        assert "max_total_bytes" in (exc.value.hint or "")
        assert not (sandbox / "out").exists()
    finally:
        runtime.close()
    runtime = _runtime_with(sandbox, max_members=3)
    try:
        (sandbox / "src").mkdir()
        for i in range(5):
            (sandbox / "src" / f"{i}.txt").write_text("x")
        r = _run(runtime, operation="create", path="new.zip", input="src")
        assert r["error_kind"] == "LimitExceeded" and "max_members" in r["error"]
    finally:
        runtime.close()
