"""The ``kg`` command end to end, as a user runs it (a real subprocess, the tiny store)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_query_canned_and_json(tiny_store_path):
    out = kg("query", "roles", "--store", str(tiny_store_path), "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["results"]["bindings"]
    assert {r["role"]["value"] for r in rows} == {"PDG"}


def test_query_list(tiny_store_path):
    out = kg("query", "--list", "--store", str(tiny_store_path))
    assert out.returncode == 0 and "roles" in out.stdout and "founders" in out.stdout


def test_malformed_query_is_one_line_with_position(tiny_store_path):
    out = kg("query", "SELECT ?x WHERE { ?x ?y }", "--store", str(tiny_store_path))
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 1" in lines[0] and "column" in lines[0]


def test_unknown_export_format(tiny_store_path, tmp_path):
    out = kg("export", "--format", "xlsx", "-o", str(tmp_path / "g.xlsx"), "--store", str(tiny_store_path))
    assert out.returncode == 1 and "xlsx" in out.stderr and "turtle" in out.stderr
    assert not (tmp_path / "g.xlsx").exists()


def test_missing_store_is_a_clear_error(tmp_path):
    out = kg("stats", "--store", str(tmp_path / "nowhere"))
    assert out.returncode == 1
    assert "no store here" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_validate_and_stats(tiny_store_path):
    assert kg("validate", "--store", str(tiny_store_path)).returncode == 0
    out = kg("stats", "--store", str(tiny_store_path))
    assert out.returncode == 0
    counts = dict(line.rsplit(maxsplit=1) for line in out.stdout.splitlines())
    assert counts["documents"] == "2" and counts["claims"] == "2" and counts["founders"] == "3"


def test_store_in_use_by_a_writer(tiny_store_copy):
    from kg.errors import StoreLockedError
    from kg.store import open_store

    with open_store(tiny_store_copy):
        try:
            open_store(tiny_store_copy)
        except StoreLockedError as exc:
            assert "in use by process" in str(exc)
        else:
            raise AssertionError("a second writer must be refused")
        out = kg("stats", "--store", str(tiny_store_copy))  # readers still read
        assert out.returncode == 0, out.stderr


def test_export_and_view_files(tiny_store_path, tmp_path):
    for fmt, name in (("ntriples", "g.nt"), ("nquads", "g.nq"), ("graphml", "g.graphml")):
        out = kg("export", "--format", fmt, "-o", str(tmp_path / name), "--store", str(tiny_store_path))
        assert out.returncode == 0, out.stderr
        assert (tmp_path / name).stat().st_size > 0
    out = kg("view", "-o", str(tmp_path / "v.html"), "--focus", "Delangue", "--depth", "1",
             "--store", str(tiny_store_path))
    assert out.returncode == 0, out.stderr
    assert "Clément Delangue" in (tmp_path / "v.html").read_text(encoding="utf-8")


def test_lang_leaves_out_articles_in_other_languages_and_counts_them(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "en.txt").write_text("Sam Altman, the head of OpenAI, said on Tuesday that the company would release "
                                  "a new model next month, according to people familiar with the plans.\n")
    (texts / "fr.txt").write_text("Sam Altman, le patron d'OpenAI, a déclaré mardi que l'entreprise publierait un "
                                  "nouveau modèle le mois prochain.\n")
    out = kg("build", str(texts), "--store", str(tmp_path / "store"), "--lang", "fr")
    assert out.returncode == 0, out.stderr
    assert "1 analysed" in out.stdout and "left out: 1 other language" in out.stdout
    documents = kg("query", "SELECT ?id WHERE { ?d <https://schema.org/identifier> ?id }", "--format", "csv",
                   "--store", str(tmp_path / "store"))
    assert documents.stdout.split() == ["id", "fr.txt"]
    wrong = kg("build", str(texts), "--store", str(tmp_path / "store"), "--lang", "french")
    assert wrong.returncode == 2 and "--lang" in wrong.stderr and len(wrong.stderr.strip().splitlines()) == 1
