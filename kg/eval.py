"""``kg eval``: score a graph against answer keys, for users who annotate their own articles.

The answer-key format is the one of ``shared/corpus/gold`` (documented in the README):
one JSON file per article with ``doc``, ``entities`` (name, type, aliases),
``relations`` (subject, predicate hasRole|founded|developed, object, role, evidence)
and ``claims`` (speaker, about, stance, evidence); ``"optional": true`` items are
neither required nor penalised. The matching rules are those of the project's
reference scorer, so both print the same figures:

* an entity counts when its type matches and one of its names equals the key's name or
  an alias (case, accents and punctuation ignored); a second node for the same key
  entity is a false positive (a failed merge);
* a relation counts in an article when a reifier for it has evidence in that article;
* a claim counts when its speaker matches and one of its evidence spans overlaps the
  key's evidence by at least half of the shorter span.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from kg.errors import InputError
from kg.resources import query_text
from kg.vocab import ENTITY_TYPES

TYPES = {name: str(cls) for name, cls in ENTITY_TYPES.items()}
PREDICATES = {"hasRole": "https://schema.org/worksFor", "founded": "https://schema.org/founder",
              "developed": "https://schema.org/creator"}


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    if tp + fp + fn == 0:
        return 1.0, 1.0, 1.0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def prf(self) -> tuple[float, float, float]:
        return prf(self.tp, self.fp, self.fn)


@dataclass
class DocScore:
    doc: str
    found: bool
    entities: Counts = field(default_factory=Counts)
    relations: Counts = field(default_factory=Counts)
    claims: Counts = field(default_factory=Counts)
    stance_ok: int = 0
    misses: list[str] = field(default_factory=list)  # what the graph lacks or got wrong, readable


@dataclass
class EvalResult:
    docs: list[DocScore]
    entities: Counts
    relations: Counts
    claims: Counts
    stance_accuracy: float
    evidence_fidelity: float
    evidence_checked: int
    identity: float
    identity_entities: int

    def summary(self) -> str:
        return (f"SUMMARY entity_f1={self.entities.prf[2]:.3f} relation_f1={self.relations.prf[2]:.3f} "
                f"claim_f1={self.claims.prf[2]:.3f} stance_acc={self.stance_accuracy:.3f} "
                f"evidence={self.evidence_fidelity:.3f} identity={self.identity:.3f}")

    def as_table(self, show_misses: bool = True) -> str:
        lines = [f"{'document':34} {'entity F1':>9} {'rel F1':>7} {'claim F1':>8}"]
        for d in self.docs:
            lines.append(f"{d.doc[:34]:34} {d.entities.prf[2]:9.2f} {d.relations.prf[2]:7.2f} {d.claims.prf[2]:8.2f}"
                         + ("" if d.found else "   (document not in graph)"))
        for label, c in (("entities", self.entities), ("relations", self.relations), ("claims", self.claims)):
            p, r, f = c.prf
            lines.append(f"{label:10} P={p:.2f} R={r:.2f} F1={f:.2f}  (tp={c.tp} fp={c.fp} fn={c.fn})")
        lines.append(f"stance accuracy on matched claims: {self.stance_accuracy:.2f}")
        lines.append(f"evidence fidelity: {self.evidence_fidelity:.2f} of {self.evidence_checked} selectors")
        lines.append(f"cross-document identity: {self.identity:.2f} of {self.identity_entities} entities")
        if show_misses:
            for d in self.docs:
                for miss in d.misses:
                    lines.append(f"{d.doc}: {miss}")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def as_json(self) -> str:
        def block(c: Counts) -> dict[str, Any]:
            p, r, f = c.prf
            return {"precision": p, "recall": r, "f1": f, "tp": c.tp, "fp": c.fp, "fn": c.fn}

        return json.dumps({
            "docs": [{"doc": d.doc, "found": d.found, "entities": block(d.entities), "relations": block(d.relations),
                      "claims": block(d.claims), "misses": d.misses} for d in self.docs],
            "entities": block(self.entities), "relations": block(self.relations), "claims": block(self.claims),
            "stance_accuracy": self.stance_accuracy, "evidence_fidelity": self.evidence_fidelity,
            "evidence_checked": self.evidence_checked, "cross_doc_identity": self.identity,
            "cross_doc_entities": self.identity_entities, "summary": self.summary(),
        }, indent=1, ensure_ascii=False) + "\n"


def _select(graph: Graph, name: str, bindings: Mapping[str, Any] | None = None) -> Iterator[Any]:
    """The rows of ``ontology/queries/eval/<name>.rq`` with ``bindings`` (rdflib types them as a
    union with ASK and CONSTRUCT results)."""
    return iter(graph.query(query_text("eval", f"{name}.rq"), initBindings=bindings))


class _Index:
    """The graph's documents, names, types, relations and claims, as the scorer reads them."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.docs = {str(i): d for d, i in _select(graph, "documents")}
        self.names: dict[Any, set[str]] = defaultdict(set)
        for e, n in _select(graph, "names"):
            self.names[e].add(norm(str(n)))
        self.display = {e: str(n) for e, n in _select(graph, "display_names")}
        self.type_of: dict[Any, str] = {}
        for label, cls in TYPES.items():
            for (e,) in _select(graph, "entities_of_type", {"cls": URIRef(cls)}):
                self.type_of.setdefault(e, label)

    def entities_in(self, doc: Any) -> list:
        return [e for (e,) in _select(self.g, "mentioned", {"d": doc}) if e in self.type_of]

    def relations_in(self, doc: Any) -> set:
        return {(s, p, o) for s, p, o in _select(self.g, "relations", {"d": doc}) if str(p) in PREDICATES.values()}

    def claims_in(self, doc: Any) -> list[dict]:
        out: dict[Any, dict] = {}
        for c, a, st, start, end in _select(self.g, "claims", {"d": doc}):
            item = out.setdefault(c, {"author": a, "stance": st, "spans": []})
            if start is not None and end is not None:
                item["spans"].append((int(start), int(end)))
        return list(out.values())

    def selectors(self) -> list[tuple[str, int, int, str]]:
        return [(str(i), int(s), int(e), str(x)) for i, s, e, x in _select(self.g, "selectors")]


def _match(names: set[str], entities: list[dict], etype: str) -> dict | None:
    for ge in entities:
        if ge["type"] == etype and names & ({norm(ge["name"])} | {norm(a) for a in ge.get("aliases", [])}):
            return ge
    return None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter / max(1, min(a[1] - a[0], b[1] - b[0])) if inter > 0 else 0.0


def load_keys(gold_dir: Path) -> list[dict]:
    keys = []
    for path in sorted(Path(gold_dir).glob("*.json")):
        try:
            key = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(str(path), f"not a readable answer key: {exc}") from None
        if not isinstance(key, dict) or "doc" not in key:
            raise InputError(str(path), "an answer key needs a 'doc' field")
        for part in ("entities", "relations", "claims"):
            key.setdefault(part, [])
        keys.append(key)
    if not keys:
        raise InputError(str(gold_dir), "no answer keys (*.json) here")
    return keys


def evaluate(graph: Graph, texts: Path, gold_dir: Path) -> EvalResult:
    """Score ``graph`` (with the ontology loaded, for subclasses) against the keys in ``gold_dir``."""
    index = _Index(graph)
    docs: list[DocScore] = []
    totals = {"ent": Counts(), "rel": Counts(), "claim": Counts()}
    stance_ok = 0
    iris_per_gold: dict[tuple[str, str], set] = defaultdict(set)
    docs_per_gold: dict[tuple[str, str], set] = defaultdict(set)
    for key in load_keys(gold_dir):
        text_path = Path(texts) / key["doc"]
        if not text_path.exists():
            raise InputError(str(text_path), f"article of answer key {key['doc']!r} not found")
        text = text_path.read_text(encoding="utf-8")
        doc = index.docs.get(key["doc"])
        score = DocScore(key["doc"], doc is not None)
        _score_entities(index, key, doc, score, iris_per_gold, docs_per_gold)
        _score_relations(index, key, doc, score)
        stance_ok += _score_claims(index, key, doc, text, score)
        totals["ent"].add(score.entities)
        totals["rel"].add(score.relations)
        totals["claim"].add(score.claims)
        docs.append(score)
    ok = bad = 0
    cache: dict[str, str] = {}
    for ident, start, end, exact in index.selectors():
        path = Path(texts) / ident
        if not path.exists():
            continue
        t = cache.setdefault(ident, path.read_text(encoding="utf-8"))
        ok, bad = (ok + 1, bad) if t[start:end] == exact else (ok, bad + 1)
    multi = [k for k, d in docs_per_gold.items() if len(d) > 1]
    one_iri = sum(1 for k in multi if len(iris_per_gold[k]) == 1)
    return EvalResult(
        docs, totals["ent"], totals["rel"], totals["claim"],
        stance_accuracy=stance_ok / totals["claim"].tp if totals["claim"].tp else 0.0,
        evidence_fidelity=ok / (ok + bad) if ok + bad else 0.0, evidence_checked=ok + bad,
        identity=one_iri / len(multi) if multi else 1.0, identity_entities=len(multi),
    )


def _score_entities(index: _Index, key: dict, doc: Any, score: DocScore,
                    iris_per_gold: dict, docs_per_gold: dict) -> None:
    required = [e for e in key["entities"] if not e.get("optional")]
    hit: set[tuple[str, str]] = set()
    for e in index.entities_in(doc) if doc is not None else []:
        ge = _match(index.names[e], key["entities"], index.type_of[e])
        if ge is None:
            score.entities.fp += 1
            score.misses.append(f"entity not in key: {_label(index, e)} ({index.type_of[e]})")
        elif ge.get("optional"):
            continue
        elif (ge["type"], ge["name"]) in hit:
            score.entities.fp += 1
            score.misses.append(f"second node for {ge['name']}: {e}")
        else:
            hit.add((ge["type"], ge["name"]))
            iris_per_gold[(ge["type"], norm(ge["name"]))].add(e)
    for ge in required:
        docs_per_gold[(ge["type"], norm(ge["name"]))].add(key["doc"])
        if (ge["type"], ge["name"]) not in hit:
            score.misses.append(f"missing entity: {ge['name']} ({ge['type']})")
    score.entities.tp = len(hit)
    score.entities.fn = len(required) - len(hit)


def _score_relations(index: _Index, key: dict, doc: Any, score: DocScore) -> None:
    gold = {(r["subject"], r["predicate"], r["object"]): r for r in key["relations"]}
    inverse = {v: k for k, v in PREDICATES.items()}
    hit: set[tuple[str, str, str]] = set()
    for s, p, o in sorted(index.relations_in(doc)) if doc is not None else []:  # sorted: stable misses
        name = inverse[str(p)]
        if name == "founded":
            s, o = o, s
        s_type, o_type = ("Organization", "AIModel") if name == "developed" else ("Person", "Organization")
        if name == "developed":
            s, o = o, s
        gs, go = _match(index.names[s], key["entities"], s_type), _match(index.names[o], key["entities"], o_type)
        k = (gs["name"], name, go["name"]) if gs and go else None
        if k is None or k not in gold:
            score.relations.fp += 1
            score.misses.append(f"relation not in key: {_label(index, s)} {name} {_label(index, o)}")
        elif gold[k].get("optional"):
            continue
        else:
            hit.add(k)
    required = [k for k, r in gold.items() if not r.get("optional")]
    for k in required:
        if k not in hit:
            score.misses.append(f"missing relation: {k[0]} {k[1]} {k[2]}")
    score.relations.tp, score.relations.fn = len(hit), len(required) - len(hit)


def _score_claims(index: _Index, key: dict, doc: Any, text: str, score: DocScore) -> int:
    by_name = {ge["name"]: ge for ge in key["entities"]}
    gclaims = []
    for c in key["claims"]:
        i = text.find(c["evidence"])
        if i >= 0:
            gclaims.append((c, (i, i + len(c["evidence"]))))
    used: set[int] = set()
    stance_ok = 0
    for pc in index.claims_in(doc) if doc is not None else []:
        best = None
        for i, (gc, gsp) in enumerate(gclaims):
            if i in used:
                continue
            ge = by_name.get(gc["speaker"])
            if ge is None or not _match(index.names[pc["author"]], [ge], ge["type"]):
                continue
            if any(_overlap(ps, gsp) >= 0.5 for ps in pc["spans"]):
                best = i
                break
        if best is None:
            score.claims.fp += 1
            span = pc["spans"][0] if pc["spans"] else (0, 0)
            score.misses.append(f"claim not in key: {_label(index, pc['author'])}: {text[span[0]:span[1]][:80]!r}")
            continue
        used.add(best)
        gc = gclaims[best][0]
        if gc.get("optional"):
            continue
        score.claims.tp += 1
        stance = str(pc["stance"]).rsplit("#", 1)[-1].lower() if pc["stance"] is not None else None
        if stance == gc["stance"]:
            stance_ok += 1
        else:
            score.misses.append(f"stance {stance} instead of {gc['stance']}: {gc['evidence'][:80]!r}")
    required = [(i, gc) for i, (gc, _) in enumerate(gclaims) if not gc.get("optional")]
    for i, gc in required:
        if i not in used:
            score.misses.append(f"missing claim by {gc['speaker']}: {gc['evidence'][:80]!r}")
    score.claims.fn = len(required) - score.claims.tp
    return stance_ok


def _label(index: _Index, node: Any) -> str:
    if node in index.display:
        return index.display[node]
    return str(node).rsplit("/", 1)[-1] if isinstance(node, URIRef) else str(node)
