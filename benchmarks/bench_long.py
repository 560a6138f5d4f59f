"""Long articles (issue 12): peak memory and time per character of one very long article.

    python benchmarks/bench_long.py [--long 1200000] [--short 100000] [--normal 100]

Whole ``kg build`` commands, one after the other: a dossier of ``--long`` characters in
ordinary paragraphs (generated articles, one after another, as one file), one of
``--short`` characters, and ``--normal`` ordinary articles (a few thousand characters
each). Peak memory is the process tree's (sampled every 50 ms). Time per character
leaves out what every build pays once (Python, the model, the store): the wall time of a
build of one short article is subtracted first.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, PY, Figure, record, run

KG = [PY, "-m", "kg.cli"]


def dossier(chars: int) -> Path:
    """A text file of about ``chars`` characters: generated articles joined by blank lines (made once)."""
    path = DATA / f"dossier-{chars}.txt"
    if not path.exists():
        from corpus_gen import iter_articles

        parts, total = [], 0
        for article in iter_articles(chars // 1000 + 10):
            parts.append(article.text.strip())
            total += len(parts[-1]) + 2
            if total >= chars:
                break
        DATA.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(parts)[:chars].rstrip() + "\n", encoding="utf-8")
    return path


def normal_articles(count: int) -> tuple[Path, int]:
    """A folder of ``count`` ordinary articles (.txt), and their characters."""
    from corpus_gen import iter_articles

    path = DATA / f"normal-{count}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    chars = 0
    for i, article in enumerate(iter_articles(count)):
        (path / f"{i:05d}.txt").write_text(article.text, encoding="utf-8")
        chars += len(article.text)
    return path, chars


def build(path: Path, name: str):  # type: ignore[no-untyped-def]
    store = DATA / "stores" / name
    shutil.rmtree(store, ignore_errors=True)
    return run([*KG, "build", str(path), "--store", str(store), "--max-chars", "100000000"])


def main() -> list[Figure]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", type=int, default=1_200_000, help="characters of the long article")
    parser.add_argument("--short", type=int, default=100_000, help="characters of the baseline article")
    parser.add_argument("--normal", type=int, default=100, help="ordinary articles, for the time per character")
    args = parser.parse_args()
    long_path, short_path = dossier(args.long), dossier(args.short)
    folder, normal_chars = normal_articles(args.normal)
    one, _ = normal_articles(1)
    fixed = build(one, "long-fixed").wall  # Python, the model, the store: paid once by every build
    short, long = build(short_path, "long-short"), build(long_path, "long-long")
    normal = build(folder, "long-normal")

    figures = []
    ratio = long.peak_mb / short.peak_mb
    figures.append(record(Figure(
        f"long article: peak memory, {args.long:,} vs {args.short:,} characters (whole command)",
        f"{long.peak_mb:,.0f} MB", f"{short.peak_mb:,.0f} MB", ratio, "<= 1.5", ratio <= 1.5)))
    figures.append(record(Figure(
        f"   peak memory of the {args.long:,}-character article, absolute", f"{long.peak_mb:,.0f} MB", "3072 MB",
        long.peak_mb / 3072, "<= 3 GB", long.peak_mb <= 3072)))
    per_char_long = max(long.wall - fixed, 1e-9) / args.long * 1e6
    per_char_normal = max(normal.wall - fixed, 1e-9) / normal_chars * 1e6
    figures.append(record(Figure(
        f"long article: time per character, {args.long:,}-character article vs {args.normal} ordinary articles",
        f"{per_char_long:.1f} µs/char ({long.wall:.0f} s)",
        f"{per_char_normal:.1f} µs/char ({normal.wall:.0f} s, {normal_chars:,} chars)",
        per_char_long / per_char_normal, "ref (1: no penalty)", None)))
    return figures


if __name__ == "__main__":
    main()
