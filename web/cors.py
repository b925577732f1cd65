"""Cross-origin access to the citizens' chat API: for the origins in CORS_ALLOWED_ORIGINS only.

The chat page is served by this service itself, so by default no answer carries a CORS header
and browsers keep pages of other sites from reading any of them. A centre that embeds the chat
in a page of its own website names that site (``CORS_ALLOWED_ORIGINS=https://www.example.gov.cn``);
then, and only for the public API paths below, its preflights are answered and its requests get
``Access-Control-Allow-Origin`` with that exact origin. Never ``*`` (refused by the setting) and
never credentials: the ticket travels in a header, not a cookie. The staff console (``/staff/``)
never answers a cross-origin request; it refuses cross-site state changes itself.
"""

from __future__ import annotations

from sanic import Request, Sanic
from sanic.response import HTTPResponse, empty

PUBLIC_API = ("/api/session", "/api/chat", "/api/evidence", "/api/events")
METHODS = "GET, POST, OPTIONS"
REQUEST_HEADERS = "Authorization, Content-Type, X-Filename"
EXPOSED_HEADERS = "Retry-After"  # how long a rate-limited page must wait
MAX_AGE_S = 600


def _allowed(request: Request, origins: frozenset[str]) -> str | None:
    origin = request.headers.get("origin", "")
    return origin if origin and origin.rstrip("/").lower() in origins else None


def install(app: Sanic, origins: frozenset[str]) -> None:
    """OPTIONS routes for the public API paths, and the CORS headers of their answers."""

    async def preflight(request: Request) -> HTTPResponse:
        headers = {"Allow": METHODS}
        if _allowed(request, origins):
            headers.update(
                {
                    "Access-Control-Allow-Methods": METHODS,
                    "Access-Control-Allow-Headers": REQUEST_HEADERS,
                    "Access-Control-Max-Age": str(MAX_AGE_S),
                }
            )
        return empty(status=204, headers=headers)

    for path in PUBLIC_API:
        app.add_route(preflight, path, methods=["OPTIONS"], name=f"preflight{path.replace('/', '_')}")

    @app.on_response
    async def cross_origin(request: Request, response: HTTPResponse) -> None:
        if not origins or request.path not in PUBLIC_API:
            return
        response.headers["Vary"] = "Origin"  # caches must not hand one site's answer to another
        origin = _allowed(request, origins)
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
