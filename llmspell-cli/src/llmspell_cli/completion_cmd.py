"""``llmspell completion bash|zsh|fish``: print the shell completion script.

The script calls ``llmspell`` back with ``_LLMSPELL_COMPLETE=complete_<shell>`` (typer's
protocol: bash passes ``COMP_WORDS``/``COMP_CWORD``, zsh and fish ``_TYPER_COMPLETE_ARGS``)
and offers what it prints. :func:`register` prepares typer's completion classes only in
such a call, so an ordinary start pays nothing for completion.
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated

import typer

#: the variable the completion scripts set when they ask for completions
COMPLETE_VAR = "_LLMSPELL_COMPLETE"
PROG_NAME = "llmspell"


class Shell(StrEnum):
    """The shells a completion script is printed for."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion_script(shell: Shell) -> str:
    """The completion script of ``shell`` for ``llmspell``."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell.value)


def completion(
    shell: Annotated[
        Shell, typer.Argument(help="bash, zsh or fish.", metavar="SHELL", show_default=False)
    ],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    \b
    Install it with one line (then open a new shell):
      bash:  echo 'eval "$(llmspell completion bash)"' >> ~/.bashrc
      zsh:   echo 'eval "$(llmspell completion zsh)"' >> ~/.zshrc
      fish:  llmspell completion fish > ~/.config/fish/completions/llmspell.fish
    """
    print(completion_script(shell))


def register(app: typer.Typer) -> None:
    """Add ``completion`` to ``app``; when a shell is asking for completions (the
    variable is set) make typer answer in the protocol of the scripts printed."""
    app.command("completion")(completion)
    if os.environ.get(COMPLETE_VAR):
        from typer._completion_classes import completion_init

        completion_init()
