"""Where the per-article work runs: in this process, in local worker processes, or on Dask.

The work on one article never depends on another article: text -> spaCy -> plain records
(:func:`kg.nlp.pipeline.doc_to_result`) -> entity resolution -> N-Triples
(:func:`kg.rdf_fast.article_ntriples`). Identity comes from content only (an entity's IRI
is its type and canonical key), and canonical names are decided afterwards in the store
from all articles together, so *which* process or machine saw an article changes nothing
in the graph.

Three engines run that same function (:class:`Extractor`):

* ``workers=1``: in this process.
* ``workers=N``: N local processes forked once the model is loaded here (``spawn`` and a
  model load each where there is no ``fork``); this process reads the articles and
  writes the store while they work. Results come back in input
  order, with a bounded number of batches in flight, so memory stays flat.
* Dask (:func:`dask_extract`): the same extraction in ``dask.bag`` partitions on a
  ``distributed`` cluster (a local one, or ``tcp://scheduler:8786``); each partition is
  written as a compressed N-Quads shard, and the shards are bulk-loaded into the store.

Each worker wraps its batches in ``nlp.memory_zone()``, so spaCy's string store does
not grow with the corpus.
"""

from __future__ import annotations

import gzip
import itertools
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.decisions import Decisions
from kg.model import Document
from kg.nlp.kb import KnowledgeBase
from kg.rdf import RunInfo
from kg.rdf_fast import ExportText
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
    export_texts: bool = True  # also make each article's export text (kg.rdf_fast.export_text)


@dataclass(frozen=True)
class ArticleOutput:
    """One article's extraction: its graph as N-Triples, and the entities it mentions."""

    identifier: str
    graph: str  # the article's IRI: the name of its graph
    ntriples: str  # every triple but the commit
    commit: str  # the kg:contentHash triple: written last, it marks the article as built
    entities: tuple[str, ...]
    text: ExportText | None  # the graph as `kg export` writes it (kg.store: "Export texts"); None if not asked


@dataclass
class ShardOutput:
    """A Dask partition: the shard it wrote and what each article in it mentions."""

    path: str
    articles: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (identifier, graph, entities)
    commits: list[str] = field(default_factory=list)  # N-Quads of the content hashes, loaded after the shard
    texts: list[ExportText] = field(default_factory=list)  # the articles' export texts
    triples: int = 0
    data: bytes | None = None  # the gzipped shard, when it travels back to the client


class Extractor:
    """Loads the pipeline once; turns articles into :class:`ArticleOutput`, in order."""

    def __init__(self, config: ExtractionConfig, nlp: Language | None = None) -> None:
        from kg.nlp.pipeline import load_pipeline

        self.config = config
        self.iris = IRIs(config.base)
        self.nlp = nlp if nlp is not None else load_pipeline(config.model, config.kb, config.decisions)

    def extract(self, tasks: Iterable[Task]) -> Iterator[ArticleOutput]:
        """Streaming; spaCy's strings of each batch are freed once its articles are converted."""
        from kg.nlp.pipeline import analyse
        from kg.rdf_fast import article_ntriples, export_text
        from kg.resolve import resolve

        config, hashes = self.config, {}

        def documents() -> Iterator[Document]:
            for doc, chash in tasks:
                hashes[doc.identifier] = chash
                yield doc

        for result in analyse(self.nlp, documents(), batch_size=config.batch_size, kb=config.kb):
            chash = hashes.pop(result.document.identifier)
            extraction = resolve(result, config.kb, {"content_hash": chash}, config.decisions)
            graph, ntriples, commit, entities = article_ntriples(extraction, config.run, self.iris)
            text = export_text(graph, ntriples + commit, chash, config.base) if config.export_texts else None
            yield ArticleOutput(result.document.identifier, graph, ntriples, commit, tuple(entities), text)


# -- local worker processes ----------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # in each worker process: its Extractor (one per config)


def _init_worker(config: ExtractionConfig) -> None:
    import warnings

    warnings.filterwarnings("ignore", module="spacy")
    _WORKER["extractor"] = Extractor(config)


def _extract_batch(tasks: list[Task]) -> list[ArticleOutput]:
    return list(_WORKER["extractor"].extract(tasks))


def extract_local(tasks: Iterable[Task], config: ExtractionConfig, workers: int = 1,
                  nlp: Language | None = None) -> Iterator[ArticleOutput]:
    """Extract ``tasks`` with ``workers`` processes (1: this one); outputs in input order.

    With several workers, at most ``2 × workers`` batches are in flight: the articles are
    read only as fast as they are analysed.
    """
    batch = max(1, config.batch_size)
    tasks = iter(tasks)
    head = list(itertools.islice(tasks, 2 * batch))
    if workers <= 1 or len(head) < 2 * batch:  # a handful of articles: not worth starting processes
        yield from Extractor(config, nlp).extract(itertools.chain(head, tasks))
        return
    tasks = itertools.chain(head, tasks)
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    from spacy.util import minibatch

    if "fork" in multiprocessing.get_all_start_methods():
        # Load the model once, here, and fork the workers from it: they share its memory and
        # start at once (as spaCy's own n_process does). They never touch the store this
        # process has open; they only run the extractor they inherit.
        _WORKER["extractor"] = Extractor(config, nlp)
        options: dict[str, Any] = {"mp_context": multiprocessing.get_context("fork")}
    else:  # each worker loads the model itself
        options = {"mp_context": multiprocessing.get_context("spawn"), "initializer": _init_worker,
                   "initargs": (config,)}
    try:
        with ProcessPoolExecutor(workers, **options) as pool:
            pending: deque[Future[list[ArticleOutput]]] = deque()
            for chunk in minibatch(tasks, batch):
                pending.append(pool.submit(_extract_batch, chunk))
                while len(pending) >= 2 * workers:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        _WORKER.pop("extractor", None)


# -- Dask ----------------------------------------------------------------------------------

def _dask_partition(tasks: list[Task], config: ExtractionConfig, shard: str | None) -> list[ShardOutput]:
    """Runs on a Dask worker: extract a partition as one gzipped N-Quads shard.

    With a ``shard`` path (a file system the client sees too) the worker writes it there;
    without, the compressed bytes travel back to the client, which writes the shard itself.
    """
    import io

    from kg.rdf_fast import to_nquads

    key = repr(config)
    extractor = _WORKER.get(key)
    if extractor is None:  # the model is loaded once per worker process
        import warnings

        warnings.filterwarnings("ignore", module="spacy")
        extractor = _WORKER[key] = Extractor(config)
    out = ShardOutput(shard or "")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as sink:
        for article in extractor.extract(tasks):
            sink.write(to_nquads(article.ntriples, article.graph).encode("utf-8"))
            out.articles.append((article.identifier, article.graph, article.entities))
            out.commits.append(to_nquads(article.commit, article.graph))
            if article.text is not None:
                out.texts.append(article.text)
            out.triples += article.ntriples.count("\n")
    if shard is None:
        out.data = buffer.getvalue()
    else:
        Path(shard).parent.mkdir(parents=True, exist_ok=True)
        Path(f"{shard}.part").write_bytes(buffer.getvalue())
        os.replace(f"{shard}.part", shard)
    return [out]


def dask_extract(tasks: Iterable[Task], config: ExtractionConfig, shard_dir: str | os.PathLike[str], *,
                 scheduler: str | None = None, workers: int = 2, partition_size: int = 64,
                 group_size: int = 4096, shared: bool = False) -> Iterator[ShardOutput]:
    """Extract ``tasks`` on a Dask cluster; yields each shard once written to ``shard_dir``.

    ``scheduler`` is a scheduler address (``tcp://host:8786``); without one a
    ``LocalCluster`` of ``workers`` single-threaded processes is started and closed.
    Articles go to the cluster in groups of ``group_size`` (a ``dask.bag`` each, of
    ``partition_size`` articles a partition), so the client never holds the corpus.
    By default the compressed shards come back through Dask and this process writes
    them; with ``shared=True`` the workers write them into ``shard_dir`` themselves
    (a file system they share with this process).
    """
    from spacy.util import minibatch

    try:
        import dask.bag as db
        from distributed import Client, LocalCluster
    except ImportError as exc:
        from kg.errors import UsageError

        raise UsageError(f"the dask engine needs dask and distributed ({exc}); "
                         "install them with `pip install 'newskg[dask]'`") from None

    shard_dir = Path(shard_dir)
    shard_dir.mkdir(parents=True, exist_ok=True)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        for group, chunk in enumerate(minibatch(tasks, group_size)):
            parts = [chunk[i : i + partition_size] for i in range(0, len(chunk), partition_size)]
            shards = [str(shard_dir / f"shard-{group:05d}-{i:05d}.nq.gz") for i in range(len(parts))]
            items = list(zip(parts, [s if shared else None for s in shards], strict=True))
            bag = db.from_sequence(items, npartitions=len(parts))
            results = bag.map(lambda item: _dask_partition(item[0], config, item[1])).flatten()
            for out, path in zip(results.compute(scheduler=client), shards, strict=True):
                if out.data is not None:
                    Path(path).write_bytes(out.data)
                    out.path, out.data = path, None
                yield out
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


__all__ = ["ArticleOutput", "ExtractionConfig", "Extractor", "ShardOutput", "dask_extract", "extract_local"]
