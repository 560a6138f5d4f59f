"""SHACL validation: the tiny store conforms; each hand-broken graph fails, naming the node at fault."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from kg.errors import KGError
from kg.store import open_store
from kg.validate import DEFAULT_SHAPES, ValidationReport, validate, validate_graph
from kg.vocab import KG, OA, ORG, SCHEMA, IRIs

IRI = IRIs()
DOC_A = IRI.document("a.txt")
DOC_B = IRI.document("b.txt")
DELANGUE = IRI.entity("Person", "clement-delangue")
WOLF = IRI.entity("Person", "thomas-wolf")
HF = IRI.entity("Organization", "hugging-face")
ALIBABA = IRI.entity("Organization", "alibaba")
QWQ = IRI.entity("AIModel", "qwq-32b")


@pytest.fixture(scope="module")
def tiny_graph(tiny_store_path) -> Graph:
    with open_store(tiny_store_path, read_only=True) as store:
        return store.union_graph()


@pytest.fixture
def graph(tiny_graph) -> Graph:
    """A private copy of the tiny store's triples, to break."""
    g = Graph()
    for t in tiny_graph:
        g.add(t)
    return g


def _claims(g: Graph) -> list[URIRef]:
    return sorted(c for c in g.subjects(RDF.type, SCHEMA.Claim) if isinstance(c, URIRef))


def _reifier(g: Graph, s: URIRef, p: URIRef, o: URIRef) -> URIRef:
    for st in g.subjects(RDF.subject, s):
        if isinstance(st, URIRef) and (st, RDF.predicate, p) in g and (st, RDF.object, o) in g:
            return st
    raise AssertionError(f"no reifier for {s} {p} {o}")


def assert_fails_on(report: ValidationReport, focus: URIRef, *words: str) -> None:
    assert not report.conforms, report.text
    assert report.violations >= 1
    assert f"Focus Node: <{focus}>" in report.text, report.text
    for word in words:
        assert word in report.text, report.text


# -- the good graph -----------------------------------------------------------------


def test_tiny_store_conforms(tiny_store_path):
    with open_store(tiny_store_path, read_only=True) as store:
        start = time.perf_counter()
        report = validate(store)
        elapsed = time.perf_counter() - start
    assert report.conforms, report.text
    assert report.violations == 0
    assert report.text.startswith("Validation Report")
    assert elapsed < 30  # about 0.1 s; a generous bound that only catches a pathological slowdown


def test_validate_graph_leaves_its_input_unchanged(graph):
    before = len(graph)
    report = validate_graph(graph)
    assert report.conforms, report.text
    assert len(graph) == before  # the ontology was mixed into a copy


def test_report_is_frozen(graph):
    report = validate_graph(graph)
    with pytest.raises(AttributeError):
        report.conforms = False  # type: ignore[misc]


def test_subclass_of_aimodel_is_an_aimodel(graph):
    # A kg:LanguageModel is a kg:AIModel through the ontology (no inference needed).
    graph.remove((QWQ, RDF.type, KG.AIModel))
    graph.add((QWQ, RDF.type, KG.LanguageModel))
    report = validate_graph(graph)
    assert report.conforms, report.text


def test_warnings_do_not_break_conformance(graph):
    graph.set((DOC_A, SCHEMA.datePublished, Literal("mars 2025")))
    report = validate_graph(graph)
    assert report.conforms, report.text
    assert report.violations == 0
    assert report.warnings == 1
    assert "ISO 8601" in report.text


# -- the five breaks of the brief ---------------------------------------------------


def test_claim_without_author(graph):
    claim = _claims(graph)[0]
    graph.remove((claim, SCHEMA.author, None))
    assert_fails_on(validate_graph(graph), claim, "schema:author")


def test_span_whose_start_is_after_its_end(graph):
    span = URIRef(IRI.span(DOC_A, 10, 22))  # IRIs mints an article's resources as plain strings
    position = URIRef(IRI.selector(span, "position"))
    assert (position, OA.start, Literal(10)) in graph
    graph.set((position, OA.start, Literal(30)))
    report = validate_graph(graph)
    assert_fails_on(report, span, "oa:start 30 is after oa:end 22")
    assert report.violations == 1


def test_works_for_edge_without_reifier(graph):
    st = _reifier(graph, DELANGUE, SCHEMA.worksFor, HF)
    graph.remove((st, None, None))
    report = validate_graph(graph)
    assert_fails_on(report, DELANGUE, "has no rdf:Statement reifier")
    assert report.violations == 1


def test_added_edge_without_reifier(graph):
    graph.add((WOLF, SCHEMA.worksFor, ALIBABA))
    assert_fails_on(validate_graph(graph), WOLF, str(ALIBABA), "has no rdf:Statement reifier")


def test_reifier_without_evidence_does_not_count(graph):
    st = _reifier(graph, QWQ, SCHEMA.creator, ALIBABA)
    graph.remove((st, KG.evidence, None))
    report = validate_graph(graph)
    assert_fails_on(report, QWQ, "has no rdf:Statement reifier")
    assert f"Focus Node: <{st}>" in report.text  # and the reifier itself lacks kg:evidence


def test_entity_with_two_names(graph):
    graph.add((ALIBABA, SCHEMA.name, Literal("Alibaba Group")))
    report = validate_graph(graph)
    assert_fails_on(report, ALIBABA, "MaxCountConstraintComponent", "schema:name")
    assert report.violations == 1


def test_stance_outside_the_scheme(graph):
    claim = _claims(graph)[0]
    graph.set((claim, KG.stance, URIRef(str(KG) + "Optimism")))
    assert_fails_on(validate_graph(graph), claim, "kg:stance", "InConstraintComponent")


# -- more of the contract ------------------------------------------------------------


def test_entity_without_name(graph):
    graph.remove((WOLF, SCHEMA.name, None))
    assert_fails_on(validate_graph(graph), WOLF, "MinCountConstraintComponent", "schema:name")


def test_entity_of_two_kinds(graph):
    graph.add((ALIBABA, RDF.type, KG.LanguageModel))
    assert_fails_on(validate_graph(graph), ALIBABA, "one kind")


def test_works_for_between_wrong_types(graph):
    st = _reifier(graph, DELANGUE, SCHEMA.worksFor, HF)
    for s, p, o in [(HF, SCHEMA.worksFor, ALIBABA), (st, RDF.subject, HF), (st, RDF.object, ALIBABA)]:
        graph.add((s, p, o))
    graph.remove((st, RDF.subject, DELANGUE))
    graph.remove((st, RDF.object, HF))
    report = validate_graph(graph)
    assert_fails_on(report, HF, "The subject of schema:worksFor is a schema:Person")


def test_creator_must_point_to_an_organization(graph):
    st = _reifier(graph, QWQ, SCHEMA.creator, ALIBABA)
    graph.remove((QWQ, SCHEMA.creator, ALIBABA))
    graph.add((QWQ, SCHEMA.creator, WOLF))
    graph.set((st, RDF.object, WOLF))
    assert_fails_on(validate_graph(graph), QWQ, "schema:creator points to a schema:Organization")


def test_reifier_with_unknown_predicate(graph):
    st = _reifier(graph, QWQ, SCHEMA.creator, ALIBABA)
    graph.set((st, RDF.predicate, SCHEMA.author))
    graph.add((QWQ, SCHEMA.author, ALIBABA))
    assert_fails_on(validate_graph(graph), st, "rdf:predicate")


def test_untyped_reifier(graph):
    st = _reifier(graph, QWQ, SCHEMA.creator, ALIBABA)
    graph.remove((st, RDF.type, RDF.Statement))
    assert_fails_on(validate_graph(graph), st, "is an rdf:Statement")


def test_reifier_of_an_unasserted_triple(graph):
    graph.remove((QWQ, SCHEMA.creator, ALIBABA))
    st = _reifier(graph, QWQ, SCHEMA.creator, ALIBABA)
    assert_fails_on(validate_graph(graph), st, "is not asserted")


@pytest.mark.parametrize("value", [Decimal("1.5"), Decimal("-0.1")])
def test_confidence_out_of_range(graph, value):
    st = _reifier(graph, QWQ, SCHEMA.creator, ALIBABA)
    graph.set((st, KG.confidence, Literal(value)))  # xsd:decimal
    assert_fails_on(validate_graph(graph), st, "kg:confidence")


def test_confidence_must_be_decimal(graph):
    st = _reifier(graph, QWQ, SCHEMA.creator, ALIBABA)
    graph.set((st, KG.confidence, Literal(0.5)))  # xsd:double
    assert_fails_on(validate_graph(graph), st, "DatatypeConstraintComponent")


def test_reifier_without_run(graph):
    st = _reifier(graph, QWQ, SCHEMA.creator, ALIBABA)
    graph.remove((st, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"), None))
    assert_fails_on(validate_graph(graph), st, "prov:wasGeneratedBy")


def test_membership_member_must_be_a_person(graph):
    membership = next(graph.subjects(RDF.type, ORG.Membership))
    graph.set((membership, ORG.member, ALIBABA))
    assert_fails_on(validate_graph(graph), membership, "org:member")


def test_role_without_label(graph):
    role = IRI.role("PDG")
    graph.remove((role, None, None))
    graph.add((role, RDF.type, ORG.Role))
    assert_fails_on(validate_graph(graph), role, "skos:prefLabel")


def test_claim_text_must_carry_a_language(graph):
    claim = _claims(graph)[0]
    text = graph.value(claim, SCHEMA.text)
    graph.set((claim, SCHEMA.text, Literal(str(text))))
    assert_fails_on(validate_graph(graph), claim, "schema:text")


def test_claim_author_must_be_person_or_organization(graph):
    claim = _claims(graph)[0]
    graph.set((claim, SCHEMA.author, QWQ))
    assert_fails_on(validate_graph(graph), claim, "schema:author")


def test_claim_evidence_from_another_article(graph):
    claim = _claims(graph)[0]
    span = graph.value(claim, KG.evidence)
    graph.set((span, OA.hasSource, DOC_B))
    assert_fails_on(validate_graph(graph), claim, "not from the article it appears in")


def test_span_needs_both_selectors(graph):
    span = URIRef(IRI.span(DOC_A, 10, 22))
    graph.remove((span, OA.hasSelector, URIRef(IRI.selector(span, "quote"))))
    assert_fails_on(validate_graph(graph), span, "oa:TextQuoteSelector")


def test_mention_without_entity(graph):
    mention = URIRef(IRI.mention(DOC_A, 10, 22))
    graph.remove((mention, KG.mentionOf, None))
    assert_fails_on(validate_graph(graph), mention, "kg:mentionOf")


def test_article_needs_one_identifier(graph):
    graph.add((DOC_B, SCHEMA.identifier, Literal("b2.txt")))
    assert_fails_on(validate_graph(graph), DOC_B, "schema:identifier")


def test_parameter_count_is_an_integer(graph):
    graph.add((QWQ, KG.parameterCount, Literal("32B")))
    assert_fails_on(validate_graph(graph), QWQ, "kg:parameterCount")


def test_openness_in_its_scheme(graph):
    graph.add((QWQ, KG.openness, URIRef(str(KG) + "OpenWeights")))
    assert validate_graph(graph).conforms
    graph.set((QWQ, KG.openness, URIRef(str(KG) + "Shareware")))
    assert_fails_on(validate_graph(graph), QWQ, "kg:openness")


# -- errors ----------------------------------------------------------------------------


def test_missing_shapes_file_is_a_kg_error(graph, tmp_path):
    with pytest.raises(KGError, match=r"nope\.ttl"):
        validate_graph(graph, shapes=tmp_path / "nope.ttl")


def test_custom_shapes_file(graph, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(DEFAULT_SHAPES.read_text(encoding="utf-8"), encoding="utf-8")
    assert validate_graph(graph, shapes=shapes).conforms
