"""Sitemaps (``<urlset>``), Google News sitemaps (``news:news``) and sitemap indexes.

A ``<url>``'s date is its ``news:publication_date``, else its ``lastmod``; its title,
the news ``news:title``. A sitemap index is followed one level down (an index of
indexes goes no deeper), each child fetched with the same politeness; a child that
fails is one error (the index's other children are still read).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.sources import FetchOptions
from kg.sources.feeds import Link, _text, iso_date, parse_xml

if TYPE_CHECKING:
    from lxml import etree

    from kg.sources.web import Fetcher

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def sitemap_links(root: etree._Element, where: str, options: FetchOptions, fetcher: Fetcher | None,
                  errors: list[InputError], depth: int = 0) -> list[Link]:
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    if root.tag.endswith("sitemapindex"):
        if fetcher is None or depth > 0:
            return []
        links: list[Link] = []
        for loc in root.iter(f"{ns}loc"):
            child = _text(loc)
            if not child or len(links) >= options.max_links:
                continue
            try:
                page = fetcher.fetch(child)
                links += sitemap_links(parse_xml(page.body, child), child, options, fetcher, errors, depth + 1)
            except InputError as exc:
                errors.append(exc)
        return links
    return [_url_entry(url, ns) for url in root.iter(f"{ns}url")]


def _url_entry(url: etree._Element, ns: str) -> Link:
    news = url.find(f"{NEWS}news")
    title = date = None
    if news is not None:
        title = _text(news.find(f"{NEWS}title"))
        date = _text(news.find(f"{NEWS}publication_date"))
    return Link(_text(url.find(f"{ns}loc")) or "", title, iso_date(date or _text(url.find(f"{ns}lastmod"))))
