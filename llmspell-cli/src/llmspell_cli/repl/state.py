"""What the REPL does with an entry: run it in the interactive session and echo its
values, or carry out a dot command. Shared by the terminal front end, piped input and
the Jupyter kernel."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from llmspell_cli._support import printable

if TYPE_CHECKING:
    from llmspell.interactive import InteractiveSession
    from llmspell.runtime import Runtime

__all__ = ["COMMANDS", "Outcome", "ReplState", "format_value", "saved_spell"]

#: the dot commands and what they do (``.help`` prints this)
COMMANDS = {
    ".help [NAME]": "show this help, or the help of NAME (State, State.save, agent:execute, "
    "a tool)",
    ".save FILE": "write the entries that ran without an error as a spell",
    ".load FILE": "run a spell file in this session (its globals and locals stay)",
    ".engine lua|js": "switch to a fresh session of the other language",
    ".clear": "start a fresh session of this language (globals and locals forgotten)",
    ".exit": "leave (so does Ctrl-D on an empty line)",
}

KEYS = (
    "Enter runs a complete entry (an unfinished one continues on the next line); "
    "Alt-Enter or Esc Enter always starts a new line; Tab completes; Up/Down and Ctrl-R "
    "search the history; Ctrl-C clears the line, or stops the running entry; Ctrl-D exits."
)


@dataclass
class Outcome:
    """What one submission did: ``values`` echoed, ``error`` shown, or ``exit``."""

    values: tuple[Any, ...] = ()
    error: Any = None
    exit: bool = False


def format_value(value: Any, engine: str) -> str:
    """An echoed value as the REPL prints it: text as it is, numbers and booleans in the
    language's spelling, tables/objects/arrays as JSON (as ``llmspell run`` prints a
    spell's result)."""
    if value is None:
        return "nil" if engine == "lua" else "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return printable(str(value))
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=_other)
        return printable(text)
    return _other(value)


def _other(value: Any) -> str:
    from llmspell.ops import ScriptFunction

    return "<function>" if isinstance(value, ScriptFunction) else f"<{type(value).__name__}>"


def saved_spell(engine: str, entries: list[str]) -> str:
    """The spell ``.save`` writes: the entries in order. A Lua entry that is only an
    expression (``6 * 7``, echoed in the REPL) is not a Lua statement; it is kept as
    ``do local _ = <entry> end`` so the file runs (an echo is not output of the spell)."""
    parts: list[str] = []
    for entry in entries:
        text = entry.rstrip("\n")
        if engine == "lua" and not _lua_statement(text):
            text = f"do local _ = {text} end"
        parts.append(text)
    return "\n".join(parts) + "\n" if parts else ""


def _lua_statement(text: str) -> bool:
    from llmspell_cli.repl.complete import _compiler

    return _compiler()(text)[0] is not None


class ReplState:
    """One REPL: the runtime, the current interactive session, and its dot commands."""

    #: the spell name of its sessions in the run log and traces
    label = "<repl>"

    def __init__(
        self,
        runtime: Runtime,
        engine: str,
        *,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        chunk_name: str = "stdin",
        stream_observer: Any = None,
    ) -> None:
        self.runtime = runtime
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.chunk_name = chunk_name
        self.stream_observer = stream_observer
        self.session: InteractiveSession = self._open(engine)

    @property
    def engine(self) -> str:
        """The current engine's name."""
        return self.session.engine_name

    def _open(self, engine: str) -> InteractiveSession:
        session: InteractiveSession = self.runtime.interactive(
            engine=engine, chunk_name=self.chunk_name
        )
        session.session.stream_observer = self.stream_observer
        session.label = self.label
        return session

    async def submit(self, text: str) -> Outcome:
        """Run ``text``: a dot command (a line starting with ``.`` and a letter) or an
        entry. Echoes values on stdout and errors as ``file:line: Kind: message`` on
        stderr; never raises for a spell's error."""
        from llmspell.errors import LLMSpellError

        stripped = text.strip()
        if not stripped:
            return Outcome()
        if stripped.startswith(".") and stripped[1:2].isalpha():
            try:
                return await self.command(stripped)
            except LLMSpellError as exc:
                self._error(exc)
                return Outcome(error=exc)
        return await self.run(text)

    async def run(self, source: str, chunk_name: str | None = None) -> Outcome:
        """Run one entry (named ``chunk_name`` in errors) and echo what it gives."""
        from llmspell.errors import LLMSpellError
        from llmspell.watchdog import watchdog

        watchdog.reset_interrupts()
        try:
            values = await self.session.run(source, chunk_name=chunk_name)
        except LLMSpellError as exc:
            self._error(exc)
            return Outcome(error=exc)
        finally:
            self._end_streams()
        if values:
            line = "\t".join(format_value(v, self.engine) for v in values)
            self._write(self.stdout, line + "\n")
        return Outcome(values=values)

    def _end_streams(self) -> None:
        """An entry stopped during an agent call (Ctrl-C) leaves the call's stream open:
        end it, so its spinner stops before the next prompt."""
        observer = self.stream_observer
        for call_id in list(getattr(observer, "_calls", {})):
            observer.call_finished(call_id)

    def _error(self, exc: Any) -> None:
        self._write(self.stderr, printable(exc.display()) + "\n")

    @staticmethod
    def _write(stream: IO[str], text: str) -> None:
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            pass

    async def command(self, line: str) -> Outcome:
        """Carry out a dot command (see :data:`COMMANDS`)."""
        from llmspell.errors import ValidationError

        name, _, arg = line.partition(" ")
        arg = arg.strip()
        if name in (".exit", ".quit"):
            return Outcome(exit=True)
        if name == ".help" and arg:
            from llmspell_cli.repl.inspect import help_text

            self._write(self.stdout, help_text(self.runtime, self.engine, arg))
            return Outcome()
        if name == ".help":
            width = max(len(k) for k in COMMANDS)
            lines = [f"  {k.ljust(width)}  {v}" for k, v in COMMANDS.items()]
            self._write(self.stdout, "\n".join(["Commands:", *lines, "", KEYS]) + "\n")
            return Outcome()
        if name == ".save":
            return self._save(self._path_arg(name, arg))
        if name == ".load":
            return await self._load(self._path_arg(name, arg))
        if name == ".engine":
            if not arg:
                self._write(self.stdout, f"{self.engine}\n")
                return Outcome()
            self.switch(arg)
            return Outcome()
        if name == ".clear":
            self.switch(self.engine)
            return Outcome()
        raise ValidationError(
            f"unknown command {name!r}",
            hint="the commands are " + ", ".join(k.split()[0] for k in COMMANDS),
        )

    def switch(self, engine: str) -> None:
        """Close the session and open a fresh one of ``engine``."""
        from llmspell.errors import ValidationError

        if engine not in self.runtime.engines.names():
            raise ValidationError(
                f"unknown engine {engine!r}",
                hint="choose one of: " + ", ".join(self.runtime.engines.names()),
            )
        fresh = self._open(engine)
        self.session.close()
        self.session = fresh

    @staticmethod
    def _path_arg(name: str, arg: str) -> Path:
        from llmspell.errors import ValidationError

        if not arg:
            raise ValidationError(f"{name} needs a file name", hint=f"{name} session.lua")
        return Path(arg).expanduser()

    def _save(self, path: Path) -> Outcome:
        from llmspell.errors import ValidationError

        text = saved_spell(self.engine, self.session.entries)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ValidationError(
                f"cannot write {str(path)!r}: {exc.strerror or exc}",
                hint="give a path in a directory you can write",
            ) from None
        count = len(self.session.entries)
        self._write(
            self.stderr, f"saved {count} entr{'y' if count == 1 else 'ies'} to {path}\n"
        )
        return Outcome()

    async def _load(self, path: Path) -> Outcome:
        from llmspell.errors import NotFoundError, ValidationError

        try:
            source = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise NotFoundError(
                f"no file {str(path)!r}", hint="give the path of a spell file"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"cannot read {str(path)!r}: {exc}") from None
        return await self.run(source, chunk_name=path.name)

    def close(self) -> None:
        """Close the session (the runtime is the caller's)."""
        self.session.close()
