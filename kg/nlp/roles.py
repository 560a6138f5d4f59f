"""Roles: who works for which organisation, with the title as written (``le PDG de X``,
``X, directrice scientifique de Y``, ``X, qui dirige Y``, ``Y, dirigée par X``)."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span

from kg.nlp.grammar import (
    COORD_WORDS,
    PAST_MARKERS,
    PREPOSITIONS_OF,
    Found,
    date_end,
    ent_at,
    has_role_head,
    join_elisions,
    label,
    org_after_preposition,
    role_facts,
    role_word,
    token_before,
)
from kg.nlp.lexicon import DETERMINERS
from kg.nlp.titles import at_the_head, possessive_titles, post_of, whose_title


def roles(sent: Span, ents: list[Span]) -> Iterator[Found]:
    doc = sent.doc
    for org in (e for e in ents if label(e) == "ORG"):
        prep = token_before(doc, org.start, sent)
        if prep is not None and prep.lower_ in ("la", "l'", "l’", "le") and prep.i > sent.start:
            prep = doc[prep.i - 1]  # "La présidente de la Commission européenne, Ursula von der Leyen"
        if prep is None or prep.lower_ not in PREPOSITIONS_OF | {"à", "au"}:  # "professeure à l'Université X"
            continue
        title = _title_before(doc, prep.i, sent)
        if title is None or _apposed_to_person_before(doc, prep.i, ents, sent):
            continue
        words, plural = title
        people = _people_after(doc, org, ents, sent)
        rule = "title-of-org-apposition" if people and doc[org.end].text != "(" else "title-of-org-name"
        for person in people:
            yield from role_facts(person, org, words, plural, rule, 0.9)
    for person in (e for e in ents if label(e) == "PER"):
        yield from _role_after_person(doc, person, ents, sent)
    for org in (e for e in ents if label(e) == "ORG"):
        yield from _led_by(doc, org, ents, sent)
    yield from _copula_roles(sent, ents)
    yield from possessive_titles(sent, ents)
    yield from at_the_head(sent, ents)
    yield from whose_title(sent, ents)
    yield from post_of(sent, ents)


def titles_without_name(sent: Span, ents: list[Span]) -> Iterator[tuple[str, Span]]:
    """``Le directeur scientifique de Meta conseille…``: a title of an organisation that names no
    one; the pipeline gives it to the person the article (or the knowledge base) says holds it."""
    doc = sent.doc
    for org in (e for e in ents if label(e) == "ORG"):
        prep = token_before(doc, org.start, sent)
        if prep is not None and prep.lower_ in ("la", "l'", "l’", "le") and prep.i > sent.start:
            prep = doc[prep.i - 1]
        if prep is None or prep.lower_ not in PREPOSITIONS_OF:
            continue
        title = _title_before(doc, prep.i, sent)
        if title is None or title[1] or _people_after(doc, org, ents, sent) \
                or _apposed_to_person_before(doc, prep.i, ents, sent):
            continue  # "X, vice-président chargé de l'IA chez Y,": the title is X's, it names someone
        if any(w.lower().rstrip("-") in PAST_MARKERS or w.lower().startswith("ex-") for w in title[0].split()):
            continue
        yield title[0], org


_IN_CHARGE = frozenset({"chargé", "chargée", "chargés", "chargées"})
LEAD_VERBS = {"dirige": None, "dirigeait": None, "préside": None, "présidait": None, "pilote": None}
FOUND_VERBS = frozenset("fondé cofondé co-fondé créé".split())
LED_BY_FORMS = frozenset("dirigé dirigée dirigés dirigées présidé présidée piloté pilotée".split())


def _role_after_person(doc: Doc, person: Span, ents: list[Span], sent: Span) -> Iterator[Found]:
    i = person.end
    paren = next((k for k in range(i, min(i + 3, sent.end)) if doc[k].text == "("), None)
    if paren is not None and paren + 3 < sent.end and doc[paren + 1].lower_ in DETERMINERS:
        found = list(_title_in_parentheses(doc, person, ents, paren + 1, sent))
        if found:
            yield from found
            return
    if i + 2 < sent.end and doc[i].text == "(" and doc[i + 1].ent_type_ == "ORG":
        org = ent_at(ents, i + 1)  # "Sam Altman (OpenAI)"
        if org is not None and label(org) == "ORG" and org.end < sent.end and doc[org.end].text == ")":
            yield Found(person, "worksFor", org, None, "person-parenthesis-org", 0.75)
        return
    if i + 2 < sent.end and doc[i].text == "," and doc[i + 1].lower_ == "qui":
        yield from _relative_clause(doc, person, ents, i + 2, sent)
        return
    if i < sent.end and doc[i].lower_ in PREPOSITIONS_OF:
        org = ent_at(ents, i + 1)
        if org is not None and label(org) == "ORG" and _attached_to(org, person):
            yield Found(person, "worksFor", org, None, "person-of-org", 0.6)
        return
    if i >= sent.end or doc[i].text != ",":
        return
    j = i + 1
    if j < sent.end and doc[j].lower_ in DETERMINERS:
        j += 1
    for k in range(j, min(j + 12, sent.end)):
        token = doc[k]
        if token.lower_ in PREPOSITIONS_OF or token.lower_ in ("au", "à"):
            org = org_after_preposition(doc, ents, k + 1, sent)
            words = [t.text for t in doc[j:k]]
            if org is not None and has_role_head(words):
                yield from role_facts(person, org, " ".join(join_elisions(words)), False,
                                       "person-apposition-title-of-org", 0.9)
                for other in _coordinated_orgs(doc, ents, org, sent):  # "PDG de Google et d'Alphabet"
                    yield from role_facts(person, other, " ".join(join_elisions(words)), False,
                                           "person-apposition-title-of-org", 0.85)
                return
            continue  # "responsable de l'innovation chez X": the organisation comes later
        if ent_at(ents, k) is not None or token.text in (",", ";", ":", "(") or \
                (token.pos_ == "VERB" and not role_word(token.lower_) and token.lower_ not in _IN_CHARGE):
            return  # "associée" is often tagged a verb; "vice-président chargé de l'IA chez X" is one title


def _title_in_parentheses(doc: Doc, person: Span, ents: list[Span], j: int, sent: Span) -> Iterator[Found]:
    """``Satya Nadella (le CEO de Microsoft)``: a title of an organisation in parentheses."""
    for k in range(j + 1, min(j + 8, sent.end)):
        if doc[k].text == ")":
            return
        if doc[k].lower_ in PREPOSITIONS_OF:
            org = org_after_preposition(doc, ents, k + 1, sent)
            words = [t.text for t in doc[j + 1 : k]]
            if org is not None and has_role_head(words):
                yield from role_facts(person, org, " ".join(join_elisions(words)), False,
                                       "person-parenthesis-title-of-org", 0.85)
            return


def _coordinated_orgs(doc: Doc, ents: list[Span], org: Span, sent: Span) -> list[Span]:
    out = []
    k = org.end
    while k + 1 < sent.end and doc[k].lower_ == "et":
        # "PDG de Google et d'Alphabet", "directeur général de SpaceX et Tesla"
        start = k + 2 if doc[k + 1].lower_ in PREPOSITIONS_OF else k + 1
        other = org_after_preposition(doc, ents, start, sent)
        if other is None:
            break
        out.append(other)
        k = other.end
    return out


def _relative_clause(doc: Doc, person: Span, ents: list[Span], k: int, sent: Span) -> Iterator[Found]:
    """``X, qui dirige Y,`` (a role with no title) and ``X, qui a fondé Y,`` (a founder)."""
    while k < sent.end and (doc[k].pos_ in ("AUX", "ADV") or doc[k].dep_.startswith("aux")):
        k += 1
    if k + 1 >= sent.end:
        return
    verb = doc[k].lower_
    org = ent_at(ents, k + 1)
    if org is None or label(org) != "ORG":
        return
    if verb in LEAD_VERBS:
        yield Found(person, "worksFor", org, None, "person-who-leads-org", 0.8)
    elif verb in FOUND_VERBS:
        yield Found(org, "founder", person, None, "person-who-founded-org", 0.85)


def _led_by(doc: Doc, org: Span, ents: list[Span], sent: Span) -> Iterator[Found]:
    """``Mistral AI, dirigée par Arthur Mensch,``: the leader works for the organisation."""
    k = org.end + 1 if org.end < sent.end and doc[org.end].text == "," else org.end
    if k + 2 < sent.end and doc[k].lower_ in LED_BY_FORMS and doc[k + 1].lower_ == "par":
        person = ent_at(ents, k + 2)
        if person is not None and label(person) == "PER":
            yield Found(person, "worksFor", org, None, "org-led-by-person", 0.8)


def _attached_to(dependent: Span, head: Span) -> bool:
    """The parse attaches ``de ORG`` to the person (``Jeff Boudier de Hugging Face``), not to a verb
    (``que pense Sam Altman de DeepSeek``, ``accuser X d'Y``)."""
    return any(t.head.i in range(head.start, head.end) and t.dep_.startswith("nmod") for t in dependent)




def _title_before(doc: Doc, prep_i: int, sent: Span) -> tuple[str, bool] | None:
    """``le PDG`` / ``les responsables de la recherche en IA`` just before the ``de``/``chez``."""
    for j in range(prep_i - 1, max(sent.start - 1, prep_i - 9), -1):
        token = doc[j]
        if token.text in (",", ";", ":", "(", ")") or token.ent_type_:
            return None
        if role_word(token.lower_):
            det = doc[j - 1] if j - 1 >= sent.start else None
            if det is not None and det.lower_ not in DETERMINERS and det.text not in (",",) and j != sent.start:
                continue
            words = [t.text for t in doc[j:prep_i]]
            return " ".join(join_elisions(words)), bool(det is not None and det.lower_ == "les")
    return None


def _apposed_to_person_before(doc: Doc, prep_i: int, ents: list[Span], sent: Span) -> bool:
    """``Xavier Niel, le fondateur d'Iliad, Rodolphe Saadé, …``: the title belongs to the person
    before it, not to the one after (the person-apposition rule reads it)."""
    k = prep_i - 1
    while k > sent.start and doc[k].text != ",":
        k -= 1
    if k <= sent.start or doc[k].text != ",":
        return False
    return any(e.end == k and label(e) == "PER" for e in ents)


COPULAS = frozenset("est était devient devenir reste demeure".split())
BECOME_FORMS = frozenset({"devenir"})
ANNOUNCE_FORMS = frozenset("annonce annoncé va doit pourrait".split())


def _copula_roles(sent: Span, ents: list[Span]) -> Iterator[Found]:
    """``X, venu de Meta, est le directeur scientifique de Y, et Z son directeur technique``."""
    doc = sent.doc
    for person in (e for e in ents if label(e) == "PER"):
        k = _skip_apposition_commas(doc, person.end, sent)
        if k + 1 < sent.end and doc[k].lower_ in ANNOUNCE_FORMS and doc[k + 1].lower_ in BECOME_FORMS:
            k += 1  # "X annonce devenir directeur de la recherche de Y"
        if k >= sent.end or doc[k].lower_ not in COPULAS:
            continue
        j = k + 1
        if j < sent.end and doc[j].lower_ in ("devenu", "devenue", "désormais", "aussi", "également"):
            j += 1
        if j >= sent.end or (doc[j].lower_ not in DETERMINERS and not role_word(doc[j].lower_)):
            continue
        j = j if doc[j].lower_ in DETERMINERS else j - 1
        for m in range(j + 1, min(j + 12, sent.end)):
            if doc[m].is_punct:
                break
            if doc[m].lower_ in PREPOSITIONS_OF:
                org = org_after_preposition(doc, ents, m + 1, sent)
                if org is None:
                    continue  # "directeur de la recherche sur l'IA de Meta": the organisation comes later
                words = [t.text for t in doc[j + 1 : m]]
                if org is not None and label(org) == "ORG" and has_role_head(words):
                    title = " ".join(join_elisions(words))
                    yield from role_facts(person, org, title, False, "person-is-title-of-org", 0.85)
                    # "…, et Z son directeur technique": a second person, same organisation
                    n = org.end
                    if n + 2 < sent.end and doc[n].text == "," and doc[n + 1].lower_ == "et":
                        other = ent_at(ents, n + 2)
                        if other is not None and label(other) == "PER" and other.end < sent.end \
                                and doc[other.end].lower_ in ("son", "sa", "leur"):
                            end = other.end + 1
                            while end < sent.end and not doc[end].is_punct:
                                end += 1
                            words2 = [t.text for t in doc[other.end + 1 : end]]
                            if has_role_head(words2):
                                yield from role_facts(other, org, " ".join(words2), False,
                                                       "person-is-title-of-org", 0.8)
                break


def _past_a_date(doc: Doc, i: int, sent: Span) -> int:
    """After ``depuis 2022`` / ``depuis mars 2024`` / ``en 2019`` when a comma follows it, else ``i``."""
    j = date_end(doc, i, sent.end)
    return j if j > i and j < sent.end and doc[j].text == "," else i


def _skip_apposition_commas(doc: Doc, i: int, sent: Span) -> int:
    """After a name, skip one apposition between commas: ``X, venu de Meta, est …``."""
    if i < sent.end and doc[i].text == ",":
        k = i + 1
        while k < sent.end and k - i < 10 and doc[k].text != ",":
            k += 1
        if k < sent.end and doc[k].text == ",":
            return k + 1
    return i


def _people_after(doc: Doc, org: Span, ents: list[Span], sent: Span) -> list[Span]:
    """The person or coordination of people named right after ``… de ORG``, apposed or not."""
    i = org.end
    if i < sent.end and doc[i].text == "(":  # skip a parenthesis: "de Hugging Face (…)"
        while i < sent.end and doc[i].text != ")":
            i += 1
        i += 1
    i = _past_a_date(doc, i, sent)  # "Directrice générale de Nexa depuis 2022, Julie Martin"
    if i < sent.end and doc[i].text == ",":
        i += 1
    people: list[Span] = []
    while i < sent.end:
        ent = ent_at(ents, i)
        if ent is None or label(ent) != "PER":
            break
        people.append(ent)
        i = ent.end
        if i < sent.end and doc[i].text in COORD_WORDS and ent_at(ents, i + 1) is not None:
            i += 1
        elif i + 1 < sent.end and doc[i].text == "," and doc[i + 1].lower_ == "et":
            i += 2
        else:
            break
    return people








