"""Claims: statements attributed to a named speaker, with a stance.

A sentence is a claim when it carries a reporting cue — a speech or opinion verb
(``a déclaré``, ``estime``, ``craint``, ``met en garde``, ``s'est dit inquiet``), a
source marker (``selon X``, ``pour X,``, ``d'après X``, ``comme le souligne X``), or
when it is a pull quote whose next line names its speaker. The speaker is a named
person or organisation in the sentence, or, for ``il``/``elle``/``ils`` and titles
(``le dirigeant``, ``le PDG de X``), the one the article named before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.nlp.kb import read_word_list
from kg.nlp.lexicon import DETERMINERS, ROLE_HEADS
from kg.nlp.stance import classify_stance
from kg.nlp.tokens import positions_in, word_positions

SPEECH_LEMMAS = frozenset(
    """déclarer affirmer souligner estimer penser croire craindre alerter avertir prédire saluer critiquer
    dénoncer expliquer évoquer indiquer ajouter assurer insister rappeler reconnaître regretter juger considérer
    plaider militer défendre exprimer prôner embrasser soulever souhaiter espérer promettre confier répondre
    admettre avouer déplorer fustiger accuser inquiéter alarmer réjouir applaudir reprocher redouter anticiper
    prévoir dire annoncer prévenir viser partager mettre préciser tempérer trancher résumer répéter qualifier
    interroger attendre nuancer marteler observer constater relever concéder détailler confirmer démentir nier
    contester avancer noter voir""".split()
)
# Verbs that report speech only with a telling object: "partager ses inquiétudes", "mettre en garde".
NEEDS_OBJECT = {
    "partager": re.compile(r"\b(?:inquiétude|crainte|avis|vision|point de vue|conviction|analyse|espoir)"),
    "mettre": re.compile(r"\bmet\w* (?:en garde|en avant|l['’]accent|en doute)"),
    "viser": re.compile(r"\bvis\w* (?:également |aussi )?à\b"),
    "soulever": re.compile(r"\bsoul[eè]v\w* (?:d['’]ailleurs |aussi |également )?"
                           r"(?:un point|une question|des questions)"),
    "dire": re.compile(r"\b(?:s['’]est|se sont|se) dit\w*|\bdit\b|\bdisent\b|\ba dit\b"),
    "annoncer": re.compile(r"\bannonc\w* que\b"),
    "prévenir": re.compile(r"\bprévien\w* que\b|\ba prévenu\b"),
    "inquiéter": re.compile(r"\bs['’]inqui[eè]t"),
    "alarmer": re.compile(r"\bs['’]alarm"),
    "réjouir": re.compile(r"\bse réjoui|\bs['’]est réjoui"),
    "interroger": re.compile(r"\bs['’]interroge"),
    "répondre": re.compile(r"\brépond\w* (?:que|qu['’]|:)|\ba répondu\b"),
    "prévoir": re.compile(r"\bprév\w* (?:que|qu['’])"),  # "prévoit des mises à jour" is a plan, not a forecast
    "attendre": re.compile(r"\bs['’]atten"),
    "observer": re.compile(r"\bobserv\w* que\b"),
    "relever": re.compile(r"\brel[eè]v\w* que\b"),
    "avancer": re.compile(r"\bavanc\w* que\b"),
    "noter": re.compile(r"\bnot\w* que\b"),
    "voir": re.compile(r"\bvoi\w* dans\b|\bvu dans\b"),  # "voit dans Mistral AI un symbole": an opinion
    "exprimer": re.compile(r"\bexprim\w* (?:ses|son|sa|leur|leurs|des|une|un) (?:inquiétude|crainte|soutien|avis|"
                           r"scepticisme|opposition|désaccord|regret|espoir|enthousiasme|réserve|doute)"),
}
# Participles and adjectives the lemmatizer does not always map to the verb.
SPEECH_FORMS = frozenset("craignant reconnaissant estimant affirmant soulignant jugeant inquiet inquiète".split())
MARKER_RE = re.compile(
    r"(?:^|[,;:]\s*|\b)(?P<marker>selon|d['’]après|pour|dans la vision de|aux yeux de|de l['’]avis de|"
    r"comme l['’](?:a|ont) (?:souligné|dit|expliqué|rappelé|affirmé)|comme le (?:souligne|dit|rappelle|explique|"
    r"affirme|résume|note))\s+(?P<who>\S)",
    re.IGNORECASE,
)
QUOTE_RE = re.compile(r"«[^»]+»|“[^”]+”|\"[^\"]+\"")
PERSON_PRONOUNS = frozenset({"il", "elle", "lui"})
GROUP_PRONOUNS = frozenset({"ils", "elles", "eux"})
TITLE_WORDS = ROLE_HEADS | frozenset(
    """dirigeant dirigeante patron patronne entrepreneur entrepreneuse milliardaire médecin docteur docteure
    avocat avocate journaliste expert experte spécialiste chercheur chercheuse ministre commissaire
    scientifique""".split()
)
_FEMALE = read_word_list("first_names_female.txt")
_MALE = read_word_list("first_names.txt") - _FEMALE


@dataclass(frozen=True)
class FoundClaim:
    speakers: tuple[Span, ...]
    sentence: Span
    cue: str
    kind: str  # direct | reported
    stance: str
    about: tuple[Span, ...] = ()
    hedge: str | None = None
    reported_by: Span | None = None


@dataclass
class Salience:
    """Who ``il``, ``elle``, ``ils`` and ``le dirigeant`` refer to: the people and organisations
    named most recently, people with their grammatical gender when their given name tells it."""

    people: list[Span] = field(default_factory=list)
    group: Span | None = None
    roles: dict[str, list[tuple[Span, str]]] = field(default_factory=dict)  # org text -> (person, title)

    @property
    def person(self) -> Span | None:
        return self.people[-1] if self.people else None

    def add(self, ent: Span) -> None:
        if ent.label_ == "PER":
            others = [p for p in self.people if p.text != ent.text]
            self.people = [*others[-7:], ent]
        elif ent.label_ == "ORG":
            self.group = ent

    def person_of(self, gender: str | None) -> Span | None:
        """The most recent person compatible with ``gender`` ("f", "m" or None for any)."""
        if gender is None:
            return self.person
        for ent in reversed(self.people):
            if gender_of(ent) in (gender, None):
                return ent
        return None


def gender_of(person: Span) -> str | None:
    first = person.text.split()[0].split("-")[0]
    if first in _FEMALE:
        return "f"
    if first in _MALE:
        return "m"
    return None


def pronoun_gender(word: str) -> str | None:
    return {"il": "m", "lui": "m", "elle": "f"}.get(word)


def find_claims(doc: Doc, sentences: Sequence[Span], ents_of: dict[int, list[Span]],
                roles: dict[str, list[tuple[Span, str]]], skip: set[int]) -> Iterator[FoundClaim]:
    """Claims in document order. ``ents_of`` maps a sentence start to its entities; ``skip``
    holds the starts of sentences that are page furniture or attribution lines."""
    salience = Salience(roles=roles)
    pull_quotes = _pull_quote_speakers(doc, sentences, ents_of)
    cues = speech_candidates(doc)
    for sent in sentences:
        ents = ents_of.get(sent.start, [])
        if sent.start in skip:
            continue
        if sent.start in pull_quotes:
            speaker = pull_quotes[sent.start]
            yield _claim((speaker,), sent, "pull quote", "direct", ents)
            salience.add(speaker)
            continue
        found = _reported(sent, ents, salience, cues)
        if found is not None:
            yield found
            for s in found.speakers:
                salience.add(s)
        _update_salience(sent, ents, salience)


def _update_salience(sent: Span, ents: list[Span], salience: Salience) -> None:
    people = [e for e in ents if e.label_ == "PER"]
    if people and _is_subject_position(people[0]):
        salience.add(people[0])
    for ent in ents:
        if ent.label_ == "ORG" and _is_subject_position(ent):
            salience.group = ent


def _is_subject_position(ent: Span) -> bool:
    i = ent.start - 1
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


def _claim(speakers: tuple[Span, ...], sent: Span, cue: str, kind: str, ents: list[Span],
           reported_by: Span | None = None) -> FoundClaim:
    text = sent.text
    if kind != "direct" and QUOTE_RE.search(text):
        kind = "direct"
    about = tuple(e for e in ents if all(e.start != s.start for s in speakers) and e is not reported_by)
    return FoundClaim(speakers, sent, cue, kind, classify_stance(text, cue), about, hedge_of(text), reported_by)


def _reported(sent: Span, ents: list[Span], salience: Salience, cues: Sequence[int]) -> FoundClaim | None:
    text = sent.text  # Span.text joins the span's tokens: read it once
    if text.rstrip().endswith("?"):
        return None  # a question asserts nothing
    marker = _marker(sent, text, ents, salience)
    cue_token = _cue_token(sent, cues, text)
    if marker is not None:
        speakers, cue = marker
        if cue_token is not None and len(speakers) == 1 and speakers[0].label_ == "ORG":
            # "selon Les Echos, Sam Altman aurait déclaré…": the outlet reports, the person speaks
            people = [e for e in _speakers_for(cue_token, sent, ents, salience) if e.label_ == "PER"]
            if people:
                return _claim(tuple(people), sent, _cue_text(cue_token), "reported", ents, reported_by=speakers[0])
        return _claim(speakers, sent, cue, "reported", ents) if speakers else None
    if cue_token is None:
        return None
    speakers = _speakers_for(cue_token, sent, ents, salience)
    if not speakers:
        return None
    return _claim(speakers, sent, _cue_text(cue_token), "reported", ents)


def _marker(sent: Span, text: str, ents: list[Span], salience: Salience) -> tuple[tuple[Span, ...], str] | None:
    for m in MARKER_RE.finditer(text):
        marker = m.group("marker").lower()
        start_char = sent.start_char + m.start("who")
        who = _ent_starting_at(ents, start_char)
        if marker == "pour" and not _marker_at_clause_start(text, m.start("marker")):
            continue
        if who is not None and who.label_ in ("PER", "ORG"):
            if marker == "pour" and who.end < sent.end and sent.doc[who.end].text != ",":
                continue
            return (who,), marker
        word = text[m.start("who"):].split(maxsplit=1)[0].strip(",.;:").lower()
        here = [e for e in ents if e.label_ == "PER" and e.end_char <= sent.start_char + m.start("marker")
                and not _after_preposition(e)]
        if word in PERSON_PRONOUNS and here and pronoun_gender(word) in (gender_of(here[0]), None):
            # "X, …, se dit convaincu : d'après lui, …": the pronoun is this sentence's subject
            return (here[0],), f"{marker} {word}"
        if word in PERSON_PRONOUNS and salience.person_of(pronoun_gender(word)) is not None:
            return (salience.person_of(pronoun_gender(word)),), f"{marker} {word}"  # type: ignore[return-value]
        if word in DETERMINERS and marker in ("pour", "selon", "d'après", "d’après"):
            titled = _title_at(sent, sent.start_char + m.start("who"), ents, salience)
            if titled is not None:
                return (titled,), f"{marker} {word}"
        if word in GROUP_PRONOUNS and (salience.group or salience.person) is not None:
            return (salience.group or salience.person,), f"{marker} {word}"  # type: ignore[return-value]
    return None


def _marker_at_clause_start(text: str, offset: int) -> bool:
    return not text[:offset].strip() or text[:offset].rstrip().endswith((",", ";", ":"))


def _ent_starting_at(ents: list[Span], start_char: int) -> Span | None:
    for ent in ents:
        if ent.start_char == start_char:
            return ent
    return None


_ER_ENDINGS = ("e", "es", "ent", "é", "ée", "és", "ées", "ait", "aient", "ant", "era", "eront", "erait", "er")
_ER_FORMS = {
    lemma[:-2] + ending: lemma
    for lemma in SPEECH_LEMMAS if lemma.endswith("er") and len(lemma) > 4
    for ending in _ER_ENDINGS
}
# "tempérer" -> "tempère", "considérer" -> "considère": the present tense turns the last é into è
_ER_FORMS.update({
    lemma[:-2][: lemma[:-2].rfind("é")] + "è" + lemma[:-2][lemma[:-2].rfind("é") + 1 :] + ending: lemma
    for lemma in SPEECH_LEMMAS if lemma.endswith("er") and "é" in lemma[-5:-2]
    for ending in ("e", "es", "ent")
})


def speech_lemma(token: Token) -> str:
    """The reporting verb's lemma, also when the lemmatizer left the form as is ("estime")."""
    lemma = token.lemma_.lower()
    if lemma in SPEECH_LEMMAS:
        return lemma
    incise = token.i >= 1 and token.doc[token.i - 1].text in (",", "»", "”")  # "», tempère X": surely a verb
    if token.pos_ not in ("VERB", "AUX") and not incise:
        return lemma
    return _ER_FORMS.get(token.lower_, lemma)


_SPEECH_CUE_FORMS = SPEECH_FORMS | frozenset(_ER_FORMS)


def speech_candidates(doc: Doc) -> list[int]:
    """The tokens that may be reporting verbs (:func:`_cue_token` looks no further): those whose
    form is a speech form or a known ``-er`` form, or whose lemma is a speech lemma. For any
    other token :func:`speech_lemma` cannot give a speech lemma."""
    return word_positions(doc, _SPEECH_CUE_FORMS, SPEECH_LEMMAS)


def _cue_token(sent: Span, cues: Sequence[int], text: str) -> Token | None:
    low = text.lower()
    doc = sent.doc
    for i in positions_in(cues, sent):
        token = doc[i]
        lemma = speech_lemma(token)
        if token.lower_ in SPEECH_FORMS:
            return token
        if lemma not in SPEECH_LEMMAS or token.pos_ not in ("VERB", "AUX", "ADJ", "NOUN"):
            continue
        if token.pos_ == "NOUN" and lemma not in ("craindre",) and token.lower_ not in _ER_FORMS:
            continue
        if any(c.dep_ == "aux:pass" for c in token.children):
            continue  # "elle est reconnue pour…": a passive description, not a statement
        check = NEEDS_OBJECT.get(lemma)
        if check is not None and not check.search(low[token.idx - sent.start_char :]) \
                and not check.search(low[max(0, token.idx - sent.start_char - 12) :]):
            continue
        return token
    return None


def _cue_text(token: Token) -> str:
    aux = [c.text for c in token.children if c.dep_.startswith("aux")]
    return " ".join([*aux, token.text])


def _speakers_for(cue: Token, sent: Span, ents: list[Span], salience: Salience) -> tuple[Span, ...]:
    doc = sent.doc
    # "comme le souligne X", "« … », a déclaré X", "« … », tranche la dirigeante": the speaker follows
    if _inverted(doc, cue, sent):
        after = [e for e in ents if cue.i < e.start <= cue.i + 3 and e.label_ in ("PER", "ORG")]
        if after:
            return (after[0],)
        nxt = cue.i + 1
        if nxt < sent.end and doc[nxt].lower_ in DETERMINERS:
            titled = _title_at(sent, doc[nxt].idx, ents, salience)
            if titled is not None:
                return (titled,)
    if cue.i + 1 < sent.end and doc[cue.i + 1].lower_ in ("-t-il", "-il", "-t-elle", "-elle", "-t", "-ils", "-elles"):
        # "« … », estime-t-il": the pronoun after the verb stands for the speaker named before
        inverted = doc[cue.i + 1].lower_.split("-")[-1] or doc[cue.i + 2].lower_.lstrip("-")
        return _pronoun_target(inverted, [], salience)
    by_subject = _speakers_from_subject(cue, sent, ents, salience)
    if by_subject:
        return by_subject
    before = [e for e in ents if e.end <= cue.i and e.label_ == "PER" and not _inside_parentheses(e, sent)]
    if before:
        free = [e for e in before if not _after_preposition(e)]
        return tuple(_coordination_group(free or before))
    pronoun = _subject_pronoun(sent, cue)
    if pronoun is not None:
        return _pronoun_target(pronoun, [e for e in ents if e.end <= cue.i and e.label_ == "ORG"], salience)
    title_person = _title_subject(sent, cue, ents, salience)
    if title_person is not None:
        return (title_person,)
    orgs = [e for e in ents if e.end <= cue.i and e.label_ == "ORG" and not _after_preposition(e)]
    if orgs and orgs[-1].start == sent.start:
        return (orgs[-1],)
    return ()


def _pronoun_target(pronoun: str, orgs_here: list[Span], salience: Salience) -> tuple[Span, ...]:
    if pronoun in GROUP_PRONOUNS:
        # "Chez Hugging Face, ils …": the organisation named in the same clause comes first
        target = orgs_here[-1] if orgs_here else salience.group or salience.person
    else:
        target = salience.person_of(pronoun_gender(pronoun))
    return (target,) if target is not None else ()


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
    if orgs and not _after_preposition(orgs[0]):
        return (orgs[0],)
    return ()


def _linked_to(token: Token, subject: Token) -> bool:
    for _ in range(6):
        if token == subject:
            return True
        if token.dep_ not in ("appos", "conj", "flat:name", "fixed", "flat") or token.head == token:
            return False
        token = token.head
    return False


def _inverted(doc: Doc, cue: Token, sent: Span) -> bool:
    """Speaker after the verb: ``comme le souligne X``, ``« … », estime X``, ``« … », a-t-il dit``."""
    k = cue.i - 1
    while k >= sent.start and (doc[k].dep_.startswith("aux") or doc[k].lower_ in ("a", "ont", "avait")):
        k -= 1
    if k < sent.start:
        return False
    if doc[k].lower_ == "comme" or (k - 1 >= sent.start and doc[k - 1].lower_ == "comme"):
        return True  # "comme le souligne X"
    if doc[k].text not in (",", "»", "”", '"'):
        return False
    # an incise: the speaker (a name or a title) comes right after the verb, not "voit dans X"
    nxt = cue.i + 1
    while nxt < sent.end and doc[nxt].lower_ in ("-t-il", "-t-elle", "-il", "-elle", "encore", "aussi", "alors"):
        nxt += 1
    return nxt < sent.end and (doc[nxt].ent_type_ in ("PER", "ORG") or doc[nxt].lower_ in DETERMINERS
                               or doc[nxt].text[:1].isupper())


def _coordination_group(people: list[Span]) -> list[Span]:
    """``Yann LeCun et Joelle Pineau, ainsi que Zuckerberg`` -> all three."""
    group = [people[-1]]
    for ent in reversed(people[:-1]):
        between = ent.doc[ent.end : group[0].start].text.strip().lower()
        if between in (",", "et", ", et", "ainsi que", ", ainsi que", "ou", "ni") or between.endswith("ainsi que"):
            group.insert(0, ent)
        else:
            break
    return group


def _after_preposition(ent: Span) -> bool:
    if ent.start == 0:
        return False
    return ent.doc[ent.start - 1].lower_ in ("de", "d'", "d’", "du", "chez", "à", "par", "pour", "avec", "sur")


def _inside_parentheses(ent: Span, sent: Span) -> bool:
    before = ent.doc[sent.start : ent.start].text
    return before.count("(") > before.count(")")


IMPERSONAL_AFTER_IL = frozenset("est était semble faut fallait reste s' s’ y paraît suffit".split())


def _subject_pronoun(sent: Span, cue: Token) -> str | None:
    doc = sent.doc
    if re.search(r"\w, (?:il|elle|ils|elles), ", sent.text[: cue.idx - sent.start_char], re.IGNORECASE):
        return None  # "L'industrie, elle, reste inquiète": the pronoun echoes a noun of this sentence
    for token in doc[sent.start : cue.i]:
        if token.lower_ == "il" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ in IMPERSONAL_AFTER_IL:
            continue  # "il est évident que", "il faut": impersonal, nobody speaks
        if token.lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS and token.dep_.startswith("nsubj"):
            return token.lower_
        inverted = token.lower_.split("-")[-1]  # "a-t-il déclaré": the inverted subject pronoun
        if token.lower_.startswith("-") and inverted in PERSON_PRONOUNS | GROUP_PRONOUNS:
            return inverted
    first = sent[0].lower_ if len(sent) else ""
    if first == "il" and len(sent) > 1 and sent[1].lower_ in IMPERSONAL_AFTER_IL:
        return None
    return first if first in PERSON_PRONOUNS | GROUP_PRONOUNS else None


def _title_subject(sent: Span, cue: Token, ents: list[Span], salience: Salience) -> Span | None:
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
    while k > sent.start and doc[k].lower_ not in TITLE_WORDS and doc[k].pos_ == "ADJ":
        k -= 1  # "le directeur général", "la directrice scientifique"
    if k < sent.start or doc[k].lower_ not in TITLE_WORDS:
        return None
    if k - 1 >= sent.start and doc[k - 1].lower_ not in DETERMINERS:
        return None
    det = doc[k - 1].lower_ if k - 1 >= sent.start else ""
    title = doc[k : (org.start - 1) if org is not None else cue.i].text
    return _title_holder(title, det, org, salience)


def _title_at(sent: Span, start_char: int, ents: list[Span], salience: Salience) -> Span | None:
    """A title phrase starting at ``start_char`` (``le patron d'OpenAI``, ``la dirigeante``)."""
    doc = sent.doc
    k = next((t.i for t in sent if t.idx == start_char), None)
    if k is None or doc[k].lower_ not in DETERMINERS or k + 1 >= sent.end:
        return None
    det, head = doc[k].lower_, doc[k + 1]
    if head.lower_ not in TITLE_WORDS:
        return None
    j = k + 2
    while j < sent.end and doc[j].pos_ == "ADJ" and doc[j].is_lower:
        j += 1
    org = None
    if j + 1 < sent.end and doc[j].lower_ in ("de", "d'", "d’", "du", "chez"):
        org = next((e for e in ents if e.start == j + 1 and e.label_ == "ORG"), None)
    return _title_holder(doc[k + 1 : j].text, det, org, salience)


def _title_holder(title: str, det: str, org: Span | None, salience: Salience) -> Span | None:
    """The person a title stands for: the holder of that office at ``org`` in this article (or the
    KB), else the most recent person of the title's gender."""
    if org is not None:
        holders = salience.roles.get(org.text) or salience.roles.get(org.ent_id_ or "")
        wanted = title_class(title)
        same = [p for p, t in holders or [] if title_class(t) == wanted and wanted]
        if same:
            return same[0]
        return holders[0][0] if holders and len({p.text for p, _ in holders}) == 1 else None
    return salience.person_of(_title_gender(title, det))


def _title_gender(title: str, det: str) -> str | None:
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
    "chair": re.compile(r"\b(?:président|présidente|chairman)\b"),
}


def title_class(title: str) -> str | None:
    low = title.lower()
    for name, rx in _TITLE_CLASSES.items():
        if rx.search(low):
            return name
    return None


_FEMININE_TITLES = frozenset("présidente directrice dirigeante fondatrice cofondatrice patronne chercheuse "
                             "ingénieure associée avocate".split())


def _attribution_speaker(line: list[Span], ents_of: dict[int, list[Span]]) -> Span | None:
    """The person a line only names: ``Clément Delangue, CEO de Hugging Face`` or
    ``— Arthur Mensch``; not a heading such as ``Suleyman à la manœuvre``."""
    if len(line) != 1:
        return None
    first = line[0]
    ents = [e for e in ents_of.get(first.start, []) if e.label_ == "PER"]
    if not ents or len(first.text) > 120 or any(t.pos_ == "VERB" for t in first):
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
    return person


def _pull_quote_speakers(doc: Doc, sentences: Sequence[Span], ents_of: dict[int, list[Span]]) -> dict[int, Span]:
    """A quoted line followed by a line that only names its speaker (``Clément Delangue, CEO de …``)."""
    lines = _lines(sentences)
    result: dict[int, Span] = {}
    for idx in range(len(lines) - 1):
        person = _attribution_speaker(lines[idx + 1], ents_of)
        if person is None:
            continue
        quote = lines[idx]
        if not any(s.text.rstrip().endswith((".", "!", "?", "»", "”", '"')) for s in quote):
            continue
        if _attribution_speaker(quote, ents_of) is not None:
            continue
        for sent in quote:
            result[sent.start] = person
    return result


def attribution_lines(sentences: Sequence[Span], ents_of: dict[int, list[Span]]) -> set[int]:
    """Sentences that only name the speaker of the line above: not claims themselves."""
    lines = _lines(sentences)
    return {lines[idx][0].start for idx in range(1, len(lines)) if _attribution_speaker(lines[idx], ents_of)}


def _lines(sentences: Sequence[Span]) -> list[list[Span]]:
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


__all__ = ["DETERMINERS", "FoundClaim", "attribution_lines", "find_claims"]
