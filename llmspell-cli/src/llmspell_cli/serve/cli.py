"""``llmspell serve`` (the HTTP API and a worker) and ``llmspell worker`` (a worker only:
it takes runs from the shared queue). Heavy imports happen inside the commands."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Annotated, Any, NoReturn

import typer

from llmspell_cli.common import ConfigOpt

__all__ = ["register"]


def _load(config: Any, overrides: dict[tuple[str, ...], Any]) -> Any:
    from llmspell.config import load_settings
    from llmspell.errors import LLMSpellError

    try:
        return load_settings(config, overrides=overrides)
    except LLMSpellError as exc:
        print(f"llmspell: {exc.kind}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _service(settings: Any, config: Any, prog: str) -> tuple[Any, Any]:
    """The started service and its database watchdog; exits 2 when its PostgreSQL
    cannot be reached (one line and a hint)."""
    from llmspell.config import llmspell_home
    from llmspell.extras import require

    require("dbos", dist="llmspell-cli", extra="serve", what="llmspell serve")
    from llmspell_cli.serve import outage
    from llmspell_cli.serve.execution import Service
    from llmspell_cli.serve.http_errors import ApiError
    from llmspell_cli.serve.schedules import config_entries

    try:
        config_entries(settings)
    except ApiError as exc:
        hint = f"\n  hint: {exc.hint}" if exc.hint else ""
        print(f"llmspell: ConfigurationError: {exc.message}{hint}", file=sys.stderr)
        raise SystemExit(2) from None
    url = settings.storage.url if outage.is_postgres(settings.storage.url) else None
    try:
        if url:
            require("psycopg", dist="llmspell-core", extra="postgres", what="[storage] url")
            outage.probe(url)  # down, unreachable, wrong password: one line, exit 2
    except outage.DatabaseDown as exc:
        _database_down(prog, exc)
    if url:  # a PostgreSQL that does not answer fails a connection in 10 s, not minutes
        os.environ.setdefault("PGCONNECT_TIMEOUT", "10")
    outage.quiet_dbos_logs()
    service = Service(settings, llmspell_home(), str(config) if config else None, prog)
    try:
        service.start()
    except Exception as exc:
        if outage.is_connection_error(exc):  # gone between the probe and here
            _database_down(prog, outage.down_error(url, exc))
        print(
            f"llmspell: ConfigurationError: cannot start the service's database: {exc}",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    watchdog = outage.Watchdog(service, prog, url)
    watchdog.start()
    return service, watchdog


def _database_down(prog: str, exc: Any) -> NoReturn:
    print(f"{prog}: StateError: {exc.message}\n  hint: {exc.hint}", file=sys.stderr)
    raise SystemExit(2) from None


def _stop(service: Any, watchdog: Any, prog: str) -> None:
    """Stop ``service`` (drain and shut down); a database that is down meanwhile is
    reported in a line, not a traceback."""
    from llmspell_cli.serve import outage

    watchdog.stop()
    with contextlib.suppress(Exception):  # the database is down: nothing to record
        watchdog.check()  # a run whose outcome was lost is failed before this host goes
    try:
        service.stop()
    except Exception as exc:
        if not outage.is_connection_error(exc):
            raise
        print(
            f"{prog}: stopped; the database was unreachable at the end "
            f"({outage.reason(exc)}): this host's heartbeat row stays until another "
            "host sees it silent",
            file=sys.stderr,
        )


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``worker`` to ``app``."""

    group = typer.Typer(no_args_is_help=False)
    app.add_typer(group, name="serve")
    from llmspell_cli.serve.install_service import register as register_install_service

    register_install_service(group)

    @group.callback(invoke_without_command=True)
    def serve(
        ctx: typer.Context,
        config: ConfigOpt = None,
        host: Annotated[str | None, typer.Option("--host", help="[serve] host")] = None,
        port: Annotated[
            int | None,
            typer.Option("--port", min=0, max=65535, help="[serve] port (0: a free one)"),
        ] = None,
        workers: Annotated[
            int | None, typer.Option("--workers", min=1, max=256, help="[serve] workers")
        ] = None,
    ) -> None:
        """Serve the HTTP API (docs/serve.md) and run queued spells on this host."""
        if ctx.invoked_subcommand is not None:
            return  # install-service
        settings = _load(
            config,
            {("serve", "host"): host, ("serve", "port"): port, ("serve", "workers"): workers},
        )
        tokens = [
            t.strip() for t in os.environ.get(settings.serve.tokens_env, "").split(",") if t.strip()
        ]
        if not tokens:
            print(
                f"llmspell: ConfigurationError: no API token: set {settings.serve.tokens_env} "
                "(comma-separated tokens)\n  hint: export "
                f"{settings.serve.tokens_env}=$(python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')",
                file=sys.stderr,
            )
            raise SystemExit(2)
        from llmspell.extras import require

        require("fastapi", dist="llmspell-cli", extra="serve", what="llmspell serve")
        from llmspell_cli.mcp_server.run import _check_bindable

        s = settings.serve
        try:
            _check_bindable(s.host, s.port)
        except Exception as exc:
            print(f"llmspell: ConfigurationError: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        service, watchdog = _service(settings, config, "llmspell serve")
        try:
            _run_http(service, tokens)
        finally:
            _stop(service, watchdog, "llmspell serve")

    @app.command("worker")
    def worker(
        config: ConfigOpt = None,
        workers: Annotated[
            int | None, typer.Option("--workers", min=1, max=256, help="[serve] workers")
        ] = None,
    ) -> None:
        """Run queued spells from the shared queue ([storage] url), with no HTTP API."""
        import signal
        import threading

        settings = _load(config, {("serve", "workers"): workers})
        stop = threading.Event()
        services: list[Any] = []

        def on_signal(*_: Any) -> None:
            if stop.is_set() and services:
                services[0].drain_over.set()  # a second signal: stop waiting for runs
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        service, watchdog = _service(settings, config, "llmspell worker")
        services.append(service)
        print(
            f"llmspell worker: {service.executor} taking runs ({settings.serve.workers} at once)",
            file=sys.stderr,
            flush=True,
        )
        try:
            while not stop.wait(0.5):
                pass
        finally:
            _stop(service, watchdog, "llmspell worker")  # drains: [serve] drain_seconds


def _run_http(service: Any, tokens: list[str]) -> None:
    import asyncio
    import threading

    import uvicorn

    from llmspell_cli.serve.api import create_app

    app = create_app(service, tokens)
    s = service.settings.serve

    class Server(uvicorn.Server):
        """uvicorn, but SIGTERM/SIGINT drain the service's runs (the API stays up and
        refuses new runs meanwhile) before the server stops, and the process exits 0;
        a second signal ends the drain at once."""

        draining = False

        def handle_exit(self, sig: int, frame: Any) -> None:
            if self.draining:
                service.drain_over.set()
                return
            self.draining = True
            threading.Thread(target=self._drain, name="llmspell-drain", daemon=True).start()

        def _drain(self) -> None:
            try:
                service.drain(s.drain_seconds)
            finally:
                self.should_exit = True

    config = uvicorn.Config(
        app.state.limited,
        host=s.host,
        port=s.port,
        log_level="warning",
        timeout_graceful_shutdown=3,
        lifespan="off",
    )
    web = Server(config)

    async def main() -> None:
        task = asyncio.ensure_future(web.serve())
        while not web.started:
            if task.done():
                await task
                return
            await asyncio.sleep(0.02)
        bound = web.servers[0].sockets[0].getsockname()[1]
        shown = f"[{s.host}]" if ":" in s.host else s.host
        print(
            f"llmspell serve: http://{shown}:{bound} (executor {service.executor}, "
            f"{s.workers} workers)",
            file=sys.stderr,
            flush=True,
        )
        await task

    asyncio.run(main())
