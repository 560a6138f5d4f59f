"""A deterministic generator of realistic French news articles about the AI industry.

It writes corpora for benchmarks and tests: articles in the style of the sample
(a headline, paragraphs, sub-headings, ``Lire aussi :`` lines, a FAQ), naming
people, organisations and models drawn from the knowledge base and invented ones
(``Nadia Verhaegen``, ``Quantelis AI``, ``Oryx-24B``), with roles, foundings,
model launches, quotes and reported speech.

* Article ``i`` of seed ``s`` is always the same text, whatever the corpus size: the
  1k corpus is the first thousand articles of the 10k one.
* :func:`generate_article` also returns what it planted (every name with its offsets,
  the relations and the claims), so that a large graph can be made without NLP
  (:func:`planted_extraction`), for example to benchmark a million-triple store.

It is a tool of the benchmarks and tests, not of the ``kg`` package (which does not ship it):
the benchmarks import it from their own folder, the tests through ``tests/conftest.py``.

Command line::

    python benchmarks/corpus_gen.py 10000 -o corpus-10k.jsonl    # JSONL (id, title, text, date, url, lang)
    python benchmarks/corpus_gen.py 1000 -o corpus-1k --format txt  # a folder of .txt files
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.records import Claim, Document, Entity, Extraction, Mention, Relation, TextSpan

# -- names -------------------------------------------------------------------------------

_SURNAME_STARTS = ("Ver", "Mar", "Bras", "Kow", "Dela", "Fon", "Bel", "Rou", "Sal", "Ost", "Gar", "Lem", "Tis",
                   "Hal", "Nak", "Ben", "Dum", "Cas", "Riv", "Mor", "Lau", "Fer", "Ok", "Van")
_SURNAME_ENDS = ("haegen", "tel", "seur", "alski", "croix", "taine", "mont", "quier", "vador", "rowski", "nier",
                 "aire", "serand", "vorsen", "amura", "ali", "ont", "tellan", "ière", "eau", "rent", "reira",
                 "afor", "denberg")
_ORG_STEMS = ("Quant", "Nex", "Vel", "Ory", "Lum", "Sol", "Arc", "Cogn", "Syn", "Ax", "Neur", "Ver", "Hel", "Kor",
              "Zen", "Mir", "Tal", "Ald", "Bry", "Cal")
_ORG_ENDS = ("elis", "ora", "ium", "ex", "ia", "ion", "aris", "eon", "ara", "ity", "os", "ance")
_ORG_SUFFIXES = ("AI", "Labs", "Technologies", "Robotics", "Systems", "Intelligence")
_MODEL_STEMS = ("Oryx", "Zephyr", "Calyx", "Nimbus", "Aster", "Boreal", "Lynx", "Sirocco", "Helix", "Mistral-like",
                "Cobalt", "Falcon-like", "Iris", "Onyx", "Vega", "Altair", "Kestrel", "Quartz")
_SIZES = ("7B", "8B", "13B", "14B", "24B", "32B", "34B", "70B", "72B", "110B", "405B")
_ROLES = ("PDG", "directeur général", "directrice générale", "directeur technique", "directeur scientifique",
          "responsable de la recherche", "présidente", "président", "cofondateur", "vice-président")
_PLACES = ("Paris", "Lyon", "Londres", "Berlin", "Montréal", "San Francisco", "Pékin", "Shenzhen", "New York",
           "Toulouse", "Grenoble", "Zurich", "Séoul", "Tokyo")
_TOPICS = ("l’IA open source", "les modèles de langage", "la régulation de l’IA", "les agents autonomes",
           "l’IA générative", "la souveraineté numérique", "les puces pour l’IA", "l’IA dans la santé",
           "la sécurité des modèles", "les assistants vocaux")


@dataclass(frozen=True)
class Person:
    name: str
    surname: str
    kb_id: str | None = None
    org: str | None = None  # organisation name
    role: str | None = None


@dataclass(frozen=True)
class Org:
    name: str
    kb_id: str | None = None


@dataclass(frozen=True)
class Model:
    name: str
    developer: str | None = None  # organisation name
    kb_id: str | None = None


@dataclass(frozen=True)
class _Pools:
    people: tuple[Person, ...]
    orgs: tuple[Org, ...]
    models: tuple[Model, ...]
    first_names: tuple[str, ...]


@cache
def _pools() -> _Pools:
    """Names from the shipped knowledge base (people with an organisation, models with a developer)."""
    from kg.kb import DATA_DIR, load_kb

    kb = load_kb()
    orgs = {e.id: e for e in kb.entries if e.type == "Organization"}
    people = []
    for e in kb.entries:
        words = e.name.split()
        if e.type == "Person" and len(words) >= 2 and e.organization in orgs:
            people.append(Person(e.name, words[-1], f"Person:{e.id}", orgs[e.organization].name,
                                 (e.role or "").split(" et ")[-1] or None))
    models = [Model(e.name, orgs[e.developer].name, f"AIModel:{e.id}") for e in kb.entries
              if e.type == "AIModel" and e.developer in orgs and re.fullmatch(r"[\w .-]+", e.name)]
    org_list = [Org(o.name, f"Organization:{o.id}") for o in orgs.values() if re.fullmatch(r"[\w .&-]+", o.name)]
    first = [line.strip() for line in (DATA_DIR / "first_names.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return _Pools(tuple(people), tuple(org_list), tuple(models), tuple(first))


def _invented_surname(rng: random.Random) -> str:
    return rng.choice(_SURNAME_STARTS) + rng.choice(_SURNAME_ENDS)


def _invented_org(rng: random.Random) -> Org:
    return Org(f"{rng.choice(_ORG_STEMS)}{rng.choice(_ORG_ENDS)} {rng.choice(_ORG_SUFFIXES)}")


def _pick_people(rng: random.Random, pools: _Pools, n: int) -> list[Person]:
    out: list[Person] = []
    while len(out) < n:
        if rng.random() < 0.5 and pools.people:
            p = rng.choice(pools.people)
        else:
            surname = _invented_surname(rng)
            org = _invented_org(rng).name if rng.random() < 0.6 else rng.choice(pools.orgs).name
            p = Person(f"{rng.choice(pools.first_names)} {surname}", surname, None, org, rng.choice(_ROLES))
        if all(p.surname != q.surname for q in out):
            out.append(p)
    return out


def _pick_models(rng: random.Random, pools: _Pools, n: int) -> list[Model]:
    out: list[Model] = []
    while len(out) < n:
        if rng.random() < 0.5 and pools.models:
            m = rng.choice(pools.models)
        else:
            m = Model(f"{rng.choice(_MODEL_STEMS)}-{rng.choice(_SIZES)}", _invented_org(rng).name)
        if m not in out:
            out.append(m)
    return out


# -- planting text with known spans -----------------------------------------------------------

@dataclass(frozen=True)
class Planted:
    """A name written into the text: its span, its entity and its sentence."""

    span: TextSpan
    text: str
    type: str  # Person, Organization, AIModel
    key: str  # the entity it names (full name)
    kb_id: str | None
    sentence: TextSpan


@dataclass(frozen=True)
class PlantedFact:
    kind: str  # worksFor, founder, creator, claim
    subject: str  # entity key (full name)
    object: str | None
    sentence: TextSpan
    role: str | None = None
    stance: str | None = None
    about: tuple[str, ...] = ()


@dataclass
class GeneratedArticle:
    identifier: str
    title: str
    text: str
    date: str
    url: str
    names: list[Planted] = field(default_factory=list)
    facts: list[PlantedFact] = field(default_factory=list)

    def as_record(self) -> dict[str, str]:
        return {"id": self.identifier, "title": self.title, "text": self.text, "date": self.date,
                "url": self.url, "lang": "fr"}

    def as_document(self) -> Document:
        return Document(identifier=self.identifier, text=self.text, source=self.identifier, title=self.title,
                        url=self.url, date=self.date, lang="fr")


_FIELD = re.compile(r"\{(\w+)\}")


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.names: list[Planted] = []
        self.facts: list[PlantedFact] = []

    def raw(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def sentence(self, template: str, values: dict[str, tuple[str, str, str, str | None] | str],
                 facts: tuple[tuple, ...] = ()) -> None:
        """Write a sentence; ``values`` maps fields to plain text or (text, type, key, kb_id) names."""
        start = self.length
        planted: list[tuple[int, int, str, str, str, str | None]] = []
        pos = 0
        for m in _FIELD.finditer(template):
            self.raw(template[pos : m.start()])
            value = values[m.group(1)]
            if isinstance(value, tuple):
                text, etype, key, kb_id = value
                planted.append((self.length, self.length + len(text), text, etype, key, kb_id))
                self.raw(text)
            else:
                self.raw(value)
            pos = m.end()
        self.raw(template[pos:])
        sent = TextSpan(start, self.length)
        for s, e, text, etype, key, kb_id in planted:
            self.names.append(Planted(TextSpan(s, e), text, etype, key, kb_id, sent))
        for fact in facts:
            kind, subject, obj, *rest = fact
            extra = dict(rest[0]) if rest else {}
            self.facts.append(PlantedFact(kind, subject, obj, sent, **extra))

    def text(self) -> str:
        return "".join(self.parts)


def _per(p: Person, short: bool = False) -> tuple[str, str, str, str | None]:
    return (p.surname if short else p.name, "Person", p.name, p.kb_id)


def _org(name: str, kb_id: str | None = None) -> tuple[str, str, str, str | None]:
    return (name, "Organization", name, kb_id)


def _mod(m: Model) -> tuple[str, str, str, str | None]:
    return (m.name, "AIModel", m.name, m.kb_id)


_FILLER = (
    "Dans un monde technologique en constante évolution, les entreprises redoublent d’efforts pour rester "
    "dans la course.",
    "Ces avancées suscitent l’intérêt et la concurrence au sein du secteur technologique mondial.",
    "Cependant, derrière ces performances se cachent des préoccupations éthiques et politiques.",
    "La question de la transparence des données d’entraînement reste entière.",
    "Les investisseurs suivent de près l’évolution de ce marché, estimé à plusieurs milliards d’euros.",
    "Les régulateurs européens s’interrogent sur la manière d’encadrer ces technologies.",
    "Cette diversité est essentielle pour favoriser une innovation véritablement globale.",
    "Plusieurs stratégies complémentaires existent lorsqu’il s’agit de construire une IA.",
    "Un modèle plus petit et spécialisé serait plus adapté en optimisant temps, énergie et économie.",
    "Les développeurs ont personnalisé ces logiciels pour des usages variés, de la santé aux services clients.",
    "La consommation d’énergie des centres de données inquiète de plus en plus les observateurs.",
    "Il est évident que le secteur de l’IA traverse une période critique.",
    "Les dialogues autour de l’IA open source devraient se poursuivre dans les prochains mois.",
    "Les chercheurs rappellent que les modèles les plus performants restent coûteux à entraîner.",
    "Les utilisateurs peuvent inconsciemment accepter des réponses filtrées qui ne reflètent pas la réalité.",
)
_FILLER_TOPIC = (
    "Le débat sur {topic} s’intensifie à {place} comme ailleurs.",
    "À {place}, de nombreuses start-up misent sur {topic}.",
    "Pour beaucoup d’analystes, {topic} sera l’enjeu majeur des prochaines années.",
)
_QUOTES = {
    "concern": ("Nous devons rester vigilants face aux risques de ces systèmes",
                "Je crains une concentration excessive du pouvoir technologique"),
    "support": ("C’est une excellente nouvelle pour toute la communauté",
                "Nous saluons cette décision qui va dans le bon sens"),
    "criticism": ("Cette approche est une erreur et manque de transparence",
                  "Ces choix sont irresponsables et dangereux pour le secteur"),
    "prediction": ("D’ici cinq ans, ces modèles seront partout",
                   "L’IA va transformer profondément notre économie"),
    "neutral": ("Nous étudions toutes les options avec nos partenaires",
                "Le calendrier sera précisé dans les prochaines semaines"),
}
_SUBHEADS = ("Des performances impressionnantes, mais avec des réserves", "Le risque d’un monopole culturel",
             "L’impact sur l’innovation", "Une course mondiale", "La voie à suivre pour un avenir équilibré",
             "Les défis de la régulation", "Un marché en pleine effervescence")
_LIRE_AUSSI = ("La police utilise un logiciel espion pour surveiller des journalistes",
               "Le correcteur d’orthographe gratuit qui repère les erreurs que vous ne voyez pas",
               "Les données d’entraînement pour l’IA seraient épuisées")


_OPENERS = ("Selon plusieurs observateurs, ", "Depuis le début de l’année, ", "Dans ce contexte, ", "Pourtant, ",
            "De leur côté, ", "À terme, ", "Pour l’heure, ", "Au-delà des annonces, ", "En Europe, ", "")
_SUBJECTS = ("les entreprises du secteur", "les grandes plateformes", "les laboratoires de recherche",
             "les start-up spécialisées", "les investisseurs", "les pouvoirs publics", "les développeurs",
             "les utilisateurs professionnels", "les universités", "les fournisseurs de services en nuage")
_VERBS = ("multiplient les annonces autour de", "investissent massivement dans", "s’interrogent sur",
          "redoublent de prudence face à", "misent désormais sur", "accélèrent leurs travaux sur",
          "réclament davantage de clarté sur", "observent avec attention")
_OBJECTS = ("les modèles ouverts", "l’automatisation des tâches", "la sécurité des données",
            "les coûts de calcul", "les usages en entreprise", "la formation des modèles",
            "les outils de traduction automatique", "les assistants de programmation", "les règles de transparence")
_TAILS = ("", ", malgré des résultats encore inégaux", ", dans un marché très concurrentiel",
          ", avec des budgets en forte hausse", ", sans toujours convaincre", ", selon une étude récente")


def _general_sentence(rng: random.Random) -> str:
    """A sentence of general news prose, of many possible ones."""
    text = (f"{rng.choice(_OPENERS)}{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            f"{rng.choice(_TAILS)}.")
    return text[0].upper() + text[1:]


def _paragraph(w: _Writer, rng: random.Random, people: list[Person], orgs: list[str], models: list[Model],
               introduced: set[str], used: set[str]) -> None:
    """Three to six sentences: facts in the style of the sample, among general ones."""
    for k in range(rng.randint(4, 7)):
        if k:
            w.raw(" ")
        choice = rng.random()
        if choice >= 0.30:  # most sentences of a news article name no one (sample: 18 names in 700 words)
            if choice < 0.45 and len(used) < len(_FILLER):  # the stock phrases, not twice in one article
                sentence = rng.choice([f for f in _FILLER if f not in used])
                used.add(sentence)
                w.raw(sentence)
            elif choice < 0.52:
                w.sentence(rng.choice(_FILLER_TOPIC), {"topic": rng.choice(_TOPICS), "place": rng.choice(_PLACES)})
            else:
                w.raw(_general_sentence(rng))
            continue
        choice /= 0.30 / 0.62  # the named facts below, in their proportions
        p = rng.choice(people)
        if choice < 0.16 and p.org:
            role = p.role or "PDG"
            if rng.random() < 0.5:
                w.sentence("Le {role} de {org}, {per}, a récemment partagé ses inquiétudes concernant {topic}.",
                           {"role": role, "org": _org(p.org), "per": _per(p), "topic": rng.choice(_TOPICS)},
                           (("worksFor", p.name, p.org, {"role": role}),))
            else:
                w.sentence("{per}, {role} de {org}, estime que {topic} progresse trop lentement.",
                           {"per": _per(p), "role": role, "org": _org(p.org), "topic": rng.choice(_TOPICS)},
                           (("worksFor", p.name, p.org, {"role": role}),))
            introduced.add(p.name)
        elif choice < 0.24 and p.org:
            q = rng.choice([x for x in people if x.name != p.name] or [p])
            w.sentence("{a} et {b} ont fondé {org} en {year} à {place}.",
                       {"a": _per(p), "b": _per(q), "org": _org(p.org), "year": str(rng.randint(2012, 2024)),
                        "place": rng.choice(_PLACES)},
                       (("founder", p.org, p.name), ("founder", p.org, q.name)))
            introduced.update((p.name, q.name))
        elif choice < 0.34:
            m = rng.choice(models)
            dev = m.developer or rng.choice(orgs)
            template = rng.choice(("{org} a lancé {model}, un modèle de langage ouvert.",
                                   "Le modèle {model} de {org} a enregistré des millions de téléchargements."))
            w.sentence(template, {"org": _org(dev), "model": _mod(m)}, (("creator", m.name, dev),))
        elif choice < 0.52:
            stance = rng.choice(tuple(_QUOTES))
            quote = rng.choice(_QUOTES[stance])
            short = p.name in introduced
            if rng.random() < 0.5:
                w.sentence("« {quote} », a déclaré {per}.", {"quote": quote, "per": _per(p, short)},
                           (("claim", p.name, None, {"stance": stance}),))
            else:
                o = rng.choice(orgs)
                w.sentence("Selon {per}, {org} devrait revoir sa stratégie sur {topic}.",
                           {"per": _per(p, short), "org": _org(o), "topic": rng.choice(_TOPICS)},
                           (("claim", p.name, None, {"stance": "neutral", "about": (o,)}),))
            introduced.add(p.name)
        elif choice < 0.62:
            a, b = rng.sample(orgs, 2) if len(orgs) > 1 else (orgs[0], rng.choice(_pools().orgs).name)
            w.sentence("Des acteurs majeurs comme {a} et {b} adoptent de plus en plus ces approches.",
                       {"a": _org(a), "b": _org(b)})
        else:
            w.raw(_general_sentence(rng))


def generate_article(index: int, seed: int = 0) -> GeneratedArticle:
    """Article ``index`` of the corpus ``seed``: the same text on every machine and run."""
    rng = random.Random(f"newskg-corpus:{seed}:{index}")
    pools = _pools()
    people = _pick_people(rng, pools, rng.randint(2, 4))
    models = _pick_models(rng, pools, rng.randint(1, 2))
    orgs = sorted({p.org for p in people if p.org} | {rng.choice(pools.orgs).name for _ in range(2)})
    lead = people[0]
    w = _Writer()
    title = rng.choice((
        "{org} dévoile sa stratégie pour {topic}",
        "Le patron de {org} s’inquiète de l’essor de {topic}",
        "{topic} : {org} accélère face à la concurrence",
    ))
    title_text = title.format(org=lead.org or orgs[0], topic=rng.choice(_TOPICS))
    title_text = title_text[0].upper() + title_text[1:]
    w.raw(title_text + "\n\n")
    introduced: set[str] = set()
    used: set[str] = set()
    for k in range(rng.randint(6, 9)):
        if k and rng.random() < 0.5:
            w.raw(rng.choice(_SUBHEADS) + "\n\n")
        _paragraph(w, rng, people, orgs, models, introduced, used)
        w.raw("\n\n")
        if rng.random() < 0.12:
            w.raw(f"Lire aussi :  {rng.choice(_LIRE_AUSSI)}\n\n")
    w.raw("FAQ\n\nQu’est-ce que l’IA open source ?\n\n")
    w.raw("L’IA open source désigne des modèles d’intelligence artificielle dont le code source est accessible à "
          "tous. Cela permet aux développeurs et chercheurs d’étudier, modifier et améliorer les modèles.\n\n")
    w.raw("Laisser un commentaire")
    day = rng.randint(0, 27)
    date = f"{2023 + index % 3}-{1 + index % 12:02d}-{1 + day:02d}"
    identifier = f"gen-{seed}-{index:07d}"
    return GeneratedArticle(identifier, title_text, w.text(), date, f"https://example.org/actu/{identifier}",
                            w.names, w.facts)


def iter_articles(count: int, seed: int = 0, start: int = 0) -> Iterator[GeneratedArticle]:
    for i in range(start, start + count):
        yield generate_article(i, seed)


def write_corpus(path: str | Path, count: int, *, seed: int = 0, fmt: str = "jsonl") -> Path:
    """Write ``count`` articles as one JSONL file or a folder of ``.txt`` files (headline first)."""
    path = Path(path)
    if fmt == "jsonl":
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for article in iter_articles(count, seed):
                out.write(json.dumps(article.as_record(), ensure_ascii=False) + "\n")
    elif fmt == "txt":
        path.mkdir(parents=True, exist_ok=True)
        for article in iter_articles(count, seed):
            (path / f"{article.identifier}.txt").write_text(article.text, encoding="utf-8")
    else:
        raise ValueError(f"unknown corpus format {fmt!r}; use jsonl or txt")
    return path


# -- a graph without NLP ---------------------------------------------------------------------

_TYPE_ORDER = {"Person": 0, "Organization": 1, "AIModel": 2}


def planted_extraction(article: GeneratedArticle, content_hash: str = "") -> Extraction:
    """The extraction a perfect reader would make of ``article``: for big graphs made without NLP."""
    from kg.resolve import normalise

    by_key: dict[tuple[str, str], list[Planted]] = {}
    for name in article.names:
        by_key.setdefault((name.type, name.key), []).append(name)
    entities: dict[tuple[str, str], Entity] = {}
    for (etype, key), names in by_key.items():
        kb_id = next((n.kb_id for n in names if n.kb_id), None)
        mentions = tuple(Mention(n.span, n.text, etype, n.sentence, kb_id, "kb" if kb_id else "ner",  # type: ignore[arg-type]
                                 0.95 if kb_id else 0.7) for n in names)
        entities[(etype, key)] = Entity(etype, kb_id.split(":", 1)[1] if kb_id else normalise(key),  # type: ignore[arg-type]
                                        key, tuple(sorted({n.text for n in names})), mentions, kb_id,
                                        max(m.confidence for m in mentions))
    index = {key: e for (_, key), e in entities.items()}
    relations, claims = [], []
    for f in article.facts:
        s = index.get(f.subject)
        if f.kind == "claim" and s is not None:
            about = tuple(index[a] for a in f.about if a in index)
            claims.append(Claim(s, f.sentence, f.stance or "neutral", "direct" if "«" in article.text[  # type: ignore[arg-type]
                f.sentence.start:f.sentence.end] else "reported", about, "a déclaré", 0.8))
        elif f.object is not None and s is not None and f.object in index:
            relations.append(Relation(s, f.kind, index[f.object], f.sentence, f.role, "generated", 0.9))  # type: ignore[arg-type]
    ordered = tuple(sorted(entities.values(), key=lambda e: (_TYPE_ORDER[e.type], e.key)))
    return Extraction(article.as_document(), ordered, tuple(relations), tuple(claims),
                      {"content_hash": content_hash or article.identifier})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/corpus_gen.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of articles")
    parser.add_argument("-o", "--output", required=True, help="a .jsonl file, or a folder with --format txt")
    parser.add_argument("--format", choices=("jsonl", "txt"), default="jsonl")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    write_corpus(args.output, args.count, seed=args.seed, fmt=args.format)
    print(f"wrote {args.count} articles to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
