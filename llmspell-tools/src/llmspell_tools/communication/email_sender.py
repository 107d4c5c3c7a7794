"""email-sender: send an email over SMTP, SendGrid or Amazon SES.

SMTP settings come from the parameters, the LLMSPELL_SMTP_* environment variables or
``[tools.email-sender]``; the password only from LLMSPELL_SMTP_PASSWORD or the config
(never a parameter), and the operator's login is used only with the operator's server
(:func:`_login`): a ``host`` the spell chose gets no credential. SendGrid needs
SENDGRID_API_KEY; SES needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION
(requests signed with SigV4); their URLs come only from the environment or the config.
Every server goes through the network policy; header values with CR/LF are refused;
secrets never appear in the result or in errors.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._hostcheck import check_host
from llmspell_tools._support import fail, output
from llmspell_tools.communication._email_message import Mail, build_mime, parse_mail
from llmspell_tools.communication._settings import pick, tool_config

NAME = "email-sender"
DEFAULT_TIMEOUT_S = 30.0
SENDGRID_URL = "https://api.sendgrid.com"
CONFIG_KEYS: dict[str, type | tuple[type, ...]] = {
    "provider": str,
    "from": str,
    "host": str,
    "port": int,
    "username": str,
    "password": str,
    "security": str,
    "timeout_s": (int, float),
    "sendgrid_url": str,
    "ses_url": str,
    "region": str,
}
SECURITY = ("starttls", "ssl", "none")


def _port(value: Any, security: str) -> int:
    from llmspell_tools.communication._smtp import DEFAULT_PORTS

    if value is None:
        return DEFAULT_PORTS[security]
    try:
        port = int(value)
    except (TypeError, ValueError):
        fail(f"SMTP port {value!r} is not a number (LLMSPELL_SMTP_PORT)", kind="ConfigurationError")
    if not 0 < port < 65536:
        fail(f"SMTP port {port} is out of range", kind="ConfigurationError")
    return port


def _same_host(a: str, b: str) -> bool:
    return a.strip().rstrip(".").lower() == b.strip().rstrip(".").lower()


def _login(
    params: dict[str, Any], config: dict[str, Any], host: str, port: int
) -> tuple[str | None, str | None]:
    """The SMTP username and password for a connection to ``host:port``.

    The operator's login (LLMSPELL_SMTP_USERNAME/PASSWORD or ``[tools.email-sender]``) is
    used only with the operator's server: the host they configured (LLMSPELL_SMTP_HOST or
    ``host``) on the port they configured (or the default of the security they
    configured), as the username they configured. A server the spell chose gets no
    operator credential: it is sent to without logging in, and asking to log in there
    (a ``username``) is a SecurityError, as is another username on the operator's server
    while an operator password is set.
    """
    op_host = os.environ.get("LLMSPELL_SMTP_HOST") or config.get("host")
    op_security = pick({}, config, "security", "LLMSPELL_SMTP_SECURITY", "starttls")
    op_port_raw = pick({}, config, "port", "LLMSPELL_SMTP_PORT")
    op_username = pick({}, config, "username", "LLMSPELL_SMTP_USERNAME")
    password = os.environ.get("LLMSPELL_SMTP_PASSWORD") or config.get("password") or None
    asked = params.get("username") or None
    op_port = _port(op_port_raw, op_security) if op_security in SECURITY else None
    operator_server = bool(op_host) and _same_host(str(op_host), host) and port == op_port
    if not operator_server:
        if asked is not None:
            configured = f"{op_host}:{op_port}" if op_host else "none is configured"
            fail(
                f"SMTP login to {host}:{port} refused: the spell chose this server and "
                f"the operator's SMTP login (LLMSPELL_SMTP_PASSWORD) is used only with "
                f"the configured server ({configured})",
                kind="SecurityError",
            )
        return None, None
    if asked is not None and password and asked != op_username:
        fail(
            f"SMTP login as {asked!r} refused: the operator's SMTP password "
            f"(LLMSPELL_SMTP_PASSWORD) is used only with the configured username "
            f"(LLMSPELL_SMTP_USERNAME or [tools.email-sender] username)",
            kind="SecurityError",
        )
    return asked or op_username, password


async def _smtp(params: dict[str, Any], ctx: Any, config: dict[str, Any], mail: Mail) -> Any:
    from llmspell_tools.communication._smtp import SmtpSettings, send_smtp

    host = pick(params, config, "host", "LLMSPELL_SMTP_HOST")
    if not host:
        fail(
            "no SMTP server: give 'host', or set LLMSPELL_SMTP_HOST or [tools.email-sender] host",
            kind="ConfigurationError",
        )
    security = pick(params, config, "security", "LLMSPELL_SMTP_SECURITY", "starttls")
    if security not in SECURITY:
        fail(
            f"SMTP security {security!r} is not one of {', '.join(SECURITY)}",
            kind="ConfigurationError",
        )
    port = _port(pick(params, config, "port", "LLMSPELL_SMTP_PORT"), security)
    timeout_s = float(pick(params, config, "timeout_s", None, DEFAULT_TIMEOUT_S))
    username, password = _login(params, config, host, port)
    addresses = await asyncio.to_thread(
        check_host, ctx, host, port, what="email-sender: SMTP server"
    )
    cfg = SmtpSettings(
        host=host,
        port=port,
        security=security,
        username=username,
        password=password,
        timeout_s=timeout_s,
        addresses=addresses,
    )
    msg = build_mime(mail)
    sent = await asyncio.to_thread(send_smtp, cfg, msg, mail.sender.email, mail.recipients)
    return _result(mail, "smtp", str(msg["Message-ID"]), f"{host}:{port}", sent)


async def _sendgrid(params: dict[str, Any], ctx: Any, config: dict[str, Any], mail: Mail) -> Any:
    from llmspell_tools.communication._email_http import send_sendgrid

    key = os.environ.get("SENDGRID_API_KEY")
    if not key:
        fail(
            "provider 'sendgrid' needs an API key: set SENDGRID_API_KEY", kind="ConfigurationError"
        )
    base = pick({}, config, "sendgrid_url", "LLMSPELL_SENDGRID_URL", SENDGRID_URL)
    timeout_s = float(pick(params, config, "timeout_s", None, DEFAULT_TIMEOUT_S))
    sent = await send_sendgrid(ctx, mail, base_url=base, api_key=key, timeout_s=timeout_s)
    return _result(mail, "sendgrid", sent["message_id"], "SendGrid", {"status": sent["status"]})


async def _ses(params: dict[str, Any], ctx: Any, config: dict[str, Any], mail: Mail) -> Any:
    from llmspell_tools.communication._email_http import check_region, send_ses

    access = os.environ.get("AWS_ACCESS_KEY_ID")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    region = region or config.get("region")
    missing = [
        n
        for n, v in (
            ("AWS_ACCESS_KEY_ID", access),
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_REGION", region),
        )
        if not v
    ]
    if missing or access is None or secret is None or region is None:
        fail(
            f"provider 'ses' needs {', '.join(missing)} in the environment",
            kind="ConfigurationError",
        )
    check_region(region)
    base = pick({}, config, "ses_url", "LLMSPELL_SES_URL", f"https://email.{region}.amazonaws.com")
    timeout_s = float(pick(params, config, "timeout_s", None, DEFAULT_TIMEOUT_S))
    sent = await send_ses(
        ctx,
        mail,
        base_url=base,
        region=region,
        access_key=access,
        secret_key=secret,
        session_token=os.environ.get("AWS_SESSION_TOKEN") or None,
        timeout_s=timeout_s,
    )
    return _result(mail, "ses", sent["message_id"], f"SES ({region})", {"status": sent["status"]})


def _result(
    mail: Mail, provider: str, message_id: str | None, via: str, extra: dict[str, Any]
) -> Any:
    accepted = extra.pop("accepted", mail.recipients)
    result = {
        "provider": provider,
        "message_id": message_id,
        "from": mail.sender.email,
        "to": [a.email for a in mail.to],
        "cc": [a.email for a in mail.cc],
        "bcc": [a.email for a in mail.bcc],
        "subject": mail.subject,
        "accepted": accepted,
        **extra,
    }
    if provider == "smtp":
        result.setdefault("refused", {})
    count = len(accepted)
    return output(result, text=f"Sent to {count} recipient{'s' * (count != 1)} via {via}")


async def run(params: dict[str, Any], ctx: Any) -> Any:
    """Check the message and send it with the chosen provider."""
    config = tool_config(ctx, NAME, CONFIG_KEYS)
    provider = pick(params, config, "provider", "LLMSPELL_EMAIL_PROVIDER", "smtp")
    senders = {"smtp": _smtp, "sendgrid": _sendgrid, "ses": _ses}
    if provider not in senders:
        fail(
            f"unknown email provider {provider!r} (smtp, sendgrid or ses)",
            kind="ConfigurationError",
        )
    default_from = os.environ.get("LLMSPELL_EMAIL_FROM") or config.get("from")
    mail = parse_mail(params, default_from)
    return await senders[provider](params, ctx, config, mail)


_ADDRESSES = {
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
}

TOOL = Tool(
    name=NAME,
    description="Send an email (text, optionally with an HTML alternative) over SMTP, "
    "SendGrid or Amazon SES. SMTP server from 'host' or LLMSPELL_SMTP_HOST (password only "
    "from LLMSPELL_SMTP_PASSWORD); SendGrid needs SENDGRID_API_KEY; SES needs "
    "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION. Needs network access.",
    category="communication",
    handler=run,
    timeout_seconds=60,
    security=("network",),
    settings={
        "provider": {"type": "string", "default": "smtp", "description": "smtp, sendgrid or ses"},
        "from": {"type": "string", "description": "the default sender address"},
        "host": {"type": "string", "description": "the SMTP server"},
        "port": {"type": "integer", "description": "the SMTP port"},
        "username": {"type": "string", "description": "the SMTP user name"},
        "password": {
            "type": "string",
            "description": "the SMTP password (prefer LLMSPELL_SMTP_PASSWORD)",
        },
        "security": {"type": "string", "description": "the SMTP connection security"},
        "timeout_s": {"type": "number", "description": "the SMTP timeout, in seconds"},
        "sendgrid_url": {"type": "string", "description": "the SendGrid API URL"},
        "ses_url": {"type": "string", "description": "the Amazon SES API URL"},
        "region": {"type": "string", "description": "the Amazon SES region"},
    },
    tags=("email", "smtp", "sendgrid", "ses", "notification"),
    parameters={
        "type": "object",
        "properties": {
            "provider": {
                "type": "string",
                "enum": ["smtp", "sendgrid", "ses"],
                "description": "default: smtp (or [tools.email-sender] provider)",
            },
            "from": {"type": "string", "description": "sender: addr or 'Name <addr>'"},
            "to": {**_ADDRESSES, "description": "recipient(s): a string or a list"},
            "cc": _ADDRESSES,
            "bcc": {**_ADDRESSES, "description": "envelope-only recipients"},
            "reply_to": _ADDRESSES,
            "subject": {"type": "string"},
            "body": {"type": "string", "description": "the plain-text body"},
            "html": {"type": "string", "description": "an HTML alternative of the body"},
            "host": {"type": "string", "description": "SMTP server (LLMSPELL_SMTP_HOST)"},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "username": {"type": "string", "description": "SMTP login (LLMSPELL_SMTP_USERNAME)"},
            "security": {
                "type": "string",
                "enum": list(SECURITY),
                "description": "SMTP: starttls (default, port 587), ssl (465) or none (25)",
            },
            "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 55},
        },
        "required": ["to", "subject", "body"],
        "additionalProperties": False,
    },
)
