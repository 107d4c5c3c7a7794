"""The op table: every script-API function, defined once, bound by every engine.

An :class:`Op` names a host operation, its parameters (with the type a script value must
have) and its implementation. A :class:`GlobalSpec` groups ops under a global name
(``State.save`` is op ``state.save`` in global ``State``). Objects that ops return and
take back (a timer, an agent, a tool) are described by an :class:`ObjectType`.
Engines generate their bindings from these specs and never re-implement semantics.

Modes say how an engine calls an op:

- ``sync``: quick and non-blocking; an engine may call it directly (Lua does).
- ``async``: a coroutine function; the engine suspends the script until it is answered.
- ``blocking``: a plain function that may block (disk I/O); the host runs it off the
  loop thread and the engine suspends the script like ``async``.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from llmspell.errors import ValidationError

if TYPE_CHECKING:
    from llmspell.runtime import CallContext

__all__ = [
    "BuilderSpec",
    "GlobalSpec",
    "Naming",
    "ObjectType",
    "Op",
    "OpMode",
    "Param",
    "ParamType",
    "ScriptFunction",
    "camel",
    "describe_value",
]

ParamType = Literal[
    "any", "string", "number", "integer", "boolean", "object", "array", "function", "handle"
]
OpMode = Literal["sync", "async", "blocking"]
#: how a language spells names: "snake" (Lua: list_keys) or "camel" (JavaScript: listKeys)
Naming = Literal["snake", "camel"]


class ScriptFunction:
    """A function that lives in a script, callable from the host.

    Engines subclass this; ``await fn(*args)`` runs the script function (it may itself
    make host calls) and returns its result converted to Python values.
    """

    name: str = "function"

    async def __call__(self, *args: Any) -> Any:
        """Call the script function with Python values; returns its result."""
        raise NotImplementedError  # pragma: no cover - engines implement this


@dataclass(frozen=True)
class Param:
    """One parameter of an op: its name, the type a value must have, and a default."""

    name: str
    type: ParamType = "any"
    optional: bool = False
    default: Any = None
    doc: str = ""
    #: for a "handle": the host class the object must be, and the script name of its type
    of: builtins.type | None = None
    of_name: str = ""
    #: a string that may hold any bytes: an engine whose strings are bytes (Lua) passes
    #: one that is not UTF-8 as Python ``bytes`` instead of refusing it
    binary: bool = False


@dataclass(frozen=True)
class Op:
    """A host operation: name, parameters, implementation ``impl(ctx, *args)``, mode."""

    name: str
    params: tuple[Param, ...]
    impl: Callable[..., Any]
    mode: OpMode = "sync"
    variadic: bool = False
    doc: str = ""
    display: str = ""

    @property
    def title(self) -> str:
        """The name scripts know the op by (``State.list_keys``)."""
        return self.display or self.name

    def title_in(self, naming: Naming) -> str:
        """The title in a language's naming: ``State.listKeys`` / ``Timer.stop`` for
        "camel" (JavaScript), ``State.list_keys`` / ``Timer:stop`` for "snake" (Lua)."""
        if naming == "snake":
            return self.title
        owner, sep, member = self.title.replace(":", ".").rpartition(".")
        return f"{owner}{sep}{camel(member)}"

    def bind_args(self, args: Sequence[Any], naming: Naming = "snake") -> list[Any]:
        """Check ``args`` against the parameters; returns them with defaults filled in.
        Error messages name the op and nil/null as the calling language does."""
        args = list(args)
        while args and args[-1] is None and len(args) > len(self.params):
            args.pop()
        if len(args) > len(self.params) and not self.variadic:
            # a method's object is not an argument the script writes
            shown = [p.name for p in self.params if p.type != "handle" or p.name != "self"]
            hidden = len(self.params) - len(shown)
            names = ", ".join(shown) or "no arguments"
            raise ValidationError(
                f"{self.title_in(naming)} takes at most {len(shown)} argument(s) "
                f"({names}), got {len(args) - hidden}"
            )
        bound: list[Any] = []
        try:
            for i, param in enumerate(self.params):
                value = args[i] if i < len(args) else None
                bound.append(check_param(self.title, i + 1, param, value))
        except ValidationError as exc:
            if naming == "snake":
                raise
            text = exc.message.replace(self.title, self.title_in(naming), 1)
            raise ValidationError(text.replace("got nil", "got null")) from None
        bound.extend(args[len(self.params) :])
        return bound


def camel(name: str) -> str:
    """The mechanical camelCase of a snake_case name (``list_keys`` → ``listKeys``)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def describe_value(value: Any) -> str:
    """A short script-facing name for a value's type (for error messages)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "table/object"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, ScriptFunction):
        return "function"
    return type(value).__name__


def check_param(title: str, position: int, param: Param, value: Any) -> Any:
    """Validate one argument; returns it (an integral float becomes int for integers)."""
    if value is None:
        if param.optional:
            return param.default
        raise ValidationError(f"{title}: argument {position} '{param.name}' is required, got nil")
    if param.of is not None and not isinstance(value, param.of):
        raise ValidationError(
            f"{title}: argument {position} '{param.name}' must be a {param.of_name} object, "
            f"got {describe_value(value)}"
        )
    if param.binary and param.type == "string" and isinstance(value, bytes):
        raise ValidationError(
            f"{title}: argument {position} '{param.name}' is not valid UTF-8 text",
            hint="names are text; binary data goes in a binary argument (or as base64)",
        )
    ok = _TYPE_CHECKS[param.type](value)
    if ok is False:
        raise ValidationError(
            f"{title}: argument {position} '{param.name}' must be "
            f"{_TYPE_WORDS[param.type]}, got {describe_value(value)}"
        )
    if param.type == "integer" and isinstance(value, float):
        return int(value)
    if param.type == "object" and isinstance(value, list) and not value:
        return {}
    if param.type == "array" and isinstance(value, dict) and not value:
        return []
    return value


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and math.isfinite(v) and v.is_integer()


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "any": lambda v: True,
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, Mapping) or (isinstance(v, list) and not v),
    "array": lambda v: isinstance(v, list) or (isinstance(v, dict) and not v),
    "function": lambda v: isinstance(v, ScriptFunction),
    "handle": lambda v: True,
}

_TYPE_WORDS: dict[str, str] = {
    "any": "a value",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "object": "a table/object",
    "array": "an array",
    "function": "a function",
    "handle": "an object",
}


@dataclass
class ObjectType:
    """Objects the host hands to scripts: read-only fields plus methods (ops whose
    first argument is the object itself)."""

    name: str
    python_type: type
    methods: dict[str, Op] = field(default_factory=dict)
    fields: Callable[[Any], dict[str, Any]] = lambda obj: {}
    #: a method returning the next item (nil/null at the end): engines make the object
    #: iterable with it (a Lua generic ``for``, a JavaScript ``for await``)
    iterator: str | None = None


@dataclass
class BuilderSpec:
    """A synchronous builder (``Agent.builder()``): chainable setters that only collect
    fields in the script, then ``build()`` calls ``build`` with the fields (one request).

    ``setters`` maps a setter's snake_case name to the field it sets; engines add the
    camelCase names for JavaScript.
    """

    setters: dict[str, str]
    build: Op
    #: setters that append their value to a list field (``add_step`` → ``steps``)
    appenders: dict[str, str] = field(default_factory=dict)
    #: setters without an argument that set a field to a constant
    #: (``sequential()`` → ``type = "sequential"``)
    presets: dict[str, tuple[str, Any]] = field(default_factory=dict)


@dataclass
class GlobalSpec:
    """A script global: functions (ops), aliases, or a per-run value.

    ``value`` (when set) makes the global a plain value computed per run from the call
    context, e.g. ``ARGS``. ``languages`` limits the global to some engines (JavaScript
    keeps its own ``JSON``).
    """

    name: str
    functions: dict[str, Op] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    value: Callable[[CallContext], Any] | None = None
    object_types: list[ObjectType] = field(default_factory=list)
    builders: dict[str, BuilderSpec] = field(default_factory=dict)
    languages: tuple[str, ...] | None = None
    doc: str = ""

    def function(
        self,
        name: str,
        *params: Param,
        mode: OpMode = "sync",
        variadic: bool = False,
        doc: str = "",
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: define ``<Global>.<name>`` as an op implemented by the function."""

        def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.functions[name] = Op(
                name=f"{self.name.lower()}.{name}",
                params=tuple(params),
                impl=fn,
                mode=mode,
                variadic=variadic,
                doc=doc or (fn.__doc__ or "").strip(),
                display=f"{self.name}.{name}",
            )
            return fn

        return deco


def method(
    object_type: ObjectType,
    name: str,
    *params: Param,
    mode: OpMode = "sync",
    doc: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: define method ``name`` of ``object_type``; ``impl(ctx, obj, *args)``."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        object_type.methods[name] = Op(
            name=f"{object_type.name.lower()}.{name}",
            params=(
                Param("self", "handle", of=object_type.python_type, of_name=object_type.name),
                *params,
            ),
            impl=fn,
            mode=mode,
            doc=doc or (fn.__doc__ or "").strip(),
            display=f"{object_type.name}:{name}",
        )
        return fn

    return deco
