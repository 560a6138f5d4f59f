"""kg.graph: the one reading of relations that the GraphML export and the view both draw."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.export import property_graph
from kg.graph import RELATION_PREDICATES, relation_facts, unstated_relations
from kg.store import open_store
from kg.viz import view_graph
from kg.vocab import SCHEMA


@pytest.fixture(scope="module")
def store(tiny_store_path):
    with open_store(tiny_store_path, read_only=True) as s:
        yield s


def _name(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_facts_carry_evidence_confidence_and_the_role_of_the_same_span(store):
    facts = relation_facts(store)
    assert sorted((_name(f.subject), _name(f.predicate), _name(f.object)) for f in facts) == [
        ("clement-delangue", "worksFor", "hugging-face"),
        *[("hugging-face", "founder", p) for p in ("clement-delangue", "julien-chaumond", "thomas-wolf")],
        ("qwq-32b", "creator", "alibaba"),
    ]
    works = next(f for f in facts if f.predicate == str(SCHEMA.worksFor))
    assert works.titles == {"PDG"} and works.article == "a.txt" and float(works.confidence or 0) == 0.9
    assert works.evidence and works.evidence.startswith("Le PDG de Hugging Face") and works.span
    assert all(not f.titles for f in facts if f is not works)  # no membership shares their span
    assert facts == sorted(facts, key=lambda f: f.statement) and facts == relation_facts(store)


def test_min_confidence_leaves_out_weaker_reifiers(store):
    kept = relation_facts(store, min_confidence=0.86)
    assert {_name(f.predicate) for f in kept} == {"worksFor", "founder"}  # the creator fact is at 0.85
    assert len(relation_facts(store, min_confidence=0.0)) == len(relation_facts(store)) == 5


def test_unstated_relations_are_the_bare_triples(tiny_store_copy):
    with open_store(tiny_store_copy) as store:
        assert unstated_relations(store, relation_facts(store)) == []
        s, p, o = "https://example.org/p", str(SCHEMA.worksFor), "https://example.org/o"
        store.ox.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), ox.NamedNode("https://example.org/g")))
        assert unstated_relations(store, relation_facts(store)) == [(s, p, o)]


def test_export_and_view_draw_the_same_relations(store):
    exported = {(s, o) for s, o, kind in property_graph(store).edges(data="kind") if kind == "relation"}
    viewed = {(s, o) for s, o, kind in view_graph(store).edges(data="kind") if kind != "claim"}
    assert exported == viewed == {(f.subject, f.object) for f in relation_facts(store)}
    assert {_name(p) for p in RELATION_PREDICATES} == {"worksFor", "founder", "creator"}


def test_the_queries_values_lists_match_the_code():
    """The .rq files under ontology/queries/ name the predicates and types the code maps."""
    import re

    from kg.resources import query_text
    from kg.viz.graph import _TYPE_IRIS

    prefixes = {"schema:": "https://schema.org/", "kg:": "https://w3id.org/newskg/ontology#"}

    def values(text: str) -> set[str]:
        names = re.search(r"VALUES \?\w+ \{([^}]*)\}", text).group(1).split()  # type: ignore[union-attr]
        return {prefixes[n.split(":")[0] + ":"] + n.split(":")[1] for n in names}

    assert values(query_text("graph", "statements.rq")) == set(RELATION_PREDICATES)
    assert values(query_text("graph", "relation_triples.rq")) == set(RELATION_PREDICATES)
    assert values(query_text("view", "entities.rq")) == set(_TYPE_IRIS)
