"""Where the per-article work (:class:`kg.extract.Extractor`) runs: in this process, in local
worker processes, or on Dask. Which one changes nothing in the graph (see :mod:`kg.extract`).

* ``workers=1``: in this process.
* ``workers=N``: N local processes forked once the model is loaded here (``spawn`` and a
  model load each where there is no ``fork``); this process reads the articles and
  writes the store while they work. Results come back in input
  order, with a bounded number of batches in flight, so memory stays flat.
* Dask (:func:`dask_extract`): the same extraction in partitions (one task each) on a
  ``distributed`` cluster (a local one, or ``tcp://scheduler:8786``); each partition is
  written as a compressed N-Quads shard, and the shards are bulk-loaded into the store.
  WARC/ARC archives are Dask tasks of their own, read by the workers (:mod:`kg.runners_warc`).
"""

from __future__ import annotations

import gzip
import itertools
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import describe
from kg.export.texts import ExportText
from kg.extract import ArticleFailure, ArticleOutput, ExtractionConfig, Extractor, Task

if TYPE_CHECKING:
    from spacy.language import Language


@dataclass
class ShardOutput:
    """A Dask partition: the shard it wrote and what each article in it mentions."""

    path: str
    articles: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (identifier, graph, entities)
    commits: list[str] = field(default_factory=list)  # N-Quads of the content hashes, loaded after the shard
    texts: list[ExportText] = field(default_factory=list)  # the articles' export texts
    triples: int = 0
    data: bytes | None = None  # the gzipped shard, when it travels back to the client
    failures: list[ArticleFailure] = field(default_factory=list)  # the partition's articles that failed
    warnings: list[str] = field(default_factory=list)
    pid: int = 0  # the process that made it (a Dask worker's, not the client's)


# -- local worker processes ----------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # in each worker process: its Extractor (one per config)


def _init_worker(config: ExtractionConfig) -> None:
    import warnings

    warnings.filterwarnings("ignore", module="spacy")
    _WORKER["extractor"] = Extractor(config)


def _extract_batch(tasks: list[Task]) -> list[ArticleOutput | ArticleFailure]:
    return list(_WORKER["extractor"].extract(tasks))


def extract_local(tasks: Iterable[Task], config: ExtractionConfig, workers: int = 1,
                  nlp: Language | None = None) -> Iterator[ArticleOutput | ArticleFailure]:
    """Extract ``tasks`` with ``workers`` processes (1: this one); outputs in input order.

    With several workers, at most ``2 × workers`` batches are in flight: the articles are
    read only as fast as they are analysed. A worker that dies (SIGKILL, the kernel's
    out-of-memory killer) costs only the batches it held: :class:`_Workers` retries them.
    """
    batch = max(1, config.batch_size)
    tasks = iter(tasks)
    head = list(itertools.islice(tasks, 2 * batch))
    if workers <= 1 or len(head) < 2 * batch:  # a handful of articles: not worth starting processes
        yield from Extractor(config, nlp).extract(itertools.chain(head, tasks))
        return
    tasks = itertools.chain(head, tasks)
    import multiprocessing

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
    pool = _Workers(workers, options)
    try:
        pending: deque[_Held] = deque()
        for chunk in minibatch(tasks, batch):
            pending.append(pool.submit(chunk))
            while len(pending) >= 2 * workers:
                yield from pool.collect(pending.popleft())
        while pending:
            yield from pool.collect(pending.popleft())
    finally:
        pool.shutdown()
        _WORKER.pop("extractor", None)


@dataclass
class _Held:
    """A batch submitted to a worker, and which worker (its one-process executor) holds it."""

    tasks: list[Task]
    slot: int
    executor: ProcessPoolExecutor
    future: Future[list[ArticleOutput | ArticleFailure]]


class _Workers:
    """``n`` worker processes, each its own one-process executor, so that a dead worker breaks
    only the batches *it* held (one shared pool would fail every batch in flight).

    A batch whose worker died is retried once, one article at a time in a fresh worker;
    an article whose worker dies again is reported (stage ``worker``), the others stored.
    """

    def __init__(self, n: int, options: dict[str, Any]) -> None:
        self.options = options
        self.slots = [self._fresh() for _ in range(n)]
        self.load = [0] * n

    def _fresh(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(1, **self.options)

    def submit(self, tasks: list[Task]) -> _Held:
        slot = self.load.index(min(self.load))  # the least busy worker
        self.load[slot] += 1
        try:
            future = self.slots[slot].submit(_extract_batch, tasks)
        except BrokenProcessPool:  # its worker died since; the batches it held fail when collected
            self._renew(slot, self.slots[slot])
            future = self.slots[slot].submit(_extract_batch, tasks)
        return _Held(tasks, slot, self.slots[slot], future)

    def _renew(self, slot: int, dead: ProcessPoolExecutor) -> None:
        if self.slots[slot] is dead:  # not replaced yet (by another of its batches)
            dead.shutdown(wait=False, cancel_futures=True)
            self.slots[slot] = self._fresh()

    def collect(self, held: _Held) -> list[ArticleOutput | ArticleFailure]:
        self.load[held.slot] -= 1
        try:
            return held.future.result()
        except BrokenProcessPool:
            self._renew(held.slot, held.executor)
            return [self._retry(task) for task in held.tasks]

    def _retry(self, task: Task) -> ArticleOutput | ArticleFailure:
        executor = self._fresh()
        try:
            return executor.submit(_extract_batch, [task]).result()[0]
        except BrokenProcessPool:
            return ArticleFailure(task[0].identifier, task[0].source or task[0].identifier, "worker",
                                  "the worker process analysing it died twice (killed, or out of memory)")
        finally:
            executor.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        for executor in self.slots:
            executor.shutdown(wait=True, cancel_futures=True)


# -- Dask ----------------------------------------------------------------------------------

def worker_extractor(config: ExtractionConfig) -> Extractor:
    """This Dask worker's extractor for ``config``: the model is loaded once per worker process."""
    key = repr(config)
    extractor = _WORKER.get(key)
    if extractor is None:
        import warnings

        warnings.filterwarnings("ignore", module="spacy")
        extractor = _WORKER[key] = Extractor(config)
    return extractor


def _dask_partition(tasks: list[Task], config: ExtractionConfig, shard: str | None) -> ShardOutput:
    """Runs on a Dask worker: extract a partition as one gzipped N-Quads shard."""
    return write_shard(worker_extractor(config).extract(tasks), shard)


def write_shard(articles: Iterable[ArticleOutput | ArticleFailure], shard: str | None) -> ShardOutput:
    """Runs on a Dask worker: the extracted ``articles`` as one gzipped N-Quads shard.

    With a ``shard`` path (a file system the client sees too) the worker writes it there;
    without, the compressed bytes travel back to the client, which writes the shard itself.
    """
    import io

    from kg.rdf import to_nquads

    out = ShardOutput(shard or "", pid=os.getpid())
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as sink:
        for article in articles:
            if isinstance(article, ArticleFailure):
                out.failures.append(article)
                continue
            out.warnings.extend(article.warnings)
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
    return out


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A ``distributed`` client of the scheduler at ``scheduler`` (``tcp://host:8786``); without
    one, of a ``LocalCluster`` of ``workers`` single-threaded processes, started and closed here."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        from kg.errors import EngineError

        raise EngineError(f"the dask engine needs dask and distributed ({exc}); "
                         "install them with `pip install 'newskg[dask]'`") from None

    cluster = None
    # A task whose worker dies is run once more on another worker (the nanny restarts the
    # dead one); if that worker dies too, the scheduler gives up on it: KilledWorker, reported.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def dask_extract(tasks: Iterable[Task], config: ExtractionConfig, shard_dir: str | os.PathLike[str],
                 client: Any, *, partition_size: int = 64, group_size: int = 4096,
                 shared: bool = False) -> Iterator[ShardOutput]:
    """Extract ``tasks`` on the Dask cluster of ``client`` (:func:`dask_client`); yields each shard
    once written to ``shard_dir``.

    Articles go to the cluster in groups of ``group_size`` (``partition_size`` articles a
    task), so the client never holds the corpus.
    By default the compressed shards come back through Dask and this process writes
    them; with ``shared=True`` the workers write them into ``shard_dir`` themselves
    (a file system they share with this process).
    """
    from spacy.util import minibatch

    shard_dir = Path(shard_dir)
    shard_dir.mkdir(parents=True, exist_ok=True)
    for group, chunk in enumerate(minibatch(tasks, group_size)):
        parts = [chunk[i : i + partition_size] for i in range(0, len(chunk), partition_size)]
        shards = [str(shard_dir / f"shard-{group:05d}-{i:05d}.nq.gz") for i in range(len(parts))]
        futures = [client.submit(_dask_partition, part, config, path if shared else None, pure=False)
                   for part, path in zip(parts, shards, strict=True)]
        for part, path, future in zip(parts, shards, futures, strict=True):
            yield _shard_result(part, path, future)


def dask_failure(exc: BaseException, doing: str) -> str:
    """Why a Dask task gave no result, on one line (``doing``: what its worker was doing)."""
    if type(exc).__name__ == "KilledWorker":
        return f"the Dask worker {doing} died, and again when retried (killed, or out of memory)"
    return describe(exc)


def _shard_result(part: list[Task], path: str, future: Any) -> ShardOutput:
    """The partition's shard, written here if it came back as bytes; if the partition could not be
    run (its worker died twice), a shard of nothing whose articles all failed at stage ``worker``."""
    try:
        out: ShardOutput = future.result()
    except Exception as exc:
        problem = dask_failure(exc, "analysing it")
        return ShardOutput("", failures=[ArticleFailure(d.identifier, d.source or d.identifier, "worker", problem)
                                         for d, _ in part])
    return received(out, path)


def received(out: ShardOutput, path: str) -> ShardOutput:
    """``out`` with its shard on disk: written at ``path`` here if its bytes came back through Dask."""
    if out.data is not None:
        Path(path).write_bytes(out.data)
        out.path, out.data = path, None
    return out


__all__ = ["ShardOutput", "dask_client", "dask_extract", "extract_local", "write_shard"]
