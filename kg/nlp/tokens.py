"""Finding the few tokens a rule looks at without visiting every token of every sentence.

Rules that start from a word (a reporting verb, "fondé", "lance") used to loop over all
tokens of each sentence, creating a ``Token`` object per step; that loop was the largest
cost of converting a document. :func:`word_positions` finds the candidates once per
document from arrays of string ids, and :func:`positions_in` gives those of one sentence.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Sequence

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.tokens import Doc, Span

_CACHE_KEY = "newskg_word_positions"


def word_positions(doc: Doc, forms: Collection[str], lemmas: Collection[str]) -> list[int]:
    """Sorted indices of the tokens whose lowercase form is in ``forms`` or whose lowercased
    lemma is in ``lemmas``; computed once per document and word lists (cached on the doc)."""
    cache = doc.user_data.setdefault(_CACHE_KEY, {})
    key = (id(forms), id(lemmas))
    found = cache.get(key)
    if found is None:
        found = cache[key] = _positions(doc, forms, lemmas)
    return found


def _positions(doc: Doc, forms: Collection[str], lemmas: Collection[str]) -> list[int]:
    if not len(doc):
        return []
    strings = doc.vocab.strings
    ids = doc.to_array([LOWER, LEMMA])
    form_ids = [h for h in numpy.unique(ids[:, 0]).tolist() if strings[h] in forms]
    lemma_ids = [h for h in numpy.unique(ids[:, 1]).tolist() if strings[h].lower() in lemmas]
    hits = numpy.isin(ids[:, 0], form_ids) | numpy.isin(ids[:, 1], lemma_ids)
    return numpy.flatnonzero(hits).tolist()


def positions_in(positions: Sequence[int], span: Span) -> Sequence[int]:
    """The positions inside ``span``."""
    return positions[bisect.bisect_left(positions, span.start):bisect.bisect_left(positions, span.end)]


class Words:
    """Plain lists of one document's token texts, read once (``doc[i]`` makes a new object
    each time it is called). Cached on the doc by :func:`words_of`."""

    __slots__ = ("_runs", "alpha", "lowers", "texts")

    def __init__(self, doc: Doc) -> None:
        self.texts = [t.text for t in doc]
        self.lowers = [t.lower() for t in self.texts]
        self.alpha = [t.isalpha() for t in self.texts]
        self._runs: list[int] | None = None

    def capitalised(self, i: int) -> bool:
        return self.texts[i][:1].isupper()

    def run_ends(self) -> list[int]:
        """``ends[i]``: where a run of capitalised words (joined by ``&`` or ``-`` between two
        of them) that continues at ``i`` ends; ``ends[n] == n``."""
        if self._runs is None:
            texts, n = self.texts, len(self.texts)
            ends = [n] * (n + 1)
            for k in range(n - 1, -1, -1):
                text = texts[k]
                upper = text[:1].isupper() and (self.alpha[k] or "-" in text)
                joiner = text in ("&", "-") and k + 1 < n and texts[k + 1][:1].isupper()
                ends[k] = ends[k + 1] if upper or joiner else k
            self._runs = ends
        return self._runs


def words_of(doc: Doc) -> Words:
    words = doc.user_data.get(_WORDS_KEY)
    if words is None or len(words.texts) != len(doc):  # a retokenised doc gets a fresh view
        words = doc.user_data[_WORDS_KEY] = Words(doc)
    return words


_WORDS_KEY = "newskg_words"


def text_of(doc: Doc) -> str:
    """``doc.text``, read once per document (spaCy joins every token's text on each read)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


_TEXT_KEY = "newskg_text"


def in_ranges(start: int, ranges: Iterable[tuple[int, int]]) -> bool:
    """Whether the offset ``start`` falls in one of ``ranges`` (half-open character ranges)."""
    return any(a <= start < b for a, b in ranges)
