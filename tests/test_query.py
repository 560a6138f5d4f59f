"""Canned queries, parameter binding and result formats, against the hand-made tiny store."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RUN, TEXT_A, TEXT_B, extraction_graph, tiny_extractions

from kg.errors import FormatError, QueryError
from kg.formats import RESULT_FORMATS, format_result, shorten
from kg.query import QUERY_DIR, canned_queries, load_query, run_query
from kg.store import open_store

KGR = "https://w3id.org/newskg/id/"
KG = "https://w3id.org/newskg/ontology#"
SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DELANGUE = KGR + "person/clement-delangue"
CHAUMOND, WOLF = KGR + "person/julien-chaumond", KGR + "person/thomas-wolf"
HF, ALIBABA, QWQ = KGR + "org/hugging-face", KGR + "org/alibaba", KGR + "model/qwq-32b"
S1 = "Le PDG de Hugging Face, Clément Delangue, s'inquiète des modèles chinois."
S2 = "QwQ-32B d'Alibaba impressionne."
S3 = "Delangue a prédit que la Chine dominera l'IA."
CLAIM_1, CLAIM_3 = KGR + "doc/a/claim/0-73-af942f7f", KGR + "doc/a/claim/106-151-af942f7f"
EXPECTED_QUERIES = {"roles", "founders", "models", "claims_by_speaker", "claims_about", "entity",
                    "cooccurrence", "entities"}


@pytest.fixture(scope="module")
def store(tiny_store_path):
    with open_store(tiny_store_path, read_only=True) as s:
        yield s


def canned(store, name: str, **bindings: str):
    return run_query(store, canned_queries()[name].text, bindings or None)


# -- the canned queries --------------------------------------------------------------
def test_every_canned_query_is_described_and_listed():
    queries = canned_queries()
    assert set(queries) >= EXPECTED_QUERIES
    for name, q in queries.items():
        assert q.name == name and q.path == QUERY_DIR / f"{name}.rq"
        assert q.text.startswith("#") and len(q.description) > 20 and "#" not in q.description[:1]
        assert "ORDER BY" in q.text, f"{name} must order its rows"


def test_roles(store):
    result = canned(store, "roles")
    assert result.variables == (
        "personName", "role", "orgName", "date", "article", "evidence", "person", "org")
    assert result.rows == (
        ("Clément Delangue", "PDG", "Hugging Face", "2025-03-01", "a.txt", S1, DELANGUE, HF),)


def test_founders(store):
    result = canned(store, "founders")
    founders = (("Clément Delangue", DELANGUE), ("Julien Chaumond", CHAUMOND), ("Thomas Wolf", WOLF))
    assert result.rows == tuple(("Hugging Face", n, "b.txt", TEXT_B, "0.9", HF, iri) for n, iri in founders)


def test_models(store):
    result = canned(store, "models")
    assert result.variables == ("developerName", "modelName", "article", "evidence", "developer", "model")
    assert result.rows == (("Alibaba", "QwQ-32B", "a.txt", S2, ALIBABA, QWQ),)


def test_models_without_developer_come_last(tiny_store_copy):
    with open_store(tiny_store_copy) as s:
        model, graph = ox.NamedNode(KGR + "model/aaa"), ox.NamedNode(s.iris.graph("entities"))
        s.ox.add(ox.Quad(model, ox.NamedNode(RDF_TYPE), ox.NamedNode(KG + "AIModel"), graph))
        s.ox.add(ox.Quad(model, ox.NamedNode(SCHEMA + "name"), ox.Literal("AAA"), graph))
        rows = canned(s, "models").rows
    assert [r[1] for r in rows] == ["QwQ-32B", "AAA"]
    assert rows[1] == (None, "AAA", None, None, None, KGR + "model/aaa")


def test_claims_by_speaker(store):
    result = canned(store, "claims_by_speaker")
    assert result.variables == ("speakerName", "stance", "text", "article", "claim", "speaker")
    assert result.rows == (
        ("Clément Delangue", KG + "Concern", S1, "a.txt", CLAIM_1, DELANGUE),
        ("Clément Delangue", KG + "Prediction", S3, "a.txt", CLAIM_3, DELANGUE),
    )
    assert canned(store, "claims_by_speaker", speaker=CHAUMOND).rows == ()


def test_claims_about_unbound_lists_every_claim_with_its_subject(store):
    result = canned(store, "claims_about")
    assert result.rows == (
        ("Hugging Face", "Clément Delangue", KG + "Concern", S1, "a.txt", "0.8", CLAIM_1, HF, DELANGUE),
    )


def test_claims_about_bound_entity(store):
    assert [r[3] for r in canned(store, "claims_about", entity=HF).rows] == [S1]
    assert canned(store, "claims_about", entity="kgr:org/hugging-face").rows == canned(
        store, "claims_about", entity=HF).rows
    assert canned(store, "claims_about", entity=ALIBABA).rows == ()


def test_entity_lists_every_fact_with_evidence(store):
    result = canned(store, "entity", entity=DELANGUE)
    assert result.variables == (
        "entity", "property", "direction", "value", "valueLabel", "evidence", "article", "confidence")
    facts = [r[1:] for r in result.rows]
    assert all(r[0] == DELANGUE for r in result.rows)
    assert facts == [
        (RDF_TYPE, "out", SCHEMA + "Person", None, None, None, None),
        ("http://www.w3.org/ns/org#role", "out", KGR + "role/pdg", "PDG", S1, "a.txt", "0.9"),
        (SCHEMA + "alternateName", "out", "Delangue", "Delangue", None, None, None),
        (SCHEMA + "author", "in", CLAIM_3, S3, S3, "a.txt", "0.8"),
        (SCHEMA + "author", "in", CLAIM_1, S1, S1, "a.txt", "0.8"),
        (SCHEMA + "founder", "in", HF, "Hugging Face", TEXT_B, "b.txt", "0.9"),
        (SCHEMA + "mentions", "in", KGR + "doc/a", "a.txt", None, "a.txt", None),
        (SCHEMA + "mentions", "in", KGR + "doc/b", "b.txt", None, "b.txt", None),
        (SCHEMA + "name", "out", "Clément Delangue", "Clément Delangue", None, None, None),
        (SCHEMA + "worksFor", "out", HF, "Hugging Face", S1, "a.txt", "0.9"),
    ]


def test_entity_for_a_model_shows_its_developer(store):
    rows = canned(store, "entity", entity=QWQ).rows
    assert (QWQ, SCHEMA + "creator", "out", ALIBABA, "Alibaba", S2, "a.txt", "0.85") in rows
    assert {r[0] for r in canned(store, "entity").rows} == {DELANGUE, CHAUMOND, WOLF, HF, ALIBABA, QWQ}


def test_cooccurrence(store):
    result = canned(store, "cooccurrence")
    assert result.variables == ("aName", "bName", "articles", "a", "b")
    assert len(result.rows) == 11  # 6 pairs in each article, one pair shared
    assert result.rows[0] == ("Hugging Face", "Clément Delangue", "2", HF, DELANGUE)
    assert all(r[2] == "1" for r in result.rows[1:])
    pairs = [(r[3], r[4]) for r in result.rows]
    assert len(set(pairs)) == 11 and all(a < b for a, b in pairs)


def test_entities(store):
    result = canned(store, "entities")
    assert result.variables == ("name", "type", "articles", "mentions", "entity")
    assert result.rows == (
        ("Clément Delangue", SCHEMA + "Person", "2", "3", DELANGUE),
        ("Hugging Face", SCHEMA + "Organization", "2", "2", HF),
        ("Alibaba", SCHEMA + "Organization", "1", "1", ALIBABA),
        ("Julien Chaumond", SCHEMA + "Person", "1", "1", CHAUMOND),
        ("QwQ-32B", KG + "AIModel", "1", "1", QWQ),
        ("Thomas Wolf", SCHEMA + "Person", "1", "1", WOLF),
    )


def test_canned_queries_do_not_depend_on_the_base(store, tmp_path):
    base = "http://example.org/news/"
    with open_store(tmp_path / "other", base=base) as other:
        touched = set()
        for ext in tiny_extractions():
            touched |= other.replace_article(extraction_graph(ext, RUN, other.iris))
        other.consolidate_entities(touched)
        for name in EXPECTED_QUERIES:
            mine = canned(store, name, **({"entity": DELANGUE} if name == "entity" else {})).rows
            theirs = canned(other, name, **({"entity": base + "person/clement-delangue"} if name == "entity"
                                           else {})).rows
            assert _normalised(mine, KGR) == _normalised(theirs, base), name


def _normalised(rows, base: str) -> list[list[str | None]]:
    """Drop the base, and the speaker hash that claim IRIs carry (it hashes the speaker's IRI)."""
    return [[re.sub(r"(/claim/\d+-\d+)-[0-9a-f]{8}", r"\1", v.replace(base, "")) if v else v for v in r]
            for r in rows]


# -- loading and running ---------------------------------------------------------------
def test_load_query_from_file_canned_name_or_text(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    assert load_query(str(path)) == "ASK { ?s ?p ?o }"
    assert load_query("roles") == (QUERY_DIR / "roles.rq").read_text(encoding="utf-8")
    assert load_query("SELECT * WHERE { ?s ?p ?o }") == "SELECT * WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError, match=r"missing\.rq: no such query file"):
        load_query(str(tmp_path / "missing.rq"))


def test_ask_and_construct(store):
    assert run_query(store, f"ASK {{ <{DELANGUE}> <{SCHEMA}worksFor> <{HF}> }}").boolean is True
    assert run_query(store, f"ASK {{ <{HF}> <{SCHEMA}worksFor> <{DELANGUE}> }}").boolean is False
    works = f"?p <{SCHEMA}worksFor> ?o"
    result = run_query(store, f"CONSTRUCT {{ {works} }} WHERE {{ {works} }}")
    assert result.kind == "graph"
    assert result.triples == f"<{DELANGUE}> <{SCHEMA}worksFor> <{HF}> .\n"
    assert result.rows == ((DELANGUE, SCHEMA + "worksFor", HF),)


@pytest.mark.parametrize("value", [DELANGUE, f"<{DELANGUE}>", "kgr:person/clement-delangue",
                                   ox.NamedNode(DELANGUE)])
def test_bindings_accept_iris_in_several_spellings(store, value):
    result = run_query(store, f"SELECT ?p ?name WHERE {{ ?p <{SCHEMA}name> ?name }}", {"p": value})
    assert result.rows == ((DELANGUE, "Clément Delangue"),)


def test_plain_binding_is_a_literal(store):
    query = f"SELECT ?p ?name WHERE {{ ?p <{SCHEMA}name> ?name }}"
    result = run_query(store, query, {"?name": "Thomas Wolf"})
    assert result.rows == ((WOLF, "Thomas Wolf"),)


def test_binding_an_unprojected_variable_is_a_query_error(store):
    with pytest.raises(QueryError, match=r"\?zz"):
        run_query(store, "SELECT ?s WHERE { ?s ?p ?o }", {"zz": "x"})


def test_malformed_sparql_names_line_and_column(store):
    with pytest.raises(QueryError) as info:
        run_query(store, "SELECT ?s\nWHERE { ?s ?p }")
    message = str(info.value)
    assert "line 2, column" in message
    assert "error at 2:" in message  # the parser's own message is kept
    assert "WHERE { ?s ?p }" in message


# -- result formats --------------------------------------------------------------------
@pytest.fixture(scope="module")
def typed(store):
    """One row with an IRI, a language-tagged literal, an integer and an unbound value."""
    return run_query(store, f"""SELECT ?claim ?text ?n ?none WHERE {{
        BIND(<{CLAIM_1}> AS ?claim) ?claim <{SCHEMA}text> ?text . BIND(42 AS ?n) }}""")


def test_table_aligns_columns_and_shortens_iris(store):
    text = format_result(canned(store, "entities"), "table")
    lines = text.splitlines()
    assert lines[0].split() == ["name", "type", "articles", "mentions", "entity"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split("  ")[0] == "Clément Delangue"
    assert "schema:Person" in lines[2] and "kgr:person/clement-delangue" in lines[2]
    assert KGR not in text and lines[-1] == "(6 rows)"
    column = lines[0].index("type")
    assert all(line[column:].startswith(("schema:", "kg:", "----", "type")) for line in lines[:-1])


def test_table_of_ask_and_empty_results(store):
    assert format_result(run_query(store, "ASK {}"), "table") == "true\n"
    empty = format_result(run_query(store, "SELECT ?x WHERE { FILTER(false) }"), "table")
    assert empty.splitlines() == ["x", "-", "(0 rows)"]


def test_csv(typed):
    rows = list(csv.reader(io.StringIO(format_result(typed, "csv"))))
    assert rows == [["claim", "text", "n", "none"], [CLAIM_1, S1, "42", ""]]
    assert format_result(typed, "csv").endswith("\r\n")


def test_tsv_keeps_term_types(typed):
    lines = format_result(typed, "tsv").splitlines()
    assert lines[0] == "?claim\t?text\t?n\t?none"
    assert lines[1].split("\t") == [f"<{CLAIM_1}>", f'"{S1}"@fr',
                                    '"42"^^<http://www.w3.org/2001/XMLSchema#integer>', ""]


def test_json_is_sparql_results_json(typed, store):
    doc = json.loads(format_result(typed, "json"))
    assert doc["head"] == {"vars": ["claim", "text", "n", "none"]}
    assert doc["results"]["bindings"] == [{
        "claim": {"type": "uri", "value": CLAIM_1},
        "text": {"type": "literal", "value": S1, "xml:lang": "fr"},
        "n": {"type": "literal", "value": "42", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
    }]
    assert json.loads(format_result(run_query(store, "ASK {}"), "json")) == {"head": {}, "boolean": True}
    bnode = json.loads(format_result(run_query(store, "SELECT ?b WHERE { BIND(BNODE() AS ?b) }"), "json"))
    assert bnode["results"]["bindings"][0]["b"]["type"] == "bnode"
    plain = json.loads(format_result(run_query(store, 'SELECT ?s WHERE { BIND("x" AS ?s) }'), "json"))
    assert plain["results"]["bindings"][0]["s"] == {"type": "literal", "value": "x"}


def test_ntriples_only_for_graph_results(store, typed):
    construct = run_query(store, f"CONSTRUCT WHERE {{ <{QWQ}> <{SCHEMA}creator> ?o }}")
    assert format_result(construct, "ntriples") == f"<{QWQ}> <{SCHEMA}creator> <{ALIBABA}> .\n"
    assert "subject" in format_result(construct, "table")
    with pytest.raises(FormatError):
        format_result(typed, "ntriples")


def test_unknown_format_is_a_format_error(typed):
    with pytest.raises(FormatError, match=r"xml.*table, csv, tsv, json"):
        format_result(typed, "xml")
    assert set(RESULT_FORMATS) >= {"table", "csv", "tsv", "json"}


def test_shorten_prefers_the_longest_namespace():
    prefixes = {"a": "http://x/", "b": "http://x/y/"}
    assert shorten("http://x/y/z", prefixes) == "b:z"
    assert shorten("http://other/z", prefixes) == "http://other/z"


def test_query_dir_is_the_repository_folder():
    # kg/ontology links to the top-level ontology/: an editable install reads the repository's files
    assert QUERY_DIR.resolve() == (Path(__file__).resolve().parent.parent / "ontology" / "queries").resolve()
    assert TEXT_A.startswith(S1)


def test_invalid_iri_binding_is_a_query_error(store):
    with pytest.raises(QueryError, match="query failed"):
        run_query(store, "SELECT ?s WHERE { ?s ?p ?o }", {"s": "<not an iri>"})
