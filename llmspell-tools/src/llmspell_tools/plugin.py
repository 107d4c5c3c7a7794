"""Entry point of llmspell-tools.

It registers nothing yet: the built-in tool library arrives in a later release.
"""
