"""The ``newsfacet`` command: a thin layer over the library's functions.

Every :class:`~indexer.errors.NewsfacetError` the library raises (no index yet,
a locked index, bad input) becomes one line on standard error and the error's
own exit code, in one place: :class:`NewsfacetCommands`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import datetime

import click

from indexer import progress
from indexer.errors import InputError, NewsfacetError
from indexer.facets.extract import extract_facets_batch
from indexer.index.store import IndexStore
from indexer.ingest.files import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_RECORD_BYTES
from indexer.ingest.records import article_from_record
from indexer.reindex import reindex
from indexer.search.events import EVENT_ROLES
from indexer.search.export import EXPORT_MAX_ROWS, ExportFormat, export_articles, start_export
from indexer.search.export import FORMATS as EXPORT_FORMATS
from indexer.search.facets import all_of_names, facet_names
from indexer.search.request import MAX_PER_PAGE, MODES, SORTS, SearchRequest
from indexer.search.sentences import sentence_text
from indexer.search.serialize import EVENT_FIELDS, result_to_dict, to_json
from indexer.search.service import SearchService

DEFAULT_INDEX = os.path.join("instance", "index")
DEFAULT_PATHS = ("seeds",)

SECONDS = click.FloatRange(min=0)
DATE = click.DateTime(formats=["%Y-%m-%d"])
MEGABYTES = click.FloatRange(min=0, min_open=True)
PROGRESS_HELP = "Seconds between progress lines when not on a terminal."

index_option = click.option(
    "--index",
    "index_dir",
    envvar="NEWSFACET_INDEX",
    default=DEFAULT_INDEX,
    type=click.Path(file_okay=False),
    help="Index folder (or $NEWSFACET_INDEX).",
)


class NewsfacetCommands(click.Group):
    """The commands, with every error newsfacet raises turned into its message and exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NewsfacetError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=NewsfacetCommands, context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
def main() -> None:
    """Newsfacet: keyword and faceted search over industry news."""


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option("--full", is_flag=True, help="Rebuild from exactly these paths and swap the new index in.")
@click.option("--strict", is_flag=True, help="Exit non-zero when any input was skipped.")
@click.option("--max-file-mb", type=MEGABYTES, default=DEFAULT_MAX_FILE_BYTES / 2**20, help="Skip larger files.")
@click.option(
    "--max-record-mb",
    type=MEGABYTES,
    default=DEFAULT_MAX_RECORD_BYTES / 2**20,
    help="Skip larger records (a line, a CSV row, a plain-text article).",
)
@click.option("--lock-timeout", type=SECONDS, default=60.0, help="Seconds to wait for another reindex to finish.")
@click.option("--progress-every", type=SECONDS, default=10.0, envvar="NEWSFACET_PROGRESS_EVERY", help=PROGRESS_HELP)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT|local",
    help="Extract facets and write segments on the Dask cluster of this scheduler, or on a local one started "
    "for the run (needs: pip install 'newsfacet[cluster]').",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes of a large build, and of a --scheduler local cluster.  [default: one per core]",
)
def index_command(
    paths: tuple[str, ...],
    index_dir: str,
    full: bool,
    strict: bool,
    max_file_mb: float,
    max_record_mb: float,
    lock_timeout: float,
    progress_every: float,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Ingest files and folders (default: seeds/), extract facets, write the index."""
    store = IndexStore(index_dir, lock_timeout=lock_timeout)
    report = reindex(
        paths or DEFAULT_PATHS,
        store,
        full=full,
        max_file_bytes=int(max_file_mb * 2**20),
        max_record_bytes=int(max_record_mb * 2**20),
        progress=progress.for_stream(sys.stderr, progress_every),
        workers=workers,
        scheduler=scheduler,
    )
    for note in report.notes:
        click.echo(f"note {note.origin}: {note.message}", err=True)
    for skipped in report.skipped:
        click.echo(f"skipped {skipped.origin}: {skipped.reason}", err=True)
    click.echo(f"{report.summary()} -> {index_dir}")
    if strict and report.skipped:
        raise InputError(f"{len(report.skipped)} input(s) skipped (--strict)")


@main.command("publish")
@click.argument("replica", type=click.Path(file_okay=False))
@index_option
@click.option("--lock-timeout", type=SECONDS, default=60.0, help="Seconds to wait for a reindex of either to finish.")
def publish_command(replica: str, index_dir: str, lock_timeout: float) -> None:
    """Copy the served index into REPLICA, an index folder a read replica serves, and serve it there."""
    report = IndexStore(index_dir, lock_timeout=lock_timeout).publish(IndexStore(replica, lock_timeout=lock_timeout))
    click.echo(f"{report.summary()} -> {replica}")


def facet_options(command: Callable) -> Callable:
    """``--company``, ``--not-company`` and ``--company-mode``, and the same for every other facet kind, from
    the facets' list (a mode only for the facets whose values can all be asked for)."""
    for name in reversed(facet_names()):
        flag = name.replace("_", "-")
        command = click.option(
            f"--not-{flag}", f"not_{name}", multiple=True, help=f"Leave out articles with this {name} (repeatable)."
        )(command)
        if name in all_of_names():
            command = click.option(
                f"--{flag}-mode",
                f"{name}_mode",
                type=click.Choice(MODES),
                default="any",
                help=f"Whether several --{flag} mean any of them or all of them.",
            )(command)
        command = click.option(
            f"--{flag}", name, multiple=True, help=f"Only articles with this {name} (repeat for OR)."
        )(command)
    return command


@main.command("search")
@click.argument("query", default="")
@facet_options
@click.option(
    "--role",
    "roles",
    multiple=True,
    help=f"Only articles where a selected company (any without --company) takes this role in a selected event "
    f"(any without --event); repeat for OR. One of {', '.join(EVENT_ROLES)}.",
)
@click.option("--from", "date_from", type=DATE, help="Only articles from this day on (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Only articles up to this day (YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--per-page", type=click.IntRange(min=1, max=MAX_PER_PAGE), default=10)
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON object as /api/search.")
@click.option(
    "--format",
    "export_format",
    type=click.Choice(sorted(EXPORT_FORMATS)),
    help="Write every article found (not one page) as CSV or JSON Lines, as /export.csv and /export.jsonl do.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=EXPORT_MAX_ROWS,
    help="The most articles --format writes; a note on stderr says when the search finds more.",
)
@index_option
def search_command(
    query: str,
    roles: tuple[str, ...],
    date_from: datetime | None,
    date_to: datetime | None,
    sort: str,
    page: int,
    per_page: int,
    as_json: bool,
    export_format: str | None,
    max_rows: int,
    index_dir: str,
    **facets: tuple[str, ...] | str,
) -> None:
    """Search the index as the web page and the API do, with the same filters."""
    if as_json and export_format:
        raise click.UsageError("use --json or --format, not both")
    names = facet_names()
    request = SearchRequest(
        query=query,
        filters={name: facets[name] for name in names if facets[name]},
        excluded={name: facets[f"not_{name}"] for name in names if facets[f"not_{name}"]},
        modes={name: facets[f"{name}_mode"] for name in all_of_names()},
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
        sort=sort,
        page=page,
        per_page=per_page,
        roles=roles,
    )
    service = SearchService.for_index(index_dir)
    try:
        if export_format:
            _export(service, request, EXPORT_FORMATS[export_format], max_rows)
            return
        result = service.search(request)
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps(result_to_dict(result), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.total} articles (page {result.page} of {result.pages}, {result.took_ms} ms)")
    for hit in result.hits:
        date = hit.date.date().isoformat() if hit.date else "undated"
        click.echo(f"\n{hit.title}\n  {date} · {hit.source or 'unknown source'} · id {hit.id}")
        if hit.companies or hit.technologies:
            click.echo(f"  {', '.join(hit.companies + hit.technologies)}")
        for event in hit.events:
            click.echo(f"  {sentence_text(event)}")
    for facet in result.facets:
        values = ", ".join(f"{'*' if v.selected else ''}{v.value} ({v.count})" for v in facet.values)
        click.echo(f"\n{facet.label}: {values or '-'}")


def _export(service: SearchService, request: SearchRequest, form: ExportFormat, max_rows: int) -> None:
    """The whole result set to stdout; a cut at ``max_rows`` is said on stderr, never silently."""
    export = start_export(service, request, max_rows)
    for line in form.lines(export_articles(service, export)):
        click.echo(line, nl=False)
    if export.truncated:
        click.echo(
            f"exported {len(export.ids)} of {export.total} articles; --max-rows {max_rows} cut the rest", err=True
        )


@main.command("extract")
def extract_command() -> None:
    """Read JSON lines {"id", "title", "body"} on stdin; write {"id", "companies", "technologies", "events"}.

    Each event is {"type", "participants": [{"name", "role"}]}, as the API writes it.

    Other fields are ignored, except "corpus", which is copied so ids that repeat
    across corpora stay apart, and "source", which is never taken for a company.
    All input is read first: a company confirmed in one article is recognised in
    the others.
    """
    records, articles, failures = [], [], 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "id" not in record:
                raise InputError("not a JSON object with an id")
            articles.append(article_from_record(record, f"line-{number}", "", f"line {number}"))
            records.append(record)
        except (ValueError, InputError) as error:
            failures += 1
            click.echo(f"line {number}: skipped: {error}", err=True)
    for record, facets in zip(records, extract_facets_batch(articles), strict=True):
        output = {
            "id": record["id"],
            "companies": list(facets.companies),
            "technologies": list(facets.technologies),
            "events": [to_json(EVENT_FIELDS, event) for event in facets.events],
        }
        if "corpus" in record:
            output = {"corpus": record["corpus"], **output}
        click.echo(json.dumps(output, ensure_ascii=False))
    if failures:
        raise InputError(f"{failures} line(s) skipped")


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=click.IntRange(1, 65535), envvar="PORT", default=5000, help="Port (or $PORT).")
@click.option("--threads", type=click.IntRange(1, 64), default=8)
@index_option
def serve_command(host: str, port: int, threads: int, index_dir: str) -> None:
    """Serve the search page and API with waitress."""
    from waitress import serve

    from webapp import create_app

    app = create_app({"INDEX": os.path.abspath(index_dir)})
    click.echo(f"Serving {os.path.abspath(index_dir)} on http://{host}:{port}/")
    # No server name in responses; bounded bodies, headers, connections and idle time.
    serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident=None,
        max_request_body_size=1_048_576,
        max_request_header_size=65_536,
        connection_limit=200,
        channel_timeout=60,
        clear_untrusted_proxy_headers=True,
    )


if __name__ == "__main__":
    main(prog_name="newsfacet")
