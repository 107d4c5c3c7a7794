"""llmspell LLM provider adapters (OpenAI, Anthropic, OpenAI-compatible) — not implemented yet; this distribution registers nothing."""
