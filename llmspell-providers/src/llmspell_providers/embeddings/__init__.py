"""The embedders of llmspell-providers (registered by :mod:`llmspell_providers.plugin`).

- ``local``: all-MiniLM-L6-v2 (int8 ONNX) on this machine's CPU, no key, no network
  (:mod:`llmspell_providers.embeddings.local`, ``llmspell-providers[local]``);
- ``openai``: the ``/embeddings`` endpoint of OpenAI or any OpenAI-compatible server
  (:mod:`llmspell_providers.embeddings.openai`).

This package imports nothing heavy; each module imports its libraries on first use.
"""
