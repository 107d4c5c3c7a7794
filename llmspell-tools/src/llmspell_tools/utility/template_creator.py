"""template-creator: render Jinja2 (sandboxed) or Mustache templates with a context."""

from __future__ import annotations

import time
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import fail, output

#: the largest template accepted and the largest output rendered
MAX_TEMPLATE_CHARS = 1_000_000
MAX_OUTPUT_CHARS = 5_000_000
#: render time budget (seconds), below the tool timeout so it fails cleanly
RENDER_SECONDS = 10.0


class _Budget(Exception):
    """The render ran over its time or size budget."""


def _jinja(template: str, context: dict[str, Any], strict: bool, escape: bool) -> str:
    from jinja2 import StrictUndefined, TemplateError, Undefined
    from jinja2.sandbox import SandboxedEnvironment

    deadline = time.monotonic() + RENDER_SECONDS

    def tick() -> None:
        if time.monotonic() > deadline:
            raise _Budget(f"rendering took longer than {RENDER_SECONDS:g} s")

    class Env(SandboxedEnvironment):
        """The sandbox, checking the time budget on every call and attribute access."""

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            tick()
            return super().call(__context, __obj, *args, **kwargs)

        def getattr(self, obj: Any, attribute: str) -> Any:
            tick()
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            tick()
            return super().getitem(obj, argument)

    env = Env(
        autoescape=escape,
        undefined=StrictUndefined if strict else Undefined,
        keep_trailing_newline=True,
    )
    try:
        compiled = env.from_string(template)
        parts: list[str] = []
        size = 0
        for chunk in compiled.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise _Budget(f"the output exceeds {MAX_OUTPUT_CHARS} characters")
            tick()
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


def _mustache(template: str, context: dict[str, Any], strict: bool, escape: bool) -> str:
    import html

    import pystache

    pystache_error = pystache.common.PystacheError  # pystache.common loads with pystache

    renderer = pystache.Renderer(
        partials={},  # never load partials from the file system
        escape=html.escape if escape else (lambda s: s),
        missing_tags="strict" if strict else "ignore",
    )
    try:
        rendered = renderer.render(template, context)
    except pystache_error as exc:
        fail(f"mustache error: {type(exc).__name__}: {exc}")
    except (KeyError, TypeError, ValueError) as exc:
        fail(f"mustache error: {type(exc).__name__}: {exc}")
    text = str(rendered)
    if len(text) > MAX_OUTPUT_CHARS:
        fail(f"template aborted: the output exceeds {MAX_OUTPUT_CHARS} characters",
             kind="LimitExceeded")  # fmt: skip
    return text


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Render ``input`` with ``context``."""
    template: str = params["input"]
    if len(template) > MAX_TEMPLATE_CHARS:
        fail(f"template is longer than {MAX_TEMPLATE_CHARS} characters", kind="LimitExceeded")
    engine = params.get("engine", "jinja2")
    context = params.get("context") or {}
    strict = bool(params.get("strict", False))
    escape = bool(params.get("escape_html", False))
    render = _mustache if engine in ("mustache", "handlebars") else _jinja
    rendered = render(template, context, strict, escape)
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
    tags=("template", "jinja2", "mustache"),
    parameters={
        "type": "object",
        "properties": {
            "input": {"type": "string", "description": "the template text"},
            "context": {"type": "object", "description": "the variables the template uses"},
            "engine": {
                "type": "string",
                "enum": ["jinja2", "mustache", "handlebars"],
                "default": "jinja2",
                "description": "jinja2, or mustache (handlebars = mustache subset)",
            },
            "strict": {"type": "boolean", "default": False},
            "escape_html": {"type": "boolean", "default": False},
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
