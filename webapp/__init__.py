"""Newsfacet's web front end: the search page, the article page and the JSON API."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .services import init_app as init_services


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

    init_services(app)

    from . import api, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app
