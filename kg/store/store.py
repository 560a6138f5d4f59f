"""The embedded store: Oxigraph on disk, one named graph per article.

* Each article's facts live in the named graph whose name is the article's IRI;
  re-building an article replaces that graph in one transaction.
* ``kgr:graph/entities`` holds what is derived from all articles together: each
  entity's type, its one canonical ``schema:name`` and its ``schema:alternateName``
  forms. It is recomputed for the entities an update touched.
* ``kgr:graph/runs`` records when each extraction configuration ran.
* Queries see the union of all graphs as their default graph.

rdflib users get the same data through oxrdflib (:meth:`Store.rdflib_dataset`).

Store directory
---------------
``newskg.json`` (format version, base IRI), the Oxigraph/RocksDB files of the
*primary* database, ``newskg.lock`` (the writer's lock; it holds the writer's pid),
``consolidation.pending`` (article graphs may be ahead of the entities graph),
``snapshot.stale`` (the primary may be ahead of the current snapshot),
``snapshots/`` (read-only copies of finished states, see below) and ``export-texts/``
(each article graph as export text).

The parts: snapshots and locks (:mod:`kg.store.snapshots`), the export texts
(:mod:`kg.store.texts`); the entities graph is :mod:`kg.consolidate`'s.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.errors import KGError, StoreError
from kg.export.texts import ExportText
from kg.files import write_atomically
from kg.query import BoundTerm
from kg.resources import query_text
from kg.store import snapshots
from kg.store.snapshots import (
    LOCK_FILE,
    STALE_FILE,
    Snapshot,
    current_snapshot,
    fault_point,
)
from kg.store.texts import ExportTexts
from kg.vocab import KG, PROV, SCHEMA, IRIs

FORMAT_VERSION = 1
META_FILE = "newskg.json"
# Present while article graphs may be ahead of the entities graph (a build was interrupted).
PENDING_FILE = "consolidation.pending"
_OWN_FILES = {META_FILE, LOCK_FILE, "decisions.csv"}  # may exist before the first build

class Store:
    """A newskg store directory. Open with :func:`open_store`; use as a context manager.

    ``path`` is the store directory; ``location`` is the database actually open: the
    store itself for a writer, the current snapshot for a reader (``snapshot`` then
    says which), or the store itself for a reader of a store without snapshot.
    """

    def __init__(self, path: Path, oxstore: ox.Store, iris: IRIs, read_only: bool, lock_fd: int | None,
                 location: Path | None = None, snapshot: Snapshot | None = None, export_texts: bool = True):
        self.path = path
        self.ox = oxstore
        self.iris = iris
        self.read_only = read_only
        self._lock_fd = lock_fd  # writer: newskg.lock (exclusive); reader: the snapshot's or newskg.lock (shared)
        self.location = location or path
        self.snapshot = snapshot
        self._marked_stale = False
        # False for a derived copy (kg.export.confident_view): its texts would say what is not in it
        self.texts = ExportTexts(path, self.location, read_only, enabled=export_texts)

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        """Release the store. A writer that wrote anything and left the entities consolidated
        publishes a snapshot first (:meth:`publish_snapshot`), so readers see its writes.
        The database is closed (once nothing else refers to it): do not use the store after."""
        if not self.read_only and self._lock_fd is not None:
            with suppress(Exception):
                self.ox.flush()
            current = current_snapshot(self.path)
            if not (self.path / PENDING_FILE).exists() and (
                    (self.path / STALE_FILE).exists() or current is None or not current.path.is_dir()):
                with suppress(KGError, OSError):  # kept stale: the next writer publishes
                    current = self.publish_snapshot()
            if current is not None and current.path.is_dir():  # snapshots readers held at the last publication
                with suppress(OSError):
                    snapshots.delete_old_snapshots(self.path, current.id)
        if self._lock_fd is not None:
            self.texts.close()
            with suppress(AttributeError):
                del self.ox  # RocksDB closes with its last reference, before the lock is released
            if not self.read_only:
                with suppress(OSError):
                    os.ftruncate(self._lock_fd, 0)  # no pid: nobody writes now (the file stays: see _lock)
            with suppress(OSError):
                os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles ----------------------------------------------------------------
    def content_hash(self, doc: URIRef) -> str | None:
        rows = list(
            self.ox.quads_for_pattern(_node(doc), _node(KG.contentHash), None, _node(doc))
        )
        value = rows[0].object if rows else None
        return value.value if isinstance(value, ox.Literal) else None

    def content_hashes(self) -> dict[str, str]:
        """Every built article's content hash: ``{graph: hash}``."""
        return {str(q.subject.value): str(q.object.value)
                for q in self.ox.quads_for_pattern(None, _node(KG.contentHash), None, None)
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
                and q.subject == q.graph_name}

    def documents(self) -> list[URIRef]:
        return [URIRef(row["g"].value) for row in select(self.ox, query_text("store", "documents.rq"))]

    def replace_article(self, graph: Graph) -> set[URIRef]:
        """Replace one article's graph in one transaction; return the entities touched."""
        self._require_writable()
        name = URIRef(str(graph.identifier))
        touched = self._entities_in(name) | _entities_of(graph)
        body = graph.serialize(format="nt")
        update = f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}"
        try:
            self.texts.drop([str(name)])
            self.ox.update(update)
        except (SyntaxError, OSError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot write article graph {name}: {exc}") from exc
        return touched

    def remove_article(self, doc: URIRef) -> set[URIRef]:
        self._require_writable()
        touched = self._entities_in(doc)
        self.texts.drop([str(doc)])
        self.ox.update(f"DROP SILENT GRAPH <{doc}>")
        return touched

    def load_article(self, name: str, ntriples: str, entities: Iterable[str] = (),
                     text: ExportText | None = None) -> set[URIRef]:
        """Replace one article's graph with ``ntriples`` in one transaction (the fast path of
        :meth:`replace_article`, for graphs made by :mod:`kg.rdf`); return the entities touched.

        A new article is parsed straight into its graph by Oxigraph's N-Triples loader; an
        article already in the store is dropped and re-inserted in one SPARQL update.
        ``text``, the graph as export text, is kept before the graph is written.
        """
        self._require_writable()
        graph = ox.NamedNode(name)
        touched = {URIRef(e) for e in entities}
        try:
            self.texts.put([text] if text is not None else [], drop=[name])
            if not self.has_graph(name):
                self.ox.load(ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=graph)
            else:
                touched |= self._entities_in(URIRef(name))
                self.ox.update(f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{ntriples}\n}} }}")
        except (SyntaxError, OSError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot write article graph {name}: {exc}") from exc
        return touched

    def has_graph(self, name: str) -> bool:
        """Whether any quad is in the graph ``name`` (an article built, or partly bulk-loaded)."""
        return next(iter(self.ox.quads_for_pattern(None, None, None, ox.NamedNode(name))), None) is not None

    def load_shards(self, shards: Iterable[str | os.PathLike[str]], graphs: Iterable[str] = (),
                    commits: str = "", texts: Iterable[ExportText] = ()) -> set[URIRef]:
        """Bulk-load N-Quads shards (gzipped or plain) holding the article graphs ``graphs``.

        Those of ``graphs`` already in the store are dropped first; the entities they
        mentioned are returned (the caller knows those the new graphs mention). This is
        Oxigraph's bulk loader (as ``oxigraph load``): it writes sorted files straight into
        the database, several times faster than transactional inserts, but not atomically.
        So the shards hold everything but each article's ``kg:contentHash``, and
        ``commits`` (those triples, as N-Quads) is written afterwards in one transaction:
        an article counts as built only once its hash is there. An interrupted load leaves
        articles without a hash, which the next build analyses and replaces. ``texts`` (the
        graphs as export texts) are kept before the hashes are written.
        """
        import gzip

        self._require_writable()
        touched: set[URIRef] = set()
        graphs = list(graphs)
        self.texts.drop(graphs)
        for name in graphs:
            if self.has_graph(name):
                touched |= self._entities_in(URIRef(name))
                self.ox.remove_graph(ox.NamedNode(name))
        for shard in shards:
            path = Path(shard)
            try:
                if path.suffix == ".gz":
                    with gzip.open(path, "rb") as stream:
                        self.ox.bulk_load(stream, ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
                else:
                    self.ox.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            except (SyntaxError, OSError, ValueError) as exc:
                raise StoreError(f"{self.path}: cannot load shard {path}: {exc}") from exc
        self.texts.put(texts)
        if commits:
            self.ox.load(commits.encode("utf-8"), ox.RdfFormat.N_QUADS)
        return touched

    # -- export texts (kg.store.texts) -------------------------------------------------
    def export_texts(self, parts: Iterable[str]) -> dict[str, dict[str, str]]:
        """The valid export texts: ``{graph: {part: text}}`` for the ``parts`` asked
        (``"own"``, ``"own_count"``, ``"shared"``, ``"turtle"``), for every graph whose text
        was made from the content hash it holds now."""
        return self.texts.valid(parts, self.content_hashes(), self.iris.base)

    def compact(self) -> None:
        """Compact the database (RocksDB's full compaction, ``Store.optimize``).

        Bulk loading ingests sorted files as they come, so after a large build a lookup
        checks many files: on a million triples, joins run about four times slower than
        after compaction (benchmarks/README.md). Costs about 1.5 s per million quads.
        """
        self._require_writable()
        try:
            self.ox.optimize()
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot compact the database: {exc}") from exc

    def record_run(self, run: URIRef) -> None:
        """Note when a configuration first ran (kept out of the article graphs, which stay deterministic)."""
        graph = self.iris.graph("runs")
        if any(self.ox.quads_for_pattern(_node(run), _node(PROV.startedAtTime), None, _node(graph))):
            return
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        self.ox.add(ox.Quad(_node(run), _node(PROV.startedAtTime),
                            ox.Literal(now, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
                            _node(graph)))

    def _entities_in(self, doc: URIRef) -> set[URIRef]:
        return {
            URIRef(q.object.value)
            for q in self.ox.quads_for_pattern(_node(doc), _node(SCHEMA.mentions), None, _node(doc))
            if isinstance(q.object, ox.NamedNode)
        }

    # -- derived entity descriptions ---------------------------------------------
    def begin_updates(self) -> None:
        """Mark the entities graph as possibly stale until :meth:`end_updates`."""
        self._require_writable()
        (self.path / PENDING_FILE).touch()

    def end_updates(self) -> None:
        self.ox.flush()
        with suppress(FileNotFoundError):
            (self.path / PENDING_FILE).unlink()

    def recover(self) -> bool:
        """After an interrupted build, recompute every entity description; True if it had to."""
        if not (self.path / PENDING_FILE).exists():
            return False
        self.consolidate_entities(None)
        self.end_updates()
        return True

    def consolidate_entities(self, entities: Iterable[URIRef] | None = None) -> None:
        """Recompute canonical names, alternate names and types of ``entities`` (all when None).
        See :func:`kg.consolidate.consolidate`.
        """
        # imported here: kg.consolidate reads the store through this module
        from kg.consolidate import consolidate

        self._require_writable()
        consolidate(self.ox, self.iris.graph("entities"), entities)

    # -- reading -----------------------------------------------------------------
    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        return self.ox.query(sparql, use_default_graph_as_union=True)

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self.ox.quads_for_pattern(None, None, None, None))

    def __len__(self) -> int:
        return len(self.ox)

    def rdflib_dataset(self):
        """The store as an rdflib ``Dataset`` (backed by oxrdflib; no copy)."""
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        return Dataset(store=OxigraphStore(store=self.ox), default_union=True)

    def union_graph(self) -> Graph:
        """All triples of all graphs, copied into an in-memory rdflib graph (for SHACL, JSON-LD)."""
        g = Graph()
        data = self.ox.dump(format=ox.RdfFormat.N_QUADS) or b""
        nt = _nquads_to_ntriples(data)
        g.parse(data=nt, format="nt")
        return g

    def _require_writable(self) -> None:
        """Called by every write operation before it writes."""
        if self.read_only:
            raise StoreError(f"{self.path}: store was opened read-only")
        if "KG_TEST_KILL_AT" in os.environ:
            fault_point(sys._getframe(1).f_code.co_name)
        if not self._marked_stale:  # before the first write: readers' snapshot is now behind
            (self.path / STALE_FILE).touch()
            self._marked_stale = True

    # -- snapshots -----------------------------------------------------------------
    def publish_snapshot(self) -> Snapshot:
        """Publish the store as it is now for readers (see the module documentation).

        Call it only when the store is consistent (after :meth:`end_updates`); it refuses
        while the entities graph is pending. Returns the new current snapshot.
        """
        if self.read_only:
            raise StoreError(f"{self.path}: store was opened read-only")
        if (self.path / PENDING_FILE).exists():
            raise StoreError(f"{self.path}: cannot publish a snapshot while entity descriptions are pending")
        snap = snapshots.publish(self.path, self.ox, self.texts.database(create=False))
        self._marked_stale = False
        return snap


def select(oxstore: ox.Store, sparql: str, *, union: bool = False,
           substitutions: dict[ox.Variable, BoundTerm] | None = None) -> ox.QuerySolutions:
    """The solutions of a SELECT query (typed: ``ox.Store.query`` may also answer ASK or CONSTRUCT),
    with ``substitutions`` bound."""
    answer = oxstore.query(sparql, use_default_graph_as_union=union, substitutions=substitutions or None)
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {sparql[:60]!r}")
    return answer


def open_store(path: str | os.PathLike[str], *, read_only: bool = False, create: bool = True,
               base: str | None = None) -> Store:
    """Open (or create) a store directory.

    A writer takes the exclusive lock; a reader reads the current snapshot (or, in a
    store that has none yet, the store itself, holding a shared lock). See the module
    documentation for the protocol and why.
    """
    path = Path(path)
    iris = IRIs(base) if base else IRIs()
    meta_path = path / META_FILE
    if meta_path.exists():
        meta = _read_meta(meta_path)
        _check_format(path, meta)
        if base is None and meta.get("base"):
            iris = IRIs(meta["base"])
    elif read_only or not create:
        if path.is_dir() and any(path.iterdir()):
            raise StoreError(f"{path}: not a newskg store (no {META_FILE}); give the folder `kg build` made")
        raise StoreError(f"{path}: no store here; build one with `kg build ARTICLES --store {path}`")
    elif path.exists():
        _check_new_store_folder(path)
    if read_only:
        oxstore, fd, snap = snapshots.open_for_reading(path)
        return Store(path, oxstore, iris, True, fd, location=snap.path if snap else None, snapshot=snap)
    path.mkdir(parents=True, exist_ok=True)
    lock_fd = snapshots.lock_for_writing(path)
    try:
        if not meta_path.exists():  # before the database: a folder with database files always says what it is
            write_atomically(meta_path, json.dumps({"format_version": FORMAT_VERSION, "base": iris.base}) + "\n")
        oxstore = ox.Store(str(path))
    except OSError as exc:
        os.close(lock_fd)
        raise StoreError(f"{path}: cannot open store: {exc}") from exc
    return Store(path, oxstore, iris, False, lock_fd)


def _check_format(path: Path, meta: dict) -> None:
    found = meta.get("format_version")
    if found == FORMAT_VERSION:
        return
    if isinstance(found, int) and found > FORMAT_VERSION:
        raise StoreError(f"{path}: store format {found} was written by a newer newskg (this one reads format "
                         f"{FORMAT_VERSION}); upgrade newskg, or rebuild the store with this one: "
                         f"`kg build ARTICLES --store NEW_PATH`")
    raise StoreError(f"{path}: store format {found} was written by an older newskg (this one reads format "
                     f"{FORMAT_VERSION}); rebuild it from the articles: `kg build ARTICLES --store NEW_PATH`")


def _check_new_store_folder(path: Path) -> None:
    """A writer creates a store only in a new or empty folder (or one with only newskg's own files)."""
    if not path.is_dir():
        raise StoreError(f"{path}: not a folder; give a new or empty folder for the store")
    foreign = sorted(e.name for e in path.iterdir() if e.name not in _OWN_FILES and not e.name.startswith("."))
    if foreign:
        what = "an Oxigraph database without newskg metadata" if "CURRENT" in foreign else f"holds {foreign[0]!r}"
        raise StoreError(f"{path}: not a newskg store (no {META_FILE}; {what}); give a new or empty folder "
                         "for the store")


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable store metadata: {exc}") from exc
    if not isinstance(meta, dict):
        raise StoreError(f"{path}: unreadable store metadata: not a JSON object")
    return meta


def _node(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _entities_of(graph: Graph) -> set[URIRef]:
    return {o for o in graph.objects(URIRef(str(graph.identifier)), SCHEMA.mentions) if isinstance(o, URIRef)}


def _nquads_to_ntriples(data: bytes) -> str:
    """Drop the graph name of each N-Quads line (the union of all graphs)."""
    out = []
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        out.append(f"{q.subject} {q.predicate} {q.object} .")
    return "\n".join(out)
