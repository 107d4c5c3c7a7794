"""What a provider/model supports, and what a call cost.

Both tables go by model-name patterns (an OpenRouter-style ``vendor/`` prefix and
letter case are ignored). An unknown or local model gets conservative defaults:
streaming and tools assumed (the server says so if not), no vision, no native
structured output (the agent asks for JSON in the prompt and validates), unknown
context size.
"""

from __future__ import annotations

import fnmatch

from llmspell.llm import Capabilities, Usage

__all__ = ["PRICES", "PRICES_AS_OF", "capabilities", "cost_usd", "normalize_model"]


def normalize_model(model: str) -> str:
    """``"openai/GPT-4o"`` → ``"gpt-4o"``: the last path segment, lower case."""
    return model.rsplit("/", 1)[-1].strip().lower()


# (glob pattern, tools, structured output, vision, context tokens); first match wins,
# so the more specific patterns come first.
_MODELS: list[tuple[str, bool, bool, bool, int | None]] = [
    # OpenAI
    ("o1-mini*", False, False, False, 128_000),
    ("o1-preview*", False, False, False, 128_000),
    ("o3-mini*", True, True, False, 200_000),
    ("o[1-9]*", True, True, True, 200_000),
    ("gpt-5*", True, True, True, 400_000),
    ("gpt-4.1*", True, True, True, 1_047_576),
    ("gpt-4o*", True, True, True, 128_000),
    ("chatgpt-4o*", False, False, True, 128_000),
    ("gpt-4-turbo*", True, False, True, 128_000),
    ("gpt-4*", True, False, False, 8_192),
    ("gpt-3.5-turbo*", True, False, False, 16_385),
    ("gpt-oss*", True, False, False, 131_072),
    # Anthropic
    ("claude-2*", False, False, False, 100_000),
    ("claude-instant*", False, False, False, 100_000),
    ("claude-*", True, False, True, 200_000),
    # common models behind OpenAI-compatible services and local servers
    ("llama-4*", True, False, True, 131_072),
    ("llama-3.2-*vision*", True, False, True, 131_072),
    ("llama-3.[123]*", True, False, False, 131_072),
    ("llama3.[123]*", True, False, False, 131_072),
    ("meta-llama-3.1*", True, False, False, 131_072),
    ("qwen2.5*", True, False, False, 32_768),
    ("qwen3*", True, False, False, 32_768),
    ("mistral-large*", True, False, False, 131_072),
    ("mistral-small*", True, False, False, 32_768),
    ("pixtral*", True, False, True, 131_072),
    ("deepseek-chat*", True, False, False, 65_536),
    ("deepseek-reasoner*", False, False, False, 65_536),
    ("grok-*vision*", True, False, True, 32_768),
    ("grok-*", True, False, False, 131_072),
    ("sonar*", False, False, False, 127_072),
    ("gemma*", False, False, False, 8_192),
]


def capabilities(provider_type: str, model: str | None) -> Capabilities:
    """Capabilities of ``model`` served through a ``provider_type`` adapter
    (``"openai"`` or ``"anthropic"``)."""
    name = normalize_model(model or "")
    for pattern, tools, structured, vision, context in _MODELS:
        if fnmatch.fnmatchcase(name, pattern):
            return Capabilities(
                supports_streaming=True,
                supports_tools=tools,
                # the Anthropic adapter has no native JSON-schema mode (prompted JSON)
                supports_structured_output=structured and provider_type == "openai",
                supports_multimodal=vision,
                max_context_tokens=context,
            )
    return Capabilities(
        supports_streaming=True,
        supports_tools=True,
        supports_structured_output=False,
        supports_multimodal=False,
        max_context_tokens=None,
    )


#: The date this table stands for. It is maintained by hand: when a provider changes a
#: price or ships a model, update the figures and this date together. Models not listed
#: (newer families, local and most third-party models) cost None, never a guess.
PRICES_AS_OF = "2026-11"

#: USD per 1M (input, output) tokens, by model-name prefix (the longest prefix wins,
#: so dated snapshots like ``gpt-4o-mini-2024-07-18`` find their family).
PRICES: dict[str, tuple[float, float]] = {
    "gpt-5.5": (5.00, 30.00),
    "gpt-5.5-pro": (30.00, 180.00),
    "gpt-5.4": (2.50, 15.00),
    "gpt-5.4-mini": (0.75, 4.50),
    "gpt-5.4-nano": (0.20, 1.25),
    "gpt-5.4-pro": (30.00, 180.00),
    "gpt-5.2": (1.75, 14.00),
    "gpt-5.2-pro": (21.00, 168.00),
    "gpt-5.1": (1.25, 10.00),
    "gpt-5": (1.25, 10.00),
    "gpt-5-pro": (15.00, 120.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "o1": (15.00, 60.00),
    "o1-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "gpt-3.5-turbo": (0.50, 1.50),
    "claude-opus-4-6": (5.00, 25.00),
    "claude-opus-4-5": (5.00, 25.00),
    "claude-opus-4": (15.00, 75.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "claude-3-7-sonnet": (3.00, 15.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    "claude-3-5-haiku": (0.80, 4.00),
    "claude-3-haiku": (0.25, 1.25),
    "claude-3-opus": (15.00, 75.00),
}


def _price(model: str) -> tuple[float, float] | None:
    name = normalize_model(model)
    best: str | None = None
    for prefix in PRICES:
        if (name == prefix or name.startswith(prefix + "-")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return PRICES[best] if best is not None else None


def cost_usd(model: str, usage: Usage) -> float | None:
    """What ``usage`` of ``model`` cost in USD at list price; None when the price of
    ``model`` is unknown (local and most third-party models)."""
    price = _price(model)
    if price is None:
        return None
    per_input, per_output = price
    return (usage.input_tokens * per_input + usage.output_tokens * per_output) / 1_000_000
