"""A deliberately broken llmspell plugin (tests only); see ``plugin.py``."""
