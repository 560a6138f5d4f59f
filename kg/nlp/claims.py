"""Claims: statements attributed to a named speaker, with a stance.

Quotation first. The text is cut into statement units (a sentence, or the sentences one
quotation spans, see :mod:`kg.nlp.quotes`); each unit is a candidate, and the first
construction that names its speaker wins, in this order of confidence:

1. a pull quote: a quoted line followed by a line that only names its speaker;
2. an interview answer: the paragraph after ``NOM. -`` and those that follow it, up to
   the next question;
3. a source marker or a reporting cue (:mod:`kg.nlp.attribution`): ``selon X``, an
   incise ``« … », estime X``, the subject of ``a déclaré``;
4. a colon: ``X : « … »``;
5. continuation: a quotation with no cue of its own, in the paragraph of the previous
   claim or the one after it, is its speaker's.

The construction is kept on the claim (``attribution``) so that users can filter on it
and a wrong attribution can be diagnosed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.nlp.attribution import SPEAKER_LABELS, marker_speakers, passive_agent, speakers_for
from kg.nlp.coref import Salience
from kg.nlp.interview import attribution_lines, interview_answers, lines_of, pull_quote_speakers
from kg.nlp.quotes import MIN_QUOTE_WORDS, Quote, quotes_in, units
from kg.nlp.speech import cue_text, cue_token, cue_tokens, speech_candidates, speech_lemma
from kg.nlp.stance import classify_stance

CONFIDENCE = {"pull quote": 0.8, "interview": 0.75, "marker": 0.75, "incise": 0.8, "subject": 0.75,
              "pronoun": 0.65, "title": 0.65, "organisation": 0.6, "colon": 0.75, "continuation": 0.6,
              "agent": 0.7, "next sentence": 0.7}
# Verbs that make a person's statement but an organisation's plan: "X a annoncé un projet".
PERSON_ONLY = frozenset({"annoncer", "engager", "lancer"})
SELF_MARKER_RE = re.compile(r"\bà (?:son|leur) (?:sens|avis)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FoundClaim:
    speakers: tuple[Span, ...]
    sentence: Span  # the statement unit: a sentence, or the sentences of one quotation
    cue: str
    kind: str  # direct | reported
    stance: str
    about: tuple[Span, ...] = ()
    hedge: str | None = None
    reported_by: Span | None = None
    attribution: str = "subject"

    @property
    def confidence(self) -> float:
        return CONFIDENCE.get(self.attribution, 0.6)


def find_claims(doc: Doc, sentences: Sequence[Span], ents_of: dict[int, list[Span]],
                roles: dict[str, list[tuple[Span, str]]], skip: set[int],
                quotes: Sequence[Quote]) -> Iterator[FoundClaim]:
    """Claims in document order. ``ents_of`` maps a sentence start to its entities; ``skip``
    holds the starts of sentences that are page furniture or attribution lines; ``quotes`` are
    the document's quotations (:func:`kg.nlp.quotes.find_quotes`)."""
    salience = Salience(roles=roles)
    pull_quotes = pull_quote_speakers(doc, sentences, ents_of)
    answers = interview_answers(doc, sentences, ents_of)
    cues = speech_candidates(doc)
    paragraph_of = _paragraph_index(sentences)
    last: tuple[FoundClaim, int] | None = None
    groups = _join_pull_quotes(units(sentences, quotes), pull_quotes, paragraph_of)
    for index, group in enumerate(groups):
        unit = doc[group[0].start : group[-1].end]
        ents = [e for s in group for e in ents_of.get(s.start, [])]
        salience.count(ents)
        para = paragraph_of[group[0].start]
        found = None if group[0].start in skip else _attribute(unit, group, ents, salience, cues, quotes,
                                                               pull_quotes, answers, last, para)
        if found is None and group[0].start not in skip and index + 1 < len(groups):
            nxt = groups[index + 1][0]
            if paragraph_of[nxt.start] == para:
                found = _named_next(unit, quotes, nxt, ents_of.get(nxt.start, []), ents)
        if found is not None:
            yield found
            last = (found, paragraph_of[group[-1].start])
            if found.attribution != "agent":  # "salué par X": X is no topic of the article
                for s in found.speakers:
                    salience.add(s)
        for sent in group:
            _update_salience(sent, ents_of.get(sent.start, []), salience)


def _attribute(unit: Span, group: list[Span], ents: list[Span], salience: Salience, cues: Sequence[int],
               quotes: Sequence[Quote], pull_quotes: dict[int, Span], answers: dict[int, Span],
               last: tuple[FoundClaim, int] | None, para: int) -> FoundClaim | None:
    first = group[0].start
    if first in pull_quotes:
        return _claim((pull_quotes[first],), unit, "pull quote", "direct", ents, attribution="pull quote")
    here = quotes_in(unit.start_char, unit.end_char, quotes)
    if first in answers:
        if unit.text.rstrip().endswith("?"):
            return None
        return _claim((answers[first],), unit, "interview", "direct", ents, attribution="interview")
    found = _reported(unit, ents, salience, cues, here)
    if found is None:
        found = _colon(unit, ents, here)
    own_view = SELF_MARKER_RE.search(unit.text) if found is None else None  # "à son sens"
    if own_view is not None and last is not None and para - last[1] <= 1:
        found = _claim(last[0].speakers, unit, own_view.group(0), "reported", ents, attribution="marker")
    if found is None and last is not None and para - last[1] <= 1 and _substantial(here, unit) \
            and not _has_own_cue(unit, cues, here):
        found = _claim(last[0].speakers, unit, "", "direct", ents, attribution="continuation")
    return found


def _has_own_cue(unit: Span, cues: Sequence[int], quotes: Sequence[Quote]) -> bool:
    """``« … », estime un investisseur anonyme``: the quotation has a speaker of its own, unnamed."""
    return cue_token(unit, cues, unit.text, [(q.start, q.end) for q in quotes if q.closed]) is not None


def _named_next(unit: Span, quotes: Sequence[Quote], nxt: Span, next_ents: list[Span],
                ents: list[Span]) -> FoundClaim | None:
    """``"L'équipe a été héroïque". Patrick Pérez, directeur de Kyutai, donne le ton…``: a sentence
    that is only a quotation, then a sentence that opens with a person's name."""
    here = quotes_in(unit.start_char, unit.end_char, quotes)
    if len(here) != 1 or not _substantial(here, unit):
        return None
    q = here[0]
    rest = unit.doc.text[unit.start_char : q.start] + unit.doc.text[q.end : unit.end_char]
    if rest.strip(" .!?…,;"):
        return None  # words outside the quotation: not a bare quotation
    person = next((e for e in next_ents if e.label_ == "PER" and e.start == nxt.start), None)
    return _claim((person,), unit, "", "direct", ents, attribution="next sentence") if person else None


def _join_pull_quotes(groups: list[list[Span]], pull_quotes: dict[int, Span],
                      paragraph_of: dict[int, int]) -> list[list[Span]]:
    """A pull quote is one quotation: the sentences of its line make one unit."""
    out: list[list[Span]] = []
    for group in groups:
        first = group[0].start
        if out and first in pull_quotes and out[-1][0].start in pull_quotes \
                and paragraph_of[first] == paragraph_of[out[-1][0].start]:
            out[-1] = [*out[-1], *group]
        else:
            out.append(group)
    return out


def _substantial(quotes: Sequence[Quote], unit: Span) -> bool:
    """A quotation of a few words or more, in a unit that ends as a sentence does (not a heading)."""
    text = unit.doc.text
    ending = unit.text.rstrip(" »”\"")
    return ending.endswith((".", "!", "…")) and any(q.words(text) >= MIN_QUOTE_WORDS for q in quotes)


def _paragraph_index(sentences: Sequence[Span]) -> dict[int, int]:
    index: dict[int, int] = {}
    for number, line in enumerate(lines_of(sentences)):
        for sent in line:
            index[sent.start] = number
    return index


def _update_salience(sent: Span, ents: list[Span], salience: Salience) -> None:
    people = [e for e in ents if e.label_ == "PER"]
    if people and _is_subject_position(people[0]):
        salience.add(people[0])
    for ent in ents:
        if ent.label_ == "ORG" and _is_subject_position(ent):
            salience.group = ent


def _is_subject_position(ent: Span) -> bool:
    i = ent.start - 1
    if i >= 0 and "\n" in ent.doc[i].text_with_ws:
        return True  # the first words of a paragraph
    while i >= 0 and ent.doc[i].is_space:
        i -= 1
    before = ent.doc[i] if i >= 0 else None
    return before is None or before.lower_ in ("chez", ",") or before.is_sent_start or before.is_punct


HEDGE_RE = re.compile(
    r"\b(?:pourrai(?:en)?t|serai(?:en)?t|aurai(?:en)?t|devrai(?:en)?t|craint que|crai(?:gn)?ent que|"
    r"selon|d['’]après|peut-être|probablement|sans doute|semble(?:nt)?|il est possible que)\b",
    re.IGNORECASE,
)


def hedge_of(text: str) -> str | None:
    """The first hedging words of a statement (conditional, fear, second-hand source), if any."""
    m = HEDGE_RE.search(text)
    return m.group(0).lower() if m else None


def _claim(speakers: tuple[Span, ...], unit: Span, cue: str, kind: str, ents: list[Span],
           reported_by: Span | None = None, attribution: str = "subject") -> FoundClaim:
    text = unit.text
    if kind != "direct" and any(m in text for m in ("«", "“", '"')):
        kind = "direct"
    about = tuple(e for e in ents if all(e.start != s.start for s in speakers) and e is not reported_by)
    return FoundClaim(speakers, unit, cue, kind, classify_stance(text, cue), about, hedge_of(text), reported_by,
                      attribution)


def _reported(unit: Span, ents: list[Span], salience: Salience, cues: Sequence[int],
              quotes: Sequence[Quote]) -> FoundClaim | None:
    text = unit.text  # Span.text joins the span's tokens: read it once
    if text.rstrip().endswith("?"):
        return None  # a question asserts nothing
    masked = [(q.start, q.end) for q in quotes if q.closed]
    marker = marker_speakers(unit, _unquoted(text, unit.start_char, masked), ents, salience)
    cue = cue_token(unit, cues, text, masked)
    if marker is not None:
        speakers, word = marker
        if cue is not None and len(speakers) == 1 and speakers[0].label_ == "ORG":
            # "selon Les Echos, Sam Altman aurait déclaré…": the outlet reports, the person speaks
            found, how = speakers_for(cue, unit, ents, salience)
            people = [e for e in found if e.label_ == "PER"]
            if people:
                return _claim(tuple(people), unit, cue_text(cue), "reported", ents, reported_by=speakers[0],
                              attribution=how)
        return _claim(speakers, unit, word, "reported", ents, attribution="marker") if speakers else None
    for cue in cue_tokens(unit, cues, text, masked):  # the first cue that names its speaker
        claim = _by_cue(cue, unit, ents, salience)
        if claim is not None:
            return claim
    return None


def _by_cue(cue: Token, unit: Span, ents: list[Span], salience: Salience) -> FoundClaim | None:
    agent = passive_agent(cue, unit, ents)
    if agent is not None:
        return _claim((agent,), unit, cue_text(cue), "reported", ents, attribution="agent")
    speakers, how = speakers_for(cue, unit, ents, salience)
    speakers = tuple(s for s in speakers if s.label_ in SPEAKER_LABELS)
    if not speakers:
        return None
    if speech_lemma(cue) in PERSON_ONLY and any(s.label_ != "PER" for s in speakers) and how != "incise":
        return None  # "Mistral AI annonce un modèle" is news, not a statement
    return _claim(speakers, unit, cue_text(cue), "reported", ents, attribution=how)


def _unquoted(text: str, offset: int, masked: Sequence[tuple[int, int]]) -> str:
    """``text`` with the quotations blanked out (same length): markers inside a quotation
    (« pour nous, … ») are the speaker's words, not an attribution."""
    chars = list(text)
    for a, b in masked:
        for k in range(max(a - offset + 1, 0), min(b - offset - 1, len(chars))):
            chars[k] = " "
    return "".join(chars)


def _colon(unit: Span, ents: list[Span], quotes: Sequence[Quote]) -> FoundClaim | None:
    """``Marie-Laure Denis : « … »``, ``X, fondateur de Y : « … »``: a name, maybe its title, a colon,
    then the quotation."""
    doc = unit.doc
    for q in quotes:
        k = next((t.i for t in unit if t.idx == q.start), None)
        if k is None or k - 1 < unit.start or doc[k - 1].text != ":":
            continue
        speakers = [e for e in ents if e.label_ in SPEAKER_LABELS and e.end <= k - 1 and k - 1 - e.end <= 8
                    and not any(t.is_punct and t.text not in (",", "-", "’", "'") for t in doc[e.end : k - 1])]
        if speakers and (speakers[0].start == unit.start or doc[speakers[0].start - 1].is_punct):
            return _claim((speakers[0],), unit, ":", "direct", ents, attribution="colon")
        pronoun = doc[k - 3].lower_ if k - 3 >= unit.start else ""
        if pronoun in ("il", "elle") and doc[k - 2].pos_ == "VERB":
            continue  # "Elle poursuit : « … »" is read by the reporting cue
    return None


__all__ = ["FoundClaim", "attribution_lines", "find_claims", "hedge_of"]
