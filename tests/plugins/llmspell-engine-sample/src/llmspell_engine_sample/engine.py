"""``SampleEngine``: a line-oriented toy language, written as an example for plugin authors.

One statement per line; blank lines and lines starting with ``#`` are ignored::

    print <text>                     write <text> and a newline to the run's output
    call <Global>.<fn> [<json>]      call an op; <json> is the argument list (a single
                                     non-array value is one argument); print the result
                                     as JSON
    error <Kind>: <message>          raise that llmspell error (``ToolError: ...``)
    return <json>                    end the spell with this result

What every engine must do, and where this one does it (see :class:`llmspell.ScriptEngine`):

- bind the globals of ``session.globals()`` from the op table: :meth:`_resolve` looks an
  op up by global and function name; it never re-implements an op;
- call ops through ``session.call(op, args)``, awaiting the answer unless the op's mode
  is ``"sync"``: :meth:`_call`;
- report errors as :class:`~llmspell.errors.LLMSpellError` with the spell's file and line
  (``err.at(file, line)``), so the CLI prints ``file:line: Kind: message``;
- respect the run's limits: :meth:`run` checks the wall-time deadline before each line.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from llmspell.engine import ScriptEngine
from llmspell.errors import LLMSpellError, NotFoundError, ScriptError, error_class_for_kind
from llmspell.ops import Op

__all__ = ["SampleEngine"]


class SampleEngine(ScriptEngine):
    """Runs ``.sample`` spells (the language above)."""

    name: ClassVar[str] = "sample"
    extensions: ClassVar[tuple[str, ...]] = (".sample",)
    language: ClassVar[str] = "Sample (example engine)"
    capabilities: ClassVar[dict[str, bool]] = {"async": True, "streaming": False}

    async def run(self, source: str, chunk_name: str) -> Any:
        """Run the spell line by line; returns the ``return`` value (or None)."""
        for lineno, raw in enumerate(source.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            self.session.check_deadline()
            word, _, rest = line.partition(" ")
            try:
                if word == "print":
                    self.session.output.write(rest + "\n")
                elif word == "call":
                    target, _, args = rest.strip().partition(" ")
                    result = await self._call(target, args)
                    self.session.output.write(json.dumps(result, sort_keys=True) + "\n")
                elif word == "error":
                    raise self._script_error(rest)
                elif word == "return":
                    return _parse_json(rest) if rest.strip() else None
                else:
                    raise ScriptError(f"syntax error: unknown statement {word!r}")
            except LLMSpellError as exc:
                if exc.line is None:  # keep a location an inner error already has
                    exc.at(chunk_name, lineno)
                raise
            except Exception as exc:  # a bug in an op: still a clear script error
                raise ScriptError(f"internal error: {type(exc).__name__}: {exc}").at(
                    chunk_name, lineno
                ) from exc
        return None

    async def _call(self, target: str, args_text: str) -> Any:
        op = self._resolve(target)
        args = _parse_json(args_text) if args_text.strip() else []
        if not isinstance(args, list):
            args = [args]
        value = self.session.call(op, args)  # validates args against the op's params
        if op.mode != "sync":  # "async" and "blocking" ops answer with an awaitable
            value = await value
        return value

    def _resolve(self, target: str) -> Op:
        """The op ``<Global>.<fn>`` among the globals this run may use."""
        gname, _, fname = target.partition(".")
        for spec in self.session.globals():
            if spec.name == gname:
                op = spec.functions.get(spec.aliases.get(fname, fname))
                if op is not None:
                    return op
                raise NotFoundError(f"{gname} has no function {fname!r}")
        raise NotFoundError(f"unknown global {gname!r}")

    @staticmethod
    def _script_error(text: str) -> LLMSpellError:
        """``Kind: message`` → that error class; anything else is a ScriptError."""
        kind, sep, message = text.partition(":")
        cls = error_class_for_kind(kind.strip()) if sep else None
        if cls is None:
            return ScriptError(text.strip())
        return cls(message.strip())


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(f"syntax error: invalid JSON ({exc.msg} at column {exc.colno})") from None
