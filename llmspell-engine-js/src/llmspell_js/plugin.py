"""Entry point of llmspell-engine-js.

It registers nothing yet: the JavaScript engine arrives in a later release.
"""
