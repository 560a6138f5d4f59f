"""Where the work runs changes nothing: the fast writer, local workers and a Dask cluster all give
the graph the reference path gives (spaCy -> doc_to_result -> resolve -> article_ntriples)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RUN, tiny_extractions
from corpus_gen import iter_articles, planted_extraction, write_corpus
from rdflib.compare import isomorphic
from test_build import facts, readable_diff

import kg
from kg.extract import ExtractionConfig, Extractor
from kg.ingest import iter_inputs
from kg.kb import load_kb
from kg.nlp.pipeline import analyse, doc_to_result, load_pipeline
from kg.rdf import article_ntriples, to_nquads
from kg.records import Document
from kg.resolve import resolve
from kg.vocab import IRIs

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def _triples_of_text(body: str, commit: str) -> set:
    return {q.triple for q in ox.parse((body + commit).encode(), ox.RdfFormat.N_TRIPLES)}


def test_the_writer_names_the_graph_apart_from_its_commit_and_lists_its_entities():
    iris = IRIs("https://example.org/kg/")
    extractions = [*tiny_extractions(), *(planted_extraction(a) for a in iter_articles(25))]
    for extraction in extractions:
        name, body, commit, entities = article_ntriples(extraction, RUN, iris)
        assert name == str(iris.document(extraction.document.identifier))
        assert "contentHash" in commit and "contentHash" not in body
        mentioned = {q.object.value for q in ox.parse(body.encode(), ox.RdfFormat.N_TRIPLES)
                     if q.subject.value == name and q.predicate.value == str(kg.vocab.SCHEMA.mentions)}
        assert set(entities) == mentioned and len(entities) == len(set(entities))
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
        name, body, commit, _ = article_ntriples(resolve(result, kb, {"content_hash": f"hash-{out.identifier}"}),
                                                 RUN, iris)
        assert _triples_of_text(out.ntriples, out.commit) == _triples_of_text(body, commit), name
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
    _assert_texts_match_database(store, expected_texts=5)  # the workers made the export texts
    again = kg.build([SAMPLE], store, kg.BuildSettings(engine="dask", workers=2))
    assert (again.analysed, again.unchanged) == (0, 5)  # content hashes were committed
    # workers writing to a shared folder: the shards are kept, to load elsewhere too
    shards = tmp_path / "shards"
    kg.build([SAMPLE], tmp_path / "dask-shared", kg.BuildSettings(engine="dask", workers=2, shard_dir=str(shards)))
    assert sorted(p.name for p in shards.iterdir()) == ["shard-00000-00000.nq.gz"]
    c = facts(tmp_path / "dask-shared")
    assert isomorphic(a, c), readable_diff(a, c)


# -- workers die, the build doesn't (issue 12) ---------------------------------------------------
# A worker kills itself with SIGKILL (as the kernel's out-of-memory killer would) when it reaches
# one article: the test-only hook KG_TEST_FAULT (kg.faults); KG_TEST_FAULT_ONCE makes it happen once.
VICTIM = "002_70db4dae24e22b81.txt"


def _kill_worker(monkeypatch, tmp_path: Path, once: bool) -> None:
    monkeypatch.setenv("KG_TEST_FAULT", f"nlp:{VICTIM}:kill")
    if once:
        monkeypatch.setenv("KG_TEST_FAULT_ONCE", str(tmp_path / "fired"))


@pytest.mark.model
def test_a_killed_local_worker_costs_nothing_once_its_articles_are_retried(single_machine, tmp_path, monkeypatch):
    _kill_worker(monkeypatch, tmp_path, once=True)
    store = tmp_path / "workers"
    report = kg.build([SAMPLE], store, kg.BuildSettings(workers=2, batch_size=2))
    assert (tmp_path / "fired").exists()  # a worker did die
    assert (report.analysed, report.errors) == (5, [])
    a, b = facts(single_machine), facts(store)
    assert isomorphic(a, b), readable_diff(a, b)
    assert set(a.subjects()) == set(b.subjects())


@pytest.mark.model
def test_an_article_that_kills_its_worker_twice_is_reported_and_the_rest_stored(tmp_path, monkeypatch):
    _kill_worker(monkeypatch, tmp_path, once=False)
    store = tmp_path / "workers"
    report = kg.build([SAMPLE], store, kg.BuildSettings(workers=2, batch_size=2))
    assert report.errors == [f"{SAMPLE / VICTIM}: worker stage failed: the worker process analysing it died "
                             "twice (killed, or out of memory)"]
    assert report.analysed == 4
    with kg.open_store(store, read_only=True) as opened:
        assert len(list(opened.documents())) == 4


@pytest.mark.model
def test_a_killed_dask_worker_is_replaced_and_its_partition_retried(single_machine, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    _kill_worker(monkeypatch, tmp_path, once=True)
    store = tmp_path / "dask"
    report = kg.build([SAMPLE], store, kg.BuildSettings(engine="dask", workers=2, batch_size=2))
    assert (tmp_path / "fired").exists()
    assert (report.analysed, report.errors) == (5, [])
    a, b = facts(single_machine), facts(store)
    assert isomorphic(a, b), readable_diff(a, b)
    assert set(a.subjects()) == set(b.subjects())


class _DyingExtractor:
    """Stands in for the model in forked workers: dies (SIGKILL) on the article named "die"."""

    def extract(self, tasks):
        import os
        import signal

        for doc, _ in tasks:
            if doc.identifier == "die":
                os.kill(os.getpid(), signal.SIGKILL)
            yield doc.identifier


def test_worker_pool_replaces_a_dead_worker_before_and_after_its_batches_are_collected(monkeypatch):
    """No model: the pool's own bookkeeping, including a submit to a worker already dead."""
    import multiprocessing
    import time

    from kg import runners

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork")
    monkeypatch.setitem(runners._WORKER, "extractor", _DyingExtractor())
    pool = runners._Workers(1, {"mp_context": multiprocessing.get_context("fork")})
    try:
        task = lambda name: (Document(name, "x", f"/in/{name}"), "hash")  # noqa: E731
        dead = pool.submit([task("a"), task("die")])
        deadline = time.monotonic() + 30
        while not dead.future.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        after = pool.submit([task("b")])  # the worker is dead: a fresh one takes it
        retried = pool.collect(dead)  # one at a time, each in a fresh worker: "die" dies again
        assert retried[0] == "a"
        assert retried[1] == runners.ArticleFailure(
            "die", "/in/die", "worker", "the worker process analysing it died twice (killed, or out of memory)")
        assert pool.collect(after) == ["b"]
    finally:
        pool.shutdown()


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
        unique = {f"{t.subject} {t.predicate} {t.object}" for t in (q.triple for q in store.quads())}
        lines = [line.decode().rstrip(" .\n") for line in union_ntriples_lines(store)]
        assert len(lines) == len(set(lines)) and set(lines) == unique  # every triple, once
        assert relation_rows(store) == list(run_query(store, RELATIONS_QUERY).rows)


def test_large_view_layout_is_deterministic_and_bounded():
    import networkx as nx

    from kg.viz import grid_force_layout

    graph = nx.gnm_random_graph(800, 1200, seed=3)
    a, b = grid_force_layout(graph), grid_force_layout(graph)
    assert a == b and set(a) == set(graph)
    assert all(-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0 for x, y in a.values())
    assert len({(round(x, 3), round(y, 3)) for x, y in a.values()}) > 780  # nodes spread out


# -- export texts: what the build keeps beside the store is exactly what the store holds -------

def _exports(path: Path, *, texts: bool) -> dict[str, bytes | int]:
    """Turtle and N-Triples exports of the store at ``path``, from its export texts or not."""
    import io

    from kg.export import WRITERS
    from kg.store import Store, open_store

    out: dict[str, bytes | int] = {}
    with open_store(path, read_only=True) as store:
        view = store if texts else Store(store.path, store.ox, store.iris, True, None, export_texts=False)
        for fmt in ("turtle", "ntriples"):
            sink = io.BytesIO()
            WRITERS[fmt](view, sink)
            out[fmt] = sink.getvalue()
        out["texts"] = len(view.export_texts(["own"]))
    return out


def _assert_texts_match_database(path: Path, expected_texts: int) -> None:
    with_texts, without = _exports(path, texts=True), _exports(path, texts=False)
    assert (with_texts["texts"], without["texts"]) == (expected_texts, 0)
    for fmt in ("turtle", "ntriples"):
        assert with_texts[fmt] == without[fmt], f"{fmt}: export texts differ from the database"
    ntriples, turtle = with_texts["ntriples"], with_texts["turtle"]
    assert isinstance(ntriples, bytes) and isinstance(turtle, bytes)
    union = {q.triple for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES)}
    assert union == {q.triple for q in ox.parse(turtle, ox.RdfFormat.TURTLE)}
    assert len(union) == ntriples.count(b"\n")  # each triple once
    statements = list(ox.parse(turtle, ox.RdfFormat.TURTLE))
    assert len(statements) == len(union)  # in Turtle too


@pytest.mark.model
def test_a_build_keeps_export_texts_that_give_the_database_bytes(single_machine):
    _assert_texts_match_database(single_machine, expected_texts=5)


@pytest.mark.model
def test_export_texts_follow_every_write_of_an_article_graph(single_machine, tmp_path):
    from rdflib import Graph, URIRef

    from kg.export.texts import ExportText
    from kg.store import open_store

    path = tmp_path / "store"
    shutil.copytree(single_machine, path, ignore=shutil.ignore_patterns("newskg.lock"))
    with open_store(path) as store:
        docs = [str(d) for d in store.documents()]
        # one graph rewritten without a text (the rdflib path) with its hash but not its headline,
        # one removed, one given a text whose key is not its graph's: none of those texts is used
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(docs[0])) or b""
        graph = Graph(identifier=URIRef(docs[0])).parse(data=data.decode(), format="nt")
        graph.remove((URIRef(docs[0]), kg.vocab.SCHEMA.headline, None))
        store.replace_article(graph)
        store.remove_article(URIRef(docs[1]))
        store.texts.put([ExportText(docs[2], "not its hash", "", 0, "", "")])
        store.consolidate_entities(None)
    _assert_texts_match_database(path, expected_texts=2)
    # a rebuild analyses the removed article again, with its text; the other two keep their
    # hashes, so they stay as they are and are read from the database; --force makes them anew
    assert kg.build([SAMPLE], path).analysed == 1
    _assert_texts_match_database(path, expected_texts=3)
    assert kg.build([SAMPLE], path, kg.BuildSettings(force=True)).analysed == 5
    _assert_texts_match_database(path, expected_texts=5)


@pytest.mark.model
def test_a_build_without_export_texts_exports_the_same(single_machine, tmp_path):
    from kg.cli import make_parser

    assert make_parser().parse_args(["build", "x", "--no-export-texts"]).export_texts is False
    path = tmp_path / "store"
    assert kg.build([SAMPLE], path, kg.BuildSettings(export_texts=False)).analysed == 5
    assert not (path / "export-texts").exists()
    _assert_texts_match_database(path, expected_texts=0)
    def lines(path: Path) -> list[bytes]:  # but when the build ran
        text = _exports(path, texts=False)["ntriples"]
        assert isinstance(text, bytes)
        return [line for line in text.splitlines() if b"startedAtTime" not in line]

    assert lines(path) == lines(single_machine)
