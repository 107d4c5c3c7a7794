"""Search tools: web search through provider HTTP APIs (network policy applies)."""
