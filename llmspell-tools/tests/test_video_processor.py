"""video-processor: detection, the missing-FFmpeg error, the process policy, a fake ffprobe."""

from __future__ import annotations

import json
import os
import sys

import pytest

from llmspell.config import load_settings
from llmspell.errors import SecurityError
from llmspell.runtime import Runtime

MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 40
PROBE = {
    "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "2.500000",
               "size": "1234", "bit_rate": "3948"},
    "streams": [
        {"codec_type": "video", "codec_name": "h264", "width": 320, "height": 240,
         "avg_frame_rate": "25/1"},
        {"codec_type": "audio", "codec_name": "aac", "sample_rate": "44100", "channels": 2},
    ],
}  # fmt: skip


def make_runtime(root, **security):
    """A runtime confined to ``root`` with ``security`` overrides (as conftest's)."""
    overrides = {("security", "allowed_paths"): [str(root)]}
    overrides.update({("security", key): value for key, value in security.items()})
    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(root)}
    return Runtime(load_settings(environ=env, use_files=False, overrides=overrides))


@pytest.fixture
def video(sandbox):
    path = sandbox / "clip.mp4"
    path.write_bytes(MP4_HEAD)
    return path


@pytest.fixture
def fake_ffmpeg(tmp_path, monkeypatch):
    """A PATH holding only fake ``ffprobe``/``ffmpeg`` scripts (Python, no shell)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    probe = bindir / "ffprobe"
    probe.write_text(
        f"#!{sys.executable}\nimport sys\n"
        "assert sys.argv[-1].startswith('file:/'), sys.argv\n"
        f"print({json.dumps(json.dumps(PROBE))})\n",
        encoding="utf-8",
    )
    ffmpeg = bindir / "ffmpeg"
    ffmpeg.write_text(
        f"#!{sys.executable}\nimport sys\n"
        "assert 'pipe:1' in sys.argv and '-ss' in sys.argv, sys.argv\n"
        "sys.stdout.buffer.write(b'\\x89PNG fake frame')\n",
        encoding="utf-8",
    )
    for script in (probe, ffmpeg):
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))
    return bindir


@pytest.fixture
def allowed(tools, sandbox):
    """A runner whose policy allows running ffprobe and ffmpeg."""
    runtime = make_runtime(sandbox, allow_process=True, allowed_commands=["ffprobe", "ffmpeg"])
    yield type(tools)(runtime, sandbox)
    runtime.close()


def test_detect_without_ffmpeg(tools, sandbox, video):
    r = tools.ok("video-processor", operation="detect", file_path="clip.mp4")
    assert r["result"] == {"detected": True, "format": "mp4", "mime_type": "video/mp4"}
    (sandbox / "x.webm").write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 60)
    assert tools.ok("video-processor", operation="detect", file_path="x.webm")["text"] == (
        "matroska/webm"
    )
    (sandbox / "x.avi").write_bytes(b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 60)
    assert tools.ok("video-processor", operation="detect", file_path="x.avi")["text"] == "avi"
    (sandbox / "a.txt").write_text("text", encoding="utf-8")
    assert tools.ok("video-processor", operation="detect", file_path="a.txt")["text"] == "unknown"
    assert tools.failed("video-processor", operation="detect",
                        file_path="none.mp4")["error_kind"] == "NotFoundError"  # fmt: skip


def test_missing_ffmpeg_names_what_to_install(tools, video, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    r = tools.failed("video-processor", file_path="clip.mp4")
    assert "ffprobe was not found on PATH" in r["error"] and "install FFmpeg" in r["error"]
    r = tools.failed("video-processor", operation="thumbnail", file_path="clip.mp4",
                     target_path="t.png")  # fmt: skip
    assert "ffmpeg was not found" in r["error"]


def test_running_ffprobe_needs_the_process_policy(tools, video, fake_ffmpeg, sandbox):
    with pytest.raises(SecurityError, match="running processes is not allowed"):
        tools("video-processor", file_path="clip.mp4")
    only_probe = make_runtime(sandbox, allow_process=True, allowed_commands=["ffprobe"])
    try:
        with pytest.raises(SecurityError, match="not in the allowlist"):
            type(tools)(only_probe, sandbox)("video-processor", operation="extract_frame",
                                            file_path="clip.mp4", target_path="f.png")  # fmt: skip
    finally:
        only_probe.close()
    assert not (sandbox / "f.png").exists()


def test_metadata_and_frames_through_allowed_ffmpeg(allowed, video, fake_ffmpeg, sandbox):
    meta = allowed.ok("video-processor", file_path="clip.mp4")["result"]
    assert meta["duration_s"] == 2.5 and meta["width"] == 320 and meta["frame_rate"] == 25.0
    assert meta["video_codec"] == "h264" and meta["audio_codec"] == "aac"
    assert meta["sample_rate"] == 44100 and meta["has_audio"] is True
    r = allowed.ok("video-processor", operation="extract_frame", file_path="clip.mp4",
                   target_path="frames/f.png", timestamp_seconds=1.5)  # fmt: skip
    assert (sandbox / "frames" / "f.png").read_bytes() == b"\x89PNG fake frame"
    assert r["result"]["timestamp_seconds"] == 1.5
    r = allowed.failed("video-processor", operation="thumbnail", file_path="clip.mp4",
                       target_path="t.gif")  # fmt: skip
    assert ".png" in r["error"]


def test_ffprobe_failure_is_reported(allowed, video, fake_ffmpeg):
    (fake_ffmpeg / "ffprobe").write_text(
        f"#!{sys.executable}\nimport sys\nsys.stderr.write('clip.mp4: Invalid data found\\n')\n"
        "sys.exit(1)\n",
        encoding="utf-8",
    )
    r = allowed.failed("video-processor", file_path="clip.mp4")
    assert "Invalid data found" in r["error"]


def test_denied_paths(allowed, tmp_path, video, fake_ffmpeg):
    (tmp_path / "outside.mp4").write_bytes(MP4_HEAD)
    with pytest.raises(SecurityError, match="denied"):
        allowed("video-processor", file_path=str(tmp_path / "outside.mp4"))
    with pytest.raises(SecurityError, match="denied"):
        allowed("video-processor", operation="extract_frame", file_path="clip.mp4",
                target_path=os.path.join("..", "frame.png"))  # fmt: skip
    assert not (tmp_path / "frame.png").exists()
