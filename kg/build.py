"""The driver: articles -> NLP -> resolution -> RDF -> store, incrementally.

An article is re-analysed only when its text or the build settings changed (its
content hash, stored on the article node, differs); otherwise no NLP work is done.
Each article's graph is written in one transaction.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kg import __version__
from kg.decisions import STORE_FILE, Decisions, read_decisions
from kg.errors import InputError
from kg.model import Document
from kg.nlp.kb import KnowledgeBase, load_kb
from kg.rdf import RunInfo, extraction_graph
from kg.resolve import resolve
from kg.store import Store, open_store

OnError = Literal["skip", "stop"]


@dataclass
class BuildReport:
    """What a build did. ``errors`` are one-line messages naming the file."""

    analysed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

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


def content_hash(doc: Document, settings_digest: str, decisions: Decisions | None = None) -> str:
    """What an article's extraction depends on: settings, its text and metadata, and the
    decisions that name one of its forms (so a new decision re-analyses only those articles)."""
    h = hashlib.sha256()
    relevant = decisions.relevant_digest(doc.text) if decisions else ""
    for part in (settings_digest, relevant, doc.identifier, doc.title or "", doc.url or "", doc.date or "", doc.lang or "",
                 doc.text):
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
                   on_error: OnError) -> Iterator[Document]:
    """Documents from files and folders; bad files and JSONL lines are reported (and stop the run if asked).

    Ingestion yields problems in place of records, so one bad JSONL line does not lose
    the rest of its file, and a missing input does not lose the other inputs.
    """
    from kg.ingest import iter_inputs

    for record in iter_inputs(inputs):
        if isinstance(record, InputError):
            report.errors.append(str(record))
            if on_error == "stop":
                raise record
            continue
        yield record


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
    report = BuildReport()
    store.recover()  # a previous build was killed between an article and its entities
    kb = load_kb(settings.kb_files)
    decisions = read_decisions([store.path / STORE_FILE, *settings.decision_files])
    pipeline = _model_version(settings.model)
    digest = settings_hash(settings, kb, pipeline)
    run = RunInfo(version=__version__, pipeline=pipeline, settings_hash=digest)
    seen: dict[str, str] = {}
    pending: list[tuple[Document, str]] = []
    for doc in iter_documents(inputs, report, settings.on_error):
        if doc.identifier in seen:
            report.errors.append(f"{doc.source}: same identifier {doc.identifier!r} as {seen[doc.identifier]}; skipped")
            continue
        seen[doc.identifier] = doc.source
        report.documents.append(doc.identifier)
        chash = content_hash(doc, digest, decisions)
        if not settings.force and store.content_hash(store.iris.document(doc.identifier)) == chash:
            report.unchanged += 1
            if progress:
                progress(1)
            continue
        pending.append((doc, chash))
    if not pending:
        return report
    from kg.nlp.pipeline import analyse, load_pipeline

    nlp = load_pipeline(settings.model, kb, decisions)
    hashes = {doc.identifier: h for doc, h in pending}
    touched: set = set()
    store.begin_updates()
    results = analyse(nlp, (doc for doc, _ in pending), batch_size=settings.batch_size,
                      n_process=max(1, settings.workers), kb=kb)
    for result in results:
        extraction = resolve(result, kb, {"content_hash": hashes[result.document.identifier]}, decisions)
        touched |= store.replace_article(extraction_graph(extraction, run, store.iris))
        report.analysed += 1
        if progress:
            progress(1)
    store.consolidate_entities(touched)
    store.record_run(store.iris.run(digest))
    store.end_updates()
    return report


def default_store() -> Path:
    return Path(os.environ.get("KG_STORE", "kg-store"))


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


__all__ = ["BuildReport", "BuildSettings", "build", "content_hash", "default_store"]
