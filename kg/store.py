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
(each article graph as export text, see "Export texts").

Readers, writers and snapshots
------------------------------
RocksDB does not support reading a database read-only while another process writes
it ("undefined behaviour"), so readers never open the primary while a writer may
run. Instead, a writer that leaves the store consistent (every finished build, and
:meth:`Store.close` after writes) *publishes a snapshot*: ``Store.backup`` into
``snapshots/.tmp-<id>`` (hard links to RocksDB's immutable files: cheap), renamed
to ``snapshots/<id>`` (ids increase and are never reused), then the pointer
``snapshots/CURRENT`` is replaced atomically (temporary file + ``os.replace``).
Only then are older snapshots deleted, and only those no reader holds.

The lock protocol (``flock``; the kernel drops the locks of a dead process, so a
killed process never leaves a store locked; nobody waits for a lock except a reader
for the moment a writer takes to delete the very snapshot it was about to read):

* **Writer**: exclusive lock on ``newskg.lock``. One writer at a time; a second gets
  "store is in use by process N".
* **Reader, when there is a snapshot** (the normal case): reads ``CURRENT``, takes a
  *shared* lock on ``snapshots/<id>.lock``, checks that ``snapshots/<id>`` still
  exists (else reads ``CURRENT`` again) and opens that copy read-only. It never
  touches ``newskg.lock``, so readers never delay or refuse a build, and a build
  never changes a file a reader reads: readers see the last finished build.
* **Writer deleting an old snapshot**: exclusive lock on its ``.lock`` without
  waiting; if a reader holds it, the snapshot stays (the next publication tries
  again). Otherwise it renames the folder away (readers check for the folder only
  after locking, so they see a whole snapshot or none) and then removes it.
* **Reader, when there is no snapshot yet** (a store written before snapshots
  existed, or whose first build has not finished): it takes a *shared* lock on
  ``newskg.lock`` itself, so no writer can start while it reads the primary. If a
  writer holds the lock, the reader says "store is being written by process N and
  has no finished build to read yet". A writer that finds only readers holding the
  lock waits up to :data:`READER_WAIT` seconds (short readers finish), then says
  "store is being read by process N (no snapshot yet)". Once a build has finished
  there is a snapshot, so this wait happens at most once in a store's life.

Why this design: reading the primary while no writer runs, under a shared lock that
writers respect, would be fresher, but then any long reader (``kg serve``, a notebook)
keeps every build out, and a reader would see a killed build's half-written state.
RocksDB's secondary instances (which follow a writer) are not available through
pyoxigraph. A snapshot costs hard links and, while read, the disk space of the files
the primary has since compacted away; in exchange readers and writers never wait for
each other and readers only ever see finished builds. Optional snapshots did not need
a new format version: a store without one is read as before until its next writer.

Export texts
------------
``export-texts/`` (a second Oxigraph database, in each snapshot too) keeps every article
graph as the text an export writes (:class:`kg.export_texts.ExportText`: N-Triples and Turtle,
made where the article was extracted), so that ``kg export`` concatenates texts instead of
reading every term back from the database (about five seconds per million triples on
two cores). A text is used only if its key names the content hash its graph holds now:
each write of an article graph first drops (or replaces) its text, and the hash is written
last, so a text is never newer or older than what it says it is. Graphs without a valid
text (the entities graph, articles written by :meth:`Store.replace_article`, stores made
before texts existed) are read from the database as before. The texts cost about as much
disk as the database itself.

Crashes: every step above is atomic or repeatable. A writer killed mid-publication
leaves either the old ``CURRENT`` (and ``snapshot.stale``, so the next writer
publishes again, even when it has nothing else to do) or the new one; leftover
temporary folders and unreferenced snapshots are removed by the next publication.

Test-only fault injection: with ``KG_TEST_KILL_AT=<point>:<n>`` in the environment,
the process sends itself ``SIGKILL`` (or ``$KG_TEST_KILL_SIGNAL``, e.g. ``SIGSTOP``)
the n-th time it reaches ``<point>`` (see :func:`fault_point`): before each write
operation (``load_article``, ``load_shards``, ``replace_article``,
``consolidate_entities``, ...), and at ``snapshot:backup``, ``snapshot:rename`` and
``snapshot:current`` during publication (``tests/test_crash.py``); inert when unset.
One article failing at one build stage, or killing its worker: ``KG_TEST_FAULT`` (:mod:`kg.faults`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, URIRef

from kg.errors import KGError, StoreError, StoreLockedError
from kg.export_texts import ExportText
from kg.vocab import ENTITY_TYPES, KG, OA, PROV, SCHEMA, IRIs

FORMAT_VERSION = 1
META_FILE = "newskg.json"
LOCK_FILE = "newskg.lock"
# Present while article graphs may be ahead of the entities graph (a build was interrupted).
PENDING_FILE = "consolidation.pending"
# Present while the primary database may be ahead of the current snapshot.
STALE_FILE = "snapshot.stale"
SNAPSHOTS_DIR = "snapshots"
POINTER_FILE = "CURRENT"  # in SNAPSHOTS_DIR: which snapshot readers read
EXPORT_TEXTS_DIR = "export-texts"  # the export texts' database (in the store and in each snapshot)
READER_WAIT = 2.0  # seconds a starting writer waits for readers of a store without snapshot
_OWN_FILES = {META_FILE, LOCK_FILE, "decisions.csv"}  # may exist before the first build

_ENTITY_CLASSES = tuple(str(t) for t in ENTITY_TYPES.values())

# The export texts' database: one subject per article graph (its IRI), a literal per part.
# Private to this module: these IRIs name nothing in the graph.
_TEXT_PARTS = {part: ox.NamedNode(f"urn:newskg:export-text:{part}")
               for part in ("key", "own", "own_count", "shared", "turtle")}
_TEXT_KEY, _TEXT_OWN, _TEXT_OWN_COUNT, _TEXT_SHARED, _TEXT_TURTLE = _TEXT_PARTS.values()
_TEXT_PREDICATES = tuple(_TEXT_PARTS.values())


@dataclass(frozen=True)
class Snapshot:
    """A published, read-only copy of the store as a finished build left it."""

    id: str
    created: str  # ISO 8601, UTC
    path: Path


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
        self._texts: ox.Store | None = None  # export texts: opened when first needed
        self._texts_apply = export_texts  # False for a derived copy (kg.export.confident_view)

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
                    self._delete_old_snapshots(current.id)
        if self._lock_fd is not None:
            self._texts = None
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

    def documents(self) -> list[URIRef]:
        q = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{SCHEMA.NewsArticle}> }} }} ORDER BY ?g"
        return [URIRef(row["g"].value) for row in select(self.ox, q)]

    def replace_article(self, graph: Graph) -> set[URIRef]:
        """Replace one article's graph in one transaction; return the entities touched."""
        self._require_writable()
        name = URIRef(str(graph.identifier))
        touched = self._entities_in(name) | _entities_of(graph)
        body = graph.serialize(format="nt")
        update = f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}"
        try:
            self._drop_export_texts([str(name)])
            self.ox.update(update)
        except (SyntaxError, OSError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot write article graph {name}: {exc}") from exc
        return touched

    def remove_article(self, doc: URIRef) -> set[URIRef]:
        self._require_writable()
        touched = self._entities_in(doc)
        self._drop_export_texts([str(doc)])
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
            self._put_export_texts([text] if text is not None else [], drop=[name])
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
        self._drop_export_texts(graphs)
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
        self._put_export_texts(texts)
        if commits:
            self.ox.load(commits.encode("utf-8"), ox.RdfFormat.N_QUADS)
        return touched

    # -- export texts (module documentation: "Export texts") -------------------------------
    def _export_texts_db(self, create: bool) -> ox.Store | None:
        if self._texts is None and self._texts_apply:
            folder = self.location / EXPORT_TEXTS_DIR
            try:
                if self.read_only:
                    self._texts = ox.Store.read_only(str(folder)) if folder.is_dir() else None
                elif create or folder.is_dir():
                    self._texts = ox.Store(str(folder))
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot open the export texts ({folder}): {exc}") from exc
        return self._texts

    def _put_export_texts(self, texts: Iterable[ExportText], drop: Iterable[str] = ()) -> None:
        """Drop the texts of the graphs ``drop`` and of ``texts``, then keep ``texts``."""
        texts = list(texts)
        self._drop_export_texts([*drop, *(t.graph for t in texts)])
        if not texts:
            return
        db = self._export_texts_db(create=True)
        assert db is not None
        # The bulk loader writes sorted files directly: a transaction would push ~200 kB an
        # article through RocksDB's log and compactions (6 % of a build's time instead of 1 %).
        # It is not atomic, but a text is used only once all its parts are there.
        db.bulk_extend([ox.Quad(ox.NamedNode(t.graph), predicate, ox.Literal(value))
                        for t in texts
                        for predicate, value in ((_TEXT_KEY, t.key), (_TEXT_OWN, t.own),
                                                 (_TEXT_OWN_COUNT, str(t.own_count)), (_TEXT_SHARED, t.shared),
                                                 (_TEXT_TURTLE, t.turtle))])

    def _drop_export_texts(self, graphs: Iterable[str]) -> None:
        db = self._export_texts_db(create=False)
        if db is None:
            return
        for name in graphs:  # the key first: a text without its key is never used
            for predicate in _TEXT_PREDICATES:
                for quad in list(db.quads_for_pattern(ox.NamedNode(name), predicate, None)):
                    db.remove(quad)

    def export_texts(self, parts: Iterable[str]) -> dict[str, dict[str, str]]:
        """The valid export texts: ``{graph: {part: text}}`` for the ``parts`` asked
        (``"own"``, ``"own_count"``, ``"shared"``, ``"turtle"``), for every graph whose text
        was made from the content hash it holds now."""
        from kg.export_texts import export_key

        db = self._export_texts_db(create=False)
        if db is None:
            return {}
        hashes = {str(q.subject.value): str(q.object.value)
                  for q in self.ox.quads_for_pattern(None, _node(KG.contentHash), None, None)
                  if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
                  and q.subject == q.graph_name}
        key = export_key("{}", self.iris.base)
        valid = {q.subject.value for q in db.quads_for_pattern(None, _TEXT_KEY, None)
                 if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
                 and q.subject.value in hashes and q.object.value == key.format(hashes[q.subject.value])}
        texts: dict[str, dict[str, str]] = {graph: {} for graph in valid}
        for part in parts:
            for q in db.quads_for_pattern(None, _TEXT_PARTS[part], None):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal) \
                        and q.subject.value in valid:
                    texts[q.subject.value][part] = q.object.value
        return {graph: found for graph, found in texts.items() if len(found) == len(set(parts))}

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

        The result depends only on what the article graphs say, never on the order in
        which they were built: the canonical name is the best article label, ranked by
        knowledge-base link, then fullness (words, then characters), then how many
        articles use it, then alphabetical order.
        """
        self._require_writable()
        graph = self.iris.graph("entities")
        targets = None if entities is None else sorted(set(entities))
        if targets == []:
            return
        values = "" if targets is None else "VALUES ?e { " + " ".join(f"<{e}>" for e in targets) + " }"
        labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        kb_linked: set[str] = set()
        types: dict[str, set[str]] = defaultdict(set)
        q = f"""SELECT ?e ?t ?label ?kb WHERE {{ {values}
            GRAPH ?g {{ ?e a ?t ; <{RDFS.label}> ?label . OPTIONAL {{ ?e <{KG.knowledgeBaseId}> ?kb }} }}
            FILTER(?g != <{graph}>) }}"""
        for row in select(self.ox, q):
            e = row["e"].value
            if row["t"].value in _ENTITY_CLASSES:
                types[e].add(row["t"].value)
            labels[e][row["label"].value] += 1
            if row["kb"] is not None:
                kb_linked.add(e)
        forms: dict[str, set[str]] = defaultdict(set)
        q = f"""SELECT ?e ?exact WHERE {{ {values}
            GRAPH ?g {{ ?m <{KG.mentionOf}> ?e ; <{KG.evidence}> ?span .
                        ?span <{OA.hasSelector}> ?sel . ?sel <{OA.exact}> ?exact }} }}"""
        for row in select(self.ox, q):
            forms[row["e"].value].add(row["exact"].value)
        ops = []
        if targets is None:
            ops.append(f"DROP SILENT GRAPH <{graph}>")
        else:
            ops.append(f"DELETE {{ GRAPH <{graph}> {{ ?e ?p ?o }} }} "
                       f"WHERE {{ {values} GRAPH <{graph}> {{ ?e ?p ?o }} }}")
        triples = []
        for e in sorted(set(labels) | set(forms)):
            if not labels.get(e):
                continue  # no article mentions it any more
            if not types.get(e):
                continue  # typed and labelled, but not an entity (the run, the software agent): seen when all=None
            name = canonical_name(labels[e], e in kb_linked)
            for t in sorted(types.get(e, ())):
                triples.append(f"<{e}> <{RDF.type}> <{t}> .")
            triples.append(f"<{e}> <{SCHEMA.name}> {_lit(name)} .")
            for alt in sorted((forms.get(e, set()) | set(labels[e])) - {name}):
                triples.append(f"<{e}> <{SCHEMA.alternateName}> {_lit(alt)} .")
        if triples:
            ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(triples) + "\n} }")
        self.ox.update(" ;\n".join(ops))

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
        folder = self.path / SNAPSHOTS_DIR
        try:
            folder.mkdir(exist_ok=True)
            current = current_snapshot(self.path)
            used = [int(e.name) for e in folder.iterdir() if e.name.isdigit()]
            used += [int(e.name.split("-")[-1]) for e in folder.iterdir()
                     if e.name.startswith((".tmp-", ".trash-")) and e.name.split("-")[-1].isdigit()]
            if current is not None and current.id.isdigit():
                used.append(int(current.id))
            new_id = f"{max(used, default=0) + 1:08d}"
            tmp = folder / f".tmp-{new_id}"
            self.ox.flush()
            self.ox.backup(str(tmp))
            texts = self._export_texts_db(create=False)
            if texts is not None:
                texts.flush()
                texts.backup(str(tmp / EXPORT_TEXTS_DIR))
            fault_point("snapshot:backup")
            (folder / f"{new_id}.lock").touch()
            os.rename(tmp, folder / new_id)
            fault_point("snapshot:rename")
            created = datetime.now(UTC).replace(microsecond=0).isoformat()
            _write_atomically(folder / POINTER_FILE, json.dumps({"id": new_id, "created": created}) + "\n")
            fault_point("snapshot:current")
            with suppress(FileNotFoundError):
                (self.path / STALE_FILE).unlink()
            self._marked_stale = False
            self._delete_old_snapshots(new_id)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot publish a snapshot for readers: {exc}") from exc
        return Snapshot(new_id, created, folder / new_id)

    def _delete_old_snapshots(self, keep: str) -> None:
        """Remove leftovers and every snapshot but ``keep`` that no reader holds (writer only)."""
        import fcntl

        folder = self.path / SNAPSHOTS_DIR
        for entry in sorted(folder.iterdir()):
            name = entry.name
            if name.startswith((".tmp-", ".trash-")):  # left by a killed writer; only writers make them
                shutil.rmtree(entry, ignore_errors=True)
                continue
            snap_id = name.removesuffix(".lock")
            if not snap_id.isdigit() or snap_id == keep or (name.endswith(".lock") and (folder / snap_id).exists()):
                continue
            lock = folder / f"{snap_id}.lock"
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # a reader is reading it: next time
            try:
                trash = folder / f".trash-{snap_id}"
                if (folder / snap_id).exists():
                    os.rename(folder / snap_id, trash)  # atomically gone for readers
                lock.unlink()  # a reader that opened it before finds no snapshot, and retries
            finally:
                os.close(fd)
            shutil.rmtree(trash, ignore_errors=True)


def select(oxstore: ox.Store, sparql: str, *, union: bool = False) -> ox.QuerySolutions:
    """The solutions of a SELECT query (typed: ``ox.Store.query`` may also answer ASK or CONSTRUCT)."""
    answer = oxstore.query(sparql, use_default_graph_as_union=union)
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {sparql[:60]!r}")
    return answer


def canonical_name(labels: dict[str, int], kb_linked: bool) -> str:
    """The fullest label; ties broken by use count, then alphabetically. Pure and order-free."""
    del kb_linked  # all articles give a KB-linked entity the same label
    return min(labels, key=lambda s: (-len(s.split()), -len(s), -labels[s], s))


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
        return _open_reader(path, iris)
    path.mkdir(parents=True, exist_ok=True)
    lock_fd = _lock(path)
    try:
        if not meta_path.exists():  # before the database: a folder with database files always says what it is
            _write_atomically(meta_path, json.dumps({"format_version": FORMAT_VERSION, "base": iris.base}) + "\n")
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


def current_snapshot(path: str | os.PathLike[str]) -> Snapshot | None:
    """The snapshot readers of the store at ``path`` read now (None when there is none)."""
    folder = Path(path) / SNAPSHOTS_DIR
    try:
        pointer = json.loads((folder / POINTER_FILE).read_text(encoding="utf-8"))
        snap_id, created = str(pointer["id"]), str(pointer.get("created", ""))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not snap_id.isdigit():
        return None
    return Snapshot(snap_id, created, folder / snap_id)


def _open_reader(path: Path, iris: IRIs) -> Store:
    """The current snapshot, read-only and held; or the store itself when it has none yet."""
    for _ in range(100):  # each retry means a writer published meanwhile: that is quick
        snap = current_snapshot(path)
        if snap is not None:
            store = _open_snapshot(path, snap, iris)
            if store is not None:
                return store
            if current_snapshot(path) != snap:
                continue  # replaced and deleted meanwhile: read the new pointer
            # the pointer names a snapshot that is gone (deleted by hand): as if there were none
        fd, writer = _lock_primary_for_reading(path)
        if current_snapshot(path) not in (None, snap):  # a writer published meanwhile
            if fd is not None:
                os.close(fd)
            continue
        if writer is not None:
            raise StoreLockedError(f"{path}: store is being written by process {writer} and has no finished "
                                   "build to read yet; try again when it finishes")
        try:
            oxstore = ox.Store.read_only(str(path))
        except OSError as exc:
            if fd is not None:
                os.close(fd)
            raise StoreError(f"{path}: cannot open store: {exc}") from exc
        return Store(path, oxstore, iris, True, fd)
    raise StoreError(f"{path}: cannot open store: its snapshot keeps changing")


def _open_snapshot(path: Path, snap: Snapshot, iris: IRIs) -> Store | None:
    """``snap`` opened read-only under a shared lock; None if it was deleted meanwhile."""
    import fcntl

    lock = path / SNAPSHOTS_DIR / f"{snap.id}.lock"
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        if not snap.path.is_dir():
            return None
        try:  # a snapshot copied without its lock file: make one (the check below still holds)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None
    fcntl.flock(fd, fcntl.LOCK_SH)  # a writer holds it exclusively only while deleting it: briefly
    if not snap.path.is_dir():  # deleted before we locked (renamed away atomically: whole or gone)
        os.close(fd)
        return None
    try:
        oxstore = ox.Store.read_only(str(snap.path))
    except OSError as exc:
        os.close(fd)
        raise StoreError(f"{path}: cannot open snapshot {snap.id}: {exc}") from exc
    return Store(path, oxstore, iris, True, fd, location=snap.path, snapshot=snap)


def _lock_primary_for_reading(path: Path) -> tuple[int | None, str | None]:
    """A shared lock on the writer's lock file, so that no writer starts while it is held:
    ``(fd, None)``; or ``(None, pid)`` when a writer holds it."""
    import fcntl

    lock_path = path / LOCK_FILE
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except FileNotFoundError:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None, None  # a folder we may not write to: read without a lock
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _pid_in(fd)
        os.close(fd)
        return None, holder
    return fd, None


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable store metadata: {exc}") from exc
    if not isinstance(meta, dict):
        raise StoreError(f"{path}: unreadable store metadata: not a JSON object")
    return meta


def _lock(path: Path) -> int:
    """The writer's exclusive lock on ``newskg.lock`` (which then holds the writer's pid).

    The file is never deleted: deleting a lock file lets two processes lock two different
    files of the same name. A writer that finds only readers holding the lock (readers of
    a store without snapshot) waits up to :data:`READER_WAIT` seconds for them.
    """
    import fcntl

    lock_path = path / LOCK_FILE
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + READER_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            pass
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # succeeds only when no writer holds it
        except BlockingIOError:
            holder = _pid_in(fd)
            os.close(fd)
            raise StoreLockedError(f"{path}: store is in use by process {holder}") from None
        fcntl.flock(fd, fcntl.LOCK_UN)
        if time.monotonic() > deadline:
            readers = [pid for pid in _flock_holders(lock_path, "READ") if pid != os.getpid()]
            os.close(fd)
            who = (f"process {readers[0]}" if len(readers) == 1 else
                   f"processes {', '.join(map(str, readers))}" if readers else "another process")
            raise StoreLockedError(f"{path}: store is being read by {who} (no snapshot yet); "
                                   "try again when it finishes") from None
        time.sleep(0.05)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _pid_in(fd: int) -> str:
    """The pid a writer wrote in its lock file ("?" if it has not written it yet)."""
    for _ in range(10):
        with suppress(OSError):
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            if text:
                return text
        time.sleep(0.02)
    return "?"


def _flock_holders(lock_path: Path, kind: str) -> list[int]:
    """Pids holding a ``flock`` of ``kind`` (READ or WRITE) on the file (Linux; [] elsewhere)."""
    try:
        inode = lock_path.stat().st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    pids = []
    for line in lines:
        fields = line.split()
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK" or fields[3] != kind:
            continue
        with suppress(ValueError):
            if int(fields[5].rsplit(":", 1)[1]) == inode:
                pids.append(int(fields[4]))
    return sorted(set(pids))


def _write_atomically(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)


_FAULT_COUNTS: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Test-only fault injection: with ``KG_TEST_KILL_AT=name:n`` (or just ``name`` for n = 1)
    in the environment, the n-th time this process gets here it sends itself ``SIGKILL``
    (or ``$KG_TEST_KILL_SIGNAL``). Nothing happens without the variable."""
    wanted = os.environ.get("KG_TEST_KILL_AT")
    if not wanted:
        return
    count = _FAULT_COUNTS[name] = _FAULT_COUNTS.get(name, 0) + 1
    if wanted == f"{name}:{count}" or (wanted == name and count == 1):
        sig = os.environ.get("KG_TEST_KILL_SIGNAL", "SIGKILL")
        print(f"kg: test fault injection: {sig} at {name}:{count}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), getattr(signal, sig))


def _node(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _lit(value: str) -> str:
    return ox.Literal(value).__str__()


def _entities_of(graph: Graph) -> set[URIRef]:
    return {o for o in graph.objects(URIRef(str(graph.identifier)), SCHEMA.mentions) if isinstance(o, URIRef)}


def _nquads_to_ntriples(data: bytes) -> str:
    """Drop the graph name of each N-Quads line (the union of all graphs)."""
    out = []
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        out.append(f"{q.subject} {q.predicate} {q.object} .")
    return "\n".join(out)
