"""Relations read from the grammar of a sentence: roles, founders, developers.

The rules work on the sequence of tokens and entity spans of one sentence, with the
French function words that carry these relations (``de``, ``chez``, apposition
commas, coordination ``X, Y et Z``, ``fondé par``, ``a lancé``). Each rule has a
name, recorded as ``kg:extractedBy`` on the fact, and a confidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.nlp.lexicon import DETERMINERS, FOUNDER_HEADS, MODEL_NOUNS, MODEL_VERBS, ROLE_HEADS
from kg.nlp.tokens import positions_in, word_positions

PREPOSITIONS_OF = frozenset({"de", "d'", "d’", "du", "chez"})
COORD_WORDS = frozenset({",", "et"})
FOUND_LEMMAS = frozenset({"fonder", "cofonder", "co-fonder"})
FOUND_FORMS = frozenset("fondé fondée fondés fondées cofondé cofondée cofondés cofondées co-fondé co-fondée".split())
DEVELOPED_BY_FORMS = frozenset("""
    développé développée développés conçu conçue créé créée lancé lancée entraîné entraînée publié publiée
""".split())


@dataclass(frozen=True)
class Found:
    """One relation between two entity spans (indices into the sentence's entity list)."""

    subject: Span
    predicate: str  # worksFor | founder | creator, direction as in the graph
    object: Span
    role: str | None
    rule: str
    confidence: float


def find_relations(sent: Span, ents: list[Span]) -> Iterator[Found]:
    """Every relation the rules find in one sentence."""
    yield from _roles(sent, ents)
    yield from _founders(sent, ents)
    yield from _developers(sent, ents)


def label(ent: Span) -> str:
    return ent.label_


# -- roles ---------------------------------------------------------------------------
def _roles(sent: Span, ents: list[Span]) -> Iterator[Found]:
    doc = sent.doc
    for org in (e for e in ents if label(e) == "ORG"):
        prep = _token_before(doc, org.start, sent)
        if prep is not None and prep.lower_ in ("la", "l'", "l’", "le") and prep.i > sent.start:
            prep = doc[prep.i - 1]  # "La présidente de la Commission européenne, Ursula von der Leyen"
        if prep is None or prep.lower_ not in PREPOSITIONS_OF:
            continue
        title = _title_before(doc, prep.i, sent)
        if title is None or _apposed_to_person_before(doc, prep.i, ents, sent):
            continue
        words, plural = title
        people = _people_after(doc, org, ents, sent)
        rule = "title-of-org-apposition" if people and doc[org.end].text != "(" else "title-of-org-name"
        for person in people:
            yield from _role_facts(person, org, words, plural, rule, 0.9)
    for person in (e for e in ents if label(e) == "PER"):
        yield from _role_after_person(doc, person, ents, sent)
    for org in (e for e in ents if label(e) == "ORG"):
        yield from _led_by(doc, org, ents, sent)
    yield from _copula_roles(sent, ents)


LEAD_VERBS = {"dirige": None, "dirigeait": None, "préside": None, "présidait": None, "pilote": None}
FOUND_VERBS = frozenset("fondé cofondé co-fondé créé".split())
LED_BY_FORMS = frozenset("dirigé dirigée dirigés dirigées présidé présidée piloté pilotée".split())


def _role_after_person(doc: Doc, person: Span, ents: list[Span], sent: Span) -> Iterator[Found]:
    i = person.end
    if i + 2 < sent.end and doc[i].text == "(" and doc[i + 1].ent_type_ == "ORG":
        org = _ent_at(ents, i + 1)  # "Sam Altman (OpenAI)"
        if org is not None and label(org) == "ORG" and org.end < sent.end and doc[org.end].text == ")":
            yield Found(person, "worksFor", org, None, "person-parenthesis-org", 0.75)
        return
    if i + 2 < sent.end and doc[i].text == "," and doc[i + 1].lower_ == "qui":
        yield from _relative_clause(doc, person, ents, i + 2, sent)
        return
    if i < sent.end and doc[i].lower_ in PREPOSITIONS_OF:
        org = _ent_at(ents, i + 1)
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
            org = _org_after_preposition(doc, ents, k + 1, sent)
            words = [t.text for t in doc[j:k]]
            if org is not None and _has_role_head(words):
                yield from _role_facts(person, org, " ".join(_join_elisions(words)), False,
                                       "person-apposition-title-of-org", 0.9)
                for other in _coordinated_orgs(doc, ents, org, sent):  # "PDG de Google et d'Alphabet"
                    yield from _role_facts(person, other, " ".join(_join_elisions(words)), False,
                                           "person-apposition-title-of-org", 0.85)
                return
            continue  # "responsable de l'innovation chez X": the organisation comes later
        if _ent_at(ents, k) is not None or token.text in (",", ";", ":", "(") or \
                (token.pos_ == "VERB" and not _role_word(token.lower_)):  # "associée" is often tagged a verb
            return


def _org_after_preposition(doc: Doc, ents: list[Span], k: int, sent: Span) -> Span | None:
    """The organisation right after ``de``/``chez``/``au``, allowing ``la``, an organisation noun
    and an adjective in between: ``de la Commission``, ``de l'allemand Aleph Alpha``,
    ``au cabinet pékinois Huaxin Insights``."""
    from kg.nlp.lexicon import ORG_NOUNS

    for _ in range(4):
        org = _ent_at(ents, k)
        if org is not None:
            return org if label(org) == "ORG" else None
        if k >= sent.end:
            return None
        t = doc[k]
        if t.lower_ in ("la", "l'", "l’", "le") or t.lower_ in ORG_NOUNS or (t.pos_ in ("ADJ", "NOUN") and t.is_lower):
            k += 1
            continue
        return None
    return None


def _coordinated_orgs(doc: Doc, ents: list[Span], org: Span, sent: Span) -> list[Span]:
    out = []
    k = org.end
    while k + 1 < sent.end and doc[k].lower_ == "et" and doc[k + 1].lower_ in PREPOSITIONS_OF:
        other = _org_after_preposition(doc, ents, k + 2, sent)
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
    org = _ent_at(ents, k + 1)
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
        person = _ent_at(ents, k + 2)
        if person is not None and label(person) == "PER":
            yield Found(person, "worksFor", org, None, "org-led-by-person", 0.8)


def _attached_to(dependent: Span, head: Span) -> bool:
    """The parse attaches ``de ORG`` to the person (``Jeff Boudier de Hugging Face``), not to a verb
    (``que pense Sam Altman de DeepSeek``, ``accuser X d'Y``)."""
    return any(t.head.i in range(head.start, head.end) and t.dep_.startswith("nmod") for t in dependent)


PAST_MARKERS = frozenset({"ancien", "ancienne", "anciens", "anciennes", "ex", "ex-", "feu", "premier", "première"})


def _role_facts(person: Span, org: Span, title: str, plural: bool, rule: str, conf: float) -> Iterator[Found]:
    """A title gives a role; a founder's title gives a founder, and a role only if it names
    another office too (``cofondateur et PDG``): a cofounder may have left long ago.
    A former office (``l'ancien patron de Google``) gives no current role."""
    role = _singular(title) if plural else title
    if any(w.lower().rstrip("-") in PAST_MARKERS or w.lower().startswith("ex-") for w in role.split()):
        return
    words = [w.lower() for w in role.replace("-", " - ").split()]
    founder = any(w in FOUNDER_HEADS or w.replace(" - ", "-") in FOUNDER_HEADS for w in words)
    other_office = any(_role_word(w) and w not in FOUNDER_HEADS and w not in ("membre",) for w in words)
    if other_office or not founder:
        yield Found(person, "worksFor", org, role, rule, conf)
    if founder:
        yield Found(org, "founder", person, None, rule + "-founder", conf)


def _title_before(doc: Doc, prep_i: int, sent: Span) -> tuple[str, bool] | None:
    """``le PDG`` / ``les responsables de la recherche en IA`` just before the ``de``/``chez``."""
    for j in range(prep_i - 1, max(sent.start - 1, prep_i - 9), -1):
        token = doc[j]
        if token.text in (",", ";", ":", "(", ")") or token.ent_type_:
            return None
        if _role_word(token.lower_):
            det = doc[j - 1] if j - 1 >= sent.start else None
            if det is not None and det.lower_ not in DETERMINERS and det.text not in (",",) and j != sent.start:
                continue
            words = [t.text for t in doc[j:prep_i]]
            return " ".join(_join_elisions(words)), bool(det is not None and det.lower_ == "les")
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


def _copula_roles(sent: Span, ents: list[Span]) -> Iterator[Found]:
    """``X, venu de Meta, est le directeur scientifique de Y, et Z son directeur technique``."""
    doc = sent.doc
    for person in (e for e in ents if label(e) == "PER"):
        k = _skip_apposition_commas(doc, person.end, sent)
        if k >= sent.end or doc[k].lower_ not in ("est", "était", "devient", "est devenu", "est devenue", "reste"):
            continue
        j = k + 1
        if j < sent.end and doc[j].lower_ in ("devenu", "devenue", "désormais", "aussi", "également"):
            j += 1
        if j >= sent.end or doc[j].lower_ not in DETERMINERS:
            continue
        for m in range(j + 1, min(j + 8, sent.end)):
            if doc[m].lower_ in PREPOSITIONS_OF:
                org = _ent_at(ents, m + 1)
                words = [t.text for t in doc[j + 1 : m]]
                if org is not None and label(org) == "ORG" and _has_role_head(words):
                    title = " ".join(_join_elisions(words))
                    yield from _role_facts(person, org, title, False, "person-is-title-of-org", 0.85)
                    # "…, et Z son directeur technique": a second person, same organisation
                    n = org.end
                    if n + 2 < sent.end and doc[n].text == "," and doc[n + 1].lower_ == "et":
                        other = _ent_at(ents, n + 2)
                        if other is not None and label(other) == "PER" and other.end < sent.end \
                                and doc[other.end].lower_ in ("son", "sa", "leur"):
                            end = other.end + 1
                            while end < sent.end and not doc[end].is_punct:
                                end += 1
                            words2 = [t.text for t in doc[other.end + 1 : end]]
                            if _has_role_head(words2):
                                yield from _role_facts(other, org, " ".join(words2), False,
                                                       "person-is-title-of-org", 0.8)
                break


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
    if i < sent.end and doc[i].text == ",":
        i += 1
    people: list[Span] = []
    while i < sent.end:
        ent = _ent_at(ents, i)
        if ent is None or label(ent) != "PER":
            break
        people.append(ent)
        i = ent.end
        if i < sent.end and doc[i].text in COORD_WORDS and _ent_at(ents, i + 1) is not None:
            i += 1
        elif i + 1 < sent.end and doc[i].text == "," and doc[i + 1].lower_ == "et":
            i += 2
        else:
            break
    return people


def _role_word(word: str) -> bool:
    return word in ROLE_HEADS or (word.endswith(("s", "x")) and word[:-1] in ROLE_HEADS)


def _has_role_head(words: list[str]) -> bool:
    return any(_role_word(w.lower()) for w in words)


def _singular(title: str) -> str:
    words = title.split()
    out = []
    for w in words:
        low = w.lower()
        if low.endswith(("s", "x")) and low[:-1] in ROLE_HEADS:
            w = w[:-1]
        out.append(w)
    return " ".join(out)


def _join_elisions(words: list[str]) -> list[str]:
    """``d'`` + ``IA`` -> ``d'IA`` (the title as written)."""
    out: list[str] = []
    for w in words:
        if out and out[-1].endswith(("'", "’")):
            out[-1] += w
        else:
            out.append(w)
    return out


# -- founders ------------------------------------------------------------------------
def _founders(sent: Span, ents: list[Span]) -> Iterator[Found]:
    doc = sent.doc
    for i in positions_in(word_positions(doc, FOUND_FORMS, FOUND_LEMMAS), sent):
        token = doc[i]  # its lemma is in FOUND_LEMMAS or its form in FOUND_FORMS
        nxt = doc[token.i + 1] if token.i + 1 < sent.end else None
        if (nxt is not None and nxt.lower_ == "par") or _par_follows(doc, token, sent):
            org = _last_ent_before(ents, token.i, "ORG")
            people = _coordination_after(doc, ents, _index_after_par(doc, token, sent), sent)
            if org is not None:
                for person in people:
                    yield Found(org, "founder", person, None, "org-founded-by", 0.85)
            continue
        org = _first_ent_after(ents, token.i, "ORG", limit=4)
        if org is None:
            continue
        founders = _coordination_before(doc, ents, token.i, sent)
        for person in founders:
            yield Found(org, "founder", person, None, "people-founded-org", 0.85)
        if founders:  # "X a cofondé Y en 2010 avec Z et W"
            k = org.end
            while k < sent.end and k - org.end < 5 and doc[k].lower_ != "avec" and doc[k].text not in (",", ";"):
                k += 1
            if k < sent.end and doc[k].lower_ == "avec":
                for person in _coordination_after(doc, ents, k + 1, sent):
                    yield Found(org, "founder", person, None, "people-founded-org-with", 0.8)


def _par_follows(doc: Doc, token: Token, sent: Span) -> bool:
    """``fondée en 2016 par`` — a short adverbial may sit between the participle and ``par``."""
    for k in range(token.i + 1, min(token.i + 6, sent.end)):
        if doc[k].lower_ == "par":
            return True
        if doc[k].text in (",", ";") or doc[k].pos_ == "VERB":
            return False
    return False


def _index_after_par(doc: Doc, token: Token, sent: Span) -> int:
    for k in range(token.i + 1, min(token.i + 6, sent.end)):
        if doc[k].lower_ == "par":
            return k + 1
    return token.i + 1


def _coordination_after(doc: Doc, ents: list[Span], i: int, sent: Span) -> list[Span]:
    """``X, Y et Z``, also with short appositions: ``X, médecin urgentiste, et Y, ingénieur``."""
    people = []
    while i < sent.end:
        ent = _ent_at(ents, i)
        if ent is None or label(ent) != "PER":
            break
        people.append(ent)
        i = _skip_apposition(doc, ent.end, sent)
        if i < sent.end and doc[i].text in COORD_WORDS:
            i += 1
            if i < sent.end and doc[i].lower_ == "et":
                i += 1
        else:
            break
    return people


def _skip_apposition(doc: Doc, i: int, sent: Span) -> int:
    """After a name, skip ``, médecin urgentiste`` (lower-case words up to the next comma or ``et``)."""
    if i + 1 >= sent.end or doc[i].text != "," or not doc[i + 1].is_lower or doc[i + 1].lower_ == "et":
        return i
    k = i + 1
    while k < sent.end and k - i <= 8 and doc[k].text != "," and doc[k].lower_ != "et" and not doc[k].ent_type_:
        if doc[k].pos_ == "VERB":
            return i
        k += 1
    return k if k < sent.end and (doc[k].text == "," or doc[k].lower_ == "et") else i


def _coordination_before(doc: Doc, ents: list[Span], verb_i: int, sent: Span) -> list[Span]:
    """The last group ``X, Y et Z`` of people before the verb, with no other name in between."""
    before = [e for e in ents if e.end <= verb_i]
    if not before or label(before[-1]) != "PER":
        return []
    group = [before[-1]]
    for ent in reversed(before[:-1]):
        between = doc[ent.end : group[0].start]
        if label(ent) == "PER" and all(t.text in COORD_WORDS for t in between):
            group.insert(0, ent)
        else:
            break
    return group


# -- developers ----------------------------------------------------------------------
def _developers(sent: Span, ents: list[Span]) -> Iterator[Found]:
    doc = sent.doc
    for model in (e for e in ents if label(e) == "AIMODEL"):
        origin = _org_of_model(doc, model, ents, sent)
        if origin is not None:
            yield Found(model, "creator", origin[0], None, origin[1], origin[2])
    seen: set[tuple[int, int]] = set()
    for org, models, rule in [*_launches(sent, ents), *_possessive_models(sent, ents)]:
        for model in models:
            if (model.start, org.start) not in seen:
                seen.add((model.start, org.start))
                yield Found(model, "creator", org, None, rule, 0.75 if rule == "org-launched-model" else 0.7)


LAUNCH_FORMS = frozenset(
    """lancé lancée lancés lancées lance lancent dévoilé dévoilée dévoile dévoilent publié publiée publie publient
    présenté présentée présente présentent sorti sortie sort sortent annoncé annoncée annonce annoncent
    dévoilait lançait publiait présentait entraîné entraînée""".split()
)


def _launches(sent: Span, ents: list[Span]) -> Iterator[tuple[Span, list[Span], str]]:
    """``ORG (…) a lancé [quand] M1 et M2``: the organisation is the subject (the nearest organisation
    before the verb that no preposition introduces), the models are named after the verb."""
    doc = sent.doc
    for i in positions_in(word_positions(doc, LAUNCH_FORMS, MODEL_VERBS), sent):
        verb = doc[i]
        if verb.lower_ not in LAUNCH_FORMS and verb.pos_ != "VERB":
            continue  # a launch verb's lemma counts only on a verb
        if doc[verb.i - 1].lower_ in ("été", "est", "sont", "était") or (
            verb.i + 1 < sent.end and doc[verb.i + 1].lower_ == "par"
        ):
            continue  # passive: the "… par ORG" rules handle it
        org = _subject_org_before(doc, ents, verb.i, sent)
        if org is None:
            continue
        models = _models_after(doc, ents, verb.i, sent)
        if models:
            yield org, models, "org-launched-model"


def _subject_org_before(doc: Doc, ents: list[Span], i: int, sent: Span) -> Span | None:
    before = [e for e in ents if e.end <= i and i - e.end <= 25]
    for ent in reversed(before):
        if label(ent) == "PER":
            prev = doc[ent.start - 1] if ent.start > sent.start else None
            if prev is not None and prev.lower_ in ("par", "de", "d'", "d’"):
                continue  # "la start-up fondée par Yang Zhilin": an agent inside an apposition
            return None  # a person is the nearer subject
        if label(ent) != "ORG":
            continue
        prev = doc[ent.start - 1] if ent.start > sent.start else None
        if prev is not None and prev.lower_ in (
            "de", "d'", "d’", "du", "par", "chez", "à", "avec", "pour", "sur", "dans",
        ):
            return None
        return ent
    return None


def _models_after(doc: Doc, ents: list[Span], i: int, sent: Span) -> list[Span]:
    models = []
    for ent in ents:
        if ent.start <= i or ent.start - i > 15:
            continue
        if label(ent) in ("ORG", "PER"):
            break
        if any(t.text in (";", ":") or t.lower_ == "par" for t in doc[i : ent.start]):
            break
        models.append(ent)
    return models


POSSESSIVES = frozenset({"son", "sa", "leur", "ses", "leurs"})


def _possessive_models(sent: Span, ents: list[Span]) -> Iterator[tuple[Span, list[Span], str]]:
    """``Cordelia Santé …, son modèle Galien-7B``: a model the subject organisation calls its own."""
    doc = sent.doc
    for model in (e for e in ents if label(e) == "AIMODEL"):
        k = model.start - 1
        while k > sent.start and (doc[k].pos_ == "ADJ" and doc[k].is_lower):
            k -= 1
        if k - 1 < sent.start or doc[k].lower_ not in MODEL_NOUNS or doc[k - 1].lower_ not in POSSESSIVES:
            continue
        org = _subject_org_before(doc, ents, k - 1, sent)
        if org is not None:
            yield org, [model], "org-possessive-model"


def _launch_verb_of_subject(org: Span, sent: Span) -> Token | None:
    """``La start-up Kyutai, fondée par …, a présenté Moshi``: the organisation heads (or is apposed
    to) the subject of an active launch verb."""
    for verb in sent:
        if verb.pos_ != "VERB" or verb.lemma_.lower() not in MODEL_VERBS:
            continue
        if any(c.dep_ == "aux:pass" for c in verb.children):
            continue
        for subject in (c for c in verb.children if c.dep_ == "nsubj"):
            if _heads_subject(org, subject):
                return verb
    return None


def _heads_subject(org: Span, subject: Token) -> bool:
    """The organisation is the subject, or a name apposed to it (no preposition: not "de X")."""
    if org.root == subject:
        return True
    if any(c.dep_ == "case" for c in org.root.children):
        return False
    token = org.root
    for _ in range(4):
        if token.dep_ not in ("appos", "flat:name", "nmod") or token.head == token:
            return False
        token = token.head
        if token == subject:
            return True
    return False


def _org_of_model(doc: Doc, model: Span, ents: list[Span], sent: Span) -> tuple[Span, str, float] | None:
    i = model.end
    if i >= sent.end:
        return None
    token = doc[i]
    if token.lower_ in ("de", "d'", "d’", "du"):
        org = _ent_at(ents, i + 1)
        if org is not None and label(org) == "ORG":
            return org, "model-of-org", 0.8
    if token.text == "(":
        org = _ent_at(ents, i + 1)
        if org is not None and label(org) == "ORG" and org.end < sent.end and doc[org.end].text == ")":
            return org, "model-parenthesis-org", 0.8
    k = i + 1 if token.text == "," else i
    if k < sent.end and doc[k].lower_ in DEVELOPED_BY_FORMS and k + 1 < sent.end and doc[k + 1].lower_ == "par":
        org = _ent_at(ents, k + 2)
        if org is not None and label(org) == "ORG":
            return org, "model-developed-by-org", 0.85
    by = _participle_by_org(doc, model, ents, sent)
    if by is not None:
        return by, "model-developed-by-org", 0.8
    # apposition: "LLaMA 2, le modèle d'IA open source de Meta"
    if (token.text == "," and k < sent.end and doc[k].lower_ in DETERMINERS
            and k + 1 < sent.end and doc[k + 1].lower_ in MODEL_NOUNS):
        for m in range(k + 2, min(k + 10, sent.end)):
            if doc[m].text in (",", ";", ":", "(") or doc[m].pos_ == "VERB":
                break
            if doc[m].lower_ in ("de", "d'", "d’", "du"):
                org = _ent_at(ents, m + 1)
                if org is not None and label(org) == "ORG":
                    return org, "model-apposition-of-org", 0.85
    return None


def _participle_by_org(doc: Doc, model: Span, ents: list[Span], sent: Span) -> Span | None:
    """``Phi-4, un petit modèle de 14 milliards de paramètres conçu par Microsoft Research``,
    ``o3-mini, lancé fin janvier par OpenAI``: a participle and ``par ORG`` later in the phrase."""
    for k in range(model.end, min(model.end + 15, sent.end)):
        token = doc[k]
        if token.text in (";", ":", "«") or (k > model.end and _ent_at(ents, k) is not None):
            return None
        if token.lower_ in DEVELOPED_BY_FORMS | LAUNCH_FORMS:
            for j in range(k + 1, min(k + 5, sent.end)):
                if doc[j].lower_ == "par":
                    org = _ent_at(ents, j + 1)
                    return org if org is not None and label(org) == "ORG" else None
                if doc[j].text in (",", ";") or _ent_at(ents, j) is not None:
                    break
            return None
    return None


def _launch_verb_after(doc: Doc, org: Span, sent: Span) -> Token | None:
    for k in range(org.end, min(org.end + 4, sent.end)):
        token = doc[k]
        if (
            (token.lemma_.lower() in MODEL_VERBS and token.pos_ in ("VERB", "AUX")
             and token.morph.get("VerbForm", None) != ["Inf"])
            or (token.lemma_.lower() in MODEL_VERBS and token.tag_ == "VERB")
        ):
            return token
        if token.text in (",", ";", ".") or token.ent_type_:
            return None
    return None


# -- helpers -------------------------------------------------------------------------
def _ent_at(ents: list[Span], i: int) -> Span | None:
    for ent in ents:
        if ent.start == i:
            return ent
    return None


def _token_before(doc: Doc, i: int, sent: Span) -> Token | None:
    return doc[i - 1] if i - 1 >= sent.start else None


def _last_ent_before(ents: list[Span], i: int, wanted: str) -> Span | None:
    found = [e for e in ents if e.end <= i and label(e) == wanted]
    return found[-1] if found else None


def _first_ent_after(ents: list[Span], i: int, wanted: str, limit: int = 6,
                     stop_at: tuple[str, ...] = ()) -> Span | None:
    for ent in ents:
        if ent.start <= i:
            continue
        if ent.start - i > limit:
            return None
        if label(ent) == wanted:
            return ent
        if label(ent) in stop_at:
            return None
    return None
