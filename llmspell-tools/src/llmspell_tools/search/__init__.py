"""Search tools: the web (provider HTTP APIs, network policy applies), documents ingested
with RAG, and source trees (symbols, text, meaning)."""
