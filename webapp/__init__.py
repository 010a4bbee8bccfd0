"""Newsfacet's web front end: the search page, the article page and the JSON API."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from . import errors

# Scripts and styles come only from our own static files; nothing may frame the pages.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.pop("Server", None)
    return response


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app.

    Configuration, later wins: defaults; ``instance/config.py``; ``NEWSFACET_*``
    environment variables (``NEWSFACET_INDEX=/srv/index`` sets ``INDEX``);
    ``test_config``.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        INDEX=os.path.abspath(os.path.join("instance", "index")),
        PER_PAGE=10,
        JSON_SORT_KEYS=False,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("NEWSFACET")
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False

    errors.init_app(app)
    app.after_request(_security_headers)

    from . import api, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app
