"""Sending a message over SMTP for email-sender (smtplib, run in a worker thread).

The connection goes to an address the network policy checked (the host name is kept
for EHLO/TLS certificate checks). ``starttls`` refuses a server that does not offer
STARTTLS (no silent downgrade); a password is never sent unencrypted except to a
loopback server. Errors are clear failures with the password masked.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from llmspell.errors import SecurityError
from llmspell_tools._support import fail

__all__ = ["SmtpSettings", "send_smtp"]

DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


@dataclass
class SmtpSettings:
    """Where and how to connect (the password is never shown)."""

    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str | None
    password: str | None
    timeout_s: float
    addresses: list[str]  # checked by the network policy

    @property
    def shown(self) -> str:
        return f"{self.host}:{self.port}"

    def scrub(self, text: str) -> str:
        """``text`` without the password."""
        return text.replace(self.password, "***") if self.password else text


def _pinned(base: type[Any], address: str) -> Any:
    """A subclass of ``base`` (SMTP or SMTP_SSL) connecting to ``address``."""

    class Pinned(base):  # type: ignore[misc]
        def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
            sock: socket.socket = super()._get_socket(address, port, timeout)
            return sock

    return Pinned


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _connect(cfg: SmtpSettings, context: ssl.SSLContext) -> Any:
    import smtplib

    errors: list[str] = []
    for address in cfg.addresses:
        if cfg.security == "ssl":
            client = _pinned(smtplib.SMTP_SSL, address)(
                timeout=cfg.timeout_s, context=context, local_hostname=socket.gethostname()
            )
        else:
            client = _pinned(smtplib.SMTP, address)(
                timeout=cfg.timeout_s, local_hostname=socket.gethostname()
            )
        # the name TLS checks the certificate against (smtplib sets it only when the
        # constructor connects; the socket itself goes to the pinned address)
        client._host = cfg.host
        try:
            client.connect(cfg.host, cfg.port)
            return client
        except OSError as exc:
            client.close()
            if isinstance(exc, TimeoutError | ssl.SSLError):
                raise  # reported as a timeout / TLS failure, not as unreachable
            errors.append(f"{address}: {exc.strerror or exc}")
    fail(
        f"cannot connect to the SMTP server {cfg.shown} ({'; '.join(errors)}); check the "
        "host and port (LLMSPELL_SMTP_HOST, LLMSPELL_SMTP_PORT) and that it is running",
        kind="ConnectionError",
    )


def _session(client: Any, cfg: SmtpSettings, context: ssl.SSLContext) -> None:
    """EHLO, STARTTLS and AUTH as configured."""
    client.ehlo()
    if cfg.security == "starttls":
        if not client.has_extn("starttls"):
            fail(
                f"the SMTP server {cfg.shown} does not offer STARTTLS; use security 'ssl' "
                "(port 465) or, for a trusted local relay only, security 'none'",
                kind="ConnectionError",
            )
        client.starttls(context=context)
        client.ehlo()
    if cfg.username:
        if cfg.password is None:
            fail(
                f"SMTP username {cfg.username!r} is set but no password: set "
                "LLMSPELL_SMTP_PASSWORD (or [tools.email-sender] password)",
                kind="ConfigurationError",
            )
        if cfg.security == "none" and not all(_is_loopback(a) for a in cfg.addresses):
            raise SecurityError(
                f"refusing to send the SMTP password unencrypted to {cfg.shown}",
                hint="use security 'starttls' or 'ssl' (plain 'none' logs in only to a "
                "loopback server)",
            )
        if not client.has_extn("auth"):
            fail(
                f"the SMTP server {cfg.shown} does not offer AUTH (login)",
                kind="ConfigurationError",
            )
        client.login(cfg.username, cfg.password)


def send_smtp(
    cfg: SmtpSettings, msg: EmailMessage, sender: str, rcpts: list[str]
) -> dict[str, Any]:
    """Send ``msg`` to ``rcpts``; ``{"accepted": [...], "refused": {addr: reply}}``."""
    import smtplib

    context = ssl.create_default_context()
    try:
        client = _connect(cfg, context)
        try:
            _session(client, cfg, context)
            refused = client.send_message(msg, from_addr=sender, to_addrs=rcpts)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    except smtplib.SMTPAuthenticationError as exc:
        fail(
            cfg.scrub(
                f"SMTP login as {cfg.username!r} at {cfg.shown} was refused: "
                f"{exc.smtp_code} {_reply(exc.smtp_error)}"
            ),
            kind="AuthenticationError",
        )
    except smtplib.SMTPRecipientsRefused as exc:
        detail = "; ".join(f"{a}: {c} {_reply(m)}" for a, (c, m) in exc.recipients.items())
        fail(cfg.scrub(f"the SMTP server {cfg.shown} refused every recipient ({detail})"))
    except smtplib.SMTPSenderRefused as exc:
        fail(
            cfg.scrub(
                f"the SMTP server {cfg.shown} refused the sender {exc.sender!r}: "
                f"{exc.smtp_code} {_reply(exc.smtp_error)}"
            )
        )
    except smtplib.SMTPResponseException as exc:
        fail(
            cfg.scrub(
                f"the SMTP server {cfg.shown} answered {exc.smtp_code} {_reply(exc.smtp_error)}"
            )
        )
    except smtplib.SMTPNotSupportedError as exc:
        fail(cfg.scrub(f"the SMTP server {cfg.shown} does not support this: {exc}"))
    except smtplib.SMTPServerDisconnected as exc:
        fail(
            cfg.scrub(f"the SMTP server {cfg.shown} closed the connection: {exc}"),
            kind="ConnectionError",
        )
    except ssl.SSLError as exc:
        fail(
            cfg.scrub(f"TLS with the SMTP server {cfg.shown} failed: {exc.reason or exc}"),
            kind="ConnectionError",
        )
    except TimeoutError:
        fail(
            f"the SMTP server {cfg.shown} did not answer within {cfg.timeout_s:g} s",
            kind="TimeoutError",
        )
    except OSError as exc:
        fail(
            cfg.scrub(f"SMTP with {cfg.shown} failed: {exc.strerror or exc}"),
            kind="ConnectionError",
        )
    accepted = [r for r in rcpts if r not in refused]
    return {
        "accepted": accepted,
        "refused": {a: f"{c} {_reply(m)}" for a, (c, m) in refused.items()},
    }


def _reply(message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return " ".join(text.split())
