"""audio-processor: WAV metadata, mutagen formats, detection, WAV→WAV conversion, denials."""

from __future__ import annotations

import struct
import wave

import pytest

from llmspell.errors import SecurityError, ValidationError


def make_wav(path, *, channels=2, width=2, rate=8000, frames=800):
    """A PCM WAV whose left channel is a ramp and right channel its negation."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        data = bytearray()
        for i in range(frames):
            for c in range(channels):
                value = (i * 37 % 2000 - 1000) * (1 if c == 0 else -1)
                if width == 1:
                    data += bytes([(value >> 4) + 128])
                else:
                    data += (value << (8 * (width - 2))).to_bytes(width, "little", signed=True)
        wav.writeframes(bytes(data))
    return path


def make_flac(path, *, rate=44100, channels=2, samples=88200):
    """A FLAC header (STREAMINFO only) that mutagen reads without any audio frames."""
    info = bytearray(34)
    struct.pack_into(">HH", info, 0, 4096, 4096)
    packed = (rate << 44) | ((channels - 1) << 41) | ((16 - 1) << 36) | samples
    info[10:18] = packed.to_bytes(8, "big")
    path.write_bytes(b"fLaC" + bytes([0x80]) + (34).to_bytes(3, "big") + bytes(info))
    return path


@pytest.fixture
def wav(sandbox):
    return make_wav(sandbox / "tone.wav")


def test_wav_metadata(tools, wav):
    r = tools.ok("audio-processor", file_path="tone.wav")
    meta = r["result"]
    assert meta["format"] == "wav" and meta["codec"] == "pcm"
    assert (meta["channels"], meta["sample_rate"], meta["bits_per_sample"]) == (2, 8000, 16)
    assert meta["frames"] == 800 and meta["duration_s"] == 0.1
    assert meta["size_bytes"] == wav.stat().st_size
    assert r["text"] == "wav, 0.100 s, 8000 Hz, 2 channel(s)"


def test_flac_metadata_through_mutagen(tools, sandbox):
    make_flac(sandbox / "song.flac")
    meta = tools.ok("audio-processor", operation="metadata", file_path="song.flac")["result"]
    assert meta["format"] == "flac"
    assert (meta["sample_rate"], meta["channels"], meta["bits_per_sample"]) == (44100, 2, 16)
    assert meta["duration_s"] == 2.0


def test_detect(tools, sandbox, wav):
    r = tools.ok("audio-processor", operation="detect", file_path="tone.wav")
    assert r["result"] == {"detected": True, "format": "wav", "mime_type": "audio/wav",
                           "extension_matches": True}  # fmt: skip
    make_flac(sandbox / "song.mp3")
    r = tools.ok("audio-processor", operation="detect", file_path="song.mp3")
    assert r["result"]["format"] == "flac" and r["result"]["extension_matches"] is False
    (sandbox / "id3.bin").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 20)
    assert tools.ok("audio-processor", operation="detect", file_path="id3.bin")["text"] == "mp3"
    (sandbox / "x.txt").write_text("hello", encoding="utf-8")
    r = tools.ok("audio-processor", operation="detect", file_path="x.txt")
    assert r["result"]["detected"] is False


@pytest.mark.parametrize("bits", [8, 16, 24, 32])
def test_convert_sample_width_round_trip(tools, sandbox, wav, bits):
    r = tools.ok("audio-processor", operation="convert", file_path="tone.wav",
                 target_path="out.wav", bits_per_sample=bits)  # fmt: skip
    assert r["result"]["bits_per_sample"] == bits and r["result"]["channels"] == 2
    back = tools.ok("audio-processor", operation="convert", file_path="out.wav",
                    target_path="back.wav", bits_per_sample=16)  # fmt: skip
    assert back["result"]["frames"] == 800
    with wave.open(str(wav)) as a, wave.open(str(sandbox / "back.wav")) as b:
        original, restored = a.readframes(800), b.readframes(800)
    if bits >= 16:
        assert original == restored
    else:  # 8-bit keeps the top byte only
        left = [int.from_bytes(restored[i : i + 2], "little", signed=True) for i in (0, 4, 8)]
        assert left == [-1000 & ~0xFF, (37 - 1000) & ~0xFF, (74 - 1000) & ~0xFF]


def test_convert_channels(tools, sandbox, wav):
    r = tools.ok("audio-processor", operation="convert", file_path="tone.wav",
                 target_path="mono.wav", channels=1)  # fmt: skip
    assert r["result"]["channels"] == 1
    with wave.open(str(sandbox / "mono.wav")) as mono:
        assert set(mono.readframes(800)) == {0}  # a ramp and its negation average to silence
    tools.ok("audio-processor", operation="convert", file_path="mono.wav",
             target_path="quad.wav", channels=4)  # fmt: skip
    with wave.open(str(sandbox / "quad.wav")) as quad:
        assert quad.getnchannels() == 4 and quad.getnframes() == 800


def test_convert_unsupported(tools, sandbox, wav):
    r = tools.failed("audio-processor", operation="convert", file_path="tone.wav",
                     target_path="tone.mp3")  # fmt: skip
    assert r["error_kind"] == "UnsupportedError" and "FFmpeg" in r["error"]
    r = tools.failed("audio-processor", operation="convert", file_path="tone.wav",
                     target_path="t.wav", sample_rate=44100)  # fmt: skip
    assert "sample rate" in r["error"]
    make_wav(sandbox / "stereo3.wav", channels=3)
    r = tools.failed("audio-processor", operation="convert", file_path="stereo3.wav",
                     target_path="t.wav", channels=2)  # fmt: skip
    assert "not supported" in r["error"]
    make_flac(sandbox / "song.flac")
    r = tools.failed("audio-processor", operation="convert", file_path="song.flac",
                     target_path="t.wav")  # fmt: skip
    assert "from flac is not supported" in r["error"]
    assert not (sandbox / "t.wav").exists()
    r = tools.failed("audio-processor", operation="convert", file_path="tone.wav")
    assert "target_path" in r["error"]


def test_bad_files(tools, sandbox):
    assert tools.failed("audio-processor", file_path="none.wav")["error_kind"] == "NotFoundError"
    (sandbox / "bad.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunk")
    assert tools.failed("audio-processor", file_path="bad.wav")["error_kind"] == "FormatError"
    (sandbox / "noise.bin").write_bytes(bytes(range(256)) * 4)
    r = tools.failed("audio-processor", file_path="noise.bin")
    assert r["error_kind"] == "FormatError"
    with pytest.raises(ValidationError, match="bits_per_sample"):
        tools("audio-processor", operation="convert", file_path="x.wav", bits_per_sample=12)


def test_denied_paths(tools, sandbox, tmp_path, wav):
    make_wav(tmp_path / "outside.wav")
    for operation in ("metadata", "detect"):
        with pytest.raises(SecurityError, match="denied"):
            tools("audio-processor", operation=operation, file_path=str(tmp_path / "outside.wav"))
    with pytest.raises(SecurityError, match="denied"):
        tools("audio-processor", operation="convert", file_path="tone.wav",
              target_path="../out.wav")  # fmt: skip
    assert not (tmp_path / "out.wav").exists()
