"""Where the view's nodes start: positions computed here, so the browser only polishes them
(and, for large views, keeps them as they are)."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

LAYOUT_SEED = 7
LARGE_VIEW = 500  # from this many nodes on, the layout is computed here and the browser keeps it as is


def layout(g: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Start positions for ``g``'s nodes, deterministic: spring layout, or a grid-based one when large."""
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


__all__ = ["LARGE_VIEW", "LAYOUT_SEED", "grid_force_layout", "layout"]
