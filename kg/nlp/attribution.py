"""Attribution: who makes a statement, read from the construction that reports it.

Each function reads one construction and returns the speakers it names (spaCy spans of
people or organisations) or nothing:

* a source marker: ``selon X``, ``d'après X``, ``pour X,``, ``comme le souligne X``;
* an incise, the speaker after the verb: ``« … », jubile X``, ``« … », prévient le dirigeant``;
* the subject of a reporting verb: a name, a coordination of names, a pronoun (``il`` ->
  the last man named), a title (``le PDG de X``) or an organisation noun (``la société``).

The names of the constructions are the values of ``kg:attribution`` in the graph.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from kg.nlp.coref import (
    GROUP_PRONOUNS,
    PERSON_PRONOUNS,
    Salience,
    gender_of,
    is_title,
    org_anaphor,
    pronoun_gender,
    pronoun_target,
    title_at,
    title_subject,
)
from kg.nlp.grammar import opening_name, org_after_preposition
from kg.nlp.lexicon import DETERMINERS, ORG_NOUNS
from kg.nlp.speech import INVERTED_PRONOUNS, is_incise, past_when_and_where

MARKER_RE = re.compile(
    r"(?:^|[,;:]\s*|\b)(?P<marker>selon|d['’]après|pour|dans la vision de|aux yeux de|de l['’]avis de|"
    r"comme l['’](?:a|ont) (?:souligné|dit|expliqué|rappelé|affirmé|remarqué|noté|relevé|indiqué|rapporté)|"
    r"comme le (?:souligne|dit|rappelle|explique|affirme|résume|note|remarque|relève|indique|rapporte))"
    r"\s+(?P<who>\S)",
    re.IGNORECASE,
)
SPEAKER_LABELS = ("PER", "ORG")
IMPERSONAL_AFTER_IL = frozenset("est était semble faut fallait reste s' s’ y paraît suffit".split())


def marker_speakers(sent: Span, text: str, ents: list[Span], salience: Salience) -> tuple[tuple[Span, ...], str] | None:
    """``selon X``, ``d'après lui``, ``pour la dirigeante,``, ``comme l'a remarqué le Wall Street Journal``."""
    for m in MARKER_RE.finditer(text):
        marker = m.group("marker").lower()
        start_char = sent.start_char + m.start("who")
        if marker == "pour" and not _marker_at_clause_start(text, m.start("marker")):
            continue
        who = _ent_starting_at(ents, start_char) or _named_after_determiner(sent, start_char, ents)
        if who is not None and who.label_ in SPEAKER_LABELS:
            if marker == "pour" and who.end < sent.end and sent.doc[who.end].text not in (",", "«", '"', "“") \
                    and not _quote_follows(sent, who.end):
                continue
            return (who, *_coordinated_after(who, sent, ents)), marker
        word = text[m.start("who"):].split(maxsplit=1)[0].strip(",.;:").lower()
        here = [e for e in ents if e.label_ == "PER" and e.end_char <= sent.start_char + m.start("marker")
                and not after_preposition(e)]
        if word in PERSON_PRONOUNS and here and pronoun_gender(word) in (gender_of(here[0]), None):
            # "X, …, se dit convaincu : d'après lui, …": the pronoun is this sentence's subject
            return (here[0],), f"{marker} {word}"
        if word in PERSON_PRONOUNS and salience.person_of(pronoun_gender(word)) is not None:
            return (salience.person_of(pronoun_gender(word)),), f"{marker} {word}"  # type: ignore[return-value]
        if word in DETERMINERS and marker in ("pour", "selon", "d'après", "d’après"):
            titled = title_at(sent, start_char, ents, salience)
            if titled is not None:
                return (titled,), f"{marker} {word}"
            k = next((t.i for t in sent if t.idx == start_char), None)
            org = org_anaphor(sent.doc[k + 1], salience) if k is not None and k + 1 < sent.end \
                and marker != "pour" else None
            if org is not None:  # "d'après la société": the organisation the article is about
                return (org,), f"{marker} {word}"
        if word in GROUP_PRONOUNS and (salience.group or salience.person) is not None:
            return (salience.group or salience.person,), f"{marker} {word}"  # type: ignore[return-value]
    return None


def _coordinated_after(first: Span, sent: Span, ents: list[Span]) -> tuple[Span, ...]:
    """``selon le Financial Times et Bloomberg``: every source the marker names."""
    doc = sent.doc
    out: list[Span] = []
    seps: list[str] = []
    k = first.end
    while k + 1 < sent.end and doc[k].text in (",", "et", "ou"):
        seps.append(doc[k].text)
        k += 1
        while k < sent.end and doc[k].lower_ in ("le", "la", "les", "l'", "l’"):
            k += 1
        nxt = next((e for e in ents if e.start == k and e.label_ in SPEAKER_LABELS), None)
        if nxt is None:
            seps.pop()
            break
        out.append(nxt)
        k = nxt.end
    # "selon X, Y et Z" lists sources; "selon X, Sam Altman aurait dit" does not: a list ends with "et"
    last_and = max((i for i, s in enumerate(seps) if s in ("et", "ou")), default=-1)
    return tuple(out[: last_and + 1])


def _quote_follows(sent: Span, i: int) -> bool:
    """``pour Thierry Breton l'Europe a tout ce qu'il faut, « … »``: a quotation later in the clause."""
    doc = sent.doc
    return any(t.text in ("«", "“", '"') for t in doc[i : min(i + 15, sent.end)])


def _named_after_determiner(sent: Span, start_char: int, ents: list[Span]) -> Span | None:
    """``selon l'agence Reuters``, ``comme l'a remarqué le Wall Street Journal``, ``pour la ministre
    Clara Chappaz``: a determiner, an optional organisation noun, title and adjectives, then the name."""
    doc = sent.doc
    k = next((t.i for t in sent if t.idx == start_char), None)
    if k is None or doc[k].lower_ not in DETERMINERS:
        return None
    for j in range(k + 1, min(k + 7, sent.end)):
        ent = _ent_starting_at(ents, doc[j].idx)
        if ent is not None:
            return ent
        word = doc[j].lower_
        if not (word in ORG_NOUNS or word in SOURCE_NOUNS or (doc[j].pos_ == "ADJ" and doc[j].is_lower)
                or is_title(doc[j]) or (word in ("de", "du", "d'", "d’", "des") and doc[j - 1].lower_ in SOURCE_NOUNS)):
            return None
    return None


# "selon une étude du cabinet Gartner", "d'après un rapport de l'OCDE": the source is the organisation
SOURCE_NOUNS = frozenset("étude rapport analyse note sondage enquête communiqué document estimation estimations "
                         "chiffres données prévisions calculs projections classement".split())


def _marker_at_clause_start(text: str, offset: int) -> bool:
    before = text[:offset].rstrip()
    return not before or before.endswith((",", ";", ":", "»", '"', "”")) or before.endswith((" et", " mais"))


def _ent_starting_at(ents: list[Span], start_char: int) -> Span | None:
    for ent in ents:
        if ent.start_char == start_char:
            return ent
    return None


def speakers_for(cue: Token, sent: Span, ents: list[Span], salience: Salience) -> tuple[tuple[Span, ...], str]:
    """The speakers of the reporting verb ``cue`` and the construction that names them."""
    doc = sent.doc
    if inverted(doc, cue, sent):
        found = speaker_after(cue, sent, ents, salience)
        if found is not None:
            return (found,), "incise"
    house = _said_in_house(doc, cue, sent, ents)
    if house is not None:
        return (house,), "incise"
    pronoun = _inverted_pronoun(doc, cue, sent)
    if pronoun is not None:
        # "« … », estime-t-il", "« … » a-t-elle écrit": the pronoun stands for the speaker named before
        return pronoun_target(pronoun, [], salience), "incise"
    by_subject = _speakers_from_subject(cue, sent, ents, salience)
    if by_subject:
        return (*by_subject, *_compared_speakers(cue, sent, ents, by_subject)), "subject"
    subject = _subject_of(cue)
    if subject is not None and sent.start <= subject.i < cue.i:
        if subject.lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS:
            orgs_here = [e for e in ents if e.end <= cue.i and e.label_ == "ORG"]
            return pronoun_target(subject.lower_, orgs_here, salience), "pronoun"
        if is_title(subject) and subject.i > sent.start and subject.nbor(-1).lower_ in DETERMINERS:
            titled = title_at(sent, subject.nbor(-1).idx, ents, salience)
            if titled is not None:
                return (titled, *_compared_speakers(cue, sent, ents, (titled,))), "title"
    before = [e for e in ents if e.end <= cue.i and e.label_ == "PER" and not _inside_parentheses(e, sent)]
    if before:
        free = [e for e in before if not after_preposition(e)]
        return tuple(coordination_group(free or before)), "subject"
    pronoun = _subject_pronoun(sent, cue)
    if pronoun is not None:
        orgs_here = [e for e in ents if e.end <= cue.i and e.label_ == "ORG"]
        return pronoun_target(pronoun, orgs_here, salience), "pronoun"
    title_person = title_subject(sent, cue, ents, salience)
    if title_person is not None:
        return (title_person,), "title"
    orgs = [e for e in ents if e.end <= cue.i and e.label_ == "ORG" and not after_preposition(e)]
    if orgs and orgs[-1].start == sent.start:
        return (orgs[-1],), "subject"
    adjacent = _name_before_verb(cue, sent, ents) or _sentence_opening_name(cue, sent, ents)
    if adjacent is not None:
        return (adjacent,), "subject"
    org = _org_noun_subject(cue, sent, salience)
    if org is not None:
        return (org,), "organisation"
    return (), ""


def _name_before_verb(cue: Token, sent: Span, ents: list[Span]) -> Span | None:
    """``…, Aleph Alpha entrevoit…``: a name right before the verb (auxiliaries, negation and
    reflexive pronouns allowed between) is its subject, whatever the parser made of it."""
    doc = sent.doc
    k = cue.i - 1
    while k >= sent.start and (doc[k].dep_.startswith("aux") or doc[k].lower_ in ("ne", "n'", "n’", "se", "s'", "s’")
                               or doc[k].pos_ == "ADV"):
        k -= 1
    ent = next((e for e in ents if e.end == k + 1 and e.label_ in SPEAKER_LABELS), None)
    return ent if ent is not None and not after_preposition(ent) else None


def _sentence_opening_name(cue: Token, sent: Span, ents: list[Span]) -> Span | None:
    """``Le groupe américain Nvidia, dont …, a salué…``: the name that opens the sentence, after a
    determiner and an organisation noun or a title, heads the subject."""
    return opening_name(sent, ents, SPEAKER_LABELS, cue.i, also=is_title, after_determiner=True)


def _compared_speakers(cue: Token, sent: Span, ents: list[Span], found: tuple[Span, ...]) -> tuple[Span, ...]:
    """``La ministre, comme Emmanuel Macron, a mis en avant…``: the person compared to the subject
    said it too."""
    doc = sent.doc
    return tuple(e for e in ents if e.label_ == "PER" and e.end <= cue.i and e.start - 1 >= sent.start
                 and doc[e.start - 1].lower_ == "comme" and all(e.start != f.start for f in found))


def passive_agent(cue: Token, sent: Span, ents: list[Span]) -> Span | None:
    """``un modèle salué par Sam Altman``: the agent of a passive reporting verb is its speaker."""
    k = cue.i + 1
    doc = sent.doc
    if k + 1 < sent.end and doc[k].lower_ == "par":
        return next((e for e in ents if e.start == k + 1 and e.label_ in SPEAKER_LABELS), None)
    return None


def speaker_after(cue: Token, sent: Span, ents: list[Span], salience: Salience) -> Span | None:
    """The speaker named after an incise verb: a name (``jubile Jensen Huang``), a title and a name
    (``constate la ministre Clara Chappaz``, ``rappelle l'agence américaine Associated Press``), a
    title alone (``prévient le dirigeant``, ``promet le président de Baidu``), an organisation noun
    (``indiquait alors cette société``); a complement may come first (``résume auprès de l'AFP X``)."""
    doc = sent.doc
    k = cue.i + 1
    while k < sent.end and (doc[k].lower_ in INVERTED_PRONOUNS or doc[k].lower_ in
                            ("encore", "aussi", "alors", "ainsi", "également", "même", "pour", "sa", "part")):
        k += 1
    k = past_when_and_where(doc, k, sent.end)  # "a déclaré mardi à Paris le patron de X, Y"
    end = min(k + 8, sent.end)
    for j in range(k, end):
        ent = next((e for e in ents if e.start == j and e.label_ in SPEAKER_LABELS), None)
        if ent is not None:
            lead = {t.lower_ for t in doc[max(k, j - 2) : j]}
            if lead & {"de", "d'", "d’", "du", "à", "au", "auprès", "chez", "par", "sur", "dans", "lors"}:
                continue  # "résume auprès de l'AFP X": the outlet is a complement, the speaker follows
            return ent
        if (doc[j].is_punct and j > k) or doc[j].lower_ in ("qui", "que", "qu'", "qu’", "dont") \
                or doc[j].pos_ in ("VERB", "AUX"):
            break
    if k < sent.end and doc[k].lower_ in DETERMINERS:
        titled = title_at(sent, doc[k].idx, ents, salience)
        if titled is not None:
            return titled
        if k + 1 < sent.end:
            return org_anaphor(doc[k + 1], salience) if doc[k + 1].lower_ != "communiqué" else None
    return None


def inverted(doc: Doc, cue: Token, sent: Span) -> bool:
    """Speaker after the verb: ``comme le souligne X``, ``« … », estime X``."""
    k = cue.i - 1
    while k >= sent.start and (doc[k].dep_.startswith("aux") or doc[k].lower_ in ("a", "ont", "avait")):
        k -= 1
    if k < sent.start:
        return False
    if doc[k].lower_ == "comme" or (k - 1 >= sent.start and doc[k - 1].lower_ == "comme"):
        return True  # "comme le souligne X"
    if doc[k].lower_ in ("que", "qu'", "qu’") and k - 1 >= sent.start and doc[k - 1].lower_ in ("ce", "c'"):
        return True  # "c'est ce que pense X"
    return is_incise(cue) and _inverted_pronoun(doc, cue, sent) is None


def _said_in_house(doc: Doc, cue: Token, sent: Span, ents: list[Span]) -> Span | None:
    """``« … », assure-t-on chez Mistral AI``, ``explique-t-on du côté de Google``: "on" there is the
    organisation."""
    k = cue.i + 1
    if k < sent.end and doc[k].lower_ == "-t":
        k += 1
    if k >= sent.end or doc[k].lower_ not in ("-on", "-t-on"):
        return None
    words = [t.lower_ for t in doc[k + 1 : k + 4]]
    skip = next((len(lead) for lead in _IN_HOUSE if words[: len(lead)] == list(lead)), 0)
    org = org_after_preposition(doc, ents, k + 1 + skip, sent) if skip else None
    return org if org is not None and org.label_ == "ORG" else None


_IN_HOUSE = (("chez",), ("du", "côté", "de"), ("du", "côté", "d'"), ("du", "côté", "d’"), ("au", "sein", "de"),
             ("au", "sein", "d'"), ("au", "sein", "d’"))


def _inverted_pronoun(doc: Doc, cue: Token, sent: Span) -> str | None:
    """``estime-t-il`` (after the verb) or ``a-t-il déclaré`` (after the auxiliary)."""
    for k in (cue.i + 1, cue.i - 1):
        if sent.start <= k < sent.end and doc[k].lower_ in INVERTED_PRONOUNS:
            word = doc[k].lower_.split("-")[-1]
            if word in ("", "t") and k + 1 < sent.end:
                word = doc[k + 1].lower_.lstrip("-")  # "-t" "-il": the tokenizer may cut the pronoun off
            if word in PERSON_PRONOUNS | GROUP_PRONOUNS:
                return word
    return None


def _subject_of(cue: Token) -> Token | None:
    """The grammatical subject of the reporting verb (or of the verb it depends on)."""
    for verb in (cue, cue.head):
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubj:pass"):
                return child
        if cue.dep_ not in ("xcomp", "advcl", "acl", "conj"):
            break
    return None


def _speakers_from_subject(cue: Token, sent: Span, ents: list[Span], salience: Salience) -> tuple[Span, ...]:
    """People named as (or apposed or coordinated to) the verb's subject; the parse decides, so
    ``Emmanuel Macron, qui a reçu Arthur Mensch, voit…`` is Macron's claim, not Mensch's."""
    subject = _subject_of(cue)
    if subject is None or not (sent.start <= subject.i < cue.i):
        return ()
    linked = [e for e in ents if e.label_ == "PER" and e.end <= cue.i and _linked_to(e.root, subject)]
    if linked:
        return tuple(linked)
    orgs = [e for e in ents if e.label_ == "ORG" and e.start <= subject.i < e.end]
    if orgs and not after_preposition(orgs[0]):
        before = [e for e in ents if e.label_ == "ORG" and e.end <= orgs[0].end]
        return tuple(coordination_group(before))  # "Google et Anthropic présentent…": both speak
    return ()


def _org_noun_subject(cue: Token, sent: Span, salience: Salience) -> Span | None:
    subject = _subject_of(cue)
    if subject is None or not (sent.start <= subject.i < cue.i):
        return None
    return org_anaphor(subject, salience)


def _linked_to(token: Token, subject: Token) -> bool:
    for _ in range(6):
        if token == subject:
            return True
        if token.dep_ not in ("appos", "conj", "flat:name", "fixed", "flat") or token.head == token:
            return False
        token = token.head
    return False


def coordination_group(people: list[Span]) -> list[Span]:
    """``Yann LeCun et Joelle Pineau, ainsi que Zuckerberg`` -> all three."""
    group = [people[-1]]
    for ent in reversed(people[:-1]):
        if after_preposition(ent):
            break  # "chez OpenAI, Aleph Alpha entrevoit…": a complement, not a co-speaker
        between = ent.doc[ent.end : group[0].start].text.strip().lower()
        if between in (",", "et", ", et", "ainsi que", ", ainsi que", "ou", "ni") or between.endswith("ainsi que"):
            group.insert(0, ent)
        else:
            break
    return group


def after_preposition(ent: Span) -> bool:
    if ent.start == 0:
        return False
    return ent.doc[ent.start - 1].lower_ in ("de", "d'", "d’", "du", "chez", "à", "par", "pour", "avec", "sur")


def _inside_parentheses(ent: Span, sent: Span) -> bool:
    before = ent.doc[sent.start : ent.start].text
    return before.count("(") > before.count(")")


def _subject_pronoun(sent: Span, cue: Token) -> str | None:
    doc = sent.doc
    if re.search(r"\w, (?:il|elle|ils|elles), ", sent.text[: cue.idx - sent.start_char], re.IGNORECASE):
        return None  # "L'industrie, elle, reste inquiète": the pronoun echoes a noun of this sentence
    for token in doc[sent.start : cue.i]:
        if token.lower_ == "il" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ in IMPERSONAL_AFTER_IL:
            continue  # "il est évident que", "il faut": impersonal, nobody speaks
        if token.lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS and token.dep_.startswith("nsubj"):
            return token.lower_
        inverted_word = token.lower_.split("-")[-1]  # "a-t-il déclaré": the inverted subject pronoun
        if token.lower_.startswith("-") and inverted_word in PERSON_PRONOUNS | GROUP_PRONOUNS:
            return inverted_word
    first = sent[0].lower_ if len(sent) else ""
    if first == "il" and len(sent) > 1 and sent[1].lower_ in IMPERSONAL_AFTER_IL:
        return None
    return first if first in PERSON_PRONOUNS | GROUP_PRONOUNS else None


__all__ = ["MARKER_RE", "after_preposition", "coordination_group", "marker_speakers", "speaker_after",
           "speakers_for"]
