"""The GraphiQL playground: Padu's page around the vendored GraphiQL, served with no CDN."""

from __future__ import annotations

import json

from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS = "/graphiql"  # where padu/static/graphiql/ is served
TITLE = "Padu GraphiQL"

# Everything the page loads comes from Padu itself ('self' covers the WebSocket of subscriptions
# too); the only inline parts are the examples' JSON (data, never run) and the styles React
# components set on elements.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{title}</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{assets}/vendor/graphiql.min.css">
    <link rel="stylesheet" href="{assets}/vendor/plugin-explorer.css">
    <link rel="stylesheet" href="{assets}/playground.css">
    <script id="padu-examples" type="application/json">{examples}</script>
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script src="{assets}/vendor/react.production.min.js"></script>
    <script src="{assets}/vendor/react-dom.production.min.js"></script>
    <script src="{assets}/vendor/graphiql.min.js"></script>
    <script src="{assets}/vendor/plugin-explorer.umd.js"></script>
    <script src="{assets}/playground.js"></script>
  </body>
</html>
"""


def _script_json(value: object) -> str:
    """``value`` as JSON that cannot end the ``<script>`` element holding it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(examples: dict[str, str]) -> HTMLResponse:
    """The playground, opening on ``examples`` (its query, variables and headers)."""
    html = _PAGE.format(title=TITLE, assets=ASSETS, examples=_script_json(examples))
    return HTMLResponse(html, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


def playground_routes() -> list[Mount]:
    """The page's scripts and styles: GraphiQL, React and Padu's own, all from the package."""
    static = StaticFiles(packages=[("padu", "static/graphiql")])
    return [Mount(ASSETS, static, name="graphiql")]
