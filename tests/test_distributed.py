"""Where the work runs changes nothing: the fast writer, local workers and a Dask cluster all give
the graph the reference path gives (spaCy -> doc_to_result -> resolve -> extraction_graph)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RUN, tiny_extractions
from rdflib.compare import isomorphic
from test_build import facts, readable_diff

import kg
from kg.corpus_gen import iter_articles, planted_extraction, write_corpus
from kg.distributed import ExtractionConfig, Extractor
from kg.ingest import iter_inputs
from kg.model import Document
from kg.nlp.kb import load_kb
from kg.nlp.pipeline import analyse, doc_to_result, load_pipeline
from kg.rdf import extraction_graph
from kg.rdf_fast import article_ntriples, to_nquads
from kg.resolve import resolve
from kg.vocab import IRIs

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def _triples_of_graph(graph) -> set:
    return {q.triple for q in ox.parse(graph.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES)}


def _triples_of_text(body: str, commit: str) -> set:
    return {q.triple for q in ox.parse((body + commit).encode(), ox.RdfFormat.N_TRIPLES)}


def test_fast_writer_gives_exactly_the_triples_of_extraction_graph():
    iris = IRIs("https://example.org/kg/")
    extractions = [*tiny_extractions(), *(planted_extraction(a) for a in iter_articles(25))]
    for extraction in extractions:
        name, body, commit, entities = article_ntriples(extraction, RUN, iris)
        graph = extraction_graph(extraction, RUN, iris)
        assert name == str(graph.identifier)
        assert _triples_of_text(body, commit) == _triples_of_graph(graph)
        assert "contentHash" in commit and "contentHash" not in body
        assert set(entities) == {str(o) for o in graph.objects(graph.identifier, kg.vocab.SCHEMA.mentions)}
        quads = list(ox.parse(to_nquads(body, name).encode(), ox.RdfFormat.N_QUADS))
        assert {q.graph_name for q in quads} == {ox.NamedNode(name)}


@pytest.fixture(scope="module")
def sample_documents(tmp_path_factory) -> list[Document]:
    generated = write_corpus(tmp_path_factory.mktemp("generated") / "corpus.jsonl", 3)
    return [d for d in iter_inputs([SAMPLE, generated]) if isinstance(d, Document)]


@pytest.mark.model
def test_worker_extraction_equals_the_reference_path(sample_documents):
    """memory zones, the fast writer and the worker's record flow change nothing."""
    warnings.filterwarnings("ignore", module="spacy")
    kb = load_kb()
    nlp = load_pipeline("fr_core_news_md", kb)
    iris = IRIs()
    config = ExtractionConfig("fr_core_news_md", kb, kg.decisions.Decisions(), RUN, iris.base)
    outputs = list(Extractor(config, nlp).extract((d, f"hash-{d.identifier}") for d in sample_documents))
    assert [o.identifier for o in outputs] == [d.identifier for d in sample_documents]
    reference = [doc_to_result(doc, d, kb) for doc, d in  # no memory zone, one batch, as the old build did
                 zip(nlp.pipe([d.text for d in sample_documents]), sample_documents, strict=True)]
    for out, result in zip(outputs, reference, strict=True):
        graph = extraction_graph(resolve(result, kb, {"content_hash": f"hash-{out.identifier}"}), RUN, iris)
        assert _triples_of_text(out.ntriples, out.commit) == _triples_of_graph(graph), out.identifier
    # analyse() in forked processes gives the same records as in this one
    assert list(analyse(nlp, sample_documents, n_process=2, batch_size=2, kb=kb)) == \
        list(analyse(nlp, sample_documents, kb=kb))


@pytest.fixture(scope="module")
def single_machine(tmp_path_factory) -> Path:
    warnings.filterwarnings("ignore", module="spacy")
    path = tmp_path_factory.mktemp("single") / "store"
    assert kg.build([SAMPLE], path).analysed == 5
    return path


@pytest.mark.model
def test_two_local_workers_build_the_same_graph(single_machine, tmp_path):
    store = tmp_path / "workers"
    report = kg.build([SAMPLE], store, kg.BuildSettings(workers=2, batch_size=2))
    assert (report.analysed, report.ok) == (5, True)
    a, b = facts(single_machine), facts(store)
    assert isomorphic(a, b), readable_diff(a, b)
    assert set(a.subjects()) == set(b.subjects())


@pytest.mark.model
def test_dask_cluster_build_is_isomorphic_to_the_single_machine_build(single_machine, tmp_path):
    """A LocalCluster of two worker processes; entity identity must not depend on the worker."""
    pytest.importorskip("distributed")
    store = tmp_path / "dask"
    shutil.rmtree(store, ignore_errors=True)
    report = kg.build([SAMPLE], store, kg.BuildSettings(engine="dask", workers=2, batch_size=2))
    assert (report.analysed, report.ok) == (5, True)
    a, b = facts(single_machine), facts(store)
    assert isomorphic(a, b), readable_diff(a, b)
    assert set(a.subjects()) == set(b.subjects())
    assert not list(store.glob(".shards-*"))  # shards are removed once loaded
    again = kg.build([SAMPLE], store, kg.BuildSettings(engine="dask", workers=2))
    assert (again.analysed, again.unchanged) == (0, 5)  # content hashes were committed
    # workers writing to a shared folder: the shards are kept, to load elsewhere too
    shards = tmp_path / "shards"
    kg.build([SAMPLE], tmp_path / "dask-shared", kg.BuildSettings(engine="dask", workers=2, shard_dir=str(shards)))
    assert sorted(p.name for p in shards.iterdir()) == ["shard-00000-00000.nq.gz"]
    c = facts(tmp_path / "dask-shared")
    assert isomorphic(a, c), readable_diff(a, c)


# -- the faster export and view paths write what the straightforward ones did ---------------------

def test_graphml_writer_writes_networkx_bytes(tiny_store_path):
    import io

    import networkx as nx

    from kg.export import property_graph, write_graphml
    from kg.store import open_store

    tricky = nx.MultiDiGraph()
    tricky.add_node('a&<>"\n\t\r b', label="x&<>\"'\n\t\r y", n=1, f=0.5, b=True)
    tricky.add_node("z")
    tricky.add_edge('a&<>"\n\t\r b', "z", key='k"&', label="", c=1.0)
    tricky.add_edge("z", "z")
    tricky.add_edge("z", 'a&<>"\n\t\r b', key="k2", label="é « x »", c=0.7)
    with open_store(tiny_store_path, read_only=True) as store:
        graphs = [tricky, property_graph(store)]
    for graph in graphs:
        expected, written = io.BytesIO(), io.BytesIO()
        nx.write_graphml_lxml(graph, expected)
        write_graphml(graph, written)
        assert written.getvalue() == expected.getvalue()


@pytest.mark.parametrize("where", ["node id", "node value", "edge key", "edge value", "attribute name"])
def test_graphml_writer_refuses_what_xml_cannot_hold_as_networkx_does(where):
    import io

    import networkx as nx

    from kg.export import write_graphml

    bad = "a\x01b"
    graph = nx.MultiDiGraph()
    graph.add_node(bad if where == "node id" else "n", label=bad if where == "node value" else "ok")
    graph.add_node("m", **{(bad if where == "attribute name" else "label"): "ok"})
    graph.add_edge("n" if where != "node id" else bad, "m", key=bad if where == "edge key" else "k",
                   label=bad if where == "edge value" else "ok")
    for writer in (nx.write_graphml_lxml, write_graphml):
        with pytest.raises(ValueError, match="XML compatible"):
            writer(graph, io.BytesIO())


# relation_rows joins two queries in Python; this single query is what it must equal
RELATIONS_QUERY = """
PREFIX kg: <https://w3id.org/newskg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?statement ?s ?p ?o ?evidence ?article ?confidence ?role WHERE {
  VALUES ?p { schema:worksFor schema:founder schema:creator }
  ?statement a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidence ?span .
  OPTIONAL { ?statement kg:confidence ?confidence }
  OPTIONAL { ?span oa:hasSource/schema:identifier ?article }
  OPTIONAL { ?span oa:hasSelector/oa:exact ?evidence }
  OPTIONAL { ?membership a org:Membership ; org:member ?s ; org:organization ?o ; kg:evidence ?span ;
                 org:role/skos:prefLabel ?role }
}
ORDER BY ?statement ?role
"""


def test_union_export_and_relation_rows_match_the_plain_queries(tiny_store_path):
    from kg.export import relation_rows, union_ntriples_lines
    from kg.query import run_query
    from kg.store import open_store

    with open_store(tiny_store_path, read_only=True) as store:
        unique = {q.triple for q in store.quads()}
        expected = sorted(unique, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        assert [line.decode().rstrip(" .\n") for line in union_ntriples_lines(store)] == \
            [f"{t.subject} {t.predicate} {t.object}" for t in expected]
        assert relation_rows(store) == list(run_query(store, RELATIONS_QUERY).rows)


def test_large_view_layout_is_deterministic_and_bounded():
    import networkx as nx

    from kg.viz import grid_force_layout

    graph = nx.gnm_random_graph(800, 1200, seed=3)
    a, b = grid_force_layout(graph), grid_force_layout(graph)
    assert a == b and set(a) == set(graph)
    assert all(-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0 for x, y in a.values())
    assert len({(round(x, 3), round(y, 3)) for x, y in a.values()}) > 780  # nodes spread out
