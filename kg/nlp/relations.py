"""Relations read from the grammar of a sentence: roles, founders, developers, and
participle phrases that open the sentence.

The rules work on the sequence of tokens and entity spans of one sentence, with the
French function words that carry these relations (``de``, ``chez``, apposition
commas, coordination ``X, Y et Z``, ``fondé par``, ``a lancé``). Each rule has a
name, recorded as ``kg:extractedBy`` on the fact, and a confidence. The rules live
in :mod:`kg.nlp.roles`, :mod:`kg.nlp.founders` and :mod:`kg.nlp.developers`.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Span

from kg.nlp.developers import developers
from kg.nlp.employment import employment
from kg.nlp.founders import founders
from kg.nlp.fronted import fronted_facts
from kg.nlp.grammar import Found
from kg.nlp.roles import roles


def find_relations(sent: Span, ents: list[Span]) -> Iterator[Found]:
    """Every relation the rules find in one sentence."""
    yield from roles(sent, ents)
    yield from founders(sent, ents)
    yield from developers(sent, ents)
    yield from fronted_facts(sent, ents)
    yield from employment(sent, ents)


__all__ = ["Found", "find_relations"]
