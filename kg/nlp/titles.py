"""Roles stated by a title in passing: ``son PDG X``, ``X, son directeur général`` (the possessive
stands for an organisation), ``à la tête de Y, X``."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span

from kg.nlp.grammar import (
    PREPOSITIONS_OF,
    Found,
    has_role_head,
    label,
    org_after_preposition,
    org_noun,
    role_facts,
    role_word,
)


def possessive_titles_without_org(sent: Span, ents: list[Span]) -> Iterator[tuple[Span, str]]:
    """``Dario Amodei, son directeur général,`` and ``Son PDG, Jensen Huang, a assuré…`` in a sentence
    that names no organisation: the possessive stands for the organisation the article is about
    (the pipeline, which sees the whole article, decides which)."""
    doc = sent.doc
    if any(label(e) == "ORG" for e in ents):
        return
    for person in (e for e in ents if label(e) == "PER"):
        k = person.end  # "X, son directeur général"
        if k + 2 < sent.end and doc[k].text == "," and doc[k + 1].lower_ in ("son", "sa", "leur"):
            words = _title_words(doc, k + 2, sent)
            if words:
                yield person, " ".join(words)
                continue
        if k + 3 < sent.end and doc[k].text == ",":
            title = _title_of_org_noun(doc, k + 1, sent)
            if title:  # "Théo Brunel, directeur technique de la start-up,"
                yield person, title
                continue
        k = person.start - 1  # "Son PDG, X" / "son PDG X"
        if k > sent.start and doc[k].text == ",":
            k -= 1
        j = k
        while j > sent.start and (role_word(doc[j].lower_) or (doc[j].pos_ == "ADJ" and doc[j].is_lower)):
            j -= 1
        if j < k and doc[j].lower_ in ("son", "sa", "leur") and has_role_head([t.text for t in doc[j + 1 : k + 1]]):
            yield person, " ".join(t.text for t in doc[j + 1 : k + 1])

def _title_of_org_noun(doc: Doc, k: int, sent: Span) -> str | None:
    """``directeur technique de la start-up`` (then punctuation): a title at the organisation an
    organisation noun stands for."""
    words, k = _title_run(doc, k, sent)
    if not has_role_head(words) or k + 2 >= sent.end or doc[k].lower_ not in ("de", "d'", "d’"):
        return None
    if doc[k + 1].lower_ not in ("la", "l'", "l’", "le") or not (
            org_noun(doc[k + 2]) or (k + 3 < sent.end and org_noun(doc[k + 3]))):
        return None
    end = k + 3
    while end < sent.end and (doc[end].lower_ in ("-", "up", "pousse")
                              or (doc[end].pos_ == "ADJ" and doc[end].is_lower)):
        end += 1
    return " ".join(words) if end >= sent.end or doc[end].is_punct else None


def _title_words(doc: Doc, k: int, sent: Span) -> list[str]:
    words, k = _title_run(doc, k, sent)
    return words if has_role_head(words) and (k >= sent.end or doc[k].is_punct) else []


def _title_run(doc: Doc, k: int, sent: Span) -> tuple[list[str], int]:
    """Up to four title words and lower-case adjectives from ``k``, and where they stop."""
    words: list[str] = []
    while k < sent.end and (role_word(doc[k].lower_) or (doc[k].pos_ == "ADJ" and doc[k].is_lower)) and len(words) < 4:
        words.append(doc[k].text)
        k += 1
    return words, k

def possessive_titles(sent: Span, ents: list[Span]) -> Iterator[Found]:
    """``ByteDance … a rappelé son PDG Liang Rubo``: ``son``/``sa`` + a title + a name, the
    possessive standing for the organisation the sentence names first."""
    doc = sent.doc
    orgs = [e for e in ents if label(e) == "ORG"]
    for person in (e for e in ents if label(e) == "PER"):
        k = person.start - 1
        words: list[str] = []
        while k > sent.start and (role_word(doc[k].lower_) or (doc[k].pos_ == "ADJ" and doc[k].is_lower)) \
                and len(words) < 4:
            words.insert(0, doc[k].text)
            k -= 1
        if not words or not has_role_head(words) or doc[k].lower_ not in ("son", "sa", "leur"):
            continue
        owner = next((o for o in orgs if o.end <= k), None)
        if owner is not None:
            yield from role_facts(person, owner, " ".join(words), False, "possessive-title-person", 0.7)

def whose_title(sent: Span, ents: list[Span]) -> Iterator[Found]:
    """``AMD, dont la directrice générale Lisa Su…``: the title of a person the relative ``dont``
    ties to the organisation before it."""
    doc = sent.doc
    for org in (e for e in ents if label(e) == "ORG"):
        k = org.end
        if k + 3 >= sent.end or doc[k].text != "," or doc[k + 1].lower_ != "dont" \
                or doc[k + 2].lower_ not in ("le", "la", "l'", "l’", "les"):
            continue
        j = k + 3
        words: list[str] = []
        while j < sent.end and len(words) < 4 and (role_word(doc[j].lower_)
                                                   or (doc[j].pos_ == "ADJ" and doc[j].is_lower)):
            words.append(doc[j].text)
            j += 1
        person = next((e for e in ents if e.start == j and label(e) == "PER"), None)
        if person is not None and has_role_head(words):
            yield from role_facts(person, org, " ".join(words), False, "org-whose-title-person", 0.8)


POST_NOUNS = frozenset({"poste", "fonctions", "fonction", "rôle"})


def post_of(sent: Span, ents: list[Span]) -> Iterator[Found]:
    """``X … son poste de vice-présidente de la recherche (IA) chez Y``, ``ses fonctions de directeur
    chez Y``: the office of the one person the sentence names."""
    doc = sent.doc
    people = [e for e in ents if label(e) == "PER"]
    if len({p.text for p in people}) != 1:
        return
    for k in range(sent.start, sent.end - 3):
        if doc[k].lower_ not in POST_NOUNS or doc[k + 1].lower_ not in ("de", "d'", "d’"):
            continue
        words = [doc[k + 2].text] if role_word(doc[k + 2].lower_) else []
        if not words:
            continue
        for j in range(k + 3, min(k + 16, sent.end)):
            if doc[j].lower_ in ("chez", "de", "d'", "d’", "du", "à", "au"):
                org = org_after_preposition(doc, ents, j + 1, sent)
                if org is not None and label(org) == "ORG":
                    title = " ".join(t.text for t in doc[k + 2 : j] if not t.is_punct)
                    yield from role_facts(people[0], org, title, False, "person-post-of-org", 0.75)
                    break
            if doc[j].text in (",", ";", ".") or label_at(ents, j) == "PER":
                break


def label_at(ents: list[Span], i: int) -> str:
    return next((label(e) for e in ents if e.start <= i < e.end), "")


def at_the_head(sent: Span, ents: list[Span]) -> Iterator[Found]:
    """``À la tête de la start-up Mistral AI, Arthur Mensch…`` and ``Sam Altman, l'homme à la tête
    d'OpenAI``: the person leads the organisation."""
    doc = sent.doc
    for k in range(sent.start + 2, sent.end - 2):
        if doc[k].lower_ != "tête" or doc[k - 1].lower_ != "la" or doc[k - 2].lower_ not in ("à", "a"):
            continue
        opens = k - 2 == sent.start or doc[k - 3].is_punct or "\n" in doc[k - 3].text_with_ws
        if doc[k + 1].lower_ not in PREPOSITIONS_OF:
            continue
        org = org_after_preposition(doc, ents, k + 2, sent)
        if org is None:
            continue
        person = None
        if opens and org.end < sent.end and doc[org.end].text == ",":
            person = next((e for e in ents if e.start == org.end + 1 and label(e) == "PER"), None)
        else:
            before = [e for e in ents if label(e) == "PER" and e.end <= k - 2 and k - 2 - e.end <= 4]
            person = before[-1] if before else None
        if person is not None:
            yield Found(person, "worksFor", org, "à la tête", "person-at-the-head-of-org", 0.8)
