"""Every article lands or gets a one-line reason (issue 12).

* Long articles are analysed in pieces (:mod:`kg.nlp.pieces`), their offsets mapped back:
  tested on a ~30k-character article with the piece size lowered to 5,000 (the 1.2M-character
  dossier is in ``benchmarks/bench_long.py``); past ``--max-chars`` an article is refused.
* One failing article is skipped at any stage, the others stored: failures come from the
  test-only hook ``KG_TEST_FAULT`` (:mod:`kg.faults`), one stage per article in one build.
* No traceback reaches the user except with ``--debug`` or ``KG_DEBUG=1``.

Dying workers (local processes and Dask) are tested in ``tests/test_distributed.py``.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg
from kg.errors import ArticleError
from kg.nlp.pieces import cut, forced_cuts, merge
from kg.records import Document, Mention, NlpResult, RawRelation, TextSpan

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
ARTICLES = sorted(SAMPLE.glob("*.txt"))
OA = "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX schema: <https://schema.org/> "


def kg_cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KG_TEST_", "KG_DEBUG"))}
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env={**clean, **(env or {})})


def long_text() -> str:
    """About 24,000 characters of ordinary paragraphs: the sample articles, one after the other."""
    return "\n\n".join(a.read_text(encoding="utf-8") for a in ARTICLES)


def identifiers(store: Path) -> set[str]:
    with kg.open_store(store, read_only=True) as opened:
        rows = opened.query(OA + "SELECT ?id WHERE { ?d a schema:NewsArticle ; schema:identifier ?id }")
        return {row["id"].value for row in rows}


# -- cutting, without the model ---------------------------------------------------------


def test_cut_prefers_paragraphs_then_sentences_and_forces_only_inside_a_long_sentence():
    para = "Une phrase. " * 30 + "\n\n"  # 362 characters a paragraph
    text = para * 4
    pieces = cut(text, 1000)
    assert [(p.start, p.end, p.forced) for p in pieces] == [(0, 724, False), (724, 1448, False)]
    sentences = "Une phrase assez longue. " * 100  # one paragraph of 2,500 characters
    assert all(text_end_is_sentence(sentences, p.end) for p in cut(sentences, 1000)[:-1])
    words = "mot " * 600  # one sentence of 2,400 characters: cut at spaces, with a warning
    pieces = cut(words, 1000)
    assert [p.forced for p in pieces] == [True, True, False] and forced_cuts(words, 1000) == 2
    assert all(words[p.end - 1] == " " for p in pieces[:-1])
    assert [(p.start, p.end) for p in cut("x" * 2500, 1000)] == [(0, 1000), (1000, 2000), (2000, 2500)]
    assert cut("court", 1000) == cut("court", 5) and forced_cuts("court", 1000) == 0


def text_end_is_sentence(text: str, end: int) -> bool:
    return text[:end].rstrip().endswith(".")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .!?\n\r»\u00a0é"), max_size=400), st.integers(1, 50))
def test_pieces_cover_the_text_in_order_and_respect_the_size(text, size):
    pieces = cut(text, size)
    assert pieces[0].start == 0 and pieces[-1].end == len(text)
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert all(0 < p.end - p.start <= size for p in pieces) or text == ""


def test_merge_shifts_every_span_and_keeps_one_object_per_mention():
    text = "Arthur Mensch dirige Mistral AI.\n\nArthur Mensch dirige Mistral AI."
    half = text.index("Arthur", 1)

    def piece_result(doc: Document) -> NlpResult:
        sent = TextSpan(0, len(doc.text))
        a = Mention(TextSpan(0, 13), "Arthur Mensch", "Person", sent)
        b = Mention(TextSpan(21, 31), "Mistral AI", "Organization", sent)
        return NlpResult(doc, (a, b), (RawRelation(a, "worksFor", b, sent),), ())

    doc = Document("x", text)
    parts = [(0, piece_result(Document("x", text[:half]))), (half, piece_result(Document("x", text[half:])))]
    merged = merge(doc, parts)
    assert merged.document is doc
    assert [text[m.span.start : m.span.end] for m in merged.mentions] == ["Arthur Mensch", "Mistral AI"] * 2
    second = merged.relations[1]
    assert second.subject is merged.mentions[2] and second.evidence == TextSpan(half, len(text))


# -- long articles, with the model ---------------------------------------------------


@pytest.mark.model
def test_an_article_in_pieces_gives_the_records_of_the_whole_with_exact_offsets():
    from kg.kb import load_kb
    from kg.nlp.pipeline import analyse, load_pipeline

    warnings.filterwarnings("ignore", module="spacy")
    kb = load_kb()
    nlp = load_pipeline("fr_core_news_md", kb)
    text = long_text()
    doc = Document("long.txt", text, "long.txt")
    whole = next(analyse(nlp, [doc], kb=kb))  # one piece: under the default piece size
    assert len(cut(text, 5000)) >= 5
    pieces = next(analyse(nlp, [doc], kb=kb, piece_chars=5000))
    assert pieces.document is doc
    for m in pieces.mentions:
        assert text[m.span.start : m.span.end] == m.text
        assert m.sentence.start <= m.span.start and m.span.end <= m.sentence.end
    # cuts fall between paragraphs: every name and every relation is found as in the whole text
    # (a fact the article states about a title, "le PDG de X", cites the holder's nearest mention:
    # the same name, perhaps another occurrence of it when the nearest one is across a cut)
    def facts(result):
        return sorted((r.subject.text, r.predicate, r.object.text, r.evidence, r.role, r.rule)
                      for r in result.relations)

    assert pieces.mentions == whole.mentions and facts(pieces) == facts(whole)
    sentences = {m.sentence for m in whole.mentions} | {r.evidence for r in whole.relations}
    assert {c.evidence for c in pieces.claims} <= sentences | {c.evidence for c in whole.claims}
    assert len(pieces.claims) > 20


@pytest.mark.model
def test_long_article_and_long_line_are_stored_with_exact_evidence(tmp_path):
    warnings.filterwarnings("ignore", module="spacy")
    text = long_text()
    line = ("Arthur Mensch, le PDG de Mistral AI, a déclaré " + "et encore " * 900 + "fin.").replace("\n", " ")
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    (tmp_path / "line.txt").write_text(line, encoding="utf-8")
    (tmp_path / "huge.txt").write_text("Une phrase. " * 4000, encoding="utf-8")  # 48,000 characters
    store = tmp_path / "store"
    report = kg.build([tmp_path], store, kg.BuildSettings(piece_chars=5000, max_chars=40_000))
    assert report.analysed == 2
    assert report.errors == [f"{tmp_path / 'huge.txt'}: 48,000 characters, over the limit of 40,000; to analyse "
                             "it, raise the limit with `kg build --max-chars 48000`"]
    assert report.warnings == [f"{tmp_path / 'line.txt'}: 1 sentence(s) longer than a piece (5,000 characters) "
                               "cut inside; nothing is found across those cuts"]
    assert identifiers(store) == {"long.txt", "line.txt"}
    texts = {"long.txt": text, "line.txt": line}
    with kg.open_store(store, read_only=True) as opened:
        rows = list(opened.query(OA + """SELECT DISTINCT ?id ?s ?e ?x WHERE { ?span oa:hasSource ?d ;
            oa:hasSelector ?p , ?q . ?d schema:identifier ?id . ?p oa:start ?s ; oa:end ?e . ?q oa:exact ?x }"""))
        names = {row["n"].value for row in opened.query(
            OA + "SELECT ?n WHERE { ?d schema:identifier 'long.txt' ; schema:mentions/schema:name ?n }")}
    assert len(rows) > 100 and max(int(r["e"].value) for r in rows if r["id"].value == "long.txt") > 20_000
    for row in rows:
        assert texts[row["id"].value][int(row["s"].value) : int(row["e"].value)] == row["x"].value
    assert {"Clément Delangue", "Hugging Face", "OpenAI"} <= names


def test_an_article_over_the_cap_is_refused_in_one_line_without_loading_the_model(tmp_path):
    (tmp_path / "big.txt").write_text("Une phrase. " * 100, encoding="utf-8")
    done = kg_cli("build", tmp_path / "big.txt", "--store", tmp_path / "store", "--max-chars", "1000")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"kg build: skipped: {tmp_path / 'big.txt'}: 1,200 characters, over the "
                                        "limit of 1,000; to analyse it, raise the limit with "
                                        "`kg build --max-chars 1200`"]


# -- one failing article, at each stage ------------------------------------------------

RECORDS = [{"id": "dep-1", "text": "Arthur Mensch, le PDG de Mistral AI, a salué la décision."},
           {"id": "dep-2", "text": "Clément Delangue, le PDG de Hugging Face, a critiqué l’annonce."}]
# One fault a stage, each on its own article: the sample's first article and dep-1 stay good.
FAULTS = {"read": ARTICLES[1].name, "nlp": ARTICLES[2].name, "resolve": "dep-2", "rdf": ARTICLES[3].name,
          "write": ARTICLES[4].name}


def fault_corpus(folder: Path) -> Path:
    folder.mkdir()
    for article in ARTICLES:
        shutil.copy(article, folder / article.name)
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    (folder / "dépêches.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def fault_env(*stages: str) -> dict[str, str]:
    return {"KG_TEST_FAULT": ",".join(f"{stage}:{FAULTS[stage]}" for stage in stages)}


@pytest.mark.model
def test_a_fault_at_each_stage_skips_only_its_article(tmp_path):
    corpus, store = fault_corpus(tmp_path / "corpus"), tmp_path / "store"
    done = kg_cli("build", corpus, "--store", store, env=fault_env(*FAULTS))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    where = {stage: str(corpus / name) for stage, name in FAULTS.items()}
    where["resolve"] = f"{corpus / 'dépêches.jsonl'}:2"
    expected = {f"kg build: skipped: {where[stage]}: {stage} stage failed: InjectedFault: test fault injected at "
                f"{stage} for {name}" for stage, name in FAULTS.items()}
    assert set(done.stderr.splitlines()) == expected
    assert done.stdout.strip().endswith("2 analysed, 0 unchanged, 5 skipped")
    assert identifiers(store) == {ARTICLES[0].name, "dep-1"}  # nothing of the others: the next build tries them


@pytest.mark.model
@pytest.mark.parametrize("stage", ["nlp", "write"])
def test_on_error_stop_keeps_the_articles_stored_before_the_failure(tmp_path, monkeypatch, stage):
    warnings.filterwarnings("ignore", module="spacy")
    monkeypatch.setenv("KG_TEST_FAULT", f"{stage}:{ARTICLES[2].name}")
    store = tmp_path / "store"
    with pytest.raises(ArticleError) as info:
        kg.build(ARTICLES, store, kg.BuildSettings(on_error="stop"))
    assert str(info.value) == (f"{ARTICLES[2]}: {stage} stage failed: InjectedFault: test fault injected at "
                               f"{stage} for {ARTICLES[2].name}")
    assert identifiers(store) == {ARTICLES[0].name, ARTICLES[1].name}


def test_no_traceback_without_debug_and_a_traceback_with_it(tmp_path):
    """A read failure (no model needed): one line; with --debug or KG_DEBUG=1, the traceback too."""
    article = shutil.copy(ARTICLES[0], tmp_path / ARTICLES[0].name)
    env = {"KG_TEST_FAULT": f"read:{ARTICLES[0].name}"}
    done = kg_cli("build", article, "--store", tmp_path / "store", env=env)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"kg build: skipped: {article}: read stage failed: InjectedFault: test "
                                        f"fault injected at read for {ARTICLES[0].name}"]
    with_debug = kg_cli("build", article, "--store", tmp_path / "store", "--debug", env=env)
    assert with_debug.returncode == 1 and "Traceback" in with_debug.stderr
    assert "in article_fault" in with_debug.stderr  # where it failed: the hook, in this test
    with_debug = kg_cli("build", article, "--store", tmp_path / "store", "--on-error", "stop", "--debug", env=env)
    assert with_debug.returncode == 1 and "in article_fault" in with_debug.stderr
    assert with_debug.stderr.splitlines()[-1].startswith(f"kg build: error: {article}: read stage failed")
    assert "Traceback" in kg_cli("build", article, "--store", tmp_path / "s2", "--on-error", "stop",
                                 env={**env, "KG_DEBUG": "1"}).stderr


def test_an_unexpected_exception_is_one_line_unless_debugging(monkeypatch, capsys):
    from kg import cli

    def broken(args):
        raise RuntimeError("no such thing\nsecond line")

    monkeypatch.setitem(cli._COMMANDS, "stats", broken)
    monkeypatch.delenv("KG_DEBUG", raising=False)
    assert cli.main(["stats"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == ["kg stats: internal error: RuntimeError: no such thing second line (run again with "
                                "--debug or KG_DEBUG=1 for the traceback, to report it)"]
    assert cli.main(["stats", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.splitlines()[-1] == "kg stats: internal error: RuntimeError: no such thing " \
                                                          "second line"
