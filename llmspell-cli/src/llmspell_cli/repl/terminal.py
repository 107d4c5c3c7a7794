"""The terminal front end of ``llmspell repl`` (prompt_toolkit, imported only here).

Enter runs the buffer when it is a complete entry (:mod:`.complete`) and otherwise opens
a new line; Tab completes from :mod:`.completion`; the history lives in
``$LLMSPELL_HOME/repl_history`` (Up/Down, Ctrl-R to search it). While an entry runs the
terminal is in its ordinary mode, so Ctrl-C is a signal: the watchdog stops the entry
(``llmspell.watchdog``) and the prompt comes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llmspell_cli.repl.complete import is_complete
from llmspell_cli.repl.completion import complete

if TYPE_CHECKING:
    from llmspell_cli.repl.state import ReplState

__all__ = ["history_path", "run_terminal"]


def history_path() -> Any:
    """Where the REPL keeps its history (both languages share it)."""
    from llmspell.config import llmspell_home

    home = llmspell_home()
    home.mkdir(parents=True, exist_ok=True)
    return home / "repl_history"


async def run_terminal(state: ReplState, banner: str) -> None:
    """Read, run and echo entries until ``.exit`` or Ctrl-D."""
    from llmspell.extras import require
    from llmspell.watchdog import watchdog

    require("prompt_toolkit", dist="llmspell-cli", extra="repl", what="llmspell repl")
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import CompleteEvent, Completer, Completion
    from prompt_toolkit.document import Document
    from prompt_toolkit.filters import is_searching
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.key_binding.key_processor import KeyPressEvent

    class SpellCompleter(Completer):
        """Candidates from the op table, tools, agents and config keys."""

        def get_completions(
            self, document: Document, complete_event: CompleteEvent
        ) -> Iterable[Completion]:
            before = document.text_before_cursor
            for cand in complete(state.runtime, state.engine, before):
                yield Completion(cand.text, start_position=cand.start)

    keys = KeyBindings()

    @keys.add("enter", filter=~is_searching)
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        text = buffer.text
        # inside a multi-line entry Enter opens a line; on one line it runs the entry
        at_end = "\n" not in text or not buffer.document.text_after_cursor.strip()
        command = text.strip().startswith(".") and "\n" not in text.strip()
        if at_end and (command or is_complete(state.engine, text)):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    @keys.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    session: PromptSession[str] = PromptSession(
        history=FileHistory(str(history_path())),
        completer=SpellCompleter(),
        complete_while_typing=False,
        key_bindings=keys,
        multiline=True,
        enable_history_search=False,
    )
    state.stdout.write(banner + "\n")
    state.stdout.flush()
    while True:
        try:
            text = await session.prompt_async(
                f"{state.engine}> ",
                prompt_continuation=lambda width, line, soft: "." * (width - 1) + " ",
                handle_sigint=False,
            )
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt: drop the line
        except EOFError:
            break  # Ctrl-D
        finally:
            # the prompt's event loop took the signal wakeup for its own (SIGWINCH)
            watchdog.install_sigint()
        outcome = await state.submit(text)
        if outcome.exit:
            break
