"""The store read as a property graph's relations: one reading shared by the GraphML export
(:func:`kg.export.property_graph`) and the interactive view (:mod:`kg.viz`).

A relation (``schema:worksFor``, ``schema:founder``, ``schema:creator``) is stated twice
in the store: as the direct triple, and as an ``rdf:Statement`` reifier carrying its
confidence and evidence span. :func:`relation_facts` reads the reifiers, each with the
role titles of the memberships that share its subject, object and evidence span;
:func:`unstated_relations` the direct triples no reifier states. Each projection then
draws them its own way (GraphML: one edge per evidence record; the view: facts merged
per pair and label).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.resources import query_text
from kg.vocab import SCHEMA

if TYPE_CHECKING:
    from kg.store import Store

# The relations drawn as edges, in the order both projections name them.
RELATION_PREDICATES = (str(SCHEMA.worksFor), str(SCHEMA.founder), str(SCHEMA.creator))
_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


@dataclass(frozen=True)
class RelationFact:
    """One reifier of a relation with one of its evidence spans (a reifier without any gives
    one fact with ``span`` None). Literals are given as their lexical forms."""

    statement: str
    subject: str
    predicate: str
    object: str
    span: str | None
    evidence: str | None  # the sentence the span selects
    article: str | None  # the identifier of the span's article
    confidence: str | None
    titles: frozenset[str]  # role titles of the memberships with this subject, object and span


def relation_facts(store: Store, min_confidence: float = 0.0) -> list[RelationFact]:
    """Every relation reifier with its evidence and role titles, sorted.

    Reifiers whose confidence is under ``min_confidence`` are left out (those with none
    are kept). A fact without a span takes the titles of every span of its subject and object.

    The titles could come from the statements query itself, as an ``OPTIONAL`` over the
    memberships, but Oxigraph evaluates that join statement by statement, which grows with
    the square of the store (minutes at a million triples); the statements and the roles
    read apart and joined here are linear. ``tests/test_distributed.py`` checks both agree.
    """
    roles = _role_titles(store)
    threshold = ox.Literal(f"{min_confidence:.4f}", datatype=_DECIMAL)
    facts = set()
    for r in _rows(store, "statements.rq", {ox.Variable("min"): threshold}):
        s, o, span = r["s"], r["o"], r["span"]
        assert r["st"] is not None and s is not None and r["p"] is not None and o is not None
        facts.add(RelationFact(
            statement=r["st"], subject=s, predicate=r["p"], object=o, span=span, evidence=r["exact"],
            article=r["docid"], confidence=r["conf"], titles=frozenset(roles.get((s, o, span), ()))))
    return sorted(facts, key=_fact_key)


def unstated_relations(store: Store, facts: list[RelationFact]) -> list[tuple[str, str, str]]:
    """The direct relation triples (subject, predicate, object) that none of ``facts`` states."""
    stated = {(f.subject, f.predicate, f.object) for f in facts}
    triples = {(r["s"], r["p"], r["o"]) for r in _rows(store, "relation_triples.rq")}
    return sorted(t for t in triples if t not in stated)  # type: ignore[misc]


def _role_titles(store: Store) -> dict[tuple[str | None, ...], set[str]]:
    """Role titles by (member, organisation, evidence span), and by (member, organisation,
    None) for any span."""
    labels: dict[str | None, set[str]] = defaultdict(set)
    for r in _rows(store, "role_labels.rq"):
        if r["role"] is not None:
            labels[r["r"]].add(r["role"])
    roles: dict[tuple[str | None, ...], set[str]] = defaultdict(set)
    for r in _rows(store, "memberships.rq"):
        if r["r"] in labels:
            roles[(r["s"], r["o"], r["span"])] |= labels[r["r"]]
            roles[(r["s"], r["o"], None)] |= labels[r["r"]]
    return roles


def _rows(store: Store, name: str, bindings: dict[ox.Variable, ox.Literal] | None = None,
          ) -> list[dict[str, str | None]]:
    """The solutions of ``ontology/queries/graph/<name>`` over the union of graphs, ``bindings``
    bound, as plain strings (None: unbound)."""
    solutions = store.ox.query(query_text("graph", name), use_default_graph_as_union=True,
                               substitutions=dict(bindings) if bindings else None)
    assert isinstance(solutions, ox.QuerySolutions)  # every one is a SELECT
    names = [v.value for v in solutions.variables]
    return [{n: (None if row[n] is None else row[n].value) for n in names} for row in solutions]


def _fact_key(f: RelationFact) -> tuple[str, ...]:
    return tuple(x or "" for x in (f.statement, f.span, f.evidence, f.article, f.confidence,
                                   f.subject, f.predicate, f.object))


__all__ = ["RELATION_PREDICATES", "RelationFact", "relation_facts", "unstated_relations"]
