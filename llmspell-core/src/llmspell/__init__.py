"""llmspell: run Lua and JavaScript spells that orchestrate LLM agents, tools and workflows.

The public facade. Heavy modules load on first attribute access, so ``import llmspell``
stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from llmspell.errors import (
    AuthenticationError,
    ConfigurationError,
    Interrupted,
    LimitExceeded,
    LLMSpellError,
    NotFoundError,
    PluginError,
    ProviderError,
    RateLimitError,
    ScriptError,
    SecurityError,
    StateError,
    TimeoutError,
    ToolError,
    ValidationError,
    WorkflowError,
)
from llmspell.hookspecs import hookimpl

__version__ = "0.1.0"

_LAZY = {
    "Runtime": "llmspell.runtime",
    "RunResult": "llmspell.runtime",
    "Limits": "llmspell.runtime",
    "Output": "llmspell.runtime",
    "ScriptEngine": "llmspell.engine",
    "Tool": "llmspell.tools",
    "ToolOutput": "llmspell.tools",
    "ToolFailure": "llmspell.tools",
    "GlobalSpec": "llmspell.ops",
    "Param": "llmspell.ops",
    "Settings": "llmspell.config",
    "load_settings": "llmspell.config",
}

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "GlobalSpec",
    "Interrupted",
    "LLMSpellError",
    "LimitExceeded",
    "Limits",
    "NotFoundError",
    "Output",
    "Param",
    "PluginError",
    "ProviderError",
    "RateLimitError",
    "RunResult",
    "Runtime",
    "ScriptEngine",
    "ScriptError",
    "SecurityError",
    "Settings",
    "StateError",
    "TimeoutError",
    "Tool",
    "ToolError",
    "ToolFailure",
    "ToolOutput",
    "ValidationError",
    "WorkflowError",
    "__version__",
    "hookimpl",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llmspell' has no attribute {name!r}")
    return getattr(import_module(module), name)
