"""``JSEngine``: runs spells in a QuickJS context; every host call is a Promise.

The driver (:meth:`JSEngine._drive`) alternates two steps on the asyncio loop thread,
the only thread that touches the context: pump QuickJS's job queue under the time
limit, then take the batch of requests the script queued and answer them — sync ops at
once, async and blocking ops as concurrent tasks whose answers settle their Promises.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import re
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import quickjs

from llmspell.engine import ScriptEngine
from llmspell.errors import (
    LimitExceeded,
    LLMSpellError,
    ScriptError,
    ValidationError,
    error_class_for_kind,
    split_kind,
)
from llmspell.ops import Naming, Op, ScriptFunction, camel
from llmspell.runtime import RunSession
from llmspell_js.batch import parse_batch
from llmspell_js.convert import Marshal

if TYPE_CHECKING:
    from llmspell_js.modules import Linked

__all__ = ["JSEngine", "JSFunction"]

_E = TypeVar("_E", bound=LLMSpellError)

# read beside this file: importlib.resources would import zipfile (~5 ms of every start)
_PRELUDE = (Path(__file__).parent / "prelude.js").read_text(encoding="utf-8")
_FRAME = re.compile(r"at (?P<fn>[^\s(]*) ?\(?<input>:(?P<line>\d+)(?::\d+)?\)?")
_NATIVE_FRAME = re.compile(r"\s*at (?P<fn>\S+) \(native\)")
_PARSE_FRAME = re.compile(r"at <input>:\d+:\d+$")
_NATIVE_ERRORS = {
    "TypeError", "RangeError", "ReferenceError", "SyntaxError", "URIError", "EvalError",
    "InternalError", "AggregateError",
}  # fmt: skip
#: the smallest time slice a single pump may run, so a nearly spent budget still runs
_MIN_SLICE = 0.001
#: host memory a batch's JSON text may make Python build, per character (the text, the
#: strings decoded from it and the objects the arguments become)
_BATCH_BYTES_PER_CHAR = 4
#: a value from the host this long (characters of JSON) is measured against the memory
#: the context has left before it is handed over (smaller ones are not worth the look)
_MEASURE_FROM = 1 << 20
#: an interrupt this early (other threads' CPU time counted) waits for the deadline
_EARLY_WAIT = 0.05
_MEMORY_HINT = "raise it with --memory-mb N or [runtime] memory_mb"


class JSFunction(ScriptFunction):
    """A JavaScript function the host can call (``await fn(*args)``)."""

    def __init__(self, engine: JSEngine, fn_id: int) -> None:
        self.engine = engine
        self.fn_id = fn_id
        self.name = "js function"

    async def __call__(self, *args: Any) -> Any:
        """Run the function (and whatever it awaits); returns its result."""
        return await self.engine.call_function(self.fn_id, list(args))


class JSEngine(ScriptEngine):
    """JavaScript (ES2023) through QuickJS, with the same globals as Lua in camelCase."""

    name: ClassVar[str] = "js"
    extensions: ClassVar[tuple[str, ...]] = (".js", ".mjs")
    language: ClassVar[str] = "JavaScript (QuickJS)"
    capabilities: ClassVar[dict[str, bool]] = {
        "async": True, "promises": True, "streaming": True, "interactive": True,
    }  # fmt: skip
    naming: ClassVar[Naming] = "camel"

    def __init__(self, session: RunSession) -> None:
        super().__init__(session)
        self.ctx = quickjs.Context()
        self._thread = threading.get_ident()  # the only thread that may touch the context
        if session.limits.memory_mb:
            self.ctx.set_memory_limit(session.limits.memory_mb * 1024 * 1024)
        self.ctx.eval(_PRELUDE)
        get = self.ctx.eval
        self._set_limits = get("__llmspell.limits")
        self._set_limits(_epoch_ms(session.deadline), self._memory_bytes)
        self._entry = get("__llmspell.entry")
        self._take = get("__llmspell.take")
        self._settle = get("__llmspell.settle")
        self._invoke = get("__llmspell.invoke")
        self._watch = get("__llmspell.watch")
        self._result = get("__llmspell.result")
        self._site = get("__llmspell.site")
        self._unseen = get("__llmspell.unseen")
        #: (line, hint) pairs already shown: each mistake is pointed out once
        self._hinted: set[tuple[int | None, str]] = set()
        # a script's completion value stays in QuickJS (python-quickjs cannot convert
        # every value, e.g. a long concatenated string): the indirect eval hands it on
        self._script = get(
            "(function __llmspell_script_of(watch) { return function __llmspell_script(src) {"
            " watch((0, eval)(src)); }; })(__llmspell.watch)"
        )
        self.marshal = Marshal(self)
        self._ops: list[Op] = []
        self._bind_globals()
        self.ctx.eval("delete globalThis.__llmspell")
        #: the spell's imported modules, when it has some (llmspell_js.modules)
        self._linked: Linked | None = None
        self._wakeup = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        #: the op coroutine of each task (one cancelled before it starts is closed)
        self._unstarted: weakref.WeakKeyDictionary[asyncio.Task[None], Any] = (
            weakref.WeakKeyDictionary()
        )
        self._calls: dict[int, asyncio.Future[Any]] = {}
        self._next_call = 1
        self._main: list[Any] | None = None
        self._limit_error: LimitExceeded | None = None
        #: the spell runs as a module (top-level await, import/export)
        self._module = False
        self._driving = False

    @property
    def _memory_bytes(self) -> int:
        return (self.session.limits.memory_mb or 0) * 1024 * 1024

    # -- bindings generated from the op table -------------------------------------------

    def _op_id(self, op: Op) -> int:
        self._ops.append(op)
        return len(self._ops) - 1

    def _bind_globals(self) -> None:
        lines = ["(function __llmspell_bind(B) {", "  const api = B.api;"]
        for spec in self.session.globals():
            for ot in spec.object_types:
                methods = [[camel(m), self._op_id(op)] for m, op in ot.methods.items()]
                iterator = json.dumps(camel(ot.iterator) if ot.iterator else None)
                lines.append(
                    f"  B.objectType({json.dumps(ot.name)}, {json.dumps(methods)}, {iterator});"
                )
            if spec.value is not None:
                value = self.marshal.encode(spec.value(self.session))
                lines.append(
                    f"  globalThis[{json.dumps(spec.name)}] = JSON.parse({json.dumps(value)});"
                )
                continue
            tree: dict[str, Any] = {}
            for fname, op in spec.functions.items():
                # a dotted name (``episodic.add``) goes in nested objects
                *path, leaf = [camel(part) for part in fname.split(".")]
                node = tree
                for part in path:
                    node = node.setdefault(part, {})
                node[leaf] = f"api({self._op_id(op)})"
            lines.append(f"  globalThis[{json.dumps(spec.name)}] = {_js_object(tree)};")
            for alias, target in spec.aliases.items():
                lines.append(
                    f"  globalThis[{json.dumps(spec.name)}][{json.dumps(alias)}] = "
                    f"globalThis[{json.dumps(spec.name)}][{json.dumps(camel(target))}];"
                )
            for fname, builder in spec.builders.items():
                setters = {camel(s): f for s, f in builder.setters.items()}
                appenders = {camel(s): f for s, f in builder.appenders.items()}
                presets = {camel(s): list(v) for s, v in builder.presets.items()}
                lines.append(
                    f"  globalThis[{json.dumps(spec.name)}][{json.dumps(camel(fname))}] = "
                    f"B.builder({json.dumps(setters)}, {self._op_id(builder.build)}, "
                    f"{json.dumps(appenders)}, {json.dumps(presets)});"
                )
        lines.append("})(globalThis.__llmspell);")
        self.ctx.eval("\n".join(lines))

    # -- running -------------------------------------------------------------------------

    async def run(self, source: str, chunk_name: str) -> Any:
        """Run the spell; returns its ``export default`` or last-expression value."""
        try:
            self._start(source, chunk_name)
        except LLMSpellError as exc:
            self._flush_output(exc)
            raise
        status = await self._drive(until_main=True)
        if status[0] == "ok":
            self._check_unseen()
            return self.marshal.decode(status[1])
        raise self._script_error(status[1], status[2], status[3], status[4] or "")

    async def run_entry(self, source: str, chunk_name: str) -> tuple[Any, ...]:
        """One interactive entry, evaluated as a global script (its ``let``/``const`` stay
        for the next entry); one that awaits at its top level runs in an async function
        (:mod:`llmspell_js.interactive`). Returns its value to echo (none when it is
        ``undefined`` or ``null``)."""
        self._main = None
        self._limit_error = None
        self._hinted.clear()
        try:
            self._set_limits(_epoch_ms(self.session.deadline), self._memory_bytes)
            self._entry()
            value = self._entry_value(source)
            self._watch(value)
        except quickjs.JSException as exc:
            err = self._exception(exc)
            self._flush_output(err)
            raise err from None
        except LLMSpellError as exc:
            self._flush_output(exc)
            raise
        try:
            status = await self._drive(until_main=True)
        except BaseException:
            # a stopped entry's host calls (an agent call) must not hold up the next one
            self._cancel_tasks()
            raise
        if status[0] != "ok":
            self._cancel_tasks()
            raise self._script_error(status[1], status[2], status[3], status[4] or "")
        self._check_unseen()
        result = self.marshal.decode(status[1])
        return () if result is None else (result,)

    def _entry_value(self, source: str) -> Any:
        """Evaluate an entry; its completion value (a Promise for an async entry)."""
        from llmspell_js.interactive import async_entry, expression_form, uses_await

        if source.startswith("#!"):
            source = "//" + source
        try:
            return self._guarded(lambda: self.ctx.eval(source))
        except quickjs.JSException as exc:
            if not (_is_entry_parse_error(exc) and uses_await(source)):
                raise
        try:
            self._guarded(lambda: self.ctx.eval(expression_form(source)))
        except quickjs.JSException as exc:
            if not _is_entry_parse_error(exc):
                raise
        else:
            return self._guarded(lambda: self.ctx.eval(expression_form(source) + "()"))
        entry = async_entry(source)
        for name in entry.names:
            # declared before (let, const, class, var or function): assign that one
            with contextlib.suppress(quickjs.JSException):
                self.ctx.eval(f"let {name};")
        return self._guarded(lambda: self.ctx.eval(entry.body))

    def _check_unseen(self) -> None:
        """A host call that failed while nobody awaited it fails the run (as Node does
        with an unhandled rejection) instead of vanishing with exit code 0."""
        try:
            text = self._unseen()
        except quickjs.JSException as exc:
            raise self._exception(exc) from None
        if not text:
            return
        name, message, stack, site = json.loads(text)
        err = self._script_error(name, message, stack, site)
        err.hint = "the call's Promise was never awaited: did you forget `await`?"
        raise err

    def _hint(self, text: str, stack: str) -> None:
        line = _line(stack)
        if (line, text) in self._hinted:
            return
        self._hinted.add((line, text))
        where = f"{self.session.chunk_name}:{line}" if line else self.session.chunk_name
        self.session.output.write(f"{where}: hint: {text}; did you forget `await`?\n", "stderr")

    def _start(self, source: str, chunk_name: str) -> None:
        """Evaluate the spell as a script (the last expression is the result) or, when it
        does not parse as one (top-level ``await``, ``import``, ``export``), as a module
        (its ``export default`` is the result)."""
        if source.startswith("#!"):
            source = "//" + source
        try:
            self._guarded(lambda: self._script(source))
            return
        except quickjs.JSException as exc:
            if not _is_parse_error(exc):  # it ran: it must not run again as a module
                raise self._exception(exc) from None
            error = exc
        self._module = True
        # the module linker (a lexer and its regexes) loads only for spells that are modules
        from llmspell_js.modules import REGISTRY_JS, link

        linked = link(self.session, source, chunk_name)
        if linked is not None:
            # the spell is evaluated first (its result is the first module named <input>);
            # it awaits its imports, which are evaluated next, in order
            self._linked = linked
            source = linked.main
            module_done = self.ctx.eval(REGISTRY_JS)
        try:
            try:
                promise = self._guarded(lambda: self.ctx.module(source))
            except quickjs.JSException as exc:
                raise self._exception(error if _is_plain_syntax(error, exc) else exc) from None
            for module in linked.modules if linked is not None else ():
                try:
                    evaluation = self._guarded(lambda text=module.text: self.ctx.module(text))
                    module_done(module.key, evaluation)
                except quickjs.JSException as exc:
                    raise self._exception(exc) from None
        finally:
            if linked is not None:  # every module captured it on its first line
                self.ctx.eval("delete globalThis.__llmspellModules")
        try:  # the module's export default, once it settles
            self._watch(self._result(promise))
        except quickjs.JSException as exc:  # a context full after the module's first part
            raise self._exception(exc) from None

    def _guarded(self, fn: Any) -> Any:
        """Call into QuickJS with the time left as its time limit."""
        self._limit_time()
        return fn()

    def _limit_time(self) -> None:
        """Set QuickJS's time limit (it counts from the start of each call into it)."""
        left = self.session.deadline - time.monotonic()
        if left <= 0:
            raise self._limit_hit(self.session.timeout_error())
        self.ctx.set_time_limit(max(min(left, 1e6), _MIN_SLICE))

    def _pump(self) -> None:
        """Run every queued job (each call gets the time left; one limit set per pump)."""
        self._limit_time()
        run_job = self.ctx.execute_pending_job
        try:
            while run_job():
                if self.session.deadline <= time.monotonic():
                    raise self._limit_hit(self.session.timeout_error())
        except quickjs.JSException as exc:
            raise self._exception(exc) from None

    async def _drive(self, *, until_main: bool = False, call_id: int | None = None) -> Any:
        """Pump and answer until the spell finishes (or, for a host→script call, until
        that call returns). Returns the main status ``[state, ...]``."""
        self._driving = True
        try:
            while True:
                self._wakeup.clear()
                if self._limit_error is not None:
                    self._flush_output(self._limit_error)
                    raise self._limit_error
                try:
                    self._pump()
                    batch = self._take_batch()
                    self._process(batch)
                except LLMSpellError as exc:
                    self._flush_output(exc)
                    raise
                if self._limit_error is not None:
                    raise self._limit_error
                main = self._main
                if until_main and main is not None and (main[0] == "error" or not self._tasks):
                    return main
                if call_id is not None and call_id not in self._calls:
                    return None
                if until_main and main is None and not self._tasks and not self._wakeup.is_set():
                    raise self._stalled()
                if not self._wakeup.is_set():
                    await self._wakeup.wait()
        finally:
            self._driving = False

    def _take_batch(self) -> str:
        """What the script queued since the last take, as JSON text (a context out of
        memory cannot even hand it over: that is the memory limit, not a crash)."""
        try:
            text: str = self._take()
        except quickjs.JSException as exc:
            raise self._exception(exc) from None
        if type(text) is str and len(text) > 64:
            self.session.check_host_bytes(
                len(text) * _BATCH_BYTES_PER_CHAR, "what the spell sent the host"
            )
        return text

    def _process(self, text: str, *, answer: bool = True) -> None:
        """Handle the events of one batch in the order the script produced them (a
        malformed batch is a ScriptError; see :mod:`llmspell_js.batch`)."""
        batch = parse_batch(text, len(self._ops))
        answer = answer and not batch.lost  # the run ends: start no more host work
        for event in batch.events:
            tag = event[0]
            if tag == "out":
                self.session.output.write(event[2], event[1])
            elif tag == "req" and answer:
                self._answer(event[1:])
            elif tag == "ret":
                self._finish_call(event[1:])
            elif tag == "hint":
                self._hint(event[1], event[2])
        if batch.main is not None:
            self._main = batch.main
        if batch.lost:
            mb = self.session.limits.memory_mb
            raise (
                self._memory_error(f"memory limit of {mb} MB exceeded")
                if mb
                else ScriptError(
                    "the JavaScript bridge lost a message (QuickJS could not allocate it)"
                )
            )

    def _flush_output(self, exc: LLMSpellError) -> None:
        """Write what the script printed before it failed (answering no request)."""
        try:
            mb = self.session.limits.memory_mb
            if mb and isinstance(exc, LimitExceeded) and exc.limit == "memory":
                # the context is full: give it room to hand its output over, as it ends
                self.ctx.set_memory_limit((2 * mb + 16) << 20)
            self._process(self._take(), answer=False)
        except (quickjs.JSException, LLMSpellError):
            pass  # a context that cannot even do that loses what it printed last

    def _answer(self, request: list[Any]) -> None:
        req_id, op_id, args_json = request
        op = self._ops[op_id]
        try:
            args = self.marshal.decode(args_json)
            if not isinstance(args, list):
                raise ValidationError(f"{op.title}: the arguments did not arrive as a list")
            value = self.session.call(op, args)
        except LLMSpellError as exc:
            self._reply(req_id, exc)
            return
        except Exception as exc:
            self._reply(req_id, _internal(op, exc))
            return
        if op.mode == "sync":
            self._reply(req_id, value)
            return
        task = _start_task(self._await_reply(req_id, op, value))
        if not task.done():  # an eager task may already have answered
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            if inspect.iscoroutine(value):
                self._unstarted[task] = value

    async def _await_reply(self, req_id: int, op: Op, awaitable: Any) -> None:
        try:
            value = await awaitable
        except Exception as exc:
            value = self._failure(op, exc)
        # leave the set before waking the driver, which must not wait for this task
        self._tasks.discard(asyncio.current_task())
        self._reply(req_id, value)

    def _failure(self, op: Op, exc: BaseException) -> LLMSpellError:
        """The error a failed op answers its request with (limits end the run)."""
        if isinstance(exc, LimitExceeded):
            self._limit_error = self._limit_error or exc
            return exc
        if isinstance(exc, LLMSpellError):
            return exc
        if isinstance(exc, Exception):
            return _internal(op, exc)
        raise exc

    def _reply(self, req_id: int, value: Any) -> None:
        """Settle request ``req_id`` with ``value`` (or the error it is). A value the
        context cannot hold ends the run with the memory limit; so does anything else that
        goes wrong inside QuickJS while settling (never an exception in a task)."""
        try:
            if isinstance(value, LLMSpellError):
                self._settle(req_id, False, str(value), value.kind)
            else:
                try:
                    payload = self.marshal.encode(value)
                    self._check_fits(payload, "a value from the host")
                except LimitExceeded as exc:
                    self._limit_hit(exc)
                    self._settle(req_id, False, str(exc), exc.kind)
                except LLMSpellError as exc:
                    self._settle(req_id, False, str(exc), exc.kind)
                else:
                    self._settle(req_id, True, payload, "")
        except quickjs.JSException as exc:
            self._fatal(exc)
        self._wakeup.set()

    def _check_fits(self, payload: str, what: str) -> None:
        """Refuse JSON text the context could not hold as a string and the value parsed
        from it (one byte a character, two when it is not Latin-1) before QuickJS tries."""
        limit = self._memory_bytes
        if not limit or len(payload) < _MEASURE_FROM:
            return
        need = 2 * len(payload) * (1 if payload.isascii() else 2)
        used = int(self.ctx.memory().get("malloc_size", 0))
        if need > limit - used:
            raise LimitExceeded(
                f"{what} ({len(payload) >> 20} MB of JSON) needs about {need >> 20} MB in "
                f"QuickJS, more than the {max(limit - used, 0) >> 20} MB left under the "
                f"memory limit of {self.session.limits.memory_mb} MB",
                limit="memory",
                hint=_MEMORY_HINT,
            ).at(self.session.chunk_name, None)

    def _fatal(self, exc: BaseException) -> None:
        """QuickJS failed while the host called into it outside a pump (settling a
        request, starting a host→script call): that ends the run, with the limit when
        it was one, from the driver's loop."""
        err = self._exception(exc)
        if not isinstance(err, LimitExceeded):
            err = self._limit_hit(
                LimitExceeded(f"the spell failed while the host answered it: {err}", limit="")
            )
        self._limit_error = self._limit_error or err
        self._wakeup.set()

    # -- host → script calls -------------------------------------------------------------

    async def call_function(self, fn_id: int, args: list[Any]) -> Any:
        """Call script function ``fn_id`` with ``args``; returns its (awaited) result."""
        call_id = self._next_call
        self._next_call += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._calls[call_id] = future
        payload = self.marshal.encode(args)
        self._check_fits(payload, "the arguments of a call into JavaScript")
        try:
            self._invoke(call_id, fn_id, payload)
        except quickjs.JSException as exc:
            self._fatal(exc)
        self._wakeup.set()
        try:
            if not self._driving:  # called after (or outside) the spell's own run
                await self._drive(call_id=call_id)
            return await future
        finally:
            self._calls.pop(call_id, None)

    def _finish_call(self, ret: list[Any]) -> None:
        future = self._calls.pop(ret[0], None)
        if future is None or future.done():
            return
        if ret[1]:
            try:
                future.set_result(self.marshal.decode(ret[2]))
            except LLMSpellError as exc:
                future.set_exception(exc)
        else:
            future.set_exception(self._script_error(ret[2], ret[3], ret[4], ""))

    # -- errors ------------------------------------------------------------------------

    def _limit_hit(self, err: LimitExceeded) -> LimitExceeded:
        self._limit_error = self._limit_error or err
        return self._limit_error

    def _interrupted(self, stack: str) -> LimitExceeded:
        """QuickJS's interrupt ended the spell. It compares the process's CPU time, other
        threads' included, with the time left: it may fire a little before the deadline;
        the run still ends no earlier than its limit says."""
        err = self.session.timeout_error()
        short = self.session.deadline - time.monotonic()
        if err.limit == "timeout" and 0 < short <= _EARLY_WAIT:
            time.sleep(short)
        line = _interrupt_line(stack, self._module)
        return self._limit_hit(self._at(err, line))

    def _exception(self, exc: BaseException) -> LLMSpellError:
        text = str(exc)
        first, _, stack = text.partition("\n")
        if first.startswith("InternalError: out of memory: "):  # refused by the prelude
            return self._script_error("InternalError", first[len("InternalError: ") :], stack, "")
        if "interrupted" in first and first.startswith("InternalError"):
            return self._interrupted(stack)
        # QuickJS throws null (or leaves no exception) when it cannot even allocate the
        # error; with no memory limit a null is what the spell threw
        oom = first == "[uninitialized]" or (
            first == "null" and bool(self.session.limits.memory_mb)
        )
        if oom or first == "InternalError: out of memory" or "out of memory" in first:
            return self._memory_error(
                f"memory limit of {self.session.limits.memory_mb} MB exceeded"
            )
        if first == "InternalError: string too long":
            return self._memory_error("string too long (QuickJS strings hold at most 1 GiB)", None)
        name, sep, message = first.partition(": ")
        if not sep:  # a thrown non-Error value
            name, message = "Error", first
        return self._script_error(name, message, stack, "")

    def _stalled(self) -> LLMSpellError:
        """The spell has not finished, and nothing it could wait for is left: no host work
        in flight, no job queued. Either it awaits a Promise nothing will settle, or QuickJS
        ran out of memory while reporting how it ended (then the heap is still full)."""
        mb = self.session.limits.memory_mb
        err: LLMSpellError
        if mb and self.ctx.memory().get("malloc_size", 0) > 0.9 * (mb << 20):
            err = self._memory_error(f"memory limit of {mb} MB exceeded")
        else:
            err = ScriptError("the spell awaits a Promise that nothing will ever settle")
            err = err.at(self.session.chunk_name, None)
        self._flush_output(err)
        return err

    def _memory_error(
        self, message: str, hint: str | None = "raise it with --memory-mb N or [runtime] memory_mb"
    ) -> LimitExceeded:
        err = LimitExceeded(message, limit="memory", hint=hint)
        return self._limit_hit(err.at(self.session.chunk_name, None))

    def _script_error(self, name: str, message: str, stack: str, site: str) -> LLMSpellError:
        if name == "InternalError" and "interrupted" in message:
            return self._interrupted(stack)
        if name == "InternalError" and message.startswith("out of memory: "):
            # the prelude refused before allocating: the limit, where the spell asked
            mb = self.session.limits.memory_mb
            text = f"memory limit of {mb} MB exceeded: {message[15:]}" if mb else message[15:]
            refused = LimitExceeded(text, limit="memory", hint=_MEMORY_HINT)
            return self._limit_hit(refused.at(self.session.chunk_name, _line(stack)))
        if name == "InternalError" and ("out of memory" in message or "string too long" in message):
            return self._exception(Exception(f"InternalError: {message}"))
        if not name and message in ("null", "[uninitialized]"):  # a thrown non-Error value
            return self._exception(Exception(message))
        cls = error_class_for_kind(name)
        if name == "ReferenceError" and message.startswith("could not load module"):
            # QuickJS's own loader: only a dynamic import() reaches it (static imports
            # are linked by llmspell_js.modules before the spell runs)
            err: LLMSpellError = ValidationError(
                f"{message}: import() at run time is not supported; import the module "
                "statically at the top of the spell (import { x } from './lib.js')"
            )
        elif cls is not None:
            err = cls(message)
        else:
            kind, text = split_kind(message)
            if kind is not None:
                err = (error_class_for_kind(kind) or ScriptError)(text)
            elif name in _NATIVE_ERRORS:
                err = ScriptError(f"{name}: {message}")
            else:
                err = ScriptError(message if name in ("Error", "") else f"{name}: {message}")
        return self._at(err, _line(site) or _line(stack))

    def _at(self, err: _E, line: int | None) -> _E:
        """``err`` located at ``line`` of the spell, or of the imported module that line
        belongs to."""
        if self._linked is not None:
            return err.at(*self._linked.locate(line))
        return err.at(self.session.chunk_name, line)

    def current_line(self) -> int | None:
        """The spell line of the latest host call (what the spell waits at when the run is
        stopped from outside). Only the context's own thread may ask (the context is
        idle then); from any other thread the answer is None."""
        if threading.get_ident() != self._thread:
            return None
        try:
            site = self._site()
        except quickjs.JSException:
            return None
        return _line(site) if isinstance(site, str) else None

    def close(self) -> None:
        """Cancel unfinished host work and drop every handle."""
        self._cancel_tasks()
        self.marshal.handles.clear()

    def _cancel_tasks(self) -> None:
        """Cancel the host work still in flight and stop waiting for it: a call that
        takes its time to unwind (an HTTP request finishing first) must not hold up the
        next interactive entry, whose driver waits for the tasks in the set."""
        for task in list(self._tasks):
            task.cancel()
            op_call = self._unstarted.pop(task, None)
            if op_call is not None and inspect.getcoroutinestate(op_call) == "CORO_CREATED":
                op_call.close()  # cancelled before it started: never awaited, and that is fine
        self._unstarted.clear()
        self._tasks.clear()


def _epoch_ms(deadline: float) -> float:
    """A ``time.monotonic()`` deadline on ``Date.now()``'s clock (ms since the epoch)."""
    if deadline == float("inf"):
        return deadline
    return (time.time() + (deadline - time.monotonic())) * 1000.0


def _line(stack: str) -> int | None:
    """The spell line of the first stack frame that is not the prelude's."""
    frames = (stack or "").splitlines()
    for i, frame in enumerate(frames):
        m = _FRAME.search(frame)
        if m is None or m.group("fn").startswith("__llmspell"):
            continue
        # a frame without a function is a position in the text a parser read: the spell's
        # own (alone, or from the prelude's eval) or another (JSON.parse, eval, Function)
        rest = frames[i + 1 : i + 3]
        spell_text = not rest or (
            _NATIVE_FRAME.match(rest[0]) is not None and "__llmspell" in "".join(rest[1:])
        )
        if not m.group("fn") and not spell_text:
            continue
        return int(m.group("line"))
    return None


def _interrupt_line(stack: str, module: bool = False) -> int | None:
    """Where QuickJS's interrupt stopped the spell. Its innermost frame gives the line
    where the running *function* starts (or last resumed), not the line it was at: a
    function's start is worth reporting; the spell's top level is not (a script's
    ``<eval>``; a module's body, the outermost ``<anonymous>`` frame)."""
    frames = [f for f in (stack or "").splitlines() if _FRAME.search(f)]
    for i, frame in enumerate(frames):
        m = _FRAME.search(frame)
        assert m is not None
        if m.group("fn").startswith("__llmspell"):
            continue
        outermost = i == len(frames) - 1
        if m.group("fn") in ("", "<eval>") or (
            module and outermost and m.group("fn") == "<anonymous>"
        ):
            return None
        return int(m.group("line"))
    return None


def _is_parse_error(exc: BaseException) -> bool:
    """A SyntaxError from parsing the spell, not one its running code raised: the parser's
    position, then the indirect eval of ``__llmspell_script``."""
    lines = [line.strip() for line in str(exc).splitlines()]
    return (
        len(lines) >= 4
        and lines[0].startswith("SyntaxError")
        and _PARSE_FRAME.fullmatch(lines[1]) is not None
        and lines[2] == "at eval (native)"
        and lines[3].startswith("at __llmspell_script ")
    )


def _is_entry_parse_error(exc: BaseException) -> bool:
    """A SyntaxError from parsing an interactive entry (its only frame is the parser's
    position), not one its running code raised."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (
        bool(lines)
        and lines[0].startswith("SyntaxError")
        and all(_PARSE_FRAME.fullmatch(line) is not None for line in lines[1:])
    )


def _is_plain_syntax(script_error: Any, module_error: Any) -> bool:
    """Prefer the script-mode message when the module mode fails the same way."""
    return (
        script_error is not None
        and str(module_error).split("\n")[0] == str(script_error).split("\n")[0]
    )


def _start_task(coro: Any) -> asyncio.Task[None]:
    """A task for an op's answer. On Python 3.12+ it starts eagerly: an op that finishes
    without waiting is answered at once (no trip round the event loop), and its first
    step already runs inside its own task, which libraries built on anyio (httpx2, the
    provider SDKs) require. Starting a coroutine by hand in the driver's task and
    finishing it in another breaks them ("cancel scope in a different task")."""
    if sys.version_info >= (3, 12):
        loop = asyncio.get_running_loop()
        return asyncio.Task(coro, loop=loop, eager_start=True)  # type: ignore[call-arg,unused-ignore]
    return asyncio.ensure_future(coro)


def _internal(op: Op, exc: Exception) -> ScriptError:
    return ScriptError(f"internal error in {op.title}: {type(exc).__name__}: {exc}")


def _js_object(tree: dict[str, Any]) -> str:
    """A JavaScript object literal of ``tree`` (leaves are expressions)."""
    members = [
        f"{json.dumps(k)}: {v if isinstance(v, str) else _js_object(v)}" for k, v in tree.items()
    ]
    return "{" + ", ".join(members) + "}"
