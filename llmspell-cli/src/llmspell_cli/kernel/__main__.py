"""``python -m llmspell_cli.kernel -f CONNECTION_FILE [--engine lua|js] [--config F]
[--timeout S] [--allow-net]``: start the kernel (what a kernel spec's argv runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Parse llmspell's options, leave the rest (``-f FILE``) to IPKernelApp, start."""
    from llmspell.errors import LLMSpellError
    from llmspell.extras import require

    parser = argparse.ArgumentParser(
        prog="python -m llmspell_cli.kernel",
        description="A Jupyter kernel for llmspell (started by Jupyter from a kernel spec).",
    )
    parser.add_argument("--engine", choices=["lua", "js"], default="lua")
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--allow-net", action="store_true")
    opts, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    try:
        require("ipykernel", dist="llmspell-cli", extra="kernel", what="llmspell kernel")
    except LLMSpellError as exc:
        print(f"llmspell: {exc.kind}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from ipykernel.kernelapp import IPKernelApp

    from llmspell_cli.kernel.kernel import KernelOptions, kernel_class

    options = KernelOptions(
        engine=opts.engine, config=opts.config, timeout=opts.timeout, allow_net=opts.allow_net
    )
    # before IPKernelApp takes over stderr: a bad configuration is reported where
    # Jupyter logs the kernel's output, not into a notebook that never connects
    runtime = options.build_runtime()
    IPKernelApp.launch_instance(argv=rest, kernel_class=kernel_class(options, runtime))


if __name__ == "__main__":
    main()
