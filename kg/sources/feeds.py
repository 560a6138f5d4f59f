"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: the links of their items, with title and date.

:func:`parse_links` reads a feed or a sitemap (told apart by the root element, see
:mod:`kg.sources.sitemaps`) into :class:`Link` records. The XML parser resolves no
entities and loads nothing from the network. Items older than ``FetchOptions.since``
are left out; items without a date are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.sources import FetchOptions

if TYPE_CHECKING:
    from lxml import etree

    from kg.sources.web import Fetcher

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"


@dataclass(frozen=True)
class Link:
    url: str
    title: str | None = None
    date: str | None = None  # ISO 8601 date or date-time


def parse_xml(data: bytes, where: str) -> etree._Element:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(where, f"not a well-formed feed or sitemap: {' '.join(str(exc).split())}") from None
    if root is None:
        raise InputError(where, "empty XML document")
    return root


def parse_links(data: bytes, where: str, options: FetchOptions, fetcher: Fetcher | None = None,
                errors: list[InputError] | None = None) -> list[Link]:
    """The article links of a feed or sitemap (a sitemap index is followed with ``fetcher``; its
    children that fail are added to ``errors``)."""
    root = parse_xml(data, where)
    tag = root.tag if isinstance(root.tag, str) else ""
    local = tag.rsplit("}", 1)[-1]
    if local in ("urlset", "sitemapindex"):
        from kg.sources.sitemaps import sitemap_links

        links = sitemap_links(root, where, options, fetcher, [] if errors is None else errors)
    elif local == "rss":
        links = [_rss_item(item) for item in root.iter("item")]
    elif tag == f"{ATOM}feed":
        links = [_atom_entry(entry) for entry in root.iter(f"{ATOM}entry")]
    elif local == "RDF":
        links = [_rss_item(item, RSS1) for item in root.iter(f"{RSS1}item")]
    else:
        raise InputError(where, f"XML that is neither a feed nor a sitemap (root element <{local}>)")
    kept = [link for link in links if link.url and _recent(link.date, options.since)]
    return kept[: options.max_links]


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split()) or None


def _rss_item(item: etree._Element, ns: str = "") -> Link:
    link = _text(item.find(f"{ns}link")) or ""
    guid = item.find("guid")
    if not link and guid is not None and guid.get("isPermaLink", "true") == "true":
        link = _text(guid) or ""
    date = _text(item.find("pubDate")) or _text(item.find(f"{DC}date"))
    return Link(link, _text(item.find(f"{ns}title")), iso_date(date))


def _atom_entry(entry: etree._Element) -> Link:
    links = entry.findall(f"{ATOM}link")
    chosen = next((e for e in links if e.get("rel", "alternate") == "alternate" and e.get("href")), None)
    date = _text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated"))
    return Link(chosen.get("href", "") if chosen is not None else "", _text(entry.find(f"{ATOM}title")),
                iso_date(date))


def iso_date(value: str | None) -> str | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) date as an ISO date (``YYYY-MM-DD``)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _recent(date: str | None, since: str | None) -> bool:
    return since is None or date is None or date >= since


def parse_since(value: str) -> str:
    """``--since``: an ISO date, or ``Nd`` for N days ago (UTC)."""
    value = value.strip()
    if value[:-1].isdigit() and value.endswith("d"):
        day = datetime.now(UTC).date().toordinal() - int(value[:-1])
        return datetime.fromordinal(day).date().isoformat()
    iso = iso_date(value)
    if iso is None:
        raise ValueError(value)
    return iso
