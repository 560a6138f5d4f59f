"""Founders: ``fondée par X et Y``, ``X a cofondé Y avec Z``, ``X, qui a fondé Y``."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

from kg.nlp.grammar import (
    COORD_WORDS,
    Found,
    ent_at,
    first_ent_after,
    label,
    last_ent_before,
    opening_name,
)
from kg.nlp.tokens import positions_in, word_positions

FOUND_LEMMAS = frozenset({"fonder", "cofonder", "co-fonder"})
FOUND_FORMS = frozenset("fondé fondée fondés fondées cofondé cofondée cofondés cofondées co-fondé co-fondée".split())


def founders(sent: Span, ents: list[Span]) -> Iterator[Found]:
    doc = sent.doc
    for i in positions_in(word_positions(doc, FOUND_FORMS, FOUND_LEMMAS), sent):
        token = doc[i]  # its lemma is in FOUND_LEMMAS or its form in FOUND_FORMS
        nxt = doc[token.i + 1] if token.i + 1 < sent.end else None
        if (nxt is not None and nxt.lower_ == "par") or _par_follows(doc, token, sent):
            org = last_ent_before(ents, token.i, "ORG")
            people = coordination_after(doc, ents, _index_after_par(doc, token, sent), sent)
            if org is not None:
                for person in people:
                    yield Found(org, "founder", person, None, "org-founded-by", 0.85)
            continue
        org = first_ent_after(ents, token.i, "ORG", limit=4) or _object_org(doc, ents, token.i + 1, sent)
        if org is None:
            continue
        founders = _coordination_before(doc, ents, token.i, sent) or _subject_of_infinitive(doc, ents, token, sent)
        for person in founders:
            yield Found(org, "founder", person, None, "people-founded-org", 0.85)
        if founders:  # "X a cofondé Y en 2010 avec Z et W"
            k = org.end
            while k < sent.end and k - org.end < 5 and doc[k].lower_ != "avec" and doc[k].text not in (",", ";"):
                k += 1
            if k < sent.end and doc[k].lower_ == "avec":
                k += 1  # "avec deux compatriotes, X, …, et Y": a short noun phrase may announce them
                j = k
                while j < sent.end and j - k < 4 and (doc[j].pos_ in ("NUM", "NOUN", "ADJ", "DET") or doc[j].like_num):
                    j += 1
                if j > k and j < sent.end and doc[j].text in (",", ":"):
                    k = j + 1
                for person in coordination_after(doc, ents, k, sent):
                    yield Found(org, "founder", person, None, "people-founded-org-with", 0.8)


def _subject_of_infinitive(doc: Doc, ents: list[Span], token: Token, sent: Span) -> list[Span]:
    """``X, qui a quitté Google pour cofonder Y``: the infinitive's founder is the person who opens
    the sentence."""
    if token.i - 1 < sent.start or doc[token.i - 1].lower_ != "pour" or not token.lower_.endswith("er"):
        return []
    person = opening_name(sent, ents, ("PER",), token.i)
    return [person] if person is not None else []


def _object_org(doc: Doc, ents: list[Span], k: int, sent: Span) -> Span | None:
    """``a cofondé en 2023 la start-up Lumen``: a date, a determiner and an organisation noun may
    come between the verb and the organisation it founded."""
    from kg.nlp.lexicon import DETERMINERS, ORG_NOUNS

    for j in range(k, min(k + 9, sent.end)):
        ent = ent_at(ents, j)
        if ent is not None:
            return ent if label(ent) == "ORG" else None
        t = doc[j]
        if not (t.lower_ in ("en", "dès", "début", "fin", "mi", "-", "start", "up", "jeune") or t.like_num
                or t.lower_ in DETERMINERS or t.lower_ in ORG_NOUNS or (t.pos_ == "ADJ" and t.is_lower)):
            return None
    return None


def _par_follows(doc: Doc, token: Token, sent: Span) -> bool:
    """``fondée en 2016 par`` — a short adverbial may sit between the participle and ``par``."""
    for k in range(token.i + 1, min(token.i + 6, sent.end)):
        if doc[k].lower_ == "par":
            return True
        if doc[k].text in (",", ";") or doc[k].pos_ == "VERB":
            return False
    return False


def _index_after_par(doc: Doc, token: Token, sent: Span) -> int:
    for k in range(token.i + 1, min(token.i + 6, sent.end)):
        if doc[k].lower_ == "par":
            return skip_group_words(doc, k + 1, sent)
    return token.i + 1


GROUP_WORDS = frozenset("un une groupe équipe poignée trio duo comprenant dont notamment parmi lesquels "
                        "lesquelles composé composée de d' d’ du des chercheurs chercheuses ingénieurs ingénieures "
                        "anciens anciennes compatriotes amis entrepreneurs scientifiques experts deux trois quatre "
                        "cinq six plusieurs salariés employés".split())


def skip_group_words(doc: Doc, k: int, sent: Span) -> int:
    """``fondée par un groupe comprenant X``, ``par deux anciens de DeepMind, X et Y``: the founders
    are named after a few group words (which may name where they come from)."""
    j = k
    while j < sent.end and j - k < 10:
        t = doc[j]
        if t.ent_type_ == "PER":
            return j
        if t.text in (",", ":") and j > k and j + 1 < sent.end and doc[j + 1].ent_type_ == "PER":
            return j + 1
        if t.text == "," and j > k and j + 1 < sent.end and doc[j + 1].lower_ in GROUP_WORDS:
            j += 1  # "par plusieurs anciens salariés d'OpenAI, parmi lesquels X et Y"
            continue
        came_from = j > k and t.ent_type_ in ("ORG", "LOC", "MISC")  # "anciens de DeepMind"
        if not (t.lower_ in GROUP_WORDS or t.like_num or came_from) or (j == k and t.ent_type_):
            break
        j += 1
    return k


def coordination_after(doc: Doc, ents: list[Span], i: int, sent: Span) -> list[Span]:
    """``X, Y et Z``, also with short appositions: ``X, médecin urgentiste, et Y, ingénieur``."""
    people = []
    while i < sent.end:
        if doc[i].lower_ in ("sa", "son", "leur") and i + 2 < sent.end and doc[i + 1].pos_ == "NOUN":
            i += 2  # "X et sa sœur Daniela", "son associé Y"
        ent = ent_at(ents, i)
        if ent is None or label(ent) != "PER":
            break
        people.append(ent)
        i = skip_apposition(doc, ent.end, sent)
        if i < sent.end and doc[i].text in COORD_WORDS:
            i += 1
            if i < sent.end and doc[i].lower_ == "et":
                i += 1
        else:
            break
    return people


def skip_apposition(doc: Doc, i: int, sent: Span) -> int:
    """After a name, skip ``, médecin urgentiste`` (lower-case words up to the next comma or ``et``)."""
    if i + 1 >= sent.end or doc[i].text != "," or not doc[i + 1].is_lower or doc[i + 1].lower_ == "et":
        return i
    k = i + 1
    described = doc[k].lower_ in ("l'un", "l'une", "l’un", "l’une", "un", "une", "le", "la", "l'", "l’")
    while k < sent.end and k - i <= (14 if described else 8) and doc[k].text != "," and doc[k].lower_ != "et" \
            and (described or not doc[k].ent_type_):
        if doc[k].pos_ == "VERB":
            return i
        k += 1
    # "X, l'un des créateurs du modèle Llama de Meta, et Y": a described apposition may name things
    return k if k < sent.end and (doc[k].text == "," or doc[k].lower_ == "et") else i


def _coordination_before(doc: Doc, ents: list[Span], verb_i: int, sent: Span) -> list[Span]:
    """The last group ``X, Y et Z`` of people before the verb, with no other name in between."""
    before = [e for e in ents if e.end <= verb_i]
    if before and label(before[-1]) != "PER":
        before = past_apposition(doc, before, verb_i, sent)
    if not before or label(before[-1]) != "PER":
        return []
    group = [before[-1]]
    for ent in reversed(before[:-1]):
        between = doc[ent.end : group[0].start]
        if label(ent) == "PER" and all(t.text in COORD_WORDS for t in between):
            group.insert(0, ent)
        else:
            break
    return group


def past_apposition(doc: Doc, before: list[Span], verb_i: int, sent: Span) -> list[Span]:
    """``X, ancienne directrice technique d'OpenAI, a fondé Y``: the names before the apposition that
    stands between the subject and the verb (an apposition names no founder)."""
    k = verb_i - 1
    while k > sent.start and doc[k].lower_ in ("a", "ont", "avait", "avaient", "aurait"):
        k -= 1
    if doc[k].text != ",":
        return before
    for person in reversed([e for e in before if label(e) == "PER"]):
        inside = doc[person.end : k]
        if person.end < k and inside[0].text == "," and len(inside) <= 14 \
                and not any(t.pos_ == "VERB" or t.text in (";", ":") for t in inside):
            return [e for e in before if e.end <= person.end]
    return before
