"""Stance of a claim from a French lexicon of cues.

Each cue is a regular expression over the lower-cased statement with a weight; the
cue that marked the sentence as a claim (the reporting verb) counts more. The
stance with the highest total wins; ties go to the more specific stance (criticism,
concern, prediction, support), and no cue at all gives ``neutral``.
"""

from __future__ import annotations

import re

from kg.model import Stance

_CUES: dict[Stance, list[tuple[str, float]]] = {
    "concern": [
        (r"\binqui[eè]t", 3), (r"\binquiétude", 3), (r"\bcrai(?:n|gn)", 3), (r"\bcrainte", 3),
        (r"\bpréoccup", 3), (r"\balert", 3), (r"\bmis(?:e)? en garde|\bmet(?:tent)? en garde|\bmettre en garde", 3),
        (r"\bavert", 2), (r"\bredout", 3), (r"\bs['’]alarm", 3), (r"\brisques?\b", 2), (r"\bdanger", 2),
        (r"\bmenace", 2), (r"\bsceptic", 2), (r"\bempêcher\b", 2), (r"\bdominer|\bdomine\b|\bdomination", 1),
        (r"\bconcentration", 1), (r"\bmonopol", 1), (r"\bcensur", 1), (r"\burgence", 1), (r"\bdérive", 2),
        (r"\bpourrai(?:en)?t\b", 1),  # the conditional of a risk: "pourrait réduire la compétition"
    ],
    "support": [
        (r"\bsalu[eé]", 3), (r"\bsoutien|\bsoutient|\bsoutenir|\bsoutenu", 2), (r"\bembrass", 3),
        (r"\bmilit\w* pour", 3), (r"\bplaid\w* pour", 3), (r"\bprôn", 3), (r"\bdéfend", 2),
        (r"\bcroi\w* (?:aux|en|à) (?:les )?(?:avantages|bienfaits|vertus|potentiel)", 3),
        (r"\bavantages?\b", 1), (r"\bbienfait", 1), (r"\bbénéfique", 1), (r"\bopportunités?\b", 1),
        (r"\bavancées?\b", 1), (r"\bfavorable", 2), (r"\bse réjoui|\bréjoui", 3), (r"\benthousias", 2),
        (r"\best (?:crucial|essentiel|important|primordial|indispensable|nécessaire) que", 1.5),
        (r"\bsouhait", 2), (r"\breconnaiss", 1), (r"\bmett\w* l['’]accent sur", 2), (r"\bconvivial", 1),
        (r"\befficac", 1), (r"\bpertinent", 2), (r"\bencourag", 2), (r"\bpromouv", 2), (r"\bapplaudi", 3),
    ],
    "criticism": [
        (r"\bcritiqu", 3), (r"\bdénon[cç]", 3), (r"\bproblématique", 3), (r"\baccus", 2), (r"\breproch", 3),
        (r"\bfustig", 3), (r"\bdéplor", 3), (r"\bcondamn", 3), (r"\bregrett", 2), (r"\bs['’]oppos", 2),
        (r"\bépingl", 2), (r"\binacceptable", 3), (r"\bscandal", 3), (r"\bdéçu|\bdéception", 2),
    ],
    "prediction": [
        (r"\bprédi", 3), (r"\bprévoi", 2), (r"\banticip", 2), (r"\bprophétis", 3),
        (r"\bva(?:s)? (?!pas\b)\w+(?:er|ir|re)\b", 2), (r"\bvont (?!pas\b)\w+(?:er|ir|re)\b", 2),
        (r"\bd['’]ici (?:à )?(?:20\d\d|la fin|quelques|dix|cinq)", 2), (r"\bdès 20\d\d", 1),
        (r"\b\w+(?:era|ront|rait|ra)\b la tête", 1), (r"\bprendrai?t\b", 1), (r"\bdevrai?t\b", 1),
    ],
}
_COMPILED = {stance: [(re.compile(p), w) for p, w in cues] for stance, cues in _CUES.items()}
_PRIORITY: tuple[Stance, ...] = ("criticism", "concern", "prediction", "support")


def stance_scores(text: str) -> dict[Stance, float]:
    low = text.lower()
    return {stance: sum(w for rx, w in cues if rx.search(low)) for stance, cues in _COMPILED.items()}


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
