"""French cue words for the grammar: titles, organisation and model nouns, boilerplate.

Each list holds for French news in general, not for one article; comments say why
an entry is there when it is not obvious.
"""

from __future__ import annotations

import re

# Heads of job titles ("le PDG de X", "X, directrice scientifique de Y").
ROLE_HEADS = frozenset("""
    pdg ceo cto coo cfo cso cpo dg président présidente vice-président vice-présidente directeur
    directrice dirigeant dirigeante patron patronne fondateur fondatrice cofondateur cofondatrice
    co-fondateur co-fondatrice responsable chef cheffe chercheur chercheuse scientifique ingénieur
    ingénieure porte-parole associé associée head manager investisseur investisseuse administrateur
    administratrice gérant gérante conseiller conseillère économiste analyste professeur professeure
    employé employée salarié salariée membre ministre commissaire secrétaire délégué déléguée
    chairman président-directeur
""".split())
FOUNDER_HEADS = frozenset("fondateur fondatrice cofondateur cofondatrice co-fondateur co-fondatrice".split())
# Nouns that introduce an organisation's name ("la start-up Mistral AI").
ORG_NOUNS = frozenset("""
    entreprise société start-up startup firme groupe laboratoire labo géant éditeur constructeur
    fabricant plateforme site média journal quotidien agence institut fondation association ong
    consortium organisation organisme banque fonds licorne cabinet compagnie opérateur clinique
    hôpital université école centre studio régulateur autorité observatoire syndicat fédération
    chaîne radio magazine hebdomadaire mensuel assureur distributeur holding spécialiste pépite
    scale-up hébergeur fournisseur concurrent rival partenaire
""".split()) | {"jeune pousse"}  # a two-word noun cannot go in the split list
# Nouns that introduce a name that is NOT an organisation, person or model here.
NON_ENTITY_NOUNS = frozenset("""
    mouvement projet programme initiative loi règlement directive podcast émission newsletter série
    film livre rapport conférence salon sommet festival concours prix opération plan licence norme
    protocole benchmark classement indice label
""".split())
# Nouns that introduce a model's name ("le modèle Ernie 4.5 Turbo", "le chatbot Le Chat").
MODEL_NOUNS = frozenset(
    "modèle modèles llm llms chatbot chatbots assistant assistants agent agents robot outil famille version".split()
)
# Capitalised words that follow a model noun without being a model's name ("modèles IA", "modèle Open Source").
NOT_MODEL_NAMES = frozenset("IA AI Open Source Le La Les Un Une Des Ce Cette GPU API".split())
MODEL_VERBS = frozenset("""
    lancer dévoiler publier présenter sortir annoncer développer entraîner concevoir créer mettre
    déployer open-sourcer
""".split())
# Tokens that can follow a model family name as part of the model's name.
MODEL_SUFFIX_WORDS = frozenset("""
    Turbo Pro Flash Mini mini Nano Ultra Max Plus Large Medium Small Tiny Instruct Chat Coder Code
    Vision Opus Sonnet Haiku Preview Lite Omni Reasoning Thinking Base VL Math
""".split())
VERSION_RE = re.compile(r"^(?:v?\d+(?:\.\d+)*[a-z]?|\d+(?:\.\d+)?[BbMmKkTt]|\d+x\d+[Bb]|[A-Z]\d+(?:\.\d+)?|o\d)$")
SIZE_RE = re.compile(r"\d+(?:[.,]\d+)?\s?[BbMmTt]$")
# A hyphenated product name carrying a version: QwQ-32B, GPT-4o, DeepSeek-R1, Qwen2.5-72B.
MODEL_TOKEN_RE = re.compile(r"^[A-Z][A-Za-z0-9.]*[A-Za-z][A-Za-z0-9.]*-(?:[A-Za-z]*\d[A-Za-z0-9.]*)$")
ORG_SUFFIXES = frozenset("AI Labs Lab Inc Inc. Corp Corp. SA SAS Technologies Systems Group Research Robotics "
                         "Ventures Capital Partners Holdings".split())
NAME_PARTICLES = frozenset("de du des d' von van der den la le di da al el bin ben".split())
DETERMINERS = frozenset("le la les l' l’ un une des son sa ses leur leurs ce cet cette".split())

# Lines that belong to the page, not the article: no facts are read from them.
BOILERPLATE_LINE_RE = re.compile(
    r"^\s*(?:lire aussi|à lire aussi|a lire aussi|voir aussi|lire la suite|sur le même sujet|"
    r"abonnez-vous|laisser un commentaire|privacy policy|politique de confidentialité|contact\s*$|"
    r"the source of the article|source\s*:|crédits?\s*(?:photo)?\s*:|photo\s*:|partager|newsletter|"
    # a byline: "Par Julie Garnier", "Par Antoine Reynaud (San Francisco, correspondant)"
    r"(?:par|by)\s+[A-ZÉÈ][\w'’-]+(?:\s+[A-ZÉÈ][\w'’-]+){0,3}\s*(?:\(.*\))?\s*$)",
    re.IGNORECASE,
)

MONTHS = frozenset("janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split())
# An organisation hiring someone: "Nexa a nommé X" (kg.nlp.org_contexts, kg.nlp.employment).
HIRE_FORMS = frozenset("nommé nommée recruté recrutée embauché embauchée".split())
