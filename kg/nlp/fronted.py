"""Facts stated by a participle phrase that opens the sentence, about the subject that follows it:

* ``Fondée en 2021 par Paul Girard et Julie Martin, Nexa emploie …`` (founders);
* ``Développé par la start-up Nexa, le modèle Orion-7B est …`` (the model's developer);
* ``Nommée directrice de la recherche chez Nexa en mars, Julie Martin arrive …`` (a role).

The phrase names one side of the fact; the subject, the first name after the comma that
closes the phrase (past a determiner, an organisation or model noun, adjectives), is the other.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span

from kg.nlp.developers import DEVELOPED_BY_FORMS, LAUNCH_FORMS
from kg.nlp.founders import FOUND_FORMS, coordination_after, skip_group_words
from kg.nlp.grammar import Found, ent_at, label, org_after_preposition, role_facts
from kg.nlp.lexicon import DETERMINERS, MODEL_NOUNS, ORG_NOUNS

APPOINTED_FORMS = frozenset("""nommé nommée nommés nommées promu promue recruté recrutée embauché embauchée
    désigné désignée élu élue""".split())
# "Créée en 2015 par X, OpenAI …": created, before an organisation as the subject, is founded.
CREATED_FORMS = frozenset("créé créée".split())
_TITLE_END = frozenset({"de", "d'", "d’", "du", "chez", "à", "au"})


def fronted_facts(sent: Span, ents: list[Span]) -> Iterator[Found]:
    doc = sent.doc
    first = _opening_word(sent)
    if first is None:
        return
    word = doc[first].lower_
    if word in FOUND_FORMS or word in CREATED_FORMS:
        yield from _founded(doc, ents, first, sent)
    elif word in DEVELOPED_BY_FORMS or word in LAUNCH_FORMS:
        yield from _developed(doc, ents, first, sent)
    elif word in APPOINTED_FORMS:
        yield from _appointed(doc, ents, first, sent)


def _founded(doc: Doc, ents: list[Span], first: int, sent: Span) -> Iterator[Found]:
    people = _founders_named(doc, ents, first, sent)
    if not people:
        return
    org = _subject_after(doc, ents, people[-1].end, sent, "ORG")
    if org is not None:
        for person in people:
            yield Found(org, "founder", person, None, "fronted-founded-by", 0.8)


def fronted_founders_of_org_noun(sent: Span, ents: list[Span]) -> list[Span]:
    """``Fondée en 2023 par X, Y et Z, la société …``: the founders, when the subject after the phrase
    is an organisation noun (the pipeline gives them the organisation the article is about)."""
    doc = sent.doc
    first = _opening_word(sent)
    if first is None or (doc[first].lower_ not in FOUND_FORMS and doc[first].lower_ not in CREATED_FORMS):
        return []
    people = _founders_named(doc, ents, first, sent)
    if not people:
        return []
    comma = next((j for j in range(people[-1].end, min(people[-1].end + 8, sent.end)) if doc[j].text == ","), None)
    if comma is None or comma + 2 >= sent.end or doc[comma + 1].lower_ not in DETERMINERS:
        return []
    noun = doc[comma + 2]
    noun_words = {noun.lower_, f"{noun.lower_} {doc[comma + 3].lower_}" if comma + 3 < sent.end else ""}
    return people if noun.lower_ in ORG_NOUNS or "start" in noun_words or "jeune pousse" in noun_words else []


def _developed(doc: Doc, ents: list[Span], first: int, sent: Span) -> Iterator[Found]:
    par = _par_after(doc, first, sent)
    org = org_after_preposition(doc, ents, par + 1, sent) if par is not None else None
    if org is None or label(org) != "ORG":
        return
    model = _subject_after(doc, ents, org.end, sent, "AIMODEL")
    if model is not None:
        yield Found(model, "creator", org, None, "fronted-developed-by", 0.8)


def _appointed(doc: Doc, ents: list[Span], first: int, sent: Span) -> Iterator[Found]:
    """``Nommée directrice de la recherche chez Nexa``: the title runs to the preposition before the
    organisation (``de la recherche`` belongs to the title: its ``de`` is not followed by one)."""
    for k in range(first + 1, min(first + 10, sent.end)):
        if doc[k].text in (",", ";", ":") or ent_at(ents, k) is not None:
            return
        if doc[k].lower_ not in _TITLE_END:
            continue
        org = org_after_preposition(doc, ents, k + 1, sent)
        if org is None:
            continue
        title = doc[first + 1 : k].text.strip()
        person = _subject_after(doc, ents, org.end, sent, "PER")
        if person is not None and title:
            yield from role_facts(person, org, title, False, "fronted-appointed", 0.75)
        return


def _opening_word(sent: Span) -> int | None:
    """The sentence's first word, when it is capitalised as a phrase's first word is."""
    doc = sent.doc
    first = sent.start
    while first < sent.end and (doc[first].is_punct or doc[first].is_space):
        first += 1
    return first if first < sent.end and doc[first].is_title else None


def _founders_named(doc: Doc, ents: list[Span], first: int, sent: Span) -> list[Span]:
    """``Fondée en 2021 par [un groupe comprenant] X, Y et Z``: the people after ``par``."""
    par = _par_after(doc, first, sent)
    return coordination_after(doc, ents, skip_group_words(doc, par + 1, sent), sent) if par is not None else []


def _par_after(doc: Doc, first: int, sent: Span) -> int | None:
    """``Fondée en 2021 par``: ``par`` within a few words of the participle."""
    for k in range(first + 1, min(first + 6, sent.end)):
        if doc[k].lower_ == "par":
            return k
        if doc[k].text in (",", ";"):
            return None
    return None


def _subject_after(doc: Doc, ents: list[Span], k: int, sent: Span, wanted: str) -> Span | None:
    """The subject after the comma that closes the phrase (at most 8 words on), when it is a ``wanted``
    name: ``, Nexa``, ``, la start-up Nexa``, ``, le modèle Orion-7B``."""
    comma = next((j for j in range(k, min(k + 8, sent.end)) if doc[j].text == ","), None)
    if comma is None or any(t.pos_ == "VERB" for t in doc[k:comma]):
        return None
    j = comma + 1
    while j < sent.end and j - comma <= 6 and ent_at(ents, j) is None and (
            doc[j].lower_ in DETERMINERS or doc[j].lower_ in ORG_NOUNS or doc[j].lower_ in MODEL_NOUNS
            or doc[j].lower_ in ("start", "-", "up", "jeune") or (doc[j].pos_ == "ADJ" and doc[j].is_lower)):
        j += 1
    ent = ent_at(ents, j)
    return ent if ent is not None and label(ent) == wanted else None


__all__ = ["fronted_facts", "fronted_founders_of_org_noun"]
