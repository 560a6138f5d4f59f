"""Reading the news where it lives (issue 14): a local HTTP server on 127.0.0.1 serves the sample
articles as HTML pages, an RSS feed, an Atom feed, a sitemap index and its news sitemap, a
robots.txt that forbids one path, a slow page, a 404, a 500-then-200, a huge page and a binary
file; a WARC written here with warcio holds the same pages, a redirect, a PDF, a duplicate and
a truncated last record. No other address is ever contacted."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import io
import threading
import time
import warnings
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import XSD, Literal
from rdflib.compare import isomorphic

import kg
from kg.build import BuildSettings
from kg.errors import InputError
from kg.sources import FetchOptions
from kg.sources.feeds import parse_links
from kg.sources.web import USER_AGENT, Fetcher
from kg.store import open_store
from kg.vocab import SCHEMA
from tests.conftest import kg as kg_cli
from tests.test_build import facts, readable_diff

pytestmark = pytest.mark.model
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
ARTICLES = {  # path on the server -> (sample file, publication day)
    "/actu/hugging-face.html": ("003_6044967c27cf0e61.txt", "2026-01-15"),
    "/actu/mistral.html": ("001_e2141a1fc9ec858b.txt", "2026-01-16"),
    "/actu/openai.html": ("004_e7126b3bda593139.txt", "2026-01-17"),
    "/actu/flaky.html": ("002_70db4dae24e22b81.txt", "2026-01-18"),  # 500 first, then 200
}
BROKEN = ["/private/secret.html", "/missing.html", "/huge.html", "/file.bin", "/slow.html"]
OPTIONS = FetchOptions(delay=0, timeout=0.5, max_bytes=200_000, retries=1, backoff=0.05)


def page(url: str, name: str, day: str) -> bytes:
    text = (SAMPLE / name).read_text(encoding="utf-8")[:1500]  # short: the NLP is not what is tested
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in text.splitlines() if p.strip())
    title = f"Article {name[:3]}"
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="canonical" href="{url}"><meta property="article:published_time" content="{day}T08:00:00Z">'
            f"</head><body><nav><a href='/'>Accueil</a></nav><article><h1>{title}</h1>\n{paragraphs}</article>"
            "<footer>Mentions légales</footer></body></html>").encode()


class Site:
    """What the server serves, and what it was asked (path, status), for the server-side checks."""

    def __init__(self, root: str) -> None:
        self.root, self.log, self.lock, self.flaky_failed = root, [], threading.Lock(), False
        self.pages = {path: page(root + path, name, day) for path, (name, day) in ARTICLES.items()}
        links = list(ARTICLES) + BROKEN
        rss_items = "".join(
            f"<item><title>Titre du flux {i}</title><link>{root}{p}</link>"
            f"<pubDate>{format_datetime(datetime(2026, 1, 15 + i, 9, tzinfo=UTC))}</pubDate></item>"
            for i, p in enumerate(links))
        self.pages["/feed.xml"] = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Actu</title>'
                                   f"{rss_items}</channel></rss>").encode()
        atom_entries = "".join(f'<entry><title>A</title><link href="{root}{p}"/><updated>2026-01-2{i}T00:00:00Z'
                               f"</updated></entry>" for i, p in enumerate(list(ARTICLES)[:3]))
        self.pages["/atom.xml"] = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
                                   f"<title>Actu</title>{atom_entries}</feed>").encode()
        urls = "".join(f"<url><loc>{root}{p}</loc><news:news><news:title>T</news:title><news:publication_date>"
                       f"{day}</news:publication_date></news:news></url>" for p, (_, day) in ARTICLES.items())
        self.pages["/news-sitemap.xml"] = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode()
        self.pages["/sitemap.xml"] = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{root}/news-sitemap.xml</loc></sitemap></sitemapindex>").encode()
        self.pages["/not-a-feed.xml"] = b"<?xml version='1.0'?><rss><channel><item>"

    def answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, str, bytes]:
        path = handler.path
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
        if path == "/slow.html":
            time.sleep(1.5)
            return 200, "text/html", self.pages["/actu/mistral.html"]
        if path == "/huge.html":
            return 200, "text/html", b"<html><body><p>" + b"x" * 300_000 + b"</p></body></html>"
        if path == "/file.bin":
            return 200, "application/octet-stream", bytes(range(256)) * 40
        if path == "/actu/flaky.html" and not self.flaky_failed:
            self.flaky_failed = True
            return 500, "text/plain", b"oops"
        if path in self.pages:
            kind = "application/xml" if path.endswith(".xml") else "text/html; charset=utf-8"
            return 200, kind, self.pages[path]
        return 404, "text/plain", b"not found"


@pytest.fixture(scope="module")
def site():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, kind, body = server.site.answer(self)
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
            with server.site.lock:
                server.site.log.append((self.path, status, self.headers.get("User-Agent")))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if status in (200, 304):
                self.send_header("ETag", etag)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (a page over its size cap)
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.site = Site(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.site
    server.shutdown()
    server.server_close()


def write_warc(site: Site, path: Path) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    def response(writer, uri: str, status: str, kind: str, body: bytes, extra=()) -> None:
        http = StatusAndHeaders(status, [("Content-Type", kind), *extra], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for p in ARTICLES:
            writer.write_record(writer.create_warc_record(site.root + p, "request", payload=io.BytesIO(b"GET")))
            response(writer, site.root + p, "200 OK", "text/html; charset=utf-8", site.pages[p])
        response(writer, site.root + "/old", "301 Moved Permanently", "text/html", b"", [("Location", "/actu/")])
        response(writer, site.root + "/doc.pdf", "200 OK", "application/pdf", b"%PDF-1.4 ...")
        response(writer, site.root + "/copy.html", "200 OK", "text/html", site.pages["/actu/mistral.html"])
        whole = out.tell()
        response(writer, site.root + "/cut.html", "200 OK", "text/html", site.pages["/actu/openai.html"] * 3)
    path.write_bytes(path.read_bytes()[: whole + (path.stat().st_size - whole) // 2])  # the last record cut
    return path


@pytest.fixture(scope="module")
def from_feed(site, tmp_path_factory):
    warnings.filterwarnings("ignore", module="spacy")
    store = tmp_path_factory.mktemp("feed") / "store"
    report = kg.build([site.root + "/feed.xml"], store, BuildSettings(fetch=OPTIONS))
    return store, report


def test_feed_builds_its_articles_with_urls_and_dates_and_one_line_per_failure(site, from_feed):
    store, report = from_feed
    assert report.analysed == 4, report.errors
    assert len(report.errors) == len(BROKEN) and all("\n" not in e for e in report.errors)
    for path, problem in zip(BROKEN, ["robots.txt", "HTTP 404", "over the limit", "not an HTML page",
                                      "timed out"], strict=True):
        assert any(e.startswith(site.root + path) and problem in e for e in report.errors), (path, report.errors)
    g = facts(store)
    with open_store(store, read_only=True) as opened:
        for path, (_, day) in ARTICLES.items():
            doc = opened.iris.document(site.root + path)
            assert (doc, SCHEMA.url, Literal(site.root + path, datatype=XSD.anyURI)) in g
            assert str(g.value(doc, SCHEMA.datePublished)) == day
    assert {ua for _, _, ua in site.log} == {USER_AGENT} and USER_AGENT.startswith("newskg/")
    assert ("/actu/flaky.html", 500, USER_AGENT) in site.log  # retried, then built
    assert not any(p.startswith("/private/") for p, _, _ in site.log)  # robots.txt honoured


def test_second_run_downloads_nothing_and_other_feeds_reach_the_same_articles(site, from_feed):
    store, _ = from_feed
    before = len(site.log)
    report = kg.build([site.root + "/feed.xml"], store, BuildSettings(fetch=OPTIONS))
    again = site.log[before:]
    assert report.analysed == 0 and report.unchanged == 4
    downloaded = [p for p, status, _ in again if status == 200 and (p.startswith("/actu/") or p == "/feed.xml")]
    assert not downloaded, downloaded  # conditional GETs answered 304, the cache supplied the pages
    assert Counter(s for p, s, _ in again if p.startswith("/actu/"))[304] == 4
    for source in ("/atom.xml", "/sitemap.xml"):  # same pages, same identity: one article each
        report = kg.build([site.root + source], store, BuildSettings(fetch=OPTIONS))
        assert report.ok and report.analysed == 0 and report.unchanged == (3 if "atom" in source else 4)


def test_since_keeps_only_newer_feed_items(site):
    fetcher = Fetcher(OPTIONS)
    try:
        feed = fetcher.fetch(site.root + "/feed.xml").body
        newer = parse_links(feed, "feed", FetchOptions(since="2026-01-18"), fetcher)
        assert [link.url for link in newer] == [site.root + p for p in ["/actu/flaky.html", *BROKEN]]
    finally:
        fetcher.close()


def test_unreachable_hosts_and_failing_sitemap_children_are_one_line_each(site):
    fetcher = Fetcher(OPTIONS)
    try:
        with pytest.raises(InputError, match=r"^http://127\.0\.0\.1:1/a\.html: cannot connect"):
            fetcher.fetch("http://127.0.0.1:1/a.html")  # nothing listens on port 1
    finally:
        fetcher.close()
    index = (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{site.root}'
             f"/missing.html</loc></sitemap><sitemap><loc>{site.root}/news-sitemap.xml</loc></sitemap></sitemapindex>")
    errors: list[InputError] = []
    fetcher = Fetcher(OPTIONS)
    try:
        links = parse_links(index.encode(), "index", OPTIONS, fetcher, errors)
    finally:
        fetcher.close()
    assert [str(e) for e in errors] == [f"{site.root}/missing.html: HTTP 404"]
    assert [link.url for link in links] == [site.root + p for p in ARTICLES]
    assert {link.date for link in links} == {day for _, day in ARTICLES.values()}


@pytest.fixture(scope="module")
def from_warc(site, tmp_path_factory):
    """The command line on a feed that is not XML and on the WARC archive."""
    folder = tmp_path_factory.mktemp("warc")
    archive = write_warc(site, folder / "sample.warc.gz")
    done = kg_cli("build", site.root + "/not-a-feed.xml", archive, "--store", folder / "store",
                  "--delay", "0", "--timeout", "2", "--since", "2026-01-01")
    return folder / "store", archive, done


def test_cli_builds_a_warc_with_one_line_per_failure_and_counts_what_it_leaves_out(site, from_warc):
    _, archive, done = from_warc
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("kg build: skipped:")]
    assert len(errors) == 2, done.stderr
    assert errors[0].startswith(f"kg build: skipped: {site.root}/not-a-feed.xml: not a well-formed feed or "
                                "sitemap: Premature end of data")
    assert errors[1].startswith(f"kg build: skipped: {archive}@") and "truncated or corrupt archive" in errors[1]
    assert done.stdout.strip().endswith("4 analysed, 0 unchanged, 2 skipped "
                                        "(left out: 1 duplicate, 1 non-HTML, 4 other, 1 redirect)"), done.stdout


def test_lang_leaves_out_the_archive_s_pages_in_other_languages_locally_and_on_dask(from_warc, scheduler,
                                                                                    tmp_path):
    for engine in (["--engine", "local"], ["--engine", "dask", "--scheduler", scheduler]):
        done = kg_cli("build", from_warc[1], "--store", tmp_path / engine[1], "--lang", "en", *engine)
        assert "0 analysed" in done.stdout and "4 other language" in done.stdout, (engine, done.stdout)


def test_warc_and_saved_html_give_the_same_graph_as_the_feed(site, from_feed, from_warc, tmp_path):
    saved = tmp_path / "saved"
    saved.mkdir()
    for path in ARTICLES:
        (saved / Path(path).name).write_bytes(site.pages[path])
    assert kg.build([saved], tmp_path / "files").analysed == 4
    feed = facts(from_feed[0])
    for other in (facts(from_warc[0]), facts(tmp_path / "files")):
        assert isomorphic(feed, other), readable_diff(feed, other)
        assert set(feed.subjects()) == set(other.subjects())


# -- archives on Dask: the workers read them (one task per archive, or per byte range) -----------
# One LocalCluster serves these builds, so each worker loads the model once for all of them.
LEFT_OUT = {"other": 4, "redirect": 1, "non-HTML": 1, "duplicate": 1}  # of the fixture's archive


@pytest.fixture(scope="module")
def scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def on_dask(scheduler: str | None, **settings) -> BuildSettings:
    return BuildSettings(engine="dask", scheduler=scheduler, workers=2, fetch=OPTIONS, **settings)


def write_pages(path: Path, pages: list[tuple[str, bytes]], compress: bool = True) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)
        for uri, body in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))
    return path


@pytest.fixture(scope="module")
def from_warc_dask(site, from_warc, scheduler, tmp_path_factory):
    """The command line of ``from_warc``, with --engine dask."""
    folder = tmp_path_factory.mktemp("warc-dask")
    done = kg_cli("build", site.root + "/not-a-feed.xml", from_warc[1], "--store", folder / "store",
                  "--delay", "0", "--timeout", "2", "--since", "2026-01-01", "--engine", "dask",
                  "--scheduler", scheduler)
    return folder / "store", done


def test_dask_workers_read_the_warc_into_the_graph_and_report_of_the_local_build(from_feed, from_warc,
                                                                                 from_warc_dask):
    (local_store, _, local), (store, done) = from_warc, from_warc_dask
    assert done.returncode == local.returncode == 1, done.stderr
    skipped = [[line for line in d.stderr.splitlines() if line.startswith("kg build: skipped:")] for d in (local, done)]
    assert skipped[1] == skipped[0] and len(skipped[0]) == 2  # the feed's line, and the truncated record's
    summary = [d.stdout.strip().splitlines()[-1].split(": ", 1)[1] for d in (local, done)]  # after the store path
    assert summary[1] == summary[0] == ("4 analysed, 0 unchanged, 2 skipped "
                                        "(left out: 1 duplicate, 1 non-HTML, 4 other, 1 redirect)")
    g = facts(store)
    for other in (facts(local_store), facts(from_feed[0])):
        assert isomorphic(g, other), readable_diff(g, other)
        assert set(g.subjects()) == set(other.subjects())


def test_a_second_dask_build_of_the_warc_analyses_nothing(from_warc, from_warc_dask, scheduler):
    report = kg.build([from_warc[1]], from_warc_dask[0], on_dask(scheduler))
    assert (report.analysed, report.unchanged, report.left_out) == (0, 4, LEFT_OUT)
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{from_warc[1]}@")
    assert "truncated or corrupt archive" in report.errors[0]


def test_a_page_in_two_archives_is_one_article_from_the_first(site, from_feed, from_warc, scheduler, tmp_path):
    """The second archive holds the Mistral page again, under another URL and with another text: both
    tasks analyse it, and the client keeps the first archive's (the feed's graph), not both. The
    OpenAI page is also a saved file, which the client reads first: the archive's copy is a second
    article under one identifier, one error line, as in the local build."""
    url = site.root + "/actu/mistral.html"
    changed = site.pages["/actu/mistral.html"].replace(b"</article>", "<p>Paragraphe ajouté.</p></article>".encode())
    other = write_pages(tmp_path / "other.warc.gz", [(site.root + "/autre/mistral.html", changed)])
    assert f'href="{url}"'.encode() in changed and changed != site.pages["/actu/mistral.html"]
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "openai.html").write_bytes(site.pages["/actu/openai.html"])
    store = tmp_path / "store"
    report = kg.build([from_warc[1], saved, other], store, on_dask(scheduler))
    assert (report.analysed, report.unchanged) == (4, 0), report.errors
    assert report.left_out == {**LEFT_OUT, "duplicate": 2} and len(report.errors) == 2
    same = report.errors[0]
    assert same.startswith(f"{from_warc[1]}@") and same.endswith(
        f": same identifier {site.root + '/actu/openai.html'!r} as {saved / 'openai.html'}; skipped"), same
    assert "truncated or corrupt archive" in report.errors[1]
    with open_store(store, read_only=True) as opened:
        assert len(opened.documents()) == 4
    g, feed = facts(store), facts(from_feed[0])
    assert isomorphic(g, feed), readable_diff(g, feed)


def test_the_worker_reads_the_archive_from_its_path(site, from_warc, scheduler, tmp_path):
    """What is submitted is a path; what comes back was made in a worker process, not here.
    (A length cap of 0 leaves every article out: no model is loaded for this.)"""
    import os

    from kg import runners_warc
    from kg.decisions import Decisions
    from kg.extract import ExtractionConfig
    from kg.kb import load_kb
    from kg.rdf import RunInfo
    from kg.runners import dask_client

    archive = from_warc[1]
    tasks = runners_warc.archive_tasks([archive], OPTIONS, 0, tmp_path, shared=False)
    assert [(t.path, t.span) for t in tasks] == [(str(archive), (0, None))]
    config = ExtractionConfig("fr_core_news_md", load_kb(), Decisions(), RunInfo("t", "t", "t"), "https://example.org/kg/")
    with dask_client(scheduler) as client:
        [out] = runners_warc.archive_results(runners_warc.submit_archives(client, tasks, config, frozenset()), tmp_path)
        workers = set(client.run(os.getpid).values())
    assert out.shard.pid in workers and os.getpid() not in workers
    docs = [e for e in out.events if isinstance(e, runners_warc.ArchiveDoc)]
    assert [(d.identifier, d.state) for d in docs] == [(site.root + p, "too long") for p in ARTICLES]
    assert all(d.source.startswith(f"{archive}@") for d in docs) and out.left_out == LEFT_OUT


def test_record_starts_finds_each_record_of_a_gzipped_warc(from_warc, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    from kg.sources.warc import record_starts

    archive = from_warc[1]
    with archive.open("rb") as stream:
        records = ArchiveIterator(stream)
        offsets = [records.offset for _ in records]
    assert len(offsets) == 12 and record_starts(archive, 1) == offsets
    expected = [0]  # about 3000 bytes apart, each at a record
    for offset in offsets:
        if offset >= expected[-1] + 3000:
            expected.append(offset)
    assert record_starts(archive, 3000) == expected and len(expected) == 3
    assert record_starts(archive, archive.stat().st_size) == [0]
    # one gzip member for the whole archive: no record starts a member, so it is not cut
    plain = write_pages(tmp_path / "plain.warc", [(f"https://x.example/{i}", b"<p>x</p>" * 500) for i in range(20)],
                        compress=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    assert record_starts(whole, 100) == [0] and record_starts(plain, 100) == [0]


def test_a_warc_read_in_byte_ranges_gives_the_same_report_and_graph(from_warc, scheduler, tmp_path):
    store = tmp_path / "store"
    report = kg.build([from_warc[1]], store, on_dask(scheduler, archive_split=3000))
    assert (report.analysed, report.unchanged, report.left_out) == (4, 0, LEFT_OUT)
    assert len(report.errors) == 1 and "truncated or corrupt archive" in report.errors[0]
    g, local = facts(store), facts(from_warc[0])
    assert isomorphic(g, local), readable_diff(g, local)


def test_an_archive_whose_worker_dies_twice_is_one_line_and_the_other_archives_are_built(site, from_warc,
                                                                                        tmp_path, monkeypatch):
    """The worker reading the fixture's archive kills itself (SIGKILL) as it opens it, each time: one
    line names the archive; the other archive's page is built. (Were the archive read here, this
    process would die.) Its own cluster: the workers must start with the fault in their environment."""
    monkeypatch.setenv("KG_TEST_FAULT", f"read:{from_warc[1].name}:kill")
    openai = site.root + "/actu/openai.html"
    other = write_pages(tmp_path / "other.warc.gz", [(openai, site.pages["/actu/openai.html"])])
    report = kg.build([from_warc[1], other], tmp_path / "store", on_dask(None))
    assert report.errors == [f"{from_warc[1]}: worker stage failed: the Dask worker reading it died, and again "
                             "when retried (killed, or out of memory)"]
    assert (report.analysed, report.documents) == (1, [openai])
