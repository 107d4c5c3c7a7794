"""``JSON.parse`` / ``JSON.stringify`` (Lua; JavaScript keeps its own ``JSON``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError
from llmspell.ops import GlobalSpec, Param
from llmspell.values import check_json_value, dumps

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


JSON = GlobalSpec("JSON", languages=("lua",), doc="Encode and decode JSON.")


@JSON.function("parse", Param("text", "string"))
def parse(ctx: CallContext, text: str) -> Any:
    """Decode JSON text; ValidationError on bad input (with line and column)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"JSON.parse: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


@JSON.function(
    "stringify",
    Param("value", optional=True),
    Param("pretty", "boolean", optional=True, default=False),
)
def stringify(ctx: CallContext, value: Any, pretty: bool) -> str:
    """Encode a value as JSON (keys sorted, so output is the same in every engine);
    nil encodes as ``null``."""
    check_json_value(value, "JSON.stringify")
    return dumps(value, pretty=pretty)
