"""Addresses and the message of email-sender: validation and MIME building (stdlib).

Every header value is refused when it holds CR or LF (header injection); every address
must be a plain ``local@domain`` (optionally ``Name <local@domain>``). The message is
text/plain, or multipart/alternative text + HTML when ``html`` is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, getaddresses, make_msgid
from typing import Any

from llmspell_tools._support import fail

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_RECIPIENTS",
    "Address",
    "Mail",
    "build_mime",
    "parse_addresses",
    "parse_mail",
]

MAX_RECIPIENTS = 100
MAX_BODY_CHARS = 10_000_000
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_LOCAL}@{_LABEL}(?:\.{_LABEL})*$")


@dataclass(frozen=True)
class Address:
    """One mailbox: the display name (may be empty) and the address."""

    name: str
    email: str

    def header(self) -> str:
        """The header form: ``Name <email>`` or ``email``."""
        return formataddr((self.name, self.email)) if self.name else self.email


@dataclass
class Mail:
    """A checked message, independent of the provider that sends it."""

    sender: Address
    to: list[Address]
    subject: str
    body: str
    html: str | None = None
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    reply_to: list[Address] = field(default_factory=list)

    @property
    def recipients(self) -> list[str]:
        """Every envelope recipient (to, cc and bcc), without duplicates."""
        seen: dict[str, None] = {}
        for a in [*self.to, *self.cc, *self.bcc]:
            seen.setdefault(a.email, None)
        return list(seen)


def _no_newlines(value: str, name: str) -> str:
    if "\r" in value or "\n" in value or "\x00" in value:
        fail(
            f"'{name}' must be one line: CR, LF and NUL are refused in headers (header injection)",
            kind="ValidationError",
        )
    return value


def parse_addresses(value: Any, name: str) -> list[Address]:
    """The mailboxes of ``value`` (a string, comma-separated allowed, or a list)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out: list[Address] = []
    for item in items:
        if not isinstance(item, str):
            fail(f"'{name}' must hold address strings (got {item!r})", kind="ValidationError")
        _no_newlines(item, name)
        if not item.strip():
            continue
        for display, email in getaddresses([item]):
            email = email.strip()
            # the parser is lenient ("a@exa mple.com" becomes "a@example.com"): the
            # address must appear in the text as written
            if not _ADDRESS.match(email) or len(email) > 254 or email not in item:
                fail(
                    f"'{name}': {item.strip()!r} is not a valid email address "
                    "(expected name@example.com or Name <name@example.com>)",
                    kind="ValidationError",
                )
            out.append(Address(display.strip(), email))
    return out


def parse_mail(params: dict[str, Any], default_from: str | None) -> Mail:
    """The checked :class:`Mail` of the tool's parameters."""
    sender_text = params.get("from") or default_from
    if not sender_text:
        fail(
            "no sender: give 'from', or set [tools.email-sender] from / LLMSPELL_EMAIL_FROM",
            kind="ValidationError",
        )
    senders = parse_addresses(sender_text, "from")
    if len(senders) != 1:
        fail("'from' must be exactly one address", kind="ValidationError")
    to = parse_addresses(params.get("to"), "to")
    if not to:
        fail("'to' names no recipient", kind="ValidationError")
    cc = parse_addresses(params.get("cc"), "cc")
    bcc = parse_addresses(params.get("bcc"), "bcc")
    mail = Mail(
        sender=senders[0],
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=parse_addresses(params.get("reply_to"), "reply_to"),
        subject=_no_newlines(params["subject"], "subject"),
        body=params["body"],
        html=params.get("html"),
    )
    if len(mail.recipients) > MAX_RECIPIENTS:
        fail(f"at most {MAX_RECIPIENTS} recipients per message", kind="ValidationError")
    if len(mail.body) + len(mail.html or "") > MAX_BODY_CHARS:
        fail(f"the message is over {MAX_BODY_CHARS} characters", kind="ValidationError")
    return mail


def build_mime(mail: Mail) -> EmailMessage:
    """The MIME message (Bcc is not a header: it is only in the envelope)."""
    from email import policy

    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = mail.sender.header()
    msg["To"] = ", ".join(a.header() for a in mail.to)
    if mail.cc:
        msg["Cc"] = ", ".join(a.header() for a in mail.cc)
    if mail.reply_to:
        msg["Reply-To"] = ", ".join(a.header() for a in mail.reply_to)
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=mail.sender.email.rpartition("@")[2])
    msg.set_content(mail.body)
    if mail.html is not None:
        msg.add_alternative(mail.html, subtype="html")
    return msg
