"""A user's decision file changes the graph as asked, and the change survives rebuilds."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import kg
from kg.store import open_store

pytestmark = pytest.mark.model

A = "Jean Dupré, PDG de Nexa Labs, a salué le modèle Orion-7B. Dupré a ajouté que le marché progresse.\n"
B = "Selon Dupré, le secteur va croître. Silicon Carne en parle chaque semaine.\n"


def kg_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=300)


def people(store_path) -> dict[str, set[str]]:
    """Person IRI -> the articles (identifiers) that mention it."""
    q = """PREFIX schema: <https://schema.org/>
           SELECT DISTINCT ?p ?id WHERE { ?d schema:mentions ?p ; schema:identifier ?id . ?p a schema:Person }"""
    out: dict[str, set[str]] = {}
    with open_store(store_path, read_only=True) as store:
        for row in store.query(q):
            out.setdefault(row["p"].value.rsplit("/", 1)[-1], set()).add(row["id"].value)
    return out


def test_decisions_merge_split_ignore_and_survive_rebuilds(tmp_path):
    warnings.filterwarnings("ignore", module="spacy")
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(A, encoding="utf-8")
    (articles / "b.txt").write_text(B, encoding="utf-8")
    store = tmp_path / "store"
    kg.build([articles], store)
    before = people(store)
    # "Dupré" is merged by surname in a.txt, but alone in b.txt a one-word unknown surname is not kept
    assert before == {"jean-dupre": {"a.txt"}, "silicon-carne": {"b.txt"}}

    assert kg_cli("decide", "merge", "Dupré", "Jean Dupré", "--store", str(store)).returncode == 0
    assert kg_cli("decide", "ignore", "Silicon Carne", "--store", str(store)).returncode == 0
    report = kg.build([articles], store)
    assert report.analysed == 2  # both articles name a decided form
    after = people(store)
    assert after == {"jean-dupre": {"a.txt", "b.txt"}}
    out = kg_cli("merges", "--store", str(store), "--format", "csv")
    assert "Jean Dupré,Dupré,decision,1,a.txt b.txt," in out.stdout.replace("\r", "")

    # a rebuild with nothing new keeps the decisions' effect
    report = kg.build([articles], store)
    assert (report.analysed, report.unchanged) == (0, 2)
    assert people(store) == after

    # split wins over the surname rule, and is applied on the next build
    assert kg_cli("decide", "split", "Dupré", "Jean Dupré", "--store", str(store)).returncode == 0
    listed = kg_cli("decide", "list", "--store", str(store)).stdout.splitlines()
    assert listed == ["ignore,Silicon Carne", "split,Dupré,Jean Dupré"]  # the split replaced the merge
    kg.build([articles], store)
    assert people(store)["jean-dupre"] == {"a.txt"}


def test_type_decision(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text(A, encoding="utf-8")
    store = tmp_path / "store"
    kg.build([articles], store)
    kg_cli("decide", "type", "Orion-7B", "Organization", "--store", str(store))
    kg.build([articles], store)
    with open_store(store, read_only=True) as s:
        types = {r["t"].value.rsplit("/", 1)[-1] for r in s.query(
            "SELECT ?t WHERE { ?e <https://schema.org/name> 'Orion-7B' ; a ?t }")}
    assert types == {"Organization"}


def test_bad_decision_is_refused(tmp_path):
    out = kg_cli("decide", "type", "X", "Planet", "--store", str(tmp_path))
    assert out.returncode == 1 and "Planet" in out.stderr
