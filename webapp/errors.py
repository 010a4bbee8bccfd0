"""One error handler for the whole app (Datasette's ``handle_exception``).

Every error reaches the person as the same two things, a status and a
message: JSON ``{"status", "message"}`` under ``/api/``, the error page
elsewhere. Views raise; they never build error answers themselves.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from indexer.errors import NewsfacetError
from indexer.search.serialize import ERROR_FIELDS, ErrorAnswer, to_json

from .params import MAX_QUERY_CHARS

# Titles and messages for the HTTP errors Flask raises itself, by status.
HTTP_TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 500: "Server error"}
HTTP_MESSAGES = {
    404: "There is no page or article at this address.",
    405: "method not allowed",
    500: "the server could not answer this request",
}


def handle_exception(error: Exception):
    """The answer to any error raised while handling a request."""
    api = request.path.startswith("/api/")
    if isinstance(error, NewsfacetError):
        status, title, message = error.status, error.title, str(error)
        if error.page_hint and not api:
            message = f"{message}. {error.page_hint}"
    elif isinstance(error, HTTPException):
        status = error.code or 500
        title = HTTP_TITLES.get(status, error.name)
        message = HTTP_MESSAGES.get(status, error.description or title)
    else:
        current_app.logger.exception("unhandled error answering %s", request.path)
        status, title, message = 500, HTTP_TITLES[500], HTTP_MESSAGES[500]
    if api:
        response = jsonify(to_json(ERROR_FIELDS, ErrorAnswer(status, message)))
    else:
        _bind_links()
        # A refused query stays in the search box, to be corrected rather than typed again.
        typed = request.args.get("q", "")[:MAX_QUERY_CHARS]
        response = current_app.make_response(
            (render_template("pages/error.html", title=title, message=message, typed_query=typed), status)
        )
    response.status_code = status
    if isinstance(error, HTTPException):
        # Keep what Flask set for the error, such as Allow on a 405.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers.setdefault(name, value)
    return response


def _bind_links() -> None:
    """Let the error page build its links when Flask refused the Host header (``TRUSTED_HOSTS``).

    Flask refuses such a request before it binds URLs to the request's host, and
    the page's links are relative, so any name will do; the refused one is never used.
    """
    if request_ctx.url_adapter is None:
        request_ctx.url_adapter = current_app.url_map.bind(
            "localhost", script_name=request.root_path or "/", url_scheme=request.scheme
        )


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle_exception)
