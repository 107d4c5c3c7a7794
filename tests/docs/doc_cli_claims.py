"""The ``llmspell`` command lines a page shows, walked through the real command tree
(for the docs-claims test, ``test_doc_claims.py``)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import Any

from doc_pages import Page, Problem
from doc_truth import all_options, cli_root, options, tool_names


def defined_commands(pg: Page) -> set[str]:
    """CLI commands the page's plugin examples add (``@app.command("name")``)."""
    names: set[str] = set()
    for b in pg.blocks:
        if b.lang == "python":
            names |= set(re.findall(r"""\.command\(\s*["']([\w-]+)["']""", b.code))
    return names


def _strip(token: str) -> str:
    return token.strip("[](),.;'\"")


def _is_placeholder(token: str) -> bool:
    return (
        not token
        or token.isupper()
        or token.startswith("<")
        or "..." in token
        or token in ("OPTIONS",)
        or bool(re.fullmatch(r"[A-Z][A-Z_-]*\.*", token))
    )


def _takes_value(cmd: Any, flag: str) -> bool:
    """Whether ``flag`` is an option of ``cmd`` followed by a value (not a switch)."""
    for p in cmd.params:
        if getattr(p, "param_type_name", "") == "option" and flag in p.opts:
            return not (p.is_flag or p.count)
    return False


def check_command(tokens: list[str], extra_commands: set[str]) -> str | None:
    """Why ``llmspell <tokens>`` is not a command line of the real CLI, or None."""
    cmd: Any = cli_root()
    path = ["llmspell"]
    positional: list[str] = []
    skip_value = False
    for raw in tokens:
        if raw == "--":
            break  # the spell's own arguments
        if skip_value:  # the value of an option of a command group ("serve --port 8750")
            skip_value = False
            continue
        token = _strip(raw) if raw.startswith(("[", "(")) or raw.endswith(("]", ")", ",")) else raw
        if not token:
            continue
        if token.startswith("-") and token != "-":
            flag = token.split("=", 1)[0]
            if re.fullmatch(r"-[A-Za-z]|--[a-z][\w-]*", flag) and flag not in options(cmd):
                return f"{' '.join(path)} has no option {flag}"
            skip_value = "=" not in token and _takes_value(cmd, flag)
            continue
        sub = getattr(cmd, "commands", None)
        if sub is not None and not positional:
            if len(path) == 1 and not re.fullmatch(r"[a-z][\w-]*", token):
                return None  # not a command line ("llmspell 0.1.0", the output of version)
            if "|" in token:  # alternatives: "state list|get|delete|clear"
                wrong = [t for t in token.split("|") if t not in sub]
                return f"{' '.join(path)} has no command {wrong[0]!r}" if wrong else None
            if token in sub:
                cmd = sub[token]
                path.append(token)
                continue
            if _is_placeholder(token) or (len(path) == 1 and token in extra_commands):
                return None
            return f"{' '.join(path)} has no command {token!r}"
        positional.append(token)
    if path[1:2] == ["tool"] and path[2:3] in (["info"], ["invoke"]) and positional:
        name = positional[0]
        if not _is_placeholder(name) and name not in tool_names():
            return f"no such tool {name!r}"
    return None


_SEPARATORS = {"|", "||", "&&", ";", "$", "#"}


def command_lines(text: str) -> Iterator[list[str]]:
    """The argument lists of every ``llmspell`` invocation on a line of shell or text."""
    line = text.strip()
    if line.startswith("$ "):
        line = line[2:]
    line = re.split(r"\s{3,}", line)[0]  # a column of explanation after the command
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError:
        return
    for i, tok in enumerate(tokens):
        if tok != "llmspell":
            continue
        before = tokens[:i]
        wrapper = not before or before[-1] in _SEPARATORS | {"--all-packages", "exec"}
        env_only = all(re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", t) for t in before)
        if wrapper or env_only:
            rest = tokens[i + 1 :]
            end = next((k for k, t in enumerate(rest) if t in _SEPARATORS | {">", "2>"}), len(rest))
            yield rest[:end]


def cli_claims(pg: Page) -> list[Problem]:
    """``llmspell`` command lines of the page that the real CLI does not have."""
    extra = defined_commands(pg)
    problems: list[Problem] = []

    def check(line: int, text: str) -> None:
        for args in command_lines(text):
            why = check_command(args, extra)
            if why:
                problems.append(
                    Problem(pg.name, line, "command", " ".join(["llmspell", *args]), why)
                )

    for b in pg.blocks:
        if b.lang not in ("sh", "bash", "shell", "console", "text", ""):
            continue
        lines = b.code.splitlines()
        prompts = any(x.lstrip().startswith("$ ") for x in lines)
        for n, text in enumerate(lines):
            if prompts and not text.lstrip().startswith("$ "):
                continue  # output of the commands above
            check(b.line + n, text)
    for line, code in pg.inline_code():
        if code.startswith("llmspell ") or " llmspell " in code:
            check(line, code)
    return problems + section_flag_claims(pg)


_COMMAND_HEADING = re.compile(r"^##\s+`llmspell ([\w -]+)`")
_FLAG = re.compile(r"^(-[A-Za-z]|--[a-z][\w-]*)\b")


def section_flag_claims(pg: Page) -> list[Problem]:
    """In a section headed ``## `llmspell CMD` `` (the CLI reference), an option a table
    row names in its first cell (`` | `--timeout SECONDS` | ``) must be one of CMD's (or
    its subcommands', or the root's)."""
    problems: list[Problem] = []
    cmd: Any = None
    inline = dict(_group_inline(pg))
    for line, text in pg.prose:
        if text.startswith("## "):
            cmd = None
            m = _COMMAND_HEADING.match(text)
            if m:
                cmd = cli_root()
                for part in m.group(1).split():
                    cmd = getattr(cmd, "commands", {}).get(part)
                    if cmd is None:
                        problems.append(
                            Problem(pg.name, line, "command", m.group(1), "no such command")
                        )
                        break
            continue
        if cmd is None or not text.startswith("|"):
            continue
        first_cell = text.split("|")[1]
        for code in inline.get(line, []):
            f = _FLAG.match(code)
            if f is None or f"`{code}`" not in first_cell:
                continue
            if f.group(1) not in all_options(cmd) | options(cli_root()):
                problems.append(
                    Problem(
                        pg.name,
                        line,
                        "option",
                        f.group(1),
                        f"llmspell {cmd.name} has no such option",
                    )
                )
    return problems


def _group_inline(pg: Page) -> Iterator[tuple[int, list[str]]]:
    by_line: dict[int, list[str]] = {}
    for line, code in pg.inline_code():
        by_line.setdefault(line, []).append(code)
    yield from by_line.items()
