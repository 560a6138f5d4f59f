"""Shared fixtures. ``tiny_store`` is built from hand-made extractions (no model), so
tests of query, export, view and validation run in milliseconds and know every fact."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from kg.rdf import RunInfo, article_ntriples
from kg.records import Claim, Document, Entity, Extraction, Mention, Relation, TextSpan
from kg.store import open_store
from kg.vocab import IRIs

ROOT = Path(__file__).resolve().parent.parent
# The benchmark corpus generator (benchmarks/corpus_gen.py) is no part of the package: tests that
# need generated articles import it from there, as the benchmarks do.
sys.path.insert(0, str(ROOT / "benchmarks"))


def kg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The real command line, as a user runs it, from the repository root."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
SAMPLE = ROOT / "data" / "sample"
RUN = RunInfo(version="test", pipeline="hand-made", settings_hash="test")


def _span_of(text: str, needle: str, start: int = 0) -> TextSpan:
    i = text.index(needle, start)
    return TextSpan(i, i + len(needle))


def _entity(text: str, etype, key: str, name: str, *forms: str) -> Entity:
    mentions = []
    for form in forms:
        span = _span_of(text, form)
        mentions.append(Mention(span=span, text=form, type=etype, sentence=span, source="test", confidence=0.9))
    return Entity(type=etype, key=key, name=name, forms=tuple(forms), mentions=tuple(mentions), confidence=0.9)


TEXT_A = (
    "Le PDG de Hugging Face, Clément Delangue, s'inquiète des modèles chinois.\n"
    "QwQ-32B d'Alibaba impressionne. Delangue a prédit que la Chine dominera l'IA."
)
TEXT_B = "Clément Delangue, Julien Chaumond et Thomas Wolf ont fondé Hugging Face en 2016."


def tiny_extractions() -> list[Extraction]:
    a = Document(identifier="a.txt", text=TEXT_A, source="a.txt", title=TEXT_A.splitlines()[0], lang="fr",
                 date="2025-03-01")
    delangue = _entity(TEXT_A, "Person", "clement-delangue", "Clément Delangue", "Clément Delangue", "Delangue")
    hf = _entity(TEXT_A, "Organization", "hugging-face", "Hugging Face", "Hugging Face")
    qwq = _entity(TEXT_A, "AIModel", "qwq-32b", "QwQ-32B", "QwQ-32B")
    alibaba = _entity(TEXT_A, "Organization", "alibaba", "Alibaba", "Alibaba")
    s1 = _span_of(TEXT_A, "Le PDG de Hugging Face, Clément Delangue, s'inquiète des modèles chinois.")
    s2 = _span_of(TEXT_A, "QwQ-32B d'Alibaba impressionne.")
    s3 = _span_of(TEXT_A, "Delangue a prédit que la Chine dominera l'IA.")
    ext_a = Extraction(
        document=a,
        entities=(delangue, hf, qwq, alibaba),
        relations=(
            Relation(delangue, "worksFor", hf, s1, role="PDG", rule="title-de-org-apposition", confidence=0.9),
            Relation(qwq, "creator", alibaba, s2, rule="model-de-org", confidence=0.85),
        ),
        claims=(
            Claim(delangue, s1, "concern", "reported", about=(hf,), cue="s'inquiète", confidence=0.8),
            Claim(delangue, s3, "prediction", "reported", about=(), cue="a prédit", confidence=0.8),
        ),
        settings={"content_hash": "hash-a"},
    )
    b = Document(identifier="b.txt", text=TEXT_B, source="b.txt", lang="fr")
    people = [
        _entity(TEXT_B, "Person", k, n, n)
        for k, n in (("clement-delangue", "Clément Delangue"), ("julien-chaumond", "Julien Chaumond"),
                     ("thomas-wolf", "Thomas Wolf"))
    ]
    hf_b = _entity(TEXT_B, "Organization", "hugging-face", "Hugging Face", "Hugging Face")
    sent = TextSpan(0, len(TEXT_B))
    ext_b = Extraction(
        document=b,
        entities=(*people, hf_b),
        relations=tuple(Relation(hf_b, "founder", p, sent, rule="coordination-ont-fonde", confidence=0.9)
                        for p in people),
        claims=(),
        settings={"content_hash": "hash-b"},
    )
    return [ext_a, ext_b]


def extraction_graph(extraction: Extraction, run: RunInfo, iris: IRIs | None = None) -> Graph:
    """The article's graph as the build writes it (:func:`kg.rdf.article_ntriples`), parsed
    into rdflib: what tests compare and give to ``Store.replace_article``."""
    name, body, commit, _ = article_ntriples(extraction, run, iris)
    graph = Graph(identifier=name)
    return graph.parse(data=body + commit, format="nt")


def build_tiny_store(path: Path):
    with open_store(path) as store:
        touched = set()
        for ext in tiny_extractions():
            touched |= store.replace_article(extraction_graph(ext, RUN, store.iris))
        store.consolidate_entities(touched)
    return path


@pytest.fixture(scope="session")
def tiny_store_path(tmp_path_factory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny") / "store")


@pytest.fixture
def tiny_store_copy(tiny_store_path, tmp_path) -> Path:
    """A private copy a test may write to."""
    dest = tmp_path / "store"
    shutil.copytree(tiny_store_path, dest, ignore=shutil.ignore_patterns("newskg.lock"))
    return dest


# -- headless Chromium, shared by the browser tests ----------------------------------------
# Flags that keep Debian's Chromium quiet on a machine with no network (no background
# requests, no updates, a fresh profile per test); the profile folder is added per call.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")


def chromium() -> str:
    """The Chromium binary; a missing browser fails under CI and skips elsewhere."""
    import os

    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is required under CI (apt-get install chromium)")
    pytest.skip("Chromium is not installed")


@pytest.fixture(scope="session")
def analyse():
    """One text through the real French pipeline and the shipped KB, to plain records (loaded once)."""
    import warnings

    from kg.kb import load_kb
    from kg.nlp.pipeline import doc_to_result, load_pipeline
    from kg.records import Document

    warnings.filterwarnings("ignore", module="spacy")
    kb = load_kb()
    nlp = load_pipeline(kb=kb)

    def run(text: str):
        return doc_to_result(nlp(text), Document("case.txt", text), kb)

    return run


def score_answer_keyed(texts: Path, gold: Path, store: Path):
    """Build ``texts`` into ``store`` and score the graph against the answer keys in ``gold``."""
    import warnings

    import kg as newskg
    from kg.eval import evaluate
    from kg.store import open_store
    from kg.validate import DEFAULT_ONTOLOGY

    warnings.filterwarnings("ignore", module="spacy")
    report = newskg.build([texts], store)
    assert report.ok and report.analysed == len(list(texts.glob("*.txt")))
    with open_store(store, read_only=True) as s:
        graph = s.union_graph()
    graph.parse(DEFAULT_ONTOLOGY, format="turtle")
    result = evaluate(graph, texts, gold)
    print(result.summary())
    return result


def assert_scores_at_least(result, floors: dict[str, float]) -> None:
    """Every figure of ``result`` at or above its floor; evidence and identity exact."""
    assert result.entities.prf[2] >= floors["entities"], result.summary()
    assert result.relations.prf[2] >= floors["relations"], result.summary()
    assert result.claims.prf[2] >= floors["claims"], result.summary()
    assert result.stance_accuracy >= floors["stance"], result.summary()
    assert result.evidence_fidelity == 1.0 and result.identity == 1.0


@pytest.fixture
def in_process(tiny_store_path):
    """Start a KGServer in this process with given settings, serving in a thread; every one is closed
    at the end (the serve and hardening tests share it)."""
    import threading

    from kg.serve import KGServer, ServeSettings

    started: list[KGServer] = []

    def start(store: Path = tiny_store_path, **settings) -> KGServer:
        server = KGServer(store, ServeSettings(port=0, **settings), log=lambda message: None).start()
        started.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    yield start
    for server in started:
        server.shutdown()
        server.close()
