"""Observability: OpenTelemetry traces and metrics, and the local run log.

Both are fed by the runtime's event bus (``run.*``, ``workflow.*``, ``agent.*``,
``tool.*``, ``provider.retry``; docs/hooks-and-events.md), never by code inside agents or
tools. :func:`attach` is called by the first run of a runtime (and by ``llmspell run
--trace FILE``); it adds one bus listener when the run log or tracing is on, and nothing
otherwise. Nothing of OpenTelemetry is imported unless tracing is on. See
docs/observability.md.
"""

from __future__ import annotations

from llmspell.observability.attach import attach, logs_switched_off, set_logs_switch
from llmspell.observability.propagation import trace_headers

__all__ = ["attach", "logs_switched_off", "set_logs_switch", "trace_headers"]
