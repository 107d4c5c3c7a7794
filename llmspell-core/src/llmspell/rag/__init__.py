"""RAG: documents chunked, embedded and searched (the ``RAG`` global, ``llmspell rag``).

``rag_service(runtime)`` is the runtime's one :class:`RagService`; it opens the embedder
and the vector store (``[rag]``) on first use. Nothing heavy is imported here.
"""

from __future__ import annotations

from llmspell.rag.service import RagService, rag_service

__all__ = ["RagService", "rag_service"]
