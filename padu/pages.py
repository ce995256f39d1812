"""The reference dashboard page at ``/dashboard``: static files that use only the public API."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from padu.auth import mint_dev_token
from padu.config import Config
from padu.principal import Role

DEV_TOKEN_SLOT = "<!--PADU-DEV-TOKEN-->"
DEV_SUBJECT = "dashboard-dev"
DEV_TOKEN_HOURS = 8


def _development_token(config: Config) -> str:
    """A meta tag with a development-only dashboard token, so the page opens signed in."""
    if not (config.development and config.auth.symmetric):
        return ""
    token = mint_dev_token(
        config.auth, config.state_dir, Role.DASHBOARD, DEV_SUBJECT,
        ttl_seconds=DEV_TOKEN_HOURS * 3600,
    )  # fmt: skip
    return (
        "<!-- development only: a dashboard-role token signed with this machine's dev secret -->"
        f'<meta name="padu-dev-token" content="{html.escape(token)}">'
    )


@cache
def _page() -> str:
    return resources.files("padu").joinpath("static/dashboard.html").read_text(encoding="utf-8")


async def dashboard(request: Request) -> Response:
    config: Config = request.app.state.config
    return HTMLResponse(
        _page().replace(DEV_TOKEN_SLOT, _development_token(config)),
        headers={"Cache-Control": "no-store"},
    )


def dashboard_routes() -> list[Route | Mount]:
    return [
        Route("/dashboard", dashboard),
        Mount("/dashboard/static", StaticFiles(packages=[("padu", "static")]), name="dashboard"),
    ]
