"""``ARGS``: the script's command-line arguments (``llmspell run s.lua -- a --k v``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.ops import GlobalSpec

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


def _args(ctx: CallContext) -> dict[Any, Any]:
    args = dict(ctx.args)
    args.setdefault("positional", [args[i] for i in range(1, len(args)) if i in args])
    return args


ARGS = GlobalSpec(
    "ARGS",
    value=_args,
    doc="ARGS[0] is the script name, ARGS[1..n] the positional arguments (also the list "
    'ARGS.positional), ARGS.k the value of --k v (a bare --flag is "true").',
)
