"""What the view draws: the store read as a networkx multigraph of entities, their
relations (from :mod:`kg.graph`) and claims, filtered by type, focus, confidence and size."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.consolidate import canonical_name
from kg.errors import FocusError, ViewError
from kg.graph import relation_facts, unstated_relations
from kg.resources import query_text
from kg.store import Store
from kg.viz.styles import RELATION_STYLES, STANCE_STYLES, TYPE_STYLES
from kg.vocab import KG, SCHEMA

_TYPE_IRIS = {
    str(SCHEMA.Person): "Person",
    str(SCHEMA.Organization): "Organization",
    str(KG.AIModel): "AIModel",
    str(KG.LanguageModel): "AIModel",
}
_TYPE_ALIASES = {"person": "Person", "organization": "Organization", "org": "Organization",
                 "aimodel": "AIModel", "model": "AIModel"}
_PREDICATE_KINDS = {str(SCHEMA.worksFor): "worksFor", str(SCHEMA.founder): "founder",
                    str(SCHEMA.creator): "creator"}
_STANCE_IRIS = {str(KG[name.capitalize()]): name for name in STANCE_STYLES}

_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


Evidence = tuple[str, str]  # (sentence, article identifier)


@dataclass
class _EdgeAcc:
    """One drawn edge: facts with the same ends, kind and label are merged."""

    confidence: float | None = None
    evidence: set[Evidence] = field(default_factory=set)
    facts: set[str] = field(default_factory=set)

    def add(self, fact: str, confidence: float | None, evidence: Evidence | None) -> None:
        self.facts.add(fact)
        if confidence is not None:
            self.confidence = max(confidence, self.confidence or 0.0)
        if evidence is not None:
            self.evidence.add(evidence)


def view_graph(store: Store, *, focus: str | None = None, depth: int = 2,
               types: Iterable[str] | None = None, min_confidence: float = 0.0,
               max_nodes: int | None = None) -> nx.MultiDiGraph:
    """The graph to draw, as a networkx multigraph keyed by entity IRI.

    Node attributes: ``name``, ``type``, ``alt_names``, ``mentions``, ``claims`` (the
    speaker's claims about no other entity). Edge attributes: ``kind`` (worksFor,
    founder, creator, claim), ``label``, ``stance``, ``confidence``, ``evidence``
    (sorted (sentence, article) pairs), ``facts``. Graph attributes: ``total_nodes``,
    ``reduced``, ``centers``.

    Types are filtered first, then the ``focus`` neighbourhood is walked, so that
    every node of a focused view is connected to the focus.
    """
    _check_numbers(depth, min_confidence, max_nodes)
    wanted = parse_types(types)
    g = _full_graph(store, min_confidence)
    centers = _match_focus(g, focus) if focus is not None else set()
    if wanted is not None:
        g = _induced(g, {n for n, t in g.nodes(data="type") if t in wanted or n in centers})
    if centers:
        g = _ego(g, centers, depth)
    total = g.number_of_nodes()
    if max_nodes is not None and total > max_nodes:
        g = _reduce(g, max_nodes, centers)
    g.graph.update(total_nodes=total, reduced=g.number_of_nodes() < total, centers=tuple(sorted(centers)))
    return g


def parse_types(types: Iterable[str] | None) -> frozenset[str] | None:
    """Entity type names (Person, Organization, AIModel; case-insensitive, ``org``/``model`` too)."""
    if types is None:
        return None
    if isinstance(types, str):  # a bare string would otherwise be read letter by letter
        types = [types]
    out = set()
    for raw in types:
        for part in raw.split(","):
            key = part.strip().casefold()
            if not key:
                continue
            if key not in _TYPE_ALIASES:
                raise ViewError(f"unknown entity type {part.strip()!r} (expected one of: "
                                 f"{', '.join(TYPE_STYLES)})")
            out.add(_TYPE_ALIASES[key])
    return frozenset(out)


def _check_numbers(depth: int, min_confidence: float, max_nodes: int | None) -> None:
    if depth < 0:
        raise ViewError(f"depth must be 0 or more, not {depth}")
    if not 0.0 <= min_confidence <= 1.0:
        raise ViewError(f"min_confidence must lie in [0, 1], not {min_confidence}")
    if max_nodes is not None and max_nodes < 1:
        raise ViewError(f"max_nodes must be at least 1, not {max_nodes}")


def _full_graph(store: Store, min_confidence: float) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    entities = _entities(store, min_confidence)
    for iri in sorted(entities):
        g.add_node(iri, **entities[iri])
    edges: dict[tuple[str, str, str, str, str], _EdgeAcc] = defaultdict(_EdgeAcc)
    _collect_relations(store, min_confidence, edges)
    _collect_claims(store, min_confidence, edges, g)
    for (s, o, kind, label, stance), acc in sorted(edges.items()):
        if s not in g or o not in g or s == o:
            continue  # an end of unknown type, or a self-loop (claims about oneself go to the tooltip)
        g.add_edge(s, o, key=f"{kind}:{label}", kind=kind, label=label, stance=stance,
                   confidence=acc.confidence, evidence=tuple(sorted(acc.evidence)),
                   facts=len(acc.facts))
    if min_confidence > 0:
        # Entities known only from facts under the threshold disappear with them.
        g.remove_nodes_from([n for n, d in g.nodes(data=True) if not d["mentions"] and not g.degree(n)])
    return g


def _rows(store: Store, name: str, min_confidence: float | None = None) -> list[dict[str, str]]:
    """The solutions of ``ontology/queries/view/<name>`` as plain strings (an unbound variable
    gives ``""``), its threshold ``?min`` bound to ``min_confidence``."""
    threshold = {} if min_confidence is None else \
        {ox.Variable("min"): ox.Literal(f"{min_confidence:.4f}", datatype=_DECIMAL)}
    result = store.ox.query(query_text("view", name), use_default_graph_as_union=True,
                            substitutions=threshold or None)  # type: ignore[arg-type]
    assert isinstance(result, ox.QuerySolutions)  # every one is a SELECT
    names = [v.value for v in result.variables]
    return [{n: ("" if row[n] is None else row[n].value) for n in names} for row in result]


def _entities(store: Store, min_confidence: float) -> dict[str, dict[str, Any]]:
    types: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in _rows(store, "entities.rq"):
        types[r["e"]].add(_TYPE_IRIS[r["t"]])
        if r["name"]:
            names[r["e"]].add(r["name"])
        if r["label"]:
            labels[r["e"]][r["label"]] += 1
    alts: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, "alternate_names.rq"):
        alts[r["e"]].add(r["alt"])
    mentions = {r["e"]: int(r["n"] or 0) for r in _rows(store, "mentions.rq", min_confidence)}
    out = {}
    for e, ts in types.items():
        # Consolidation gives one schema:name; before it, fall back to the articles' labels.
        name = min(names[e]) if names[e] else canonical_name(labels[e], False) if labels[e] else _tail(e)
        out[e] = {
            "name": name,
            "type": next(t for t in TYPE_STYLES if t in ts),  # fixed priority if types conflict
            "alt_names": tuple(sorted(alts[e] - {name})),
            "mentions": mentions.get(e, 0),
            "claims": (),
        }
    return out


def _tail(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _collect_relations(store: Store, min_confidence: float,
                       edges: dict[tuple[str, str, str, str, str], _EdgeAcc]) -> None:
    facts = relation_facts(store, min_confidence)
    works_for = str(SCHEMA.worksFor)
    for f in facts:
        kind = _PREDICATE_KINDS[f.predicate]
        titles = f.titles if f.predicate == works_for else ()  # a worksFor edge is labelled by the role
        for label in sorted(titles) or [RELATION_STYLES[kind][1]]:
            edges[(f.subject, f.object, kind, label, "")].add(
                f.statement, _float(f.confidence or ""), _evidence(f.evidence or "", f.article or ""))
    if min_confidence > 0:
        return  # a bare triple has no confidence to compare
    for s, p, o in unstated_relations(store, facts):
        kind = _PREDICATE_KINDS[p]
        edges[(s, o, kind, RELATION_STYLES[kind][1], "")].add(f"{s} {p} {o}", None, None)


def _collect_claims(store: Store, min_confidence: float,
                    edges: dict[tuple[str, str, str, str, str], _EdgeAcc], g: nx.MultiDiGraph) -> None:
    claims: dict[str, dict[str, Any]] = {}
    for r in _rows(store, "claims.rq", min_confidence):
        c = claims.setdefault(r["c"], {"speaker": r["speaker"], "about": set(),
                                       "stance": _STANCE_IRIS.get(r["stance"], "neutral"),
                                       "conf": _float(r["conf"]), "evidence": None})
        if r["about"]:
            c["about"].add(r["about"])
        sentence = r["exact"] or r["text"]
        if sentence and (c["evidence"] is None or sentence < c["evidence"][0]):  # deterministic pick
            c["evidence"] = (sentence, r["docid"])
    notes: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for iri, c in claims.items():
        others = c["about"] - {c["speaker"]}
        if not others and c["evidence"]:
            notes[c["speaker"]].add((c["stance"], *c["evidence"]))
        for about in others:
            edges[(c["speaker"], about, "claim", STANCE_STYLES[c["stance"]][1], c["stance"])].add(
                iri, c["conf"], c["evidence"])
    for speaker, items in notes.items():
        if speaker in g:
            g.nodes[speaker]["claims"] = tuple(sorted(items))


def _float(value: str) -> float | None:
    return float(value) if value else None


def _evidence(exact: str, docid: str) -> Evidence | None:
    return (exact, docid) if exact else None


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name, for matching ``focus``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _match_focus(g: nx.MultiDiGraph, focus: str) -> set[str]:
    wanted = fold(focus)
    found = {n for n, d in g.nodes(data=True)
             if n == focus or wanted in {fold(d["name"]), *map(fold, d["alt_names"])}}
    if not found:
        raise FocusError(f"focus {focus!r}: no entity of that name or alternate name in the view")
    return found


def _ego(g: nx.MultiDiGraph, centers: set[str], depth: int) -> nx.MultiDiGraph:
    undirected = g.to_undirected(as_view=True)  # a claim or a role links both ways for exploring
    keep: set[str] = set()
    for center in centers:
        keep |= set(nx.single_source_shortest_path_length(undirected, center, cutoff=depth))
    return _induced(g, keep)


def _reduce(g: nx.MultiDiGraph, max_nodes: int, centers: set[str]) -> nx.MultiDiGraph:
    """Keep the focus and then the most mentioned entities (ties: name, then IRI)."""
    ranked = sorted(g.nodes(data=True),
                    key=lambda nd: (nd[0] not in centers, -nd[1]["mentions"], fold(nd[1]["name"]), nd[0]))
    return _induced(g, {n for n, _ in ranked[:max_nodes]})


def _induced(g: nx.MultiDiGraph, keep: set[str]) -> nx.MultiDiGraph:
    """The subgraph of ``g`` on ``keep``, nodes and edges in ``g``'s order.

    Not ``g.subgraph(keep)``: a subgraph view walks a node set less than half the graph in
    the set's order, which string hashing changes from one process to the next, and the
    page (its node and edge order, its layout) would change with it.
    """
    h = nx.MultiDiGraph()
    h.add_nodes_from((n, d) for n, d in g.nodes(data=True) if n in keep)
    h.add_edges_from((s, o, k, d) for s, o, k, d in g.edges(keys=True, data=True) if s in keep and o in keep)
    return h


__all__ = ["fold", "parse_types", "view_graph"]
