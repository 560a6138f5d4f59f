"""The NLP stage: a spaCy pipeline with newskg's components, and the conversion of its
output into plain records (:class:`~kg.records.NlpResult`). No spaCy object leaves here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from kg.decisions import Decisions
from kg.errors import ModelError
from kg.kb import KnowledgeBase, load_kb
from kg.nlp.claims import attribution_lines, find_claims
from kg.nlp.coref import title_class
from kg.nlp.developers import anaphor_launches, opening_org
from kg.nlp.entities import (
    KB_SPANS_KEY,
    LABELS,
    boilerplate_ranges,
    in_ranges,
    kb_patterns,
    model_families,
    shared_company_model_names,
)
from kg.nlp.factories import register_factories
from kg.nlp.fronted import fronted_founders_of_org_noun
from kg.nlp.model_facts import find_model_facts
from kg.nlp.pieces import PIECE_CHARS, analyse_in_pieces
from kg.nlp.quotes import Quote, find_quotes
from kg.nlp.relations import find_relations
from kg.nlp.roles import titles_without_name
from kg.nlp.titles import possessive_titles_without_org
from kg.records import Document, EntityType, Mention, NlpResult, RawClaim, RawModelFact, RawRelation, TextSpan

DEFAULT_MODEL = "fr_core_news_md"
SOURCE_CONFIDENCE = {"kb": 0.95, "pattern": 0.8, "surname": 0.85, "ner": 0.7, "repair": 0.7}


def load_pipeline(model: str = DEFAULT_MODEL, kb: KnowledgeBase | None = None,
                  decisions: Decisions | None = None) -> Language:
    """The French spaCy model with newskg's entity, relation and claim components."""
    kb = kb if kb is not None else load_kb()
    decisions = decisions or Decisions()
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelError(
            f"{model}: spaCy model not installed ({exc.__class__.__name__}); "
            f"install it with `pip install {model.replace('_', '-')}`"
        ) from None
    _split_final_period_after_versions(nlp)
    register_factories()
    nlp.add_pipe("newskg_line_breaks", before="parser" if "parser" in nlp.pipe_names else nlp.pipe_names[0])
    nlp.add_pipe("newskg_model_names", after="ner", config={"families": model_families(kb)})
    # KB matches go to doc.spans first: EntityRepair decides where they beat the statistical NER
    ruler = nlp.add_pipe("span_ruler", name="newskg_kb_ruler", after="newskg_model_names",
                         config={"spans_key": KB_SPANS_KEY, "annotate_ents": False, "phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(kb_patterns(kb) + decision_patterns(decisions, kb))  # type: ignore[attr-defined]
    nlp.add_pipe("newskg_entity_repair", last=True, config={
        "not_entities": sorted(kb.not_entities | decisions.ignored), "model_aliases": shared_company_model_names(kb),
        "forced_types": decisions.types, "kept_names": sorted(decisions.merges)})
    return nlp


def decision_patterns(decisions: Decisions, kb: KnowledgeBase) -> list[dict]:
    """Names the user decided on are found even where the statistical NER misses them."""
    label = {"Person": "PER", "Organization": "ORG", "AIModel": "AIMODEL"}
    patterns = [{"label": label[t], "pattern": name} for name, t in sorted(decisions.types.items())]
    for name, target in sorted(decisions.merges.items()):
        entry = kb.lookup(target)
        if entry is not None:  # "merge X into a KB entity": X becomes an alias of the entry
            patterns.append({"label": label[entry.type], "pattern": name, "id": f"{entry.type}:{entry.id}"})
    return patterns


def _split_final_period_after_versions(nlp: Language) -> None:
    """``QwQ-32B.`` at the end of a sentence is the name and a full stop, not one token."""
    from spacy.util import compile_suffix_regex

    suffixes = [*nlp.Defaults.suffixes, r"(?<=\d)\.", r"(?<=\d[A-Za-z])\."]  # type: ignore[misc]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search  # type: ignore[union-attr]


def pipeline_name(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', '?')}_{nlp.meta.get('name', '?')} {nlp.meta.get('version', '?')}"


def analyse(nlp: Language, documents: Iterable[Document], *, batch_size: int = 16,
            n_process: int = 1, kb: KnowledgeBase | None = None,
            piece_chars: int = PIECE_CHARS) -> Iterator[NlpResult]:
    """Run the pipeline over documents, in order, streaming.

    Documents are analysed in groups, each inside ``nlp.memory_zone()``: the strings spaCy
    interns for a group are freed once its documents are converted to plain records, so
    memory does not grow with the corpus. With ``n_process > 1``, documents are analysed
    *and converted* in forked worker processes that share this pipeline; only the plain
    records come back (spaCy's own ``n_process`` would send whole ``Doc`` objects, and
    cannot serialise newskg's ``Doc`` extensions). Documents longer than ``piece_chars``
    are analysed in pieces and their records merged (:mod:`kg.nlp.pieces`).
    """
    import multiprocessing

    batch_size = max(1, batch_size)
    if n_process > 1 and "fork" in multiprocessing.get_all_start_methods():
        yield from _analyse_forked(nlp, documents, batch_size, n_process, kb, piece_chars)
        return
    for group in minibatch(documents, batch_size * 8):
        with nlp.memory_zone():
            yield from analyse_in_pieces(nlp, group, batch_size, piece_chars,
                                         lambda doc, document: doc_to_result(doc, document, kb))


_FORKED: dict[str, object] = {}  # the pipeline forked workers inherit


def _analyse_group(group: list[Document]) -> list[NlpResult]:
    nlp, kb, batch_size, piece_chars = _FORKED["nlp"], _FORKED["kb"], _FORKED["batch_size"], _FORKED["piece_chars"]
    return list(analyse(nlp, group, batch_size=batch_size, kb=kb, piece_chars=piece_chars))  # type: ignore[arg-type]


def _analyse_forked(nlp: Language, documents: Iterable[Document], batch_size: int, n_process: int,
                    kb: KnowledgeBase | None, piece_chars: int) -> Iterator[NlpResult]:
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    _FORKED.update(nlp=nlp, kb=kb, batch_size=batch_size, piece_chars=piece_chars)
    try:
        with ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context("fork")) as pool:
            pending: deque[Future[list[NlpResult]]] = deque()
            for group in minibatch(documents, batch_size):
                pending.append(pool.submit(_analyse_group, group))
                while len(pending) >= 2 * n_process:  # bounded: read only as fast as analysed
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        _FORKED.clear()


def doc_to_result(doc: Doc, document: Document, kb: KnowledgeBase | None = None) -> NlpResult:
    boiler = doc._.kg_boilerplate or boilerplate_ranges(doc.text)
    quotes = find_quotes(doc.text)  # read once: sentence boundaries and claims both use them
    sentences = [s for s in (_trim(sent) for sent in merged_sentences(doc, quotes)) if s is not None]
    sentences = [s for s in sentences if not in_ranges(s.start_char, boiler)]
    kept = [e for e in doc.ents if e.label_ in LABELS]  # doc.ents builds new spans: read it once
    ents_of = {s.start: [e for e in kept if s.start <= e.start and e.end <= s.end] for s in sentences}
    sources = doc._.kg_sources or {}
    mentions: dict[tuple[int, int], Mention] = {}
    for sent in sentences:
        for ent in ents_of[sent.start]:
            mentions[(ent.start_char, ent.end_char)] = _mention(ent, sent, sources)

    def mention_of(span: Span) -> Mention:
        key = (span.start_char, span.end_char)
        if key not in mentions:  # a speaker found outside the kept sentences
            mentions[key] = _mention(span, _sentence_of(span, sentences), sources)
        return mentions[key]

    relations: list[RawRelation] = []
    roles: dict[str, list[tuple[Span, str]]] = {}
    for sent in sentences:
        evidence = TextSpan(sent.start_char, sent.end_char)
        for found in find_relations(sent, ents_of[sent.start]):
            relations.append(RawRelation(mention_of(found.subject), found.predicate,  # type: ignore[arg-type]
                                         mention_of(found.object), evidence, found.role, found.rule,
                                         found.confidence))
            if found.predicate == "worksFor":
                for key in (found.object.text, found.object.ent_id_):
                    if key:
                        roles.setdefault(key, []).append((found.subject, found.role or ""))
    _add_known_roles(roles, [e for s in sentences for e in ents_of[s.start]], kb)
    relations.extend(_anaphor_launches(sentences, ents_of, mention_of))
    stated = {(r.subject.span, r.object.span) for r in relations}
    for sent in sentences:
        for person, org, title in _title_holders(sent, ents_of[sent.start], roles):
            if any(o == TextSpan(org.start_char, org.end_char) and sent.start_char <= s.start < sent.end_char
                   for s, o in stated):
                continue  # the sentence names the holder already
            relations.append(RawRelation(mention_of(person), "worksFor", mention_of(org),
                                         TextSpan(sent.start_char, sent.end_char), title, "title-of-org-holder", 0.7))
    skip = attribution_lines(sentences, ents_of)
    claims: list[RawClaim] = []
    for claim in find_claims(doc, sentences, ents_of, roles, skip, quotes):
        evidence = TextSpan(claim.sentence.start_char, claim.sentence.end_char)
        about = tuple(mention_of(a) for a in claim.about)
        reporter = mention_of(claim.reported_by) if claim.reported_by is not None else None
        for speaker in claim.speakers:
            claims.append(RawClaim(mention_of(speaker), evidence, claim.stance, claim.kind,  # type: ignore[arg-type]
                                   about, claim.cue, claim.confidence, claim.hedge, reporter, claim.attribution))
    facts = [
        RawModelFact(mention_of(f.model), f.attribute, f.value,  # type: ignore[arg-type]
                     TextSpan(f.evidence.start_char, f.evidence.end_char))
        for sent in sentences for f in find_model_facts(sent, ents_of[sent.start])
    ]
    ordered = tuple(sorted(mentions.values(), key=lambda m: (m.span.start, m.span.end)))
    # in text order: the records of an article analysed in pieces come out as those of the whole
    relations.sort(key=lambda r: (r.evidence.start, r.subject.span.start, r.object.span.start, r.rule))
    return NlpResult(document, ordered, tuple(relations), tuple(claims), tuple(facts))


FINAL_PUNCT = frozenset(".!?…:;»”\"")


def merged_sentences(doc: Doc, quotes: Sequence[Quote]) -> list[Span]:
    """The parser's sentences, re-joined where it split without a reason: no final punctuation
    and no line break before the boundary ("Le PDG de Hugging | Face exprime…"), or inside a name."""
    out: list[Span] = []
    start = 0
    sents = list(doc.sents)
    for k, sent in enumerate(sents):
        if k + 1 < len(sents):
            last = doc[sent.end - 1]
            nxt = doc[sent.end]
            inside_entity = nxt.ent_iob_ == "I"
            reason = last.text[-1:] in FINAL_PUNCT or "\n" in last.text_with_ws or last.is_space
            if not reason or inside_entity or _only_closing(sents[k + 1]):
                continue
        out.append(doc[start : sent.end])
        start = sent.end
    return _reattach_opening_quotes(doc, out, quotes)


def _reattach_opening_quotes(doc: Doc, sents: list[Span], quotes: Sequence[Quote]) -> list[Span]:
    """The parser often ends a sentence with the opening quote of the next one (``… ChatGPT. \n\n"Si
    Apple…``): the mark goes back to the quotation it opens."""
    openings = {q.start for q in quotes}
    closings = {q.end - 1 for q in quotes if q.closed}
    out = list(sents)
    for k in range(len(out) - 1):
        end = out[k].end
        while end - 1 > out[k].start and (doc[end - 1].is_space or doc[end - 1].idx in openings):
            end -= 1
        if end < out[k].end and any(doc[i].idx in openings for i in range(end, out[k].end)):
            out[k], out[k + 1] = doc[out[k].start : end], doc[end : out[k + 1].end]
        # and the closing quote that opens the next sentence goes back to its quotation (« … . » X …)
        start = out[k + 1].start
        if start < out[k + 1].end - 1 and doc[start].idx in closings:
            out[k], out[k + 1] = doc[out[k].start : start + 1], doc[start + 1 : out[k + 1].end]
    return out


def _anaphor_launches(sentences: Sequence[Span], ents_of: dict[int, list[Span]],
                      mention_of: Callable[[Span], Mention]) -> Iterator[RawRelation]:
    """``L'entreprise a dévoilé M``, ``X, son directeur général``: the organisation the article has
    named most so far launched M, employs X."""
    counts: Counter[str] = Counter()
    first: dict[str, Span] = {}
    topic: Span | None = None  # the last organisation that opened a sentence as its subject
    for sent in sentences:
        if counts:
            owner = topic or first[max(sorted(counts), key=lambda k: counts[k])]
            evidence = TextSpan(sent.start_char, sent.end_char)
            for models in anaphor_launches(sent, ents_of[sent.start]):
                for model in models:
                    yield RawRelation(mention_of(model), "creator", mention_of(owner), evidence, None,
                                      "org-noun-launched-model", 0.65)
            for person in fronted_founders_of_org_noun(sent, ents_of[sent.start]):
                yield RawRelation(mention_of(owner), "founder", mention_of(person), evidence, None,
                                  "fronted-founded-by-org-noun", 0.65)
            for person, title in possessive_titles_without_org(sent, ents_of[sent.start]):
                yield RawRelation(mention_of(person), "worksFor", mention_of(owner), evidence, title,
                                  "possessive-title-of-main-org", 0.65)
        for ent in ents_of[sent.start]:
            if ent.label_ == "ORG":
                key = ent.ent_id_ or ent.text
                counts[key] += 1
                first.setdefault(key, ent)
        topic = opening_org(sent, ents_of[sent.start]) or topic


def _title_holders(sent: Span, ents: list[Span],
                   roles: dict[str, list[tuple[Span, str]]]) -> Iterator[tuple[Span, Span, str]]:
    """``Le directeur scientifique de Meta conseille…``: the one person the article (or the KB) says
    holds that office at that organisation."""
    for title, org in titles_without_name(sent, ents):
        wanted = title_class(title)
        holders = roles.get(org.text) or roles.get(org.ent_id_ or "") or []
        same: dict[str, Span] = {}
        for p, t in holders:
            if wanted and title_class(t) == wanted:  # the holder's mention nearest to the title
                near = same.get(p.text)
                if near is None or abs(p.start_char - sent.start_char) < abs(near.start_char - sent.start_char):
                    same[p.text] = p
        if len(same) == 1:
            yield next(iter(same.values())), org, title


def _add_known_roles(roles: dict[str, list[tuple[Span, str]]], ents: list[Span], kb: KnowledgeBase | None) -> None:
    """Titles the KB knows for people the article names, after those the article states:
    they let "le directeur général de X" stand for the person the KB knows runs X."""
    if kb is None:
        return
    for ent in ents:
        entry = kb.get(ent.ent_id_) if ent.label_ == "PER" and ent.ent_id_ else None
        if entry is None or not entry.organization or not entry.role:
            continue
        org = kb.get(f"Organization:{entry.organization}")
        if org is None:
            continue
        for key in (org.name, f"Organization:{org.id}", *org.aliases):
            holders = roles.setdefault(key, [])
            if all(p.ent_id_ != ent.ent_id_ for p, _ in holders):
                holders.append((ent, entry.role))


def _only_closing(sent: Span) -> bool:
    """A "sentence" that is only the closing quote of the previous one: ``. »``."""
    closing = {"»", "”", '"', ")", "]", ".", "!", "?", "…"}
    return all(t.text in closing or t.is_space for t in sent) and any(not t.is_space for t in sent)


def _mention(ent: Span, sent: Span, sources: dict[tuple[int, int], str]) -> Mention:
    source = sources.get((ent.start_char, ent.end_char), "ner")
    etype: EntityType = LABELS[ent.label_]  # type: ignore[assignment]
    return Mention(
        span=TextSpan(ent.start_char, ent.end_char),
        text=ent.text,
        type=etype,
        sentence=TextSpan(sent.start_char, sent.end_char),
        kb_id=ent.ent_id_ or None,
        source=source,
        confidence=SOURCE_CONFIDENCE.get(source, 0.7),
    )


def _sentence_of(span: Span, sentences: Sequence[Span]) -> Span:
    for sent in sentences:
        if sent.start <= span.start < sent.end:
            return sent
    return span


def _trim(sent: Span) -> Span | None:
    """The sentence without surrounding whitespace tokens; None when nothing is left."""
    start, end = sent.start, sent.end
    doc = sent.doc
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    return doc[start:end] if start < end else None


def sentence_texts(results: Sequence[NlpResult]) -> list[str]:  # pragma: no cover - debugging aid
    return [m.text for r in results for m in r.mentions]
