"""Reporting cues: the verbs (and a few adjectives) that mark a statement as someone's.

French news attributes speech with a large set of verbs (``a déclaré``, ``estime``,
``jubile``, ``a-t-il écrit``), some of which report speech only with a telling
complement (``partager ses inquiétudes``, ``présenter X comme``). In an *incise* —
the verb right after a quotation or a comma, its subject after it (``« … », prévient
le dirigeant``) — any of them reports speech, complement or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc, Span, Token

from kg.nlp.tokens import positions_in, word_positions

SPEECH_LEMMAS = frozenset(
    """déclarer affirmer souligner estimer penser croire craindre alerter avertir prédire saluer critiquer
    dénoncer expliquer évoquer indiquer ajouter assurer insister rappeler reconnaître regretter juger considérer
    plaider militer défendre exprimer prôner embrasser soulever souhaiter espérer promettre confier répondre
    admettre avouer déplorer fustiger accuser inquiéter alarmer réjouir applaudir reprocher redouter anticiper
    prévoir dire annoncer prévenir viser partager mettre préciser tempérer trancher résumer répéter qualifier
    interroger attendre nuancer marteler observer constater relever concéder détailler confirmer démentir nier
    contester avancer noter voir jubiler clamer écrire raconter révéler soutenir suggérer rétorquer répliquer
    commenter conclure témoigner mentionner réagir réclamer ironiser prétendre réfuter réaffirmer réitérer
    décrire remarquer pronostiquer engager conseiller appeler targuer présenter poursuivre continuer lancer
    entrevoir rapporter signaler insister vanter exhorter féliciter renchérir abonder objecter arguer argumenter
    certifier plaisanter exclamer tweeter montrer""".split()
)
# Verbs that report speech only in an incise ("« … », glisse X"): elsewhere they mean something else.
INCISE_ONLY = frozenset("lâcher glisser souffler tonner reprendre poster compléter pointer analyser décrypter "
                        "enchaîner embrayer sourire".split())
# Verbs that report speech only with a telling complement, outside an incise.
# "a mentionné mardi que", "a rappelé hier qu'": a day or an adverb may stand before the "que".
_ADVERBIAL = (r"(?: (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|aujourd['’]hui|également|aussi"
              r"|encore|notamment|ensuite|d['’]ailleurs|publiquement|récemment|déjà|enfin|toutefois|pourtant)){0,2}")
_THAT = rf"{_ADVERBIAL} (?:que|qu['’])"
NEEDS_OBJECT = {
    "partager": re.compile(r"\b(?:inquiétude|crainte|avis|vision|point de vue|conviction|analyse|espoir)"),
    "mettre": re.compile(r"\bmet\w* (?:en garde|en avant|l['’]accent|en doute)|\bmis en (?:garde|avant)"),
    "viser": re.compile(r"\bvis\w* (?:également |aussi )?à\b"),
    "soulever": re.compile(r"\bsoul[eè]v\w* (?:d['’]ailleurs |aussi |également )?"
                           r"(?:un point|une question|des questions)"),
    "dire": re.compile(r"\b(?:s['’]est|se sont|se) dit\w*|\bdit\b|\bdisent\b|\ba dit\b"),
    "prévenir": re.compile(r"\bprévien\w* que\b|\ba prévenu\b"),
    "inquiéter": re.compile(r"\bs['’]inqui[eè]t"),
    "alarmer": re.compile(r"\bs['’]alarm"),
    "réjouir": re.compile(r"\bse réjoui|\bs['’]est réjoui"),
    "féliciter": re.compile(r"\bse félicit|\bs['’]est félicit"),  # "félicite l'équipe" praises, says nothing
    "interroger": re.compile(r"\bs['’]interroge"),
    "répondre": re.compile(r"\brépond\w* (?:que|qu['’]|:)|\ba répondu\b"),
    "prévoir": re.compile(rf"\bprév\w*{_THAT}"),  # "prévoit des mises à jour" is a plan, not a forecast
    "attendre": re.compile(r"\bs['’]atten"),
    "observer": re.compile(r"\bobserv\w* que\b"),
    "relever": re.compile(r"\brel[eè]v\w* (?:que|qu['’]|de son côté|l['’]importance)"),
    "avancer": re.compile(r"\bavanc\w* que\b"),
    "noter": re.compile(rf"\bnot\w*{_ADVERBIAL} que\b"),
    "voir": re.compile(r"\bvoi\w* dans\b|\bvu dans\b"),  # "voit dans Mistral AI un symbole": an opinion
    "exprimer": re.compile(r"\bexprim\w* (?:ses|son|sa|leur|leurs|des|une|un) (?:inquiétude|crainte|soutien|avis|"
                           r"scepticisme|opposition|désaccord|regret|espoir|enthousiasme|réserve|doute)"),
    "écrire": re.compile(rf"\bécri\w*(?:{_THAT}| :)"),
    "raconter": re.compile(rf"\braconte\w*(?:{_THAT}| :)"),
    "révéler": re.compile(rf"\brév[eé]l\w*{_THAT}"),
    "soutenir": re.compile(rf"\bsoutien\w* (?:que|qu['’])|\bsoutenu{_THAT}"),
    "décrire": re.compile(r"\bdécri\w* .{0,60}\bcomme\b"),
    "présenter": re.compile(r"\bprésent\w* .{0,60}\bcomme\b"),
    "engager": re.compile(r"\bs['’](?:est |sont )?engag"),
    "conseiller": re.compile(r"\bconseill\w* (?:à|aux|de)\b"),
    "appeler": re.compile(r"\bappel\w* (?:à|au|aux)\b|\ba appelé \w+ à\b|\bappel\w* \w+ à\b"),
    "targuer": re.compile(r"\btargu"),
    "poursuivre": re.compile(r"\bpoursui\w* :"),
    "continuer": re.compile(r"\bcontinu\w* :"),
    "lancer": re.compile(r"\blanc\w* :"),
    "rapporter": re.compile(rf"\brapport\w*{_THAT}"),
    "signaler": re.compile(rf"\bsignal\w*{_THAT}"),
    "mentionner": re.compile(rf"\bmentionn\w*{_THAT}"),
    "entrevoir": re.compile(r"\bentrevoi\w* (?:un|une|des|le|la)\b"),
    "remarquer": re.compile(r"\bremarqu\w* (?:que|qu['’])|\bremarqué\b"),
    "rappeler": re.compile(r"\brappel\w* (?:que|qu['’]|:)|\brappel\w* (?:la|le|l['’]|les) (?:\w+ )?\w+ [A-Z]|"
                           r"\ba rappelé\b|\brappelle\b"),
    "vanter": re.compile(r"\bvant\w* (?:les|la|le|l['’]|ses|son|sa)\b"),
    "montrer": re.compile(r"\b(?:s['’]est|se sont|se) montr\w* (?:très |plus |assez |particulièrement )?"
                          r"(?:optimiste|prudent|confiant|inquiet|sceptique|rassurant|pessimiste|critique|enthousiaste)"),
    "tweeter": re.compile(rf"\btweet\w*(?:{_THAT}| :)"),
    "exclamer": re.compile(r"\bs['’](?:est )?exclam"),
    "certifier": re.compile(rf"\bcertifi\w*{_THAT}"),
}
# Participles and adjectives the lemmatizer does not always map to the verb.
SPEECH_FORMS = frozenset("craignant reconnaissant estimant affirmant soulignant jugeant inquiet inquiète "
                         "pronostiquant jubile clame averti".split())
INVERTED_PRONOUNS = frozenset({"-t-il", "-il", "-t-elle", "-elle", "-t", "-ils", "-elles", "-t-ils", "-t-elles"})

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
# Irregular forms the lemmatizer often misses.
_ER_FORMS.update({"écrit": "écrire", "écrivait": "écrire", "dit": "dire", "décrit": "décrire", "poursuit": "poursuivre",
                  "soutient": "soutenir", "conclut": "conclure", "avertit": "avertir", "prévient": "prévenir",
                  "reconnaît": "reconnaître", "admet": "admettre", "promet": "promettre", "entrevoit": "entrevoir",
                  "répond": "répondre", "rétorque": "rétorquer", "réplique": "répliquer", "appelle": "appeler",
                  "rappelle": "rappeler", "jubile": "jubiler", "clame": "clamer", "lance": "lancer"})


def speech_lemma(token: Token) -> str:
    """The reporting verb's lemma, also when the lemmatizer left the form as is ("estime")."""
    lemma = token.lemma_.lower()
    if lemma in SPEECH_LEMMAS or (lemma in INCISE_ONLY and is_incise(token)):
        return lemma
    if token.pos_ not in ("VERB", "AUX") and not is_incise(token) and not _verb_before_que(token):
        return lemma
    return _ER_FORMS.get(token.lower_, lemma)


def _verb_before_que(token: Token) -> bool:
    """``Clara Chappaz juge que …``: a form the tagger took for a noun (``juge``, ``note``) is the verb
    when ``que`` follows it and no determiner precedes it (``le juge que la cour a nommé``)."""
    doc = token.doc
    follows = token.i + 1 < len(doc) and doc[token.i + 1].lower_ in ("que", "qu'", "qu’")
    return follows and token.i > 0 and doc[token.i - 1].pos_ not in ("DET", "ADP", "ADJ")


# Beliefs stated with a copula: "X est convaincu que …", "X se dit persuadée que …".
BELIEF_FORMS = frozenset("""convaincu convaincue convaincus convaincues persuadé persuadée persuadés persuadées
    certain certaine certains certaines sûr sûre sûrs sûres""".split())
_IMPERSONAL_BELIEFS = frozenset("certain certaine sûr sûre".split())  # "il est certain que": it is certain
_SPEECH_CUE_FORMS = SPEECH_FORMS | frozenset(_ER_FORMS) | BELIEF_FORMS


def speech_candidates(doc: Doc) -> list[int]:
    """The tokens that may be reporting verbs (:func:`cue_token` looks no further)."""
    return word_positions(doc, _SPEECH_CUE_FORMS, SPEECH_LEMMAS | INCISE_ONLY)


def is_incise(token: Token) -> bool:
    """``« … », estime X``, ``« … » avertit X``, ``…, a-t-il ajouté``: the verb follows a quotation
    or a comma (auxiliaries and an inverted pronoun allowed in between), its subject after it."""
    doc = token.doc
    k = token.i - 1
    while k >= 0 and (doc[k].lower_ in INVERTED_PRONOUNS or doc[k].lower_ in _BEFORE_INCISE_VERB
                      or doc[k].dep_.startswith("aux")):
        k -= 1
    if k < 0 or doc[k].text not in (",", "»", "”", '"'):
        return False
    nxt = token.i + 1
    if nxt < len(doc) and doc[nxt].lower_ in INVERTED_PRONOUNS:
        return True
    if token.i - 1 >= 0 and doc[token.i - 1].lower_ in INVERTED_PRONOUNS:
        return True
    while nxt < len(doc) and doc[nxt].lower_ in ("encore", "aussi", "alors", "ainsi", "également", "même"):
        nxt += 1
    nxt = past_when_and_where(doc, nxt, len(doc))  # "a déclaré mardi à Paris le patron de …"
    if nxt >= len(doc):
        return False
    follower = doc[nxt]
    if follower.ent_type_ in ("PER", "ORG") or follower.lower_ in _SPEAKER_STARTS or follower.text[:1].isupper():
        return True
    # "a lancé sans détour X", "explique en souriant X": a short adverbial, then the speaker's name
    for k in range(nxt, min(nxt + 7, len(doc))):
        if doc[k].ent_type_ in ("PER", "ORG"):
            return True
        if doc[k].is_punct or doc[k].pos_ in ("VERB", "AUX") or not doc[k].is_lower:
            return False
    return False


_WHEN = frozenset("lundi mardi mercredi jeudi vendredi samedi dimanche hier soir matin dernier".split())


def past_when_and_where(doc: Doc, k: int, end: int) -> int:
    """Past ``mardi``, ``hier soir``, ``à Paris`` that may follow an incise verb before its speaker."""
    while k < end:
        if doc[k].lower_ in _WHEN:
            k += 1
        elif doc[k].lower_ == "à" and k + 1 < end and doc[k + 1].text[:1].isupper() \
                and not doc[k + 1].ent_type_:  # a place: the pipeline keeps no place names
            k += 2
            while k < end and doc[k].text[:1].isupper() and not doc[k].ent_type_:
                k += 1
        else:
            return k
    return k


# what may stand between the comma (or closing quote) and the verb: "a-t-il", "s'est", "se réjouit"
_BEFORE_INCISE_VERB = frozenset({"a", "ont", "avait", "avaient", "se", "s'", "s’", "t", "-t", "est"})
_SPEAKER_STARTS = frozenset("le la les l' l’ un une son sa ce cet cette".split())


def cue_token(sent: Span, cues: Sequence[int], text: str, masked: Sequence[tuple[int, int]] = ()) -> Token | None:
    """The first reporting cue of ``sent`` (see :func:`cue_tokens`)."""
    return next(cue_tokens(sent, cues, text, masked), None)


def cue_tokens(sent: Span, cues: Sequence[int], text: str,
               masked: Sequence[tuple[int, int]] = ()) -> Iterator[Token]:
    """The reporting cues of ``sent`` in order, outside the character ranges ``masked`` (quotations)
    unless they are an incise there (``« …, se réjouit X, … »``)."""
    low = text.lower()
    doc = sent.doc
    for i in positions_in(cues, sent):
        token = doc[i]
        incise = is_incise(token)
        by_agent = token.i + 1 < sent.end and doc[token.i + 1].lower_ == "par"  # "salué par X": X speaks
        if not incise and any(a < token.idx < b for a, b in masked):
            continue
        if token.lower_ in BELIEF_FORMS:
            if _stated_belief(token):
                yield token
            continue
        if token.lower_ in SPEECH_FORMS and (token.pos_ != "NOUN" or incise):
            yield token
            continue
        lemma = speech_lemma(token)
        if lemma in INCISE_ONLY and not incise:
            continue
        if lemma not in SPEECH_LEMMAS | INCISE_ONLY or token.pos_ not in ("VERB", "AUX", "ADJ", "NOUN"):
            continue
        if token.pos_ == "NOUN" and lemma not in ("craindre",) and token.lower_ not in _ER_FORMS:
            continue
        if token.pos_ == "NOUN" and token.i > 0 and (doc[token.i - 1].pos_ == "DET" or (
                doc[token.i - 1].text == "," and token.i + 1 < len(doc)
                and doc[token.i + 1].lower_ in ("de", "d'", "d’", "du", "chez"))):
            continue  # "X, conseiller de Mistral AI,", "le conseiller": a noun, whatever its form
        if any(c.dep_ == "aux:pass" for c in token.children) and not incise and not by_agent:
            continue  # "elle est reconnue pour…": a passive description, not a statement
        if token.morph.get("VerbForm", None) == ["Inf"] and not incise:
            continue  # "pour parler librement": an infinitive reports nothing by itself
        if token.morph.get("VerbForm", None) == ["Part"] and token.dep_ in ("acl", "amod") and not incise \
                and not by_agent and not any(c.dep_.startswith("aux") for c in token.children) \
                and not _auxiliary_before(token):
            continue  # "R1, jugé aussi performant": a participle describes, nobody speaks
        if any(c.lower_ == "pas" or c.lower_ == "jamais" for c in token.children) and not incise:
            continue  # "n'a pas indiqué qui la remplacera", "n'a pas répondu": nothing was said
        check = NEEDS_OBJECT.get(lemma)
        if check is not None and not incise and not check.search(low[token.idx - sent.start_char :]) \
                and not check.search(low[max(0, token.idx - sent.start_char - 12) :]):
            continue
        yield token


_AUXILIARIES = frozenset("a ont avait avaient aura auront est sont était étaient".split())
_COPULAS = frozenset("est sont était étaient reste restent demeure dit disait".split())


def _stated_belief(token: Token) -> bool:
    """``convaincu que`` after a copula (``est``, ``se dit``), not ``il est certain que`` (impersonal)."""
    doc = token.doc
    k = token.i - 1
    while k > 0 and doc[k].pos_ == "ADV":  # "est plus que jamais convaincu"
        k -= 1
    if token.i + 1 >= len(doc) or doc[token.i + 1].lower_ not in ("que", "qu'", "qu’") or doc[k].lower_ not in _COPULAS:
        return False
    subject = doc[k - 1].lower_ if k > 0 else ""
    return not (token.lower_ in _IMPERSONAL_BELIEFS and subject in ("il", "c'", "c’", "ce"))


def _auxiliary_before(token: Token) -> bool:
    """``a de son côté salué``: an auxiliary a few words before the participle (the parser may
    not attach it) makes a compound tense, not a description."""
    doc = token.doc
    for k in range(token.i - 1, max(-1, token.i - 6), -1):
        if doc[k].lower_ in _AUXILIARIES:
            return True
        if doc[k].is_punct or (doc[k].pos_ == "VERB" and doc[k].lower_ not in _AUXILIARIES):
            return False
    return False


def cue_text(token: Token) -> str:
    aux = [c.text for c in token.children if c.dep_.startswith("aux")]
    return " ".join([*aux, token.text])


__all__ = ["SPEECH_LEMMAS", "cue_text", "cue_token", "is_incise", "speech_candidates", "speech_lemma"]
