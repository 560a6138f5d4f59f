"""Drawing the view: the graph of :mod:`kg.viz.graph` as vis-network nodes and edges through
pyvis, filled into the page template (``kg/web/templates/view.html.j2``) and written atomically."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
from markupsafe import Markup
from pyvis.network import Network

from kg.errors import ExportError
from kg.files import write_atomically
from kg.store import Store
from kg.viz.graph import parse_types, view_graph
from kg.viz.layout import LARGE_VIEW, layout
from kg.viz.styles import MAX_EVIDENCE_SHOWN, RELATION_STYLES, STANCE_STYLES, TYPE_STYLES
from kg.web import render, safe_json, vis_assets


@dataclass(frozen=True)
class ViewSummary:
    nodes: int
    edges: int
    reduced: bool



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
    positions = layout(g)
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
        write_atomically(out, text)
    except OSError as exc:
        raise ExportError(f"{out}: cannot write the view: {exc}") from exc


__all__ = ["ViewSummary", "render_view"]
