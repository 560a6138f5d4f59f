"""Entity consolidation: what all articles say together about each entity.

Each article proposes a label for each entity it mentions (``rdfs:label``) and its mentions
carry the surface forms. This stage derives, into the entities graph (``kgr:graph/entities``),
each entity's type, its one canonical ``schema:name`` and its ``schema:alternateName`` forms,
for the entities an update touched. The store calls it (:meth:`kg.store.Store.consolidate_entities`);
the view names entities with :func:`canonical_name` too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import RDF, URIRef

from kg.query import BoundTerm
from kg.resources import query_text
from kg.store.store import select
from kg.vocab import ENTITY_TYPES, SCHEMA

_ENTITY_CLASSES = tuple(str(t) for t in ENTITY_TYPES.values())


def canonical_name(labels: dict[str, int], kb_linked: bool) -> str:
    """The fullest label; ties broken by use count, then alphabetically. Pure and order-free."""
    del kb_linked  # all articles give a KB-linked entity the same label
    return min(labels, key=lambda s: (-len(s.split()), -len(s), -labels[s], s))


def consolidate(db: ox.Store, graph: URIRef, entities: Iterable[URIRef] | None = None) -> None:
    """Recompute, in the entities graph ``graph`` of ``db``, the canonical names, alternate
    names and types of ``entities`` (all when None).

    The result depends only on what the article graphs say, never on the order in
    which they were built: the canonical name is the best article label, ranked by
    knowledge-base link, then fullness (words, then characters), then how many
    articles use it, then alphabetical order.
    """
    targets = None if entities is None else sorted(set(entities))
    if targets == []:
        return
    values = "" if targets is None else "VALUES ?e { " + " ".join(f"<{e}>" for e in targets) + " }"
    labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    kb_linked: set[str] = set()
    types: dict[str, set[str]] = defaultdict(set)
    for row in _rows(db, "labels.rq", targets, {"entities": ox.NamedNode(str(graph))}):
        e = row["e"].value
        if row["t"].value in _ENTITY_CLASSES:
            types[e].add(row["t"].value)
        labels[e][row["label"].value] += 1
        if row["kb"] is not None:
            kb_linked.add(e)
    forms: dict[str, set[str]] = defaultdict(set)
    for row in _rows(db, "forms.rq", targets):
        forms[row["e"].value].add(row["exact"].value)
    ops = []
    if targets is None:
        ops.append(f"DROP SILENT GRAPH <{graph}>")
    else:
        ops.append(f"DELETE {{ GRAPH <{graph}> {{ ?e ?p ?o }} }} "
                   f"WHERE {{ {values} GRAPH <{graph}> {{ ?e ?p ?o }} }}")
    triples = []
    for e in sorted(set(labels) | set(forms)):
        if not labels.get(e):
            continue  # no article mentions it any more
        if not types.get(e):
            continue  # typed and labelled, but not an entity (the run, the software agent): seen when all=None
        name = canonical_name(labels[e], e in kb_linked)
        for t in sorted(types.get(e, ())):
            triples.append(f"<{e}> <{RDF.type}> <{t}> .")
        triples.append(f"<{e}> <{SCHEMA.name}> {_lit(name)} .")
        for alt in sorted((forms.get(e, set()) | set(labels[e])) - {name}):
            triples.append(f"<{e}> <{SCHEMA.alternateName}> {_lit(alt)} .")
    if triples:
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(triples) + "\n} }")
    db.update(" ;\n".join(ops))


def _rows(db: ox.Store, name: str, targets: list[URIRef] | None,
          bindings: dict[str, BoundTerm] | None = None) -> Iterator[ox.QuerySolution]:
    """The solutions of ``queries/consolidate/<name>`` for each target entity bound as ``?e``
    (an index lookup each), or for all entities when ``targets`` is None."""
    query = query_text("consolidate", name)
    fixed: dict[ox.Variable, BoundTerm] = {ox.Variable(k): v for k, v in (bindings or {}).items()}
    for target in [None] if targets is None else targets:
        bound = fixed if target is None else {**fixed, ox.Variable("e"): ox.NamedNode(str(target))}
        yield from select(db, query, substitutions=bound)


def _lit(value: str) -> str:
    return ox.Literal(value).__str__()
