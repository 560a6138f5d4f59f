"""GraphML at a million edges (target 5): the writer ``kg export --format graphml`` uses
(:func:`kg.export.write_graphml`, on the property graph's schema) against igraph's writer on the
same graph, and networkx's lxml writer (what kg used before; the same bytes) for reference.

    python benchmarks/bench_graphml.py [--edges 1000000]

Each writer runs in its own process, so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, PY, Figure, record, run

SIDE = r'''
import json, random, sys, time
edges, which, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(7)
nodes = max(1000, edges // 20)
node_attrs = [dict(label=f"Entité {i}", type=("Person", "Organization", "AIModel")[i % 3],
                   iri=f"https://w3id.org/newskg/id/x/{i}", mentions=i % 50, articles=i % 9) for i in range(nodes)]
def edge(k):
    s, o = rng.randrange(nodes), rng.randrange(nodes)
    kind = "claim" if k % 3 else "relation"
    return s, o, f"https://w3id.org/newskg/id/doc/{k // 7}/statement/{k}", dict(
        label="claim" if kind == "claim" else "worksFor", kind=kind, role="PDG" if kind == "relation" else "",
        stance="concern" if kind == "claim" else "", evidence="Le PDG de Hugging Face a déclaré que …",
        quote="« Nous devons rester vigilants »", article=f"gen-{k // 7}.txt", confidence=0.8)
t = time.perf_counter()
if which in ("networkx", "kg"):
    import networkx as nx
    g = nx.MultiDiGraph()
    for i, a in enumerate(node_attrs):
        g.add_node(a["iri"], **a)
    for k in range(edges):
        s, o, key, a = edge(k)
        g.add_edge(node_attrs[s]["iri"], node_attrs[o]["iri"], key=key, **a)
    built = time.perf_counter()
    with open(out, "wb") as sink:
        if which == "kg":
            from kg.export import write_graphml
            write_graphml(g, sink)
        else:
            nx.write_graphml_lxml(g, sink)
else:
    import igraph as ig
    es, attrs = [], {k: [] for k in ("label", "kind", "role", "stance", "evidence", "quote", "article", "confidence")}
    for k in range(edges):
        s, o, key, a = edge(k)
        es.append((s, o))
        for name in attrs:
            attrs[name].append(a[name])
    g = ig.Graph(n=nodes, edges=es, directed=True)
    for name in ("label", "type", "iri", "mentions", "articles"):
        g.vs[name] = [a[name] for a in node_attrs]
    for name, values in attrs.items():
        g.es[name] = values
    built = time.perf_counter()
    g.write_graphml(out)
print(json.dumps({"write": time.perf_counter() - built}))
'''


def main() -> list[Figure]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edges", type=int, default=1_000_000)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    res = {}
    for which in ("igraph", "kg", "networkx"):
        done = run([PY, "-c", SIDE, str(args.edges), which, str(DATA / f"edges-{which}.graphml")])
        res[which] = (json.loads(done.stdout)["write"], done.peak_mb)
    (ig_t, ig_m), (kg_t, kg_m), (nx_t, _) = res["igraph"], res["kg"], res["networkx"]
    same = (DATA / "edges-kg.graphml").read_bytes() == (DATA / "edges-networkx.graphml").read_bytes()
    figures = [
        record(Figure(f"5. GraphML write, {args.edges:,} edges: kg's writer vs igraph",
                      f"{kg_t:.1f} s", f"{ig_t:.1f} s", kg_t / ig_t, "<= 2x igraph", kg_t <= 2 * ig_t)),
        record(Figure(f"5. GraphML export peak memory, {args.edges:,} edges (graph + writer)", f"{kg_m:,.0f} MB",
                      f"igraph {ig_m:,.0f} MB", kg_m / 1024, "<= 1 GB", kg_m <= 1024)),
        record(Figure(f"ref: GraphML write, {args.edges:,} edges: networkx+lxml vs kg's writer (same bytes: {same})",
                      f"{nx_t:.1f} s", f"{kg_t:.1f} s", nx_t / kg_t, "ref 12.7 s, 0.78 GB", None)),
    ]
    return figures


if __name__ == "__main__":
    main()
