"""Memory: episodic entries, semantic facts, consolidation and context assembly (the
``Memory`` and ``Context`` globals, ``llmspell memory``, agents with memory).

``memory_service(runtime)`` is the runtime's one :class:`MemoryService`; it shares the
``[rag]`` embedder and vector store with RAG and opens them on first use.
"""

from __future__ import annotations

from llmspell.memory.service import MemoryService, memory_service

__all__ = ["MemoryService", "memory_service"]
