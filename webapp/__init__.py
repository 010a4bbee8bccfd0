"""Newsfacet's web front end: the search page, the article page and the JSON API."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response

from indexer.search.budget import SEARCH_SECONDS
from indexer.search.export import EXPORT_MAX_ROWS

from . import errors, services
from .text import finalize, thousands

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
    ``test_config``. ``TRUSTED_HOSTS`` (Flask's own check of the ``Host``
    header: a list, or names separated by commas) and ``PUBLIC_URL`` (the origin
    the feed's absolute links use) are for production; without them any host
    name is answered, as ``make run`` on localhost needs.
    """
    app = Flask(__name__, instance_relative_config=True)
    # Every value a template writes is stripped of characters HTML and XML reject.
    app.jinja_options = {**app.jinja_options, "finalize": finalize}
    app.add_template_filter(thousands)
    app.config.from_mapping(
        INDEX=os.path.abspath(os.path.join("instance", "index")),
        PER_PAGE=10,
        JSON_SORT_KEYS=False,
        PUBLIC_URL=None,
        # Each search's time budget, after which it answers 503 (indexer/search/budget.py).
        SEARCH_SECONDS=SEARCH_SECONDS,
        # The most articles one export (/export.csv, /export.jsonl) holds (indexer/search/export.py).
        EXPORT_MAX_ROWS=EXPORT_MAX_ROWS,
        # Open the index and run one search at startup (never under TESTING, where each test opens its own).
        WARM_UP=True,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("NEWSFACET")
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False
    _check_host_settings(app)

    errors.init_app(app)
    app.after_request(_security_headers)

    from . import api, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    if app.config["WARM_UP"] and not app.testing:
        services.warm_up(app)
    return app


def _check_host_settings(app: Flask) -> None:
    """``TRUSTED_HOSTS`` as the list Flask checks, and a ``PUBLIC_URL`` that is an http(s) origin.

    A mistake here is a startup error: a check of the Host header that silently
    did nothing would be worse than none.
    """
    trusted = app.config.get("TRUSTED_HOSTS")
    if isinstance(trusted, str):  # NEWSFACET_TRUSTED_HOSTS=news.example.com,localhost
        trusted = [name for name in trusted.replace(",", " ").split() if name]
    if trusted is not None:
        app.config["TRUSTED_HOSTS"] = list(trusted) or None
    public = app.config.get("PUBLIC_URL")
    if public:
        parts = urlsplit(public)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") or parts.query:
            raise ValueError(f"PUBLIC_URL must be an origin such as https://news.example.com, not {public!r}")
