"""Entry point of llmspell-providers. It registers nothing yet: the LLM provider adapters (OpenAI, Anthropic, OpenAI-compatible) arrives in a later release."""
