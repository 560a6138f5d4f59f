"""Who ``il``, ``elle``, ``le dirigeant``, ``la ministre`` and ``la société`` stand for.

A light, rule-based coreference for speakers: the article's recently named people
(with their grammatical gender when their given name tells it) and organisations,
and the titles the article (or the knowledge base) gives them. ``le PDG de X`` is the
person known to hold that office at X; ``la dirigeante`` the last woman named;
``l'entreprise`` the organisation the article is about.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from kg.kb import read_word_list
from kg.nlp.grammar import org_noun
from kg.nlp.lexicon import DETERMINERS, ORG_NOUNS, ROLE_HEADS

PERSON_PRONOUNS = frozenset({"il", "elle", "lui"})
GROUP_PRONOUNS = frozenset({"ils", "elles", "eux"})
TITLE_WORDS = ROLE_HEADS | frozenset(
    """dirigeant dirigeante patron patronne entrepreneur entrepreneuse milliardaire médecin docteur docteure
    avocat avocate journaliste expert experte spécialiste chercheur chercheuse ministre commissaire
    scientifique informaticien informaticienne ingénieur ingénieure propriétaire fondateur fondatrice""".split()
)
# Nouns that stand for an organisation already named: "la société déplore", "l'entreprise confirme".
ORG_ANAPHORS = ORG_NOUNS - frozenset(
    "site média plateforme concurrent rival partenaire fournisseur spécialiste".split())
_FEMALE = read_word_list("first_names_female.txt")
_MALE = read_word_list("first_names.txt") - _FEMALE


@dataclass
class Salience:
    """The people and organisations named most recently, and the titles the article gives them."""

    people: list[Span] = field(default_factory=list)
    group: Span | None = None
    roles: dict[str, list[tuple[Span, str]]] = field(default_factory=dict)  # org text -> (person, title)
    org_counts: Counter[str] = field(default_factory=Counter)
    orgs: dict[str, Span] = field(default_factory=dict)

    @property
    def person(self) -> Span | None:
        return self.people[-1] if self.people else None

    def add(self, ent: Span) -> None:
        if ent.label_ == "PER":
            others = [p for p in self.people if p.text != ent.text]
            self.people = [*others[-7:], ent]
        elif ent.label_ == "ORG":
            self.group = ent

    def count(self, ents: list[Span]) -> None:
        for ent in ents:
            if ent.label_ == "ORG":
                key = ent.ent_id_ or ent.text
                self.org_counts[key] += 1
                self.orgs.setdefault(key, ent)

    def person_of(self, gender: str | None) -> Span | None:
        """The most recent person compatible with ``gender`` ("f", "m" or None for any)."""
        if gender is None:
            return self.person
        for ent in reversed(self.people):
            if gender_of(ent) in (gender, None):
                return ent
        return None

    def main_org(self) -> Span | None:
        """The organisation ``la société`` stands for: the one the article has named most so far
        (a source quoted once, "selon Bloomberg", is not what the article is about); on a tie, the
        last one in subject position."""
        if not self.org_counts:
            return self.group
        top = max(self.org_counts.values())
        if self.group is not None and self.org_counts.get(self.group.ent_id_ or self.group.text) == top:
            return self.group
        key = max(sorted(self.org_counts), key=lambda k: self.org_counts[k])
        return self.orgs[key]


def gender_of(person: Span) -> str | None:
    first = person.text.split()[0].split("-")[0]
    if first in _FEMALE:
        return "f"
    if first in _MALE:
        return "m"
    return None


def pronoun_gender(word: str) -> str | None:
    return {"il": "m", "lui": "m", "elle": "f"}.get(word)


def pronoun_target(pronoun: str, orgs_here: list[Span], salience: Salience) -> tuple[Span, ...]:
    if pronoun in GROUP_PRONOUNS:
        # "Chez Hugging Face, ils …": the organisation named in the same clause comes first
        target = orgs_here[-1] if orgs_here else salience.group or salience.person
    else:
        target = salience.person_of(pronoun_gender(pronoun))
    return (target,) if target is not None else ()


def org_anaphor(token: Token, salience: Salience) -> Span | None:
    """``la société``, ``l'entreprise``, ``la start-up éponyme``: the organisation the article
    is about, when ``token`` heads such a definite noun phrase."""
    word = org_noun(token)
    return salience.main_org() if word is not None and word in ORG_ANAPHORS else None


# "la Montréalaise", "le Français", "l'Américain": a demonym standing for a person named before
DEMONYM_RE = re.compile(r"[A-ZÉ][a-zéèêëïîôûç]+(?:ais|aise|ien|ienne|ain|aine|ois|oise|ique)")


def is_title(token: Token) -> bool:
    """A title word, or a capitalised demonym that is not itself a name (``le Parisien`` the paper)."""
    if token.lower_ in TITLE_WORDS:
        return True
    return not token.ent_type_ and bool(DEMONYM_RE.fullmatch(token.text))


def title_subject(sent: Span, cue: Token, ents: list[Span], salience: Salience) -> Span | None:
    """``Le dirigeant craint…``, ``… le PDG de Hugging Face exprime…``: a title standing for a person.

    The title must head the subject: a determiner and a title word, optionally ``de ORG``,
    right before the cue (adverbs allowed in between)."""
    doc = sent.doc
    k = cue.i - 1
    while k >= sent.start and (doc[k].pos_ in ("ADV", "AUX", "PRON") or doc[k].dep_.startswith("aux")):
        k -= 1
    org = next((e for e in ents if e.end == k + 1 and e.label_ == "ORG"), None)
    if org is not None:
        k = org.start - 1
        if k < sent.start or doc[k].lower_ not in ("de", "d'", "d’", "du", "chez"):
            return None
        k -= 1
    while k > sent.start and not is_title(doc[k]) and doc[k].pos_ in ("ADJ", "NUM", "NOUN", "ADP") \
            and not doc[k].is_punct and cue.i - k < 8:
        k -= 1  # "le directeur général", "la ministre déléguée", "le dirigeant de 32 ans"
    if k < sent.start or not is_title(doc[k]):
        return None
    if k - 1 >= sent.start and doc[k - 1].lower_ not in DETERMINERS:
        return None
    det = doc[k - 1].lower_ if k - 1 >= sent.start else ""
    title = doc[k : (org.start - 1) if org is not None else cue.i].text
    return title_holder(title, det, org, salience)


def title_at(sent: Span, start_char: int, ents: list[Span], salience: Salience) -> Span | None:
    """A title phrase starting at ``start_char`` (``le patron d'OpenAI``, ``la dirigeante``)."""
    doc = sent.doc
    k = next((t.i for t in sent if t.idx == start_char), None)
    if k is None or doc[k].lower_ not in DETERMINERS or k + 1 >= sent.end:
        return None
    det = doc[k].lower_
    j = k + 1
    while j < sent.end and doc[j].pos_ == "ADJ" and doc[j].is_lower and doc[j].lower_ not in TITLE_WORDS:
        j += 1  # "l'ex-commissaire", "le nouveau patron"
    if j >= sent.end or not is_title(doc[j]):
        return None
    head = j
    j += 1
    while j < sent.end and doc[j].pos_ == "ADJ" and doc[j].is_lower:
        j += 1
    org = None
    if j + 1 < sent.end and doc[j].lower_ in ("de", "d'", "d’", "du", "chez"):
        org = next((e for e in ents if e.start == j + 1 and e.label_ == "ORG"), None)
    if org is not None and doc[head].lower_ in SPOKESPERSON_TITLES:
        return org  # "un porte-parole de Google a indiqué": the organisation speaks through them
    if det in ("un", "une"):
        return None  # "selon un chercheur": someone not named, not a person named earlier
    return title_holder(doc[head:j].text, det, org, salience)


# Titles whose holder speaks for the organisation, not for themselves.
SPOKESPERSON_TITLES = frozenset("porte-parole représentant représentante".split())


def title_holder(title: str, det: str, org: Span | None, salience: Salience) -> Span | None:
    """The person a title stands for: the holder of that office at ``org`` in this article (or the
    KB), else the most recent person of the title's gender."""
    if org is not None:
        holders = salience.roles.get(org.text) or salience.roles.get(org.ent_id_ or "")
        wanted = title_class(title)
        same = [p for p, t in holders or [] if title_class(t) == wanted and wanted]
        if same:
            return same[0]
        return holders[0][0] if holders and len({p.text for p, _ in holders}) == 1 else None
    return salience.person_of(title_gender(title, det))


def title_gender(title: str, det: str) -> str | None:
    if det in ("la", "une", "cette", "sa"):
        return "f"
    head = title.split()[0].lower() if title else ""
    if head.endswith(("trice", "euse", "ante", "ente", "onne", "ière", "esse")) or head in _FEMININE_TITLES:
        return "f"
    if det in ("le", "un", "ce", "cet", "son"):
        return "m"
    return None


# Titles that name the same office: "le directeur général de X" is X's PDG or CEO.
_TITLE_CLASSES = {
    "chief-executive": re.compile(r"\b(?:pdg|ceo|directeur général|directrice générale|dg|patron|patronne|"
                                  r"président-directeur général|présidente-directrice générale|chief executive)\b"),
    "chief-technology": re.compile(r"\b(?:cto|directeur technique|directrice technique)\b"),
    "chief-science": re.compile(r"\b(?:directeur scientifique|directrice scientifique|chief scientist)\b"),
    "chair": re.compile(r"(?<!vice-)(?<!vice )\b(?:président|présidente|chairman)\b"),
}


def title_class(title: str) -> str | None:
    low = title.lower()
    for name, rx in _TITLE_CLASSES.items():
        if rx.search(low):
            return name
    return None


_FEMININE_TITLES = frozenset("présidente directrice dirigeante fondatrice cofondatrice patronne chercheuse "
                             "ingénieure associée avocate".split())


__all__ = ["GROUP_PRONOUNS", "PERSON_PRONOUNS", "TITLE_WORDS", "Salience", "gender_of", "org_anaphor",
           "pronoun_gender", "pronoun_target", "title_at", "title_class", "title_holder", "title_subject"]
