"""The embedded store: Oxigraph on disk, one named graph per article.

* Each article's facts live in the named graph whose name is the article's IRI;
  re-building an article replaces that graph in one transaction.
* ``kgr:graph/entities`` holds what is derived from all articles together: each
  entity's type, its one canonical ``schema:name`` and its ``schema:alternateName``
  forms. It is recomputed for the entities an update touched.
* ``kgr:graph/runs`` records when each extraction configuration ran.
* Queries see the union of all graphs as their default graph.

rdflib users get the same data through oxrdflib (:meth:`Store.rdflib_dataset`).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, URIRef

from kg.errors import StoreError, StoreLockedError
from kg.vocab import ENTITY_TYPES, KG, OA, PROV, SCHEMA, IRIs

FORMAT_VERSION = 1
META_FILE = "newskg.json"
LOCK_FILE = "newskg.lock"
# Present while article graphs may be ahead of the entities graph (a build was interrupted).
PENDING_FILE = "consolidation.pending"

_ENTITY_CLASSES = tuple(str(t) for t in ENTITY_TYPES.values())


class Store:
    """A newskg store directory. Open with :func:`open_store`; use as a context manager."""

    def __init__(self, path: Path, oxstore: ox.Store, iris: IRIs, read_only: bool, lock_fd: int | None):
        self.path = path
        self.ox = oxstore
        self.iris = iris
        self.read_only = read_only
        self._lock_fd = lock_fd

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        if not self.read_only:
            with suppress(Exception):
                self.ox.flush()
        if self._lock_fd is not None:
            with suppress(OSError):
                os.close(self._lock_fd)
            with suppress(OSError):
                (self.path / LOCK_FILE).unlink()
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
        return rows[0].object.value if rows else None

    def documents(self) -> list[URIRef]:
        q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a <%s> } } ORDER BY ?g" % SCHEMA.NewsArticle
        return [URIRef(row["g"].value) for row in self.ox.query(q)]

    def replace_article(self, graph: Graph) -> set[URIRef]:
        """Replace one article's graph in one transaction; return the entities touched."""
        self._require_writable()
        name = URIRef(str(graph.identifier))
        touched = self._entities_in(name) | _entities_of(graph)
        body = graph.serialize(format="nt")
        update = f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}"
        try:
            self.ox.update(update)
        except (SyntaxError, OSError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot write article graph {name}: {exc}") from exc
        return touched

    def remove_article(self, doc: URIRef) -> set[URIRef]:
        self._require_writable()
        touched = self._entities_in(doc)
        self.ox.update(f"DROP SILENT GRAPH <{doc}>")
        return touched

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
        values = "" if targets is None else "VALUES ?e { %s }" % " ".join(f"<{e}>" for e in targets)
        labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        kb_linked: set[str] = set()
        types: dict[str, set[str]] = defaultdict(set)
        q = f"""SELECT ?e ?t ?label ?kb WHERE {{ {values}
            GRAPH ?g {{ ?e a ?t ; <{RDFS.label}> ?label . OPTIONAL {{ ?e <{KG.knowledgeBaseId}> ?kb }} }}
            FILTER(?g != <{graph}>) }}"""
        for row in self.ox.query(q):
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
        for row in self.ox.query(q):
            forms[row["e"].value].add(row["exact"].value)
        ops = []
        if targets is None:
            ops.append(f"DROP SILENT GRAPH <{graph}>")
        else:
            ops.append(f"DELETE {{ GRAPH <{graph}> {{ ?e ?p ?o }} }} WHERE {{ {values} GRAPH <{graph}> {{ ?e ?p ?o }} }}")
        triples = []
        for e in sorted(set(labels) | set(forms)):
            if not labels.get(e):
                continue  # no article mentions it any more
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

    def rdflib_dataset(self):  # type: ignore[no-untyped-def]
        """The store as an rdflib ``Dataset`` (backed by oxrdflib; no copy)."""
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        return Dataset(store=OxigraphStore(store=self.ox), default_union=True)

    def union_graph(self) -> Graph:
        """All triples of all graphs, copied into an in-memory rdflib graph (for SHACL, JSON-LD)."""
        g = Graph()
        data = self.ox.dump(format=ox.RdfFormat.N_QUADS)
        nt = _nquads_to_ntriples(data)
        g.parse(data=nt, format="nt")
        return g

    def _require_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: store was opened read-only")


def canonical_name(labels: dict[str, int], kb_linked: bool) -> str:
    """The fullest label; ties broken by use count, then alphabetically. Pure and order-free."""
    del kb_linked  # all articles give a KB-linked entity the same label
    return min(labels, key=lambda s: (-len(s.split()), -len(s), -labels[s], s))


def open_store(path: str | os.PathLike[str], *, read_only: bool = False, create: bool = True,
               base: str | None = None) -> Store:
    """Open (or create) a store directory. Writers take an exclusive lock."""
    path = Path(path)
    iris = IRIs(base) if base else IRIs()
    meta_path = path / META_FILE
    if read_only or not create:
        if not meta_path.exists():
            if path.exists() and any(path.iterdir()):
                raise StoreError(f"{path}: not a newskg store (no {META_FILE})")
            raise StoreError(f"{path}: no store here; build one with `kg build ARTICLES --store {path}`")
    if meta_path.exists():
        meta = _read_meta(meta_path)
        if meta.get("format_version") != FORMAT_VERSION:
            raise StoreError(
                f"{path}: store format {meta.get('format_version')} was written by another newskg version "
                f"(this one reads format {FORMAT_VERSION}); rebuild it with `kg build --store NEW_PATH`"
            )
        if base is None and meta.get("base"):
            iris = IRIs(meta["base"])
    if read_only:
        try:
            return Store(path, ox.Store.read_only(str(path)), iris, True, None)
        except OSError as exc:
            raise StoreError(f"{path}: cannot open store: {exc}") from exc
    path.mkdir(parents=True, exist_ok=True)
    lock_fd = _lock(path)
    try:
        oxstore = ox.Store(str(path))
    except OSError as exc:
        os.close(lock_fd)
        raise StoreError(f"{path}: cannot open store: {exc}") from exc
    if not meta_path.exists():
        meta_path.write_text(json.dumps({"format_version": FORMAT_VERSION, "base": iris.base}) + "\n")
    return Store(path, oxstore, iris, False, lock_fd)


def _read_meta(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable store metadata: {exc}") from exc


def _lock(path: Path) -> int:
    import fcntl

    lock_path = path / LOCK_FILE
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise StoreLockedError(f"{path}: store is in use by process {holder}") from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


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
