"""The RDF stage against a golden graph: hand-made extractions -> exactly this Turtle."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import RUN, extraction_graph, tiny_extractions
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.vocab import IRIs, slugify

GOLDEN = Path(__file__).resolve().parent / "golden" / "tiny-article-a.ttl"


def diff_text(expected: Graph, actual: Graph) -> str:
    _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    out = ["missing:"] + [f"  {' '.join(t.n3() for t in tr)}" for tr in sorted(missing)]
    out += ["unexpected:"] + [f"  {' '.join(t.n3() for t in tr)}" for tr in sorted(extra)]
    return "\n".join(out)


def test_article_graph_matches_golden():
    actual = extraction_graph(tiny_extractions()[0], RUN, IRIs())
    if os.environ.get("KG_UPDATE_GOLDEN"):
        GOLDEN.write_text(actual.serialize(format="turtle"), encoding="utf-8")
    expected = Graph().parse(GOLDEN, format="turtle")
    assert isomorphic(expected, actual), diff_text(expected, actual)


def test_iris_are_deterministic_and_follow_the_data_model():
    iris = IRIs()
    assert str(iris.entity("Person", "Clément Delangue")) == "https://w3id.org/newskg/id/person/clement-delangue"
    assert str(iris.entity("AIModel", "QwQ-32B")) == "https://w3id.org/newskg/id/model/qwq-32b"
    assert str(iris.document("000_2d5abc28d2deef37.txt")) == "https://w3id.org/newskg/id/doc/000-2d5abc28d2deef37"
    assert IRIs("https://example.org/kg").entity("Organization", "Hugging Face") == \
        IRIs("https://example.org/kg/").entity("Organization", "Hugging Face")


def test_slugs_of_any_name_are_valid_iri_segments():
    for name in ["李开复", "«Quote» \"x\"", "🤗 Hugging Face", "a" * 300, "عربي", ""]:
        slug = slugify(name)
        assert slug and len(slug) <= 80
        assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug)
    assert slugify("李开复") != slugify("马云")
