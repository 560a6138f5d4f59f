"""The store at a million triples: canned queries (target 4), RDF exports (target 5), and the
reference figures (rdflib in memory against Oxigraph; ``oxigraph load``).

    python benchmarks/bench_store.py [--triples 1000000] [--rdflib-timeout 120]

The store is synthesised from the generator's planted facts (benchmarks/synth.py): real article
graphs, no NLP. rdflib runs in its own process (its peak memory is measured there).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, PY, Figure, record, run

RDFLIB_SIDE = r'''
import json, signal, sys, time
import warnings; warnings.filterwarnings("ignore")
from rdflib import Dataset, Graph
nq, queries, timeout, ttl = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
out = {}
t = time.perf_counter(); ds = Dataset(default_union=True); ds.parse(nq, format="nquads")
out["parse_nquads"] = time.perf_counter() - t
class Late(Exception): pass
def late(*_): raise Late()
signal.signal(signal.SIGALRM, late)
for name, (text, bindings) in queries.items():
    from rdflib import URIRef
    signal.alarm(timeout)
    t = time.perf_counter()
    try:
        rows = len(list(ds.query(text, initBindings={k: URIRef(v) for k, v in bindings.items()})))
        out[name] = time.perf_counter() - t
    except Late:
        out[name] = None
    signal.alarm(0)
g = Graph()
for s, p, o, _ in ds.quads((None, None, None, None)):
    g.add((s, p, o))
t = time.perf_counter(); g.serialize(ttl, format="turtle"); out["write_turtle"] = time.perf_counter() - t
t = time.perf_counter(); Graph().parse(ttl, format="turtle"); out["parse_turtle"] = time.perf_counter() - t
print(json.dumps(out))
'''

OX_SIDE = r'''
import json, sys, time
import pyoxigraph as ox
import kg
from kg.query import run_query
store_path, queries, ttl = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
out = {}
with kg.open_store(store_path, read_only=True) as store:
    for name, (text, bindings) in queries.items():
        run_query(store, text, bindings)  # warm the caches once, then time
        t = time.perf_counter(); run_query(store, text, bindings); out[name] = time.perf_counter() - t
t = time.perf_counter(); s = ox.Store(); s.load(path=ttl, format=ox.RdfFormat.TURTLE)
out["parse_turtle"] = time.perf_counter() - t
print(json.dumps(out))
'''


def main() -> list[Figure]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rdflib-timeout", type=int, default=120)
    args = parser.parse_args()
    figures: list[Figure] = []
    work = DATA / f"store-{args.triples}"
    store = work / "store"
    if not (store / "newskg.json").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        run([PY, str(Path(__file__).parent / "synth.py"), str(store), "--triples", str(args.triples)])
    kg = [PY, "-m", "kg.cli"]
    # exports (target 5), whole commands
    for fmt, ext in (("turtle", "ttl"), ("ntriples", "nt")):
        done = run([*kg, "export", "--store", str(store), "--format", fmt, "-o", str(work / f"export.{ext}")])
        figures.append(record(Figure(f"5. kg export --format {fmt}, {args.triples:,} triples", f"{done.wall:.1f} s",
                                     "2 s", done.wall / 2, "<= 2 s", done.wall <= 2)))
    nq = work / "export.nq"
    run([*kg, "export", "--store", str(store), "--format", "nquads", "-o", str(nq)])
    # queries (target 4): every canned query; those taking an entity get the most mentioned one
    from kg.query import canned_queries

    top = run([*kg, "query", "--store", str(store), "entities", "--format", "json"]).stdout
    entity = json.loads(top)["results"]["bindings"][0]["entity"]["value"]
    queries = {name: (q.text, {"entity": entity} if name == "entity" else {})
               for name, q in canned_queries().items()}
    ox_side = run([PY, "-c", OX_SIDE, str(store), json.dumps(queries), str(work / "export.ttl")])
    rdf_side = run([PY, "-c", RDFLIB_SIDE, str(nq), json.dumps(queries), str(args.rdflib_timeout),
                    str(work / "rdflib.ttl")], timeout=7200)
    ox_t, rdf_t = json.loads(ox_side.stdout), json.loads(rdf_side.stdout)
    for name in queries:
        o, r = ox_t[name], rdf_t[name]
        ratio = (r / o) if r is not None else args.rdflib_timeout / o
        ok = o < 1 and ratio >= 15
        figures.append(record(Figure(f"4. canned query {name}, {args.triples:,} triples: Oxigraph vs rdflib",
                                     f"{o:.3f} s", f"{r:.2f} s" if r is not None else f"> {args.rdflib_timeout} s",
                                     ratio, "< 1 s and >= 15x", ok)))
    figures.append(record(Figure("ref: Turtle parse, Oxigraph vs rdflib", f"{ox_t['parse_turtle']:.1f} s",
                                 f"{rdf_t['parse_turtle']:.1f} s", rdf_t["parse_turtle"] / ox_t["parse_turtle"],
                                 "ref 2.8 s vs 29 s", None)))
    export_ttl = next(f for f in figures if "turtle" in f.name)
    figures.append(record(Figure("ref: Turtle write, kg export vs rdflib", export_ttl.measured,
                                 f"{rdf_t['write_turtle']:.1f} s", None, "ref 0.9 s vs 35 s", None)))
    figures.append(record(Figure("ref: peak memory, Oxigraph queries vs rdflib in memory",
                                 f"{ox_side.peak_mb:,.0f} MB", f"{rdf_side.peak_mb:,.0f} MB",
                                 rdf_side.peak_mb / max(1, ox_side.peak_mb), "ref 0.64 GB vs 1.29 GB", None)))
    # oxigraph load: the bulk loader's throughput (what the Dask shards go through)
    target = work / "bulk"
    shutil.rmtree(target, ignore_errors=True)
    loaded = run([str(Path(PY).parent / "oxigraph"), "load", "--location", str(target), "--file", str(nq)])
    quads = sum(1 for _ in nq.open("rb"))
    figures.append(record(Figure("ref: oxigraph load (bulk), quads/s", f"{quads / loaded.wall:,.0f}", "", None,
                                 "ref ~115k/s", None)))
    return figures


if __name__ == "__main__":
    main()
