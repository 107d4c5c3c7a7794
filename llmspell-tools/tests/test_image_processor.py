"""image-processor: metadata, every transformation, bad input, bombs and denials."""

from __future__ import annotations

import pytest

from llmspell.errors import SecurityError, ValidationError


@pytest.fixture
def png(sandbox):
    from PIL import Image

    image = Image.new("RGBA", (80, 40), (255, 0, 0, 128))
    image.putpixel((0, 0), (0, 0, 255, 255))
    path = sandbox / "pic.png"
    image.save(path)
    return path


def _open(path):
    from PIL import Image

    return Image.open(path)


def test_metadata(tools, png):
    r = tools.ok("image-processor", file_path="pic.png")
    meta = r["result"]
    assert (meta["format"], meta["width"], meta["height"], meta["mode"]) == ("PNG", 80, 40, "RGBA")
    assert meta["has_transparency"] is True and meta["frames"] == 1
    assert meta["size_bytes"] == png.stat().st_size
    assert r["text"] == "PNG 80x40 RGBA"


def test_resize_keeps_aspect_and_converts_by_extension(tools, sandbox, png):
    r = tools.ok("image-processor", operation="resize", file_path="pic.png",
                 target_path="out/small.jpg", width=20)  # fmt: skip
    assert (r["result"]["width"], r["result"]["height"], r["result"]["format"]) == (20, 10, "JPEG")
    with _open(sandbox / "out" / "small.jpg") as im:
        assert (im.format, im.size, im.mode) == ("JPEG", (20, 10), "RGB")
    r = tools.ok("image-processor", operation="resize", file_path="pic.png",
                 target_path="big.png", width=100, height=100)  # fmt: skip
    with _open(sandbox / "big.png") as im:
        assert im.size == (100, 100)
    assert not list(sandbox.glob(".*.tmp")), "atomic write left a temporary file"


def test_crop_rotate_thumbnail_convert(tools, sandbox, png):
    tools.ok("image-processor", operation="crop", file_path="pic.png", target_path="c.png",
             x=10, y=5, width=30, height=20)  # fmt: skip
    with _open(sandbox / "c.png") as im:
        assert im.size == (30, 20)
    tools.ok("image-processor", operation="rotate", file_path="pic.png", target_path="r.png",
             degrees=90)  # fmt: skip
    with _open(sandbox / "r.png") as im:
        assert im.size == (40, 80)
        assert im.getpixel((0, 79))[:3] == (0, 0, 255)  # top-left went bottom-left
    r = tools.ok("image-processor", operation="rotate", file_path="pic.png",
                 target_path="r45.png", degrees=45)  # fmt: skip
    assert r["result"]["width"] > 80
    tools.ok("image-processor", operation="thumbnail", file_path="pic.png", target_path="t.png",
             width=16)  # fmt: skip
    with _open(sandbox / "t.png") as im:
        assert im.size == (16, 8)
    r = tools.ok("image-processor", operation="convert", file_path="pic.png",
                 target_path="pic.out", target_format="webp")  # fmt: skip
    with _open(sandbox / "pic.out") as im:
        assert im.format == "WEBP"
    tools.ok("image-processor", operation="convert", file_path="pic.png", target_path="p.bmp")
    with _open(sandbox / "p.bmp") as im:
        assert im.format == "BMP"


def test_bad_requests_fail_cleanly(tools, sandbox, png):
    r = tools.failed("image-processor", operation="crop", file_path="pic.png",
                     target_path="c.png", x=70, width=30)  # fmt: skip
    assert "outside" in r["error"]
    assert tools.failed("image-processor", file_path="nope.png")["error_kind"] == "NotFoundError"
    (sandbox / "notes.txt").write_text("not an image", encoding="utf-8")
    r = tools.failed("image-processor", file_path="notes.txt")
    assert r["error_kind"] == "FormatError" and "not an image" in r["error"]
    (sandbox / "cut.png").write_bytes(png.read_bytes()[:60])
    assert tools.failed("image-processor", file_path="cut.png")["error_kind"] == "FormatError"
    r = tools.failed("image-processor", operation="resize", file_path="pic.png", width=5)
    assert "target_path" in r["error"]
    r = tools.failed("image-processor", operation="resize", file_path="pic.png",
                     target_path="x.png")  # fmt: skip
    assert "width and/or height" in r["error"]
    r = tools.failed("image-processor", operation="convert", file_path="pic.png",
                     target_path="x.docx")  # fmt: skip
    assert "output format" in r["error"]
    r = tools.failed("image-processor", operation="rotate", file_path="pic.png",
                     target_path="x.png")  # fmt: skip
    assert "degrees" in r["error"]
    with pytest.raises(ValidationError, match="parameter 'width'"):
        tools("image-processor", operation="resize", file_path="pic.png", target_path="x.png",
              width=0)  # fmt: skip
    # file_path or rs-llmspell's source_path: neither is a clear ValidationError
    r = tools.failed("image-processor", operation="metadata")
    assert r["error_kind"] == "ValidationError" and "'file_path'" in r["error"]


def test_eps_is_not_opened(tools, sandbox):
    """Pillow's EPS plugin runs Ghostscript: the tool refuses the format altogether."""
    (sandbox / "x.eps").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    assert tools.failed("image-processor", file_path="x.eps")["error_kind"] == "FormatError"


def test_decompression_bomb_guard(tools, png, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 80x40 = 3200 > 2x → Pillow refuses
    with pytest.raises(SecurityError, match="refused"):
        tools("image-processor", file_path="pic.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 3000)  # over, but under 2x: our own check
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(SecurityError, match="bomb"):
        tools("image-processor", file_path="pic.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5000)  # input ok, output too big
    with pytest.raises(SecurityError, match="resized image"):
        tools("image-processor", operation="resize", file_path="pic.png", target_path="b.png",
              width=100, height=100)  # fmt: skip


def test_paths_outside_are_denied(tools, sandbox, tmp_path, png):
    from PIL import Image

    Image.new("RGB", (4, 4)).save(tmp_path / "outside.png")
    with pytest.raises(SecurityError, match="denied"):
        tools("image-processor", file_path=str(tmp_path / "outside.png"))
    with pytest.raises(SecurityError, match="denied"):
        tools("image-processor", operation="thumbnail", file_path="pic.png",
              target_path="../escape.png")  # fmt: skip
    assert not (tmp_path / "escape.png").exists()
    (sandbox / "link.png").symlink_to(tmp_path / "outside.png")
    with pytest.raises(SecurityError):
        tools("image-processor", file_path="link.png")


def test_rotated_canvas_is_sized_before_it_is_allocated(tools, png, monkeypatch):
    from PIL import Image

    calls = []
    real_rotate = Image.Image.rotate
    monkeypatch.setattr(Image.Image, "rotate", lambda self, *a, **k: calls.append(a) or
                        real_rotate(self, *a, **k))  # fmt: skip
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 3500)  # 80x40 fits; 45° needs ~86x86
    with pytest.raises(SecurityError, match="rotated image"):
        tools("image-processor", operation="rotate", file_path="pic.png", target_path="r.png",
              degrees=45)  # fmt: skip
    assert calls == []  # refused before Pillow built the canvas
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    r = tools.ok("image-processor", operation="rotate", file_path="pic.png",
                 target_path="r.png", degrees=30)  # fmt: skip
    assert r["success"] and calls
