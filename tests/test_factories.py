"""newskg's spaCy components are registered explicitly (kg.nlp.factories), with what they need and give."""

from __future__ import annotations

import subprocess
import sys

import pytest
from spacy.language import Language

from kg.nlp.factories import register_factories
from kg.nlp.pipeline import load_pipeline

NAMES = ("newskg_line_breaks", "newskg_model_names", "newskg_entity_repair")


def test_importing_the_nlp_modules_registers_nothing():
    code = ("import kg.nlp.pipeline, kg.nlp.entities, kg.nlp.factories\n"
            "from spacy.language import Language\n"
            f"names = {NAMES!r}\n"
            "before = [Language.has_factory(n) for n in names]\n"
            "kg.nlp.factories.register_factories(); kg.nlp.factories.register_factories()\n"
            "print(before, [Language.has_factory(n) for n in names])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[False, False, False] [True, True, True]"


def test_factories_declare_what_they_require_and_assign():
    register_factories()
    meta = {name: Language.get_factory_meta(name) for name in NAMES}
    assert "token.is_sent_start" in meta["newskg_line_breaks"].assigns
    assert meta["newskg_model_names"].requires == ["doc.ents"]
    assert meta["newskg_model_names"].default_config == {"families": []}
    assert {"doc.ents", "doc.spans"} <= set(meta["newskg_entity_repair"].requires)
    assert "doc.ents" in meta["newskg_entity_repair"].assigns


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def test_the_pipeline_meets_every_requirement_in_order(nlp):
    assert [n for n in nlp.pipe_names if n.startswith("newskg_")] == [
        "newskg_line_breaks", "newskg_model_names", "newskg_kb_ruler", "newskg_entity_repair"]
    assert nlp.pipe_names.index("newskg_line_breaks") < nlp.pipe_names.index("parser")
    analysis = nlp.analyze_pipes()
    assert all(not analysis["problems"][name] for name in NAMES), analysis["problems"]
    doc = nlp("Le PDG de Mistral AI, Arthur Mensch, présente Mistral Large 2.\nLire aussi : OpenAI")
    assert doc._.kg_boilerplate and doc._.kg_sources
    assert {e.label_ for e in doc.ents} <= {"PER", "ORG", "AIMODEL"} and doc.ents
