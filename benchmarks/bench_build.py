"""Build throughput, scaling, memory and incremental rebuilds (targets 1, 2, 3 and 6), the spaCy
reference figures, and Dask against plain local workers.

    python benchmarks/bench_build.py [--small 1000] [--large 10000] [--repeat 1]

Every figure compares two commands run here, one after the other, on the same generated
corpus: ``kg build`` against bare ``nlp.pipe`` (benchmarks/nlp_pipe.py), both whole commands
from start to exit (both load the same pipeline).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, PY, ROOT, Figure, best_of, corpus, record, run, words_in

KG = [PY, "-m", "kg.cli"]


def build(path: Path, store: Path, workers: int, *extra: str):  # type: ignore[no-untyped-def]
    shutil.rmtree(store, ignore_errors=True)
    return run([*KG, "build", str(path), "--store", str(store), "--workers", str(workers), *extra])


def bare(path: Path, processes: int, stock: bool = False):  # type: ignore[no-untyped-def]
    cmd = [PY, str(ROOT / "benchmarks" / "nlp_pipe.py"), str(path), "--processes", str(processes)]
    return run(cmd + (["--stock"] if stock else []))


def main() -> list[Figure]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1000, help="articles for throughput and scaling")
    parser.add_argument("--large", type=int, default=10000, help="articles for memory and rebuild (0: skip)")
    parser.add_argument("--reference", type=int, default=200, help="articles for the spaCy and Dask figures")
    parser.add_argument("--repeat", type=int, default=1, help="best of N for each throughput run")
    args = parser.parse_args()
    figures: list[Figure] = []
    small, ref = corpus(args.small), corpus(args.reference)
    large = corpus(args.large) if args.large else small
    stores = DATA / "stores"
    n = args.small

    # -- reference: the model alone, 1 and 2 processes --------------------------------------
    s1 = json.loads(bare(ref, 1, stock=True).stdout)
    s2 = json.loads(bare(ref, 2, stock=True).stdout)
    figures.append(record(Figure("ref: fr_core_news_md nlp.pipe, 2 processes vs 1 (words/s)",
                                 f"{s2['words_per_s']:,.0f}", f"{s1['words_per_s']:,.0f}",
                                 s2["words_per_s"] / s1["words_per_s"], "ref 14.4k vs 8.0k (1.8x)", None)))

    # -- 1 and 2: kg build against bare nlp.pipe -------------------------------------------
    walls = {}
    for workers in (1, 2):
        base = best_of(args.repeat, bare, small, workers)
        built = best_of(args.repeat, build, small, stores / f"small-w{workers}", workers)
        walls[workers] = built
        pipe = json.loads(base.stdout)
        figures.append(record(Figure(
            f"1. kg build --workers {workers} vs bare nlp.pipe, {n} articles (articles/s, whole commands)",
            f"{n / built.wall:.2f}/s ({built.wall:.0f} s, cpu {built.cpu:.0f} s)",
            f"{n / base.wall:.2f}/s ({base.wall:.0f} s, cpu {base.cpu:.0f} s)",
            base.wall / built.wall, ">= 0.90", base.wall / built.wall >= 0.90)))
        if workers == 1:
            figures.append(record(Figure(
                "   newskg pipeline nlp.pipe alone, 1 process (words/s; stock model above)",
                f"{pipe['words_per_s']:,.0f}", f"{s1['words_per_s']:,.0f}", pipe["words_per_s"] / s1["words_per_s"],
                "ref (components' cost)", None)))
    ratio = walls[1].wall / walls[2].wall
    figures.append(record(Figure(f"2. kg build --workers 2 vs --workers 1, {n} articles (speed-up)",
                                 f"{walls[2].wall:.0f} s", f"{walls[1].wall:.0f} s", ratio, ">= 1.75",
                                 ratio >= 1.75)))
    model_scaling = s2["words_per_s"] / s1["words_per_s"]
    figures.append(record(Figure("   the same, relative to the model's own scaling in this run (ref figure above)",
                                 f"{ratio:.2f}x", f"{model_scaling:.2f}x", ratio / model_scaling, "info", None)))

    if not args.large:
        return figures
    # -- 3: memory is flat: 10x the articles, same peak ------------------------------------
    big = build(large, stores / "large", 2)
    small2 = walls[2]
    mem_ratio = big.peak_mb / small2.peak_mb
    figures.append(record(Figure(
        f"3. peak memory, build of {args.large} vs {n} articles (--workers 2, whole process tree)",
        f"{big.peak_mb:,.0f} MB", f"{small2.peak_mb:,.0f} MB", mem_ratio, "<= 1.2", mem_ratio <= 1.2)))
    figures.append(record(Figure(
        f"3. largest process (a worker), build of {args.large} articles", f"{big.largest_mb:,.0f} MB",
        "1024 MB", big.largest_mb / 1024, "<= 1 GB", big.largest_mb <= 1024)))

    # -- 6: change 10 articles of the large corpus, build again ------------------------------
    changed = DATA / f"corpus-changed-{args.large}"
    shutil.rmtree(changed, ignore_errors=True)
    changed.mkdir(parents=True)
    i = 0
    for part in sorted(large.glob("*.jsonl")):
        with part.open(encoding="utf-8") as src, (changed / part.name).open("w", encoding="utf-8") as out:
            for line in src:
                if i % max(1, args.large // 10) == 0:
                    record_ = json.loads(line)
                    record_["text"] += "\n\nMise à jour : Arthur Mensch, PDG de Mistral AI, a salué la décision."
                    line = json.dumps(record_, ensure_ascii=False) + "\n"
                out.write(line)
                i += 1
    again = run([*KG, "build", str(changed), "--store", str(stores / "large"), "--workers", "2"])
    assert " 10 analysed" in again.stdout, again.stdout
    share = again.wall / big.wall
    figures.append(record(Figure(f"6. rebuild after 10 of {args.large} articles change vs full build",
                                 f"{again.wall:.1f} s", f"{big.wall:.0f} s", share, "<= 0.02", share <= 0.02)))
    figures.append(record(Figure(f"   full build of {args.large} articles, --workers 2 (articles/s)",
                                 f"{args.large / big.wall:.2f}/s", "", None, "info", None)))

    # -- the cluster path: Dask against local workers, same extraction ----------------------
    local = build(ref, stores / "ref-local", 2)
    dask = build(ref, stores / "ref-dask", 2, "--engine", "dask")
    figures.append(record(Figure(f"ref: kg build --engine dask vs local --workers 2, {args.reference} articles",
                                 f"{dask.wall:.1f} s", f"{local.wall:.1f} s", local.wall / dask.wall,
                                 "ref Dask 30.0 s vs 20.8 s (0.69)", None)))
    words = words_in(small)
    print(f"  ({n} articles, {words:,} words; corpora and stores in {DATA})", flush=True)
    return figures


if __name__ == "__main__":
    main()
