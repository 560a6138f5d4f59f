"""Write the store in standard RDF formats, or as a property graph for Gephi/Cytoscape.

* ``turtle``, ``ntriples``, ``jsonld``: the union of all graphs, graph names dropped and
  each triple written once. Turtle and N-Triples are made from the texts the build kept
  (:mod:`kg.store`, "Export texts"): about a second per million triples, where reading the
  terms back from the database takes five.
* ``nquads``, ``trig``: the dataset as stored, one named graph per article plus the
  ``kgr:graph/entities`` and ``kgr:graph/runs`` graphs, so provenance survives.
* ``graphml``: entities as nodes; relations and claims as edges (see
  :func:`property_graph`).

Every file is written to a temporary file in the target's folder and moved onto the
target only when complete, so an interrupted or failed export never leaves a
truncated file under the target's name.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox

from kg.errors import ExportError
from kg.export.graphml import property_graph, relation_rows, write_graphml, write_graphml_export
from kg.export.rdf import (
    union_ntriples_lines,
    union_triples,
    write_jsonld,
    write_nquads,
    write_ntriples,
    write_trig,
    write_turtle,
)
from kg.files import atomic_output
from kg.resources import query_text

if TYPE_CHECKING:
    from kg.store import Store

FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "graphml")
EXTENSIONS = {"turtle": ".ttl", "ntriples": ".nt", "nquads": ".nq", "trig": ".trig", "jsonld": ".jsonld",
              "graphml": ".graphml"}

Writer = Callable[["Store", BinaryIO], int]
Bindings = dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]  # a query's parameters


def export(store: Store, fmt: str, out: Path | None, *, min_confidence: float = 0.0) -> int:
    """Write the store as ``fmt`` to ``out`` (stdout when None); return triples, quads or edges written.

    With ``min_confidence``, facts whose ``kg:confidence`` is lower are left out (see :func:`confident_view`)."""
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if min_confidence > 0:
        store = confident_view(store, min_confidence)
    if out is None:
        return _to_stdout(store, writer)
    target = Path(out)
    try:
        with atomic_output(target) as sink:
            return writer(store, sink)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write {fmt} export: {exc.strerror or exc}") from exc


def confident_view(store: Store, min_confidence: float) -> Store:
    """An in-memory copy of the store without the facts below ``min_confidence``: the
    low-confidence mentions, reifiers, memberships, merges and claims (with their own triples),
    and every direct edge none of whose reifiers reaches the threshold."""
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    threshold: Bindings = {ox.Variable("t"): ox.Literal(f"{float(min_confidence):.4f}", datatype=decimal)}
    low = {row["x"] for row in _select(store, "low_confidence.rq", threshold)}
    kept_edges = {(r["s"], r["p"], r["o"]) for r in _select(store, "supported_edges.rq", threshold)}
    weak_edges = {(r["s"], r["p"], r["o"]) for r in _select(store, "reified_edges.rq")} - kept_edges
    view = ox.Store()
    view.bulk_extend(
        q for q in store.ox.quads_for_pattern(None, None, None, None)
        if q.subject not in low and (q.subject, q.predicate, q.object) not in weak_edges
    )
    return type(store)(store.path, view, store.iris, True, None, export_texts=False)  # texts say what is not here


def _select(store: Store, name: str, substitutions: Bindings | None = None) -> ox.QuerySolutions:
    """The solutions of ``ontology/queries/export/<name>``, per graph, with its parameters bound."""
    answer = store.ox.query(query_text("export", name), substitutions=substitutions)
    assert isinstance(answer, ox.QuerySolutions)  # every export query is a SELECT
    return answer


def _to_stdout(store: Store, writer: Writer) -> int:
    sys.stdout.flush()  # keep anything already printed ahead of the export
    sink = sys.stdout.buffer
    count = writer(store, sink)
    sink.flush()
    return count


WRITERS: dict[str, Writer] = {
    "turtle": write_turtle,
    "ntriples": write_ntriples,
    "nquads": write_nquads,
    "trig": write_trig,
    "jsonld": write_jsonld,
    "graphml": write_graphml_export,
}

__all__ = ["EXTENSIONS", "FORMATS", "WRITERS", "confident_view", "export", "property_graph", "relation_rows",
           "union_ntriples_lines", "union_triples", "write_graphml"]
