"""Spells behind the OpenAI-compatible API: ``POST /v1/chat/completions`` with
``model = "spell:NAME"`` runs the spell file NAME of ``[serve] spells_dir`` as a run
(kind ``chat``) and answers with its result; ``GET /v1/models`` lists the configured
agents and these spells. The spell gets the conversation in ``ARGS`` (docs/serve.md,
"Spells as chat models")."""

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from llmspell_cli.serve.agents_api import (
    ChatRequest,
    _conversation,
    _openai_usage,
    _sse,
    _text,
    _wait,
    chunk_maker,
    error_chunk,
    queue_run,
)
from llmspell_cli.serve.api import _read_spell, _spell_path
from llmspell_cli.serve.execution import Service
from llmspell_cli.serve.http_errors import ApiError
from llmspell_cli.serve.store import FINAL

__all__ = ["PREFIX", "SpellModels", "add_model_routes", "chat", "reply_text"]

#: how ``model`` names a spell; agent names cannot contain ":", so the two never collide
PREFIX = "spell:"
#: at most this many spells are listed (and named in hints)
_MAX_LISTED = 1000
#: directory entries looked at when listing, at most (a huge spells_dir stays cheap)
_MAX_SCANNED = 20000
_TRACEBACK = "Traceback (most recent call last)"


class SpellModels:
    """The spells a chat may name: files of ``[serve] spells_dir`` an engine runs (the
    allow rules of ``POST /v1/runs``: inside the spells directory, symlinks followed)."""

    def __init__(self, settings: Any) -> None:
        from llmspell.runtime import Runtime

        self.settings = settings
        self._rt = Runtime(settings)  # engine names and file extensions only
        engines = self._rt.engines.all()
        self.extensions = sorted(
            {"." + ext.lstrip(".").lower() for cls in engines for ext in cls.extensions}
        )

    def root(self) -> Path | None:
        """The spells directory (None when ``[serve] spells_dir`` is not set)."""
        base = self.settings.serve.spells_dir
        return Path(base).expanduser().resolve() if base else None

    def names(self) -> list[str]:
        """The spells' paths relative to the spells directory, sorted (at most 1000)."""
        root = self.root()
        if root is None or not root.is_dir():
            return []
        found: list[str] = []
        scanned = 0
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for file in sorted(files):
                scanned += 1
                if file.startswith(".") or Path(file).suffix.lower() not in self.extensions:
                    continue
                path = Path(folder, file)
                real = path.resolve()
                if real.is_relative_to(root) and real.is_file():
                    found.append(path.relative_to(root).as_posix())
            if len(found) >= _MAX_LISTED or scanned >= _MAX_SCANNED:
                break
        return sorted(found)[:_MAX_LISTED]

    def resolve(self, model: str) -> tuple[str, Path]:
        """``(NAME, file)`` of ``spell:NAME``; NAME may leave out the extension when one
        file of the spells directory matches. 404 (with the spells there) when there is
        no such spell, 403 outside the spells directory."""
        name = model[len(PREFIX) :]
        if not name.strip() or "\x00" in name:
            raise ApiError(422, "ValidationError", f"model {model!r} names no spell",
                           f'e.g. "{PREFIX}chat.lua"; GET /v1/models lists the spells')  # fmt: skip
        root = self.root()
        if (
            root is not None  # completed only inside the spells directory: no existence oracle
            and Path(name).suffix.lower() not in self.extensions
            and (root / name).resolve().is_relative_to(root)
            and not (root / name).is_file()
        ):
            matches = [name + ext for ext in self.extensions if (root / (name + ext)).is_file()]
            if len(matches) > 1:
                raise ApiError(422, "ValidationError",
                               f"model {model!r} matches several spells: "
                               + ", ".join(PREFIX + m for m in matches),
                               "name the file with its extension")  # fmt: skip
            if matches:
                name = matches[0]
        try:
            path = _spell_path(name, self.settings)
        except ApiError as exc:
            if exc.status != 404:
                raise
            raise ApiError(404, "NotFoundError", f"no spell {model!r}", self._known()) from None
        from llmspell.errors import LLMSpellError

        try:
            self._rt.select_engine(str(path), None)
        except LLMSpellError as exc:
            raise ApiError(422, "ValidationError", f"spell {model!r}: {exc}",
                           "spells are files an engine runs: " + ", ".join(self.extensions)
                           ) from None  # fmt: skip
        return name, path

    def _known(self) -> str:
        root = self.root()
        if root is None:
            return "set [serve] spells_dir to the directory of the spells a chat may name"
        names = self.names()
        if not names:
            return f"the spells directory ({root}) has no spells"
        shown = ", ".join(PREFIX + n for n in names[:20])
        more = f" (and {len(names) - 20} more: GET /v1/models)" if len(names) > 20 else ""
        return f"spells: {shown}{more}"


# -- the chat ------------------------------------------------------------------------------
async def chat(
    service: Service, spells: SpellModels, body: ChatRequest, who: str, request: Request
) -> Any:
    """Answer a chat completion with the spell ``body.model`` names (a run of kind
    ``chat``): OpenAI's ``chat.completion``, or its chunks with ``stream``."""
    name, path = await asyncio.to_thread(spells.resolve, body.model)
    _system, _turns, text = _conversation(body.messages)  # the last message is the user's
    messages = [{"role": m.role, "content": _text(m)} for m in body.messages]
    spec: dict[str, Any] = {
        "source": await asyncio.to_thread(_read_spell, path),
        "path": str(path),
        "spell": name,
        "engine": None,
        "args": [
            f"--input={text}",
            f"--messages={json.dumps(messages, ensure_ascii=False)}",
            f"--model={PREFIX}{name}",
            f"--stream={'true' if body.stream else 'false'}",
        ],
        "memory_mb": None,
    }
    if body.stream:
        spec["stream_agents"] = True
    run_id = await queue_run(service, who, spec, "chat", body.timeout,
                             request.headers.get("traceparent"))  # fmt: skip
    model = f"{PREFIX}{name}"
    created = int(time.time())
    if body.stream:
        chunks = _chunks(service, run_id, model, created)
        return _sse(chunks, openai=True, service=service, run_id=run_id)
    record = await _wait(service, run_id, request)
    _raise_failure(record, model)
    content = await reply_text(service, record)
    return {
        "id": f"chatcmpl-{run_id}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": _openai_usage(record.get("usage") or {}),
    }


async def reply_text(service: Service, record: dict[str, Any]) -> str:
    """The assistant message of a spell's run: its result (a string as is, anything
    else as JSON text); when it returned nothing, what it printed to stdout."""
    result = record.get("result")
    if result is not None:
        return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
    printed: list[str] = []
    seq = 0
    while True:
        chunks = await asyncio.to_thread(service.store.output_since, record["id"], seq)
        if not chunks:
            return "".join(printed)
        seq = chunks[-1][0] + 1
        printed += [t for _n, stream, t in chunks if stream == "stdout"]


def _raise_failure(record: dict[str, Any], model: str) -> None:
    """A failed run as an API error: 504 past its time limit, 409 cancelled, else 500 —
    with the spell's error kind and message (never a traceback)."""
    if record["status"] == "succeeded":
        return
    error = record.get("error") or {}
    kind = str(error.get("kind") or "Error")
    status = 504 if kind in ("LimitExceeded", "TimeoutError") else 500
    if kind == "Cancelled":
        status = 409
    message = str(error.get("message") or "the run failed")
    if _TRACEBACK in message:
        head, _, trace = message.partition(_TRACEBACK)
        lines = [line for line in trace.splitlines() if line.strip()]
        message = head.strip() + (" " + lines[-1].strip() if lines else "")
    where = ""
    if error.get("file"):
        where = f" ({error['file']}" + (f":{error['line']})" if error.get("line") else ")")
    hint = error.get("hint") or f"the run's output: GET /v1/runs/{record['id']}"
    raise ApiError(status, kind, f"{model} (run {record['id']}): {message}{where}", hint)


async def _chunks(service: Service, run_id: str, model: str, created: int) -> AsyncIterator[str]:
    """``chat.completion.chunk`` events: what the spell prints and its agents' tokens,
    live; then its result unless the text streamed already ends with it; the finish
    chunk (with usage) or an error; ``[DONE]``."""
    chunk = chunk_maker(run_id, model, created)
    yield chunk({"role": "assistant", "content": ""})
    streamed: list[str] = []
    seq = 0
    while True:
        status = await asyncio.to_thread(service.store.status, run_id)
        chunks = await asyncio.to_thread(service.store.output_since, run_id, seq)
        for n, stream, text in chunks:
            seq = n + 1
            if stream in ("stdout", "agent") and text:
                streamed.append(text)
                yield chunk({"content": text})
        if status in FINAL and not chunks:
            break
        await asyncio.sleep(0.03)
    record = await asyncio.to_thread(service.store.get, run_id)
    assert record is not None
    try:
        _raise_failure(record, model)
    except ApiError as exc:
        yield error_chunk(exc.kind, exc.message, exc.hint)
    else:
        content = await reply_text(service, record)
        sent = "".join(streamed)
        if content.strip() and not sent.rstrip().endswith(content.strip()):
            yield chunk({"content": ("\n" if sent and not sent.endswith("\n") else "") + content})
        yield chunk({}, "stop", usage=_openai_usage(record.get("usage") or {}))
    yield "data: [DONE]\n\n"


# -- GET /v1/models ------------------------------------------------------------------------
def add_model_routes(
    app: FastAPI, service: Service, spells: SpellModels, caller: Callable[..., str]
) -> None:
    """``GET /v1/models`` and ``GET /v1/models/{id}`` (OpenAI's shape): the configured
    agents and the spells of the spells directory."""
    Caller = Annotated[str, Depends(caller)]
    agents = service.settings.agents

    @app.get("/v1/models")
    async def models(_who: Caller) -> dict[str, Any]:
        """What ``model`` may name in a chat completion: ``{object: "list", data}``."""
        names = await asyncio.to_thread(spells.names)
        data = [_model(a, "agent") for a in sorted(agents)]
        data += [_model(PREFIX + n, "spell") for n in names]
        return {"object": "list", "data": data}

    @app.get("/v1/models/{model:path}")
    async def model(model: str, _who: Caller) -> dict[str, Any]:
        """One model of ``GET /v1/models`` (404 when there is no such agent or spell)."""
        if model.startswith(PREFIX):
            name, _path = await asyncio.to_thread(spells.resolve, model)
            return _model(PREFIX + name, "spell")
        if model in agents:
            return _model(model, "agent")
        known = ", ".join(sorted(agents)) or "none"
        raise ApiError(404, "NotFoundError", f"no model {model!r} (agents: {known})",
                       f'spells are named "{PREFIX}NAME"; GET /v1/models lists all')  # fmt: skip


def _model(model_id: str, kind: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 0, "owned_by": "llmspell",
            "kind": kind}  # fmt: skip
