"""AWS Signature Version 4 for one HTTP request (stdlib hmac/hashlib only).

:func:`sign` returns the headers to add (``X-Amz-Date``, ``Authorization`` and, with
temporary credentials, ``X-Amz-Security-Token``). It signs every header it is given
(``Host`` must be among them, with the exact value sent) and the SHA-256 of the body.
Checked against AWS's published signature test suite (get-vanilla, post-vanilla,
get-vanilla-query-order-key-case) in the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = ["ALGORITHM", "canonical_request", "sign", "signing_key"]

ALGORITHM = "AWS4-HMAC-SHA256"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The derived key: HMAC chain of ``AWS4<secret>`` over date, region, service and
    ``aws4_request``."""
    key = _hmac(f"AWS4{secret_key}".encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def _encode(text: str) -> str:
    """URI-encode everything but RFC 3986 unreserved characters."""
    return quote(text, safe="-_.~")


def canonical_request(
    method: str, url: str, headers: Mapping[str, str], payload_hash: str
) -> tuple[str, str]:
    """The canonical request and the signed-headers list for ``method url``."""
    parts = urlsplit(url)
    # non-S3 services: each path segment is encoded again (the path is sent encoded)
    path = quote(parts.path or "/", safe="/-_.~")
    pairs = sorted(
        (_encode(k), _encode(v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )
    query = "&".join(f"{k}={v}" for k, v in pairs)
    canonical = {k.strip().lower(): " ".join(str(v).split()) for k, v in headers.items()}
    names = sorted(canonical)
    header_block = "".join(f"{n}:{canonical[n]}\n" for n in names)
    signed = ";".join(names)
    request = "\n".join([method.upper(), path, query, header_block, signed, payload_hash])
    return request, signed


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
    session_token: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """The headers that sign ``method url`` with ``headers`` (which must include
    ``Host``) and ``body``: ``X-Amz-Date``, ``Authorization`` (and
    ``X-Amz-Security-Token`` when ``session_token`` is given)."""
    if not any(k.lower() == "host" for k in headers):
        raise ValueError("SigV4: the Host header must be signed")
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    added = {"X-Amz-Date": amz_date}
    if session_token:
        added["X-Amz-Security-Token"] = session_token
    to_sign = {**dict(headers), **added}
    payload_hash = hashlib.sha256(body).hexdigest()
    request, signed = canonical_request(method, url, to_sign, payload_hash)
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(request.encode("utf-8")).hexdigest()]
    )
    key = signing_key(secret_key, date, region, service)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    added["Authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed}, "
        f"Signature={signature}"
    )
    return added
