"""image-processor: image metadata and simple transformations (Pillow).

Only common raster formats are opened (``ALLOWED_FORMATS``): Pillow's EPS/PS plugins
run Ghostscript, which would be process execution outside the policy. Images larger
than ``Image.MAX_IMAGE_PIXELS`` (Pillow's decompression-bomb limit; ~89 megapixels by
default) are refused (SecurityError) before their pixels are decoded, and so are outputs that large.
Outputs are encoded in memory and written atomically to a policy-checked ``target_path``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

from llmspell.errors import SecurityError
from llmspell.tools import Tool
from llmspell_tools._support import atomic_write, dispatch, fail, output, read_bytes, resolve

#: formats the tool opens and writes (Pillow format names)
ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP", "ICO", "PPM")
#: file extensions → output format
_EXTENSIONS = {
    "png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "bmp": "BMP", "tif": "TIFF",
    "tiff": "TIFF", "webp": "WEBP", "ico": "ICO", "ppm": "PPM",
}  # fmt: skip
#: the pixel limit used when Pillow's own limit is disabled (``MAX_IMAGE_PIXELS = None``)
FALLBACK_MAX_PIXELS = 89_478_485
DEFAULT_THUMBNAIL = 128
_TRANSFORMS = ("resize", "crop", "rotate", "convert", "thumbnail")


def _max_pixels() -> int:
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    return int(limit) if limit else FALLBACK_MAX_PIXELS


def _check_pixels(width: int, height: int, what: str) -> None:
    limit = _max_pixels()
    if width * height > limit:
        raise SecurityError(
            f"{what} is {width}x{height} = {width * height} pixels, over the limit of {limit} "
            "(decompression-bomb guard)",
            hint="the limit is PIL.Image.MAX_IMAGE_PIXELS",
        )


def _open(ctx: Any, params: dict[str, Any]) -> Any:
    """The image of ``file_path`` (policy-checked, size-capped, bomb-checked), loaded."""
    from PIL import Image, UnidentifiedImageError

    path = params["file_path"]
    data = read_bytes(ctx, path, what="image")
    try:
        image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except Image.DecompressionBombError as exc:
        raise SecurityError(f"image {path!r} refused: {exc}") from None
    except UnidentifiedImageError:
        fail(
            f"{path!r} is not an image in a supported format ({', '.join(ALLOWED_FORMATS)})",
            kind="FormatError",
        )
    _check_pixels(image.width, image.height, f"image {path!r}")
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as exc:
        fail(f"image {path!r} is damaged or truncated: {exc}", kind="FormatError")
    return image


def _json_safe(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, tuple | list):
        return [_json_safe(v) for v in value]
    try:
        return float(value)  # IFDRational and friends
    except (TypeError, ValueError):
        return None


def _describe(image: Any, fmt: str | None) -> dict[str, Any]:
    return {
        "format": fmt,
        "mode": image.mode,
        "width": image.width,
        "height": image.height,
    }


def _metadata(ctx: Any, params: dict[str, Any]) -> Any:
    image = _open(ctx, params)
    info = _describe(image, image.format)
    info["size_bytes"] = resolve(ctx, params["file_path"]).stat().st_size
    info["frames"] = int(getattr(image, "n_frames", 1))
    info["animated"] = bool(getattr(image, "is_animated", False))
    info["has_transparency"] = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    info["has_exif"] = bool(image.getexif())
    info["info"] = {
        key: safe
        for key, value in image.info.items()
        if key in ("dpi", "gamma", "loop", "duration", "compression", "progressive")
        and (safe := _json_safe(value)) is not None
    }
    text = f"{image.format} {image.width}x{image.height} {image.mode}"
    return output(info, text=text)


def _dimension(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    return None if value is None else int(value)


def _target_format(params: dict[str, Any], source_format: str | None) -> str:
    wanted = params.get("target_format")
    if wanted:
        fmt = _EXTENSIONS.get(str(wanted).lower().lstrip("."))
        if fmt is None:
            fail(
                f"unsupported target_format {wanted!r} (supported: {', '.join(_EXTENSIONS)})",
                kind="ValidationError",
            )
        return fmt
    suffix = os.path.splitext(params["target_path"])[1].lower().lstrip(".")
    if suffix:
        fmt = _EXTENSIONS.get(suffix)
        if fmt is None:
            fail(
                f"cannot tell the output format from {params['target_path']!r}; "
                f"give target_format ({', '.join(_EXTENSIONS)})",
                kind="ValidationError",
            )
        return fmt
    return source_format or "PNG"


def _resize(image: Any, params: dict[str, Any]) -> Any:
    width, height = _dimension(params, "width"), _dimension(params, "height")
    if width is None and height is None:
        fail("resize needs width and/or height", kind="ValidationError", operation="resize")
    if width is None:
        width = max(1, round(image.width * height / image.height))
    if height is None:
        height = max(1, round(image.height * width / image.width))
    _check_pixels(width, height, "the resized image")
    return image.resize((width, height))


def _crop(image: Any, params: dict[str, Any]) -> Any:
    x, y = _dimension(params, "x") or 0, _dimension(params, "y") or 0
    width = _dimension(params, "width") or image.width - x
    height = _dimension(params, "height") or image.height - y
    if x + width > image.width or y + height > image.height or width < 1 or height < 1:
        fail(
            f"crop box x={x} y={y} width={width} height={height} is outside the "
            f"{image.width}x{image.height} image",
            operation="crop",
        )
    return image.crop((x, y, x + width, y + height))


def _rotate(image: Any, params: dict[str, Any]) -> Any:
    degrees = params.get("degrees")
    if degrees is None:
        fail("rotate needs degrees", kind="ValidationError", operation="rotate")
    from PIL import Image

    exact = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
             270: Image.Transpose.ROTATE_270}  # fmt: skip
    turn = float(degrees) % 360
    if turn == 0:
        return image.copy()
    if turn.is_integer() and int(turn) in exact:
        return image.transpose(exact[int(turn)])
    import math

    rad = math.radians(turn)
    cos, sin = abs(math.cos(rad)), abs(math.sin(rad))
    # the expanded canvas, sized before Pillow allocates it
    width = math.ceil(image.width * cos + image.height * sin) + 1
    height = math.ceil(image.width * sin + image.height * cos) + 1
    _check_pixels(width, height, "the rotated image")
    rotated = image.rotate(float(degrees), expand=True)
    _check_pixels(rotated.width, rotated.height, "the rotated image")
    return rotated


def _thumbnail(image: Any, params: dict[str, Any]) -> Any:
    width = _dimension(params, "width") or DEFAULT_THUMBNAIL
    height = _dimension(params, "height") or width
    copy = image.copy()
    copy.thumbnail((width, height))
    return copy


def _same(image: Any, params: dict[str, Any]) -> Any:
    return image


def _encode(image: Any, fmt: str, params: dict[str, Any]) -> bytes:
    keeps = {"JPEG": ("RGB", "L", "CMYK"), "BMP": ("RGB", "L", "1"), "PPM": ("RGB", "L", "1")}
    if fmt in keeps and image.mode not in keeps[fmt]:
        image = image.convert("RGB")
    options: dict[str, Any] = {}
    if params.get("quality") is not None and fmt in ("JPEG", "WEBP"):
        options["quality"] = int(params["quality"])
    buffer = io.BytesIO()
    try:
        image.save(buffer, format=fmt, **options)
    except (OSError, ValueError, KeyError) as exc:
        fail(f"cannot write the image as {fmt}: {exc}")
    return buffer.getvalue()


def _transform(ctx: Any, params: dict[str, Any]) -> Any:
    operation = params.get("operation")
    target = params.get("target_path")
    if not target:
        fail(f"{operation} needs target_path (where to write the result)", kind="ValidationError")
    resolve(ctx, target, what="target_path")  # deny before doing any work
    image = _open(ctx, params)
    source_format = image.format
    steps: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
        "resize": _resize, "crop": _crop, "rotate": _rotate, "thumbnail": _thumbnail,
        "convert": _same,
    }  # fmt: skip
    result = steps[str(operation)](image, params)
    fmt = _target_format(params, source_format)
    data = _encode(result, fmt, params)
    real = atomic_write(ctx, target, data)
    info = _describe(result, fmt)
    info.update(source_path=params["file_path"], target_path=str(real), size_bytes=len(data))
    text = f"Wrote {fmt} {result.width}x{result.height} ({len(data)} bytes) to {target}"
    return output(info, text=text)


def _detect(ctx: Any, params: dict[str, Any]) -> Any:
    """rs-llmspell's detect: the image's format and MIME type."""
    from PIL import Image

    image = _open(ctx, params)
    fmt = image.format
    mime = Image.MIME.get(fmt or "", "application/octet-stream")
    info = {"format": fmt, "mime_type": mime, "width": image.width, "height": image.height}
    return output(info, text=f"{fmt} ({mime})")


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Read metadata, detect the format, or transform an image into ``target_path``."""
    if params.get("file_path") is None:
        if params.get("source_path") is None:
            fail("'file_path' (the image to read) is required", kind="ValidationError")
        params = {**params, "file_path": params["source_path"]}  # rs-llmspell's name
    ops = {
        "metadata": _metadata,
        "detect": _detect,
        **{name: _transform for name in _TRANSFORMS},
    }
    return dispatch(params, ops, ctx, params, default="metadata")


_SIZE = {"type": "integer", "minimum": 1, "maximum": 100_000}
TOOL = Tool(
    name="image-processor",
    description="Read image metadata (format, size, mode) or resize, crop, rotate, convert "
    "or thumbnail an image (PNG, JPEG, GIF, BMP, TIFF, WebP, ICO, PPM) into target_path.",
    category="media",
    handler=run,
    timeout_seconds=60,
    security=("files",),
    tags=("image", "media", "resize", "convert", "thumbnail", "pillow"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["metadata", "detect", *_TRANSFORMS],
                "default": "metadata",
            },
            "file_path": {"type": "string", "description": "the image to read"},
            "source_path": {"type": "string", "description": "rs-llmspell's name of file_path"},
            "target_path": {
                "type": "string",
                "description": "where to write the result (transformations); overwritten",
            },
            "width": {**_SIZE, "description": "resize/crop/thumbnail width in pixels"},
            "height": {**_SIZE, "description": "resize/crop/thumbnail height in pixels"},
            "x": {"type": "integer", "minimum": 0, "description": "crop: left edge"},
            "y": {"type": "integer", "minimum": 0, "description": "crop: top edge"},
            "degrees": {
                "type": "number",
                "description": "rotate: angle in degrees, counter-clockwise",
            },
            "target_format": {
                "type": "string",
                "description": "output format (png, jpeg, webp, gif, bmp, tiff, ico, ppm); "
                "default: from target_path's extension, else the source format",
            },
            "quality": {
                "type": "integer",
                "minimum": 1,
                "maximum": 100,
                "description": "JPEG/WebP quality",
            },
        },
        "additionalProperties": False,
    },
)
