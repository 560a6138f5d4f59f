"""Property-based tests (hypothesis) of ingestion and extraction on hostile text.

* Ingestion: any text, written as UTF-8 to a ``.txt`` file (or as the ``text`` of a JSONL
  record), reads back as exactly that text, or is refused with an :class:`InputError`
  whose one-line message names the file and gives one of the documented reasons.
* Extraction: any Unicode text (French-like text mixing knowledge-base names, quotes,
  emoji, right-to-left scripts, combining characters, CRLF and lone CR, control and
  format characters) goes through the NLP, resolution and both RDF writers without an
  exception; every evidence span's ``oa:TextPositionSelector`` slices the text to its
  ``oa:exact`` (and its prefix and suffix are the text around it), in the rdflib graph
  and after the N-Triples the store loads; and both writers give the same triples.

The French model is loaded once for the module (about 3 s).
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import extraction_graph
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from rdflib import RDF, Literal

from kg.errors import InputError
from kg.ingest import read_documents
from kg.kb import load_kb
from kg.rdf import RunInfo, article_ntriples
from kg.records import Document
from kg.resolve import resolve
from kg.vocab import OA, IRIs

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
RUN = RunInfo(version="test", pipeline="hypothesis", settings_hash="props")
IRIS = IRIs()

# The reasons ingestion may give for refusing a text file (kg.ingest); anything else is a bug.
REFUSALS = re.compile(r"empty file|no text \(only whitespace\)|binary file \(.+\), not text|contains mojibake"
                      r"|cannot tell the encoding|not valid UTF-8|invalid character")

# -- ingestion -----------------------------------------------------------------------------------

_FOLDER = Path(tempfile.mkdtemp(prefix="kg-properties-"))  # not tmp_path: hypothesis reruns a test in one call
atexit.register(shutil.rmtree, _FOLDER, True)
unicode_text = st.text(st.characters(codec="utf-8"), max_size=400)  # every code point UTF-8 can encode
awkward_text = st.lists(st.sampled_from(["\r\n", "\r", "\n", "\x00", "\x0c", "\ufeff", "\u2028", "é", "Ã©", " ",
                                         "%PDF-1.4", "\x1b[31m", "«\u00a0", "\u00a0»", "Arthur Mensch"]),
                        max_size=30).map("".join)


def _check_refusal(exc: InputError, where: str) -> None:
    message = str(exc)
    assert "\n" not in message and message.startswith(where), message
    assert REFUSALS.search(exc.problem), message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(unicode_text, awkward_text))
@example("")
@example(" \t\r\n\u00a0\u3000")
@example("\ufeffTitre\r\nCorps\rfin")
@example("a\x00b")
def test_text_file_reads_back_exactly_or_is_refused(text):
    path = _FOLDER / "article.txt"
    path.write_bytes(text.encode("utf-8"))
    try:
        docs = list(read_documents(path))
    except InputError as exc:
        _check_refusal(exc, str(path))
        return
    assert [d.text for d in docs] == [text]
    doc = docs[0]
    assert doc.identifier == "article.txt"
    assert doc.title is None or (doc.title.strip() == doc.title and doc.title in text.replace("\ufeff", ""))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(unicode_text, awkward_text), st.text(st.characters(codec="utf-8"), min_size=1, max_size=20))
def test_jsonl_text_reads_back_exactly_or_is_refused(text, identifier):
    path = _FOLDER / "articles.jsonl"
    path.write_text(json.dumps({"id": identifier, "text": text}) + "\n", encoding="utf-8")
    try:
        docs = list(read_documents(path))
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(f"{path}:1: "), str(exc)
        assert re.search(r"field 'text'|field 'id'|invalid JSON", exc.problem), str(exc)
        return
    assert [(d.identifier, d.text) for d in docs] == [(identifier, text)]
    ox.NamedNode(str(IRIS.document(identifier)))  # any identifier gives a valid IRI


# -- extraction ----------------------------------------------------------------------------------

_KB = load_kb()
NAMES = sorted({form for entry in _KB.entries for form in entry.forms})
FRENCH = ["Le PDG de ", "la directrice générale de ", " a déclaré : ", " a déclaré que ", "selon ", "Selon ",
          " estime que ", " pourrait ", " a fondé ", ", cofondateur de ", " qui dirige ", " a annoncé le modèle ",
          "« ", " »", "«", "»", "“", "”", '"', "'", "’", " (", ") ", ", ", ". ", "… ", " : ", " — ", "-",
          "Lire aussi : ", "## ", "- ", "l’", "d’", "Il ", "Elle ", " et ", " de ", " en 2023."]
ODD = ["😀", "👩🏽‍💻", "🇫🇷", "\u200d", "\u200b", "\u00a0", "\u202f", "e\u0301", "\u0301\u0327", "שלום",
       "مرحبا", "\u202e", "\u2066", "\u2028", "\u2029", "\ufeff", "\t", "\x00", "\x0b", "\x85", "\x7f", "ﬁ",
       "İ", "ß", "ǅ", "\U0001d400", "\uffff", "\r\n", "\r", "\n", "\n\n", "   "]
SENTENCES = sorted({s.strip() + "." for a in SAMPLE.glob("*.txt") for s in a.read_text(encoding="utf-8").split(".")
                    if 10 < len(s.strip()) < 300})
fragment = st.one_of(st.sampled_from(NAMES), st.sampled_from(FRENCH), st.sampled_from(ODD),
                     st.sampled_from(SENTENCES), st.text(max_size=8))
french_like = st.one_of(
    st.lists(fragment, min_size=1, max_size=30).map("".join),
    st.lists(fragment, min_size=1, max_size=30).map(" ".join),
    st.text(max_size=200),  # anything at all, surrogates excepted (Python's UTF-8 cannot hold them)
)


@pytest.fixture(scope="module")
def nlp():
    import warnings

    from kg.nlp.pipeline import load_pipeline

    warnings.filterwarnings("ignore", module="spacy")
    return load_pipeline(kb=_KB)


def _selectors(triples: list[tuple[str, str, object]]) -> list[tuple[int, int, str, str, str]]:
    """(start, end, exact, prefix, suffix) of every evidence span, from (subject, predicate, object) strings."""
    by_subject: dict[str, dict[str, list[object]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    found = []
    for props in by_subject.values():
        if str(OA.SpecificResource) not in map(str, props.get(str(RDF.type), [])):
            continue
        sels = [by_subject[str(sel)] for sel in props[str(OA.hasSelector)]]
        position = next(s for s in sels if str(OA.TextPositionSelector) in map(str, s[str(RDF.type)]))
        quote = next(s for s in sels if str(OA.TextQuoteSelector) in map(str, s[str(RDF.type)]))
        assert all(len(v) == 1 for v in (position[str(OA.start)], position[str(OA.end)], quote[str(OA.exact)]))
        found.append((int(str(position[str(OA.start)][0])), int(str(position[str(OA.end)][0])),
                      str(quote[str(OA.exact)][0]), str(quote[str(OA.prefix)][0]), str(quote[str(OA.suffix)][0])))
    return found


def _check_slices(text: str, selectors: list[tuple[int, int, str, str, str]]) -> None:
    for start, end, exact, prefix, suffix in selectors:
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == exact
        assert text[start - len(prefix) : start] == prefix and text[end : end + len(suffix)] == suffix


def _lexical(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)  # type: ignore[union-attr]


_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _key(term: object) -> tuple[object, ...]:
    """A term as a comparable value: strings exactly, typed literals by value (Oxigraph stores
    "0.70"^^xsd:decimal as "0.7"), IRIs as text."""
    if isinstance(term, ox.Literal):
        lexical, lang, datatype = term.value, term.language, term.datatype.value
    elif isinstance(term, Literal):
        lexical, lang, datatype = str(term), term.language, str(term.datatype or _STRING)
    else:
        return ("iri", _lexical(term))
    if lang or datatype in (_STRING, str(RDF.langString)):
        return ("string", lexical, lang)
    return ("typed", datatype, Literal(lexical, datatype=datatype).toPython())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(french_like)
@example("Le PDG de Mistral AI, Arthur Mensch, a déclaré : « L’Europe doit accélérer\r\n». 😀")
@example("\r\n\r\n« »\u2028Sam Altman\u0301 a fondé OpenAI.\r")
@example("Clément Delangue\x00 a dit que « \u202eHugging Face\u202c » pourrait\x85 gagner.")
def test_any_text_is_extracted_and_every_selector_slices_the_text(nlp, text):
    document = Document(identifier="h.txt", text=text, source="h.txt", lang="fr")
    from kg.nlp.pipeline import doc_to_result

    result = doc_to_result(nlp(text), document, _KB)
    extraction = resolve(result, _KB, {"content_hash": "h"})
    for mention in result.mentions:
        assert mention.span.exact(text) == mention.text
    event(f"entities: {min(len(extraction.entities), 3)}{'+' if len(extraction.entities) >= 3 else ''}; "
          f"claims: {'yes' if extraction.claims else 'no'}; relations: {'yes' if extraction.relations else 'no'}")
    graph = extraction_graph(extraction, RUN, IRIS)
    rdflib_triples = [(str(s), str(p), o) for s, p, o in graph]
    _check_slices(text, _selectors(rdflib_triples))

    # what the build loads into the store: N-Triples parsed by Oxigraph, in the article's graph
    name, ntriples, *rest = article_ntriples(extraction, RUN, IRIS)
    ntriples += "".join(part for part in rest if isinstance(part, str))  # the content-hash "commit", if apart
    store = ox.Store()
    store.load(ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    stored = [(q.subject.value, q.predicate.value, _lexical(q.object)) for q in store]
    _check_slices(text, _selectors(stored))
    # the writer's text read by two parsers, rdflib's and Oxigraph's: the same facts, every string intact
    assert Counter((q.subject.value, q.predicate.value, _key(q.object)) for q in store) == Counter(
        (s, p, _key(o)) for s, p, o in rdflib_triples)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(french_like, min_size=2, max_size=4))
def test_extraction_does_not_depend_on_the_other_articles_of_its_batch(nlp, texts):
    """A re-run after a crash analyses only the articles left, in other batches: same results."""
    from kg.nlp.pipeline import analyse

    docs = [Document(identifier=f"d{i}.txt", text=text, source=f"d{i}.txt", lang="fr") for i, text in enumerate(texts)]
    together = list(analyse(nlp, docs, batch_size=2, kb=_KB))
    alone = [result for doc in reversed(docs) for result in analyse(nlp, [doc], kb=_KB)][::-1]
    assert together == alone
