"""Fetching pages politely, with a cache, and turning HTML into a :class:`~kg.records.Document`.

Politeness
    Every request says ``User-Agent: newskg/VERSION (+project URL)``. ``robots.txt`` is
    read once per host with :mod:`urllib.robotparser` and obeyed for the ``newskg``
    agent (a missing ``robots.txt`` allows everything). Requests to one host are spaced
    by ``FetchOptions.delay`` seconds; ``429`` and ``5xx`` answers are retried with
    exponential backoff (``Retry-After`` honoured, up to a minute); redirects are
    followed up to ``max_redirects``; a page over ``max_bytes`` is refused while it
    downloads, and a connection that stays silent ``timeout`` seconds is given up.

Cache
    With ``FetchOptions.cache_dir`` (the build puts it beside the store), each page is
    kept with its ``ETag`` and ``Last-Modified``; the next fetch is a conditional GET,
    and a ``304 Not Modified`` reuses the kept page, so a re-run downloads only what
    changed, and unchanged pages give the same text and the same content hash (the
    build then skips them, see :mod:`kg.build`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from kg import __version__
from kg.errors import InputError
from kg.records import Document
from kg.sources import FetchOptions, Record, SkipCounts

USER_AGENT = f"newskg/{__version__} (+https://github.com/newskg/newskg)"
AGENT_TOKEN = "newskg"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_XML_ROOTS = (b"<rss", b"<feed", b"<rdf:RDF", b"<urlset", b"<sitemapindex")


@dataclass(frozen=True)
class Page:
    url: str  # as asked
    final_url: str  # after redirects
    content_type: str
    body: bytes
    from_cache: bool = False


class Fetcher:
    """One HTTP client for a run: robots rules, per-host spacing and the cache are shared."""

    def __init__(self, options: FetchOptions) -> None:
        import httpx

        self.options = options
        self._client = httpx.Client(headers={"User-Agent": USER_AGENT}, follow_redirects=True,
                                    max_redirects=options.max_redirects, timeout=options.timeout)
        self._robots: dict[str, RobotFileParser] = {}
        self._last: dict[str, float] = {}
        self._cache = Path(options.cache_dir) if options.cache_dir else None
        self.requests = 0  # requests sent, for tests and benchmarks

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str) -> Page:
        """The page at ``url``; raises :class:`InputError` naming the URL and the problem."""
        if not self.allowed(url):
            raise InputError(url, "refused by the site's robots.txt")
        meta, body = self._cached(url)
        headers = {}
        if meta and body is not None:
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        status, final_url, response_headers, data = self._get(url, headers)
        if status == 304 and meta and body is not None:
            return Page(url, meta["final_url"], meta["content_type"], body, from_cache=True)
        if status != 200:
            raise InputError(url, f"HTTP {status}")
        content_type = response_headers.get("content-type", "")
        self._keep(url, final_url, content_type, response_headers, data)
        return Page(url, final_url, content_type, data)

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            rules = RobotFileParser()
            try:
                status, _, _, data = self._get(root + "/robots.txt", {}, retries=0)
            except InputError:  # unreachable: the page fetch will say why
                status, data = 404, b""
            if status == 200:
                rules.parse(data.decode("utf-8", "replace").splitlines())
            else:  # none (4xx): everything allowed; a failing server (5xx): nothing, to be safe
                rules.parse(["User-agent: *", "Disallow: /"] if status >= 500 else [])
            self._robots[root] = rules
        return self._robots[root].can_fetch(AGENT_TOKEN, url)

    def _get(self, url: str, headers: dict[str, str], retries: int | None = None) -> tuple[int, str, Any, bytes]:
        import httpx

        retries = self.options.retries if retries is None else retries
        for attempt in range(retries + 1):
            self._wait(url)
            try:
                self.requests += 1
                with self._client.stream("GET", url, headers=headers) as response:
                    data = self._read_capped(url, response) if response.status_code == 200 else b""
                    status, final_url, got = response.status_code, str(response.url), response.headers
            except httpx.TooManyRedirects:
                raise InputError(url, f"more than {self.options.max_redirects} redirects") from None
            except httpx.TimeoutException:
                raise InputError(url, f"timed out after {self.options.timeout:g} s") from None
            except httpx.ConnectError as exc:
                raise InputError(url, f"cannot connect: {_reason(exc)}") from None
            except (httpx.HTTPError, OSError) as exc:
                raise InputError(url, f"cannot fetch: {_reason(exc)}") from None
            if (status == 429 or status >= 500) and attempt < retries:
                time.sleep(self._backoff(attempt, got.get("retry-after")))
                continue
            return status, final_url, got, data
        raise AssertionError("unreachable")

    def _read_capped(self, url: str, response: Any) -> bytes:
        limit = self.options.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise InputError(url, f"page of {int(declared):,} bytes, over the limit of {limit:,}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise InputError(url, f"page over the limit of {limit:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(60.0, float(retry_after))
        return min(60.0, self.options.backoff * 2**attempt)

    def _wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        pause = self._last.get(host, -1e9) + self.options.delay - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last[host] = time.monotonic()

    def _paths(self, url: str) -> tuple[Path, Path] | None:
        if self._cache is None:
            return None
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self._cache / f"{key}.json", self._cache / f"{key}.body"

    def _cached(self, url: str) -> tuple[dict[str, str] | None, bytes | None]:
        paths = self._paths(url)
        if paths is None:
            return None, None
        try:
            return json.loads(paths[0].read_text(encoding="utf-8")), paths[1].read_bytes()
        except (OSError, ValueError):
            return None, None

    def _keep(self, url: str, final_url: str, content_type: str, headers: Any, data: bytes) -> None:
        paths = self._paths(url)
        if paths is None or not (headers.get("etag") or headers.get("last-modified")):
            return
        meta = {"url": url, "final_url": final_url, "content_type": content_type,
                "etag": headers.get("etag", ""), "last_modified": headers.get("last-modified", "")}
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        tmp = paths[1].with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(paths[1])
        paths[0].write_text(json.dumps(meta), encoding="utf-8")  # last: no metadata without its body


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# -- reading a URL ------------------------------------------------------------------------


def read_url(url: str, fetcher: Fetcher, options: FetchOptions, skipped: SkipCounts) -> Iterator[Record]:
    """The article at ``url``, or the articles a feed or sitemap there links to."""
    page = fetcher.fetch(url)
    kind = page_kind(page)
    if kind == "html":
        yield html_document(page.body, page.content_type, page.final_url, url)
        return
    if kind != "xml":
        raise InputError(url, f"not an HTML page, a feed or a sitemap ({page.content_type or 'no content type'})")
    from kg.sources.feeds import Link, parse_links

    errors: list[InputError] = []
    links: list[Link] = parse_links(page.body, url, options, fetcher, errors)
    yield from errors
    done: set[str] = set()
    for link in links:
        if link.url in done:
            skipped.add("duplicate")
            continue
        done.add(link.url)
        try:
            article = fetcher.fetch(link.url)
            if page_kind(article) != "html":
                raise InputError(link.url, f"not an HTML page ({article.content_type or 'no content type'})")
            doc = html_document(article.body, article.content_type, article.final_url, link.url)
        except InputError as exc:
            yield exc
            continue
        yield Document(doc.identifier, doc.text, doc.source, doc.title or link.title, doc.url,
                       doc.date or link.date, doc.lang)


def page_kind(page: Page) -> str:
    """``html``, ``xml`` (a feed or a sitemap: told apart by its root) or ``other``."""
    mime = page.content_type.split(";")[0].strip().lower()
    head = page.body[:2048].lstrip()
    xml = head.startswith((b"<?xml", *_XML_ROOTS))
    if xml and any(root in head for root in _XML_ROOTS):  # a feed or sitemap, whatever the server calls it
        return "xml"
    textual = mime in HTML_TYPES or mime.startswith("text/") or not mime
    if textual and (mime in HTML_TYPES or head[:15].lower().startswith((b"<!doctype html", b"<html"))):
        return "html"
    return "xml" if xml or mime.endswith("xml") else "other"


def html_document(body: bytes, content_type: str, url: str, where: str) -> Document:
    """An article from an HTML page fetched or archived at ``url``; its identity is its canonical URL."""
    from kg.ingest import checked_text, decode, detect_language, extract_html, language_code

    html = decode(_utf8(body, content_type), where)
    fields = extract_html(html, where)
    text = checked_text(fields["text"], where)
    canonical = canonical_url(fields.get("url"), url)
    return Document(identifier=canonical, text=text, source=where, title=fields.get("title") or None,
                    url=canonical, date=fields.get("date") or None,
                    lang=detect_language(text) or language_code(fields.get("language")))


def canonical_url(declared: object, base: str) -> str:
    """The page's declared canonical URL (made absolute), else the URL it came from."""
    if isinstance(declared, str) and declared.strip():
        absolute = urljoin(base, declared.strip())
        if urlsplit(absolute).scheme in ("http", "https"):
            return absolute
    return base


def _utf8(body: bytes, content_type: str) -> bytes:
    """Bytes in a declared non-UTF-8 charset, re-encoded as UTF-8 (undeclared: the file rules apply)."""
    charset = ""
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if charset and charset not in ("utf-8", "utf8"):
        try:
            return body.decode(charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            return body
    return body
