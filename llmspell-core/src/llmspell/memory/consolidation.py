"""Consolidation: an LLM reads new episodic entries and extracts facts into semantic memory.

The model is ``[memory] consolidation_model`` ("provider/model"), else the default
provider's default model, opened with the same machinery as agents. Without a usable
provider, a ConfigurationError: consolidation never pretends. Entries are read in
batches, oldest first; after each batch the session's *watermark* (the creation time of
the last entry processed, kept in State scope ``memory:consolidated``) moves on, so the
next call starts after it (``force`` starts from the beginning).
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError, LLMSpellError

if TYPE_CHECKING:
    from llmspell.llm import ChatProvider
    from llmspell.memory.service import MemoryService
    from llmspell.runtime import Runtime
    from llmspell.vectorstore.base import SearchHit

__all__ = ["WATERMARK_SCOPE", "consolidate", "open_llm"]

WATERMARK_SCOPE = "memory:consolidated"
#: entries per model call, the characters of one entry shown to it, of one batch
BATCH = 20
ENTRY_CHARS = 4000
BATCH_CHARS = 24_000
#: the most entries of one session read per call
MAX_ENTRIES = 100_000

PROMPT = """You maintain a long-term memory. From the conversation entries given, extract
durable facts worth remembering (about people, preferences, projects, decisions, places).
Each fact is one short self-contained sentence naming its subject. Skip greetings, small
talk and anything uncertain. If an entry says an earlier fact is no longer true, list
that fact's text under "obsolete".
Answer with JSON only, no prose:
{"facts": [{"entity": "...", "fact": "..."}], "obsolete": ["..."]}"""


async def open_llm(runtime: Runtime) -> tuple[ChatProvider, str]:
    """The consolidation model's client and model id; a ConfigurationError naming what
    is missing when there is none."""
    from llmspell.provider_resolution import open_model

    spec = runtime.settings.memory.consolidation_model
    try:
        provider, _name, model = await open_model(runtime, spec)
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"Memory.consolidate needs an LLM to extract facts, and none is usable: {exc.message}",
            hint='set [memory] consolidation_model = "provider/model" of a provider '
            "whose key is configured",
        ) from None
    return provider, model


def _watermark(runtime: Runtime, session_id: str) -> float | None:
    raw = runtime.state.get(WATERMARK_SCOPE, session_id)
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return float(value) if isinstance(value, int | float) else None


def _batches(entries: list[SearchHit]) -> list[list[SearchHit]]:
    out: list[list[SearchHit]] = []
    size = 0
    for hit in entries:
        cost = min(len(hit.content), ENTRY_CHARS)
        if out and len(out[-1]) < BATCH and size + cost <= BATCH_CHARS:
            out[-1].append(hit)
            size += cost
        else:
            out.append([hit])
            size = cost
    return out


def _parse(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Facts and obsolete facts of the model's answer; ValueError when it is not the
    JSON asked for."""
    from llmspell.agents import _json_in

    data = _json_in(text)
    if isinstance(data, list):
        data = {"facts": data}
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    facts: list[tuple[str, str]] = []
    for item in data.get("facts") or []:
        if isinstance(item, str):
            facts.append(("", item))
        elif isinstance(item, dict) and isinstance(item.get("fact"), str):
            facts.append((str(item.get("entity") or ""), item["fact"]))
    obsolete = [x for x in data.get("obsolete") or [] if isinstance(x, str)]
    return facts, obsolete


def account(totals: Any, model: str, usage: Any) -> None:
    """Add one model call's ``usage`` to a run's usage (``RunResult.usage`` shape)."""
    if not isinstance(totals, dict):
        return
    for key, value in usage.as_dict().items():
        totals[key] = totals.get(key, 0) + value
    rows = totals.setdefault("by_model", {})
    row = rows.setdefault(model, {"calls": 0, "input_tokens": 0, "output_tokens": 0})
    row["calls"] += 1
    row["input_tokens"] += usage.input_tokens
    row["output_tokens"] += usage.output_tokens


async def consolidate(
    mem: MemoryService,
    session_id: str | None = None,
    force: bool = False,
    *,
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``Memory.consolidate``: ``{entries_processed, entities_added, entities_updated,
    entities_deleted, entries_skipped, entries_failed, duration_ms}``. The tokens the
    model spends are added to ``usage`` (a run's usage) when given."""
    from llmspell.llm import ChatRequest, Message

    started = time.perf_counter()
    runtime = mem.runtime
    index = mem.index
    provider, model = await open_llm(runtime)
    out: dict[str, Any] = dict.fromkeys(
        (
            "entries_processed",
            "entities_added",
            "entities_updated",
            "entities_deleted",
            "entries_skipped",
            "entries_failed",
        ),
        0,
    )
    try:
        if session_id is not None:
            sessions = [(session_id, await index.run(mem.episodic_count, session_id))]
        else:
            sessions = await index.run(mem.episodic.sessions)
        for sid, total in sessions:
            mark = None if force else await index.run(_watermark, runtime, sid)
            entries = await index.run(mem.episodic.since, sid, mark, min(total, MAX_ENTRIES))
            out["entries_skipped"] += max(0, total - len(entries))
            for n, batch in enumerate(_batches(entries)):
                lines = [f"[{h.metadata.get('role', '')}] {h.content[:ENTRY_CHARS]}" for h in batch]
                request = ChatRequest(
                    model=model,
                    messages=[Message("user", "Entries:\n" + "\n".join(lines))],
                    system=PROMPT,
                    temperature=0.0,
                    max_tokens=1024,
                )
                response = await provider.chat(request)
                account(usage, f"{provider.config.name}/{model}", response.usage)
                try:
                    facts, obsolete = _parse(response.text)
                except (ValueError, RecursionError):
                    # the batch stays unprocessed (a later call tries again)
                    rest = sum(len(b) for b in _batches(entries)[n:])
                    out["entries_failed"] += rest
                    break
                added, updated = await index.run(mem.semantic.upsert, facts, sid)
                deleted = await index.run(mem.semantic.delete, obsolete)
                out["entities_added"] += added
                out["entities_updated"] += updated
                out["entities_deleted"] += deleted
                out["entries_processed"] += len(batch)
                await index.run(
                    runtime.state.set, WATERMARK_SCOPE, sid, json.dumps(batch[-1].created_at)
                )
    finally:
        with contextlib.suppress(LLMSpellError):
            await provider.close()
    out["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    return out
