"""The RDF exports: Turtle and N-Triples (the union, each triple once, made from the export
texts the build kept), N-Quads and TriG (the dataset as stored) and JSON-LD."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import pyoxigraph as ox

from kg.export.texts import split_own_lines, turtle_statements
from kg.vocab import display_prefixes

if TYPE_CHECKING:
    from kg.store import Store


def rdf_prefixes(store: Store) -> dict[str, str]:
    """The prefixes written at the top of Turtle, TriG and the JSON-LD context."""
    return display_prefixes(store.iris.base)


def union_triples(store: Store) -> list[ox.Triple]:
    """All triples of all graphs, each once, sorted by (subject, predicate, object) strings."""
    triples = {q.triple for q in ox.parse(b"".join(union_ntriples_lines(store)), ox.RdfFormat.N_TRIPLES)}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def union_ntriples_lines(store: Store) -> list[bytes]:
    """The lines :func:`write_ntriples` writes: every triple once (see :func:`_union_parts`)."""
    lines: list[bytes] = []
    for own, _, shared in _union_parts(store, "ntriples"):
        lines += own.encode("utf-8").splitlines(keepends=True)
        lines += [line.encode("utf-8") for line in shared]
    return lines


def _union_parts(store: Store, own_as: Literal["ntriples", "turtle"]) -> Iterator[tuple[str, int, list[str]]]:
    """Every graph as ``(own lines as "ntriples" or "turtle", how many, the shared lines no
    earlier graph had)``, graphs in name order (the default graph first); shared lines are
    N-Triples.

    Together, the own and new shared lines are the union of all graphs, each triple once:
    own lines (about the article or IRIs under its own, :func:`kg.export.texts.split_own_lines`)
    cannot be in another graph; the shared ones are deduplicated here. An article's parts come
    from its export text when it has a valid one (:meth:`Store.export_texts`), and only the
    parts needed are read (on a million triples, each is some 100 MB); other graphs are read
    from the database and split, sorted and written the same way, so an export's bytes do
    not depend on which graphs had a text.
    """
    from concurrent.futures import ThreadPoolExecutor


    part = "turtle" if own_as == "turtle" else "own"
    texts = store.export_texts([part, "own_count", "shared"])
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        ox.DefaultGraph(), *sorted(store.ox.named_graphs(), key=str)]
    prefixes = rdf_prefixes(store)

    def read(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> tuple[str, int, list[str]]:
        name = graph.value if isinstance(graph, ox.NamedNode) else ""
        if name in texts:
            text = texts[name]
            return text[part], int(text["own_count"]), text["shared"].splitlines(keepends=True)
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
        lines = sorted(set(data.decode("utf-8").splitlines(keepends=True)))
        own, shared = split_own_lines(name, lines) if name else ([], lines)
        return turtle_statements(own, prefixes) if part == "turtle" else "".join(own), len(own), shared

    seen: set[str] = set()
    # Graphs without a text are read from the database, about 150k quads a second and a thread:
    # on every core (Oxigraph reads without Python's lock).
    with ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1))) as pool:
        for own, count, shared in pool.map(read, graphs):
            new = [line for line in shared if line not in seen]
            seen.update(new)
            yield own, count, new


def write_turtle(store: Store, sink: BinaryIO) -> int:
    """The union as Turtle, each triple once: the project's prefixes, then graph by graph in
    name order, the statements about the article (made at build time) and those about
    entities no earlier graph stated."""

    prefixes = rdf_prefixes(store)
    sink.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()).encode("utf-8"))
    count = 0
    for own, own_count, shared in _union_parts(store, "turtle"):
        count += own_count + len(shared)
        sink.write((own + turtle_statements(shared, prefixes)).encode("utf-8"))
    return count


def write_ntriples(store: Store, sink: BinaryIO) -> int:
    """The union as N-Triples, each triple once: graph by graph in name order, sorted within."""
    count = 0
    for own, own_count, shared in _union_parts(store, "ntriples"):
        count += own_count + len(shared)
        sink.write((own + "".join(shared)).encode("utf-8"))
    return count


def write_nquads(store: Store, sink: BinaryIO) -> int:
    store.ox.dump(sink, ox.RdfFormat.N_QUADS)
    return len(store)


def write_trig(store: Store, sink: BinaryIO) -> int:
    store.ox.dump(sink, ox.RdfFormat.TRIG, prefixes=rdf_prefixes(store))
    return len(store)


def write_jsonld(store: Store, sink: BinaryIO) -> int:
    """JSON-LD through rdflib, compacted with the project's prefixes as ``@context``.

    rdflib walks subjects in hash order, which changes between processes; sorting
    the (unordered) JSON-LD arrays makes the same store give the same bytes.
    """
    from rdflib.plugins.serializers.jsonld import from_rdf

    graph = store.union_graph()
    document = from_rdf(graph, context_data=rdf_prefixes(store), auto_compact=True)
    sink.write(json.dumps(_canonical_json(document), indent=2, sort_keys=True, ensure_ascii=False).encode())
    sink.write(b"\n")
    return len(graph)


def _canonical_json(value: Any) -> Any:
    """Sort every JSON array except ``@list`` ones (whose order is meaningful in RDF)."""
    if isinstance(value, dict):
        return {k: [_canonical_json(v) for v in item] if k == "@list" else _canonical_json(item)
                for k, item in value.items()}
    if isinstance(value, list):
        items = [_canonical_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value
