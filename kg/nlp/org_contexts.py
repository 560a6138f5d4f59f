"""Where an organisation's name begins, by the words around it: after an organisation noun
(``la start-up Nexa``), ``chez``, a title and ``de``; as what someone founded or joined
(``a cofondé Nexa``, ``a rejoint Nexa``); before ``a été fondée par``, ``, fondée par``,
``a nommé X`` and ``, dont X est le PDG``. :class:`kg.nlp.entities.EntityRepair` types the
capitalised names found there as organisations."""

from __future__ import annotations

from spacy.tokens import Doc

from kg.nlp.lexicon import HIRE_FORMS, ORG_NOUNS, ROLE_HEADS
from kg.nlp.tokens import Words, words_of

INSTITUTION_NOUNS = frozenset("clinique hôpital université école institut observatoire fondation centre".split())
ROLE_PREPS = frozenset({"de", "d'", "d’", "du", "chez"})
FOUND_FORMS = frozenset("fondé fondée cofondé cofondée co-fondé co-fondée créé créée".split())
_ORG_PARTICIPLES = FOUND_FORMS | {"dirigée", "basée", "installée"}


def org_context_starts(doc: Doc) -> list[int]:
    """Token positions where an organisation's name begins, by the words before it."""
    words = words_of(doc)
    lowers = words.lowers
    starts = []
    for i, low in enumerate(lowers):
        nxt = i + 1
        if low in ORG_NOUNS or (low == "up" and i >= 2 and lowers[i - 2] == "start"):
            while nxt < len(doc) and doc[nxt].pos_ == "ADJ" and doc[nxt].is_lower:
                nxt += 1  # "le cabinet pékinois Huaxin Insights"
            # "la clinique Loire-Océan", "l'université Paris-Saclay": the noun is part of the name
            starts.append(i if low in INSTITUTION_NOUNS and nxt == i + 1 else nxt)
        elif low == "chez":
            starts.append(nxt)
        elif low in ROLE_PREPS and any(lowers[k] in ROLE_HEADS for k in range(max(0, i - 4), i)):
            if nxt < len(doc) and lowers[nxt] in ("la", "l'", "l’"):
                nxt += 1
            starts.append(nxt)
        elif low in FOUND_FORMS and i >= 1 and lowers[i - 1] in ("ont", "a", "avait", "avaient") and \
                nxt < len(doc) and lowers[nxt] != "par":
            starts.append(nxt)
        elif low in ("fonder", "cofonder", "co-fonder") and i >= 1 and lowers[i - 1] in ("pour", "de", "d'", "d’"):
            starts.append(nxt)  # "a quitté Google pour cofonder Nexa"
        elif low in FOUND_FORMS and i >= 3 and lowers[i - 1] == "été" and nxt < len(doc) and lowers[nxt] == "par":
            starts.append(_capitalised_start(words, doc, i - 3))  # "Nexa a été cofondée par"
        elif low == "," and nxt + 1 < len(doc) and lowers[nxt] in _ORG_PARTICIPLES:
            starts.append(_capitalised_start(words, doc, i - 1))
        elif low == "rejoint" and i >= 1 and lowers[i - 1] in ("a", "avait", "ont"):
            starts.append(nxt)  # "X a rejoint Nexa"
        elif low in HIRE_FORMS and i >= 2 and lowers[i - 1] in ("a", "avait"):
            starts.append(_unless_person(doc, _capitalised_start(words, doc, i - 2)))  # "Nexa a nommé X"
        elif low == "," and nxt + 2 < len(doc) and lowers[nxt] == "dont" and i >= 1 \
                and any(lowers[k] in ("est", "était") for k in range(nxt + 2, min(nxt + 6, len(doc)))):
            starts.append(_unless_person(doc, _capitalised_start(words, doc, i - 1)))  # "Nexa, dont X est le PDG"
    return [start for start in starts if start >= 0]


def _unless_person(doc: Doc, start: int) -> int:
    """``start``, or -1 where the statistical model saw a person (``Jean Dupont a nommé X``): people
    appoint too, so these contexts only settle names the model was unsure of."""
    return -1 if start < len(doc) and doc[start].ent_type_ == "PER" else start


def _capitalised_start(words: Words, doc: Doc, end: int) -> int:
    """Where the run of capitalised words ending at token ``end`` begins (``end + 1`` if there is none),
    without crossing a sentence start."""
    k = end
    while k >= 0 and words.capitalised(k):
        k -= 1
        if doc[k + 1].is_sent_start:
            break
    return k + 1


__all__ = ["INSTITUTION_NOUNS", "org_context_starts"]
