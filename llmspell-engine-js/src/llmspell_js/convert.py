"""Values across the JavaScript boundary, as JSON text with markers.

QuickJS passes only primitives to Python, so structured values cross as JSON. Markers
carry what JSON cannot: ``{"\\u0000fn": id}`` a script function, ``{"\\u0000h": id}`` a
host object (with ``type`` and ``fields`` on the way in), ``{"\\u0000num": "NaN"}`` a
number JSON has no literal for.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError

if TYPE_CHECKING:
    from llmspell_js.engine import JSEngine

FN, HANDLE, NUM = "\u0000fn", "\u0000h", "\u0000num"


class Marshal:
    """Converts values for one engine (it owns the table of host objects)."""

    def __init__(self, engine: JSEngine) -> None:
        self.engine = engine
        self.handles: dict[int, Any] = {}
        self._ids: dict[int, int] = {}

    # -- JavaScript → Python ----------------------------------------------------------

    def decode(self, text: str | None) -> Any:
        """Python values from JSON text produced by the prelude's encoder."""
        if text is None:
            return None
        try:
            value = json.loads(text, parse_int=_js_int)
        except (ValueError, TypeError, RecursionError) as exc:
            raise ValidationError(f"a value from JavaScript is not valid JSON ({exc})") from None
        return self._revive(value)

    def _revive(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._revive(v) for v in value]
        if not isinstance(value, dict):
            return value
        if FN in value or HANDLE in value or NUM in value:
            return self._marker(value)
        return {k: self._revive(v) for k, v in value.items()}

    def _marker(self, value: dict[str, Any]) -> Any:
        """A function, host object or number marker; anything else carrying a marker key
        (the prelude refuses such keys in spell data) is a ValidationError."""
        if len(value) == 1:
            ((key, ref),) = value.items()
            if key == FN and type(ref) is int and ref > 0:
                from llmspell_js.engine import JSFunction

                return JSFunction(self.engine, ref)
            if key == HANDLE and type(ref) is int:
                obj = self.handles.get(ref)
                if obj is None:
                    raise ValidationError(
                        "an object this run was not given (or one from an earlier run) "
                        "cannot be used here"
                    )
                return obj
            if key == NUM and type(ref) is str and len(ref) < 1_000_000:
                return _number(ref)
        raise ValidationError("a malformed object reference from JavaScript")

    # -- Python → JavaScript ----------------------------------------------------------

    def encode(self, value: Any) -> str:
        """JSON text the prelude's reviver turns into JavaScript values."""
        return json.dumps(self._prepare(value), ensure_ascii=False, allow_nan=True)

    def _prepare(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, dict):
            return {str(k): self._prepare(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._prepare(v) for v in value]
        from llmspell_js.engine import JSFunction

        if isinstance(value, JSFunction) and value.engine is self.engine:
            return {FN: value.fn_id}
        object_type = self.engine.session.object_type(value)
        if object_type is not None:
            hid = self._ids.get(id(value))
            if hid is None:
                hid = len(self.handles) + 1
                self.handles[hid] = value
                self._ids[id(value)] = hid
            fields = self._prepare(object_type.fields(value))
            return {HANDLE: hid, "type": object_type.name, "fields": fields}
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        raise ValidationError(f"cannot pass a Python {type(value).__name__} to JavaScript")


def _js_int(text: str) -> float | int:
    """An integer literal JSON.stringify wrote: a double, exact as an int only up to 2**53
    (``2 ** 64`` is written ``18446744073709552000``, which is not 2**64 as an int)."""
    value = int(text)
    return value if -(2**53) <= value <= 2**53 else float(text)


def _number(text: str) -> float | int:
    if text in ("NaN", "Infinity", "-Infinity"):
        return float(text.replace("Infinity", "inf"))
    try:
        return int(text, 0)  # a BigInt: decimal, or hexadecimal ("0x…", "-0x…") when large
    except ValueError:
        return float("nan")
