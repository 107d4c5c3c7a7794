"""Workflows: steps of tools, agents, nested workflows and script functions, run in
sequence, in parallel, on a condition or in a loop (script-api.md#workflow)."""

from llmspell.workflows.model import WorkflowSpec, parse_workflow
from llmspell.workflows.runner import Workflow

__all__ = ["Workflow", "WorkflowSpec", "parse_workflow"]
