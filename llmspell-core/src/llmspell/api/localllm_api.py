"""``LocalLLM``: the local model servers the operator configured (Ollama, llama.cpp and
other OpenAI-compatible servers): which run, which models they serve
(``llmspell.local_llm``; docs/providers.md "Local servers")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError
from llmspell.ops import GlobalSpec, Param

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


LOCALLLM = GlobalSpec("LocalLLM", doc="Local model servers: status, models, model details.")


@LOCALLLM.function("status", mode="async")
async def status(ctx: CallContext) -> dict[str, Any]:
    """``{<backend> = {running, ready, models, version?, error?, base_url, kind}, candle}``
    for every configured local server; a server that does not answer is
    ``running = false`` (never an error)."""
    from llmspell import local_llm  # the probing code loads on first use

    return await local_llm.status(ctx.runtime)


@LOCALLLM.function("list", Param("backend", "string", optional=True), mode="async")
async def list_(ctx: CallContext, backend: str | None) -> list[dict[str, Any]]:
    """The models of the running local servers (``backend``: one of them):
    ``{{id, backend, size_bytes, format, loaded, quantization?, parameter_count?,
    modified_at?}}``; empty when none runs."""
    from llmspell import local_llm

    return await local_llm.models(ctx.runtime, backend)


@LOCALLLM.function("info", Param("model", "string"), mode="async")
async def info(ctx: CallContext, model: str) -> dict[str, Any]:
    """Details of one model (``id``, ``id@backend`` or ``local/id@backend``) from the
    server that has it; NotFoundError when no running server has it."""
    from llmspell import local_llm

    return await local_llm.model_info(ctx.runtime, model)


@LOCALLLM.function("pull", Param("model", "string"))
def pull(ctx: CallContext, model: str) -> None:
    """Refused: llmspell does not download models (the server's own tool does)."""
    from llmspell import local_llm

    name, backend = local_llm.parse_model_spec(model)
    raise ConfigurationError(
        f"LocalLLM.pull: llmspell does not download models ({model!r})",
        hint=f"run: ollama pull {name}"
        if backend in (None, "ollama")
        else "download the model with the server's own tool",
    )
