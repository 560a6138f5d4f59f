"""Quotations: where they are, and the statement units they make.

Journalists quote in three styles: « … » (French guillemets), “ … ” (curly English
quotes) and "…" (straight quotes, which open and close with the same mark). A
quotation may run over several sentences; it is then one statement, one claim. This
module finds the quotations of a text as character ranges and groups the parser's
sentences into *units*: a sentence, or the sentences one quotation spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span

OPENING = {"«": "»", "“": "”"}
STRAIGHT = '"'
MIN_QUOTE_WORDS = 3  # « encore balbutiant » is a quoted phrase inside a sentence, not a quotation of its own


@dataclass(frozen=True)
class Quote:
    start: int  # offset of the opening mark
    end: int  # offset just after the closing mark (or the end of the paragraph when it never closes)
    closed: bool

    def words(self, text: str) -> int:
        return len(text[self.start + 1 : self.end - 1].split())


def find_quotes(text: str) -> list[Quote]:
    """Every outermost quotation of ``text``, in order. A quotation never crosses a blank line
    (a new paragraph); an unclosed one ends with its paragraph. Straight quotes pair up within a
    paragraph; quotes nested in another quotation belong to it."""
    quotes: list[Quote] = []
    for para_start, para in _paragraphs(text):
        quotes.extend(_quotes_in(para, para_start))
    return quotes


def _paragraphs(text: str) -> list[tuple[int, str]]:
    out = []
    pos = 0
    for block in text.split("\n"):
        out.append((pos, block))
        pos += len(block) + 1
    return out


def _quotes_in(para: str, offset: int) -> list[Quote]:
    out: list[Quote] = []
    i = 0
    while i < len(para):
        ch = para[i]
        if ch in OPENING:
            end = _closing(para, i, ch, OPENING[ch])
            out.append(Quote(offset + i, offset + (end + 1 if end >= 0 else len(para)), end >= 0))
            i = end + 1 if end >= 0 else len(para)
        elif ch == STRAIGHT:
            end = para.find(STRAIGHT, i + 1)
            if end < 0:
                i += 1  # a lone straight quote (inches, a typo): no quotation
                continue
            out.append(Quote(offset + i, offset + end + 1, True))
            i = end + 1
        else:
            i += 1
    return out


def _closing(para: str, start: int, opening: str, closing: str) -> int:
    depth = 0
    for k in range(start, len(para)):
        if para[k] == opening:
            depth += 1
        elif para[k] == closing:
            depth -= 1
            if depth == 0:
                return k
    return -1



def units(sentences: Sequence[Span], quotes: Sequence[Quote]) -> list[list[Span]]:
    """The sentences grouped into statement units: a quotation that runs over several sentences
    of one paragraph makes one unit with them; every other sentence is a unit of its own."""
    out: list[list[Span]] = []
    k = 0
    while k < len(sentences):
        group = [sentences[k]]
        q = _quote_open_at_end(sentences[k], quotes)
        while q is not None and k + 1 < len(sentences) and sentences[k + 1].start_char < q.end:
            k += 1
            group.append(sentences[k])
            if sentences[k].end_char >= q.end:  # this quotation closes here; another may open
                q = _quote_open_at_end(sentences[k], quotes)
        out.append(group)
        k += 1
    return out


def _quote_open_at_end(sent: Span, quotes: Sequence[Quote]) -> Quote | None:
    """A quotation that opens in ``sent`` (or before it) and closes after it ends."""
    for q in quotes:
        if q.start < sent.end_char <= q.end - 1 and q.start >= sent.start_char - 1 and q.closed:
            return q
    return None


def quotes_in(span_start: int, span_end: int, quotes: Sequence[Quote]) -> list[Quote]:
    return [q for q in quotes if span_start <= q.start and q.end <= span_end + 1]


__all__ = ["MIN_QUOTE_WORDS", "Quote", "find_quotes", "quotes_in", "units"]
