"""email-sender: SMTP against a real aiosmtpd server on 127.0.0.1, SendGrid and SES
against the local HTTP server, SigV4 against AWS's published test vectors, and the
refusals (header injection, bad addresses, network off, secrets never shown)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from llmspell.errors import SecurityError, ValidationError
from llmspell_tools.communication import _sigv4

TOOL = "email-sender"
SMTP_USER = "mailer"
SMTP_PASSWORD = "smtp-Pa55-secret"
SENDGRID_KEY = "SG.test-key-0123456789abcdef"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYTESTKEY"


# -- a real SMTP server ------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    authenticated: bool

    def message(self) -> email.message.EmailMessage:
        msg = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        return msg


class Recorder:
    """aiosmtpd handler: records every message; refuses recipients @refused.example."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.content,
                bool(session.authenticated),
            )
        )
        return "250 Message accepted"


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder

    @property
    def last(self) -> Received:
        assert self.recorder.messages, "no message received"
        return self.recorder.messages[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 (no TLS; AUTH offered without TLS, LOGIN/PLAIN)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    recorder = Recorder()

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        recorder.logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    port = _free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "LLMSPELL_SMTP_HOST",
        "LLMSPELL_SMTP_PORT",
        "LLMSPELL_SMTP_USERNAME",
        "LLMSPELL_SMTP_PASSWORD",
        "LLMSPELL_SMTP_SECURITY",
        "LLMSPELL_EMAIL_FROM",
        "LLMSPELL_EMAIL_PROVIDER",
        "SENDGRID_API_KEY",
        "LLMSPELL_SENDGRID_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "LLMSPELL_SES_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def _smtp(server: SmtpServer, **params: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "security": "none",
        "from": "Robot <robot@example.com>",
        "subject": "Hello",
        "body": "Plain body.\n",
    }
    return {**base, **params}


def test_smtp_sends_to_every_recipient(net_tools: Any, smtp_server: SmtpServer) -> None:
    r = net_tools.ok(
        TOOL,
        **_smtp(
            smtp_server,
            to=["Ann <ann@example.com>", "bob@example.org"],
            cc="carol@example.net",
            bcc=["dave@example.com"],
            subject="Quarterly report ✓",
        ),
    )
    got = smtp_server.last
    assert got.mail_from == "robot@example.com"
    assert got.rcpt_tos == [
        "ann@example.com",
        "bob@example.org",
        "carol@example.net",
        "dave@example.com",
    ]
    msg = got.message()
    assert msg["From"] == "Robot <robot@example.com>"
    assert msg["To"] == "Ann <ann@example.com>, bob@example.org"
    assert msg["Cc"] == "carol@example.net" and msg["Bcc"] is None  # bcc only in the envelope
    assert msg["Subject"] == "Quarterly report ✓" and msg["Date"]
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().replace("\r\n", "\n") == "Plain body.\n"
    result = r["result"]
    assert result["provider"] == "smtp" and result["message_id"] == msg["Message-ID"]
    assert result["accepted"] == got.rcpt_tos and result["refused"] == {}
    assert r["text"] == f"Sent to 4 recipients via 127.0.0.1:{smtp_server.port}"


def test_smtp_html_alternative(net_tools: Any, smtp_server: SmtpServer) -> None:
    net_tools.ok(TOOL, **_smtp(smtp_server, to="ann@example.com", html="<p>Hello <b>Ann</b></p>"))
    msg = smtp_server.last.message()
    assert msg.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p.get_content().replace("\r\n", "\n") for p in msg.iter_parts()}
    assert parts == {"text/plain": "Plain body.\n", "text/html": "<p>Hello <b>Ann</b></p>\n"}


def test_smtp_auth_password_from_env_never_echoed(
    net_tools: Any, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMSPELL_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("LLMSPELL_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("LLMSPELL_SMTP_USERNAME", SMTP_USER)
    monkeypatch.setenv("LLMSPELL_SMTP_PASSWORD", SMTP_PASSWORD)
    r = net_tools.ok(TOOL, **_smtp(smtp_server, to="ann@example.com"))
    assert smtp_server.recorder.logins == [(SMTP_USER.encode(), SMTP_PASSWORD.encode())]
    assert smtp_server.last.authenticated
    assert SMTP_PASSWORD not in str(r)
    monkeypatch.setenv("LLMSPELL_SMTP_PASSWORD", "wrong-" + SMTP_PASSWORD)
    r = net_tools.failed(TOOL, **_smtp(smtp_server, to="ann@example.com"))
    assert r["error_kind"] == "AuthenticationError"
    assert "535" in r["error"] and "'mailer'" in r["error"]
    assert SMTP_PASSWORD not in str(r)
    monkeypatch.delenv("LLMSPELL_SMTP_PASSWORD")
    r = net_tools.failed(TOOL, **_smtp(smtp_server, to="ann@example.com"))
    assert r["error_kind"] == "ConfigurationError" and "LLMSPELL_SMTP_PASSWORD" in r["error"]


def test_operator_login_only_with_the_operator_server(
    net_tools: Any, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator's SMTP login goes only to the host, port and username they set."""
    monkeypatch.setenv("LLMSPELL_SMTP_USERNAME", SMTP_USER)
    monkeypatch.setenv("LLMSPELL_SMTP_PASSWORD", SMTP_PASSWORD)
    # no server configured: the spell's server gets the mail but no login
    net_tools.ok(TOOL, **_smtp(smtp_server, to="ann@example.com"))
    assert smtp_server.recorder.logins == [] and not smtp_server.last.authenticated
    # asking to log in there is refused before connecting, naming no secret
    r = net_tools.failed(TOOL, **_smtp(smtp_server, to="ann@example.com", username=SMTP_USER))
    assert r["error_kind"] == "SecurityError" and "LLMSPELL_SMTP_PASSWORD" in r["error"]
    assert "configured server (none is configured)" in r["error"]
    assert SMTP_PASSWORD not in str(r) and len(smtp_server.recorder.messages) == 1
    # configured on another port (or host): the spell's port is another server
    monkeypatch.setenv("LLMSPELL_SMTP_HOST", "LOCALHOST.")
    monkeypatch.setenv("LLMSPELL_SMTP_PORT", str(smtp_server.port + 1))
    net_tools.ok(TOOL, **_smtp(smtp_server, host="localhost", to="ann@example.com"))
    assert smtp_server.recorder.logins == [] and not smtp_server.last.authenticated
    # the configured server (host compared case-insensitively): the login is used
    monkeypatch.setenv("LLMSPELL_SMTP_PORT", str(smtp_server.port))
    net_tools.ok(TOOL, **_smtp(smtp_server, host="localhost", to="ann@example.com"))
    assert smtp_server.recorder.logins == [(SMTP_USER.encode(), SMTP_PASSWORD.encode())]
    # ...but not as another user
    r = net_tools.failed(
        TOOL, **_smtp(smtp_server, host="localhost", to="ann@example.com", username="root")
    )
    assert r["error_kind"] == "SecurityError" and "'root'" in r["error"]
    assert len(smtp_server.recorder.logins) == 1 and SMTP_PASSWORD not in str(r)


def test_smtp_settings_from_env_and_config(
    net_tools: Any, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMSPELL_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("LLMSPELL_SMTP_PORT", str(smtp_server.port))
    net_tools.runtime.settings.tools[TOOL] = {"security": "none", "from": "cfg@example.com"}
    net_tools.ok(TOOL, to="ann@example.com", subject="s", body="b")
    assert smtp_server.last.mail_from == "cfg@example.com"
    net_tools.runtime.settings.tools[TOOL] = {"security": "none", "bogus": 1}
    r = net_tools.failed(TOOL, to="ann@example.com", subject="s", body="b")
    assert r["error_kind"] == "ConfigurationError" and "bogus" in r["error"]
    net_tools.runtime.settings.tools[TOOL] = {"port": "25"}
    r = net_tools.failed(TOOL, to="ann@example.com", subject="s", body="b")
    assert r["error_kind"] == "ConfigurationError" and "port" in r["error"]
    monkeypatch.setenv("LLMSPELL_SMTP_PORT", "smtp")
    net_tools.runtime.settings.tools[TOOL] = {}
    r = net_tools.failed(TOOL, to="ann@example.com", subject="s", body="b", **{"from": "x@y.com"})
    assert "LLMSPELL_SMTP_PORT" in r["error"]


def test_partly_and_wholly_refused_recipients(net_tools: Any, smtp_server: SmtpServer) -> None:
    r = net_tools.ok(TOOL, **_smtp(smtp_server, to=["ann@example.com", "x@refused.example"]))
    assert r["result"]["accepted"] == ["ann@example.com"]
    assert r["result"]["refused"] == {"x@refused.example": "550 5.1.1 no such user here"}
    assert smtp_server.last.rcpt_tos == ["ann@example.com"]
    r = net_tools.failed(TOOL, **_smtp(smtp_server, to="x@refused.example"))
    assert "refused every recipient" in r["error"] and "550" in r["error"]


def test_header_injection_and_bad_addresses(net_tools: Any, smtp_server: SmtpServer) -> None:
    for params in (
        {"subject": "Hi\r\nBcc: victim@example.com"},
        {"subject": "Hi\nX-Evil: 1"},
        {"to": "ann@example.com\r\nBcc: victim@example.com"},
        {"from": "robot@example.com\nBcc: victim@example.com"},
        {"cc": ["ok@example.com", "bad@example.com\r\n"]},
    ):
        call = _smtp(smtp_server, to="ann@example.com") | params
        r = net_tools.failed(TOOL, **call)
        assert r["error_kind"] == "ValidationError" and "header injection" in r["error"]
    for bad in ("not-an-address", "a@b@c.com", "ann@", "@example.com", "ann@exa mple.com"):
        r = net_tools.failed(TOOL, **_smtp(smtp_server, to=bad))
        assert r["error_kind"] == "ValidationError" and "not a valid email address" in r["error"]
    r = net_tools.failed(
        TOOL, **_smtp(smtp_server, to="ann@example.com", **{"from": "a@x.com, b@y.com"})
    )
    assert "exactly one" in r["error"]
    assert smtp_server.recorder.messages == []
    with pytest.raises(ValidationError, match="parameter 'to'"):
        net_tools(TOOL, subject="s", body="b")


def test_network_off_is_refused(tools: Any) -> None:
    with pytest.raises(SecurityError, match="network access is not allowed") as exc:
        tools(
            TOOL,
            host="127.0.0.1",
            port=2525,
            security="none",
            to="ann@example.com",
            subject="s",
            body="b",
            **{"from": "robot@example.com"},
        )
    assert "SMTP server 127.0.0.1:2525" in str(exc.value)


def test_denied_host_is_refused(net_tools: Any, smtp_server: SmtpServer) -> None:
    net_tools.runtime.policy.denied_hosts.append("127.0.0.1")
    with pytest.raises(SecurityError, match="denied_hosts") as exc:
        net_tools(TOOL, **_smtp(smtp_server, to="ann@example.com"))
    assert f"127.0.0.1:{smtp_server.port}" in str(exc.value)
    assert smtp_server.recorder.messages == []


def test_smtp_connection_problems_are_clear(net_tools: Any, smtp_server: SmtpServer) -> None:
    port = _free_port()
    r = net_tools.failed(TOOL, **_smtp(smtp_server, port=port, to="ann@example.com"))
    assert r["error_kind"] == "ConnectionError"
    assert f"cannot connect to the SMTP server 127.0.0.1:{port}" in r["error"]
    # starttls (the default) against a server without STARTTLS: no silent downgrade
    r = net_tools.failed(TOOL, **_smtp(smtp_server, security="starttls", to="ann@example.com"))
    assert r["error_kind"] == "ConnectionError" and "does not offer STARTTLS" in r["error"]
    assert smtp_server.recorder.messages == []
    r = net_tools.failed(
        TOOL, to="ann@example.com", subject="s", body="b", **{"from": "robot@example.com"}
    )
    assert r["error_kind"] == "ConfigurationError" and "LLMSPELL_SMTP_HOST" in r["error"]


def test_no_plaintext_password_to_a_remote_server() -> None:
    """The password guard itself (a remote server cannot be reached from the tests)."""
    from llmspell_tools.communication._smtp import SmtpSettings, _session

    class Client:
        def ehlo(self) -> None: ...

        def has_extn(self, name: str) -> bool:
            return True

        def login(self, user: str, password: str) -> None:
            raise AssertionError("must not log in")

    cfg = SmtpSettings(
        "mail.example.com", 25, "none", SMTP_USER, SMTP_PASSWORD, 5, ["93.184.215.14"]
    )
    with pytest.raises(SecurityError, match="unencrypted") as exc:
        _session(Client(), cfg, None)  # type: ignore[arg-type]
    assert SMTP_PASSWORD not in str(exc.value)


# -- SendGrid ----------------------------------------------------------------------------


def test_sendgrid_request_shape(
    net_tools: Any, http_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server.route("POST", "/v3/mail/send", lambda req: (202, {"X-Message-Id": "sg-msg-1"}, b""))
    monkeypatch.setenv("SENDGRID_API_KEY", SENDGRID_KEY)
    monkeypatch.setenv("LLMSPELL_SENDGRID_URL", http_server.base_url)
    r = net_tools.ok(
        TOOL,
        provider="sendgrid",
        to=["Ann <ann@example.com>"],
        cc="c@example.com",
        bcc="b@example.com",
        subject="Hi",
        body="text",
        html="<p>html</p>",
        reply_to="help@example.com",
        **{"from": "Robot <robot@example.com>"},
    )
    req = http_server.last
    assert req.headers["authorization"] == f"Bearer {SENDGRID_KEY}"
    assert req.headers["content-type"] == "application/json"
    assert req.json() == {
        "personalizations": [
            {
                "to": [{"email": "ann@example.com", "name": "Ann"}],
                "cc": [{"email": "c@example.com"}],
                "bcc": [{"email": "b@example.com"}],
            }
        ],
        "from": {"email": "robot@example.com", "name": "Robot"},
        "subject": "Hi",
        "content": [
            {"type": "text/plain", "value": "text"},
            {"type": "text/html", "value": "<p>html</p>"},
        ],
        "reply_to_list": [{"email": "help@example.com"}],
    }
    assert r["result"]["message_id"] == "sg-msg-1" and r["result"]["status"] == 202
    assert SENDGRID_KEY not in str(r)


def test_sendgrid_errors(net_tools: Any, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(
        [
            (
                401,
                {},
                {
                    "errors": [
                        {
                            "message": "The provided authorization grant is invalid, "
                            "expired, or revoked",
                            "field": None,
                            "help": None,
                        }
                    ]
                },
            ),
            (
                400,
                {},
                {
                    "errors": [
                        {
                            "message": "Does not contain a valid address.",
                            "field": "personalizations.0.to.0.email",
                            "help": None,
                        }
                    ]
                },
            ),
        ]
    )
    http_server.route("POST", "/v3/mail/send", lambda req: next(answers))
    monkeypatch.setenv("LLMSPELL_SENDGRID_URL", http_server.base_url)
    params = {
        "provider": "sendgrid",
        "to": "a@example.com",
        "subject": "s",
        "body": "b",
        "from": "r@example.com",
    }
    r = net_tools.failed(TOOL, **params)
    assert r["error_kind"] == "ConfigurationError" and "SENDGRID_API_KEY" in r["error"]
    monkeypatch.setenv("SENDGRID_API_KEY", SENDGRID_KEY)
    r = net_tools.failed(TOOL, **params)
    assert r["error_kind"] == "AuthenticationError" and "authorization grant" in r["error"]
    assert SENDGRID_KEY not in str(r)
    r = net_tools.failed(TOOL, **params)
    assert "400" in r["error"] and "(field personalizations.0.to.0.email)" in r["error"]


def test_sendgrid_network_off(tools: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDGRID_API_KEY", SENDGRID_KEY)
    with pytest.raises(SecurityError) as exc:
        tools(
            TOOL,
            provider="sendgrid",
            to="a@example.com",
            subject="s",
            body="b",
            **{"from": "r@example.com"},
        )
    assert SENDGRID_KEY not in str(exc.value)


# -- SES ---------------------------------------------------------------------------------


def _ses_env(monkeypatch: pytest.MonkeyPatch, http_server: Any, token: str | None = None) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("LLMSPELL_SES_URL", http_server.base_url)
    if token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)


def test_ses_request_shape_and_signature(
    net_tools: Any, http_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server.route(
        "POST", "/v2/email/outbound-emails", lambda req: {"MessageId": "0102018f-ses-id"}
    )
    _ses_env(monkeypatch, http_server, token="session-token-xyz")
    r = net_tools.ok(
        TOOL,
        provider="ses",
        to="Ann <ann@example.com>",
        bcc="b@example.com",
        subject="Hi",
        body="text",
        html="<p>x</p>",
        **{"from": "robot@example.com"},
    )
    req = http_server.last
    assert req.json() == {
        "FromEmailAddress": "robot@example.com",
        "Destination": {
            "ToAddresses": ["Ann <ann@example.com>"],
            "BccAddresses": ["b@example.com"],
        },
        "Content": {
            "Simple": {
                "Subject": {"Data": "Hi", "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": "text", "Charset": "UTF-8"},
                    "Html": {"Data": "<p>x</p>", "Charset": "UTF-8"},
                },
            }
        },
    }
    auth = req.headers["authorization"]
    m = re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=AKIDTEST/(\d{8})/eu-west-1/ses/aws4_request, "
        r"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
        r"Signature=([0-9a-f]{64})",
        auth,
    )
    assert m, auth
    assert req.headers["x-amz-date"].startswith(m.group(1))
    assert req.headers["x-amz-security-token"] == "session-token-xyz"
    # the server side of SigV4: recompute from what arrived (Host as received, the body)
    signed = {
        k: req.headers[k] for k in ("content-type", "host", "x-amz-date", "x-amz-security-token")
    }
    request, _ = _sigv4.canonical_request(
        "POST",
        http_server.url("/v2/email/outbound-emails"),
        signed,
        _sigv4.hashlib.sha256(req.body).hexdigest(),
    )
    date, scope = m.group(1), f"{m.group(1)}/eu-west-1/ses/aws4_request"
    to_sign = "\n".join(
        [
            _sigv4.ALGORITHM,
            req.headers["x-amz-date"],
            scope,
            _sigv4.hashlib.sha256(request.encode()).hexdigest(),
        ]
    )
    key = _sigv4.signing_key(AWS_SECRET, date, "eu-west-1", "ses")
    expected = _sigv4.hmac.new(key, to_sign.encode(), _sigv4.hashlib.sha256).hexdigest()
    assert m.group(2) == expected
    assert r["result"]["message_id"] == "0102018f-ses-id" and r["result"]["provider"] == "ses"
    assert AWS_SECRET not in str(r)


def test_ses_errors(net_tools: Any, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    http_server.route(
        "POST",
        "/v2/email/outbound-emails",
        lambda req: (
            403,
            {"x-amzn-ErrorType": "UnrecognizedClientException:http://internal"},
            {"message": "The security token included in the request is invalid."},
        ),
    )
    params = {
        "provider": "ses",
        "to": "a@example.com",
        "subject": "s",
        "body": "b",
        "from": "r@example.com",
    }
    r = net_tools.failed(TOOL, **params)
    assert r["error_kind"] == "ConfigurationError"
    assert "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION" in r["error"]
    _ses_env(monkeypatch, http_server)
    r = net_tools.failed(TOOL, **params)
    assert r["error_kind"] == "AuthenticationError"
    assert "UnrecognizedClientException: The security token" in r["error"]
    assert AWS_SECRET not in str(r)
    monkeypatch.setenv("AWS_REGION", "eu-west-1.evil.example/x")
    r = net_tools.failed(TOOL, **params)
    assert r["error_kind"] == "ConfigurationError" and "AWS_REGION" in r["error"]


# -- SigV4 known answers (AWS's published examples) --------------------------------------

_SUITE = {
    "access_key": "AKIDEXAMPLE",
    "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "region": "us-east-1",
    "service": "service",
    "now": dt.datetime(2015, 8, 30, 12, 36, tzinfo=dt.UTC),
}


@pytest.mark.parametrize(
    ("method", "url", "signature"),
    [
        (
            "GET",
            "https://example.amazonaws.com/",  # get-vanilla
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "POST",
            "https://example.amazonaws.com/",  # post-vanilla
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
        (
            "GET",
            "https://example.amazonaws.com/?Param2=value2&Param1=value1",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
    ],
)
def test_sigv4_aws_test_suite(method: str, url: str, signature: str) -> None:
    headers = _sigv4.sign(method, url, {"Host": "example.amazonaws.com"}, b"", **_SUITE)
    assert headers["X-Amz-Date"] == "20150830T123600Z"
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={signature}"
    )


def test_sigv4_documented_signing_key() -> None:
    key = _sigv4.signing_key(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"
    )
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    with pytest.raises(ValueError, match="Host"):
        _sigv4.sign("GET", "https://x/", {}, b"", **_SUITE)


# -- TLS: STARTTLS and implicit TLS with a certificate the test makes --------------------


def _make_cert(directory: Any, ip: str) -> tuple[str, str]:
    """A self-signed certificate for ``ip`` (openssl CLI); skips when openssl is missing."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = str(directory / f"{ip}.crt"), str(directory / f"{ip}.key")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "1",
            "-subj",
            f"/CN={ip}",
            "-addext",
            f"subjectAltName=IP:{ip}",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.fixture
def tls_smtp(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Two aiosmtpd servers with a test certificate: STARTTLS and implicit TLS; the
    client trusts the certificate through SSL_CERT_FILE."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = _make_cert(tmp_path, "127.0.0.1")
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder = Recorder()

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        recorder.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == SMTP_PASSWORD.encode(), handled=False)

    starttls_port, ssl_port = _free_port(), _free_port()
    starttls = Controller(
        recorder,
        hostname="127.0.0.1",
        port=starttls_port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
    )
    implicit = Controller(
        recorder,
        hostname="127.0.0.1",
        port=ssl_port,
        ssl_context=context,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    starttls.start()
    implicit.start()
    try:
        yield {"starttls": starttls_port, "ssl": ssl_port, "recorder": recorder, "dir": tmp_path}
    finally:
        starttls.stop()
        implicit.stop()


def test_starttls_and_ssl_with_login(
    net_tools: Any, tls_smtp: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMSPELL_SMTP_USERNAME", SMTP_USER)
    monkeypatch.setenv("LLMSPELL_SMTP_PASSWORD", SMTP_PASSWORD)
    recorder: Recorder = tls_smtp["recorder"]
    monkeypatch.setenv("LLMSPELL_SMTP_HOST", "127.0.0.1")
    for security in ("starttls", "ssl"):
        monkeypatch.setenv("LLMSPELL_SMTP_PORT", str(tls_smtp[security]))
        monkeypatch.setenv("LLMSPELL_SMTP_SECURITY", security)
        r = net_tools.ok(
            TOOL,
            host="127.0.0.1",
            port=tls_smtp[security],
            security=security,
            to="ann@example.com",
            subject=f"over {security}",
            body="b",
            **{"from": "robot@example.com"},
        )
        assert recorder.messages[-1].message()["Subject"] == f"over {security}"
        assert recorder.messages[-1].authenticated
        assert SMTP_PASSWORD not in str(r)
    assert recorder.logins == [(SMTP_USER.encode(), SMTP_PASSWORD.encode())] * 2


def test_tls_certificate_is_verified(
    net_tools: Any, tls_smtp: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    other, _ = _make_cert(tls_smtp["dir"], "127.0.0.2")
    monkeypatch.setenv("SSL_CERT_FILE", other)  # trust another certificate only
    for security in ("starttls", "ssl"):
        r = net_tools.failed(
            TOOL,
            host="127.0.0.1",
            port=tls_smtp[security],
            security=security,
            to="ann@example.com",
            subject="s",
            body="b",
            **{"from": "robot@example.com"},
        )
        assert r["error_kind"] == "ConnectionError" and "TLS" in r["error"], r
        assert "CERTIFICATE_VERIFY_FAILED" in r["error"] or "certificate" in r["error"].lower()
    assert tls_smtp["recorder"].messages == []
