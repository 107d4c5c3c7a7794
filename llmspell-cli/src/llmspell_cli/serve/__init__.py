"""Service mode: ``llmspell serve`` (HTTP API) and ``llmspell worker`` on DBOS
(docs/serve.md). Nothing here is imported by ``llmspell run``."""
