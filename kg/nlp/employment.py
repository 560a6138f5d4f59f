"""Roles stated by a verb of employment:

* a person leads or joins an organisation: ``X dirige désormais la start-up Y``,
  ``X a rejoint Y en tant que directrice technique``;
* an organisation appoints or hires a person: ``Y a nommé X au poste de directrice financière``,
  ``Y a recruté X pour diriger…``;
* ``Y, dont X est le PDG``.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span

from kg.nlp.founders import past_apposition
from kg.nlp.grammar import Found, date_end, ent_at, has_role_head, label, org_after_preposition, role_facts
from kg.nlp.lexicon import HIRE_FORMS
from kg.nlp.tokens import positions_in, word_positions

PERSON_VERBS = frozenset("dirige dirigeait préside présidait pilote rejoint rejoindra rejoignait".split())
HIRE_VERBS = HIRE_FORMS | {"débauché", "débauchée"}
_FORMS, _NO_LEMMAS = PERSON_VERBS | HIRE_VERBS, frozenset[str]()  # one object each: word_positions caches by id
_AUX = frozenset("a ont avait avaient aura vient de d' d’ va".split())
# What may sit between the subject and the verb, or the verb and its object: "a désormais rejoint".
_ADVERBS = frozenset("désormais aujourd'hui aujourd’hui déjà récemment officiellement finalement".split())
_ROLE_INTRO = (("au", "poste", "de"), ("au", "poste", "d'"), ("au", "poste", "d’"), ("en", "tant", "que"),
               ("comme",))


def employment(sent: Span, ents: list[Span]) -> Iterator[Found]:
    doc = sent.doc
    for i in positions_in(word_positions(doc, _FORMS, _NO_LEMMAS), sent):
        if _negated(doc, i, sent):
            continue
        if doc[i].lower_ in PERSON_VERBS:
            yield from _person_verb(doc, ents, i, sent)
        elif doc[i - 1].lower_ != "été":  # "X a été nommé …" is the person's, read by the title rules
            yield from _hire_verb(doc, ents, i, sent)
    yield from _whose_title(doc, ents, sent)


def _person_verb(doc: Doc, ents: list[Span], i: int, sent: Span) -> Iterator[Found]:
    person = _subject_before(doc, ents, i, sent, "PER")
    k = i + 1
    while k < sent.end:  # past "désormais", "depuis mars 2024"
        after = k + 1 if doc[k].lower_ in _ADVERBS else date_end(doc, k, sent.end)
        if after == k:
            break
        k = after
    org = org_after_preposition(doc, ents, k, sent)
    if person is None or org is None:
        return
    title = _role_after(doc, ents, org.end, sent)
    if title:
        yield from role_facts(person, org, title, False, "person-joins-org", 0.75)
    else:
        yield Found(person, "worksFor", org, None, "person-leads-or-joins-org", 0.75)


def _hire_verb(doc: Doc, ents: list[Span], i: int, sent: Span) -> Iterator[Found]:
    org = _subject_before(doc, ents, i, sent, "ORG")
    person = ent_at(ents, i + 1)
    if org is None or person is None or label(person) != "PER":
        return
    title = _role_after(doc, ents, person.end, sent, direct=True)
    if title:
        yield from role_facts(person, org, title, False, "org-appoints-person", 0.75)
    else:
        yield Found(person, "worksFor", org, None, "org-hires-person", 0.7)


def _whose_title(doc: Doc, ents: list[Span], sent: Span) -> Iterator[Found]:
    """``Nexa, dont Paul Girard est le PDG,``."""
    for org in (e for e in ents if label(e) == "ORG"):
        k = org.end
        if k + 4 >= sent.end or doc[k].text != "," or doc[k + 1].lower_ != "dont":
            continue
        person = ent_at(ents, k + 2)
        if person is None or label(person) != "PER" or person.end + 2 >= sent.end:
            continue
        if doc[person.end].lower_ in ("est", "était") and doc[person.end + 1].lower_ in ("le", "la", "l'", "l’"):
            title = _role_after(doc, ents, person.end + 2, sent, direct=True)
            if title:
                yield from role_facts(person, org, title, False, "org-whose-title-is-person", 0.75)


def _subject_before(doc: Doc, ents: list[Span], i: int, sent: Span, wanted: str) -> Span | None:
    """The name right before the verb, past auxiliaries and a few adverbs: ``X a désormais rejoint``."""
    k = i - 1
    while k >= sent.start and i - k <= 4 and (doc[k].lower_ in _AUX or doc[k].lower_ in _ADVERBS):
        k -= 1
    ent = next((e for e in ents if e.end == k + 1), None)
    if ent is None and k >= sent.start and doc[k].text == "," and wanted == "PER":
        before = past_apposition(doc, [e for e in ents if e.end <= k], k + 1, sent)
        ent = before[-1] if before and before[-1].end < k else None  # "X, ex-directeur de Y, a rejoint Z"
    return ent if ent is not None and label(ent) == wanted else None


def _role_after(doc: Doc, ents: list[Span], k: int, sent: Span, direct: bool = False) -> str | None:
    """``en tant que directrice technique``, ``au poste de directrice financière``, ``comme CTO``, or
    (``direct``) a title right there: ``a nommé X directrice financière``."""
    words = [t.lower_ for t in doc[k : min(k + 3, sent.end)]]
    intro = next((len(p) for p in _ROLE_INTRO if tuple(words[: len(p)]) == p), 0 if direct else None)
    if intro is None:
        return None
    start = end = k + intro
    while end < sent.end and end - start < 6 and ent_at(ents, end) is None and doc[end].text not in ",;:.()" \
            and (doc[end].is_lower or doc[end].is_upper) and doc[end].pos_ != "VERB":
        end += 1
    while end > start and doc[end - 1].lower_ in ("de", "d'", "d’", "du", "des", "chez", "à", "au"):
        end -= 1
    title = doc[start:end].text
    return title if title and has_role_head(title.split()) else None


def _negated(doc: Doc, i: int, sent: Span) -> bool:
    before = {t.lower_ for t in doc[max(sent.start, i - 3) : i]}
    after = {t.lower_ for t in doc[i + 1 : min(sent.end, i + 3)]}
    return bool(before & {"ne", "n'", "n’"}) or "pas" in after or "jamais" in after


__all__ = ["employment"]
