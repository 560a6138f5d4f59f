"""What the relation rules share: the record they return and small readers of a sentence's tokens
and entity spans."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.nlp.lexicon import DETERMINERS, FOUNDER_HEADS, MONTHS, ORG_NOUNS, ROLE_HEADS

PREPOSITIONS_OF = frozenset({"de", "d'", "d’", "du", "chez"})
COORD_WORDS = frozenset({",", "et"})


@dataclass(frozen=True)
class Found:
    """One relation between two entity spans."""

    subject: Span
    predicate: str  # worksFor | founder | creator, direction as in the graph
    object: Span
    role: str | None
    rule: str
    confidence: float


def label(ent: Span) -> str:
    return ent.label_

def ent_at(ents: list[Span], i: int) -> Span | None:
    for ent in ents:
        if ent.start == i:
            return ent
    return None


def token_before(doc: Doc, i: int, sent: Span) -> Token | None:
    return doc[i - 1] if i - 1 >= sent.start else None


def last_ent_before(ents: list[Span], i: int, wanted: str) -> Span | None:
    found = [e for e in ents if e.end <= i and label(e) == wanted]
    return found[-1] if found else None


def first_ent_after(ents: list[Span], i: int, wanted: str, limit: int = 6,
                     stop_at: tuple[str, ...] = ()) -> Span | None:
    for ent in ents:
        if ent.start <= i:
            continue
        if ent.start - i > limit:
            return None
        if label(ent) == wanted:
            return ent
        if label(ent) in stop_at:
            return None
    return None


def role_word(word: str) -> bool:
    return word in ROLE_HEADS or (word.endswith(("s", "x")) and word[:-1] in ROLE_HEADS)

def has_role_head(words: list[str]) -> bool:
    return any(role_word(w.lower()) for w in words)

def singular(title: str) -> str:
    words = title.split()
    out = []
    for w in words:
        low = w.lower()
        if low.endswith(("s", "x")) and low[:-1] in ROLE_HEADS:
            w = w[:-1]
        out.append(w)
    return " ".join(out)

def join_elisions(words: list[str]) -> list[str]:
    """``d'`` + ``IA`` -> ``d'IA`` (the title as written)."""
    out: list[str] = []
    for w in words:
        if out and out[-1].endswith(("'", "’")):
            out[-1] += w
        else:
            out.append(w)
    return out




PAST_MARKERS = frozenset({"ancien", "ancienne", "anciens", "anciennes", "ex", "ex-", "feu", "premier", "première"})


def role_facts(person: Span, org: Span, title: str, plural: bool, rule: str, conf: float) -> Iterator[Found]:
    """A title gives a role; a founder's title gives a founder, and a role only if it names
    another office too (``cofondateur et PDG``): a cofounder may have left long ago.
    A former office (``l'ancien patron de Google``) gives no current role."""
    role = singular(title) if plural else title
    if any(w.lower().rstrip("-") in PAST_MARKERS or w.lower().startswith("ex-") for w in role.split()):
        return
    words = [w.lower() for w in role.replace("-", " - ").split()]
    founder = any(w in FOUNDER_HEADS or w.replace(" - ", "-") in FOUNDER_HEADS for w in words)
    other_office = any(role_word(w) and w not in FOUNDER_HEADS and w not in ("membre",) for w in words)
    if other_office or not founder:
        yield Found(person, "worksFor", org, role, rule, conf)
    if founder:
        yield Found(org, "founder", person, None, rule + "-founder", conf)


def date_end(doc: Doc, k: int, end: int) -> int:
    """The end of ``depuis 2022`` / ``depuis mars 2024`` / ``en 2019`` starting at ``k``, else ``k``."""
    if k >= end or doc[k].lower_ not in ("depuis", "en", "dès"):
        return k
    j = k + 1
    while j < end and j - k <= 3 and (doc[j].like_num or doc[j].lower_ in MONTHS):
        j += 1
    return j if j > k + 1 else k


def org_after_preposition(doc: Doc, ents: list[Span], k: int, sent: Span) -> Span | None:
    """The organisation right after ``de``/``chez``/``au``, allowing ``la``, an organisation noun
    and an adjective in between: ``de la Commission``, ``de l'allemand Aleph Alpha``,
    ``au cabinet pékinois Huaxin Insights``."""
    for _ in range(4):
        org = ent_at(ents, k)
        if org is not None:
            return org if label(org) == "ORG" else None
        if k >= sent.end:
            return None
        t = doc[k]
        if t.lower_ == "start" and k + 2 < sent.end and doc[k + 2].lower_ == "up":
            k += 3  # the tokenizer cuts "start-up" in three
            continue
        if t.lower_ in ("la", "l'", "l’", "le", "sa", "son", "leur") or t.lower_ in ORG_NOUNS \
                or (t.pos_ in ("ADJ", "NOUN") and t.is_lower):
            k += 1
            continue
        return None
    return None


DEFINITE = frozenset({"la", "le", "l'", "l’", "cette", "ce", "cet"})


def org_noun(token: Token) -> str | None:
    """The organisation noun ``token`` heads after a definite determiner (``la société``, ``la
    start-up``, which the tokenizer cuts in three, ``la jeune pousse``), or None."""
    doc = token.doc
    word, first = token.lower_, token
    if word == "start" and token.i + 2 < len(doc) and doc[token.i + 2].lower_ == "up":
        word = "start-up"
    elif word == "pousse" and token.i > 0 and doc[token.i - 1].lower_ == "jeune":
        word, first = "jeune pousse", doc[token.i - 1]
    det = doc[first.i - 1].lower_ if first.i > 0 else ""
    return word if word in ORG_NOUNS and det in DEFINITE else None


def opening_name(sent: Span, ents: list[Span], labels: tuple[str, ...], stop: int,
                 also: Callable[[Token], bool] = lambda token: False, after_determiner: bool = False) -> Span | None:
    """The name that opens the sentence as its subject, before token ``stop``: ``Nvidia a…``, ``Le
    groupe américain Nvidia, …``, ``La start-up Mistral AI …`` (``also`` lets other words, such as
    titles, stand before the name; ``after_determiner`` requires the sentence to open with one)."""
    doc = sent.doc
    k = sent.start
    if after_determiner and (k >= stop or doc[k].lower_ not in DETERMINERS):
        return None
    while k < stop and k - sent.start < 6 and ent_at(ents, k) is None and (
            doc[k].lower_ in DETERMINERS or doc[k].lower_ in ORG_NOUNS or doc[k].lower_ in ("start", "-", "up", "jeune")
            or also(doc[k]) or (doc[k].pos_ == "ADJ" and doc[k].is_lower)):
        k += 1
    ent = ent_at(ents, k)
    return ent if ent is not None and label(ent) in labels and ent.end <= stop else None
