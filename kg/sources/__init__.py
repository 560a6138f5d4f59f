"""Articles from where the news lives: web pages, RSS/Atom feeds, sitemaps and WARC archives.

:func:`iter_inputs` is what the build reads. It gives local files and folders to
:mod:`kg.ingest` and reads the rest here:

* an ``http``/``https`` URL is fetched (:mod:`kg.sources.web`); an RSS or Atom feed
  (:mod:`kg.sources.feeds`) or a sitemap or sitemap index (:mod:`kg.sources.sitemaps`)
  expands to its article links, each fetched in turn, and an HTML page is an article;
* a ``.warc``, ``.warc.gz``, ``.arc`` or ``.arc.gz`` file is read as an archive
  (:mod:`kg.sources.warc`): each HTML ``200`` response is an article.

Identity
    A page's identity is its canonical URL (``<link rel="canonical">`` or ``og:url``),
    else the URL it was fetched from (after redirects) or archived under. The same page
    reached twice (from a feed and a sitemap, or under two URLs with one canonical URL)
    is one article, read once. An HTML file on disk whose page declares a canonical URL
    has that identity too, so the same pages give the same graph from the web, from a
    WARC file or saved as files.

Errors
    Each failure is one :class:`~kg.errors.InputError` yielded in place of its article,
    naming the URL (or the archive and the record's offset); the other articles go on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import ArticleError, InputError, describe
from kg.ingest import Record
from kg.records import Document

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_URL = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch: politeness, limits, the cache, and which feed items to keep."""

    delay: float = 1.0  # seconds between two requests to one host
    timeout: float = 20.0  # seconds to connect, and between two reads
    max_bytes: int = 5 * 1024 * 1024  # a larger page is refused
    max_redirects: int = 5
    retries: int = 3  # on 429 and 5xx, with exponential backoff
    backoff: float = 1.0  # seconds before the first retry (doubled each time; Retry-After wins, up to 60 s)
    cache_dir: str | None = None  # None: no cache (the build puts it beside the store)
    since: str | None = None  # ISO date: feed and sitemap items published before it are left out
    max_links: int = 10_000  # links taken from one feed or sitemap (a sitemap index counts its children)
    languages: tuple[str, ...] = ()  # e.g. ("fr",): articles detected in another language are left out


@dataclass
class SkipCounts:
    """Records and links left out silently, by reason; the build's summary line shows them."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str, count: int = 1) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + count


def is_url(item: object) -> bool:
    return isinstance(item, str) and bool(_URL.match(item))


def is_archive(item: object) -> bool:
    return not is_url(item) and str(item).lower().endswith(ARCHIVE_SUFFIXES)


def iter_inputs(inputs: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
                options: FetchOptions | None = None, skipped: SkipCounts | None = None,
                seen: set[str] | None = None) -> Iterator[Record]:
    """Every document of ``inputs`` (files and folders first, then URLs and archives in the order given),
    each problem yielded in its place. ``seen`` collects the identities of the pages read from the
    web and archives (a page already in it is a duplicate): the Dask engine reads archives on its
    workers and goes on with this set (:mod:`kg.runners_warc`)."""
    from kg.ingest import iter_inputs as iter_files

    options, skipped = options or FetchOptions(), skipped if skipped is not None else SkipCounts()
    items = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    seen = seen if seen is not None else set()
    fetcher = None
    try:
        files = [i for i in items if not (is_url(i) or is_archive(i))]
        if files:
            yield from _in_languages(iter_files(files), options, skipped)
        for item in items:
            if is_url(item):
                if fetcher is None:
                    from kg.sources.web import Fetcher

                    fetcher = Fetcher(options)
                yield from _unique(_in_languages(_read_url(str(item), fetcher, options, skipped), options, skipped),
                                   seen, skipped)
            elif is_archive(item):
                yield from archive_records(Path(item), options, skipped, seen)
    finally:
        if fetcher is not None:
            fetcher.close()


def _in_languages(records: Iterator[Record], options: FetchOptions, skipped: SkipCounts) -> Iterator[Record]:
    """With ``options.languages``, articles detected in another language are left out (counted);
    those whose language is unsure (a short text) stay."""
    for record in records:
        if options.languages and isinstance(record, Document) and record.lang \
                and record.lang.split("-")[0].lower() not in options.languages:
            skipped.add("other language")
            continue
        yield record


def _unique(records: Iterator[Record], seen: set[str], skipped: SkipCounts) -> Iterator[Record]:
    for record in records:
        if isinstance(record, Document):
            if record.identifier in seen:
                skipped.add("duplicate")
                continue
            seen.add(record.identifier)
        yield record


def _read_url(url: str, fetcher: object, options: FetchOptions, skipped: SkipCounts) -> Iterator[Record]:
    from kg.sources.web import read_url

    try:
        yield from read_url(url, fetcher, options, skipped)  # type: ignore[arg-type]
    except InputError as exc:
        yield exc
    except Exception as exc:  # a bug or a library failing on one input: that input's error, not the build's
        yield ArticleError(url, "read", describe(exc), exc)


def archive_records(path: Path, options: FetchOptions, skipped: SkipCounts, seen: set[str],
                    span: tuple[int, int | None] = (0, None)) -> Iterator[Record]:
    """The articles of one archive (a page whose identity is in ``seen`` is a duplicate), each
    problem yielded in its place: what the build reads here, or a Dask worker reads itself.
    ``span``: only the records that start in this byte range (:func:`kg.sources.warc.read_archive`)."""
    return _unique(_in_languages(_read_archive(path, options, skipped, span), options, skipped), seen, skipped)


def _read_archive(path: Path, options: FetchOptions, skipped: SkipCounts,
                  span: tuple[int, int | None]) -> Iterator[Record]:
    from kg.sources.warc import read_archive

    try:
        yield from read_archive(path, options, skipped, span)
    except InputError as exc:
        yield exc
    except Exception as exc:
        yield ArticleError(str(path), "read", describe(exc), exc)


__all__ = ["FetchOptions", "SkipCounts", "archive_records", "is_archive", "is_url", "iter_inputs"]
