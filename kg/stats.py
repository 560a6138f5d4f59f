"""Counts that describe a store: documents, entities by type, relations, claims, evidence."""

from __future__ import annotations

from dataclasses import dataclass

from kg.store import Store
from kg.vocab import KG, OA, SCHEMA

_COUNTS = {
    "documents": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{SCHEMA.NewsArticle}> }}",
    "persons": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{SCHEMA.Person}> }}",
    "organizations": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{SCHEMA.Organization}> }}",
    "ai_models": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{KG.AIModel}> }}",
    "mentions": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{KG.Mention}> }}",
    "roles": f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{SCHEMA.worksFor}> ?o }} }}",
    "founders": f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{SCHEMA.founder}> ?o }} }}",
    "developers": f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{SCHEMA.creator}> ?o }} }}",
    "claims": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{SCHEMA.Claim}> }}",
    "evidence_spans": f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{OA.SpecificResource}> }}",
}


@dataclass(frozen=True)
class Stats:
    counts: dict[str, int]
    triples: int

    def as_text(self) -> str:
        width = max(len(k) for k in self.counts)
        lines = [f"{k.replace('_', ' '):{width}}  {v:>8}" for k, v in self.counts.items()]
        lines.append(f"{'triples':{width}}  {self.triples:>8}")
        return "\n".join(lines)


def stats(store: Store) -> Stats:
    counts = {}
    for name, sparql in _COUNTS.items():
        row = next(iter(store.query(sparql)))  # type: ignore[arg-type]
        counts[name] = int(row["n"].value)
    return Stats(counts, len(store))
