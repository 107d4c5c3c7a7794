"""Local model servers (``LocalLLM``): which are running and which models they serve.

The servers probed are the operator's, never a spell's choice: every provider that is
*local* in :func:`llmspell.provider_resolution.list_providers` — the presets ``ollama``,
``llamacpp``, ``lmstudio`` and ``vllm`` at their URLs (overridable with
``[providers.NAME] base_url`` or ``LLMSPELL_PROVIDER_<NAME>_BASE_URL``), and any
``[providers.NAME]`` table whose ``base_url`` is on this machine (loopback or
``localhost``). A disabled provider is not probed.

``ollama`` is asked through its own API (``/api/version``, ``/api/tags``, ``/api/show``
at the base URL without ``/v1``); every other one as an OpenAI-compatible server
(``GET <base_url>/models``, and llama.cpp's ``GET /health``). Each request has a short
timeout (1 s to connect, 3 s in all), follows no redirect and reads at most 2 MiB; a
server that does not answer is reported as not running, never raised. An operator key
configured for the provider is sent to that provider's own URL only, and never returned.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError, NotFoundError
from llmspell.provider_resolution import list_providers, parse_endpoint

if TYPE_CHECKING:
    from llmspell.runtime import Runtime

__all__ = ["Backend", "backends", "model_info", "models", "parse_model_spec", "status"]

CONNECT_SECONDS = 1.0
TOTAL_SECONDS = 3.0
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Backend:
    """One local server: its provider name, kind (``ollama`` or ``openai``) and URLs."""

    name: str
    kind: str
    base_url: str
    #: the server's root (Ollama's API and llama.cpp's /health live there)
    root: str
    key_env: str | None = None


def backends(runtime: Runtime, environ: Mapping[str, str] | None = None) -> list[Backend]:
    """The local servers the operator configured (see the module doc), by name."""
    found: list[Backend] = []
    for row in list_providers(runtime, all=True, environ=environ):
        if not row["local"] or not row["enabled"] or not row["base_url"]:
            continue
        try:
            endpoint = parse_endpoint(row["base_url"])
        except ValueError:
            continue
        base = endpoint.url
        root = base[: -len("/v1")] if endpoint.path.endswith("/v1") else base
        kind = "ollama" if row["name"] == "ollama" else "openai"
        found.append(Backend(row["name"], kind, base, root, row.get("key_env")))
    return found


class _Unreachable(Exception):
    """The server did not answer (refused, timed out, not HTTP)."""


class _BadAnswer(Exception):
    """The server answered, but not as expected (status, size, JSON)."""


def _request(
    backend: Backend, url: str, body: dict[str, Any] | None, env: Mapping[str, str]
) -> Any:
    """One bounded HTTP request (blocking: run it in a thread); the decoded JSON."""
    import http.client
    import time
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname or "", parts.port, timeout=CONNECT_SECONDS)
    headers = {"Accept": "application/json"}
    key = env.get(backend.key_env) if backend.key_env else None
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = time.monotonic()
    try:
        try:
            conn.connect()
        except OSError as exc:
            raise _Unreachable(_reason(exc)) from None
        if conn.sock is not None:
            conn.sock.settimeout(TOTAL_SECONDS)
        try:
            conn.request("POST" if data else "GET", parts.path or "/", body=data, headers=headers)
            response = conn.getresponse()
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() - started > TOTAL_SECONDS:
                    raise _BadAnswer(f"no complete answer within {TOTAL_SECONDS:g} s")
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise _BadAnswer(f"the answer is larger than {MAX_BYTES // (1024 * 1024)} MiB")
                chunks.append(chunk)
        except (OSError, http.client.HTTPException) as exc:
            raise _Unreachable(_reason(exc)) from None
    finally:
        conn.close()
    if response.status != 200:
        raise _BadAnswer(f"HTTP {response.status} from {parts.path}")
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        raise _BadAnswer(f"{parts.path} did not answer JSON") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer (timed out)"
    strerror = getattr(exc, "strerror", None)
    return type(exc).__name__ + (f": {strerror}" if strerror else "")


async def _get(backend: Backend, url: str, env: Mapping[str, str], body: Any = None) -> Any:
    # the socket timeouts bound each read; this bounds the whole request for the spell
    # (a server trickling bytes keeps only its worker thread, never the run)
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_request, backend, url, body, env), TOTAL_SECONDS + 0.5
        )
    except TimeoutError:
        raise _Unreachable("no answer (timed out)") from None


def _epoch(value: Any) -> int | None:
    """An RFC 3339 time (Ollama's ``modified_at``) as Unix seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str) or not value:
        return None
    from datetime import datetime

    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Go prints nanoseconds; Python takes at most microseconds
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6]}{rest[len(digits) :]}"
    try:
        return int(datetime.fromisoformat(text).timestamp())
    except ValueError:
        return None


def _ollama_model(backend: Backend, item: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = item["details"] if isinstance(item.get("details"), dict) else {}
    model: dict[str, Any] = {
        "id": str(item.get("name") or item.get("model") or ""),
        "backend": backend.name,
        "size_bytes": int(item.get("size") or 0),
        "format": details.get("format") or "gguf",
        "loaded": False,
    }
    optional = {
        "quantization": details.get("quantization_level"),
        "parameter_count": details.get("parameter_size"),
        "family": details.get("family"),
        "modified_at": _epoch(item.get("modified_at")),
    }
    model.update({k: v for k, v in optional.items() if v is not None})
    return model


def _openai_model(backend: Backend, item: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = item["meta"] if isinstance(item.get("meta"), dict) else {}
    model: dict[str, Any] = {
        "id": str(item.get("id") or ""),
        "backend": backend.name,
        # llama.cpp reports the file size in meta.size; other servers do not say (0)
        "size_bytes": int(meta.get("size") or 0),
        "format": "gguf" if backend.name == "llamacpp" or meta else "unknown",
        "loaded": True,  # an OpenAI-compatible server lists the models it serves
    }
    optional = {
        "parameter_count": meta.get("n_params"),
        "context_length": meta.get("n_ctx_train"),
        "owned_by": item.get("owned_by"),
        "modified_at": _epoch(item.get("created")),
    }
    model.update({k: v for k, v in optional.items() if v is not None})
    return model


async def _probe(backend: Backend, env: Mapping[str, str]) -> dict[str, Any]:
    """``{running, ready, models, model_list, version?, error?, base_url, kind}``."""
    report: dict[str, Any] = {
        "running": False,
        "ready": False,
        "models": 0,
        "base_url": backend.base_url,
        "kind": backend.kind,
    }
    found: list[dict[str, Any]] = []
    try:
        if backend.kind == "ollama":
            tags = await _get(backend, backend.root + "/api/tags", env)
            items = tags.get("models") if isinstance(tags, dict) else None
            found = [_ollama_model(backend, m) for m in items or [] if isinstance(m, dict)]
            try:
                version = await _get(backend, backend.root + "/api/version", env)
                if isinstance(version, dict) and isinstance(version.get("version"), str):
                    report["version"] = version["version"]
            except (_Unreachable, _BadAnswer):
                pass
        else:
            listing = await _get(backend, backend.base_url + "/models", env)
            items = listing.get("data") if isinstance(listing, dict) else None
            found = [_openai_model(backend, m) for m in items or [] if isinstance(m, dict)]
            if backend.name == "llamacpp":
                try:
                    health = await _get(backend, backend.root + "/health", env)
                    if isinstance(health, dict) and isinstance(health.get("status"), str):
                        report["health"] = health["status"]
                except (_Unreachable, _BadAnswer):
                    pass
    except _Unreachable as exc:
        report["error"] = f"not running at {backend.base_url} ({exc})"
        return {**report, "model_list": []}
    except _BadAnswer as exc:
        report.update(running=True, error=str(exc))
        return {**report, "model_list": []}
    report.update(running=True, ready=True, models=len(found))
    return {**report, "model_list": found}


async def _probe_all(
    runtime: Runtime, environ: Mapping[str, str] | None, only: str | None = None
) -> list[tuple[Backend, dict[str, Any]]]:
    env = os.environ if environ is None else environ
    chosen = backends(runtime, env)
    if only is not None:
        chosen = [b for b in chosen if b.name == only]
    reports = await asyncio.gather(*(_probe(b, env) for b in chosen))
    return list(zip(chosen, reports, strict=True))


_CANDLE = {
    "ready": False,
    "running": False,
    "models": 0,
    "error": "the candle backend (in-process models) is not part of llmspell; "
    "serve the model with Ollama or llama.cpp",
}


async def status(runtime: Runtime, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``{<backend> = {running, ready, models, version?, health?, error?, base_url, kind},
    candle = {ready = false, ...}}`` for every configured local server."""
    result: dict[str, Any] = {}
    for backend, report in await _probe_all(runtime, environ):
        result[backend.name] = {k: v for k, v in report.items() if k != "model_list"}
    result.setdefault("candle", dict(_CANDLE))
    return result


def _check_backend(runtime: Runtime, name: str, environ: Mapping[str, str] | None) -> None:
    names = [b.name for b in backends(runtime, environ)]
    if name not in names:
        raise ConfigurationError(
            f"no local backend is called {name!r} (configured: {', '.join(names) or 'none'})",
            hint="local backends are the ollama/llamacpp/lmstudio/vllm presets and "
            "[providers.NAME] tables whose base_url is on this machine",
        )


async def models(
    runtime: Runtime, backend: str | None = None, environ: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The models of every running local server (or of ``backend`` only):
    ``{{id, backend, size_bytes, format, loaded, quantization?, parameter_count?,
    context_length?, modified_at?}}``; empty when none runs."""
    if backend is not None and backend != "candle":
        _check_backend(runtime, backend, environ)
    if backend == "candle":
        return []
    found: list[dict[str, Any]] = []
    for _, report in await _probe_all(runtime, environ, backend):
        found.extend(report["model_list"])
    return found


def parse_model_spec(spec: str) -> tuple[str, str | None]:
    """``"local/llama3.1:8b@ollama"`` → ``("llama3.1:8b", "ollama")``; no ``@`` → None."""
    text = spec.strip()
    if text.startswith("local/"):
        text = text[len("local/") :]
    model, sep, backend = text.rpartition("@")
    if not sep:
        return text, None
    return model, backend or None


async def model_info(
    runtime: Runtime, spec: str, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What a running local server says of one model (``id``, ``id@backend`` or
    ``local/id@backend``); NotFoundError when no running server has it."""
    env = os.environ if environ is None else environ
    model_id, backend_name = parse_model_spec(spec)
    if not model_id:
        raise NotFoundError(f"LocalLLM.info: {spec!r} names no model")
    if backend_name is not None and backend_name != "candle":
        _check_backend(runtime, backend_name, env)
    probed = [] if backend_name == "candle" else await _probe_all(runtime, env, backend_name)
    for backend, report in probed:
        for model in report["model_list"]:
            if model["id"] == model_id or (
                backend.kind == "ollama" and model["id"] == f"{model_id}:latest"
            ):
                info = dict(model)
                if backend.kind == "ollama":
                    info.update(await _ollama_show(backend, model["id"], env))
                return info
    running = [b.name for b, r in probed if r["running"]]
    where = f"on {backend_name}" if backend_name else "on any running local backend"
    raise NotFoundError(
        f"LocalLLM.info: model {model_id!r} was not found {where} "
        f"(running: {', '.join(running) or 'none'})",
        hint="LocalLLM.list() shows the models; pull one with: ollama pull MODEL",
    )


async def _ollama_show(backend: Backend, model_id: str, env: Mapping[str, str]) -> dict[str, Any]:
    """Details from Ollama's ``/api/show`` (empty when it does not answer)."""
    try:
        shown = await _get(backend, backend.root + "/api/show", env, {"model": model_id})
    except (_Unreachable, _BadAnswer):
        return {}
    if not isinstance(shown, dict):
        return {}
    extra: dict[str, Any] = {}
    info: dict[str, Any] = shown["model_info"] if isinstance(shown.get("model_info"), dict) else {}
    arch = info.get("general.architecture")
    if isinstance(arch, str):
        extra["architecture"] = arch
        context = info.get(f"{arch}.context_length")
        if isinstance(context, int):
            extra["context_length"] = context
    count = info.get("general.parameter_count")
    if isinstance(count, int):
        extra["parameter_count"] = count
    return extra
