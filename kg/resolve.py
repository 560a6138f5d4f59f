"""Entity resolution: the many names of one entity in an article become one :class:`Entity`.

Within an article, mentions are merged when

* they link to the same knowledge-base entry (``kb-alias``);
* one is the surname (or given name) of exactly one person named in full (``surname``);
* they are the same name up to case, accents and punctuation (``spelling``: LLaMA 2 / Llama 2);
* one is the acronym of another organisation's name (``acronym``: UE / Union européenne);
* they differ by spaces only (``spelling``: Open AI / OpenAI), by an honorific (``Mme Pineau``), by
  a company suffix (``suffix``: Inflection / Inflection AI) or by one typo in a surname of the same
  given name (``variant``: Karl Tulys / Karl Tuyls).

Across articles, identity comes from the canonical key: the KB id when linked, else
the normalised fullest form, so the same entity gets the same IRI wherever it is seen.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from kg.decisions import Decisions
from kg.kb import KnowledgeBase
from kg.records import Claim, Entity, Extraction, Mention, ModelFact, NlpResult, Relation

# How sure each merge rule is; recorded with every merge so users can audit them.
RULE_CONFIDENCE = {"kb-alias": 0.95, "spelling": 0.95, "surname": 0.85, "given-name": 0.7, "acronym": 0.8,
                   "decision": 1.0, "suffix": 0.85, "variant": 0.7}
HONORIFICS = frozenset("m. m mme mlle madame monsieur mr mrs ms dr pr".split())
ORG_SUFFIXES = frozenset("ai ia labs lab inc inc. corp corp. sa sas ltd group research technologies".split())

PARTICLES = frozenset("de du des d' von van der den la le di da al el bin ben".split())


@lru_cache(maxsize=65536)  # the same names come back in every article, and many times in a long one
def normalise(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


def _words(name: str) -> list[str]:
    return [w for w in name.split() if w.lower() not in PARTICLES]


def _fullest(forms: Iterable[str]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for f in forms:
        counts[f] += 1
    return min(counts, key=lambda s: (-len(s.split()), -len(s), -counts[s], s))


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.split() if w and w[0].isalpha() and w.lower() not in PARTICLES).upper()


def resolve(result: NlpResult, kb: KnowledgeBase | None = None, settings: dict[str, str] | None = None,
            decisions: Decisions | None = None) -> Extraction:
    """Merge mentions into entities and re-point relations and claims at them."""
    decisions = decisions or Decisions()
    groups = _group_mentions(result.mentions, kb, decisions)
    entities: list[Entity] = []
    entity_of: dict[Mention, Entity] = {}
    for (etype, _), (mentions, rules) in sorted(groups.items(), key=lambda kv: kv[0]):
        entity = _make_entity(etype, mentions, rules, kb, decisions)
        entities.append(entity)
        for m in mentions:
            entity_of[m] = entity
    relations = _relations(result, entity_of)
    claims = _claims(result, entity_of)
    facts = _model_facts(result, entity_of)
    entities.sort(key=lambda e: (e.type, e.key))
    return Extraction(result.document, tuple(entities), relations, claims, dict(settings or {}), facts)


def _model_facts(result: NlpResult, entity_of: dict[Mention, Entity]) -> tuple[ModelFact, ...]:
    seen: dict[tuple, ModelFact] = {}
    for f in result.model_facts:
        model = entity_of.get(f.model)
        if model is not None and model.type == "AIModel":
            key = (model.key, f.attribute, f.value)
            seen.setdefault(key, ModelFact(model, f.attribute, f.value, f.evidence))
    return tuple(seen[k] for k in sorted(seen))


Groups = dict[tuple[str, str], tuple[list[Mention], dict[str, str]]]  # key -> (mentions, form -> rule)


def _group_mentions(mentions: Iterable[Mention], kb: KnowledgeBase | None, decisions: Decisions) -> Groups:
    groups: Groups = {}

    def add(key: tuple[str, str], mention: Mention, rule: str) -> None:
        members, rules = groups.setdefault(key, ([], {}))
        members.append(mention)
        rules.setdefault(mention.text, rule)

    pending: list[Mention] = []
    merges = decisions.merges
    for m in mentions:
        if m.kb_id:
            add((m.type, "kb:" + m.kb_id), m, "kb-alias" if _is_alias(m, kb) else "exact")
        elif m.text in merges:
            target = merges[m.text]
            entry = kb.lookup(target, m.type) if kb is not None else None
            key: tuple[str, str] = (
                (m.type, f"kb:{entry.type}:{entry.id}") if entry else (m.type, "name:" + normalise(target))
            )
            add(key, m, "decision")
        else:
            pending.append(m)
    # full forms first, so that short forms can attach to them
    pending.sort(key=lambda m: (-len(_words(m.text)), m.span.start))
    for m in pending:
        key, rule = _attach(m, groups, decisions)
        add(key, m, rule)
    return groups


def _is_alias(m: Mention, kb: KnowledgeBase | None) -> bool:
    entry = kb.get(m.kb_id) if kb is not None and m.kb_id else None
    return entry is not None and m.text != entry.name


def _attach(m: Mention, groups: Groups, decisions: Decisions) -> tuple[tuple[str, str], str]:
    # Only the members' texts matter: each group's rules are keyed by its distinct texts, so a
    # long article naming someone a thousand times compares one text, not a thousand mentions.
    norm = normalise(m.text)
    same_type = [(k, v[1].keys()) for k, v in groups.items() if k[0] == m.type
                 and not any(decisions.kept_apart(m.text, x) for x in v[1])]
    for key, texts in same_type:
        if any(normalise(x) == norm for x in texts):
            return key, "spelling" if m.text not in texts else "exact"
    squashed = norm.replace(" ", "")
    for key, texts in same_type:  # "Open AI" / "OpenAI", "Deep Mind" / "DeepMind"
        if any(normalise(x).replace(" ", "") == squashed for x in texts):
            return key, "spelling"
    words = _words(m.text)
    if m.type == "Person" and len(words) >= 2 and words[0].lower() in HONORIFICS:
        words = words[1:]  # "Mme Pineau" is Pineau
    if m.type == "Person" and len(words) >= 2:
        variant = [key for key, texts in same_type if any(_surname_variant(words, _words(x)) for x in texts)]
        if len(set(variant)) == 1:
            return variant[0], "variant"
    if m.type == "Organization" and len(words) == 1 and len(norm) >= 8:
        typo = [key for key, texts in same_type
                if any(len(_words(x)) == 1 and _one_typo(norm, normalise(x)) for x in texts)]
        if len(set(typo)) == 1:
            return typo[0], "variant"  # "Infection" for "Inflection" in the same article
    if m.type == "Organization" and len(words) == 1:
        longer = [key for key, texts in same_type if any(_with_suffix(norm, normalise(x)) for x in texts)]
        if len(set(longer)) == 1:
            return longer[0], "suffix"
    if m.type == "Person" and len(words) == 1:
        surname = [key for key, texts in same_type
                   if any(len(_words(x)) >= 2 and words[0] == _words(x)[-1] for x in texts)]
        if len(set(surname)) == 1:
            return surname[0], "surname"
        given = [key for key, texts in same_type
                 if any(len(_words(x)) >= 2 and words[0] == _words(x)[0] for x in texts)]
        if len(set(given)) == 1:
            return given[0], "given-name"
    if m.type == "Organization" and m.text.isupper() and 2 <= len(m.text) <= 6:
        hits = [key for key, texts in same_type if any(_acronym(x) == m.text for x in texts
                                                       if len(x.split()) >= 2)]
        if len(set(hits)) == 1:
            return hits[0], "acronym"
    return (m.type, "name:" + norm), "exact"


def _surname_variant(words: list[str], other: list[str]) -> bool:
    """``Karl Tulys`` / ``Karl Tuyls``: the same given name, and surnames one typo apart (a letter
    changed, added, dropped, or two swapped) of five letters or more."""
    if len(words) != 2 or len(other) != 2 or words[0] != other[0] or words[1] == other[1]:
        return False
    a, b = normalise(words[1]), normalise(other[1])
    return min(len(a), len(b)) >= 5 and _one_typo(a, b)


def _one_typo(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _with_suffix(name: str, fuller: str) -> bool:
    """``Inflection`` / ``Inflection AI``: the fuller name is this one and a company suffix."""
    parts = fuller.split()
    return len(parts) == 2 and parts[0] == name and parts[1] in ORG_SUFFIXES


def _make_entity(etype: str, mentions: list[Mention], rules: dict[str, str], kb: KnowledgeBase | None,
                 decisions: Decisions) -> Entity:
    kb_id = next((m.kb_id for m in mentions if m.kb_id), None)
    entry = kb.get(kb_id) if kb is not None and kb_id else None
    forms = tuple(sorted({m.text for m in mentions}))
    merges = decisions.merges
    if entry is None:
        targets = {merges[m.text] for m in mentions if m.text in merges}
        entry = next((e for t in sorted(targets) if kb is not None and (e := kb.lookup(t, etype))), None)
        kb_id = f"{entry.type}:{entry.id}" if entry else None
    if entry is not None:
        name, key = entry.name, entry.id
    else:
        candidates = [merges.get(m.text, m.text) for m in mentions]
        name = _fullest(candidates)
        key = normalise(name)
    confidence = max(m.confidence for m in mentions)
    return Entity(
        type=etype,  # type: ignore[arg-type]
        key=key,
        name=name,
        forms=forms,
        mentions=tuple(sorted(mentions, key=lambda m: m.span.start)),
        kb_id=kb_id,
        confidence=confidence,
        merge_rules=tuple(sorted((form, rule) for form, rule in rules.items() if rule != "exact")),
    )


def _relations(result: NlpResult, entity_of: dict[Mention, Entity]) -> tuple[Relation, ...]:
    seen: dict[tuple, Relation] = {}
    for r in result.relations:
        s, o = entity_of.get(r.subject), entity_of.get(r.object)
        if s is None or o is None or s == o:
            continue
        key = (s.type, s.key, r.predicate, o.type, o.key, r.evidence)
        if key not in seen or r.confidence > seen[key].confidence:
            seen[key] = Relation(s, r.predicate, o, r.evidence, r.role, r.rule, r.confidence)
    return tuple(seen[k] for k in sorted(seen, key=lambda k: (k[5].start, k[:5])))


def _claims(result: NlpResult, entity_of: dict[Mention, Entity]) -> tuple[Claim, ...]:
    seen: dict[tuple, Claim] = {}
    for c in result.claims:
        speaker = entity_of.get(c.speaker)
        if speaker is None:
            continue
        about_set = {entity_of[a] for a in c.about if a in entity_of and entity_of[a] != speaker}
        about = tuple(sorted(about_set, key=lambda e: (e.type, e.key)))
        key = (c.evidence, speaker.type, speaker.key)
        if key not in seen:
            reporter = entity_of.get(c.reported_by) if c.reported_by is not None else None
            seen[key] = Claim(speaker, c.evidence, c.stance, c.kind, about, c.cue, c.confidence, c.hedge, reporter,
                               c.attribution)
    return tuple(seen[k] for k in sorted(seen, key=lambda k: (k[0].start, k[0].end, k[1], k[2])))
