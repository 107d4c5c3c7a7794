"""``llmspell mcp serve``: llmspell's tools, spells and agents as an MCP server (docs/mcp.md)."""
