"""An interactive view of the graph: one self-contained HTML page that works offline.

:func:`view_graph` reads the store with SPARQL and returns a property graph
(entities as nodes; ``worksFor``, ``founder``, ``creator`` and claims as edges,
each with its evidence). :func:`render_view` draws it with vis-network through
pyvis and writes a single HTML file: the vis-network script and stylesheet that
ship inside the pyvis package are inlined, nothing is fetched at run time and no
``lib/`` folder is written. The page's markup is package data: ``kg/web/templates/view.html.j2``
with ``kg/web/static/view.css`` and ``view.js`` (see :mod:`kg.web`).

Everything that comes from articles (names, quotes, evidence) is untrusted. It
reaches the page only as JSON data in which ``<``, ``>`` and ``&`` are escaped,
and tooltips are built in the browser with ``textContent``, never ``innerHTML``,
so a quote such as ``<img src=x onerror=…>`` shows as text and cannot run.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from markupsafe import Markup
from pyvis.network import Network

from kg.errors import ExportError, UsageError
from kg.graph import relation_facts, unstated_relations
from kg.store import Store, canonical_name
from kg.vocab import KG, OA, ORG, SCHEMA
from kg.web import render, safe_json, vis_assets

# -- presentation constants ----------------------------------------------------------------

@dataclass(frozen=True)
class _TypeStyle:
    label: str  # French, as shown in the legend and tooltips
    color: str
    shape: str  # vis-network shape
    css: str  # the legend swatch's CSS class


TYPE_STYLES: dict[str, _TypeStyle] = {
    "Person": _TypeStyle("Personne", "#4e79a7", "dot", "dot"),
    "Organization": _TypeStyle("Organisation", "#f28e2b", "square", "square"),
    "AIModel": _TypeStyle("Modèle d’IA", "#59a14f", "diamond", "diamond"),
}

# stance -> (colour, French label)
STANCE_STYLES: dict[str, tuple[str, str]] = {
    "concern": ("#d62728", "inquiétude"),
    "support": ("#2ca02c", "soutien"),
    "criticism": ("#9467bd", "critique"),
    "prediction": ("#1f77b4", "prédiction"),
    "neutral": ("#8c8c8c", "neutre"),
}

# relation kind -> (colour, edge label, legend entry); worksFor edges show the role title when known
RELATION_STYLES: dict[str, tuple[str, str, str]] = {
    "worksFor": ("#555555", "travaille pour", "rôle (PDG, chercheur…)"),
    "founder": ("#8c564b", "fondateur", "fondateur"),
    "creator": ("#17becf", "développeur", "développeur (modèle → organisation)"),
}

_TYPE_IRIS = {
    str(SCHEMA.Person): "Person",
    str(SCHEMA.Organization): "Organization",
    str(KG.AIModel): "AIModel",
    str(KG.LanguageModel): "AIModel",
}
_TYPE_ALIASES = {"person": "Person", "organization": "Organization", "org": "Organization",
                 "aimodel": "AIModel", "model": "AIModel"}
_PREDICATE_KINDS = {str(SCHEMA.worksFor): "worksFor", str(SCHEMA.founder): "founder",
                    str(SCHEMA.creator): "creator"}
_STANCE_IRIS = {str(KG[name.capitalize()]): name for name in STANCE_STYLES}

MAX_EVIDENCE_SHOWN = 5  # per tooltip: long lists make the tooltip unreadable
LAYOUT_SEED = 7

_PREFIXES = f"""PREFIX schema: <{SCHEMA}>
PREFIX kg: <{KG._NS}>
PREFIX oa: <{OA}>
PREFIX org: <{ORG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@dataclass(frozen=True)
class ViewSummary:
    nodes: int
    edges: int
    reduced: bool


Evidence = tuple[str, str]  # (sentence, article identifier)


@dataclass
class _EdgeAcc:
    """One drawn edge: facts with the same ends, kind and label are merged."""

    confidence: float | None = None
    evidence: set[Evidence] = field(default_factory=set)
    facts: set[str] = field(default_factory=set)

    def add(self, fact: str, confidence: float | None, evidence: Evidence | None) -> None:
        self.facts.add(fact)
        if confidence is not None:
            self.confidence = max(confidence, self.confidence or 0.0)
        if evidence is not None:
            self.evidence.add(evidence)


# -- the property graph --------------------------------------------------------------------

def view_graph(store: Store, *, focus: str | None = None, depth: int = 2,
               types: Iterable[str] | None = None, min_confidence: float = 0.0,
               max_nodes: int | None = None) -> nx.MultiDiGraph:
    """The graph to draw, as a networkx multigraph keyed by entity IRI.

    Node attributes: ``name``, ``type``, ``alt_names``, ``mentions``, ``claims`` (the
    speaker's claims about no other entity). Edge attributes: ``kind`` (worksFor,
    founder, creator, claim), ``label``, ``stance``, ``confidence``, ``evidence``
    (sorted (sentence, article) pairs), ``facts``. Graph attributes: ``total_nodes``,
    ``reduced``, ``centers``.

    Types are filtered first, then the ``focus`` neighbourhood is walked, so that
    every node of a focused view is connected to the focus.
    """
    _check_numbers(depth, min_confidence, max_nodes)
    wanted = parse_types(types)
    g = _full_graph(store, min_confidence)
    centers = _match_focus(g, focus) if focus is not None else set()
    if wanted is not None:
        g = g.subgraph([n for n, t in g.nodes(data="type") if t in wanted or n in centers]).copy()
    if centers:
        g = _ego(g, centers, depth)
    total = g.number_of_nodes()
    if max_nodes is not None and total > max_nodes:
        g = _reduce(g, max_nodes, centers)
    g.graph.update(total_nodes=total, reduced=g.number_of_nodes() < total, centers=tuple(sorted(centers)))
    return g


def parse_types(types: Iterable[str] | None) -> frozenset[str] | None:
    """Entity type names (Person, Organization, AIModel; case-insensitive, ``org``/``model`` too)."""
    if types is None:
        return None
    if isinstance(types, str):  # a bare string would otherwise be read letter by letter
        types = [types]
    out = set()
    for raw in types:
        for part in raw.split(","):
            key = part.strip().casefold()
            if not key:
                continue
            if key not in _TYPE_ALIASES:
                raise UsageError(f"unknown entity type {part.strip()!r} (expected one of: "
                                 f"{', '.join(TYPE_STYLES)})")
            out.add(_TYPE_ALIASES[key])
    return frozenset(out)


def _check_numbers(depth: int, min_confidence: float, max_nodes: int | None) -> None:
    if depth < 0:
        raise UsageError(f"depth must be 0 or more, not {depth}")
    if not 0.0 <= min_confidence <= 1.0:
        raise UsageError(f"min_confidence must lie in [0, 1], not {min_confidence}")
    if max_nodes is not None and max_nodes < 1:
        raise UsageError(f"max_nodes must be at least 1, not {max_nodes}")


def _full_graph(store: Store, min_confidence: float) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    entities = _entities(store, min_confidence)
    for iri in sorted(entities):
        g.add_node(iri, **entities[iri])
    edges: dict[tuple[str, str, str, str, str], _EdgeAcc] = defaultdict(_EdgeAcc)
    _collect_relations(store, min_confidence, edges)
    _collect_claims(store, min_confidence, edges, g)
    for (s, o, kind, label, stance), acc in sorted(edges.items()):
        if s not in g or o not in g or s == o:
            continue  # an end of unknown type, or a self-loop (claims about oneself go to the tooltip)
        g.add_edge(s, o, key=f"{kind}:{label}", kind=kind, label=label, stance=stance,
                   confidence=acc.confidence, evidence=tuple(sorted(acc.evidence)),
                   facts=len(acc.facts))
    if min_confidence > 0:
        # Entities known only from facts under the threshold disappear with them.
        g.remove_nodes_from([n for n, d in g.nodes(data=True) if not d["mentions"] and not g.degree(n)])
    return g


def _rows(store: Store, sparql: str) -> list[dict[str, str]]:
    """Query results as plain strings; an unbound variable gives ``""``."""
    result = store.query(_PREFIXES + sparql)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("view queries are SELECT queries")
    names = [v.value for v in result.variables]
    return [{n: ("" if row[n] is None else row[n].value) for n in names} for row in result]


def _confidence_filter(var: str, min_confidence: float) -> str:
    return f"FILTER(!BOUND(?{var}) || ?{var} >= {min_confidence:.4f})"


def _entities(store: Store, min_confidence: float) -> dict[str, dict[str, Any]]:
    types: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    values = " ".join(f"<{t}>" for t in _TYPE_IRIS)
    for r in _rows(store, f"""SELECT ?e ?t ?name ?label WHERE {{ VALUES ?t {{ {values} }} ?e a ?t .
            OPTIONAL {{ ?e schema:name ?name }} OPTIONAL {{ ?e rdfs:label ?label }} }}"""):
        types[r["e"]].add(_TYPE_IRIS[r["t"]])
        if r["name"]:
            names[r["e"]].add(r["name"])
        if r["label"]:
            labels[r["e"]][r["label"]] += 1
    alts: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, "SELECT ?e ?alt WHERE { ?e schema:alternateName ?alt }"):
        alts[r["e"]].add(r["alt"])
    mentions = {r["e"]: int(r["n"] or 0) for r in _rows(store, f"""SELECT ?e (COUNT(DISTINCT ?m) AS ?n)
            WHERE {{ ?m kg:mentionOf ?e . OPTIONAL {{ ?m kg:confidence ?c }}
            {_confidence_filter("c", min_confidence)} }} GROUP BY ?e""")}
    out = {}
    for e, ts in types.items():
        # Consolidation gives one schema:name; before it, fall back to the articles' labels.
        name = min(names[e]) if names[e] else canonical_name(labels[e], False) if labels[e] else _tail(e)
        out[e] = {
            "name": name,
            "type": next(t for t in TYPE_STYLES if t in ts),  # fixed priority if types conflict
            "alt_names": tuple(sorted(alts[e] - {name})),
            "mentions": mentions.get(e, 0),
            "claims": (),
        }
    return out


def _tail(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _collect_relations(store: Store, min_confidence: float,
                       edges: dict[tuple[str, str, str, str, str], _EdgeAcc]) -> None:
    facts = relation_facts(store, min_confidence)
    works_for = str(SCHEMA.worksFor)
    for f in facts:
        kind = _PREDICATE_KINDS[f.predicate]
        titles = f.titles if f.predicate == works_for else ()  # a worksFor edge is labelled by the role
        for label in sorted(titles) or [RELATION_STYLES[kind][1]]:
            edges[(f.subject, f.object, kind, label, "")].add(
                f.statement, _float(f.confidence or ""), _evidence(f.evidence or "", f.article or ""))
    if min_confidence > 0:
        return  # a bare triple has no confidence to compare
    for s, p, o in unstated_relations(store, facts):
        kind = _PREDICATE_KINDS[p]
        edges[(s, o, kind, RELATION_STYLES[kind][1], "")].add(f"{s} {p} {o}", None, None)


def _collect_claims(store: Store, min_confidence: float,
                    edges: dict[tuple[str, str, str, str, str], _EdgeAcc], g: nx.MultiDiGraph) -> None:
    claims: dict[str, dict[str, Any]] = {}
    for r in _rows(store, f"""SELECT ?c ?speaker ?about ?stance ?conf ?text ?exact ?docid WHERE {{
            ?c a schema:Claim ; schema:author ?speaker .
            OPTIONAL {{ ?c schema:about ?about }}
            OPTIONAL {{ ?c kg:stance ?stance }}
            OPTIONAL {{ ?c kg:confidence ?conf }}
            OPTIONAL {{ ?c schema:text ?text }}
            OPTIONAL {{ ?c kg:evidence ?span . ?span oa:hasSelector ?sel . ?sel oa:exact ?exact }}
            OPTIONAL {{ ?c schema:appearance ?doc . ?doc schema:identifier ?docid }}
            {_confidence_filter("conf", min_confidence)} }}"""):
        c = claims.setdefault(r["c"], {"speaker": r["speaker"], "about": set(),
                                       "stance": _STANCE_IRIS.get(r["stance"], "neutral"),
                                       "conf": _float(r["conf"]), "evidence": None})
        if r["about"]:
            c["about"].add(r["about"])
        sentence = r["exact"] or r["text"]
        if sentence and (c["evidence"] is None or sentence < c["evidence"][0]):  # deterministic pick
            c["evidence"] = (sentence, r["docid"])
    notes: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for iri, c in claims.items():
        others = c["about"] - {c["speaker"]}
        if not others and c["evidence"]:
            notes[c["speaker"]].add((c["stance"], *c["evidence"]))
        for about in others:
            edges[(c["speaker"], about, "claim", STANCE_STYLES[c["stance"]][1], c["stance"])].add(
                iri, c["conf"], c["evidence"])
    for speaker, items in notes.items():
        if speaker in g:
            g.nodes[speaker]["claims"] = tuple(sorted(items))


def _float(value: str) -> float | None:
    return float(value) if value else None


def _evidence(exact: str, docid: str) -> Evidence | None:
    return (exact, docid) if exact else None


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name, for matching ``focus``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _match_focus(g: nx.MultiDiGraph, focus: str) -> set[str]:
    wanted = fold(focus)
    found = {n for n, d in g.nodes(data=True)
             if n == focus or wanted in {fold(d["name"]), *map(fold, d["alt_names"])}}
    if not found:
        raise UsageError(f"focus {focus!r}: no entity of that name or alternate name in the view")
    return found


def _ego(g: nx.MultiDiGraph, centers: set[str], depth: int) -> nx.MultiDiGraph:
    undirected = g.to_undirected(as_view=True)  # a claim or a role links both ways for exploring
    keep: set[str] = set()
    for center in centers:
        keep |= set(nx.single_source_shortest_path_length(undirected, center, cutoff=depth))
    return g.subgraph(keep).copy()


def _reduce(g: nx.MultiDiGraph, max_nodes: int, centers: set[str]) -> nx.MultiDiGraph:
    """Keep the focus and then the most mentioned entities (ties: name, then IRI)."""
    ranked = sorted(g.nodes(data=True),
                    key=lambda nd: (nd[0] not in centers, -nd[1]["mentions"], fold(nd[1]["name"]), nd[0]))
    return g.subgraph([n for n, _ in ranked[:max_nodes]]).copy()


# -- drawing -------------------------------------------------------------------------------

def render_view(store: Store, out: Path, *, focus: str | None = None, depth: int = 2,
                types: Iterable[str] | None = None, min_confidence: float = 0.0,
                max_nodes: int = 1500) -> ViewSummary:
    """Write the interactive view of ``store`` to ``out`` (one offline HTML file)."""
    g = view_graph(store, focus=focus, depth=depth, types=types, min_confidence=min_confidence,
                   max_nodes=max_nodes)
    net = _network(g)
    page = _page(net, g, _caption(g, focus, depth, types, min_confidence), _reduction_note(g, max_nodes))
    _write_atomic(Path(out), page)
    return ViewSummary(nodes=g.number_of_nodes(), edges=g.number_of_edges(), reduced=g.graph["reduced"])


def _network(g: nx.MultiDiGraph) -> Network:
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    positions = _layout(g)
    for n, d in g.nodes(data=True):
        style = TYPE_STYLES[d["type"]]
        x, y = positions.get(n, (0.0, 0.0))
        net.add_node(n, label=d["name"], shape=style.shape, color=style.color, size=_size(d["mentions"]),
                     x=x, y=y, tip=_node_tip(d))
    parallel: dict[frozenset[str], int] = defaultdict(int)
    for i, (s, o, d) in enumerate(g.edges(data=True)):
        pair = frozenset((s, o))
        rank = parallel[pair]
        parallel[pair] += 1
        net.add_edge(s, o, **_edge_options(i, rank, s > o, d, g.nodes[s]["name"], g.nodes[o]["name"]))
    net.options = _options(g.number_of_nodes())
    return net


def _size(mentions: int) -> float:
    # Logarithmic: a name cited 200 times must not dwarf the rest of the page.
    return round(min(60.0, 12.0 + 7.0 * math.log1p(mentions)), 1)


def _edge_options(i: int, rank: int, reverse: bool, d: dict[str, Any], source: str,
                  target: str) -> dict[str, Any]:
    if d["kind"] == "claim":
        color, dashes = STANCE_STYLES[d["stance"]][0], True
    else:
        color, dashes = RELATION_STYLES[d["kind"]][0], False
    return {
        "id": f"e{i}",
        "label": d["label"],
        "color": color,
        "dashes": dashes,
        "width": round(1.0 + math.log1p(d["facts"]), 2),
        "smooth": _curve(rank, reverse),
        "tip": _edge_tip(d, source, target),
    }


def _curve(rank: int, reverse: bool) -> dict[str, Any]:
    """Parallel edges between two entities fan out (straight, then right, left, further right…).

    vis-network bends an edge relative to its own direction, so an edge drawn the
    other way round flips side to stay apart from its siblings.
    """
    side = 0 if rank == 0 else 1 if rank % 2 else -1
    if reverse:
        side = -side
    return {"enabled": True, "type": "curvedCW" if side >= 0 else "curvedCCW",
            "roundness": round(0.22 * ((rank + 1) // 2), 2)}


def _node_tip(d: dict[str, Any]) -> list[list[str]]:
    lines = [["", d["name"]], ["Type", TYPE_STYLES[d["type"]].label]]
    if d["alt_names"]:
        lines.append(["Autres noms", ", ".join(d["alt_names"])])
    lines.append(["Mentions", str(d["mentions"])])
    for stance, sentence, doc in d["claims"][:MAX_EVIDENCE_SHOWN]:
        lines.append([f"Déclaration ({STANCE_STYLES[stance][1]}, {doc})", f"« {sentence} »"])
    if len(d["claims"]) > MAX_EVIDENCE_SHOWN:
        lines.append(["", f"… et {len(d['claims']) - MAX_EVIDENCE_SHOWN} autres déclarations"])
    return lines


def _edge_tip(d: dict[str, Any], source: str, target: str) -> list[list[str]]:
    what = ["Déclaration", d["label"]] if d["kind"] == "claim" else ["Relation", f"{d['label']} ({d['kind']})"]
    lines = [["", f"{source} → {target}"], what]
    if d["confidence"] is not None:
        lines.append(["Confiance", f"{d['confidence']:.2f}"])
    for sentence, doc in d["evidence"][:MAX_EVIDENCE_SHOWN]:
        lines.append([f"Article {doc}" if doc else "Preuve", f"« {sentence} »"])
    if len(d["evidence"]) > MAX_EVIDENCE_SHOWN:
        lines.append(["", f"… et {len(d['evidence']) - MAX_EVIDENCE_SHOWN} autres preuves"])
    return lines


def _layout(g: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Start positions computed here, so the browser only has to polish them."""
    n = g.number_of_nodes()
    if n == 0:
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(sorted(g.nodes))  # insertion order matters to the seeded layout
    simple.add_edges_from(sorted((min(s, o), max(s, o)) for s, o in g.edges()))
    # networkx's layouts are quadratic in the nodes (minutes at 5,000): a grid-based one for large views
    pos = nx.spring_layout(simple, seed=LAYOUT_SEED) if n < LARGE_VIEW else grid_force_layout(simple)
    scale = 120.0 + 60.0 * math.sqrt(n)
    return {k: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for k, (x, y) in pos.items()}


LARGE_VIEW = 500  # from this many nodes on, the layout is computed here and the browser keeps it as is


def grid_force_layout(graph: nx.Graph, *, seed: int = LAYOUT_SEED, iterations: int = 50) -> dict[Any, tuple]:
    """A force-directed layout (Fruchterman-Reingold) in O(n + m) a step, positions in [-1, 1].

    Edges pull their ends together; nodes push each other apart, exactly within each cell of
    a grid and through the cells' centres of mass beyond. Deterministic for a seed.
    """
    import numpy as np

    nodes = list(graph.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.array([(index[a], index[b]) for a, b in graph.edges() if a != b], dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    k2 = 1.0 / n  # the ideal distance between neighbours, squared
    side = max(1, round(math.sqrt(n) / 5))  # grid of side x side cells, about 25 nodes a cell
    rows = np.arange(n)
    temperature = 0.1
    for _ in range(iterations):
        disp = np.zeros_like(pos)
        # cells of equal population (columns by x rank, then rows by y rank within each column),
        # so that no cell grows quadratic however the nodes bunch up
        column = np.empty(n, dtype=np.int64)
        column[np.argsort(pos[:, 0], kind="stable")] = np.arange(n) * side // n
        by_column = np.lexsort((pos[:, 1], column))
        starts = np.searchsorted(column[by_column], np.arange(side))
        sizes = np.diff(np.append(starts, n))
        rank = np.arange(n) - np.repeat(starts, sizes)
        cell = np.empty(n, dtype=np.int64)
        cell[by_column] = column[by_column] * side + rank * side // np.maximum(np.repeat(sizes, sizes), 1)
        count = np.bincount(cell, minlength=side * side).astype(float)
        used = np.flatnonzero(count)
        slot = np.full(side * side, -1)
        slot[used] = np.arange(len(used))
        cx = np.bincount(cell, pos[:, 0], side * side)[used] / count[used]
        cy = np.bincount(cell, pos[:, 1], side * side)[used] / count[used]
        # far field: every other cell's centre of mass (float32: this is the costly part)
        dx = (pos[:, 0, None] - cx[None, :]).astype(np.float32)
        dy = (pos[:, 1, None] - cy[None, :]).astype(np.float32)
        w = (k2 * count[used]).astype(np.float32)[None, :] / np.maximum(dx * dx + dy * dy, 1e-9)
        w[rows, slot[cell]] = 0.0  # one's own cell is done exactly below
        disp[:, 0] += (dx * w).sum(axis=1)
        disp[:, 1] += (dy * w).sum(axis=1)
        # near field: the other nodes of one's own cell
        order = np.argsort(cell, kind="stable")
        for members in np.split(order, np.flatnonzero(np.diff(cell[order])) + 1):
            if len(members) > 1:
                d = pos[members][:, None, :] - pos[members][None, :, :]
                disp[members] += (d * (k2 / np.maximum((d * d).sum(axis=2), 1e-9))[:, :, None]).sum(axis=1)
        # attraction along the edges
        if len(edges):
            d = pos[edges[:, 0]] - pos[edges[:, 1]]
            pull = d * (np.sqrt((d * d).sum(axis=1)) / math.sqrt(k2))[:, None]
            np.add.at(disp, edges[:, 0], -pull)
            np.add.at(disp, edges[:, 1], pull)
        length = np.sqrt(np.maximum((disp * disp).sum(axis=1), 1e-12))
        pos += disp / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature -= 0.1 / (iterations + 1)
    pos -= pos.mean(axis=0)
    pos /= max(float(np.abs(pos).max()), 1e-9)
    return {v: (float(pos[i, 0]), float(pos[i, 1])) for i, v in enumerate(nodes)}


def _options(n: int) -> dict[str, Any]:
    # The start layout is already good: few iterations suffice, fewer still for big graphs, and
    # none at all for large ones (their layout is final: simulating thousands of nodes takes minutes).
    iterations = 300 if n <= 100 else 150 if n <= 500 else 60
    return {
        "physics": {
            "enabled": n < LARGE_VIEW,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": True},
        },
        "nodes": {"font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "font": {"size": 10, "align": "middle", "face": "sans-serif"}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n > 500},
        "layout": {"improvedLayout": n <= 100},
    }


def _caption(g: nx.MultiDiGraph, focus: str | None, depth: int, types: Iterable[str] | None,
             min_confidence: float) -> str:
    parts = [f"{g.number_of_nodes()} entités, {g.number_of_edges()} liens"]
    if focus is not None:
        parts.append(f"autour de « {focus} » (profondeur {depth})")
    wanted = parse_types(types)
    if wanted is not None:
        parts.append("types : " + ", ".join(TYPE_STYLES[t].label for t in TYPE_STYLES if t in wanted))
    if min_confidence > 0:
        parts.append(f"confiance ≥ {min_confidence:.2f}")
    return " · ".join(parts)


def _reduction_note(g: nx.MultiDiGraph, max_nodes: int) -> str | None:
    if not g.graph["reduced"]:
        return None
    least = min((m for _, m in g.nodes(data="mentions")), default=0)
    return (f"Vue réduite : {g.number_of_nodes()} entités affichées sur {g.graph['total_nodes']} "
            f"(limite {max_nodes}). Seules les entités les plus mentionnées sont gardées "
            f"(au moins {least} mention{'s' if least > 1 else ''}). Pour voir le reste, "
            f"centrez la vue sur une entité (--focus) ou filtrez par type (--types).")


# -- the page ------------------------------------------------------------------------------

def _page(net: Network, g: nx.MultiDiGraph, caption: str, note: str | None) -> str:
    vis_js, vis_css = vis_assets()
    return render(
        "view.html.j2", vis_js=Markup(vis_js), vis_css=Markup(vis_css),
        data=safe_json({"nodes": net.nodes, "edges": net.edges, "options": net.options}),
        caption=caption, note=note,
        type_styles=TYPE_STYLES, relation_styles=RELATION_STYLES, stance_styles=STANCE_STYLES,
    )


def _write_atomic(out: Path, text: str) -> None:
    """Write next to the target, then rename: readers never see half a page."""
    if out.is_dir():
        raise ExportError(f"{out}: is a directory; give the HTML file to write")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise ExportError(f"{out}: cannot write the view: {exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the page from a web server
        os.replace(tmp, out)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        raise ExportError(f"{out}: cannot write the view: {exc}") from exc


__all__ = ["ViewSummary", "fold", "parse_types", "render_view", "safe_json", "view_graph"]
