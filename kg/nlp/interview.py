"""Page layouts that name a speaker once for many statements: interviews and pull quotes.

* An interview (``ENTRETIEN``, ``INTERVIEW``, or answers introduced by ``NOM. -``) gives
  every sentence of an answer to the interviewee; the interviewer's questions (a line that
  ends with ``?`` or opens with the outlet's name, ``LE FIGARO. -``) are nobody's claims.
* A pull quote is a quoted line followed by a line that only names its speaker
  (``Clément Delangue, CEO de Hugging Face`` or ``— Arthur Mensch``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Span

from kg.nlp.grammar import has_role_head

# "Marie-Laure DENIS. - Notre volonté…", "Arthur Mensch : Nous…", "— Yann LeCun. –"
ANSWER_LEAD_RE = re.compile(r"^\s*[—–-]?\s*(?P<name>[^\W\d][\w'’. -]{2,60}?)\s*(?:\.\s*[-–—]|\s[-–—]|\s?:)\s+\S")
QUESTION_LEAD_RE = re.compile(r"^\s*(?:[A-ZÉÈÀ'’. ]{3,40}\.\s*[-–—]|Q\s*[.:-]|Question\s*:)")
INTERVIEW_RE = re.compile(r"\b(?:ENTRETIEN|INTERVIEW|Propos recueillis par)\b")
# A headline that announces one: "Entretien avec Arthur Mensch", "Interview de …", "[Entretien] …".
INTERVIEW_HEADLINE_RE = re.compile(r"^\W*(?:entretien|interview)\b(?! d['’]embauche)", re.IGNORECASE)


def lines_of(sentences: Sequence[Span]) -> list[list[Span]]:
    """Group sentences into the text lines (paragraphs) they belong to."""
    lines: list[list[Span]] = []
    for sent in sentences:
        doc = sent.doc
        starts_line = sent.start == 0 or "\n" in doc[sent.start - 1].text_with_ws or doc[sent.start - 1].is_space
        if starts_line or not lines:
            lines.append([sent])
        else:
            lines[-1].append(sent)
    return lines


def interview_answers(doc: Doc, sentences: Sequence[Span], ents_of: dict[int, list[Span]]) -> dict[int, Span]:
    """The interviewee of every answer sentence (by sentence start): from a paragraph that opens
    with a person's name and a dash or colon, through the paragraphs after it, to the next question."""
    lines = lines_of(sentences)
    answers: dict[int, Span] = {}
    speaker: Span | None = None
    interview = is_interview(doc)
    # with no "NOM. -" before the answers, they are the interviewee's named in the headline
    headline = _headline_person(lines, ents_of) if interview else None
    for line in lines:
        if _is_question(line):  # the interviewer's; the answers after it are still the interviewee's
            interview = interview or bool(QUESTION_LEAD_RE.match(_line_text(line)))
            speaker = speaker or headline
            continue
        lead = _answer_lead(line, ents_of) if interview else None  # "X - Publié le…" is a byline
        if lead is not None:
            speaker = lead
        if speaker is None:
            continue
        if attribution_speaker(line, ents_of) is not None:
            continue  # the line that names a pull quote's speaker
        for sent in line:
            if lead is not None and sent.end <= lead.end + 2:
                continue  # "Marie-Laure DENIS." alone: the name that opens the answer
            answers[sent.start] = speaker
    return answers


def _headline_person(lines: list[list[Span]], ents_of: dict[int, list[Span]]) -> Span | None:
    """The person the headline (or, failing it, the standfirst) names, not the journalist of
    ``Propos recueillis par X``."""
    for line in lines[:2]:
        for sent in line:
            for ent in ents_of.get(sent.start, []):
                before = sent.doc[max(sent.start, ent.start - 3) : ent.start].text.lower()
                if ent.label_ == "PER" and "par" not in before.split():
                    return ent
    return None


def _line_text(line: list[Span]) -> str:
    doc = line[0].doc
    return doc.text[line[0].start_char : line[-1].end_char]


def _is_question(line: list[Span]) -> bool:
    text = _line_text(line).strip()
    return text.endswith("?") or bool(QUESTION_LEAD_RE.match(text))


def _answer_lead(line: list[Span], ents_of: dict[int, list[Span]]) -> Span | None:
    first = line[0]
    text = _line_text(line)
    m = ANSWER_LEAD_RE.match(text)
    if m is None:
        return None
    if ":" in text[m.start("name") : m.end() + 1] and any(q in text for q in ("«", "“", '"')):
        return None  # "X : « … »" is one quotation (the colon construction), not the start of the answers
    people = [e for s in line for e in ents_of.get(s.start, []) if e.label_ == "PER"]
    name_end = first.start_char + m.end("name")
    for person in people:
        if person.start_char - first.start_char <= 2 and person.end_char <= name_end + 1:
            rest = first.doc.text[person.end_char : name_end].strip(" .")
            if not rest or rest.isupper() or len(rest.split()) <= 1:
                return person  # "Marie-Laure DENIS": the parser may tag only part of a capitalised name
    return None


def is_interview(doc: Doc) -> bool:
    return bool(INTERVIEW_RE.search(doc.text[:3000]) or INTERVIEW_HEADLINE_RE.match(doc.text[:200]))


def attribution_speaker(line: list[Span], ents_of: dict[int, list[Span]]) -> Span | None:
    """The person a line only names: ``Clément Delangue, CEO de Hugging Face`` or
    ``— Arthur Mensch``; not a heading such as ``Suleyman à la manœuvre``."""
    if len(line) != 1:
        return None
    first = line[0]
    ents = [e for e in ents_of.get(first.start, []) if e.label_ == "PER"]
    if not ents or len(first.text) > 120 or any(t.pos_ in ("VERB", "AUX") for t in first):
        return None
    person = ents[0]
    if len(person) < 2 and len(first) <= len(person) + 1:
        return None  # a lone given name is a byline ("Henriette"), not a speaker's attribution
    lead = first.doc[first.start : person.start]
    if any(not (t.is_punct or t.is_space) for t in lead):
        return None
    rest = first.doc[person.end : first.end]
    if len(rest) and rest[0].text not in (",", "(", "—", "–", "-", ":"):
        return None
    if len(rest) and rest[0].text == ":" and len(rest) > 2:
        return None  # "X : « … »" is a statement, not a name line
    words = [t.text for t in rest if not (t.is_punct or t.is_space) and not t.ent_type_]
    if words and not has_role_head(words):
        return None  # "Arthur Mensch, 32 ans, dirige Mistral AI." tells something: a sentence, not a name line
    return person


def pull_quote_speakers(doc: Doc, sentences: Sequence[Span], ents_of: dict[int, list[Span]]) -> dict[int, Span]:
    """A quoted line followed by a line that only names its speaker (``Clément Delangue, CEO de …``)."""
    lines = lines_of(sentences)
    result: dict[int, Span] = {}
    for idx in range(len(lines) - 1):
        person = attribution_speaker(lines[idx + 1], ents_of)
        if person is None:
            continue
        quote = lines[idx]
        if not any(s.text.rstrip().endswith((".", "!", "?", "»", "”", '"')) for s in quote) \
                and not _ends_a_paragraph(quote[-1]):
            continue
        if attribution_speaker(quote, ents_of) is not None:
            continue
        for sent in quote:
            result[sent.start] = person
    return result



def _ends_a_paragraph(sent: Span) -> bool:
    doc = sent.doc
    return sent.end >= len(doc) or "\n\n" in doc[sent.end - 1 : min(sent.end + 2, len(doc))].text_with_ws


def attribution_lines(sentences: Sequence[Span], ents_of: dict[int, list[Span]]) -> set[int]:
    """Sentences that only name the speaker of the line above: not claims themselves."""
    lines = lines_of(sentences)
    return {lines[idx][0].start for idx in range(1, len(lines)) if attribution_speaker(lines[idx], ents_of)}


__all__ = ["attribution_lines", "attribution_speaker", "interview_answers", "lines_of", "pull_quote_speakers"]
