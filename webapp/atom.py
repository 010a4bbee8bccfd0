"""Any search as an Atom feed, so an analyst can follow it in a feed reader.

Every text is escaped once, by the XML writer, after :func:`.text.displayable`
has taken out what XML cannot carry. A hit's snippet (escaped text with
``<mark>`` around matched words) goes in as XHTML elements (``type="xhtml"``),
not as a string of HTML that the writer would escape a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree import ElementTree

from indexer.search.request import SearchResult

from .text import displayable

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"


def atom_feed(
    result: SearchResult, self_url: str, page_url: str, article_url: Callable[[str], str], title: str
) -> bytes:
    """The hits of ``result`` as an Atom document."""
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
        for name in (*hit.companies, *hit.technologies, *(event.type for event in hit.events)):
            ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=displayable(name))
        summary = ElementTree.SubElement(entry, f"{{{ATOM}}}summary", type="xhtml")
        summary.append(_xhtml_div(hit.snippet_html))
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _xhtml_div(snippet_html: str) -> ElementTree.Element:
    """The snippet as the XHTML ``div`` Atom wants: its text and ``<mark>`` read back as elements.

    The snippet is escaped text and ``<mark>`` tags only, so it reads as XML.
    The namespace is declared on the ``div`` itself (RFC 4287's form) rather
    than as a prefix on the feed, which some readers do not follow.
    """
    div = ElementTree.fromstring(f"<div>{displayable(snippet_html)}</div>")
    div.set("xmlns", XHTML)
    return div


def _text(parent: ElementTree.Element, tag: str, value: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}").text = displayable(value)


def _link(parent: ElementTree.Element, href: str, rel: str, media_type: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}link", href=displayable(href), rel=rel, type=media_type)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
