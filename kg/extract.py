"""One article's extraction, the per-article pipeline: ingested text -> spaCy -> plain records
(:func:`kg.nlp.pipeline.doc_to_result`) -> entity resolution (:func:`kg.resolve.resolve`)
-> N-Triples (:func:`kg.rdf.article_ntriples`) and export text (:mod:`kg.export.texts`).

The work on one article never depends on another article: identity comes from content only
(an entity's IRI is its type and canonical key), and canonical names are decided afterwards
in the store from all articles together (:mod:`kg.consolidate`), so *which* process or
machine ran :class:`Extractor` on an article changes nothing in the graph. Where it runs is
:mod:`kg.runners`'s business. Each batch is analysed in ``nlp.memory_zone()``
(:func:`kg.nlp.pipeline.analyse`), so spaCy's string store does not grow with the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.decisions import Decisions
from kg.errors import ArticleError, describe
from kg.export.texts import ExportText
from kg.faults import article_fault
from kg.kb import KnowledgeBase
from kg.nlp.pieces import PIECE_CHARS, forced_cuts
from kg.rdf import RunInfo
from kg.records import Document, NlpResult
from kg.vocab import IRIs

if TYPE_CHECKING:
    from spacy.language import Language

Task = tuple[Document, str]  # an article and its content hash


@dataclass(frozen=True)
class ExtractionConfig:
    """Everything a worker needs to extract articles exactly as this process would (picklable)."""

    model: str
    kb: KnowledgeBase
    decisions: Decisions
    run: RunInfo
    base: str
    batch_size: int = 16
    export_texts: bool = True  # also make each article's export text (kg.export.texts.export_text)
    piece_chars: int = PIECE_CHARS  # longer articles are analysed in pieces (kg.nlp.pieces)


@dataclass(frozen=True)
class ArticleOutput:
    """One article's extraction: its graph as N-Triples, and the entities it mentions."""

    identifier: str
    graph: str  # the article's IRI: the name of its graph
    ntriples: str  # every triple but the commit
    commit: str  # the kg:contentHash triple: written last, it marks the article as built
    entities: tuple[str, ...]
    text: ExportText | None  # the graph as `kg export` writes it (kg.store: "Export texts"); None if not asked
    source: str = ""  # where it was read from (path, or path:line for JSONL): for messages
    warnings: tuple[str, ...] = ()  # one line each, naming the source


@dataclass(frozen=True)
class ArticleFailure:
    """An article that failed at one stage (plain strings: it crosses process boundaries)."""

    identifier: str
    source: str  # path, or path:line for JSONL
    stage: str  # nlp, resolve, rdf, write, worker (kg.errors.ArticleError)
    problem: str  # the exception's class and message, on one line
    detail: str = ""  # its traceback, printed only with --debug

    @classmethod
    def of(cls, doc: Document, stage: str, exc: BaseException) -> ArticleFailure:
        import traceback

        return cls(doc.identifier, doc.source or doc.identifier, stage, describe(exc),
                   "".join(traceback.format_exception(exc)))

    def error(self) -> ArticleError:
        return ArticleError(self.source, self.stage, self.problem)


class Extractor:
    """Loads the pipeline once; turns articles into :class:`ArticleOutput`, in order.

    Each article is isolated: an exception while analysing, resolving or converting it
    becomes an :class:`ArticleFailure` in its place, and the other articles go on.
    """

    def __init__(self, config: ExtractionConfig, nlp: Language | None = None) -> None:
        from kg.nlp.pipeline import load_pipeline

        self.config = config
        self.iris = IRIs(config.base)
        self.nlp = nlp if nlp is not None else load_pipeline(config.model, config.kb, config.decisions)

    def extract(self, tasks: Iterable[Task]) -> Iterator[ArticleOutput | ArticleFailure]:
        """Streaming, by groups of ``8 × batch_size`` articles analysed together."""
        from spacy.util import minibatch

        for group in minibatch(tasks, max(1, self.config.batch_size) * 8):
            for (doc, chash), result in zip(group, self._analysed([d for d, _ in group]), strict=True):
                yield result if isinstance(result, ArticleFailure) else self._converted(doc, chash, result)

    def _analysed(self, docs: list[Document]) -> list[NlpResult | ArticleFailure]:
        """The NLP records of ``docs``; when the group fails, each article again on its own, so
        only the article that fails is lost (spaCy's strings are freed either way: memory zones)."""
        from kg.nlp.pipeline import analyse

        def checked() -> Iterator[Document]:
            for doc in docs:
                article_fault("nlp", doc.identifier)
                yield doc

        try:
            return list(analyse(self.nlp, checked(), batch_size=self.config.batch_size, kb=self.config.kb,
                                piece_chars=self.config.piece_chars))
        except Exception as exc:
            if len(docs) == 1:
                return [ArticleFailure.of(docs[0], "nlp", exc)]
            return [self._analysed([doc])[0] for doc in docs]

    def _converted(self, doc: Document, chash: str, result: NlpResult) -> ArticleOutput | ArticleFailure:
        from kg.export.texts import export_text
        from kg.rdf import article_ntriples
        from kg.resolve import resolve

        config = self.config
        stage = "resolve"
        try:
            article_fault(stage, doc.identifier)
            extraction = resolve(result, config.kb, {"content_hash": chash}, config.decisions)
            stage = "rdf"
            article_fault(stage, doc.identifier)
            graph, ntriples, commit, entities = article_ntriples(extraction, config.run, self.iris)
            text = export_text(graph, ntriples + commit, chash, config.base) if config.export_texts else None
        except Exception as exc:
            return ArticleFailure.of(doc, stage, exc)
        cuts = forced_cuts(doc.text, config.piece_chars)
        warnings = (f"{doc.source or doc.identifier}: {cuts} sentence(s) longer than a piece "
                    f"({config.piece_chars:,} characters) cut inside; nothing is found across those cuts",
                    ) if cuts else ()
        return ArticleOutput(doc.identifier, graph, ntriples, commit, tuple(entities), text,
                             doc.source, warnings)


__all__ = ["ArticleFailure", "ArticleOutput", "ExtractionConfig", "Extractor", "Task"]
