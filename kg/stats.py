"""Counts that describe a store: documents, entities by type, relations, claims, evidence."""

from __future__ import annotations

from dataclasses import dataclass

from kg.resources import query_text
from kg.store import Store

# The counts in the order printed; ontology/queries/stats/counts.rq computes them, one column each.
_COUNTS = ("documents", "persons", "organizations", "ai_models", "mentions", "roles", "founders", "developers",
           "claims", "evidence_spans")


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
    row = next(iter(store.query(query_text("stats", "counts.rq"))))  # type: ignore[arg-type]
    return Stats({name: int(row[name].value) for name in _COUNTS}, len(store))
