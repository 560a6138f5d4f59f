"""Stance of a claim from a French lexicon of cues.

Each cue is a regular expression over the lower-cased statement with a weight; the
cue that marked the sentence as a claim (the reporting verb) counts more. The
stance with the highest total wins; ties go to the more specific stance (criticism,
concern, prediction, support), and no cue at all gives ``neutral``.
"""

from __future__ import annotations

import re

from kg.records import Stance

_CUES: dict[Stance, list[tuple[str, float]]] = {
    "concern": [
        (r"\binqui[eè]t", 3), (r"\binquiétude", 3), (r"\bcrai(?:n|gn)", 3), (r"\bcrainte", 3),
        (r"\bpréoccup", 3), (r"\balert", 3), (r"\bmis(?:e)? en garde|\bmet(?:tent)? en garde|\bmettre en garde", 3),
        (r"\bavert", 2), (r"\bredout", 3), (r"\bs['’]alarm", 3), (r"\brisques?\b", 2), (r"\bdanger", 2),
        (r"\bmenace", 2), (r"\bsceptic", 2), (r"\bempêcher\b", 2), (r"\bdominer|\bdomine\b|\bdomination", 1),
        (r"\bconcentration", 1), (r"\bmonopol", 1), (r"\bcensur", 2), (r"\burgence", 1), (r"\bdérive", 2),
        (r"\bpourrai(?:en)?t\b", 1),  # the conditional of a risk: "pourrait réduire la compétition"
        (r"\bs['’]interroge|\bdoute\b|\bdoutes\b", 2), (r"\bfaute de\b", 1), (r"\bp[eè]s\w* lourd", 2),
        (r"\bsur le carreau\b", 2), (r"\bguerre des prix", 1), (r"\bdépend(?:ance|re|ent)?\b", 1),
        (r"\blimiter\b", 1), (r"\bfragil", 2), (r"\bvulnérab", 2), (r"\bchoc\b", 1), (r"\bspoutnik", 2),
        (r"\bdétourn", 2), (r"\babus\b", 2), (r"\bmenacer", 2), (r"\bperte de contrôle", 3),
        (r"\bne pas maîtris|\bne maîtris\w* pas", 2), (r"\binquiétant", 3), (r"\balarmant", 3),
        (r"\bretard\b", 2), (r"\bpas (?:assez |)suffisant", 2),
        (r"\bcombler (?:l['’]écart|le retard)", 2), (r"\breste du travail", 2),
        (r"\bvrai enjeu|\bun enjeu\b", 1), (r"\bmalveillan", 2), (r"\bpire crainte|\bmal se passer|\btourne mal", 3),
    ],
    "support": [
        (r"\bsalu[eé]", 3), (r"\bsoutien|\bsoutient|\bsoutenir|\bsoutenu", 2), (r"\bembrass", 3),
        (r"\bmilit\w* pour", 3), (r"\bplaid\w* pour", 3), (r"\bprôn", 3), (r"\bdéfend", 2),
        (r"\bcroi\w* (?:aux|en|à) (?:les )?(?:avantages|bienfaits|vertus|potentiel)", 3),
        (r"\bavantages?\b", 1), (r"\bbienfait", 1), (r"\bbénéfique", 1), (r"\bopportunités?\b", 1),
        (r"\bavancées?\b", 1), (r"\bfavorable", 2), (r"\bse réjoui|\bréjoui", 3), (r"\benthousias", 2),
        (r"\best (?:crucial|essentiel|important|primordial|indispensable|nécessaire) que", 1.5),
        (r"\bsouhait", 2), (r"\bmett\w* l['’]accent sur", 2), (r"\bconvivial", 1),
        (r"\befficac", 1), (r"\bpertinent", 2), (r"\bencourag", 2), (r"\bpromouv", 2), (r"\bapplaudi", 3),
        (r"\bimpressionn", 2), (r"\bbluff", 2), (r"\bremarquable", 2), (r"\bexcellent", 2), (r"\bperformant", 1),
        (r"\bmeilleur", 1), (r"\bprometteu", 2), (r"\butile", 1), (r"\bprogrès\b", 1), (r"\bpermet(?:tre|tent)?\b", 1),
        (r"\bnous voulons|\bnous souhaitons|\bnous pouvons", 2),
        (r"\bplein de choses|\bbeaucoup à apporter|\bà apporter\b", 2), (r"\bbon équilibre", 1.5),
        (r"\ble plus grand|\bla plus grande|\bles plus grand", 1.5),
        (r"\best (?:primordial|indispensable|nécessaire)\b(?! que)", 1.5), (r"\bpromet\b|\bpromis\b", 2),
        (r"\bbien conçu", 2), (r"\bconvaincu", 2), (r"\bsolide\b", 1), (r"\bfélicit", 3), (r"\bconfian", 1),
        (r"\bréussite|\bsuccès\b", 1),
        (r"\bindépendan", 1), (r"\bouverts?\b|\bouvertes?\b|\bouverture\b", 1), (r"\baccessible", 1),
        (r"\bsimplifier\b", 1), (r"\bfavoriser\b|\bfavorise\b", 1), (r"\bbénéfice", 1), (r"\bavantage", 1),
        (r"\bvaut mieux\b", 1), (r"\bbâtir\b|\bconstruire\b", 1), (r"\binnover\b|\binnovation", 1),
        (r"\bopportun", 1), (r"\batout", 1), (r"\bfier\b|\bfierté", 2),
        (r"\b(?:était|sont|étaient|serait|reste|restent) "
         r"(?:crucia|essentiel|primordia|indispensable|vita|capita)", 1.5),
        (r"\bappel\w* (?:[\w'’]+ ){0,3}à (?:investir|agir|accélérer|soutenir|développer|renforcer|adopter|miser)", 2),
        (r"\bimportan(?:t|te|ce)\b", 1.5), (r"\bpositi(?:f|ve|fs|ves)\b", 2), (r"\bambition", 2),
        (r"\bmet\w* en avant|\bmis en avant", 2), (r"\bsatisfaction\b|\blouange|\badmir", 3),
        (r"\bdynamique\b", 1), (r"\bdécisi(?:f|ve)\b", 1), (r"\bla plus (?:intelligente|performante|puissante)", 2),
        (r"\bincontournable", 1.5), (r"\boptimis", 2), (r"\bgarantir\b|\bgarantissant\b", 1),
        (r"\baccompagner\b", 1), (r"\bvant\w*\b", 2), (r"\bhéro", 2), (r"\bresponsable\b", 1),
        # guarding against a risk is a supportive framing: "pour prévenir les abus"
        (r"\b(?:prévenir|éviter|réduire|limiter|encadrer) (?:les|des|ces) (?:abus|risques|dérives|dangers)", 2),
    ],
    "criticism": [
        # "une année critique" is a decisive year, not a criticism
        (r"(?<!année )(?<!moment )(?<!phase )(?<!étape )(?<!période )(?<!point )(?<!masse )\bcritiqu", 3),
        (r"\bdénon[cç]", 3), (r"\bproblématique", 3), (r"\baccus", 2), (r"\breproch", 3),
        (r"\bfustig", 3), (r"\bdéplor", 3), (r"\bcondamn", 3), (r"\bregrett", 2), (r"\bs['’]oppos", 2),
        (r"\bépingl", 2), (r"\binacceptable", 3), (r"\bscandal", 3), (r"\bdéçu|\bdéception", 2),
        (r"\babsurde", 3), (r"\bexcessi", 2), (r"\btrop (?:de |d['’])?\w+", 1), (r"\bpas encore\b", 1),
        (r"\binsuffisan", 2), (r"\bopaque|\bopacité", 2),
        (r"\babsence de\b", 2), (r"\bmanque\w*\b", 1), (r"\bpolitiquement correct", 2), (r"\bhors de la course", 2),
        (r"\bsurévalu|\bbulle\b", 2), (r"\bexagér", 2), (r"\bargument marketing|\bcoup marketing", 2),
        (r"\bà la traîne", 1), (r"\bdéfaillan|\béchec", 2), (r"\bexceptions?\b", 1), (r"\bconteste\w*\b", 2),
        (r"\bironi", 1), (r"\bfreiner|\bentrave", 2), (r"(?<!cas d')(?<!cas d’)\berreur", 2.5), (r"\baucune idée", 3),
        (r"\bne suit pas\b|\bmauvais cap|\bpas le bon cap", 3), (r"\baddicti", 2), (r"\binterdi", 1),
        (r"\bdésastr", 3), (r"\bcatastroph", 2.5), (r"\bhonte\b|\bhonteu", 3), (r"\bridicul", 3),
        (r"\birresponsab", 3), (r"\bmensong", 3),
    ],
    "prediction": [
        (r"\bprédi", 3), (r"\bentrevoi", 2),
        (r"\b(?:dans|en) (?:\d+|deux|trois|quatre|cinq|dix|vingt)(?: (?:à|ou) (?:\d+|cinq|dix|vingt))? ans\b", 2),
        (r"\bprévoi", 2), (r"\banticip", 2), (r"\bprophétis", 3),
        (r"\bva(?:s)? [«“\"]?\s?(?!pas\b)(?:(?:s|se|l|le|la|les|nous|vous|y|en|m|t)['’ ])?\w+(?:er|ir|re)\b", 2),
        (r"\bvont (?!pas\b)(?:(?:s|se|l|le|la|les|nous|vous|y|en)['’ ])?\w+(?:er|ir|re)\b", 2),
        (r"\b(?:va|vont|devrait|devraient|pourrait|pourraient) [«“\"]?\s?(?:bientôt |rapidement |encore |même )?"
         r"devenir\b", 2),
        (r"\bpeut-être\b", 1.5),
        (r"\bd['’]ici (?:à )?(?:20\d\d|la fin|quelques|dix|cinq)", 2), (r"\bdès 20\d\d", 1),
        (r"\b\w+(?:era|ront|rait|ra)\b la tête", 1), (r"\bprendrai?t\b", 1), (r"\bdevrai?t\b", 1),
        (r"\bs['’]attend", 2), (r"\bdans les prochaine?s? (?:années|mois|décennies)", 2), (r"\bbientôt\b", 1),
        (r"\bà l['’]avenir\b", 1), (r"\bmarque l['’]entrée|\bune nouvelle (?:phase|ère)|\bl['’]ère des?\b", 2),
        (r"\b(?:sera|seront|seraient|serait) [«“\"]?\s?de plus en plus", 2), (r"\bde plus en plus\b", 1),
        (r"\b\w{3,}(?:era|eront|ira|iront)\b", 2.5),
        # "aura lieu" schedules an event: not a forecast
        (r"\b(?:pourra|pourront|devra|devront|sera|seront|aura(?! lieu)|auront(?! lieu)|fera|feront|faudra|"
         r"verra|verront|ira|iront|viendra|viendront|suivront|passera)\b", 2),
    ],
}
def _required_literal(pattern: str) -> str:
    """Text every match of ``pattern`` contains (what follows a leading ``\\b`` up to the first
    regex syntax), or "" when there is none to rely on: a cheap ``in`` test skips the regex."""
    depth = 0
    for ch in pattern:  # an alternative at the top level: no common text
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            return ""
    body = pattern[2:] if pattern.startswith(r"\b") else pattern
    literal: list[str] = []
    for ch in body:
        if ch in "\\[](){}?*+|.^$":
            if ch in "?*{" and literal:
                literal.pop()  # "prendrai?t": the last letter is optional
            break
        literal.append(ch)
    text = "".join(literal)
    return text if len(text) >= 2 else ""


_COMPILED = {stance: [(re.compile(p), w, _required_literal(p)) for p, w in cues] for stance, cues in _CUES.items()}
_PRIORITY: tuple[Stance, ...] = ("criticism", "concern", "prediction", "support")


def stance_scores(text: str) -> dict[Stance, float]:
    low = text.lower()
    return {stance: sum(w for rx, w, literal in cues if literal in low and rx.search(low))
            for stance, cues in _COMPILED.items()}


def classify_stance(text: str, cue: str = "") -> Stance:
    """The stance of ``text``; ``cue`` (the reporting verb or marker) is weighed twice."""
    scores = stance_scores(text)
    if cue:
        for stance, value in stance_scores(cue).items():
            scores[stance] += value
    best = max(scores.values())
    if best <= 0:
        return "neutral"
    return next(s for s in _PRIORITY if scores[s] == best)
