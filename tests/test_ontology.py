"""The ontology (ontology/kg.ttl) declares every local term, and adds no instances to a graph."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.store import open_store
from kg.validate import DEFAULT_ONTOLOGY, DEFAULT_SHAPES, validate_graph
from kg.vocab import KG, SCHEMA, STANCES, IRIs

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "tools" / "kgscore.py"
ONTOLOGY_IRI = URIRef("https://w3id.org/newskg/ontology")
NS = str(KG)
VOCAB_TERMS = sorted(KG.__annotations__)
# Declared in kg.ttl but not yet in kg/vocab.py's KG class (to be added there).
PENDING_VOCAB: set[str] = set()  # terms declared in kg.ttl before kg/vocab.py lists them
ENTITY_CLASSES = {"Person": SCHEMA.Person, "Organization": SCHEMA.Organization, "AIModel": KG.AIModel}
# The scorer's type query (../shared/tools/kgscore.py), verbatim but for the class.
TYPE_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?e WHERE {{ ?e a ?t . ?t rdfs:subClassOf* <{cls}> }}"""


@pytest.fixture(scope="module")
def ont() -> Graph:
    return Graph().parse(DEFAULT_ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def tiny_graph(tiny_store_path) -> Graph:
    with open_store(tiny_store_path, read_only=True) as store:
        return store.union_graph()


def term(name: str) -> URIRef:
    return URIRef(NS + name)


def labels(g: Graph, node: URIRef, prop: URIRef = RDFS.label) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lit in g.objects(node, prop):
        assert isinstance(lit, Literal)
        out.setdefault(lit.language or "", []).append(str(lit))
    return out


def instances(g: Graph) -> dict[str, set]:
    return {
        name: {row[0] for row in g.query(TYPE_QUERY.format(cls=cls))}  # type: ignore[index]
        for name, cls in ENTITY_CLASSES.items()
    }


# -- the file -----------------------------------------------------------------------------


def test_ontology_parses_and_declares_itself(ont):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ont
    assert ont.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert not list(ont.objects(ONTOLOGY_IRI, OWL.imports))  # self-contained: nothing to fetch


@pytest.mark.parametrize("name", VOCAB_TERMS)
def test_every_vocab_term_is_declared(ont, name):
    iri = getattr(KG, name)
    types = set(ont.objects(iri, RDF.type))
    assert types, f"kg:{name} is not declared in {DEFAULT_ONTOLOGY.name}"
    found = labels(ont, iri)
    assert len(found.get("en", [])) == 1 and len(found.get("fr", [])) == 1, f"kg:{name}: {found}"
    comments = labels(ont, iri, RDFS.comment)
    assert comments.get("en") and comments.get("fr"), f"kg:{name} needs an rdfs:comment in en and fr"
    assert (iri, RDFS.isDefinedBy, ONTOLOGY_IRI) in ont


def test_no_undeclared_or_unlisted_local_terms(ont):
    used = {t for triple in ont for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}
    declared = {s for s in ont.subjects(RDF.type, None) if str(s).startswith(NS)}
    assert used == declared, f"used but not declared: {sorted(used - declared)}"
    extra = {str(t)[len(NS) :] for t in declared} - set(VOCAB_TERMS)
    unlisted = sorted(extra - PENDING_VOCAB)
    assert not unlisted, f"declared in kg.ttl but not in kg/vocab.py: {unlisted}"


def test_pending_terms_are_declared(ont):
    for name in PENDING_VOCAB:
        assert labels(ont, term(name)).keys() >= {"en", "fr"}, name


# -- classes ------------------------------------------------------------------------------


def test_class_hierarchy(ont):
    assert (KG.AIModel, RDFS.subClassOf, SCHEMA.SoftwareApplication) in ont
    assert (KG.LanguageModel, RDFS.subClassOf, KG.AIModel) in ont
    assert (KG.Stance, RDFS.subClassOf, SKOS.Concept) in ont
    for cls in (KG.AIModel, KG.LanguageModel, KG.Mention, KG.Stance):
        assert (cls, RDF.type, OWL.Class) in ont


# -- controlled values -------------------------------------------------------------------


def _check_scheme(ont: Graph, scheme: URIRef, members: set[URIRef]) -> None:
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ont
    assert set(ont.objects(scheme, SKOS.hasTopConcept)) == members
    assert set(ont.subjects(SKOS.inScheme, scheme)) == members
    for concept in members:
        assert (concept, RDF.type, SKOS.Concept) in ont
        assert (concept, SKOS.topConceptOf, scheme) in ont
        pref = labels(ont, concept, SKOS.prefLabel)
        assert len(pref.get("en", [])) == 1 and len(pref.get("fr", [])) == 1, (concept, pref)


def test_stance_scheme(ont):
    stances = set(STANCES.values())
    assert stances == {KG.Concern, KG.Support, KG.Criticism, KG.Prediction, KG.Neutral}
    _check_scheme(ont, KG.StanceScheme, stances)
    for concept in stances:
        assert (concept, RDF.type, KG.Stance) in ont
    assert set(ont.subjects(RDF.type, KG.Stance)) == stances


def test_claim_kind_scheme(ont):
    _check_scheme(ont, term("ClaimKindScheme"), {KG.DirectQuote, KG.ReportedSpeech})


def test_attribution_scheme_holds_every_construction_the_claims_stage_names(ont):
    from kg.vocab import ATTRIBUTIONS

    _check_scheme(ont, term("AttributionScheme"), set(ATTRIBUTIONS.values()))


def test_openness_scheme(ont):
    _check_scheme(ont, term("OpennessScheme"), {term("OpenWeights"), term("OpenSource"), term("Proprietary")})


# -- properties ----------------------------------------------------------------------------

OBJECT_PROPERTIES = {"evidence", "stance", "claimKind", "mentionOf", "openness", "mergedInto", "inArticle",
                     "reportedBy", "attribution"}
DATATYPE_PROPERTIES = {
    "confidence",
    "extractedBy",
    "contentHash",
    "parameterCount",
    "observedAt",
    "formatVersion",
    "knowledgeBaseId",
    "mergedForm",
    "mergeRule",
    "hedged",
    "hedgeCue",
}


def test_properties_are_typed(ont):
    props = {n for n in VOCAB_TERMS if n[0].islower()}
    assert props == OBJECT_PROPERTIES | DATATYPE_PROPERTIES
    for name in OBJECT_PROPERTIES:
        assert (getattr(KG, name), RDF.type, OWL.ObjectProperty) in ont, name
    for name in DATATYPE_PROPERTIES:
        assert (getattr(KG, name), RDF.type, OWL.DatatypeProperty) in ont, name


@pytest.mark.parametrize(
    ("prop", "prop_range"),
    [
        (KG.confidence, URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
        (KG.parameterCount, URIRef("http://www.w3.org/2001/XMLSchema#integer")),
        (KG.evidence, URIRef("http://www.w3.org/ns/oa#SpecificResource")),
        (KG.stance, KG.Stance),
    ],
)
def test_ranges(ont, prop, prop_range):
    assert (prop, RDFS.range, prop_range) in ont


def test_domains(ont):
    assert (KG.stance, RDFS.domain, SCHEMA.Claim) in ont
    assert (KG.mentionOf, RDFS.domain, KG.Mention) in ont
    assert (KG.parameterCount, RDFS.domain, KG.AIModel) in ont


# -- shapes and ontology agree ---------------------------------------------------------------


def test_shapes_use_only_declared_local_terms(ont):
    shapes = Graph().parse(DEFAULT_SHAPES, format="turtle")
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}
    declared = set(ont.subjects(RDF.type, None))
    assert used, "the shapes use no kg: term?"
    assert used <= declared, sorted(used - declared)


def test_ontology_alone_validates_and_triggers_no_shape(ont):
    report = validate_graph(Graph())
    assert report.conforms and report.violations == 0 and report.warnings == 0, report.text
    assert "Results" not in report.text


# -- the scorer's view: no spurious instances -----------------------------------------------


def test_ontology_has_no_entity_instances(ont):
    assert instances(ont) == {name: set() for name in ENTITY_CLASSES}
    for cls in (
        SCHEMA.NewsArticle,
        SCHEMA.Claim,
        KG.Mention,
        URIRef("http://www.w3.org/ns/oa#SpecificResource"),
    ):
        assert not list(ont.subjects(RDF.type, cls)), cls


def test_loading_the_ontology_adds_no_instances(ont, tiny_graph):
    with_ontology = tiny_graph + ont
    assert instances(with_ontology) == instances(tiny_graph)
    assert len(instances(tiny_graph)["Person"]) == 3


def test_subclass_instances_are_found_through_the_ontology(ont):
    model = IRIs().entity("AIModel", "llama-2")
    data = Graph()
    data.add((model, RDF.type, KG.LanguageModel))
    assert instances(data)["AIModel"] == set()
    assert instances(data + ont)["AIModel"] == {model}


@pytest.mark.skipif(not SCORER.exists(), reason="the shared scorer is not available")
def test_scorer_reads_the_ontology(tmp_path, tiny_graph):
    spec = importlib.util.spec_from_file_location("kgscore", SCORER)
    assert spec and spec.loader
    kgscore = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kgscore)
    graph_file = tmp_path / "graph.ttl"
    tiny_graph.serialize(graph_file, format="turtle")
    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")

    alone = kgscore.Graph(empty, DEFAULT_ONTOLOGY)
    assert alone.type_of == {} and alone.docs == {} and not alone.selectors()

    plain = kgscore.Graph(graph_file, None)
    scored = kgscore.Graph(graph_file, DEFAULT_ONTOLOGY)
    assert scored.type_of == plain.type_of
    assert scored.docs == plain.docs
    assert sorted(set(scored.type_of.values())) == ["AIModel", "Organization", "Person"]
