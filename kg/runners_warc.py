"""WARC/ARC archives on Dask: one task per archive, or per byte range of a large ``.warc.gz``.

The client sends each task a path, not articles: the worker opens the archive itself (so the
path must be one the workers see: a shared file system; ``s3://`` and other URLs are not
read), reads it with :func:`kg.sources.archive_records` (the records the local build keeps,
and its errors), computes each article's content hash, leaves out the articles the store
already has with that hash (the client sends the set of them once, :func:`known_articles`),
and extracts the rest with the same :class:`~kg.extract.Extractor` into one gzipped
N-Quads shard (:func:`kg.runners.write_shard`). An archive whose articles are all unchanged
costs no model load.

Back on the client, :func:`settle` replays what the worker read, in input order, as the local
build reads it (:func:`kg.build._changed_articles`): the same counts of left-out records,
the same one-line errors (``archive.warc.gz@offset``), and the same rule for a page read
twice: the first in input order is the article, the later copy a duplicate, whose graph, if
its task analysed it too, is taken out of that shard before it is loaded. A task whose worker
dies twice, and twice again when submitted once more, is one error line naming the archive (or
``archive@start`` for a range).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kg.errors import InputError
from kg.runners import ShardOutput, dask_failure, received, worker_extractor, write_shard

if TYPE_CHECKING:
    from kg.build import BuildReport, BuildSettings, ReadSoFar
    from kg.extract import ExtractionConfig, Task
    from kg.sources import FetchOptions

@dataclass(frozen=True)
class ArchiveTask:
    """What a worker reads: the records of ``path`` that start in ``span`` (start, end)."""

    path: str
    span: tuple[int, int | None]
    fetch: FetchOptions
    max_chars: int
    shard: str | None  # where the worker writes its shard (shared file system); None: the bytes come back

    @property
    def name(self) -> str:
        return self.path if self.span[0] == 0 else f"{self.path}@{self.span[0]}"


@dataclass(frozen=True)
class ArchiveDoc:
    """An article the worker read, and what it did with it."""

    identifier: str
    source: str  # archive@offset
    chars: int
    state: Literal["new", "unchanged", "too long"]  # new: extracted (its graph or failure is in the shard)


@dataclass(frozen=True)
class ArchiveProblem:
    """A record the worker could not read (or the archive, from there on): one error line."""

    where: str
    problem: str
    detail: str = ""  # the traceback of an unexpected exception, for --debug


@dataclass
class ArchiveOutput:
    """A task's result: its shard, what it read in order, and the records it left out by reason."""

    task: ArchiveTask
    shard: ShardOutput
    events: list[ArchiveDoc | ArchiveProblem] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)


def known_articles(hashes: dict[str, str]) -> frozenset[bytes]:
    """The store's articles as a set of 16-byte keys of (graph, content hash): what a worker needs to
    tell an unchanged article, at a fraction of the size of the IRIs and hashes themselves."""
    return frozenset(_key(graph, chash) for graph, chash in hashes.items())


def _key(graph: str, chash: str) -> bytes:
    return hashlib.sha256(f"{graph}\x1f{chash}".encode("utf-8", "surrogatepass")).digest()[:16]


def archive_tasks(paths: Iterable[str | os.PathLike[str]], fetch: FetchOptions, max_chars: int,
                  shard_dir: Path, shared: bool, split_bytes: int = 0) -> list[ArchiveTask]:
    """One task per archive, or per range of about ``split_bytes`` of a larger ``.warc.gz`` (0: not cut).

    A CC-NEWS file, about 1 GB, cut by the build's default of 256 MiB is read by four workers at
    once, and its shard comes back in four parts instead of one large one."""
    from kg.sources.warc import record_starts

    tasks: list[ArchiveTask] = []
    for path in map(str, paths):
        try:
            starts = record_starts(Path(path), split_bytes)
        except OSError:  # not readable here: one task, whose worker reports why (or reads it)
            starts = [0]
        for start, end in itertools.zip_longest(starts, starts[1:]):
            shard = str(shard_dir / f"archive-{len(tasks):05d}.nq.gz")
            tasks.append(ArchiveTask(path, (start, end), fetch, max_chars, shard if shared else None))
    return tasks


@dataclass(frozen=True)
class Submitted:
    """A task on the cluster, and how to submit it again."""

    task: ArchiveTask
    future: Any
    again: Callable[[], Any]


def submit_archives(client: Any, tasks: list[ArchiveTask], config: ExtractionConfig,
                    known: frozenset[bytes]) -> list[Submitted]:
    """Start every task; the set of known articles goes to each worker once.

    That set is a task's result, not scattered data: the scheduler keeps what makes it, so when
    the workers holding it die it is made again (scattered data would be lost, and every task
    needing it cancelled). It is copied to every worker before the tasks start: the scheduler
    places a task near its data, and would otherwise run most of them on the one worker holding it."""
    if not tasks:
        return []
    held = client.submit(_held, known, pure=False)
    client.replicate([held])
    pending = []
    for task in tasks:
        again = functools.partial(client.submit, read_archive_task, task, config, held, pure=False)
        pending.append(Submitted(task, again(), again))
    return pending


def _held(value: frozenset[bytes]) -> frozenset[bytes]:
    return value


def archive_results(pending: list[Submitted], shard_dir: Path) -> Iterator[ArchiveOutput]:
    """Each task's output, in input order, its shard on disk here; a task whose worker died twice
    is one error naming the archive."""
    for i, submitted in enumerate(pending):
        try:
            out = _result(submitted)
        except Exception as exc:
            problem = ArchiveProblem(submitted.task.name, f"worker stage failed: {dask_failure(exc, 'reading it')}")
            yield ArchiveOutput(submitted.task, ShardOutput(""), [problem])
            continue
        received(out.shard, str(shard_dir / f"archive-{i:05d}.nq.gz"))
        yield out


def _result(submitted: Submitted) -> ArchiveOutput:
    """The task's output. The scheduler gives up a task when two workers die *while it is assigned to
    them*, running or only waiting its turn behind the task that kills them; so a task given up is
    run once more, by then without the other (given up too, and submitted again only when its own
    result is asked for, after this one's)."""
    try:
        out: ArchiveOutput = submitted.future.result()
    except Exception as exc:
        if type(exc).__name__ != "KilledWorker":
            raise
        out = submitted.again().result()
    return out


# -- on the worker -------------------------------------------------------------------------------

def read_archive_task(task: ArchiveTask, config: ExtractionConfig, known: frozenset[bytes]) -> ArchiveOutput:
    """Runs on a Dask worker: read the archive (range), extract its new and changed articles."""
    from kg.sources import SkipCounts

    skipped = SkipCounts()
    out = ArchiveOutput(task, ShardOutput(""), left_out=skipped.counts)
    changed = _changed(task, config, known, skipped, out.events)
    first = next(changed, None)
    articles = worker_extractor(config).extract(itertools.chain([first], changed)) if first else ()
    out.shard = write_shard(articles, task.shard)  # reads the rest of the archive as it extracts
    return out


def _changed(task: ArchiveTask, config: ExtractionConfig, known: frozenset[bytes], skipped: Any,
             events: list[ArchiveDoc | ArchiveProblem]) -> Iterator[Task]:
    """The archive's articles to extract, with their content hashes; what became of every record
    is noted in ``events``, in order."""
    import traceback

    from kg.build import content_hash
    from kg.sources import archive_records
    from kg.vocab import IRIs

    iris = IRIs(config.base)
    for record in archive_records(Path(task.path), task.fetch, skipped, set(), task.span):
        if isinstance(record, InputError):
            cause = record.__cause__
            events.append(ArchiveProblem(record.path, record.problem,
                                         "".join(traceback.format_exception(cause)) if cause else ""))
            continue
        source, chars = record.source or record.identifier, len(record.text)
        if chars > task.max_chars:
            events.append(ArchiveDoc(record.identifier, source, chars, "too long"))
            continue
        chash = content_hash(record, config.run.settings_hash, config.decisions, config.piece_chars)
        if _key(str(iris.document(record.identifier)), chash) in known:
            events.append(ArchiveDoc(record.identifier, source, chars, "unchanged"))
            continue
        events.append(ArchiveDoc(record.identifier, source, chars, "new"))
        yield record, chash


# -- back on the client --------------------------------------------------------------------------

def settle(out: ArchiveOutput, read: ReadSoFar, report: BuildReport, settings: BuildSettings) -> ShardOutput:
    """Count and report what the task read as the local build would have, in input order after what
    was read before (``read``); return its shard without the articles read before."""
    from kg.build import admitted, report_input_error
    from kg.sources import SkipCounts

    left_out = SkipCounts(report.left_out)
    for reason, count in out.left_out.items():
        left_out.add(reason, count)
    drop: dict[str, str] = {}  # articles this task extracted that an earlier input already gave -> source
    for event in out.events:
        if isinstance(event, ArchiveProblem):
            report_input_error(report, InputError(event.where, event.problem), event.detail, settings.on_error)
            continue
        if event.identifier in read.pages:  # as kg.sources._unique: the page was read before
            left_out.add("duplicate")
        else:
            read.pages.add(event.identifier)
            if admitted(event.identifier, event.source, event.chars, read, settings, report):
                if event.state == "unchanged":
                    report.unchanged += 1
                continue
        if event.state == "new":
            drop[event.identifier] = event.source
    return _without(out.shard, drop)


def _without(shard: ShardOutput, drop: dict[str, str]) -> ShardOutput:
    """``shard`` without the articles ``drop`` (identifier -> source): its file rewritten without their
    graphs, and without their failures and warnings (which name their source)."""
    if not drop:
        return shard
    graphs = {graph for identifier, graph, _ in shard.articles if identifier in drop}
    ends = tuple(f" <{graph}> .\n".encode() for graph in graphs)  # kg.rdf.to_nquads: the graph ends each line
    if shard.path and graphs:
        with gzip.open(shard.path, "rb") as source, gzip.open(f"{shard.path}.part", "wb", compresslevel=1) as sink:
            sink.writelines(line for line in source if not line.endswith(ends))
        os.replace(f"{shard.path}.part", shard.path)
    kept = [i for i, (identifier, _, _) in enumerate(shard.articles) if identifier not in drop]
    shard.articles = [shard.articles[i] for i in kept]
    shard.commits = [shard.commits[i] for i in kept]
    shard.texts = [text for text in shard.texts if text.graph not in graphs]
    shard.failures = [failure for failure in shard.failures if failure.identifier not in drop]
    sources = tuple(f"{source}: " for source in drop.values())
    shard.warnings = [warning for warning in shard.warnings if not warning.startswith(sources)]
    return shard


__all__ = ["ArchiveOutput", "ArchiveTask", "Submitted", "archive_results", "archive_tasks", "known_articles",
           "read_archive_task", "settle", "submit_archives"]
