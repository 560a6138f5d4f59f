"""Facts about AI models read from their names and the sentences around them:
parameter count (``32B``, ``7 milliards de paramètres``), openness (open source, open
weights, proprietary) and release date (``lancé en juillet 2023``).

A sentence-level fact is only attached when the sentence names exactly one model, so
that ``Llama 2 est open source, contrairement à GPT-4`` gives no fact rather than a
wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Span

_SCALE = {"b": 10**9, "m": 10**6, "t": 10**12, "k": 10**3}
# "32B" in "QwQ-32B", "405B" in "Llama 3.1 405B"; not "8x7B" (a mixture of experts: not a total)
NAME_SIZE_RE = re.compile(r"(?<![x\d.])(\d+(?:\.\d+)?)([BbMmTt])\b")
TEXT_SIZE_RE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(milliards?|millions?|billions?|mille milliards)\s+de\s+paramètres", re.IGNORECASE)
# In French a "billion" is 10^12.
_TEXT_SCALE = {"milliard": 10**9, "milliards": 10**9, "million": 10**6, "millions": 10**6,
               "billion": 10**12, "billions": 10**12, "mille milliards": 10**12}
OPENNESS_RE = [
    ("OpenWeights", re.compile(r"\b(?:poids ouverts|open[- ]weights?|poids (?:sont )?(?:librement )?téléchargeables)\b",
                               re.IGNORECASE)),
    ("OpenSource", re.compile(r"\b(?:open[- ]source|en source ouverte|code source ouvert|sous licence libre)\b",
                              re.IGNORECASE)),
    ("Proprietary", re.compile(r"\b(?:propriétaires?|fermés?|closed[- ]source)\b", re.IGNORECASE)),
]
MONTHS = {m: i for i, m in enumerate("janvier février mars avril mai juin juillet août septembre octobre novembre "
                                     "décembre".split(), start=1)}
_MONTH_NAMES = "|".join(MONTHS)
RELEASE_RE = re.compile(
    r"\b(?:lancé|lancée|sorti|sortie|publié|publiée|dévoilé|dévoilée|présenté|présentée|mis en ligne|annoncé|"
    r"annoncée)\b[^;!?]{0,60}?\b"
    rf"(?:le (?P<day>\d{{1,2}}(?:er)?) (?P<m1>{_MONTH_NAMES}) (?P<y1>20\d\d)|en (?P<m2>{_MONTH_NAMES}) (?P<y2>20\d\d)|"
    r"en (?P<y3>20\d\d))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ModelFact:
    model: Span
    attribute: str  # parameterCount | openness | datePublished
    value: str  # an integer, an openness concept name, or an ISO date / year-month / year
    evidence: Span  # the name itself, or the sentence


def parameters_from_name(name: str) -> int | None:
    m = NAME_SIZE_RE.search(name)
    if m is None:
        return None
    return round(float(m.group(1)) * _SCALE[m.group(2).lower()])


def find_model_facts(sent: Span, ents: list[Span]) -> Iterator[ModelFact]:
    models = [e for e in ents if e.label_ == "AIMODEL"]
    for model in models:
        size = parameters_from_name(model.text)
        if size is not None:
            yield ModelFact(model, "parameterCount", str(size), model)
    if len({m.text for m in models}) != 1:
        return
    model, text = models[0], sent.text
    m = TEXT_SIZE_RE.search(text)
    if m is not None and parameters_from_name(model.text) is None:
        value = float(m.group(1).replace(",", "."))
        yield ModelFact(model, "parameterCount", str(round(value * _TEXT_SCALE[m.group(2).lower()])), sent)
    for concept, rx in OPENNESS_RE:
        if rx.search(text):
            yield ModelFact(model, "openness", concept, sent)
            break
    release = RELEASE_RE.search(text)
    if release is not None:
        yield ModelFact(model, "datePublished", _iso(release), sent)


def _iso(m: re.Match[str]) -> str:
    if m.group("y1"):
        day = int(m.group("day").removesuffix("er"))
        return f"{m.group('y1')}-{MONTHS[m.group('m1').lower()]:02d}-{day:02d}"
    if m.group("y2"):
        return f"{m.group('y2')}-{MONTHS[m.group('m2').lower()]:02d}"
    return m.group("y3")
