"""template-creator: render Jinja2 (sandboxed) or Mustache templates with a context.

Templates are untrusted input, so rendering is bounded before the work happens:

* Jinja2 runs in ``ImmutableSandboxedEnvironment`` with ``**``, ``*``, ``+`` and ``%``
  intercepted (integers up to :data:`MAX_INT_BITS` bits; strings and lists up to the
  output cap; printf-style widths up to :data:`MAX_WIDTH`), ``~`` concatenation and
  namespace assignments size-checked, width-taking filters and str methods (center,
  indent, format, replace, join, tojson, slice...) checked before they run, every other
  filter and call checked after, ``range()`` at most 100,000 items (Jinja's own limit);
* Mustache sections may iterate a bounded number of times (scaled by template size);
* both stop at the call's deadline (tool timeout, the run's wall-time limit) and at
  :data:`RENDER_SECONDS`, and the output is capped at ``max_output_chars``
  (``[tools.template-creator]``, default 5,000,000).
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Callable
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import check, fail, limit, output

NAME = "template-creator"
#: the largest template accepted and the largest output rendered
MAX_TEMPLATE_CHARS = 1_000_000
MAX_OUTPUT_CHARS = 5_000_000
#: render time budget (seconds), below the tool timeout so it fails cleanly
RENDER_SECONDS = 10.0
#: the largest integer a template may compute, in bits (about 30,000 digits)
MAX_INT_BITS = 100_000
#: the largest width, indent or precision a template may ask for
MAX_WIDTH = 10_000
#: Mustache: section iterations x template characters
MUSTACHE_WORK = 4 * MAX_OUTPUT_CHARS
_SETTING = f"[tools.{NAME}] max_output_chars"
# printf-style conversions: %(name)-08.3f; a width or precision may be a number or *
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
# str.format fields: {0:>{1}} or {:99999}
_FORMAT_FIELD = re.compile(r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")


class _Budget(Exception):
    """The render ran over its time or size budget."""


def _size(value: Any) -> int:
    """The length of a string, list, tuple or dict (0 for other values)."""
    return len(value) if isinstance(value, str | list | tuple | dict) else 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_printf(fmt: str, args: Any = None) -> None:
    for match in _PRINTF.finditer(fmt):
        for part in match.groups():
            if part == "*" or (part and int(part) > MAX_WIDTH):
                raise _Budget(f"a format width over {MAX_WIDTH} (or '*') in {fmt[:80]!r}")


def _check_format(fmt: str) -> None:
    for field in _FORMAT_FIELD.findall(fmt):
        spec = field.partition(":")[2]
        if "{" in spec or any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", spec)):
            raise _Budget(f"a format width over {MAX_WIDTH} (or a nested one) in {fmt[:80]!r}")


class _Limits:
    """The budget of one render: output cap, deadline, the checks of each operation."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.deadline = time.monotonic() + RENDER_SECONDS

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Budget(f"rendering took longer than {RENDER_SECONDS:g} s")
        check()

    def size(self, n: float, what: str) -> None:
        if n > self.max_chars:
            raise _Budget(
                f"{what} exceeds the limit of {self.max_chars:,} characters or items "
                f"(it would be {int(n):,}; raise it with {_SETTING})"
            )

    def result(self, value: Any, what: str) -> Any:
        self.size(_size(value), what)
        return value

    def bits(self, n: float, what: str) -> None:
        if n > MAX_INT_BITS:
            raise _Budget(
                f"{what} would have about {int(n):,} bits (the limit is {MAX_INT_BITS:,})"
            )

    def binop(self, op: str, left: Any, right: Any) -> None:
        """Refuse ``left op right`` when its result would be too large."""
        self.tick()
        if op == "**" and _is_int(left) and _is_int(right) and right > 1 and abs(left) > 1:
            self.bits(math.log2(abs(left)) * right, f"{left} ** {right}")
        elif op == "*":
            if _is_int(left) and _is_int(right):
                self.bits(left.bit_length() + right.bit_length(), "the product")
            elif _is_int(right) and _size(left):
                self.size(_size(left) * right, "the repetition")
            elif _is_int(left) and _size(right):
                self.size(_size(right) * left, "the repetition")
        elif op == "+" and _size(left) and _size(right):
            self.size(_size(left) + _size(right), "the concatenation")
        elif op == "%" and isinstance(left, str):
            _check_printf(left)

    def concat(self, parts: tuple[Any, ...]) -> None:
        self.tick()
        self.size(sum(len(p) if isinstance(p, str) else 64 for p in parts), "the ~ concatenation")

    def before_call(self, obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Pre-checks of the str methods that take a size."""
        self.tick()
        owner = getattr(obj, "__self__", None)
        if not isinstance(owner, str):
            return
        name = getattr(obj, "__name__", "")
        first: Any = args[0] if args else None
        if name in ("center", "ljust", "rjust", "zfill") and _is_int(first):
            self.size(first, f"str.{name}()")
        elif name == "expandtabs":
            tab = first if _is_int(first) else kwargs.get("tabsize", 8)
            self.size(len(owner) * max(int(tab), 1), "str.expandtabs()")
        elif name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
            grow = owner.count(args[0]) * max(len(args[1]) - len(args[0]), 0) if args[0] else 0
            self.size(len(owner) + grow, "str.replace()")
        elif name == "join" and hasattr(first, "__len__"):
            self.size(len(owner) * len(first), "str.join()")
        elif name in ("format", "format_map"):
            _check_format(owner)

    def filters(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The filters with size checks: before the call for those that take a size,
        after it for all."""
        pre: dict[str, Callable[[tuple[Any, ...], dict[str, Any]], None]] = {
            "center": lambda a, k: self.size(_num(a, 1, k, "width", 80), "center()"),
            "indent": lambda a, k: self._indent(a, k),
            "format": lambda a, k: _check_printf(str(a[0])) if a else None,
            "replace": lambda a, k: self._replace(a, k),
            "join": lambda a, k: self._join(a, k),
            "tojson": lambda a, k: self.size(_num(a, 1, k, "indent", 0) * 100, "tojson indent"),
            "slice": lambda a, k: self.size(_num(a, 1, k, "slices", 1), "slice()"),
            "batch": lambda a, k: self.size(_num(a, 1, k, "linecount", 1), "batch()"),
            "wordwrap": lambda a, k: self.size(_size(a[0]) * 2 if a else 0, "wordwrap()"),
            "truncate": lambda a, k: None,
        }
        wrapped: dict[str, Any] = {}
        for name, fn in filters.items():
            wrapped[name] = self._wrap(name, fn, pre.get(name))
        return wrapped

    def _wrap(self, name: str, fn: Any, pre: Any) -> Any:
        pass_arg = getattr(fn, "jinja_pass_arg", None)

        @functools.wraps(fn)
        def filter_(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            if pre is not None:
                pre(args[1:] if pass_arg else args, kwargs)
            return self.result(fn(*args, **kwargs), f"the result of |{name}")

        return filter_

    def _indent(self, a: tuple[Any, ...], k: dict[str, Any]) -> None:
        width = a[1] if len(a) > 1 else k.get("width", 4)
        n = len(width) if isinstance(width, str) else width if _is_int(width) else 4
        if n > MAX_WIDTH:
            raise _Budget(f"indent() width {n} is over {MAX_WIDTH}")
        lines = str(a[0]).count("\n") + 1 if a else 1
        self.size(_size(a[0] if a else "") + lines * n, "indent()")

    def _replace(self, a: tuple[Any, ...], k: dict[str, Any]) -> None:
        if len(a) >= 3 and all(isinstance(x, str) for x in a[:3]) and a[1]:
            grow = str(a[0]).count(a[1]) * max(len(a[2]) - len(a[1]), 0)
            self.size(len(a[0]) + grow, "replace()")

    def _join(self, a: tuple[Any, ...], k: dict[str, Any]) -> None:
        if a and hasattr(a[0], "__len__"):
            sep = a[1] if len(a) > 1 else k.get("d", "")
            self.size(len(a[0]) * len(str(sep)), "join()")


def _num(args: tuple[Any, ...], index: int, kwargs: dict[str, Any], key: str, default: int) -> int:
    value = args[index] if len(args) > index else kwargs.get(key, default)
    return value if _is_int(value) else default


def _jinja(template: str, context: dict[str, Any], strict: bool, escape: bool, cap: int) -> str:
    from jinja2 import StrictUndefined, TemplateError, Undefined
    from jinja2.compiler import CodeGenerator
    from jinja2.runtime import markup_join, str_join
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from jinja2.utils import Namespace

    limits = _Limits(cap)

    class Gen(CodeGenerator):
        """Compiles ``a ~ b`` to a size-checked join."""

        def visit_Concat(self, node: Any, frame: Any) -> None:
            self.write("environment.checked_concat(context, (")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class BoundedNamespace(Namespace):
        """``namespace()`` whose attributes stay within the size limit."""

        def __setitem__(self, name: str, value: Any) -> None:
            limits.result(value, f"namespace attribute {name!r}")
            super().__setitem__(name, value)

    class Env(ImmutableSandboxedEnvironment):
        """The sandbox, bounding operators, calls, filters and concatenation."""

        code_generator_class = Gen
        intercepted_binops = frozenset(["**", "*", "+", "%"])

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            limits.binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            limits.before_call(__obj, args, kwargs)
            return limits.result(super().call(__context, __obj, *args, **kwargs), "a call")

        def getattr(self, obj: Any, attribute: str) -> Any:
            limits.tick()
            if isinstance(obj, str) and attribute in ("format", "format_map"):
                _check_format(obj)  # Jinja wraps str.format here, not in call()
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            limits.tick()
            return super().getitem(obj, argument)

        def checked_concat(self, context: Any, parts: tuple[Any, ...]) -> Any:
            limits.concat(parts)
            volatile = context.eval_ctx.volatile or context.eval_ctx.autoescape
            return markup_join(parts) if volatile else str_join(parts)

    env = Env(
        autoescape=escape,
        undefined=StrictUndefined if strict else Undefined,
        keep_trailing_newline=True,
    )
    env.filters = limits.filters(dict(env.filters))
    env.globals["namespace"] = BoundedNamespace
    try:
        compiled = env.from_string(template)
        parts: list[str] = []
        size = 0
        for chunk in compiled.generate(**context):
            size += len(chunk)
            limits.size(size, "the output")
            limits.tick()
            parts.append(chunk)
        return "".join(parts)
    except _Budget as exc:
        fail(f"template aborted: {exc}", kind="LimitExceeded")
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        fail(f"template error{where}: {type(exc).__name__}: {exc}")
    except (ArithmeticError, TypeError, ValueError, LookupError) as exc:
        fail(f"template error: {type(exc).__name__}: {exc}")


def _mustache(template: str, context: dict[str, Any], strict: bool, escape: bool, cap: int) -> str:
    import html

    import pystache

    pystache_error = pystache.common.PystacheError  # pystache.common loads with pystache
    limits = _Limits(cap)
    # sections may iterate this often in all: their text is at most the template's
    iterations = max(MUSTACHE_WORK // max(len(template), 1), 1)
    state = {"iterations": 0, "chars": 0}

    def counted(items: Any) -> Any:
        for item in items:
            limits.tick()
            state["iterations"] += 1
            if state["iterations"] > iterations:
                raise _Budget(
                    f"sections iterate more than {iterations:,} times for a template of "
                    f"{len(template):,} characters"
                )
            yield item

    def emitted(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def emit(value: Any) -> Any:
            text = fn(value)
            state["chars"] += len(text)
            limits.size(state["chars"], "the output")
            return text

        return emit

    class Renderer(pystache.Renderer):  # type: ignore[misc]
        """Counts section iterations and the characters variables emit."""

        def _make_render_engine(self) -> Any:
            engine = super()._make_render_engine()
            fetch = engine.fetch_section_data
            engine.fetch_section_data = lambda ctx, name: counted(fetch(ctx, name))
            engine.escape = emitted(engine.escape)
            engine.literal = emitted(engine.literal)
            return engine

    renderer = Renderer(
        partials={},  # never load partials from the file system
        escape=html.escape if escape else (lambda s: s),
        missing_tags="strict" if strict else "ignore",
    )
    try:
        rendered = renderer.render(template, context)
    except _Budget as exc:
        fail(f"template aborted: {exc}", kind="LimitExceeded")
    except pystache_error as exc:
        fail(f"mustache error: {type(exc).__name__}: {exc}")
    except (KeyError, TypeError, ValueError) as exc:
        fail(f"mustache error: {type(exc).__name__}: {exc}")
    text = str(rendered)
    if len(text) > cap:
        fail(f"template aborted: the output exceeds {cap} characters (raise it with {_SETTING})",
             kind="LimitExceeded")  # fmt: skip
    return text


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Render ``input`` with ``context``."""
    template: str = params["input"]
    if len(template) > MAX_TEMPLATE_CHARS:
        fail(f"template is longer than {MAX_TEMPLATE_CHARS} characters", kind="LimitExceeded")
    engine = params.get("engine", "jinja2")
    if engine == "tera":  # rs-llmspell's default engine: Jinja2's syntax
        engine = "jinja2"
    if params.get("auto_detect") and "engine" not in params:  # rs-llmspell's auto_detect
        mustache = re.search(r"\{\{[#/^]", template) and "{%" not in template
        engine = "mustache" if mustache else "jinja2"
    context = params.get("context") or {}
    strict = bool(params.get("strict", False))
    escape = bool(params.get("escape_html", False))
    cap = limit(ctx, NAME, "max_output_chars", MAX_OUTPUT_CHARS)
    render = _mustache if engine in ("mustache", "handlebars") else _jinja
    rendered = render(template, context, strict, escape, cap)
    return output({"rendered": rendered, "engine": engine, "length": len(rendered)}, text=rendered)


TOOL = Tool(
    name="template-creator",
    description="Render a template with values from 'context'. engine jinja2 (default; "
    "{{ name }}, {% for %}, {% if %}, filters; sandboxed) or mustache ({{name}}, "
    "{{#list}}...{{/list}}). Output is plain text (escape_html=true escapes HTML); "
    "strict=true makes undefined variables an error. Result in result.rendered.",
    category="utility",
    handler=run,
    timeout_seconds=15,
    settings={
        "max_output_chars": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_OUTPUT_CHARS,
            "description": "the longest rendered text, in characters",
        },
    },
    tags=("template", "jinja2", "mustache"),
    parameters={
        "type": "object",
        "properties": {
            "input": {"type": "string", "description": "the template text"},
            "context": {"type": "object", "description": "the variables the template uses"},
            "engine": {
                "type": "string",
                "enum": ["jinja2", "mustache", "handlebars", "tera"],
                "default": "jinja2",
                "description": "jinja2 (tera, rs-llmspell's name, is the same syntax), or "
                "mustache (handlebars = mustache subset)",
            },
            "auto_detect": {
                "type": "boolean",
                "default": False,
                "description": "pick the engine from the template ({{#x}} / {{/x}}: mustache)",
            },
            "strict": {"type": "boolean", "default": False},
            "escape_html": {"type": "boolean", "default": False},
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
