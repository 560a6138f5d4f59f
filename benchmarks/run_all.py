"""``make bench``: every figure of the performance issue, each with its baseline, ratio and target.

    python benchmarks/run_all.py            # default sizes (about 20-30 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # small sizes, a few minutes: checks that it all runs

Each part runs in its own process; the table at the end gathers every figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PY, RESULTS, Figure, table

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes")
    args = parser.parse_args()
    if args.quick:
        parts = [
            ["bench_build.py", "--small", "60", "--large", "300", "--reference", "30"],
            ["bench_store.py", "--triples", "100000", "--rdflib-timeout", "30"],
            ["bench_graphml.py", "--edges", "50000"],
            ["bench_view.py", "--triples", "100000", "--max-nodes", "1000"],
            ["bench_serve.py", "--triples", "100000", "--seconds", "3"],
            ["bench_long.py", "--long", "300000", "--short", "50000", "--normal", "20"],
        ]
    else:
        parts = [
            ["bench_build.py", "--small", "1000", "--large", "10000", "--reference", "200"],
            ["bench_store.py", "--triples", "1000000", "--rdflib-timeout", "60"],
            ["bench_graphml.py", "--edges", "1000000"],
            ["bench_view.py", "--triples", "1000000", "--max-nodes", "5000"],
            ["bench_serve.py", "--triples", "1000000", "--seconds", "10"],
            ["bench_long.py", "--long", "1200000", "--short", "100000", "--normal", "100"],
        ]
    RESULTS.unlink(missing_ok=True)
    failed = []
    for script, *options in parts:
        print(f"== {script} {' '.join(options)}", flush=True)
        if subprocess.run([PY, str(HERE / script), *options]).returncode != 0:
            failed.append(script)
    figures = [Figure(**json.loads(line)) for line in RESULTS.read_text(encoding="utf-8").splitlines()] \
        if RESULTS.exists() else []
    print()
    print(table(figures))
    missed = [f for f in figures if f.ok is False]
    print(f"\n{len(figures)} figures, {sum(f.ok is True for f in figures)} targets met, {len(missed)} missed"
          + (f"; failed to run: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
