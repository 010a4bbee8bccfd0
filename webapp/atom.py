"""Any search as an Atom feed, so an analyst can follow it in a feed reader."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree import ElementTree

from indexer.search.request import SearchResult

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(
    result: SearchResult, self_url: str, page_url: str, article_url: Callable[[str], str], title: str
) -> bytes:
    """The hits of ``result`` as an Atom document (text is escaped by the XML writer)."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", self_url)
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, page_url, "alternate", "text/html")
    dates = [hit.date for hit in result.hits if hit.date]
    _text(feed, "updated", _stamp(max(dates) if dates else datetime.now(UTC)))
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "Newsfacet")
    for hit in result.hits:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        url = article_url(hit.id)
        _text(entry, "title", hit.title)
        _text(entry, "id", url)
        _link(entry, url, "alternate", "text/html")
        _text(entry, "updated", _stamp(hit.date or datetime(1970, 1, 1, tzinfo=UTC)))
        if hit.date:
            _text(entry, "published", _stamp(hit.date))
        if hit.source:
            source_author = ElementTree.SubElement(entry, f"{{{ATOM}}}author")
            _text(source_author, "name", hit.source)
        for name in (*hit.companies, *hit.technologies):
            ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=name)
        summary = ElementTree.SubElement(entry, f"{{{ATOM}}}summary", type="html")
        summary.text = hit.snippet_html  # escaped article text with <mark>: carried as escaped HTML
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ElementTree.Element, tag: str, value: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}").text = value


def _link(parent: ElementTree.Element, href: str, rel: str, media_type: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}link", href=href, rel=rel, type=media_type)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
