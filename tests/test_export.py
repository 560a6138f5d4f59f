"""Every export format round-trips, GraphML opens in networkx and igraph, writes are atomic."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess

import igraph
import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from kg.errors import ExportError
from kg.export import EXTENSIONS, FORMATS, export, property_graph, union_triples
from kg.store import open_store

export_module = importlib.import_module("kg.export")  # not `import kg.export as`: kg.export is the function

KGR = "https://w3id.org/newskg/id/"
SCHEMA = "https://schema.org/"
DELANGUE, HF = KGR + "person/clement-delangue", KGR + "org/hugging-face"
QWQ, ALIBABA = KGR + "model/qwq-32b", KGR + "org/alibaba"
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
                  "jsonld": "json-ld"}
EDGE_ATTRIBUTES = {"label", "kind", "role", "stance", "evidence", "quote", "article", "confidence"}


@pytest.fixture(scope="module")
def store(tiny_store_path):
    with open_store(tiny_store_path, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def exported(store, tmp_path_factory):
    """Each format written once to a file: {format: (path, count)}."""
    folder = tmp_path_factory.mktemp("export")
    out = {}
    for fmt in FORMATS:
        path = folder / f"tiny{EXTENSIONS[fmt]}"
        out[fmt] = (path, export(store, fmt, path))
    return out


def parse(exported, fmt: str) -> Graph:
    path, _ = exported[fmt]
    g = Graph()
    g.parse(path, format=RDFLIB_FORMATS[fmt])
    return g


def parse_dataset(exported, fmt: str) -> Dataset:
    path, _ = exported[fmt]
    ds = Dataset()
    ds.parse(path, format=RDFLIB_FORMATS[fmt])
    return ds


# -- RDF formats ---------------------------------------------------------------------
def test_counts(store, exported):
    distinct = len({q.triple for q in store.quads()})
    assert distinct < len(store)  # the tiny store repeats some triples across graphs
    for fmt in ("turtle", "ntriples", "jsonld"):
        assert exported[fmt][1] == distinct, fmt
    for fmt in ("nquads", "trig"):
        assert exported[fmt][1] == len(store), fmt


def test_turtle_and_ntriples_are_the_same_union_graph(store, exported):
    turtle, ntriples = parse(exported, "turtle"), parse(exported, "ntriples")
    assert len(turtle) == len(ntriples) == exported["turtle"][1]
    assert isomorphic(turtle, ntriples)
    assert isomorphic(turtle, store.union_graph())


def test_turtle_uses_the_project_prefixes(store, exported):
    text = exported["turtle"][0].read_text(encoding="utf-8")
    for prefix, ns in (("kg", "https://w3id.org/newskg/ontology#"), ("kgr", store.iris.base),
                       ("schema", SCHEMA), ("org", "http://www.w3.org/ns/org#"),
                       ("prov", "http://www.w3.org/ns/prov#"), ("oa", "http://www.w3.org/ns/oa#"),
                       ("skos", "http://www.w3.org/2004/02/skos/core#"),
                       ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
                       ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
                       ("xsd", "http://www.w3.org/2001/XMLSchema#")):
        assert f"@prefix {prefix}: <{ns}> ." in text
    assert "schema:worksFor kgr:org\\/hugging-face" in text
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    assert "<https://schema.org/" not in body and f"<{store.iris.base}" not in body


def test_nquads_keeps_the_named_graphs(store, exported):
    ds = parse_dataset(exported, "nquads")
    assert len(list(ds.quads())) == len(store)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {KGR + "doc/a", KGR + "doc/b", KGR + "graph/entities"} <= names


def test_trig_has_article_graphs(store, exported):
    ds = parse_dataset(exported, "trig")
    graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert len(graphs) >= 2
    assert {KGR + "doc/a", KGR + "doc/b", KGR + "graph/entities"} <= set(graphs)
    assert sum(graphs.values()) == len(store)
    article_a = ds.graph(URIRef(KGR + "doc/a"))
    assert (URIRef(DELANGUE), URIRef(SCHEMA + "worksFor"), URIRef(HF)) in article_a
    nquads = parse_dataset(exported, "nquads")
    assert isomorphic(ds.graph(URIRef(KGR + "doc/b")), nquads.graph(URIRef(KGR + "doc/b")))


def test_jsonld_parses_to_the_same_graph(exported):
    path, count = exported["jsonld"]
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["@context"]["kgr"] == KGR and doc["@context"]["schema"] == SCHEMA
    jsonld = parse(exported, "jsonld")
    assert len(jsonld) == count
    assert isomorphic(jsonld, parse(exported, "turtle"))


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "graphml", "trig"])
def test_exports_are_byte_stable(store, exported, tmp_path, fmt):
    again = tmp_path / f"again{EXTENSIONS[fmt]}"
    export(store, fmt, again)
    assert again.read_bytes() == exported[fmt][0].read_bytes()


def test_stdout(store, capsysbinary):
    count = export(store, "ntriples", None)
    out = capsysbinary.readouterr().out
    assert len(out.decode("utf-8").splitlines()) == count
    assert union_triples(store) == sorted({q.triple for q in ox.parse(out, format=ox.RdfFormat.N_TRIPLES)},
                                          key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def test_rapper_accepts_the_turtle(exported):
    rapper = shutil.which("rapper")
    if rapper is None:
        if os.environ.get("CI") == "true":
            pytest.fail("rapper (raptor2-utils) must be installed under CI")
        pytest.skip("rapper (raptor2-utils) is not installed")
    path, count = exported["turtle"]
    done = subprocess.run([rapper, "-i", "turtle", "-c", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert f"returned {count} triples" in done.stderr


# -- GraphML -------------------------------------------------------------------------
def test_graphml_in_networkx(exported):
    path, count = exported["graphml"]
    g = nx.read_graphml(path, force_multigraph=True)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 6 and g.number_of_edges() == count == 6  # 5 relations + 1 claim-about
    assert g.nodes[DELANGUE] == {"label": "Clément Delangue", "type": "Person", "iri": DELANGUE,
                                 "mentions": 3, "articles": 2}
    assert g.nodes[QWQ]["type"] == "AIModel" and g.nodes[HF]["type"] == "Organization"
    works = [d for _, _, d in g.edges(DELANGUE, data=True) if d["label"] == "worksFor"]
    assert works == [{"label": "worksFor", "kind": "relation", "role": "PDG", "stance": "", "quote": "",
                      "evidence": "Le PDG de Hugging Face, Clément Delangue, s'inquiète des modèles chinois.",
                      "article": "a.txt", "confidence": 0.9}]
    claims = [(u, v, d) for u, v, d in g.edges(data=True) if d["kind"] == "claim"]
    assert [(u, v) for u, v, _ in claims] == [(DELANGUE, HF)]
    assert claims[0][2]["stance"] == "concern" and claims[0][2]["label"] == "claim"
    assert claims[0][2]["quote"].startswith("Le PDG de Hugging Face") and claims[0][2]["confidence"] == 0.8
    founders = sorted(v for u, v, d in g.edges(data=True) if d["label"] == "founder")
    assert founders == sorted([DELANGUE, KGR + "person/julien-chaumond", KGR + "person/thomas-wolf"])
    assert all(u == HF for u, _, d in g.edges(data=True) if d["label"] == "founder")
    assert [(u, v) for u, v, d in g.edges(data=True) if d["label"] == "creator"] == [(QWQ, ALIBABA)]
    assert all(set(d) == EDGE_ATTRIBUTES for _, _, d in g.edges(data=True))


def test_graphml_in_igraph(exported):
    path, _ = exported["graphml"]
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.is_directed() and g.vcount() == 6 and g.ecount() == 6
    assert {"label", "type", "iri", "mentions", "articles"} <= set(g.vs.attributes())
    assert set(g.es.attributes()) >= EDGE_ATTRIBUTES
    delangue = g.vs.find(iri=DELANGUE)
    assert delangue["label"] == "Clément Delangue" and delangue["mentions"] == 3 and delangue["articles"] == 2
    assert sorted(g.es["kind"]) == ["claim"] + ["relation"] * 5
    assert None not in g.es["role"] and None not in g.es["stance"]


def test_property_graph_attributes_are_graphml_types(store):
    g = property_graph(store)
    values = [v for _, d in g.nodes(data=True) for v in d.values()]
    values += [v for _, _, d in g.edges(data=True) for v in d.values()]
    assert all(isinstance(v, str | int | float | bool) for v in values)


def test_edge_endpoint_without_description_still_gets_node_attributes(tiny_store_copy, tmp_path):
    with open_store(tiny_store_copy) as s:
        claim, graph = ox.NamedNode(KGR + "doc/a/claim/0-73-af942f7f"), ox.NamedNode(KGR + "doc/a")
        s.ox.add(ox.Quad(claim, ox.NamedNode(SCHEMA + "about"), ox.NamedNode(KGR + "org/nobody"), graph))
        export(s, "graphml", tmp_path / "g.graphml")
    g = igraph.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    nobody = g.vs.find(iri=KGR + "org/nobody")
    assert nobody["label"] == "nobody" and nobody["type"] == "" and nobody["articles"] == 0
    assert g.ecount() == 7


# -- errors and atomic writes ----------------------------------------------------------
def test_unknown_format_names_the_valid_ones(store, tmp_path):
    with pytest.raises(ExportError, match=r"'rdfxml'.*turtle, ntriples, nquads, trig, jsonld, graphml"):
        export(store, "rdfxml", tmp_path / "x.rdf")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_export_error(store, tmp_path):
    with pytest.raises(ExportError, match="missing"):
        export(store, "turtle", tmp_path / "missing" / "out.ttl")


def _failing_turtle(*args, **kwargs):
    """Fails once the export has written its first bytes (the prefixes)."""
    raise RuntimeError("disk on fire")


@pytest.mark.parametrize("existing", [None, b"previous export\n"])
def test_failed_export_leaves_no_partial_file(store, tmp_path, monkeypatch, existing):
    target = tmp_path / "out.ttl"
    if existing is not None:
        target.write_bytes(existing)
    monkeypatch.setattr(importlib.import_module("kg.export.rdf"), "turtle_statements", _failing_turtle)
    with pytest.raises(RuntimeError, match="disk on fire"):
        export(store, "turtle", target)
    if existing is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == existing
    assert [p.name for p in tmp_path.iterdir()] == ([] if existing is None else ["out.ttl"])


def test_interrupted_export_leaves_no_partial_file(store, tmp_path, monkeypatch):
    def interrupted(store, sink):
        sink.write(b"@prefix kg: <https://w3id.org/newskg/ontology#> .\n")
        raise KeyboardInterrupt

    monkeypatch.setitem(export_module.WRITERS, "graphml", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export(store, "graphml", tmp_path / "g.graphml")
    assert list(tmp_path.iterdir()) == []


def test_successful_export_replaces_the_target_and_keeps_its_mode(store, tmp_path):
    target = tmp_path / "out.nt"
    target.write_text("old\n")
    target.chmod(0o640)
    export(store, "ntriples", target)
    assert target.read_text(encoding="utf-8").startswith("<")
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.nt"]


def test_min_confidence_leaves_out_weak_facts(tiny_store_path, tmp_path):
    """The tiny store's founder edges have confidence 0.90 and its model edge 0.85: a 0.88
    threshold keeps the founders and drops the model's developer edge and its reifier."""
    from rdflib import Graph, URIRef

    from kg.export import export
    from kg.store import open_store

    full, strict = tmp_path / "full.nt", tmp_path / "strict.nt"
    with open_store(tiny_store_path, read_only=True) as store:
        export(store, "ntriples", full)
        export(store, "ntriples", strict, min_confidence=0.88)
    g_full, g_strict = Graph().parse(full, format="nt"), Graph().parse(strict, format="nt")
    creator = URIRef("https://schema.org/creator")
    founder = URIRef("https://schema.org/founder")
    assert len(list(g_full.triples((None, creator, None)))) == 1
    assert list(g_strict.triples((None, creator, None))) == []
    assert len(list(g_strict.triples((None, founder, None)))) == 3
    assert len(g_strict) < len(g_full)
