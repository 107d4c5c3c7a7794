"""The API's error shape ``{"error": {"kind", "message", "hint"}}``, its handlers, the
body-size limit and bearer-token auth."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = ["ApiError", "BodyLimit", "check_token", "install_handlers", "token_id"]


class ApiError(Exception):
    """An error answered as ``{"error": {...}}`` with an HTTP status."""

    def __init__(self, status: int, kind: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.hint = status, kind, message, hint


def error_body(kind: str, message: str, hint: str | None = None) -> dict[str, Any]:
    """The JSON of an error."""
    return {"error": {"kind": kind, "message": message, "hint": hint}}


def install_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` in the one shape."""

    @app.exception_handler(ApiError)
    async def _api(_req: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.kind, exc.message, exc.hint), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            parts.append(f"{where}: {err.get('msg')}")
        return JSONResponse(
            error_body(
                "ValidationError",
                "; ".join(parts) or "invalid request",
                "see the request schema at /openapi.json",
            ),
            status_code=422,
        )

    import sqlalchemy as sa

    @app.exception_handler(sa.exc.SQLAlchemyError)
    async def _database(_req: Request, exc: sa.exc.SQLAlchemyError) -> JSONResponse:
        from llmspell_cli.serve.outage import is_connection_error, reason

        if not is_connection_error(exc):
            raise exc  # a bug, not an outage: a 500
        return JSONResponse(
            error_body(
                "StateError",
                f"the service's database is unreachable ({reason(exc)})",
                "try again shortly: GET /v1/health says when the database is back",
            ),
            status_code=503,
            headers={"retry-after": "5"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = {404: "NotFoundError", 405: "ValidationError"}.get(exc.status_code, "HTTPError")
        return JSONResponse(error_body(kind, str(exc.detail)), status_code=exc.status_code)


def token_id(token: str) -> str:
    """What the run records keep of a token: a hash, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def check_token(request: Request, tokens: list[str]) -> str:
    """The caller's token id; 401 without a bearer token, 403 with a wrong one."""
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(
            401,
            "AuthenticationError",
            "this endpoint needs a bearer token",
            "send 'Authorization: Bearer TOKEN' (a token of [serve] tokens_env)",
        )
    given = given.strip()
    for token in tokens:
        if hmac.compare_digest(token.encode(), given.encode()):
            return token_id(token)
    raise ApiError(
        403,
        "PermissionError",
        "the bearer token is not valid",
        "use a token listed in the service's token variable",
    )


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes is answered 413."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        too_big = False

        async def limited() -> Any:
            nonlocal seen, too_big
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    too_big = True
                    raise _TooBig
            return message

        try:
            await self.app(scope, limited, send)
        except _TooBig:
            await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        import json

        body = json.dumps(
            error_body(
                "ValidationError",
                f"the request body is over {self.limit} bytes",
                "send less, or raise [serve] max_body_bytes",
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooBig(Exception):
    pass
