"""The ``llmspell`` entry point.

``llmspell run`` and ``llmspell exec`` with ordinary arguments start without building the
command tree (typer and click are about a third of a cold start): :mod:`fast_dispatch`
parses them and runs the spell. Everything else — help, other commands, any argument the
fast path does not understand — goes to the typer app in :mod:`llmspell_cli.app`, which
also produces every usage error. New commands are registered there, not here.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    """Run the CLI."""
    from llmspell_cli.fast_dispatch import dispatch

    if dispatch(sys.argv[1:]):
        return
    from llmspell_cli.app import run_app

    run_app()


def __getattr__(name: str) -> Any:
    # ``from llmspell_cli.main import app`` (older docs and plugins' tests)
    if name == "app":
        from llmspell_cli.app import app

        return app
    raise AttributeError(name)


if __name__ == "__main__":
    main()
