"""Entry point of llmspell-providers.

It registers nothing yet: the LLM provider adapters arrives in a later release.
"""
