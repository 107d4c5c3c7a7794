"""The dashboard of ``llmspell serve``: one static page (``GET /``) and its script and
style sheet, hand-written and shipped inside the package (no build step, nothing fetched
from elsewhere). The page itself holds no data: it calls the JSON API with the token the
user pastes, so every answer stays behind the same token checks as any other client."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["CSP", "add_dashboard_routes"]

# Only this origin's script, style and API; no inline code, no frames, no forms posting
# elsewhere. A run's output that slipped into the DOM as markup still could not run.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

_ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}


def _asset(name: str) -> bytes:
    return resources.files("llmspell_cli.serve").joinpath("static", name).read_bytes()


def add_dashboard_routes(app: FastAPI) -> None:
    """Serve the dashboard at ``/`` and its two assets under ``/static/`` (no token: they
    are the same for everyone; the data they show comes from the token-checked API)."""
    from fastapi.responses import Response

    page = _asset("index.html")
    assets = {name: (_asset(name), media) for name, media in _ASSETS.items()}

    @app.get("/", include_in_schema=False)
    def dashboard() -> Response:
        """The dashboard page."""
        return Response(page, media_type="text/html; charset=utf-8", headers=_HEADERS)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        """The dashboard's script or style sheet."""
        from llmspell_cli.serve.http_errors import ApiError

        if name not in assets:
            raise ApiError(404, "NotFoundError", f"no dashboard file {name!r}")
        body, media = assets[name]
        return Response(body, media_type=media, headers=_HEADERS)
