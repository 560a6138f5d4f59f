"""``kg eval`` on the tiny store with hand-written answer keys: counts, misses, JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import TEXT_A, TEXT_B


def write_case(tmp_path):
    texts, gold = tmp_path / "texts", tmp_path / "gold"
    texts.mkdir()
    gold.mkdir()
    (texts / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (texts / "b.txt").write_text(TEXT_B, encoding="utf-8")
    (gold / "a.json").write_text(json.dumps({
        "doc": "a.txt",
        "entities": [
            {"name": "Clément Delangue", "type": "Person", "aliases": ["Delangue"]},
            {"name": "Hugging Face", "type": "Organization", "aliases": ["Hugging Face"]},
            {"name": "QwQ-32B", "type": "AIModel", "aliases": ["QwQ-32B"]},
            {"name": "Alibaba", "type": "Organization", "aliases": ["Alibaba"]},
            {"name": "Chine", "type": "Organization", "aliases": ["Chine"]},
        ],
        "relations": [
            {"subject": "Clément Delangue", "predicate": "hasRole", "object": "Hugging Face", "role": "PDG",
             "evidence": "Le PDG de Hugging Face"},
            {"subject": "Alibaba", "predicate": "developed", "object": "QwQ-32B", "evidence": "QwQ-32B d'Alibaba"},
        ],
        "claims": [
            {"speaker": "Clément Delangue", "about": [], "stance": "concern",
             "evidence": "Le PDG de Hugging Face, Clément Delangue, s'inquiète des modèles chinois."},
            {"speaker": "Clément Delangue", "about": [], "stance": "concern",
             "evidence": "Delangue a prédit que la Chine dominera l'IA."},
        ],
    }), encoding="utf-8")
    (gold / "b.json").write_text(json.dumps({"doc": "b.txt", "entities": [], "relations": [], "claims": []}),
                                 encoding="utf-8")
    return texts, gold


def test_eval_counts_and_misses(tiny_store_path, tmp_path):
    texts, gold = write_case(tmp_path)
    out = subprocess.run([sys.executable, "-m", "kg.cli", "eval", "--store", str(tiny_store_path), "--gold", str(gold),
                          "--texts", str(texts), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["entities"]["tp"], result["entities"]["fn"]) == (4, 1)
    assert result["entities"]["fp"] == 4  # b.txt's key names nobody: its four entities are not in the key
    assert (result["relations"]["tp"], result["relations"]["fp"], result["relations"]["fn"]) == (2, 3, 0)
    assert (result["claims"]["tp"], result["claims"]["fp"], result["claims"]["fn"]) == (2, 0, 0)
    assert result["stance_accuracy"] == 0.5
    misses = [m for d in result["docs"] for m in d["misses"]]
    assert "missing entity: Chine (Organization)" in misses
    assert any(m.startswith("stance prediction instead of concern") for m in misses)


def test_eval_bad_key_is_a_clear_error(tiny_store_path, tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "x.json").write_text("{not json", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "kg.cli", "eval", "--store", str(tiny_store_path), "--gold", str(gold),
                          "--texts", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "x.json" in out.stderr and len(out.stderr.strip().splitlines()) == 1
