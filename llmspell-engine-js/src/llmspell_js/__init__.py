"""llmspell JavaScript engine: not implemented yet; this distribution registers nothing."""
