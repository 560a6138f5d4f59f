"""The corpus generator: deterministic, realistic enough, readable by the build, and its planted facts exact."""

from __future__ import annotations

import json

import pyoxigraph as ox
from corpus_gen import generate_article, iter_articles, planted_extraction, write_corpus

from kg.ingest import iter_inputs
from kg.rdf import RunInfo, article_ntriples
from kg.records import Document
from kg.store import open_store

RUN = RunInfo(version="test", pipeline="generated", settings_hash="test")


def test_articles_are_deterministic_and_independent_of_corpus_size():
    first = [a.text for a in iter_articles(5, seed=3)]
    assert first == [a.text for a in iter_articles(5, seed=3)]
    assert generate_article(4, seed=3).text == first[4]  # article i is the same in any corpus
    assert generate_article(4, seed=4).text != first[4]
    assert len({a.identifier for a in iter_articles(50)}) == 50


def test_articles_read_like_the_sample():
    articles = list(iter_articles(40))
    words = sum(len(a.text.split()) for a in articles) / len(articles)
    assert 450 <= words <= 1000  # the sample's articles have 440 to 880 words
    text = "\n".join(a.text for a in articles)
    for cue in ("a déclaré", "ont fondé", "Lire aussi :", "FAQ", "«", "’"):
        assert cue in text
    kb_people = {n.key for a in articles for n in a.names if n.type == "Person" and n.kb_id}
    invented = {n.key for a in articles for n in a.names if n.type == "Person" and not n.kb_id}
    assert len(kb_people) >= 10 and len(invented) >= 10


def test_planted_names_sit_at_their_offsets():
    for article in iter_articles(30):
        assert article.names and article.facts
        for name in article.names:
            assert article.text[name.span.start : name.span.end] == name.text
            assert name.sentence.start <= name.span.start < name.span.end <= name.sentence.end


def test_jsonl_and_txt_corpora_are_read_by_ingest(tmp_path):
    jsonl = write_corpus(tmp_path / "c.jsonl", 7)
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [a.identifier for a in iter_articles(7)]
    docs = [d for d in iter_inputs([jsonl]) if isinstance(d, Document)]
    assert [d.text for d in docs] == [a.text for a in iter_articles(7)]
    assert {d.lang for d in docs} == {"fr"}
    folder = write_corpus(tmp_path / "txt", 3, fmt="txt")
    docs = [d for d in iter_inputs([folder]) if isinstance(d, Document)]
    assert len(docs) == 3 and docs[0].title == generate_article(0).title


def test_planted_extraction_makes_a_valid_graph_without_nlp(tmp_path):
    with open_store(tmp_path / "store") as store:
        for article in iter_articles(5):
            graph, body, commit, _ = article_ntriples(planted_extraction(article), RUN, store.iris)
            store.load_article(graph, body + commit)
        assert len(store) > 5 * 300
        founders = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?o <https://schema.org/founder> ?p }")
        assert isinstance(founders, ox.QuerySolutions)
        assert int(next(iter(founders))["n"].value) > 0
