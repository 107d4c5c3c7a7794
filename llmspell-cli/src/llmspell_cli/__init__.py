"""The ``llmspell`` command (typer + rich)."""
