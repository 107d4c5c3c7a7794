"""email-sender over HTTP APIs: SendGrid v3 ``mail/send`` and Amazon SES v2
``SendEmail`` (signed with SigV4), both through the shared policy-checked client."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from llmspell_tools._http import HttpResult, request
from llmspell_tools._support import fail
from llmspell_tools.communication._email_message import Address, Mail
from llmspell_tools.communication._sigv4 import sign

__all__ = ["check_region", "send_sendgrid", "send_ses", "sendgrid_payload", "ses_payload"]

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def _sg_address(a: Address) -> dict[str, str]:
    return {"email": a.email, "name": a.name} if a.name else {"email": a.email}


def sendgrid_payload(mail: Mail) -> dict[str, Any]:
    """The SendGrid v3 ``mail/send`` JSON body of ``mail``."""
    personalization: dict[str, Any] = {"to": [_sg_address(a) for a in mail.to]}
    if mail.cc:
        personalization["cc"] = [_sg_address(a) for a in mail.cc]
    if mail.bcc:
        personalization["bcc"] = [_sg_address(a) for a in mail.bcc]
    content = [{"type": "text/plain", "value": mail.body}]
    if mail.html is not None:
        content.append({"type": "text/html", "value": mail.html})
    payload: dict[str, Any] = {
        "personalizations": [personalization],
        "from": _sg_address(mail.sender),
        "subject": mail.subject,
        "content": content,
    }
    if mail.reply_to:
        payload["reply_to_list"] = [_sg_address(a) for a in mail.reply_to]
    return payload


def _api_errors(result: HttpResult) -> str:
    """The error messages of an API's JSON answer (SendGrid ``errors``, AWS ``message``)."""
    try:
        data = json.loads(result.text())
    except ValueError:
        return " ".join(result.text().split())[:300]
    if isinstance(data, dict):
        errors = data.get("errors")
        if isinstance(errors, list):
            parts = [
                str(e.get("message", e)) + (f" (field {e['field']})" if e.get("field") else "")
                if isinstance(e, dict)
                else str(e)
                for e in errors
            ]
            return "; ".join(parts)
        for key in ("message", "Message", "error"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return " ".join(result.text().split())[:300]


async def send_sendgrid(
    ctx: Any, mail: Mail, *, base_url: str, api_key: str, timeout_s: float
) -> dict[str, Any]:
    """POST the message to SendGrid; ``{"message_id", "status"}``."""
    url = base_url.rstrip("/") + "/v3/mail/send"
    result = await request(
        ctx,
        "POST",
        url,
        headers={"Authorization": f"Bearer {api_key}"},
        json=sendgrid_payload(mail),
        timeout_s=timeout_s,
        follow_redirects=False,
        secrets=[api_key],
    )
    if result.status in (200, 202):
        return {"message_id": result.headers.get("x-message-id"), "status": result.status}
    detail = _api_errors(result).replace(api_key, "***")
    if result.status in (401, 403):
        fail(
            f"SendGrid refused the API key ({result.status}: {detail}); check SENDGRID_API_KEY",
            kind="AuthenticationError",
        )
    fail(f"SendGrid answered {result.status}: {detail}")


def _ses_content(text: str) -> dict[str, str]:
    return {"Data": text, "Charset": "UTF-8"}


def ses_payload(mail: Mail) -> dict[str, Any]:
    """The SES v2 ``SendEmail`` JSON body of ``mail``."""
    destination: dict[str, list[str]] = {"ToAddresses": [a.header() for a in mail.to]}
    if mail.cc:
        destination["CcAddresses"] = [a.header() for a in mail.cc]
    if mail.bcc:
        destination["BccAddresses"] = [a.header() for a in mail.bcc]
    body: dict[str, Any] = {"Text": _ses_content(mail.body)}
    if mail.html is not None:
        body["Html"] = _ses_content(mail.html)
    payload: dict[str, Any] = {
        "FromEmailAddress": mail.sender.header(),
        "Destination": destination,
        "Content": {"Simple": {"Subject": _ses_content(mail.subject), "Body": body}},
    }
    if mail.reply_to:
        payload["ReplyToAddresses"] = [a.header() for a in mail.reply_to]
    return payload


def check_region(region: str) -> str:
    """``region`` when it looks like an AWS region (it becomes part of a host name)."""
    if not _REGION.match(region):
        fail(
            f"AWS region {region!r} is not a region name such as us-east-1 (AWS_REGION)",
            kind="ConfigurationError",
        )
    return region


async def send_ses(
    ctx: Any,
    mail: Mail,
    *,
    base_url: str,
    region: str,
    access_key: str,
    secret_key: str,
    session_token: str | None,
    timeout_s: float,
) -> dict[str, Any]:
    """Send the message with SES v2 ``SendEmail``; ``{"message_id", "status"}``."""
    url = base_url.rstrip("/") + "/v2/email/outbound-emails"
    parts = urlsplit(url)
    body = json.dumps(ses_payload(mail)).encode("utf-8")
    default_port = 443 if parts.scheme == "https" else 80
    host = (parts.hostname or "").lower()
    host_header = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    headers = {"Host": host_header, "Content-Type": "application/json"}
    headers.update(
        sign(
            "POST",
            url,
            headers,
            body,
            access_key=access_key,
            secret_key=secret_key,
            region=region,
            service="ses",
            session_token=session_token,
        )
    )
    secrets = [secret_key] + ([session_token] if session_token else [])
    result = await request(
        ctx,
        "POST",
        url,
        headers=headers,
        content=body,
        timeout_s=timeout_s,
        follow_redirects=False,
        secrets=secrets,
    )
    if result.status == 200:
        data = result.json()
        message_id = data.get("MessageId") if isinstance(data, dict) else None
        return {"message_id": message_id, "status": result.status}
    detail = _api_errors(result)
    for secret in secrets:
        detail = detail.replace(secret, "***")
    kind_header = result.headers.get("x-amzn-errortype", "").split(":", 1)[0]
    label = f"{kind_header}: " if kind_header else ""
    if result.status in (401, 403):
        fail(
            f"SES refused the request ({result.status} {label}{detail}); check "
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION",
            kind="AuthenticationError",
        )
    fail(f"SES answered {result.status}: {label}{detail}")
