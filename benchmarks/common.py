"""Shared helpers: run a command and measure its wall time and peak memory (the whole process
tree, and its largest process), keep results, print the table. Scripts, not timed tests:
every figure is a ratio against a baseline measured in the same run (machines are noisy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"  # generated corpora and stores (git-ignored; safe to delete)
RESULTS = ROOT / "benchmarks" / ".data" / "results.jsonl"
PY = sys.executable


@dataclass
class Run:
    wall: float
    peak_mb: float  # the process tree's peak resident memory (sum over processes, sampled)
    largest_mb: float  # the peak of its largest single process (a worker)
    cpu: float  # user + system seconds of the tree
    stdout: str


def run(cmd: list[str], *, cwd: Path = ROOT, env: dict | None = None, timeout: float = 7200) -> Run:
    """Run ``cmd``; sample the memory of its process tree every 50 ms."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak, largest, cpu = [0.0], [0.0], {}
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0.0
                for p in procs:
                    try:
                        rss = p.memory_info().rss / 2**20
                        t = p.cpu_times()
                        cpu[p.pid] = t.user + t.system + t.children_user + t.children_system
                    except psutil.Error:
                        continue
                    total += rss
                    largest[0] = max(largest[0], rss)
                peak[0] = max(peak[0], total)
            except psutil.Error:
                pass
            done.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate(timeout=timeout)
    wall = time.perf_counter() - start
    done.set()
    thread.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{err[-3000:]}")
    return Run(wall, peak[0], largest[0], sum(cpu.values()), out)


def best_of(n: int, fn, *args, **kwargs) -> Run:  # type: ignore[no-untyped-def]
    """The fastest of ``n`` runs: other load on a shared machine only ever slows a run down."""
    runs = [fn(*args, **kwargs) for _ in range(n)]
    return min(runs, key=lambda r: r.wall)


@dataclass
class Figure:
    name: str
    measured: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool | None  # None: a reference figure, no target

    def row(self) -> list[str]:
        ok = "" if self.ok is None else ("yes" if self.ok else "NO")
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        return [self.name, self.measured, self.baseline, ratio, self.target, ok]


def record(figure: Figure) -> Figure:
    DATA.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(figure), ensure_ascii=False) + "\n")
    print("  " + " | ".join(figure.row()), flush=True)
    return figure


def table(figures: list[Figure]) -> str:
    header = ["figure", "measured", "baseline", "ratio", "target", "ok"]
    rows = [header, *[f.row() for f in figures]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


PART = 1000  # articles a JSONL file (kg reads files of 50 MB at most)


def corpus(n: int, seed: int = 0) -> Path:
    """A generated corpus of ``n`` articles: a folder of JSONL files, made once, kept in benchmarks/.data."""
    path = DATA / f"corpus-{seed}-{n}"
    if not path.exists():
        from corpus_gen import iter_articles

        tmp = path.with_suffix(".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        for start in range(0, n, PART):
            with (tmp / f"part-{start // PART:04d}.jsonl").open("w", encoding="utf-8") as out:
                for article in iter_articles(min(PART, n - start), seed, start):
                    out.write(json.dumps(article.as_record(), ensure_ascii=False) + "\n")
        tmp.rename(path)
    return path


def corpus_lines(path: Path):  # type: ignore[no-untyped-def]
    for part in sorted(path.glob("*.jsonl")) if path.is_dir() else [path]:
        with part.open(encoding="utf-8") as lines:
            yield from lines


def words_in(path: Path) -> int:
    return sum(len(json.loads(line)["text"].split()) for line in corpus_lines(path))
