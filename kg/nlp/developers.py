"""Developers: which organisation built which model (``Copilot de Microsoft``, ``Grok (xAI)``,
``Mistral AI a lancé Le Chat``, ``son modèle Gemma``, ``conçu par Microsoft Research``)."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

from kg.nlp.grammar import (
    Found,
    ent_at,
    label,
    opening_name,
    org_after_preposition,
    org_noun,
)
from kg.nlp.lexicon import DETERMINERS, MODEL_NOUNS, MODEL_VERBS, ORG_NOUNS
from kg.nlp.tokens import positions_in, word_positions

DEVELOPED_BY_FORMS = frozenset("""
    édité éditée édités éditées
    développé développée développés conçu conçue créé créée lancé lancée entraîné entraînée publié publiée
""".split())

def developers(sent: Span, ents: list[Span]) -> Iterator[Found]:
    doc = sent.doc
    for model in (e for e in ents if label(e) == "AIMODEL"):
        origin = _org_of_model(doc, model, ents, sent)
        if origin is not None:
            yield Found(model, "creator", origin[0], None, origin[1], origin[2])
    seen: set[tuple[int, int]] = set()
    for org, models, rule in [*_launches(sent, ents), *_possessive_models(sent, ents), *_makers(sent, ents),
                              *_product_lists(sent, ents)]:
        for model in models:
            if (model.start, org.start) not in seen:
                seen.add((model.start, org.start))
                yield Found(model, "creator", org, None, rule, 0.75 if rule == "org-launched-model" else 0.7)


LAUNCH_FORMS = frozenset(
    """lancé lancée lancés lancées lance lancent dévoilé dévoilée dévoile dévoilent publié publiée publie publient
    présenté présentée présente présentent sorti sortie sort sortent annoncé annoncée annonce annoncent
    dévoilait lançait publiait présentait entraîné entraînée disponible disponibles accessible accessibles""".split()
)
# "disponible" launches only after a form of "rendre": "a rendu disponible Sora" (not "Sora est disponible").
_MADE_AVAILABLE = frozenset({"disponible", "disponibles", "accessible", "accessibles"})
_RENDER = frozenset("rendu rendue rend rendent rendait".split())


def _launches(sent: Span, ents: list[Span]) -> Iterator[tuple[Span, list[Span], str]]:
    """``ORG (…) a lancé [quand] M1 et M2``: the organisation is the subject (the nearest organisation
    before the verb that no preposition introduces), the models are named after the verb."""
    doc = sent.doc
    for i in positions_in(word_positions(doc, LAUNCH_FORMS, MODEL_VERBS), sent):
        verb = doc[i]
        if not _launch_verb(verb):
            continue
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


def _launch_verb(verb: Token) -> bool:
    """A launch form, or a launch verb's lemma on a verb; ``disponible`` only after ``rendre``."""
    if verb.lower_ not in LAUNCH_FORMS and verb.pos_ != "VERB":
        return False
    return verb.lower_ not in _MADE_AVAILABLE or verb.doc[verb.i - 1].lower_ in _RENDER


def anaphor_launches(sent: Span, ents: list[Span]) -> Iterator[list[Span]]:
    """``L'entreprise présente ses deux modèles : M1 et M2``, ``la start-up a dévoilé un modèle
    baptisé M``: the launcher is an organisation noun standing for the organisation the article is
    about (the pipeline, which sees the whole article, decides which)."""
    doc = sent.doc
    for i in positions_in(word_positions(doc, LAUNCH_FORMS, MODEL_VERBS), sent):
        verb = doc[i]
        if not _launch_verb(verb):
            continue
        if _subject_org_before(doc, ents, verb.i, sent) is not None:
            continue
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is None or subject.i >= verb.i or not org_noun(subject):
            subject = _opening_org_noun(sent, verb.i)  # the parser may miss "La jeune pousse, …, a dévoilé"
        if subject is None:
            continue
        models = _models_after(doc, ents, verb.i, sent, allow_colon=True)
        if models:
            yield models


def opening_org(sent: Span, ents: list[Span]) -> Span | None:
    """The organisation that opens the sentence as its subject: ``Nvidia a…``, ``Le groupe
    américain Nvidia, …``, ``La start-up Mistral AI …``."""
    return opening_name(sent, ents, ("ORG",), sent.end)


def _opening_org_noun(sent: Span, verb_i: int) -> Token | None:
    """The organisation noun that opens the sentence (``La jeune pousse``, ``L'entreprise``)."""
    doc = sent.doc
    for k in range(sent.start + 1, min(sent.start + 4, verb_i)):
        if org_noun(doc[k]):
            return doc[k]
    return None


def _subject_org_before(doc: Doc, ents: list[Span], i: int, sent: Span) -> Span | None:
    before = [e for e in ents if e.end <= i and i - e.end <= 25]
    for ent in reversed(before):
        if label(ent) == "PER":
            prev = doc[ent.start - 1] if ent.start > sent.start else None
            if prev is not None and prev.lower_ in ("par", "de", "d'", "d’"):
                continue  # "la start-up fondée par Yang Zhilin": an agent inside an apposition
            return None  # a person is the nearer subject
        if label(ent) != "ORG":
            if ent.end < i and doc[ent.end].pos_ == "AUX":
                return None  # "…, et DeepSeek a mis à jour": a model's name is this verb's subject
            continue
        prev = doc[ent.start - 1] if ent.start > sent.start else None
        if prev is not None and prev.lower_ in (
            "de", "d'", "d’", "du", "par", "chez", "à", "avec", "pour", "sur", "dans",
        ):
            return None
        return ent
    return None


# Words after which a model is compared with the launched one, not launched: "capable de rivaliser
# avec GPT-4o", "plus rapide que Llama 3", "face à Gemini", "pour remplacer GPT-4".
_COMPARED = frozenset("""avec que qu' qu’ contre face devant rivaliser concurrencer concurrent concurrents
    surpasser dépasser remplacer remplace succéder successeur rival rivaux comparable comparables""".split())
# What may stand between two launched models: "M1 et M2", "M1, M2 ainsi que M3".
_LIST_GLUE = frozenset({",", "et", "ou", "ainsi", "que", "puis"})


def _models_after(doc: Doc, ents: list[Span], i: int, sent: Span, allow_colon: bool = False) -> list[Span]:
    """The models the verb at ``i`` launches: named within 15 words after it, before any organisation,
    person or comparison, and, after the first, only in a list with it."""
    models: list[Span] = []
    stops = (";",) if allow_colon else (";", ":")
    for ent in ents:
        if ent.start <= i or ent.start - i > 15:
            continue
        if label(ent) in ("ORG", "PER"):
            break
        between = doc[models[-1].end if models else i + 1 : ent.start]
        if any(t.text in stops or t.lower_ == "par" or _compares(t) for t in between):
            break
        if models and not _in_a_list(between):
            break
        if ent.end < sent.end and doc[ent.end].pos_ in ("AUX", "VERB"):
            break  # "…, et DeepSeek a mis à jour V3": the subject of a new clause, not a launched model
        models.append(ent)
    return models


def _in_a_list(between: Span) -> bool:
    """``M1 et M2``, ``M1, M2 ainsi que M3``, also past a short apposition: ``M1, son générateur de
    vidéos, et M2``."""
    if all(t.lower_ in _LIST_GLUE for t in between):
        return True
    words = [t for t in between]
    if len(words) > 10 or words[0].text != "," or [t.text for t in words[-2:]] != [",", "et"]:
        return False
    inner = words[1:-2]
    return bool(inner) and inner[0].pos_ == "DET" and all(t.is_lower and t.pos_ != "VERB" for t in inner)


def _compares(token: Token) -> bool:
    """A word that brings in a model to compare with (``que`` of ``ainsi que`` lists instead)."""
    return token.lower_ in _COMPARED and not (token.lower_ == "que" and token.nbor(-1).lower_ == "ainsi")


POSSESSIVES = frozenset({"son", "sa", "leur", "ses", "leurs"})
NAMING_WORDS = frozenset("appelé appelée baptisé baptisée nommé nommée dénommé dénommée".split())


def _possessive_models(sent: Span, ents: list[Span]) -> Iterator[tuple[Span, list[Span], str]]:
    """``Cordelia Santé …, son modèle Galien-7B``: a model the subject organisation calls its own."""
    doc = sent.doc
    for model in (e for e in ents if label(e) == "AIMODEL"):
        k = model.start - 1
        if k > sent.start and doc[k].lower_ in NAMING_WORDS:
            k -= 1  # "son modèle de langage phare appelé Llama"
        steps = 0
        while k > sent.start and doc[k].lower_ not in MODEL_NOUNS and steps < 4 and doc[k].is_lower \
                and (doc[k].pos_ in ("ADJ", "NOUN", "ADP") or doc[k].lower_ in ("de", "d'", "d’")):
            k -= 1
            steps += 1
        if k - 1 < sent.start or doc[k].lower_ not in MODEL_NOUNS or doc[k - 1].lower_ not in POSSESSIVES:
            continue
        org = _subject_org_before(doc, ents, k - 1, sent)
        if org is None:  # "l'approche de Meta …, comme son modèle Llama": the organisation just named
            near = [e for e in ents if label(e) == "ORG" and e.end <= k - 1 and k - 1 - e.end <= 12]
            org = near[-1] if near and not any(label(e) == "ORG" for e in ents if near[-1].end <= e.start < k) else None
        if org is not None:
            yield org, [model], "org-possessive-model"






def _org_of_model(doc: Doc, model: Span, ents: list[Span], sent: Span) -> tuple[Span, str, float] | None:
    i = model.end
    if i >= sent.end:
        return None
    token = doc[i]
    if token.lower_ in ("de", "d'", "d’", "du"):
        org = ent_at(ents, i + 1)
        if org is not None and label(org) == "ORG":
            return org, "model-of-org", 0.8
    if token.text == "(":
        org = ent_at(ents, i + 1)
        if org is not None and label(org) == "ORG" and org.end < sent.end and doc[org.end].text == ")":
            return org, "model-parenthesis-org", 0.8
    k = i + 1 if token.text == "," else i
    if k < sent.end and doc[k].lower_ in DEVELOPED_BY_FORMS and k + 1 < sent.end and doc[k + 1].lower_ == "par":
        org = ent_at(ents, k + 2)
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
                org = ent_at(ents, m + 1)
                if org is not None and label(org) == "ORG":
                    return org, "model-apposition-of-org", 0.85
    return None


def _participle_by_org(doc: Doc, model: Span, ents: list[Span], sent: Span) -> Span | None:
    """``Phi-4, un petit modèle de 14 milliards de paramètres conçu par Microsoft Research``,
    ``o3-mini, lancé fin janvier par OpenAI``: a participle and ``par ORG`` later in the phrase."""
    for k in range(model.end, min(model.end + 15, sent.end)):
        token = doc[k]
        if token.text in (";", ":", "«") or (k > model.end and ent_at(ents, k) is not None):
            return None
        if token.lower_ in DEVELOPED_BY_FORMS | LAUNCH_FORMS:
            for j in range(k + 1, min(k + 5, sent.end)):
                if doc[j].lower_ == "par":  # "développé par sa société xAI"
                    org = org_after_preposition(doc, ents, j + 1, sent)
                    return org if org is not None and label(org) == "ORG" else None
                if doc[j].text in (",", ";") or ent_at(ents, j) is not None:
                    break
            return None
    return None




MAKER_NOUNS = frozenset("créateur créatrice éditeur éditrice concepteur conceptrice développeur développeuse "
                        "fabricant maison père mère inventeur inventrice".split())


def _makers(sent: Span, ents: list[Span]) -> Iterator[tuple[Span, list[Span], str]]:
    """``OpenAI, la compagnie créatrice de ChatGPT``, ``Anthropic, éditeur de Claude``, ``le patron
    d'OpenAI, créateur de ChatGPT``: a maker noun apposed to the organisation."""
    doc = sent.doc
    for model in (e for e in ents if label(e) == "AIMODEL"):
        k = model.start - 1
        while k > sent.start and (doc[k].lower_ in MODEL_NOUNS or doc[k].lower_ in ("l'", "l’", "le", "la")):
            k -= 1  # "éditrice de l'assistant Claude"
        if k - 1 < sent.start or doc[k].lower_ not in ("de", "d'", "d’", "du"):
            continue
        k -= 1
        if doc[k].lower_ not in MAKER_NOUNS:
            continue
        k -= 1
        while k > sent.start and (doc[k].lower_ in DETERMINERS or doc[k].lower_ in ORG_NOUNS
                                  or (doc[k].pos_ == "ADJ" and doc[k].is_lower)):
            k -= 1
        if doc[k].text != ",":
            continue
        org = next((e for e in ents if e.end == k and label(e) == "ORG"), None)
        if org is not None:
            yield org, [model], "org-maker-of-model"


LIST_CUES = frozenset("comme notamment dont particulier tels telles".split())
PRODUCT_NOUNS = frozenset("produits produit services service applications application outils outil modèles "
                          "modèle solutions assistants offre logiciels auteur".split())


def _product_lists(sent: Span, ents: list[Span]) -> Iterator[tuple[Span, list[Span], str]]:
    """``les produits de Microsoft, comme Copilot``, ``les applications de Mistral, en particulier
    l'assistant Le Chat Pro et le LLM Codestral``, ``Mistral AI, qui est l'auteur de modèles comme
    Mistral 7B, Mixtral ou Small 3.1``: models given as examples of an organisation's products."""
    doc = sent.doc
    for cue in (t for t in sent if t.lower_ in LIST_CUES):
        models = _listed_models(doc, ents, cue.i + 1 + (cue.lower_ in ("tels", "telles")), sent)
        if not models:
            continue
        org = _owner_before(doc, ents, cue.i, sent)
        if org is not None:
            yield org, models, "org-products-list"


def _listed_models(doc: Doc, ents: list[Span], i: int, sent: Span) -> list[Span]:
    models: list[Span] = []
    while i < sent.end:
        while i < sent.end and ent_at(ents, i) is None and (
                doc[i].lower_ in DETERMINERS or doc[i].lower_ in MODEL_NOUNS or doc[i].lower_ in ("que", "qu'")):
            i += 1
        model = ent_at(ents, i)
        if model is None or label(model) != "AIMODEL":
            break
        models.append(model)
        i = model.end
        if i < sent.end and doc[i].text in (",", "et", "ou"):
            i += 1
        else:
            break
    return models


def _owner_before(doc: Doc, ents: list[Span], cue_i: int, sent: Span) -> Span | None:
    """The organisation whose products the list illustrates: ``PRODUCTS de ORG`` or ``ORG, qui est
    l'auteur de …`` within the few words before the list."""
    for k in range(cue_i - 1, max(sent.start, cue_i - 14), -1):
        if doc[k].lower_ not in PRODUCT_NOUNS:
            continue
        nxt = k + 1
        if nxt < sent.end and doc[nxt].lower_ in ("de", "d'", "d’", "du"):
            org = org_after_preposition(doc, ents, nxt + 1, sent)
            if org is not None and label(org) == "ORG" and doc[k].lower_ != "auteur":
                return org
        if doc[k].lower_ == "auteur":
            relative = [e for e in ents if label(e) == "ORG" and e.end + 1 < k and doc[e.end].text == ","
                        and doc[e.end + 1].lower_ == "qui"]
            return relative[-1] if relative else None
    return None
