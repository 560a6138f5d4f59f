"""newskg's spaCy components, registered with spaCy explicitly, as spaCy registers its own
(``spacy/pipeline/factories.py``): :func:`register_factories` declares each factory with its
default configuration and what it ``requires`` and ``assigns``, once per process.

:func:`kg.nlp.pipeline.load_pipeline` calls it before adding the components, so nothing
depends on a module having been imported for its side effects; the components themselves
live in :mod:`kg.nlp.entities`. The order in the pipeline::

    … newskg_line_breaks → parser … ner → newskg_model_names → newskg_kb_ruler → newskg_entity_repair
"""

from __future__ import annotations

from spacy.language import Language

from kg.nlp.entities import EntityRepair, LineBreakSentencizer, ModelNameRecognizer

_REGISTERED = False


def register_factories() -> None:
    """Register the ``newskg_*`` factories with spaCy (a second call does nothing)."""
    global _REGISTERED
    if _REGISTERED:
        return
    # Every article's line breaks end its sentences before the parser runs, which keeps them;
    # the page furniture (``Lire aussi : …``) is found here, once, for the later components.
    Language.factory(
        "newskg_line_breaks",
        requires=[],
        assigns=["token.is_sent_start", "doc._.kg_boilerplate"],
    )(make_line_breaks)
    # After the statistical NER: model names it misses, from their shape and context.
    Language.factory(
        "newskg_model_names",
        default_config={"families": []},
        requires=["doc.ents"],
        assigns=["doc.ents", "token.ent_iob", "token.ent_type", "doc._.kg_sources"],
    )(make_model_names)
    # Last: the KB ruler's spans (``doc.spans["newskg_kb"]``) against the NER's entities, and the fixes.
    Language.factory(
        "newskg_entity_repair",
        default_config={"not_entities": [], "first_names": [], "model_aliases": {}, "forced_types": {},
                        "kept_names": []},
        requires=["doc.ents", "doc.spans", "token.pos", "token.lemma", "doc._.kg_boilerplate"],
        assigns=["doc.ents", "token.ent_iob", "token.ent_type", "doc._.kg_sources"],
    )(make_entity_repair)
    _REGISTERED = True


def make_line_breaks(nlp: Language, name: str) -> LineBreakSentencizer:
    return LineBreakSentencizer(nlp, name)


def make_model_names(nlp: Language, name: str, families: list[str]) -> ModelNameRecognizer:
    return ModelNameRecognizer(nlp, name, families)


def make_entity_repair(nlp: Language, name: str, not_entities: list[str], first_names: list[str],
                       model_aliases: dict[str, str], forced_types: dict[str, str],
                       kept_names: list[str]) -> EntityRepair:
    return EntityRepair(nlp, name, not_entities, first_names, model_aliases, forced_types, kept_names)


__all__ = ["make_entity_repair", "make_line_breaks", "make_model_names", "register_factories"]
