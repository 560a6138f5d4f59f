"""Check a graph against the SHACL shapes of the data contract (``ontology/shapes.ttl``).

The data graph is the union of all the store's graphs (articles, consolidated
entities, runs) with the ontology (``ontology/kg.ttl``) mixed in, so that
``sh:class`` and ``sh:targetClass`` follow ``rdfs:subClassOf`` (a ``kg:LanguageModel``
is a ``kg:AIModel``). No RDFS inference is run: the store already writes every
entity's type explicitly, and inference would only add work (and spurious types
from ``rdfs:domain``).

Validation never raises on a non-conforming graph: it returns a
:class:`ValidationReport` and the caller (the CLI) decides the exit code. Results of
severity ``sh:Warning`` (suspicious but legal data) appear in the report's text but
do not make the graph non-conforming.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Namespace
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from kg.errors import ShapesError
from kg.resources import ontology_path

if TYPE_CHECKING:
    from kg.store import Store

SH = Namespace("http://www.w3.org/ns/shacl#")

DEFAULT_SHAPES = ontology_path("shapes.ttl")
DEFAULT_ONTOLOGY = ontology_path("kg.ttl")


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation run."""

    conforms: bool  # no result of severity sh:Violation
    text: str  # pyshacl's human-readable report (violations and warnings)
    violations: int  # number of sh:Violation results
    warnings: int = 0  # number of sh:Warning and sh:Info results


def validate(store: Store, *, shapes: Path | None = None, ontology: Path | None = None) -> ValidationReport:
    """Validate everything in ``store`` (the union of its graphs)."""
    return _run(store.union_graph(), shapes, ontology)


def validate_graph(
    graph: Graph, *, shapes: Path | None = None, ontology: Path | None = None
) -> ValidationReport:
    """Validate an in-memory graph (left unchanged)."""
    return _run(graph, shapes, ontology)


class _PreparedQueryGraph(Graph):
    """An in-memory graph that parses each distinct SPARQL query text once.

    pyshacl runs a SHACL-SPARQL constraint once per focus node and rdflib re-parses
    the query text every time (several milliseconds each), which made validation
    time grow with the number of spans and edges times the parsing cost.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, Query] = {}

    def query(
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,
        initBindings=None,
        use_store_provided=True,
        **kwargs,
    ):
        if isinstance(query_object, str) and processor == "sparql" and initNs is None:
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=dict(self.namespaces()))
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def _run(data: Graph, shapes: Path | None, ontology: Path | None) -> ValidationReport:
    from pyshacl import validate as shacl_validate  # slow to import; only `kg validate` needs it

    shapes_graph = _load(shapes or DEFAULT_SHAPES)
    ontology_graph = _load(ontology or DEFAULT_ONTOLOGY)
    # Our own copy of the data with the ontology mixed in (what pyshacl's ont_graph
    # would do), so that pyshacl can work on it in place and queries are prepared once.
    work = _PreparedQueryGraph()
    work += data
    work += ontology_graph
    conforms, results, text = shacl_validate(
        work,
        shacl_graph=shapes_graph,
        inference="none",
        inplace=True,
        allow_warnings=True,
        advanced=False,
    )
    if not isinstance(results, Graph):  # pyshacl could not run the shapes (a broken shapes file)
        raise ShapesError(f"{shapes or DEFAULT_SHAPES}: SHACL validation could not run: {text}")
    severities = list(results.objects(None, SH.resultSeverity))
    violations = sum(1 for s in severities if s == SH.Violation)
    return ValidationReport(
        conforms=bool(conforms) and violations == 0,
        text=str(text),
        violations=violations,
        warnings=len(severities) - violations,
    )


def _load(path: Path) -> Graph:
    """Parse a Turtle file once per process (re-read only if the file changes)."""
    try:
        return _parse(str(Path(path).resolve()), Path(path).stat().st_mtime_ns)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ShapesError(f"{path}: cannot read SHACL shapes or ontology: {exc}") from exc


@lru_cache(maxsize=8)
def _parse(path: str, mtime_ns: int) -> Graph:
    del mtime_ns  # part of the cache key only: an edited file is read again
    g = Graph()
    g.parse(path, format="turtle")
    return g
