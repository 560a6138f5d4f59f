"""The driver: articles -> NLP -> resolution -> RDF -> store, incrementally.

An article is re-analysed only when its text or the build settings changed (its
content hash, stored on the article node, differs); otherwise no NLP work is done.
Each article's graph is written in one transaction.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from rdflib import URIRef

from kg import __version__
from kg.decisions import STORE_FILE, Decisions, read_decisions
from kg.errors import InputError, StoreError, describe
from kg.faults import article_fault
from kg.kb import KnowledgeBase, load_kb
from kg.nlp.pieces import MAX_CHARS, PIECE_CHARS
from kg.rdf import RunInfo
from kg.records import Document
from kg.store import Store, open_store

if TYPE_CHECKING:
    from kg.export.texts import ExportText
    from kg.extract import ArticleFailure, ArticleOutput, ExtractionConfig
    from kg.runners import ShardOutput
    from kg.sources import FetchOptions

OnError = Literal["skip", "stop"]


@dataclass
class BuildReport:
    """What a build did. ``errors`` are one-line messages naming the file."""

    analysed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # tracebacks of the failed articles, for --debug
    left_out: dict[str, int] = field(default_factory=dict)  # archive records and links skipped silently, by reason

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class BuildSettings:
    model: str = "fr_core_news_md"
    kb_files: tuple[str, ...] = ()
    base: str | None = None
    batch_size: int = 16
    workers: int = 1
    force: bool = False
    on_error: OnError = "skip"
    decision_files: tuple[str, ...] = ()  # besides <store>/decisions.csv
    engine: Literal["local", "dask"] = "local"  # where the NLP runs (see kg.runners)
    scheduler: str | None = None  # Dask scheduler address; None starts a local cluster of `workers`
    shard_dir: str | None = None  # Dask: workers write their N-Quads shards here (shared), and they are kept
    export_texts: bool = True  # keep each article graph as export text (kg.store: "Export texts")
    piece_chars: int = PIECE_CHARS  # longer articles are analysed in pieces of this size (kg.nlp.pieces)
    max_chars: int = MAX_CHARS  # longer articles are refused (kg build --max-chars)
    fetch: FetchOptions | None = None  # URLs, feeds, sitemaps (kg.sources); None: defaults, cache beside the store
    archive_split: int = 256 * 1024 * 1024  # Dask: a larger .warc.gz is read by one task per range of this size


def _failed(report: BuildReport, failure: ArticleFailure, on_error: OnError) -> None:
    """One article failed at a stage: reported on one line; the build goes on, or stops if asked."""
    error = failure.error()
    report.errors.append(str(error))
    if failure.detail:
        report.details.append(failure.detail)
    if on_error == "stop":
        raise error


def settings_hash(settings: BuildSettings, kb: KnowledgeBase, pipeline: str) -> str:
    """Everything that changes extraction: tool version, model, knowledge base."""
    h = hashlib.sha256()
    for part in (__version__, settings.model, pipeline):
        h.update(part.encode())
        h.update(b"\x1f")
    for entry in kb.entries:
        h.update(repr(entry).encode())
    h.update(repr(sorted(kb.not_entities)).encode())
    return h.hexdigest()[:16]


def content_hash(doc: Document, settings_digest: str, decisions: Decisions | None = None,
                 piece_chars: int = PIECE_CHARS) -> str:
    """What an article's extraction depends on: settings, its text and metadata, and the
    decisions that name one of its forms (so a new decision re-analyses only those articles);
    for an article analysed in pieces, the piece size too (other articles' hashes ignore it)."""
    h = hashlib.sha256()
    relevant = decisions.relevant_digest(doc.text) if decisions else ""
    if len(doc.text) > piece_chars:
        relevant += f"\x1fpieces of {piece_chars}"
    for part in (settings_digest, relevant, doc.identifier, doc.title or "", doc.url or "", doc.date or "",
                 doc.lang or "", doc.text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


def _model_version(model: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{model} {version(model.replace('_', '-'))}"
    except PackageNotFoundError:
        return model


def iter_documents(inputs: Iterable[str | os.PathLike[str]], report: BuildReport,
                   on_error: OnError, fetch: FetchOptions | None = None,
                   pages: set[str] | None = None) -> Iterator[Document]:
    """Documents from files, folders, URLs and archives (kg.sources); bad inputs are reported (and stop
    the run if asked).

    Ingestion yields problems in place of records, so one bad JSONL line does not lose
    the rest of its file, and a missing input does not lose the other inputs.
    """
    from kg.sources import SkipCounts, iter_inputs

    left_out = SkipCounts(report.left_out)
    for record in iter_inputs(inputs, fetch, left_out, pages):
        if isinstance(record, InputError):
            # not a plain bad input when it has a cause: an exception while reading it
            cause = record.__cause__
            report_input_error(report, record, "".join(traceback.format_exception(cause)) if cause else "", on_error)
            continue
        yield record


def report_input_error(report: BuildReport, error: InputError, detail: str, on_error: OnError) -> None:
    """One error line (and its traceback for --debug, if any); with --on-error stop, the end of the run."""
    report.errors.append(str(error))
    if detail:
        report.details.append(detail)
    if on_error == "stop":
        raise error


def build(inputs: Iterable[str | os.PathLike[str]], store: str | os.PathLike[str] | Store,
          settings: BuildSettings | None = None,
          progress: Callable[[int], None] | None = None) -> BuildReport:
    """Build or update the store from articles. Returns what was done."""
    settings = settings or BuildSettings()
    if isinstance(store, Store):
        return _build_into(inputs, store, settings, progress)
    with open_store(store, base=settings.base) as opened:
        return _build_into(inputs, opened, settings, progress)


def _build_into(inputs: Iterable[str | os.PathLike[str]], store: Store, settings: BuildSettings,
                progress: Callable[[int], None] | None) -> BuildReport:
    """Stream the articles: read, skip the unchanged, extract the rest (in this process, local
    workers or Dask) and write each article's graph as it comes; then consolidate entities.

    Nothing here holds the corpus: articles flow through a bounded pipeline, and the store
    gets one transaction per article (Dask: bulk-loaded shards).
    """
    report = BuildReport()
    store.recover()  # a previous build was killed between an article and its entities
    kb = load_kb(settings.kb_files)
    decisions = read_decisions([store.path / STORE_FILE, *settings.decision_files])
    pipeline = _model_version(settings.model)
    digest = settings_hash(settings, kb, pipeline)
    run = RunInfo(version=__version__, pipeline=pipeline, settings_hash=digest)
    inputs, archives = _dask_archives(inputs, settings)
    read = ReadSoFar()
    tasks = _changed_articles(inputs, store, settings, digest, decisions, report, progress, read)
    first = next(tasks, None)
    if first is None and not archives:
        return report  # nothing to analyse: the model is not even loaded
    head = [first] if first is not None else []
    from kg.extract import ExtractionConfig

    config = ExtractionConfig(settings.model, kb, decisions, run, store.iris.base, max(1, settings.batch_size),
                              settings.export_texts, settings.piece_chars)
    touched: set[URIRef] = set()
    store.begin_updates()
    try:
        if settings.engine == "dask":
            _extract_with_dask(itertools.chain(head, tasks), archives, read, store, config, settings, report,
                               touched, progress)
        else:
            _extract_locally(itertools.chain(head, tasks), store, config, settings, report, touched, progress)
    except InputError:  # --on-error stop: what was written stays, with its entities consolidated
        _consolidate(store, touched)
        store.end_updates()
        with suppress(StoreError):  # else the store stays marked stale and its next writer publishes
            store.publish_snapshot()
        raise
    _consolidate(store, touched)
    store.record_run(store.iris.run(digest))
    store.end_updates()
    if report.analysed >= COMPACT_AFTER:
        store.compact()
    # Readers read snapshots, never the database a build writes (kg.store: "Readers, writers and
    # snapshots"): from now on they see this build. A kill before this point leaves them the last one.
    store.publish_snapshot()
    return report


def _extract_locally(tasks: Iterable[tuple[Document, str]], store: Store, config: ExtractionConfig,
                     settings: BuildSettings, report: BuildReport, touched: set[URIRef],
                     progress: Callable[[int], None] | None) -> None:
    """Extraction here or in local workers, each article written as it comes; failures reported."""
    from kg.extract import ArticleFailure
    from kg.runners import extract_local

    writer = _StoreWriter(store, report, progress, settings.on_error)
    try:
        with writer:
            for out in extract_local(_tracking(tasks, store, writer), config, max(1, settings.workers)):
                if isinstance(out, ArticleFailure):
                    if progress:
                        progress(1)
                    _failed(report, out, settings.on_error)
                else:
                    writer.put(out)
    finally:  # also when stopped at an error: what was written is consolidated
        touched |= writer.touched


# Compact the database after a build that wrote at least this many articles: a few seconds
# per million quads, repaid by every query (Store.compact); small updates leave it to RocksDB.
COMPACT_AFTER = 500
# New articles are bulk-loaded by chunks of about this many quads. The last chunk loads after
# the NLP has finished, so smaller chunks end a build sooner (300 articles: 36 s instead of
# 38 s with 250k), as long as each load still costs little next to the NLP it overlaps.
SPOOL_QUADS = 100_000


class _StoreWriter:
    """Writes extracted articles from a background thread, while the NLP goes on.

    Oxigraph does its work without Python's lock, so writing overlaps with analysis. An
    article already in the store is replaced in one transaction (:meth:`Store.load_article`).
    New articles are appended to an N-Quads spool in the store folder and bulk-loaded by
    chunks, several times cheaper than transactions; their content hashes are committed
    after each chunk, so an article counts as built only once complete
    (:meth:`Store.load_shards`).
    """

    def __init__(self, store: Store, report: BuildReport, progress: Callable[[int], None] | None,
                 on_error: OnError = "skip") -> None:
        import queue
        import threading

        self.store, self.report, self.progress, self.on_error = store, report, progress, on_error
        self.new: set[str] = set()  # graphs of pending articles not in the store yet
        self.touched: set[URIRef] = set()
        self._queue: queue.Queue[ArticleOutput | None] = queue.Queue(maxsize=64)
        self._error: BaseException | None = None
        self._spool_path = store.path / "bulk.spool.nq"
        self._spool: TextIO | None = None
        self._spooled: list[tuple[str, str]] = []  # (graph, commit) of the spooled articles
        self._texts: list[ExportText] = []  # their export texts
        self.spooled: set[str] = set()  # their graphs
        self._quads = 0
        self._thread = threading.Thread(target=self._run, name="kg-store-writer", daemon=True)
        self._thread.start()

    def put(self, out: ArticleOutput) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(out)

    def __enter__(self) -> _StoreWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._spool is not None:
            self._spool.close()
        self._spool_path.unlink(missing_ok=True)
        if self._error is not None and exc is None:
            raise self._error

    def _run(self) -> None:
        try:
            while (out := self._queue.get()) is not None:
                if self._error is None:
                    self._write(out)
            if self._error is None:
                self._flush()
        except BaseException as exc:  # surfaced in the main thread by put() or __exit__
            self._error = exc
            while self._queue.get() is not None:  # let the producer finish
                pass

    def _write(self, out: ArticleOutput) -> None:
        """One article: a failure of its own (its conversion, its transaction) skips it alone;
        a failure of the spool or of a bulk load is the store's, and ends the build."""
        self.report.warnings.extend(out.warnings)
        try:
            article_fault("write", out.identifier)
            if out.graph not in self.new:
                self._replace(out)
                return
            from kg.rdf import to_nquads

            quads, commit = to_nquads(out.ntriples, out.graph), to_nquads(out.commit, out.graph)
        except Exception as exc:
            from kg.extract import ArticleFailure

            failure = ArticleFailure(out.identifier, out.source or out.identifier, "write", describe(exc),
                                     traceback.format_exc())
            _failed(self.report, failure, "skip")
            if self.on_error == "stop":
                self._flush()  # what was written before the failure is kept
                raise failure.error() from None
            return
        self._spool_article(out, quads, commit)

    def _spool_article(self, out: ArticleOutput, quads: str, commit: str) -> None:
        self.new.discard(out.graph)
        if self._spool is None:
            self._spool = self._spool_path.open("w", encoding="utf-8")
        self._spool.write(quads)
        self._spooled.append((out.graph, commit))
        if out.text is not None:
            self._texts.append(out.text)
        self.spooled.add(out.graph)
        self._quads += out.ntriples.count("\n")
        self.touched.update(URIRef(e) for e in out.entities)
        if self._quads >= SPOOL_QUADS:
            self._flush()

    def _replace(self, out: ArticleOutput) -> None:
        """An article the store has: replaced in one transaction (all or nothing)."""
        if out.graph in self.spooled:  # two inputs with one article IRI: the later replaces the earlier
            self._flush()
        self.touched |= self.store.load_article(out.graph, out.ntriples + out.commit, out.entities, out.text)
        self._done(1)

    def _flush(self) -> None:
        if self._spool is None or not self._spooled:
            return
        self._spool.close()
        self._spool = None
        commits = "".join(commit for _, commit in self._spooled)
        self.store.load_shards([self._spool_path], (), commits, self._texts)
        self._done(len(self._spooled))
        self._spooled, self._texts, self._quads = [], [], 0
        self.spooled.clear()

    def _done(self, count: int) -> None:
        self.report.analysed += count
        if self.progress:
            self.progress(count)


def _tracking(tasks: Iterable[tuple[Document, str]], store: Store,
              writer: _StoreWriter) -> Iterator[tuple[Document, str]]:
    """Tell the writer which articles are new to the store (no graph at all) as they go by."""
    for doc, chash in tasks:
        graph = str(store.iris.document(doc.identifier))
        if graph not in writer.new and graph not in writer.spooled and not store.has_graph(graph):
            writer.new.add(graph)
        yield doc, chash


@dataclass
class ReadSoFar:
    """The articles read so far in a build, to tell an article read twice."""

    sources: dict[str, str] = field(default_factory=dict)  # identifier -> where it was read first
    pages: set[str] = field(default_factory=set)  # identities of web and archive pages (kg.sources)


def _dask_archives(inputs: Iterable[str | os.PathLike[str]],
                   settings: BuildSettings) -> tuple[list[str | os.PathLike[str]], list[str | os.PathLike[str]]]:
    """The inputs this process reads, and the archives Dask workers read (kg.runners_warc), after them."""
    from kg.sources import is_archive

    items = list(inputs)
    if settings.engine != "dask":
        return items, []
    return [i for i in items if not is_archive(i)], [i for i in items if is_archive(i)]


def _fetch_options(settings: BuildSettings, store: Store) -> FetchOptions:
    from dataclasses import replace

    from kg.sources import FetchOptions

    fetch = settings.fetch or FetchOptions()
    return replace(fetch, cache_dir=str(store.path / "fetch-cache")) if fetch.cache_dir is None else fetch


def _changed_articles(inputs: Iterable[str | os.PathLike[str]], store: Store, settings: BuildSettings,
                      digest: str, decisions: Decisions, report: BuildReport,
                      progress: Callable[[int], None] | None, read: ReadSoFar) -> Iterator[tuple[Document, str]]:
    """The articles to analyse, with their content hashes; unchanged ones are counted and skipped."""
    for doc in iter_documents(inputs, report, settings.on_error, _fetch_options(settings, store), read.pages):
        if not admitted(doc.identifier, doc.source, len(doc.text), read, settings, report):
            continue
        chash = content_hash(doc, digest, decisions, settings.piece_chars)
        if not settings.force and store.content_hash(store.iris.document(doc.identifier)) == chash:
            report.unchanged += 1
            if progress:
                progress(1)
            continue
        yield doc, chash


def admitted(identifier: str, source: str, chars: int, read: ReadSoFar, settings: BuildSettings,
             report: BuildReport) -> bool:
    """Whether an article read is one of the build's: not a second article under one identifier, nor
    over the length cap (each is one error line)."""
    if identifier in read.sources:
        report.errors.append(f"{source}: same identifier {identifier!r} as {read.sources[identifier]}; skipped")
        return False
    read.sources[identifier] = source
    if chars > settings.max_chars:
        _refuse_long(source or identifier, chars, settings, report)
        return False
    report.documents.append(identifier)
    return True


def _refuse_long(source: str, chars: int, settings: BuildSettings, report: BuildReport) -> None:
    """An article over the cap: one line saying how to raise it (what is stored of it stays)."""
    error = InputError(source, f"{chars:,} characters, over the limit of {settings.max_chars:,}; to analyse it, "
                               f"raise the limit with `kg build --max-chars {chars}`")
    report.errors.append(str(error))
    if settings.on_error == "stop":
        raise error


CONSOLIDATION_BATCH = 2000  # entities per consolidation update: bounded memory on big builds


def _consolidate(store: Store, touched: set[URIRef]) -> None:
    ordered = sorted(touched)
    for i in range(0, len(ordered), CONSOLIDATION_BATCH):
        store.consolidate_entities(ordered[i : i + CONSOLIDATION_BATCH])


def _extract_with_dask(tasks: Iterable[tuple[Document, str]], archives: list[str | os.PathLike[str]],
                       read: ReadSoFar, store: Store, config: ExtractionConfig, settings: BuildSettings,
                       report: BuildReport, touched: set[URIRef], progress: Callable[[int], None] | None) -> None:
    """Extraction on a Dask cluster; its gzipped N-Quads shards are bulk-loaded as they arrive.
    The archives are read by the workers (one task per archive or range, kg.runners_warc), and
    settled after the other inputs, in input order."""
    import shutil
    import tempfile

    from kg import runners_warc as warc
    from kg.runners import dask_client, dask_extract

    keep = settings.shard_dir is not None
    shard_dir = Path(settings.shard_dir or tempfile.mkdtemp(prefix=".shards-", dir=store.path))
    try:
        with dask_client(settings.scheduler, max(1, settings.workers)) as client:
            shard_dir.mkdir(parents=True, exist_ok=True)
            jobs = warc.archive_tasks(archives, _fetch_options(settings, store), settings.max_chars, shard_dir, keep,
                                      settings.archive_split)
            known = warc.known_articles({} if settings.force or not jobs else store.content_hashes())
            pending = warc.submit_archives(client, jobs, config, known)  # the workers read while this process does
            for shard in dask_extract(tasks, config, shard_dir, client, shared=keep):
                _load_shard(shard, store, settings, report, touched, progress, keep)
            for out in warc.archive_results(pending, shard_dir):
                unchanged = report.unchanged
                shard = warc.settle(out, read, report, settings)
                if progress and report.unchanged > unchanged:
                    progress(report.unchanged - unchanged)
                _load_shard(shard, store, settings, report, touched, progress, keep)
    finally:
        if not keep:
            shutil.rmtree(shard_dir, ignore_errors=True)


def _load_shard(shard: ShardOutput, store: Store, settings: BuildSettings, report: BuildReport,
                touched: set[URIRef], progress: Callable[[int], None] | None, keep: bool) -> None:
    if shard.articles:
        touched |= store.load_shards([shard.path], [graph for _, graph, _ in shard.articles],
                                     "".join(shard.commits), shard.texts)
    for _, _, entities in shard.articles:
        touched.update(URIRef(e) for e in entities)
    if shard.path and not keep:
        Path(shard.path).unlink(missing_ok=True)
    report.analysed += len(shard.articles)
    report.warnings.extend(shard.warnings)
    if progress:
        progress(len(shard.articles) + len(shard.failures))
    for failure in shard.failures:  # after the shard is loaded: --on-error stop keeps it
        _failed(report, failure, settings.on_error)


def default_store() -> Path:
    return Path(os.environ.get("KG_STORE", "kg-store"))


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


__all__ = ["BuildReport", "BuildSettings", "build", "content_hash", "default_store"]
