"""Kernel specs: the ``kernel.json`` that tells Jupyter how to start an llmspell kernel,
installed with jupyter_client's ``KernelSpecManager`` (``llmspell kernel install``), and
the ones installed (``llmspell kernel list``)."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["MODULE", "install", "installed", "kernel_json"]

#: the module a kernel spec's argv runs
MODULE = "llmspell_cli.kernel"
_NAME = re.compile(r"^[a-z0-9._-]+$", re.IGNORECASE)
_DISPLAY = {"lua": "llmspell (Lua)", "js": "llmspell (JavaScript)"}


def kernel_json(
    engine: str,
    *,
    display_name: str | None = None,
    config: Path | None = None,
    timeout: float | None = None,
    allow_net: bool = False,
) -> dict[str, Any]:
    """The kernel spec of an ``engine`` kernel run by this Python (``sys.executable``)."""
    from llmspell_cli.kernel.protocol import language_info

    language = language_info(engine)["name"]
    argv = [sys.executable, "-m", MODULE, "-f", "{connection_file}", "--engine", engine]
    if config is not None:
        argv += ["--config", str(config)]
    if timeout is not None:
        argv += ["--timeout", repr(timeout)]
    if allow_net:
        argv.append("--allow-net")
    return {
        "argv": argv,
        "display_name": display_name or _DISPLAY[engine],
        "language": language,
        "interrupt_mode": "signal",
        "env": {},
        "metadata": {"debugger": False},
    }


def install(
    engine: str,
    *,
    name: str | None = None,
    user: bool = False,
    prefix: str | None = None,
    display_name: str | None = None,
    config: Path | None = None,
    timeout: float | None = None,
    allow_net: bool = False,
) -> tuple[str, Path]:
    """Install the kernel spec (``name`` defaults to ``llmspell-ENGINE``, replacing one of
    that name); returns the name and the directory it went to."""
    from llmspell.errors import ConfigurationError, NotFoundError, ValidationError
    from llmspell.extras import require

    require("jupyter_client", dist="llmspell-cli", extra="kernel", what="llmspell kernel")
    require("ipykernel", dist="llmspell-cli", extra="kernel", what="llmspell kernel")
    from jupyter_client.kernelspec import KernelSpecManager

    name = name or f"llmspell-{engine}"
    if not _NAME.match(name):
        raise ValidationError(
            f"invalid kernel name {name!r}",
            hint="use letters, digits, '.', '_' and '-' only",
        )
    if user and prefix:
        raise ValidationError("--user and --prefix exclude each other", hint="give one")
    if config is not None:
        config = config.expanduser().resolve()
        if not config.is_file():
            raise NotFoundError(f"no config file {str(config)!r}", hint="give an existing file")
    spec = kernel_json(
        engine, display_name=display_name, config=config, timeout=timeout, allow_net=allow_net
    )
    with tempfile.TemporaryDirectory(prefix="llmspell-kernel-") as tmp:
        (Path(tmp) / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n", "utf-8")
        try:
            dest = KernelSpecManager().install_kernel_spec(
                tmp, kernel_name=name, user=user, prefix=prefix
            )
        except PermissionError as exc:
            raise ConfigurationError(
                f"cannot write the kernel spec: {exc}",
                hint="install it for yourself with --user, or into an environment with "
                "--sys-prefix or --prefix DIR",
            ) from None
    return name, Path(dest)


def installed() -> list[dict[str, Any]]:
    """The llmspell kernel specs Jupyter can see: name, language, engine, directory."""
    from llmspell.extras import require

    require("jupyter_client", dist="llmspell-cli", extra="kernel", what="llmspell kernel")
    from jupyter_client.kernelspec import KernelSpecManager

    found = []
    for name, entry in sorted(KernelSpecManager().get_all_specs().items()):
        spec = entry.get("spec", {})
        argv = spec.get("argv", [])
        if MODULE not in argv:
            continue
        engine = argv[argv.index("--engine") + 1] if "--engine" in argv[:-1] else "lua"
        found.append({
            "name": name,
            "display_name": spec.get("display_name", name),
            "language": spec.get("language", ""),
            "engine": engine,
            "resource_dir": entry.get("resource_dir", ""),
            "python": argv[0] if argv else "",
        })  # fmt: skip
    return found
