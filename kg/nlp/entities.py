"""spaCy components that find the entities newskg cares about.

Pipeline order (see :func:`kg.nlp.pipeline.load_pipeline`)::

    … parser … ner -> newskg_model_names -> newskg_kb_ruler (entity_ruler) -> newskg_entity_repair

``newskg_line_breaks`` runs before the parser so that no sentence crosses a line
break (headlines, pull quotes and list items are lines of their own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.kb import KnowledgeBase, kb_id, read_word_list
from kg.nlp.grammar import role_word
from kg.nlp.lexicon import (
    BOILERPLATE_LINE_RE,
    DETERMINERS,
    MODEL_NOUNS,
    MODEL_SUFFIX_WORDS,
    MODEL_TOKEN_RE,
    NAME_PARTICLES,
    NON_ENTITY_NOUNS,
    NOT_MODEL_NAMES,
    ORG_NOUNS,
    ORG_SUFFIXES,
    SIZE_RE,
    VERSION_RE,
)
from kg.nlp.names import repeated_mentions, with_suffix_words
from kg.nlp.org_contexts import INSTITUTION_NOUNS, org_context_starts
from kg.nlp.tokens import Words, in_ranges, text_of, words_of

PERSON, ORG, MODEL = "PER", "ORG", "AIMODEL"
KB_SPANS_KEY = "newskg_kb"
LABELS = {PERSON: "Person", ORG: "Organization", MODEL: "AIModel"}

if not Doc.has_extension("kg_sources"):
    # (start_char, end_char) -> which component found the entity: kb, pattern, ner, repair, surname
    Doc.set_extension("kg_sources", default=None)
if not Doc.has_extension("kg_boilerplate"):
    Doc.set_extension("kg_boilerplate", default=None)  # list of (start_char, end_char) of page furniture


def _sources(doc: Doc) -> dict[tuple[int, int], str]:
    if doc._.kg_sources is None:
        doc._.kg_sources = {}
    return doc._.kg_sources


def boilerplate_ranges(text: str) -> list[tuple[int, int]]:
    ranges, offset = [], 0
    for line in text.splitlines(keepends=True):
        if BOILERPLATE_LINE_RE.match(line):
            ranges.append((offset, offset + len(line)))
        offset += len(line)
    return ranges



# --------------------------------------------------------------------------------------
SENTENCE_END = frozenset(".!?…»”\":;")
SENTENCE_STOPS = (".", "!", "?", "…")


class LineBreakSentencizer:
    """Starts a sentence after every line break; runs before the parser, which keeps them."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_boilerplate = boilerplate_ranges(text_of(doc))
        if len(doc) < 2:
            return doc
        # Decided on plain strings and written with one from_array call: a Python loop over
        # Token objects cost a tenth of the whole pipeline's time.
        words = [token.text for token in doc]
        spaces = [token.whitespace_ for token in doc]
        starts = numpy.zeros(len(words), dtype="int64")  # 1 starts a sentence, -1 does not, 0 unset
        starts[0] = 1 if doc[0].is_sent_start else 0
        for i in range(1, len(words)):
            previous = words[i - 1]
            if "\n" in previous or "\n" in spaces[i - 1]:
                starts[i] = 1
            elif previous in SENTENCE_STOPS and (words[i][:1].isupper() or words[i] in ("«", "“")):
                starts[i] = 1  # "… la fiabilité. « Le modèle …": two statements
            elif previous[-1:] not in SENTENCE_END and not previous.isspace():
                # inside a line, a sentence only ends after final punctuation: the parser must not
                # split "Claire | Dumontet" or "« | Nous …"
                starts[i] = -1
        doc.from_array([SENT_START], starts.view("uint64").reshape(-1, 1))  # type: ignore[arg-type]
        return doc


# --------------------------------------------------------------------------------------
class ModelNameRecognizer:
    """Finds AI model names the KB may lack, from their shape and context.

    * a known family followed by versions or sizes: ``Llama 3.1 405B``, ``Mistral 7B``, ``GPT-4o``;
    * a hyphenated name with a version (``QwQ-32B``, ``Yi-34B``) when it has a size suffix,
      a known family prefix, or a model noun just before it (so ``COVID-19`` is not a model);
    * a capitalised name right after a model noun: ``le modèle Ernie 4.5 Turbo``, ``le chatbot Moshi``.
    """

    def __init__(self, nlp: Language, name: str, families: Iterable[str] = ()) -> None:
        self.name = name
        self.families = sorted(set(families), key=len, reverse=True)
        self.family_prefixes = tuple(self.families)
        version = r"(?:[- ]?(?:v?\d+(?:\.\d+)*[a-z]?|\d+(?:\.\d+)?[BbMmTt]|\d+x\d+[Bb]|[A-Z]\d+(?:\.\d+)?|o\d))"
        suffix_words = "|".join(sorted(MODEL_SUFFIX_WORDS))
        suffix = rf"(?: (?:{suffix_words}))"
        if self.families:
            fam = "|".join(re.escape(f) for f in self.families)
            self.family_re: re.Pattern[str] | None = re.compile(
                rf"(?<![\w-])(?:{fam})(?:{version})+(?:{suffix})*(?![\w-])"
            )
        else:
            self.family_re = None
        self.word_re = re.compile(r"[^\s,;:()«»\"“”!?]+")
        noun = "|".join(sorted(MODEL_NOUNS))
        self.cue_re = re.compile(
            rf"\b(?i:{noun})"
            r"(?: (?i:d['’]IA|de langage|open source|d['’]intelligence artificielle|conversationnel|phare))?"
            r" ((?:[A-Z][\w.]*(?:-[\w.]+)*)(?: (?:[A-Z][\w.]*|\d[\w.]*))*)"
        )
        # "Moshi, un assistant vocal", "Lucie, le nouveau modèle de …": a name apposed to a model noun
        self.apposition_re = re.compile(
            r"(?<![\w-])([A-Z][\w.]*(?:-[\w.]+)*(?: (?:[A-Z][\w.]*|\d[\w.]*))*), (?:un|le|son|leur|leurs|ses)"
            rf" (?:(?:nouveau|nouvel|dernier|premier|propre) )?(?:{noun})\b"
        )

        # "un nouveau modèle d'IA générative, R1, jugé…": a short name apposed to a model noun (and
        # its AI qualifiers), closed by a comma, a bracket or the sentence's end
        qualifier = (r"(?: (?:d['’]IA|de langage|d['’]intelligence artificielle|open source|génératif|générative"
                     r"|conversationnel|conversationnelle|multimodal|vocal|vocale|de raisonnement|phare))")
        self.apposed_name_re = re.compile(
            rf"\b(?i:un|le|son|leur|ce|cet) (?:(?i:nouveau|nouvel|dernier|premier|propre) )?(?i:{noun})"
            rf"{qualifier}{{0,2}}, ([A-Z][\w.]*(?:-[\w.]+)*(?: (?:\d[\w.]*|[A-Z][\w.]*))?)(?=[,.)]|$)"
        )

    def __call__(self, doc: Doc) -> Doc:
        spans = filter_spans([s for s in self._candidates(doc) if s is not None])
        if spans:
            sources = _sources(doc)
            keep = [e for e in doc.ents if not any(_overlap(e, s) for s in spans)]
            doc.ents = filter_spans([*keep, *spans])
            for s in spans:
                sources.setdefault((s.start_char, s.end_char), "pattern")
        return doc

    def _candidates(self, doc: Doc) -> Iterable[Span | None]:
        text = text_of(doc)
        if self.family_re is not None:
            for m in self.family_re.finditer(text):
                yield doc.char_span(m.start(), m.end(), label=MODEL, alignment_mode="expand")
        for m in self.word_re.finditer(text):
            word = m.group().rstrip(".")
            if not MODEL_TOKEN_RE.match(word):
                continue
            before = text[max(0, m.start() - 40) : m.start()].lower().split()
            if SIZE_RE.search(word) or word.startswith(self.family_prefixes) or any(
                w.strip("'’") in MODEL_NOUNS for w in before[-3:]
            ):
                yield doc.char_span(m.start(), m.start() + len(word), label=MODEL, alignment_mode="expand")
        for m in self.apposition_re.finditer(text):
            if _NAMED_NEXT.match(text, m.end()):
                continue  # "Développé par Nexa, le modèle Orion-7B": the model noun names its own model
            if m.group(1).split()[0] not in NOT_MODEL_NAMES:
                end = m.start(1) + len(m.group(1).rstrip("."))
                yield doc.char_span(m.start(1), end, label=MODEL, alignment_mode="expand")
        for m in self.apposed_name_re.finditer(text):
            name = m.group(1).rstrip(".")
            span = doc.char_span(m.start(1), m.start(1) + len(name), label=MODEL, alignment_mode="expand")
            # "son assistant, Marc Durand," names a person; a name with a digit (R1) names no one
            named = span is not None and not any(c.isdigit() for c in name) and any(
                e.label_ in ("PER", "LOC", "ORG") and _overlap(e, span) for e in doc.ents)
            if span is not None and not named and name.split()[0] not in NOT_MODEL_NAMES:
                yield span
        for m in self.cue_re.finditer(text):
            name = m.group(1)
            start = m.start(1)
            if name.split()[0] in NOT_MODEL_NAMES or name.split()[0].lower() in DETERMINERS:
                continue
            words = name.split()
            # stop at the first word that is neither capitalised nor a version
            kept = [words[0]]
            for w in words[1:]:
                if VERSION_RE.match(w) or w in MODEL_SUFFIX_WORDS:
                    kept.append(w)
                else:
                    break
            name = " ".join(kept).rstrip(".,;:")  # "son assistant Kimi." ends a sentence
            yield doc.char_span(start, start + len(name), label=MODEL, alignment_mode="expand")


_NAMED_NEXT = re.compile(r" (?:[A-Z]|\d)")


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def kb_patterns(kb: KnowledgeBase) -> list[dict]:
    """entity_ruler patterns: every KB name and alias, case-sensitive, with the entry's id."""
    label = {"Person": PERSON, "Organization": ORG, "AIModel": MODEL}
    patterns = []
    shared = shared_company_model_names(kb)
    for entry in kb.entries:
        for form in entry.forms:
            if entry.type == "AIModel" and form in shared:
                continue  # the organisation's pattern matches; EntityRepair decides from context
            patterns.append({"label": label[entry.type], "pattern": form, "id": kb_id(entry)})
    return patterns


def model_families(kb: KnowledgeBase) -> list[str]:
    """First words of KB model names that are followed by a version: Llama (Llama 2), GPT (GPT-4)…"""
    families = set()
    for entry in kb.entries:
        if entry.type != "AIModel":
            continue
        for form in entry.forms:
            m = re.match(r"^([A-Z][A-Za-z]+)[- ]?(\S+)", form)
            if m and VERSION_RE.match(m.group(2).split("-")[0]) and m.group(1).lower() not in DETERMINERS:
                families.add(m.group(1))
    return sorted(families)


# --------------------------------------------------------------------------------------
class EntityRepair:
    """Keeps only people, organisations and AI models, and fixes what the statistical NER gets wrong.

    * KB matches are kept as they are;
    * ``MISC``/``LOC`` become organisations when an organisation noun precedes them
      (``la start-up X``) or they end like a company (``Chub AI``), and are dropped otherwise;
    * a one-word person must be a known given name or the surname of a person named in full;
    * names in page furniture (``Lire aussi : …``) and names of non-entities (software,
      regulations) are dropped;
    * every later bare occurrence of a full name's surname becomes a person mention.
    """

    def __init__(self, nlp: Language, name: str, not_entities: Iterable[str] = (),
                 first_names: Iterable[str] = (), model_aliases: dict[str, str] | None = None,
                 forced_types: dict[str, str] | None = None, kept_names: Iterable[str] = ()) -> None:
        self.name = name
        self.kept_names = frozenset(kept_names)  # names a user decision refers to: always plausible
        # the user's decisions: names that are of this type ("type" rows); not_entities holds "ignore" rows
        self.forced_types = {k: {"Person": PERSON, "Organization": ORG, "AIModel": MODEL}[v]
                             for k, v in (forced_types or {}).items()}
        self.not_entities = frozenset(not_entities)
        self.first_names = frozenset(first_names) or read_word_list("first_names.txt")
        # names that are both a company and its model or chatbot ("DeepSeek"): form -> model KB id
        self.model_aliases = dict(model_aliases or {})

    def __call__(self, doc: Doc) -> Doc:
        sources = _sources(doc)
        boiler = doc._.kg_boilerplate or boilerplate_ranges(text_of(doc))
        doc.ents, extended = self._merge_kb(doc)
        people_full = [e for e in doc.ents if e.label_ == PERSON and len(_name_words(e)) >= 2]
        surnames = {_name_words(e)[-1] for e in people_full}
        kept = []
        for ent in doc.ents:
            if in_ranges(ent.start_char, boiler):
                continue
            keep = ent.ent_id_ or (ent.label_ == MODEL and ent.start in extended)
            fixed = self._repair(doc, ent if keep else _trim(ent), surnames)  # "Les Echos" keeps its "Les"
            if fixed is not None:
                kept.append(fixed)
                sources.setdefault((fixed.start_char, fixed.end_char), "kb" if fixed.ent_id_ else "ner")
        kept = _join_adjacent_people(doc, filter_spans(kept))
        kept = [self._company_or_model(doc, e, kept) for e in kept]
        kept = self._typed_by_context(doc, kept, boiler, sources)
        kept.extend(self._given_name_mentions(doc, kept, boiler, sources))
        kept = filter_spans(kept)
        kept.extend(self._surname_mentions(doc, kept, boiler, sources))
        kept = filter_spans(kept)
        kept.extend(repeated_mentions(doc, kept, boiler, sources))
        doc.ents = [self._forced(doc, e, sources) for e in filter_spans(kept)]
        return doc

    def _forced(self, doc: Doc, ent: Span, sources: dict[tuple[int, int], str]) -> Span:
        label = self.forced_types.get(ent.text)
        if label is None or label == ent.label_:
            return ent
        sources[(ent.start_char, ent.end_char)] = "decision"
        return Span(doc, ent.start, ent.end, label=label)

    def _merge_kb(self, doc: Doc) -> tuple[list[Span], set[int]]:
        """KB matches win over overlapping NER spans (``Hugging Face`` tagged as a person), except
        a one-word KB name that is a given name at the start of a longer person name: the
        model ``Claude`` does not swallow ``Claude Dupont``."""
        kb_spans = filter_spans(list(doc.spans.get(KB_SPANS_KEY, [])))
        ner = list(doc.ents)
        kept_kb = []
        for kb in kb_spans:
            longer_person = next((e for e in ner if e.label_ == PERSON and e.start == kb.start and e.end > kb.end
                                  and len(kb) == 1 and kb.text in self.first_names
                                  and not any(o is not kb and o.start < e.end and e.start < o.end and o.end > e.end
                                              for o in kb_spans)), None)
            if longer_person is None:
                kept_kb.append(kb)
        # a model name the patterns read longer than the KB entry ("Ernie 4.5 Turbo" vs "Ernie 4.5")
        longer_models = [e for e in ner if e.label_ == MODEL and any(
            k.label_ == MODEL and e.start == k.start and e.end > k.end for k in kept_kb)]
        kept_kb = [k for k in kept_kb if not any(e.start <= k.start and k.end <= e.end for e in longer_models)]
        kept_kb = [with_suffix_words(doc, k) for k in kept_kb]
        extended = {k.start for k in kept_kb if k.label_ == MODEL and not k.ent_id_}
        rest = [e for e in ner if not any(e.start < k.end and k.start < e.end for k in kept_kb)]
        return filter_spans([*kept_kb, *rest]), extended

    def _repair(self, doc: Doc, ent: Span | None, surnames: set[str]) -> Span | None:
        if ent is None or ent.text in self.not_entities:
            return None
        if ent.ent_id_ or ent.text in self.forced_types:
            return ent
        if ent.text in self.kept_names and ent.label_ in (PERSON, ORG, MODEL):
            return ent
        label = ent.label_
        before = _word_before(doc, ent)
        if before in NON_ENTITY_NOUNS or (len(ent) == 1 and role_word(ent.text.lower())):
            return None  # "Laurent Sifre, CTO": a title is nobody's name
        if label == PERSON and len(ent) > 1 and ent[-1].text in ORG_SUFFIXES:
            return Span(doc, ent.start, ent.end, label=ORG)  # "Aglaé Ventures", "Kyutai Labs"
        if before in DESCRIPTOR_NOUNS and label != PERSON:
            return None  # "les modèles Open AI de Meta": a descriptor, not a company's name
        if label in ("MISC", "LOC"):
            if len(ent) >= 3 and ent[0].text in self.first_names and ent[1].text in NAME_PARTICLES \
                    and ent[-1].text[:1].isupper():
                return Span(doc, ent.start, ent.end, label=PERSON)  # "Caroline de Camaret" read as a place
            if before in ORG_NOUNS or (ent[-1].text in ORG_SUFFIXES and len(ent) > 1):
                return Span(doc, ent.start, ent.end, label=ORG)
            if before in MODEL_NOUNS and label == "MISC":
                return Span(doc, ent.start, ent.end, label=MODEL)
            return None
        if label == PERSON:
            ent = _with_particle_surname(doc, ent, self.first_names)
            return ent if self._plausible_person(ent, surnames) else None
        if label == ORG:
            if before in ORG_NOUNS:
                return ent
            return ent if self._plausible_org(ent) else None
        if label == MODEL:
            return ent
        return None

    def _plausible_person(self, ent: Span, surnames: set[str]) -> bool:
        words = _name_words(ent)
        if not words or any(not w[0].isupper() for w in words):
            return False
        if any(any(ch.isdigit() for ch in w) for w in words):
            return False
        if len(words) == 1:
            return words[0] in self.first_names or words[0] in surnames
        return all(t.pos_ in ("PROPN", "NOUN", "X", "ADJ") or t.text in NAME_PARTICLES for t in ent)

    def _plausible_org(self, ent: Span) -> bool:
        if not ent.text[:1].isupper() and not ent.text[:1].isdigit():
            return False
        if len(ent) == 1 and ent[0].pos_ in ("NOUN", "ADJ", "VERB") and ent[0].text.lower() == ent[0].lemma_.lower() \
                and not ent.text.isupper():
            return False  # a capitalised common noun at the start of a line
        return not all(t.is_lower or t.is_punct for t in ent[1:]) or len(ent) == 1

    def _company_or_model(self, doc: Doc, ent: Span, ents: list[Span]) -> Span:
        """A name shared by a company and its model is the model when coordinated with a model
        (``QwQ-32B d'Alibaba ou encore DeepSeek``) or introduced by a model noun."""
        model_id = self.model_aliases.get(ent.text)
        if ent.label_ != ORG or model_id is None:
            return ent
        before = _word_before(doc, ent)
        coordinated = any(
            other.label_ == MODEL and _coordinated(doc, other, ent) for other in ents if other is not ent
        )
        if before in MODEL_NOUNS or coordinated:
            return Span(doc, ent.start, ent.end, label=MODEL, span_id=model_id)
        return ent

    def _typed_by_context(self, doc: Doc, kept: list[Span], boiler: list[tuple[int, int]],
                          sources: dict[tuple[int, int], str]) -> list[Span]:
        """Names the grammar says are organisations, whatever the NER said: after an organisation
        noun (``la start-up Altaïr``, ``le cabinet pékinois Huaxin Insights``), after ``chez``, after a
        title and ``de`` (``directrice générale d'Altaïr``), as the object of ``fonder``, or before
        ``, fondée par``. The type then holds for every occurrence of the name in the article."""
        orgs: dict[str, Span] = {}
        words = words_of(doc)
        for start in org_context_starts(doc):
            end = _capitalised_run(words, start)
            if end == start or in_ranges(doc[start].idx, boiler):
                continue
            span = Span(doc, start, end, label=ORG)
            if span.text in self.not_entities or span.text in CONTEXT_STOP:
                continue
            overlapping = [e for e in kept if e.start < end and start < e.end]
            inside = all(start <= e.start and e.end <= end and (e.end - e.start) < (end - start) for e in overlapping)
            if any(e.ent_id_ or (e.label_ in (ORG, MODEL) and not inside) for e in overlapping):
                continue  # "clinique Loire-Océan" may replace the NER's "Loire-Océan", not a KB match
            orgs.setdefault(span.text, span)
        for i in range(len(doc)):
            if i > 0 and words.capitalised(i - 1):
                continue  # inside a run
            j = _capitalised_run(words, i)
            if j > i and doc[i:j].text in orgs:
                orgs.setdefault(f"{i}", Span(doc, i, j, label=ORG))
        if not orgs:
            return kept
        found = {(s.start, s.end): s for s in orgs.values()}
        result = [e for e in kept if not any(e.start < s.end and s.start < e.end for s in found.values())]
        for s in found.values():
            sources[(s.start_char, s.end_char)] = "context"
        return filter_spans([*result, *found.values()])

    def _given_name_mentions(self, doc: Doc, kept: list[Span], boiler: list[tuple[int, int]],
                             sources: dict[tuple[int, int], str]) -> list[Span]:
        """People the statistical NER missed, found from a known given name: ``Stephanie soulève…``,
        ``Jeff Boudier de …`` (the given name and the capitalised words after it)."""
        taken = {i for e in kept for i in range(e.start, e.end)}
        extra = []
        texts = words_of(doc).texts
        i = 0
        while i < len(doc):
            if texts[i] not in self.first_names:
                i += 1
                continue
            token = doc[i]
            if token.i in taken or in_ranges(token.idx, boiler) \
                    or token.pos_ not in ("PROPN", "NOUN", "X"):
                i += 1
                continue
            end = i + 1
            while end < len(doc) and end not in taken and doc[end].text[:1].isupper() and doc[end].is_alpha \
                    and doc[end].pos_ in ("PROPN", "X", "NOUN") and doc[end].text not in ORG_SUFFIXES:
                end += 1
            if end == i + 1 and token.is_sent_start and doc[i + 1 : i + 2].text[:1].islower() is False:
                i += 1
                continue
            span = Span(doc, i, end, label=PERSON)
            extra.append(span)
            sources[(span.start_char, span.end_char)] = "given-name"
            i = end
        return extra

    def _surname_mentions(self, doc: Doc, kept: list[Span], boiler: list[tuple[int, int]],
                          sources: dict[tuple[int, int], str]) -> list[Span]:
        full = [e for e in kept if e.label_ == PERSON and len(_name_words(e)) >= 2]
        surnames = {_name_words(e)[-1]: e for e in full}
        taken = {i for e in kept for i in range(e.start, e.end)}
        extra = []
        for i, text in enumerate(words_of(doc).texts):
            person = surnames.get(text)
            if person is None or i in taken:
                continue
            token = doc[i]
            if in_ranges(token.idx, boiler):
                continue
            span = Span(doc, token.i, token.i + 1, label=PERSON, span_id=person.ent_id_ or "")
            extra.append(span)
            sources[(span.start_char, span.end_char)] = "surname"
        return extra


DESCRIPTOR_NOUNS = frozenset("modèles systèmes outils technologies solutions logiciels".split())
# Capitalised words a title may govern without being an organisation: "secrétaire d'État", "éthique de l'IA".
CONTEXT_STOP = frozenset("IA AI État Etat Internet Web Tech Europe France Paris Intelligence Big Data".split())


def _capitalised_run(words: Words, start: int) -> int:
    """End of the run of capitalised words (with hyphens and ``&``) that starts at ``start``."""
    if start >= len(words.texts):
        return start
    if words.lowers[start] in INSTITUTION_NOUNS:  # "l'université Paris-Saclay": the noun starts the name
        return words.run_ends()[start + 1] if start + 1 < len(words.texts) and words.capitalised(start + 1) else start
    text = words.texts[start]
    if text[:1].isupper() and (words.alpha[start] or "-" in text):
        return words.run_ends()[start + 1]  # "&" and "-" join words only after the first
    return start


def _join_adjacent_people(doc: Doc, ents: list[Span]) -> list[Span]:
    """``Claire`` + ``Dumontet`` tagged apart: one person's name."""
    out: list[Span] = []
    for ent in ents:
        prev = out[-1] if out else None
        if prev is not None and prev.label_ == PERSON and ent.label_ == PERSON and prev.end == ent.start \
                and not prev.ent_id_ and not ent.ent_id_:
            out[-1] = Span(doc, prev.start, ent.end, label=PERSON)
        else:
            out.append(ent)
    return out


def _coordinated(doc: Doc, a: Span, b: Span) -> bool:
    """Two names joined by a coordination: ``X ou Y``, ``X, Y et Z``, ``X ou encore Y``."""
    first, second = (a, b) if a.start < b.start else (b, a)
    between = doc[first.end : second.start].text.strip().lower()
    if first.end < second.start and doc[first.end].lower_ in ("de", "d'", "d’", "du"):
        # skip the developer: "QwQ-32B d'Alibaba ou encore DeepSeek"
        between = " ".join(t.lower_ for t in doc[first.end : second.start] if not t.ent_type_)
        between = between.replace("d'", "").replace("d’", "").replace("de", "").strip()
    return between in {",", "et", "ou", "ou encore", "et encore", "ainsi que", ", et", ", ou", "comme", "ni"}


def _name_words(ent: Span) -> list[str]:
    return [t.text for t in ent if t.text not in NAME_PARTICLES and not t.is_punct]


def _trim(ent: Span) -> Span | None:
    """Drop leading determiners and trailing punctuation the NER sometimes includes."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].lower_ in DETERMINERS or doc[start].is_punct or doc[start].is_space
                           or (ent.label_ == PERSON and doc[start].is_lower)):  # "le docteur Jérôme Pelletier"
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space) and doc[end - 1].text not in (".",):
        end -= 1
    start = _past_a_title(doc, start, end)
    if start >= end:
        return None
    if (start, end) == (ent.start, ent.end):
        return ent
    return Span(doc, start, end, label=ent.label_, span_id=ent.id_)


def _with_particle_surname(doc: Doc, ent: Span, first_names: frozenset[str]) -> Span:
    """``Caroline`` + ``de Camaret``: a given name the NER took alone, followed by a particle and a
    capitalised word that no other entity claims, is one person's name."""
    k = ent.end
    if len(ent) != 1 or ent.text not in first_names or k + 1 >= len(doc) or doc[k].text not in NAME_PARTICLES:
        return ent
    nxt = doc[k + 1]
    if not (nxt.text[:1].isupper() and nxt.is_alpha) or nxt.ent_type_ or role_word(nxt.lower_):
        return ent
    return Span(doc, ent.start, k + 2, label=ent.label_, span_id=ent.id_)


def _past_a_title(doc: Doc, start: int, end: int) -> int:
    """``Directrice générale de Nexa`` taken whole at a sentence's start: the name is what follows the
    title's ``de``."""
    if start >= end or not role_word(doc[start].lower_):
        return start
    for k in range(start + 1, min(start + 5, end - 1)):
        if doc[k].lower_ in ("de", "d'", "d’", "du", "chez"):
            return k + 1
    return start


def _word_before(doc: Doc, ent: Span) -> str:
    i = ent.start - 1
    while i >= 0 and ((doc[i].is_punct and doc[i].text not in ("'", "’")) or doc[i].is_space):
        i -= 1
    return doc[i].lower_ if i >= 0 else ""


def shared_company_model_names(kb: KnowledgeBase) -> dict[str, str]:
    """Forms that name both an organisation and a model in the KB -> the model's id."""
    out = {}
    for form, entries in kb.by_form.items():
        types = {e.type: e for e in entries}
        if "Organization" in types and "AIModel" in types:
            out[form] = kb_id(types["AIModel"])
    return out
