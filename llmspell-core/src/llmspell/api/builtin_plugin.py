"""The core's own plugin: registers the built-in globals through ``register_globals``
and the built-in backends (:mod:`llmspell.builtin_backends`)."""

from __future__ import annotations

from collections.abc import Callable

from llmspell.api import (
    agent_api,
    args_api,
    artifact_api,
    config_api,
    context_api,
    debug_api,
    event_api,
    hook_api,
    json_api,
    localllm_api,
    memory_api,
    rag_api,
    replay_api,
    session_api,
    state_api,
    tool_api,
    workflow_api,
)
from llmspell.builtin_backends import register_state_backends, register_vector_stores
from llmspell.hookspecs import hookimpl

__all__ = ["register_globals", "register_state_backends", "register_vector_stores"]


@hookimpl
def register_globals(register: Callable[..., None]) -> None:
    """Register JSON, Debug, ARGS, Config, State, Tool, Agent, Provider, Workflow, Hook,
    Event, LocalLLM, RAG, Memory, Context, Session, Artifact and Replay."""
    for spec in (
        json_api.JSON,
        debug_api.DEBUG,
        args_api.ARGS,
        config_api.CONFIG,
        state_api.STATE,
        tool_api.TOOL,
        agent_api.AGENT,
        agent_api.PROVIDER,
        workflow_api.WORKFLOW,
        hook_api.HOOK,
        event_api.EVENT,
        localllm_api.LOCALLLM,
        rag_api.RAG,
        memory_api.MEMORY,
        context_api.CONTEXT,
        session_api.SESSION,
        artifact_api.ARTIFACT,
        replay_api.REPLAY,
    ):
        register(spec)
