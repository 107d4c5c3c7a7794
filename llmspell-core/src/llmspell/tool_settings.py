"""``[tools.NAME]`` tables of llmspell.toml checked against the installed tools.

A table must name an installed tool (a typo gets the closest name), and when the tool
declares its settings (:attr:`llmspell.tools.Tool.settings`) every key must be one of
them, with a value of the declared type. A tool that declares no settings (``None``, as
plugin tools written before settings were declared) accepts any key. ``llmspell config
validate`` lists every problem; a run stops at the first, before the spell starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmspell.errors import ConfigurationError

if TYPE_CHECKING:
    from llmspell.config import Settings
    from llmspell.registry import ToolRegistry

__all__ = ["ToolTableProblem", "check_tool_tables", "tool_table_problems"]


@dataclass(frozen=True)
class ToolTableProblem:
    """One thing wrong with a ``[tools.NAME]`` table: where, what, and how to fix it."""

    table: str
    key: str | None
    problem: str
    fix: str

    def where(self) -> str:
        """``[tools.NAME]`` or ``[tools.NAME] key``."""
        return f"[tools.{self.table}]" + (f" {self.key}" if self.key else "")

    def message(self, origin: str) -> str:
        """The whole message: the file, the table (and key), the problem and the fix."""
        return f"invalid configuration in {origin}: {self.where()}: {self.problem} ({self.fix})"


def _closest(word: str, choices: list[str]) -> str | None:
    import difflib  # only for a did-you-mean

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def _unknown_tool(name: str, known: list[str]) -> ToolTableProblem:
    guess = _closest(name, known)
    if guess is not None:
        return ToolTableProblem(
            name,
            None,
            f"no tool named {name!r} is installed (did you mean {guess!r}?)",
            f"rename the table to [tools.{guess}], or remove it",
        )
    return ToolTableProblem(
        name,
        None,
        f"no tool named {name!r} is installed",
        "remove the table, or install the plugin that provides the tool "
        "(llmspell tool list shows the installed tools)",
    )


def _unknown_key(tool: str, key: str, valid: list[str]) -> ToolTableProblem:
    if not valid:
        return ToolTableProblem(
            tool, key, f"unknown key: {tool} has no settings", f"remove the [tools.{tool}] table"
        )
    guess = _closest(key, valid)
    tip = f"did you mean {guess!r}? " if guess else ""
    return ToolTableProblem(
        tool,
        key,
        f"unknown key ({tip}valid keys: {', '.join(valid)})",
        f"use one of the valid keys, or remove it; llmspell tool info {tool} describes them",
    )


def tool_table_problems(settings: Settings, tools: ToolRegistry) -> list[ToolTableProblem]:
    """Every problem of the ``[tools.*]`` tables of ``settings``, in file order.

    Only the tools that have a table are loaded (an import each)."""
    from llmspell.schema import first_error

    problems: list[ToolTableProblem] = []
    known: list[str] | None = None
    for name, table in settings.tools.items():
        tool = tools.find(name)
        if tool is None:
            if known is None:
                known = sorted(t.name for t in tools.all())
            problems.append(_unknown_tool(name, known))
            continue
        declared = tool.settings
        if declared is None:
            continue  # the tool does not say: any key is accepted
        for key, value in table.items():
            schema = declared.get(key)
            if schema is None:
                problems.append(_unknown_key(name, str(key), list(declared)))
                continue
            error = first_error(schema, value)
            if error is not None:
                problems.append(
                    ToolTableProblem(
                        name,
                        key,
                        error[1],
                        f"fix the value; llmspell tool info {name} describes the settings",
                    )
                )
    return problems


def check_tool_tables(settings: Settings, tools: ToolRegistry) -> None:
    """Raise ConfigurationError for the first problem of the ``[tools.*]`` tables."""
    problems = tool_table_problems(settings, tools)
    if problems:
        origin = settings.source or "the settings"
        more = len(problems) - 1
        extra = f" ({more} more: llmspell config validate lists them)" if more else ""
        raise ConfigurationError(problems[0].message(origin) + extra)
