"""llmspell built-in tool library: not implemented yet; this distribution registers nothing."""
