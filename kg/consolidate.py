"""Entity consolidation: what all articles say together about each entity.

Each article proposes a label for each entity it mentions (``rdfs:label``) and its mentions
carry the surface forms. This stage derives, into the entities graph (``kgr:graph/entities``),
each entity's type, its one canonical ``schema:name`` and its ``schema:alternateName`` forms,
for the entities an update touched. The store calls it (:meth:`kg.store.Store.consolidate_entities`);
the view names entities with :func:`canonical_name` too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import RDF, RDFS, URIRef

from kg.store.store import select
from kg.vocab import ENTITY_TYPES, KG, OA, SCHEMA

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
    q = f"""SELECT ?e ?t ?label ?kb WHERE {{ {values}
        GRAPH ?g {{ ?e a ?t ; <{RDFS.label}> ?label . OPTIONAL {{ ?e <{KG.knowledgeBaseId}> ?kb }} }}
        FILTER(?g != <{graph}>) }}"""
    for row in select(db, q):
        e = row["e"].value
        if row["t"].value in _ENTITY_CLASSES:
            types[e].add(row["t"].value)
        labels[e][row["label"].value] += 1
        if row["kb"] is not None:
            kb_linked.add(e)
    forms: dict[str, set[str]] = defaultdict(set)
    q = f"""SELECT ?e ?exact WHERE {{ {values}
        GRAPH ?g {{ ?m <{KG.mentionOf}> ?e ; <{KG.evidence}> ?span .
                    ?span <{OA.hasSelector}> ?sel . ?sel <{OA.exact}> ?exact }} }}"""
    for row in select(db, q):
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


def _lit(value: str) -> str:
    return ox.Literal(value).__str__()
