"""What the relation rules share: the record they return and small readers of a sentence's tokens
and entity spans."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.nlp.lexicon import ROLE_HEADS

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


