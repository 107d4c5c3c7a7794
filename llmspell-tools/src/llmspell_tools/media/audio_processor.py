"""audio-processor: audio metadata, format detection and WAV→WAV conversion.

WAV files are read with the standard library's ``wave`` (PCM only); other formats (MP3,
FLAC, Ogg Vorbis/Opus, M4A/AAC, AIFF, ...) with mutagen, which reads headers and tags
and never decodes audio. ``convert`` changes what the standard library can change without
resampling or a codec: the sample width (8/16/24/32-bit PCM) and the channel count
(mono ↔ N channels) of a WAV file of up to 16 MiB, written atomically as WAV. Anything else (another
output format, a new sample rate) is a clear ``success=false``: use FFmpeg for that.
"""

from __future__ import annotations

import io
import os
import struct
import sys
from array import array
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import atomic_write, dispatch, fail, output, read_bytes, resolve

#: (offset, magic bytes, format, MIME type); checked in order
_SIGNATURES: tuple[tuple[int, bytes, str, str], ...] = (
    (8, b"WAVE", "wav", "audio/wav"),
    (0, b"fLaC", "flac", "audio/flac"),
    (0, b"ID3", "mp3", "audio/mpeg"),
    (8, b"AIFF", "aiff", "audio/aiff"),
    (8, b"AIFC", "aiff", "audio/aiff"),
    (4, b"ftyp", "m4a", "audio/mp4"),
    (0, b"MThd", "midi", "audio/midi"),
    (0, b"#!AMR", "amr", "audio/amr"),
)
_HEAD = 64
_ARRAY_CODES = {1: "B", 2: "h", 4: "i"}
#: convert works in memory (8 bytes per sample): the largest WAV it takes
MAX_CONVERT_BYTES = 16 * 1024 * 1024


def _detect_bytes(head: bytes) -> tuple[str, str] | None:
    """(format, MIME type) of a file starting with ``head``, or None."""
    if head[:4] == b"OggS":
        if b"OpusHead" in head:
            return "opus", "audio/opus"
        return "ogg", "audio/ogg"
    if head[:4] == b"RIFF" and head[8:12] != b"WAVE":
        return None
    for offset, magic, fmt, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return fmt, mime
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        if head[1] & 0x06 == 0:  # layer bits 00 → ADTS (AAC)
            return "aac", "audio/aac"
        return "mp3", "audio/mpeg"
    return None


def _head(ctx: Any, path: str) -> bytes:
    real = resolve(ctx, path, what="file_path")
    if not real.exists():
        fail(f"audio file {path!r} does not exist", kind="NotFoundError")
    if not real.is_file():
        fail(f"audio file {path!r} is not a regular file")
    with real.open("rb") as fh:
        return fh.read(_HEAD)


def _detect(ctx: Any, params: dict[str, Any]) -> Any:
    path = params["file_path"]
    found = _detect_bytes(_head(ctx, path))
    if found is None:
        return output({"detected": False, "format": None, "mime_type": None}, text="unknown")
    fmt, mime = found
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    aliases = {"wav": {"wav", "wave"}, "aiff": {"aif", "aiff", "aifc"}, "midi": {"mid", "midi"},
               "m4a": {"m4a", "mp4", "m4b", "aac"}, "ogg": {"ogg", "oga"},
               "opus": {"opus", "ogg"}, "mp3": {"mp3"}, "flac": {"flac"}}  # fmt: skip
    result = {
        "detected": True,
        "format": fmt,
        "mime_type": mime,
        "extension_matches": ext in aliases.get(fmt, {fmt}),
    }
    return output(result, text=fmt)


def _wav_info(data: bytes, path: str) -> dict[str, Any]:
    import wave

    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, width = wav.getnchannels(), wav.getsampwidth()
            rate, frames = wav.getframerate(), wav.getnframes()
    except (wave.Error, EOFError, RuntimeError, ValueError, struct.error) as exc:
        fail(f"{path!r} is not a PCM WAV file the standard library can read: {exc}",
             kind="FormatError")  # fmt: skip
    return {
        "format": "wav",
        "codec": "pcm",
        "mime_type": "audio/wav",
        "channels": channels,
        "sample_rate": rate,
        "sample_width": width,
        "bits_per_sample": width * 8,
        "frames": frames,
        "duration_s": round(frames / rate, 6) if rate else 0.0,
        "bitrate": rate * channels * width * 8,
    }


def _tag_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_tag_text(v) for v in value)
    text = str(value)
    return text if len(text) <= 500 else text[:500] + "..."


def _mutagen_info(data: bytes, path: str) -> dict[str, Any]:
    import mutagen

    try:
        audio = mutagen.File(io.BytesIO(data))
    except mutagen.MutagenError as exc:
        fail(f"cannot read audio file {path!r}: {exc}", kind="FormatError")
    if audio is None or audio.info is None:
        fail(f"{path!r} is not an audio file in a format mutagen knows", kind="FormatError")
    info = audio.info
    found = _detect_bytes(data[:_HEAD])
    result: dict[str, Any] = {
        "format": found[0] if found else type(audio).__name__.lower(),
        "mime_type": (audio.mime or [None])[0],
        "duration_s": round(float(getattr(info, "length", 0.0) or 0.0), 6),
    }
    for key in ("sample_rate", "channels", "bitrate", "bits_per_sample", "codec"):
        value = getattr(info, key, None)
        if value is not None:
            result[key] = value
    if audio.tags is not None:
        tags: dict[str, str] = {}
        for key in list(audio.tags.keys())[:100]:
            if key.startswith(("APIC", "covr", "METADATA_BLOCK_PICTURE")):
                continue  # embedded pictures: binary
            tags[str(key)] = _tag_text(audio.tags[key])
        result["tags"] = tags
    return result


def _metadata(ctx: Any, params: dict[str, Any]) -> Any:
    path = params["file_path"]
    data = read_bytes(ctx, path, what="audio file")
    found = _detect_bytes(data[:_HEAD])
    info = _wav_info(data, path) if found and found[0] == "wav" else _mutagen_info(data, path)
    info["size_bytes"] = len(data)
    text = f"{info['format']}, {info.get('duration_s', 0):.3f} s"
    if "sample_rate" in info:
        text += f", {info['sample_rate']} Hz"
    if "channels" in info:
        text += f", {info['channels']} channel(s)"
    return output(info, text=text)


# -- convert -------------------------------------------------------------------------------


def _decode(frames: bytes, width: int) -> array[int]:
    """Samples as signed ints scaled to 32 bits (a compact int64 array)."""
    shift = 32 - 8 * width
    if width == 3:
        return array(
            "q",
            (
                int.from_bytes(frames[i : i + 3], "little", signed=True) << shift
                for i in range(0, len(frames) - 2, 3)
            ),
        )
    samples = array(_ARRAY_CODES[width], frames[: len(frames) - len(frames) % width])
    if sys.byteorder == "big":
        samples.byteswap()
    if width == 1:  # 8-bit WAV is unsigned
        return array("q", ((s - 128) << 24 for s in samples))
    return array("q", (s << shift for s in samples))


def _encode(samples: array[int], width: int) -> bytes:
    shift = 32 - 8 * width
    if width == 3:
        return b"".join((s >> shift).to_bytes(3, "little", signed=True) for s in samples)
    if width == 1:
        out = array("B", ((s >> 24) + 128 for s in samples))
    else:
        out = array(_ARRAY_CODES[width], (s >> shift for s in samples))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def _remix(samples: array[int], source: int, target: int) -> array[int]:
    if source == target:
        return samples
    if target == 1:  # average every frame's channels
        return array(
            "q", (sum(samples[i : i + source]) // source for i in range(0, len(samples), source))
        )
    if source == 1:  # copy the one channel into each
        return array("q", (s for s in samples for _ in range(target)))
    fail(
        f"converting {source} channels to {target} is not supported (only to mono, or mono "
        "to N channels)",
        kind="UnsupportedError",
        operation="convert",
    )


def _convert(ctx: Any, params: dict[str, Any]) -> Any:
    import wave

    path, target = params["file_path"], params.get("target_path")
    if not target:
        fail("convert needs target_path", kind="ValidationError", operation="convert")
    if os.path.splitext(target)[1].lower() not in (".wav", ".wave"):
        fail(
            f"converting to {os.path.splitext(target)[1] or 'that format'!r} is not supported: "
            "only WAV → WAV changes of sample width and channels (use FFmpeg to transcode)",
            kind="UnsupportedError",
            operation="convert",
        )
    resolve(ctx, target, what="target_path")  # deny before any work
    data = read_bytes(ctx, path, what="audio file")
    if len(data) > MAX_CONVERT_BYTES:
        fail(
            f"{path!r} is {len(data)} bytes; convert handles WAV files up to "
            f"{MAX_CONVERT_BYTES} bytes (use FFmpeg for larger ones)",
            operation="convert",
        )
    found = _detect_bytes(data[:_HEAD])
    if not found or found[0] != "wav":
        name = found[0] if found else "unknown"
        fail(
            f"converting from {name} is not supported: only PCM WAV input (use FFmpeg to "
            "transcode other formats)",
            kind="UnsupportedError",
            operation="convert",
        )
    info = _wav_info(data, path)
    rate = params.get("sample_rate")
    if rate is not None and rate != info["sample_rate"]:
        fail(
            f"changing the sample rate ({info['sample_rate']} → {rate} Hz) is not supported: "
            "resampling needs FFmpeg or an audio library",
            kind="UnsupportedError",
            operation="convert",
        )
    channels = int(params.get("channels") or info["channels"])
    bits = params.get("bits_per_sample")
    width = int(bits) // 8 if bits else info["sample_width"]
    with wave.open(io.BytesIO(data), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
    samples = _remix(_decode(frames, info["sample_width"]), info["channels"], channels)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(info["sample_rate"])
        out.writeframes(_encode(samples, width))
    written = buffer.getvalue()
    real = atomic_write(ctx, target, written)
    result = _wav_info(written, target)
    result.update(source_path=path, target_path=str(real), size_bytes=len(written))
    text = f"Wrote WAV {width * 8}-bit, {channels} channel(s) ({len(written)} bytes) to {target}"
    return output(result, text=text)


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Metadata, format detection or WAV → WAV conversion."""
    ops = {"metadata": _metadata, "detect": _detect, "convert": _convert}
    return dispatch(params, ops, ctx, params, default="metadata")


TOOL = Tool(
    name="audio-processor",
    description="Read audio metadata (duration, sample rate, channels, bitrate, tags) of "
    "WAV, MP3, FLAC, Ogg, M4A and more, detect the format, or convert a WAV file's sample "
    "width or channel count.",
    category="media",
    handler=run,
    timeout_seconds=60,
    security=("files",),
    tags=("audio", "media", "wav", "mp3", "metadata", "mutagen"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["metadata", "detect", "convert"],
                "default": "metadata",
            },
            "file_path": {"type": "string", "description": "the audio file"},
            "target_path": {"type": "string", "description": "convert: the WAV file to write"},
            "channels": {
                "type": "integer",
                "minimum": 1,
                "maximum": 16,
                "description": "convert: channel count of the output (mono ↔ N)",
            },
            "bits_per_sample": {
                "type": "integer",
                "enum": [8, 16, 24, 32],
                "description": "convert: sample width of the output",
            },
            "sample_rate": {
                "type": "integer",
                "minimum": 1,
                "description": "convert: must equal the input's (resampling is not supported)",
            },
        },
        "required": ["file_path"],
        "additionalProperties": False,
    },
)
