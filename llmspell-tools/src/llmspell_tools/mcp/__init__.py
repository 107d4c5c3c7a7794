"""The MCP client (docs/mcp.md): ``[mcp.servers.NAME]`` servers' tools in the tool
registry as ``NAME__TOOL``, and the ``MCP`` global. Nothing here imports the MCP SDK
until a server is used (``llmspell-tools[mcp]``)."""
