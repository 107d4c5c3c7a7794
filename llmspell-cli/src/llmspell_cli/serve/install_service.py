"""``llmspell serve install-service``: a systemd unit (Linux) or a launchd plist (macOS)
that runs ``llmspell serve`` with this installation, configuration and home. The API
token never goes in the unit: it is read from an environment file only its owner reads."""

from __future__ import annotations

import math
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from llmspell_cli.common import ConfigOpt

__all__ = ["ServicePlan", "launchd_plist", "register", "systemd_unit"]

_SAFE = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


@dataclass
class ServicePlan:
    """What the unit runs and with which paths (all absolute)."""

    name: str
    command: list[str]  # the llmspell executable (or python -m ...) and its arguments
    home: Path
    workdir: Path
    env_file: Path
    tokens_env: str
    user_mode: bool
    run_as: str | None
    stop_timeout: int  # seconds: the drain grace period plus a margin
    writable: list[Path]  # besides the home: [security] allowed_paths


def _sd_quote(arg: str) -> str:
    """One word of a systemd command line or list setting (specifiers and variables
    escaped, quoted when needed)."""
    escaped = arg.replace("%", "%%")
    if _SAFE.match(arg):
        return escaped
    escaped = escaped.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$")
    return f'"{escaped}"'


def systemd_unit(plan: ServicePlan) -> str:
    """The text of a systemd service unit for ``plan``."""
    lines = [
        "# Written by `llmspell serve install-service`; see docs/serve.md#running-under-systemd",
        "[Unit]",
        "Description=llmspell service (llmspell serve)",
    ]
    if not plan.user_mode:
        lines += ["Wants=network-online.target", "After=network-online.target"]
    lines += [
        "",
        "[Service]",
        "Type=exec",
        "ExecStart=" + " ".join(_sd_quote(a) for a in plan.command),
        f"WorkingDirectory={str(plan.workdir).replace('%', '%%')}",
        "Environment=" + _sd_quote(f"LLMSPELL_HOME={plan.home}"),
        "Environment=PYTHONUNBUFFERED=1",
        f"# {plan.tokens_env}=... lives here (mode 600), never in this file",
        f"EnvironmentFile={str(plan.env_file).replace('%', '%%')}",
        "Restart=on-failure",
        "RestartSec=5",
        "KillSignal=SIGTERM",
        "KillMode=mixed",
        f"TimeoutStopSec={plan.stop_timeout}",
        "UMask=0077",
        "NoNewPrivileges=yes",
        "LockPersonality=yes",
        "RestrictRealtime=yes",
        "RestrictSUIDSGID=yes",
        "SystemCallArchitectures=native",
    ]
    if not plan.user_mode:
        if plan.run_as:
            lines.append(f"User={plan.run_as}")
        rw = [str(plan.home)] + [f"-{p}" for p in plan.writable]
        lines += [
            "PrivateTmp=yes",
            "PrivateDevices=yes",
            "ProtectSystem=strict",
            "ProtectHome=read-only",
            "ReadWritePaths=" + " ".join(_sd_quote(p) for p in rw),
            "ProtectKernelTunables=yes",
            "ProtectKernelModules=yes",
            "ProtectKernelLogs=yes",
            "ProtectControlGroups=yes",
            "ProtectClock=yes",
            "ProtectHostname=yes",
            "RestrictNamespaces=yes",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "CapabilityBoundingSet=",
            "AmbientCapabilities=",
        ]
    lines += [
        "",
        "[Install]",
        f"WantedBy={'default.target' if plan.user_mode else 'multi-user.target'}",
        "",
    ]
    return "\n".join(lines)


def launchd_plist(plan: ServicePlan) -> bytes:
    """A launchd property list for ``plan`` (a LaunchAgent, or a LaunchDaemon)."""
    import plistlib

    # launchd has no environment files: a shell reads it, then becomes llmspell
    script = (
        f"set -a; . {shlex.quote(str(plan.env_file))}; set +a; exec "
        + " ".join(shlex.quote(a) for a in plan.command)
    )
    logs = plan.home / "logs"
    doc: dict[str, Any] = {
        "Label": plan.name,
        "ProgramArguments": ["/bin/sh", "-c", script],
        "EnvironmentVariables": {"LLMSPELL_HOME": str(plan.home), "PYTHONUNBUFFERED": "1"},
        "WorkingDirectory": str(plan.workdir),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},  # restart when it fails, like on-failure
        "ThrottleInterval": 5,
        "ExitTimeOut": plan.stop_timeout,
        "Umask": 0o077,
        "ProcessType": "Background",
        "StandardOutPath": str(logs / "serve.out.log"),
        "StandardErrorPath": str(logs / "serve.err.log"),
    }
    if not plan.user_mode and plan.run_as:
        doc["UserName"] = plan.run_as
    return plistlib.dumps(doc)


def _executable() -> list[str]:
    """The absolute command that runs this installation's llmspell."""
    beside = Path(sys.executable).absolute().parent / "llmspell"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    return [str(Path(sys.executable).absolute()), "-m", "llmspell_cli.main"]


def _fail(message: str, hint: str | None = None, code: int = 2) -> None:
    print(f"llmspell: {message}" + (f"\n  hint: {hint}" if hint else ""), file=sys.stderr)
    raise SystemExit(code)


def _plan(config: Path | None, user: bool, name: str, env_file: Path | None,
          run_as: str | None) -> ServicePlan:  # fmt: skip
    from llmspell.config import discover_config_file, llmspell_home, load_settings
    from llmspell.errors import LLMSpellError

    try:
        found = discover_config_file(config)
        settings = load_settings(config)
    except LLMSpellError as exc:
        _fail(f"{exc.kind}: {exc}", getattr(exc, "hint", None))
        raise AssertionError from None  # unreachable: _fail exits
    workdir = Path.cwd().resolve()
    command = [*_executable(), "serve"]
    if found is not None:
        command += ["--config", str(found.expanduser().resolve())]
    home = llmspell_home().expanduser().resolve()
    if env_file is None:
        base = (
            Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "llmspell"
            if user
            else Path("/etc/llmspell")
        )
        env_file = base / "serve.env"
    if run_as is None and not user:
        run_as = os.environ.get("SUDO_USER") if os.geteuid() == 0 else None
        if run_as is None:
            import pwd

            run_as = pwd.getpwuid(os.geteuid()).pw_name
    import tempfile

    tmp = Path(tempfile.gettempdir()).resolve()  # the unit's own /tmp (PrivateTmp)
    writable = []
    for entry in settings.security.allowed_paths:
        p = (workdir / Path(entry).expanduser()).resolve()
        if p not in (home, tmp) and p not in writable:
            writable.append(p)
    if not user:
        hidden = [str(p) for p in (workdir, home, found) if p and p.resolve().is_relative_to(tmp)]
        if hidden:
            where = ", ".join(hidden)
            print(
                f"llmspell: warning: {where} under {tmp}: the system service has a private "
                "/tmp (PrivateTmp) and will not see it",
                file=sys.stderr,
            )
    drain = float(getattr(settings.serve, "drain_seconds", 30.0))
    return ServicePlan(
        name=name,
        command=command,
        home=home,
        workdir=workdir,
        env_file=env_file.expanduser().absolute(),
        tokens_env=settings.serve.tokens_env,
        user_mode=user,
        run_as=run_as,
        stop_timeout=math.ceil(drain) + 15,
        writable=writable,
    )


def _default_output(kind: str, plan: ServicePlan) -> Path:
    if kind == "launchd":
        folder = (
            Path.home() / "Library/LaunchAgents" if plan.user_mode
            else Path("/Library/LaunchDaemons")
        )  # fmt: skip
        return folder / f"{plan.name}.plist"
    if plan.user_mode:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        return base / "systemd" / "user" / f"{plan.name}.service"
    return Path("/etc/systemd/system") / f"{plan.name}.service"


def _next_steps(kind: str, plan: ServicePlan, out: Path) -> str:
    env = shlex.quote(str(plan.env_file))
    token = "$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
    steps = [
        f"llmspell: wrote {out}",
        "next steps:",
        f"  1. the API token, readable only by the service's user:\n"
        f"     mkdir -p {shlex.quote(str(plan.env_file.parent))} && (umask 077; "
        f'echo "{plan.tokens_env}={token}" > {env})',
    ]
    if kind == "launchd":
        domain = "gui/$(id -u)" if plan.user_mode else "system"
        steps.append(f"  2. launchctl bootstrap {domain} {shlex.quote(str(out))}")
    else:
        ctl = "systemctl --user" if plan.user_mode else "systemctl"
        unit = shlex.quote(out.stem)
        steps.append(f"  2. {ctl} daemon-reload && {ctl} enable --now {unit}")
        steps.append(f"  3. {ctl} status {unit}; journalctl {'--user ' if plan.user_mode else ''}"
                     f"-u {unit} -f")  # fmt: skip
        if plan.user_mode:
            steps.append("  (to keep it running while you are logged out: "
                         "loginctl enable-linger $USER)")  # fmt: skip
    return "\n".join(steps)


def register(group: typer.Typer) -> None:
    """Add ``install-service`` to the ``serve`` group."""

    @group.command("install-service")
    def install_service(
        config: ConfigOpt = None,
        user: Annotated[
            bool, typer.Option("--user", help="a per-user service (systemctl --user, LaunchAgent)")
        ] = False,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="write here (default: systemd's/launchd's folder)"),
        ] = None,
        print_only: Annotated[
            bool, typer.Option("--print", help="print the unit, write nothing")
        ] = False,
        fmt: Annotated[
            str | None,
            typer.Option("--format", help="systemd or launchd (default: this system's)"),
        ] = None,
        name: Annotated[str, typer.Option("--name", help="the unit's name")] = "llmspell",
        env_file: Annotated[
            Path | None,
            typer.Option("--env-file", help="where the token lives (default: ~/.config/llmspell"
                         "/serve.env with --user, else /etc/llmspell/serve.env)"),
        ] = None,
        run_as: Annotated[
            str | None, typer.Option("--run-as", help="the system service's user (default: you)")
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="replace an existing file")] = False,
    ) -> None:
        """Write a systemd unit (a launchd plist on macOS) that runs `llmspell serve`."""
        kind = fmt or ("launchd" if sys.platform == "darwin" else "systemd")
        if kind not in ("systemd", "launchd"):
            _fail(f"ValidationError: unknown --format {kind!r}", "use systemd or launchd")
        if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,100}", name):
            _fail(f"ValidationError: bad --name {name!r}",
                  "letters, digits and _ . @ - only, e.g. llmspell or llmspell-prod")  # fmt: skip
        plan = _plan(config, user, name, env_file, run_as)
        paths = [str(p) for p in (plan.home, plan.workdir, plan.env_file, *plan.command)]
        if any(c in p for p in paths for c in "\n\r\x00"):
            _fail("ValidationError: a path contains a line break or NUL byte",
                  "use paths without control characters")  # fmt: skip
        data = (
            launchd_plist(plan) if kind == "launchd" else systemd_unit(plan).encode("utf-8")
        )
        if print_only:
            sys.stdout.write(data.decode("utf-8"))
            return
        out = (output or _default_output(kind, plan)).expanduser().absolute()
        if out.is_dir():
            _fail(f"ValidationError: --output {out} is a directory", "name the file to write")
        if out.exists() and out.read_bytes() != data and not force:
            _fail(f"StateError: {out} exists (and differs)",
                  "pass --force to replace it, or --print to see the new unit")  # fmt: skip
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            out.chmod(0o644)  # no secret in it; systemd and launchd read it
        except OSError as exc:
            hint = "run it with sudo, or pass --user" if not user else None
            _fail(f"PermissionError: cannot write {out}: {exc.strerror}", hint, code=1)
        print(_next_steps(kind, plan, out), file=sys.stderr)
