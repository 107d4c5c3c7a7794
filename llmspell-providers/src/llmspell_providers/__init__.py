"""llmspell LLM providers: OpenAI, Anthropic and OpenAI-compatible servers.

Importing this package is cheap: the SDKs (``openai``, ``anthropic``) and the HTTP
client are imported on a provider's first call, never at start-up (DESIGN.md §2).
"""
