"""llmspell LLM provider adapters: not implemented yet; this distribution registers nothing."""
