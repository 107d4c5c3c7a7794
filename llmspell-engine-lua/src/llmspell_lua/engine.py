"""``LuaEngine``: runs spells in a sandboxed Lua 5.4 state (lupa), one coroutine per task.

The spell body runs as a coroutine. A sync op is a direct call into Python; an async
or blocking op yields a request that the driver here awaits on the asyncio loop and
answers by resuming the coroutine. Script functions the host calls back (a
``Tool.register`` handler) run as their own task coroutines on the same state.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any, ClassVar

from lupa import lua54

from llmspell.engine import ScriptEngine
from llmspell.errors import (
    LimitExceeded,
    LLMSpellError,
    ScriptError,
    SpellExit,
    ValidationError,
    error_class_for_kind,
    split_kind,
)
from llmspell.ops import Op, ScriptFunction
from llmspell.runtime import RunSession
from llmspell_lua.convert import Marshal, not_utf8
from llmspell_lua.files import LuaFiles
from llmspell_lua.stdlib import LuaStdlib

__all__ = ["LuaEngine", "LuaFunction"]

_LOCATION = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+): (?P<rest>.*)$", re.S)
# read beside this file: importlib.resources would import zipfile (~5 ms of every start)
_PRELUDE = (Path(__file__).parent / "prelude.lua").read_text(encoding="utf-8")
#: the key of the table the prelude passes a non-UTF-8 string of a binary parameter in
BYTES_KEY = "__llmspell_latin1_bytes"
_MEMORY_MESSAGE = "not enough memory"
_PRELUDE_NAME = "llmspell-prelude"


def _deny_attributes(obj: Any, name: Any, is_setting: bool) -> Any:
    raise AttributeError("Python attributes are not accessible from a spell")


class LuaFunction(ScriptFunction):
    """A Lua function the host can call (``await fn(*args)``)."""

    def __init__(self, engine: LuaEngine, fn: Any) -> None:
        self.engine = engine
        self.fn = fn
        self.name = "lua function"

    async def __call__(self, *args: Any) -> Any:
        """Run the function as a new task coroutine; returns its first result."""
        return await self.engine.run_task(self.fn, list(args))


class LuaEngine(ScriptEngine):
    """Lua 5.4 through lupa, sandboxed as in DESIGN.md §5."""

    name: ClassVar[str] = "lua"
    extensions: ClassVar[tuple[str, ...]] = (".lua",)
    language: ClassVar[str] = "Lua 5.4"
    capabilities: ClassVar[dict[str, bool]] = {
        "async": True, "coroutines": True, "streaming": True, "interactive": True,
    }  # fmt: skip

    #: instructions between two checks of the instruction budget and the wall clock
    HOOK_EVERY = 10_000
    #: steps (VM-instruction equivalents) a bounded primitive is assumed to do per
    #: second when deciding whether its worst case fits in the time left (a slow
    #: machine's rate: a step is 4-16 ns here)
    STEPS_PER_SECOND = 50_000_000
    #: the most steps one call may do in a run without a wall-time limit (a minute)
    MAX_UNTIMED_STEPS = 60 * STEPS_PER_SECOND
    #: room for the prelude and the bindings, lifted above the memory limit while the
    #: engine is built (they count against the spell's limit afterwards)
    SETUP_ALLOWANCE = 32 * 1024 * 1024

    def __init__(self, session: RunSession) -> None:
        super().__init__(session)
        limits = session.limits
        max_memory = (limits.memory_mb or 0) * 1024 * 1024 or None
        self.lua = lua54.LuaRuntime(
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=True,
            attribute_filter=_deny_attributes,
            max_memory=max_memory,
        )
        self._ops: list[Op] = []
        #: the first limit hit in any task (a tool handler's too): it ends the whole run
        self._limit_error: LimitExceeded | None = None
        #: the spell line a task waited at when the run was cancelled from outside
        self._stopped_line: int | None = None
        #: the last limit the host raised into Lua (a deadline, a stop request, an op's
        #: LimitExceeded): the error the run ends with when its message surfaces
        self._fatal: LimitExceeded | None = None
        if max_memory is not None:
            self.lua.set_max_memory(max_memory + self.SETUP_ALLOWANCE)
        self.stdlib = LuaStdlib(self)
        self.files = LuaFiles(self)
        self._std = self._std_functions()
        host = self.lua.table_from(
            {
                "std": self._std_call,
                "arg": self.lua.table_from(self.stdlib.arg_table()),
                "package_path": self.stdlib.default_path(),
                "max_input_bytes": session.policy.max_input_bytes,
                "sync_call": self._sync_call,
                "write": self._write,
                "work_check": self._work_check,
                "instruction_limit": limits.instruction_limit or 0,
                "hook_every": self.HOOK_EVERY,
                # in the units of collectgarbage("count"), which include lupa's base
                "memory_limit": (max_memory or 0)
                and max_memory + self.lua.get_memory_used(total=True) - self.lua.get_memory_used(),
                "memory_mb": limits.memory_mb or 0,
            }
        )
        try:
            self.bridge = self.lua.execute(_PRELUDE, host, name="=" + _PRELUDE_NAME)
            self._REQ = self.bridge.REQ
            self._ERR = self.bridge.ERR
            self._DONE = self.bridge.DONE
            self._FATAL = self.bridge.FATAL
            self._errbox = self.bridge.errbox
            self.marshal = Marshal(self)
            self._bind_globals()
        finally:
            if max_memory is not None:
                self.lua.set_max_memory(max_memory)

    # -- bindings generated from the op table -------------------------------------------

    def _function_for(self, op: Op) -> Any:
        op_id = len(self._ops)
        self._ops.append(op)
        if op.mode == "sync":
            return self.bridge.sync_function(op_id)
        binary = [i + 1 for i, p in enumerate(op.params) if p.binary]
        if binary:
            # strings at these positions may hold any bytes: the prelude re-encodes one
            # that is not UTF-8 (as files.write does) and _args_from_lua restores it
            return self.bridge.async_function(op_id, op.title, self.lua.table_from(binary))
        return self.bridge.async_function(op_id, op.title)

    def _bind_globals(self) -> None:
        g = self.lua.globals()
        session = self.session
        for spec in session.globals():
            for ot in spec.object_types:
                methods = {name: self._function_for(op) for name, op in ot.methods.items()}
                self.bridge.object_type(ot.name, self.lua.table_from(methods), ot.iterator)
            if spec.value is not None:
                g[spec.name] = self.marshal.to_lua(spec.value(session))
                continue
            table = self.lua.table()
            for fname, op in spec.functions.items():
                self._place(table, fname, self._function_for(op))
            for alias, target in spec.aliases.items():
                table[alias] = table[target]
            for fname, builder in spec.builders.items():
                setters = self.lua.table_from(dict(builder.setters))
                appenders = self.lua.table_from(dict(builder.appenders))
                presets = self.lua.table_from(
                    {k: self.lua.table_from(list(v)) for k, v in builder.presets.items()}
                )
                table[fname] = self.bridge.builder(
                    setters, self._function_for(builder.build), appenders, presets
                )
            g[spec.name] = table

    def _place(self, table: Any, name: str, value: Any) -> None:
        """``table[name] = value``; a dotted name (``episodic.add``) goes in sub-tables."""
        *path, leaf = name.split(".")
        for part in path:
            sub = table[part]
            if sub is None:
                sub = table[part] = self.lua.table()
            table = sub
        table[leaf] = value

    # -- callbacks from Lua --------------------------------------------------------------

    def _sync_call(self, op_id: int, *args: Any) -> tuple[Any, ...]:
        op = self._ops[op_id]
        marshal = self.marshal
        try:
            value = self.session.call(op, self._args_from_lua(op, args) if args else [])
            t = type(value)
            if value is None or t is bool or t is int or t is float:
                return True, value  # (the common case, kept short)
            return True, marshal.guarded(value, op.title)
        except LimitExceeded as exc:
            # a limit the host raised ends the run: the prelude marks it dead
            self._fatal = exc
            return False, marshal.guarded(exc.script_message(), "an error", force=True), True
        except LLMSpellError as exc:
            return False, marshal.guarded(exc.script_message(), "an error", force=True)
        except Exception as exc:  # a bug in an op: still a clear script error
            text = f"ScriptError: internal error in {op.title}: {type(exc).__name__}: {exc}"
            return False, marshal.guarded(text, "an error", force=True)

    def _std_functions(self) -> dict[str, Any]:
        stdlib, files = self.stdlib, self.files
        return {
            "exit": stdlib.exit,
            "getenv": stdlib.getenv,
            "source": stdlib.source,
            "search": stdlib.search,
            "open": files.open,
            "read": files.read,
            "read_stdin": files.read_stdin,
            "write": files.write,
            "write_stream": files.write_stream,
            "close": files.close,
            "seek": files.seek,
        }

    def _std_call(self, name: str, *args: Any) -> tuple[Any, ...]:
        """The prelude's standard library calls the host here: ``(True, results...)``,
        or ``(False, message[, True])`` (True: a limit that ends the run)."""
        try:
            value = self._std[name](*args)
        except LimitExceeded as exc:
            self._fatal = exc
            return False, self.marshal.guarded(exc.script_message(), "an error", force=True), True
        except LLMSpellError as exc:
            return False, self.marshal.guarded(exc.script_message(), "an error", force=True)
        except Exception as exc:  # a bug here: still a clear script error
            what = f"the Lua {name} function: {type(exc).__name__}: {exc}"
            text = f"ScriptError: internal error in {what}"
            return False, self.marshal.guarded(text, "an error", force=True)
        if name == "search":  # (found, chunk name, text) or (False, what was tried)
            if not value[0]:
                return False, value[1]
            return True, value[1], self._std_value(value[2])
        if type(value) is tuple:
            return (True, *(self._std_value(v) for v in value))
        return True, self._std_value(value)

    def _std_value(self, value: Any) -> Any:
        if type(value) is str and len(value) > 4096:
            return self.marshal.guarded(value, "a file")
        return value

    def exiting(self, err: LimitExceeded) -> None:
        """``os.exit`` was called: ``err`` is the error the run ends with."""
        self._fatal = err

    def _args_from_lua(self, op: Op, args: tuple[Any, ...]) -> list[Any]:
        from_host_side = self.marshal.from_host_side
        out = [
            a
            if type(a) is int or (type(a) is str and len(a) <= 4096)
            else from_host_side(a, op.title)
            for a in args
        ]
        for i, a in enumerate(out):
            # a binary parameter's string that was not UTF-8 (see prelude: for_binary)
            if type(a) is dict and len(a) == 1 and type(a.get(BYTES_KEY)) is str:
                out[i] = a[BYTES_KEY].encode("latin-1")
        return out

    def _write(self, text: Any) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        self.session.output.write(str(text))

    def _work_check(self, steps: float, what: str | None = None, detail: str | None = None) -> Any:
        """Called by the prelude's hook (``steps`` 0) and by its bounded primitives: the
        message of the error the run must end with now, or None. That is the stop error
        (the deadline passed, or :meth:`RunSession.stop` was called: Ctrl-C), or, for a
        call whose worst case is ``steps``, a refusal when that cannot finish in the
        time left (assuming :attr:`STEPS_PER_SECOND`)."""
        session = self.session
        err = session.stop_error()
        if err is None and steps > 0:
            left = session.deadline - time.monotonic()
            allowed = left * self.STEPS_PER_SECOND if left != float("inf") else None
            cap = allowed if allowed is not None else self.MAX_UNTIMED_STEPS
            if steps > cap:
                action = (
                    f"{what or 'a call'}{detail or ''} would take up to about {steps:.3g} steps"
                )
                if allowed is not None:
                    timeout = session.limits.timeout_seconds or 0
                    err = LimitExceeded(
                        f"wall-time limit of {timeout:g} s exceeded (refused up front: {action}, "
                        f"more than the {max(left, 0):.3g} s left allow)",
                        limit="timeout",
                        hint=_limit_hint("timeout"),
                    )
                else:
                    err = LimitExceeded(
                        f"instruction limit exceeded (refused up front: {action}; one call may "
                        f"take at most {self.MAX_UNTIMED_STEPS:.3g})",
                        limit="instructions",
                        hint="split the work into smaller calls",
                    )
        if err is None:
            return None
        self._fatal = err
        return self.marshal.guarded(f"{err.kind}: {err.message}", "an error", force=True)

    # -- driving tasks -------------------------------------------------------------------

    async def run(self, source: str, chunk_name: str) -> Any:
        """Compile and run the spell; returns its first return value as Python."""
        chunk, err = self._compile(source, chunk_name)
        if chunk is None:
            raise self._error_from_message(str(err), chunk_name, syntax=True)
        return await self.run_task(chunk, [])

    async def run_entry(self, source: str, chunk_name: str) -> tuple[Any, ...]:
        """One interactive entry, as ``lua.c`` runs it: ``return <entry>`` first (an
        expression: its values are echoed), else the entry as statements, whose top-level
        locals live on (:mod:`llmspell_lua.interactive`)."""
        from llmspell_lua.interactive import rewrite_locals

        self.bridge.revive()
        self._limit_error = self._fatal = None
        self._stopped_line = None
        if source.startswith("\x1bLua"):
            raise ScriptError("binary chunks are not allowed; enter Lua source").at(
                chunk_name, 1
            )
        try:
            chunk, _ = self._compiled_entry("return " + source + "\n", chunk_name)
            if chunk is None:
                chunk, err = self._compiled_entry(rewrite_locals(source), chunk_name)
                if chunk is None:
                    raise self._error_from_message(str(err), chunk_name, syntax=True)
        except lua54.LuaMemoryError:
            raise self._memory_error() from None
        return tuple(await self.run_task(chunk, [], all_values=True))

    def _compiled_entry(self, source: str, chunk_name: str) -> tuple[Any, Any]:
        result = self.bridge.compile_entry(source, chunk_name)
        if isinstance(result, tuple):
            return result[0], result[1] if len(result) > 1 else None
        return result, None

    def _compile(self, source: str, chunk_name: str) -> tuple[Any, Any]:
        if source.startswith("\x1bLua"):
            return None, f"{chunk_name}:1: binary chunks are not allowed; run the .lua source"
        if source.startswith("#!"):
            source = "--" + source
        try:
            result = self.bridge.compile(source, chunk_name)
        except lua54.LuaMemoryError:
            raise self._memory_error() from None
        if isinstance(result, tuple):
            return result[0], result[1] if len(result) > 1 else None
        return result, None

    async def run_task(self, fn: Any, args: list[Any], *, all_values: bool = False) -> Any:
        """Run Lua function ``fn`` as a task coroutine with the Python values ``args``,
        answering its host requests; returns its first result (``all_values``: a list of
        them all)."""
        packed = self.marshal.pack(args, "a Lua function", "arguments")
        try:
            # lupa hands back a not-yet-started Lua thread as a callable; calling it with
            # the start arguments gives the thread object that send() drives
            co = self.bridge.new_task(fn)(packed)
        except lua54.LuaMemoryError:
            raise self._limit_hit(self._memory_error()) from None
        send_value: Any = None
        REQ, DONE = self._REQ, self._DONE
        while True:
            try:
                out = co.send(send_value)
            except lua54.LuaMemoryError:
                raise self._limit_hit(self._memory_error()) from None
            except lua54.LuaError as exc:
                raise self._limit_hit(self._error_from_lua(exc)) from None
            except UnicodeDecodeError as exc:  # lupa decodes every string crossing as UTF-8
                err = ValidationError(not_utf8(exc)).at(self.session.chunk_name, None)
                raise err from None
            if isinstance(out, tuple) and out:
                head = out[0]
            else:
                head, out = out, (out,)
            if head == DONE:
                if all_values:
                    return [self._result(v) for v in out[1:]]
                return self._result(out[1]) if len(out) > 1 else None
            if head == REQ:
                try:
                    send_value = await self._answer(out[1], out[2:])
                except asyncio.CancelledError:
                    # stopped from outside while waiting (a timeout, Ctrl-C): remember
                    # where, for the error's location
                    if self._stopped_line is None:
                        self._stopped_line = self._where(co)
                    raise
                if self._limit_error is not None:
                    # a limit hit in a task this request ran (a Tool.register handler)
                    # must not come back as an ordinary failure the spell carries on after
                    raise self._limit_error
                continue
            send_value = None  # a bare yield outside any coroutine: resume it

    def _where(self, co: Any) -> int | None:
        try:
            line = self.bridge.where(co, "@" + self.session.chunk_name)
        except Exception:  # the state is unusable (out of memory): no line then
            return None
        return int(line) if isinstance(line, int) else None

    def current_line(self) -> int | None:
        """The spell line the run waited at when it was stopped from outside."""
        return self._stopped_line

    def _limit_hit(self, err: LLMSpellError) -> LLMSpellError:
        """Record a limit that really fired (memory, or the prelude's hook): it ends the
        whole run even when it surfaced in a callback. A spell raising the text
        ``LimitExceeded: ...`` itself is an ordinary error."""
        if not isinstance(err, LimitExceeded) or self._limit_error is not None:
            return err
        if err.limit == "memory" or self.bridge.dead():
            self._limit_error = err
        return err

    def _result(self, value: Any) -> Any:
        try:
            return self.marshal.from_host_side(value, "the spell", "result")
        except LLMSpellError as exc:
            if exc.file is None:
                exc.at(self.session.chunk_name, None)
            raise

    async def _answer(self, op_id: int, args: tuple[Any, ...]) -> Any:
        op = self._ops[op_id]
        guarded = self.marshal.guarded
        try:
            value = self.session.call(op, self._args_from_lua(op, args) if args else [])
            if op.mode != "sync":
                value = await value
            t = type(value)
            if value is None or t is bool or t is int or t is float:
                return value  # (the common case, kept short)
            return guarded(value, op.title)
        except LimitExceeded as exc:
            # a limit the host raised (the host memory budget, the deadline at an await
            # point, Ctrl-C) ends the run: no pcall may swallow it
            self._fatal = exc
            self._errbox[1] = guarded(exc.script_message(), "an error", force=True)
            return self._FATAL
        except LLMSpellError as exc:
            self._errbox[1] = guarded(exc.script_message(), "an error", force=True)
        except Exception as exc:
            text = f"ScriptError: internal error in {op.title}: {type(exc).__name__}: {exc}"
            self._errbox[1] = guarded(text, "an error", force=True)
        return self._ERR

    # -- errors ------------------------------------------------------------------------

    def _memory_error(self) -> LimitExceeded:
        return self.memory_error(None)

    def memory_error(self, detail: str | None) -> LimitExceeded:
        """The memory limit's error, with what did not fit when known."""
        mb = self.session.limits.memory_mb
        extra = f" ({detail})" if detail else ""
        return LimitExceeded(
            f"memory limit of {mb} MB exceeded{extra}",
            limit="memory",
            hint=_limit_hint("memory"),
        ).at(self.session.chunk_name, None)

    def _error_from_lua(self, exc: Any) -> LLMSpellError:
        message = exc.args[0] if exc.args else str(exc)
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        if not isinstance(message, str):
            message = str(message)
        if message.endswith(_MEMORY_MESSAGE):
            return self._memory_error()
        return self._error_from_message(message, self.session.chunk_name)

    def _error_from_message(
        self, message: str, chunk_name: str, *, syntax: bool = False
    ) -> LLMSpellError:
        file: str | None = None
        line: int | None = None
        m = _LOCATION.match(message)
        if m:
            file, line, message = m.group("file"), int(m.group("line")), m.group("rest")
            if file == _PRELUDE_NAME:  # raised from the bridge itself: no spell line known
                file, line = None, None
            # an error re-raised from an inner task carries a second location
            inner = _LOCATION.match(message)
            if inner and inner.group("file") == file:
                line, message = int(inner.group("line")), inner.group("rest")
        kind, text = split_kind(message)
        fatal = self._fatal
        err: LLMSpellError
        if isinstance(fatal, SpellExit) and message == fatal.script_message():
            err = fatal  # os.exit(code)
        elif fatal is not None and kind == fatal.kind and text in (fatal.message, str(fatal)):
            err = fatal  # the very error the host raised (its limit, hint and class)
        elif kind == "LimitExceeded":
            limit = _limit_named(text)
            err = LimitExceeded(text, limit=limit, hint=_limit_hint(limit))
        elif kind is not None:
            cls = error_class_for_kind(kind) or ScriptError
            err = cls(text)
        else:
            err = ScriptError(("syntax error: " if syntax else "") + text)
        return err.at(file or chunk_name, line)

    def close(self) -> None:
        """Drop the Lua state and every handle; close the files the spell left open."""
        self.files.close_all()
        self.marshal.handles.clear()


def _limit_named(text: str) -> str:
    """The limit a ``LimitExceeded: ...`` message from the prelude is about."""
    if text.startswith("instruction limit"):
        return "instructions"
    if text.startswith("memory limit"):
        return "memory"
    return "timeout"


def _limit_hint(limit: str) -> str:
    if limit == "instructions":
        return "raise it with [runtime] instruction_limit or LLMSPELL_INSTRUCTION_LIMIT"
    if limit == "memory":
        return "raise it with --memory-mb N or [runtime] memory_mb"
    return "raise it with --timeout SECONDS or [runtime] timeout_seconds"
