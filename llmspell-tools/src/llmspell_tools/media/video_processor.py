"""video-processor: video format detection, and metadata/frames through FFmpeg.

``detect`` reads the file's first bytes and needs nothing else. ``metadata`` runs
``ffprobe`` and ``extract_frame``/``thumbnail`` run ``ffmpeg``; running them is process
execution, so it goes through the security policy like any other command: it needs
``[security] allow_process = true`` and the command in ``allowed_commands``
(SecurityError otherwise). When the command is not installed the tool returns
``success=false`` saying so and what to install, whatever the policy. The commands are run
directly (an argument list, never a shell), with the input given as ``file:<real path>`` so
that no name is taken for an FFmpeg protocol, under a time limit; frames come back on
stdout and are written atomically to the policy-checked ``target_path``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import atomic_write, dispatch, fail, output, resolve

#: (offset, magic bytes, format, MIME type); checked in order
_SIGNATURES: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"\x1a\x45\xdf\xa3", "matroska/webm", "video/x-matroska"),
    (8, b"AVI ", "avi", "video/x-msvideo"),
    (0, b"FLV", "flv", "video/x-flv"),
    (0, b"\x00\x00\x01\xba", "mpeg-ps", "video/mpeg"),
    (0, b"\x00\x00\x01\xb3", "mpeg", "video/mpeg"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "asf/wmv", "video/x-ms-asf"),
    (0, b"OggS", "ogg", "video/ogg"),
)
_MP4_BRANDS = {"qt  ": ("mov", "video/quicktime"), "3gp": ("3gp", "video/3gpp")}
_HEAD = 64
#: seconds an FFmpeg process may run
PROCESS_TIMEOUT = 60.0
INSTALL_HINT = (
    "install FFmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; "
    "Windows: winget install ffmpeg) so that it is on PATH"
)


def _detect_bytes(head: bytes) -> tuple[str, str] | None:
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("latin-1")
        for prefix, found in _MP4_BRANDS.items():
            if brand.startswith(prefix):
                return found
        return "mp4", "video/mp4"
    if head[:4] == b"RIFF" and head[8:12] != b"AVI ":
        return None
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "mpeg-ts", "video/mp2t"
    for offset, magic, fmt, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return fmt, mime
    return None


def _existing(ctx: Any, path: str) -> Any:
    real = resolve(ctx, path, what="file_path")
    if not real.exists():
        fail(f"video file {path!r} does not exist", kind="NotFoundError")
    if not real.is_file():
        fail(f"video file {path!r} is not a regular file")
    return real


def _detect(ctx: Any, params: dict[str, Any]) -> Any:
    real = _existing(ctx, params["file_path"])
    with real.open("rb") as fh:
        head = fh.read(_HEAD * 4)
    found = _detect_bytes(head)
    if found is None:
        return output({"detected": False, "format": None, "mime_type": None}, text="unknown")
    return output({"detected": True, "format": found[0], "mime_type": found[1]}, text=found[0])


def _command(ctx: Any, name: str) -> str:
    """The policy-approved path of ``name``; success=false when it is not installed."""
    if shutil.which(name) is None:
        fail(f"{name} was not found on PATH: {INSTALL_HINT}", kind="NotFoundError")
    path: str = ctx.policy.resolve_command(name)  # SecurityError unless allowlisted
    return path


def _run(argv: list[str], what: str) -> bytes:
    try:
        proc = subprocess.run(
            argv, capture_output=True, timeout=PROCESS_TIMEOUT, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        fail(f"{what} took longer than {PROCESS_TIMEOUT:g} s", kind="TimeoutError")
    except OSError as exc:
        fail(f"cannot run {argv[0]!r}: {exc}")
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit code {proc.returncode}"
        fail(f"{what} failed: {detail}")
    return proc.stdout


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _rate(value: Any) -> float | None:
    if not isinstance(value, str) or "/" not in value:
        return _number(value)
    num, _, den = value.partition("/")
    n, d = _number(num), _number(den)
    return round(n / d, 3) if n is not None and d else None


def _metadata(ctx: Any, params: dict[str, Any]) -> Any:
    path = params["file_path"]
    real = _existing(ctx, path)
    ffprobe = _command(ctx, "ffprobe")
    argv = [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
            "-i", f"file:{real}"]  # fmt: skip
    raw = _run(argv, f"ffprobe of {path!r}")
    try:
        probe = json.loads(raw)
    except ValueError:
        fail(f"ffprobe printed something that is not JSON for {path!r}")
    fmt = probe.get("format", {})
    streams = probe.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    result: dict[str, Any] = {
        "format": fmt.get("format_name"),
        "format_long_name": fmt.get("format_long_name"),
        "duration_s": _number(fmt.get("duration")),
        "size_bytes": int(fmt["size"]) if str(fmt.get("size", "")).isdigit() else None,
        "bitrate": int(fmt["bit_rate"]) if str(fmt.get("bit_rate", "")).isdigit() else None,
        "streams": len(streams),
        "has_video": video is not None,
        "has_audio": audio is not None,
    }
    if video is not None:
        result.update(
            video_codec=video.get("codec_name"),
            width=video.get("width"),
            height=video.get("height"),
            frame_rate=_rate(video.get("avg_frame_rate") or video.get("r_frame_rate")),
        )
    if audio is not None:
        result.update(
            audio_codec=audio.get("codec_name"),
            sample_rate=int(audio["sample_rate"])
            if str(audio.get("sample_rate", "")).isdigit()
            else None,
            channels=audio.get("channels"),
        )
    text = f"{result['format']}, {result['duration_s']} s"
    if video is not None:
        text += f", {video.get('width')}x{video.get('height')} {video.get('codec_name')}"
    return output(result, text=text)


def _frame(ctx: Any, params: dict[str, Any]) -> Any:
    operation = params.get("operation")
    path, target = params["file_path"], params.get("target_path")
    if not target:
        fail(f"{operation} needs target_path (the PNG or JPEG to write)", kind="ValidationError")
    resolve(ctx, target, what="target_path")
    ext = os.path.splitext(target)[1].lower()
    codec = {".png": "png", ".jpg": "mjpeg", ".jpeg": "mjpeg"}.get(ext)
    if codec is None:
        fail(f"target_path must end in .png, .jpg or .jpeg (got {target!r})",
             kind="ValidationError")  # fmt: skip
    real = _existing(ctx, path)
    ffmpeg = _command(ctx, "ffmpeg")
    timestamp = float(params.get("timestamp_seconds") or 0.0)
    argv = [ffmpeg, "-nostdin", "-v", "error", "-ss", f"{timestamp:.3f}", "-i", f"file:{real}",
            "-frames:v", "1"]  # fmt: skip
    if operation == "thumbnail" or params.get("width"):
        width = int(params.get("width") or 320)
        argv += ["-vf", f"scale={width}:-2"]
    argv += ["-f", "image2pipe", "-c:v", codec, "pipe:1"]
    data = _run(argv, f"ffmpeg frame extraction from {path!r}")
    if not data:
        fail(f"no frame at {timestamp:g} s in {path!r} (is the video shorter?)")
    written = atomic_write(ctx, target, data)
    result = {"source_path": path, "target_path": str(written), "timestamp_seconds": timestamp,
              "size_bytes": len(data)}  # fmt: skip
    return output(result, text=f"Wrote the frame at {timestamp:g} s to {target}")


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Detect a video's format, or (with FFmpeg) read its metadata or extract a frame."""
    ops = {"metadata": _metadata, "detect": _detect, "extract_frame": _frame,
           "thumbnail": _frame}  # fmt: skip
    return dispatch(params, ops, ctx, params, default="metadata")


TOOL = Tool(
    name="video-processor",
    description="Detect a video file's format; with FFmpeg installed and allowed (ffprobe, "
    "ffmpeg in [security] allowed_commands) read its metadata (duration, codecs, size) or "
    "extract a frame or thumbnail to an image.",
    category="media",
    handler=run,
    timeout_seconds=PROCESS_TIMEOUT + 10,
    security=("files", "process"),
    tags=("video", "media", "ffmpeg", "ffprobe", "thumbnail", "frame"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["metadata", "detect", "extract_frame", "thumbnail"],
                "default": "metadata",
            },
            "file_path": {"type": "string", "description": "the video file"},
            "target_path": {
                "type": "string",
                "description": "extract_frame/thumbnail: the image to write (.png or .jpg)",
            },
            "timestamp_seconds": {
                "type": "number",
                "minimum": 0,
                "description": "extract_frame/thumbnail: where in the video (default 0)",
            },
            "width": {
                "type": "integer",
                "minimum": 1,
                "maximum": 8192,
                "description": "scale the frame to this width (thumbnail default 320)",
            },
        },
        "required": ["file_path"],
        "additionalProperties": False,
    },
)
