"""The view (target 7): ``kg view`` of a large synthetic store, then headless Chromium until the
page has drawn every node (the page sets ``data-kg-nodes`` after its first drawing).

    python benchmarks/bench_view.py [--triples 1000000] [--max-nodes 5000]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, PY, Figure, record, run


def main() -> list[Figure]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--max-nodes", type=int, default=5000)
    args = parser.parse_args()
    work = DATA / f"store-{args.triples}"
    store = work / "store"
    if not (store / "newskg.json").exists():
        work.mkdir(parents=True, exist_ok=True)
        run([PY, str(Path(__file__).parent / "synth.py"), str(store), "--triples", str(args.triples)])
    page = work / "view.html"
    rendered = run([PY, "-m", "kg.cli", "view", "--store", str(store), "-o", str(page),
                    "--max-nodes", str(args.max_nodes)])
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    figures = [record(Figure(f"7. kg view, {args.max_nodes} nodes at most: page written (Python side)",
                             f"{rendered.wall:.1f} s", "", None, "info", None))]
    if chromium is None:
        print("  (no Chromium: the drawing time is not measured)")
        return figures
    profile = work / "chromium-profile"
    drawn = run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 f"--user-data-dir={profile}", "--virtual-time-budget=600000", "--dump-dom", page.as_uri()],
                timeout=900)
    nodes = re.search(r'data-kg-nodes="(\d+)"', drawn.stdout)
    reduced = 'id="kg-note"' in drawn.stdout
    count = int(nodes.group(1)) if nodes else 0
    figures.append(record(Figure(f"7. headless Chromium draws the view ({count} nodes{', reduced' if reduced else ''})",
                                 f"{drawn.wall:.1f} s", "5 s", drawn.wall / 5, "<= 5 s",
                                 drawn.wall <= 5 and count > 0)))
    return figures


if __name__ == "__main__":
    main()
