"""Long texts analysed in pieces, their offsets mapped back to the whole text.

spaCy refuses a text over ``nlp.max_length`` (a million characters), and its parser and
NER need about 1 GB of temporary memory per 100,000 characters analysed together. So a
text longer than a piece is cut into pieces: at a paragraph break (a blank line), else
at a sentence end or a line break (the pipeline never lets a sentence cross a line
break), and only when one sentence is itself longer than a piece, inside it (at a space,
or anywhere if there is none): :func:`cut` says so (``Piece.forced``), and the build warns.

Each piece is analysed as a document of its own, and pieces go through spaCy in batches
of at most :data:`BATCH_PIECES` pieces' worth of characters, so peak memory depends on
the piece size, not on the article's length. The plain records of the pieces are then
merged into one :class:`~kg.records.NlpResult` for the whole article, every
:class:`~kg.records.TextSpan` shifted by its piece's start, so evidence indexes the
original text exactly and the article is resolved as one (one article node, the same
IRIs). Relations and claims are only ever found within a sentence, and a cut is never
inside a sentence except where ``forced``: nothing is built across a cut.

Articles no longer than a piece are analysed exactly as before, whole, in batches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kg.records import Document, Mention, NlpResult, RawClaim, RawModelFact, RawRelation, TextSpan

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Characters a piece (default). 50k keeps the parser's temporary memory around 0.5 GB a
# piece, about the size of the model itself; pieces are far larger than any sentence.
PIECE_CHARS = 50_000
# Articles longer than this are refused by `kg build` unless --max-chars says otherwise: in
# pieces, memory stays flat at any length, but time does not (see benchmarks/bench_long.py).
MAX_CHARS = 2_000_000
# A batch of pieces holds at most this many pieces' worth of characters: normal articles
# (a few thousand characters) still go through spaCy by the batch size, long ones two pieces at a time.
BATCH_PIECES = 2

_PARAGRAPH = re.compile(r"\n[^\S\n]*\n\s*")  # a blank line, and the blank space after it
# The end of a sentence (final punctuation, closing quotes or brackets, then a space), or a line break.
_SENTENCE = re.compile(r"[.!?…]+[»”\"')\]]*\s+|\n\s*")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Piece:
    """``text[start:end]``; ``forced``: the cut at ``end`` is inside a sentence (it was longer than a piece)."""

    start: int
    end: int
    forced: bool = False


def cut(text: str, size: int = PIECE_CHARS) -> list[Piece]:
    """Cut ``text`` into pieces of at most ``size`` characters, at the best boundary in each window."""
    if size < 1:
        raise ValueError(f"piece size must be positive, not {size}")
    pieces: list[Piece] = []
    start = 0
    while len(text) - start > size:
        end, forced = _cut_point(text, start, start + size)
        pieces.append(Piece(start, end, forced))
        start = end
    pieces.append(Piece(start, len(text)))
    return pieces


def _cut_point(text: str, start: int, limit: int) -> tuple[int, bool]:
    """Where to end the piece starting at ``start``: the last boundary ending by ``limit``."""
    for pattern in (_PARAGRAPH, _SENTENCE):
        end = _last_end(pattern, text, start, limit)
        if end is not None:
            return end, False
    end = _last_end(_SPACE, text, start, limit)
    return (end if end is not None else limit), True


def _last_end(pattern: re.Pattern[str], text: str, start: int, limit: int) -> int | None:
    """The end of the last match within ``text[start:limit]`` that leaves something before it."""
    last = None
    for match in pattern.finditer(text, start, limit):
        if match.end() > start and match.start() > start:
            last = match.end()
    return last


def forced_cuts(text: str, size: int = PIECE_CHARS) -> int:
    """How many cuts of ``text`` fall inside a sentence (0 for a text no longer than a piece)."""
    return 0 if len(text) <= size else sum(p.forced for p in cut(text, size))


Convert = Callable[["Doc", Document], NlpResult]


def analyse_in_pieces(nlp: Language, documents: Iterable[Document], batch_size: int, piece_chars: int,
                      convert: Convert) -> Iterator[NlpResult]:
    """One :class:`NlpResult` per document, in order; long documents are analysed in pieces."""
    nlp.max_length = max(nlp.max_length, piece_chars)  # a piece size the user chose over spaCy's default
    units = ((document, piece) for document in documents for piece in cut(document.text, piece_chars))
    parts: list[tuple[int, NlpResult]] = []
    for batch in _batches(units, batch_size, BATCH_PIECES * piece_chars):
        pairs = [(document.text[p.start : p.end], (document, p)) for document, p in batch]
        for doc, (document, piece) in nlp.pipe(pairs, as_tuples=True, batch_size=len(pairs)):
            if piece.start == 0 and piece.end == len(document.text):  # a whole document: as ever
                yield convert(doc, document)
                continue
            parts.append((piece.start, convert(doc, replace(document, text=doc.text))))
            if piece.end == len(document.text):
                yield merge(document, parts)
                parts = []


def _batches(units: Iterable[tuple[Document, Piece]], size: int,
             max_chars: int) -> Iterator[list[tuple[Document, Piece]]]:
    """At most ``size`` pieces and (past the first) ``max_chars`` characters a batch."""
    batch: list[tuple[Document, Piece]] = []
    chars = 0
    for unit in units:
        length = unit[1].end - unit[1].start
        if batch and (len(batch) >= size or chars + length > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(unit)
        chars += length
    if batch:
        yield batch


def merge(document: Document, parts: Iterable[tuple[int, NlpResult]]) -> NlpResult:
    """The records of a document's pieces as one result, every span shifted by its piece's start."""
    mentions: list[Mention] = []
    relations: list[RawRelation] = []
    claims: list[RawClaim] = []
    facts: list[RawModelFact] = []
    for start, result in parts:
        shift = _Shift(start)
        mentions.extend(shift.mention(m) for m in result.mentions)
        relations.extend(shift.relation(r) for r in result.relations)
        claims.extend(shift.claim(c) for c in result.claims)
        facts.extend(shift.fact(f) for f in result.model_facts)
    return NlpResult(document, tuple(mentions), tuple(relations), tuple(claims), tuple(facts))


class _Shift:
    """Moves one piece's records to the whole text's offsets; a mention maps to one shifted object."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self._mentions: dict[Mention, Mention] = {}

    def span(self, span: TextSpan) -> TextSpan:
        return TextSpan(span.start + self.offset, span.end + self.offset)

    def mention(self, m: Mention) -> Mention:
        if m not in self._mentions:
            self._mentions[m] = replace(m, span=self.span(m.span), sentence=self.span(m.sentence))
        return self._mentions[m]

    def relation(self, r: RawRelation) -> RawRelation:
        return replace(r, subject=self.mention(r.subject), object=self.mention(r.object),
                       evidence=self.span(r.evidence))

    def claim(self, c: RawClaim) -> RawClaim:
        return replace(c, speaker=self.mention(c.speaker), evidence=self.span(c.evidence),
                       about=tuple(self.mention(a) for a in c.about),
                       reported_by=self.mention(c.reported_by) if c.reported_by is not None else None)

    def fact(self, f: RawModelFact) -> RawModelFact:
        return replace(f, model=self.mention(f.model), evidence=self.span(f.evidence))


__all__ = ["BATCH_PIECES", "MAX_CHARS", "PIECE_CHARS", "Piece", "analyse_in_pieces", "cut", "forced_cuts", "merge"]
