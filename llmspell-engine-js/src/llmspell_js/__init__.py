"""llmspell's JavaScript engine (QuickJS via the ``quickjs`` binding)."""

from llmspell_js.engine import JSEngine

__all__ = ["JSEngine"]
