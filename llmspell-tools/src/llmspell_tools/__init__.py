"""llmspell's built-in tool library: offline tools by category, registered as a plugin.

Every tool module defines ``TOOL`` (an :class:`llmspell.tools.Tool`) and imports its
third-party library inside the handler, so that registering the library stays cheap.
"""
