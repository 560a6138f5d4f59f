"""Names the statistical model sees once: a model or organisation recognised in one place is
recognised at each repetition of its words, and a known model followed by an edition word
(``Le Chat Pro``) is another model."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from kg.nlp.lexicon import MODEL_SUFFIX_WORDS
from kg.nlp.tokens import in_ranges, text_of

ORG, MODEL = "ORG", "AIMODEL"
# "3", "4.5", "70B", "8b", "v2": not a year ("Gemini 2025") nor a long number
_VERSION_OR_SIZE = re.compile(r"v?\d{1,2}(?:\.\d{1,2})?|\d{1,4}(?:[.,]\d)?[BbMmKkTt]")


def repeated_mentions(doc: Doc, kept: list[Span], boiler: list[tuple[int, int]],
                       sources: dict[tuple[int, int], str]) -> list[Span]:
    """One name, one entity throughout the article: an organisation or model recognised once is
    recognised wherever the same words appear again (the parser may tag the second ``Hélium`` an
    adjective)."""
    taken = {i for e in kept for i in range(e.start, e.end)}
    found: list[Span] = []
    names = {e.text: e for e in kept if e.label_ in (ORG, MODEL) and len(e.text) >= 3 and e.text[:1].isupper()}
    text = text_of(doc)
    for name, ent in sorted(names.items()):
        for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text):
            span = doc.char_span(m.start(), m.end(), label=ent.label_, kb_id=ent.kb_id_)
            if span is None or in_ranges(span.start_char, boiler) \
                    or any(i in taken for i in range(span.start, span.end)):
                continue
            found.append(span)
            taken.update(range(span.start, span.end))
            sources.setdefault((span.start_char, span.end_char), sources.get((ent.start_char, ent.end_char), "ner"))
    return found


def with_suffix_words(doc: Doc, span: Span) -> Span:
    """``Le Chat Pro``, ``Gemini Ultra``, ``Mistral Large 3``, ``Llama 3 70B``: a known model followed by
    a capitalised edition word, a version or a size is another model (the KB entry's id does not carry
    over to it)."""
    if span.label_ != MODEL:
        return span
    end = span.end
    while end < len(doc) and ((doc[end].text in MODEL_SUFFIX_WORDS and doc[end].text[:1].isupper())
                              or _VERSION_OR_SIZE.fullmatch(doc[end].text)):
        end += 1
    return span if end == span.end else Span(doc, span.start, end, label=MODEL)
