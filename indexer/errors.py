"""The one family of errors newsfacet raises on purpose.

Every error a user can meet is a :class:`NewsfacetError` that carries how to
answer it: ``status`` for the web app (one handler turns any of them into a
page or, under ``/api/``, JSON) and ``exit_code`` for the command line (which
prints the message and exits with it). Code that raises one never decides how
it is shown; code that shows one never needs to know which kind it is.

Exit codes follow BSD's sysexits where one fits: 2 a request that cannot be
read, 65 bad input data, 69 no usable index, 74 a failed write, 75 try again.
"""

from __future__ import annotations

# What every "rebuild the index" message tells the person to run.
REBUILD_COMMAND = "newsfacet index --full PATH ..."


class NewsfacetError(Exception):
    """Base of every error newsfacet reports to a person; the message says what to do."""

    status = 500
    exit_code = 1
    title = "Something went wrong"
    page_hint = ""  # what a person reading the error page can do next


class InvalidRequestError(NewsfacetError):
    """A search request that cannot be answered as asked: a parameter that cannot be read,
    an unknown sort, dates the wrong way round."""

    status = 400
    exit_code = 2
    title = "Bad request"


class NotFoundError(NewsfacetError):
    """No such article, facet or page."""

    status = 404
    exit_code = 1
    title = "Not found"


class InputError(NewsfacetError):
    """Input that cannot become an article (an empty or binary file, a broken record, an
    unreadable date), or a data file the extractors cannot read. Reindexing reports and
    skips such input; the rest is indexed."""

    status = 422
    exit_code = 65
    title = "Input that cannot be read"


class IndexUnavailableError(NewsfacetError):
    """The index cannot be searched now; the message says which command makes it usable."""

    status = 503
    exit_code = 69
    title = "The search index is not available"
    page_hint = "Then reload this page."


class IndexNotFoundError(IndexUnavailableError):
    """There is no index at the folder yet; ``newsfacet index`` builds one."""


class IndexOutdatedError(IndexUnavailableError):
    """The index was written by an older version; a full rebuild brings it up to date."""


class IndexDamagedError(IndexUnavailableError):
    """A file of the index cannot be read as written; a full rebuild replaces it."""


class SearchTimeoutError(NewsfacetError):
    """A search that did not finish within its time budget. It is stopped rather than left
    to hold a server thread; a narrower query (fewer words, no wildcards) answers in time."""

    status = 503
    exit_code = 75
    title = "The search took too long"
    page_hint = "Try fewer words or a longer prefix."


class IndexLockedError(NewsfacetError):
    """Another process is writing the index and did not finish in time."""

    status = 503
    exit_code = 75
    title = "The index is being written"


class IndexWriteError(NewsfacetError):
    """Writing a new index failed; the index that was serving is unchanged."""

    status = 500
    exit_code = 74
    title = "The index could not be written"
