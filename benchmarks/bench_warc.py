"""Reading articles from a WARC archive against reading the same pages as HTML files (issue 14),
and building a WARC with the Dask engine (the workers read it) against the local path.

    python benchmarks/bench_warc.py [--articles 500] [--repeat 3] [--build 40] [--workers 2]

Writes N HTML pages (the sample articles under N distinct canonical URLs) both as files and
as one gzipped WARC (with warcio, a request record before each response, as crawlers write
them), then times the read stage alone (no NLP: it is the same afterwards) of each: articles
per second, and the ratio WARC / files. Best of --repeat runs.

With ``--build M`` (0: skip), it then builds a WARC of the first M pages three ways, each into a
fresh store, NLP included: ``kg build --workers W`` (the local path: this process reads the
archive, W processes analyse), ``--engine dask`` on a LocalCluster of W workers with the
archive as one task (one worker reads and analyses it all), and with the archive cut into W
byte ranges (one task each). Wall time includes starting the cluster and loading the model in
each worker; the ratios are local time / Dask time (above 1: Dask is faster).
"""

from __future__ import annotations

import argparse
import html
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.ingest import iter_inputs as read_files  # noqa: E402
from kg.records import Document  # noqa: E402
from kg.sources import iter_inputs  # noqa: E402


def pages(count: int) -> list[tuple[str, bytes]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "sample").glob("*.txt"))]
    out = []
    for i in range(count):
        url = f"https://news.example/{i:06d}.html"
        body = "".join(f"<p>{html.escape(line)}</p>" for line in texts[i % len(texts)].splitlines() if line.strip())
        out.append((url, (f'<html lang="fr"><head><title>Article {i}</title><link rel="canonical" href="{url}">'
                          f"</head><body><article>{body}</article></body></html>").encode()))
    return out


def write(folder: Path, items: list[tuple[str, bytes]]) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    archive = folder / "pages.warc.gz"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body in items:
            (folder / url.rsplit("/", 1)[1]).write_bytes(body)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n")))
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    return archive


def rate(read, source, count: int, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        got = sum(isinstance(r, Document) for r in read(source))
        best = min(best, time.perf_counter() - start)
        assert got == count, f"read {got} of {count}"
    return count / best


def build_times(folder: Path, items: list[tuple[str, bytes]], workers: int) -> dict[str, float]:
    """Wall seconds of a whole build of one WARC of ``items``: locally, and on Dask whole and in ranges."""
    import warnings

    import kg

    warnings.filterwarnings("ignore", module="spacy")
    folder.mkdir()
    archive = write(folder, items)
    ranges = archive.stat().st_size // workers + 1
    ways = {"local": kg.BuildSettings(workers=workers),
            "dask, one task": kg.BuildSettings(engine="dask", workers=workers),
            f"dask, {workers} ranges": kg.BuildSettings(engine="dask", workers=workers, archive_split=ranges)}
    times = {}
    for i, (name, settings) in enumerate(ways.items()):
        start = time.perf_counter()
        report = kg.build([archive], folder / f"store-{i}", settings)
        times[name] = time.perf_counter() - start
        assert (report.analysed, report.errors) == (len(items), []), (name, report.analysed, report.errors[:3])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", type=int, default=40, help="pages of the whole-build comparison (0: skip it)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        archive = write(folder, pages(args.articles))
        files = sorted(folder.glob("*.html"))
        warc = rate(lambda a: iter_inputs([a]), archive, args.articles, args.repeat)
        html_files = rate(read_files, files, args.articles, args.repeat)
        size = archive.stat().st_size
    print(f"WARC ({size // 1024} KiB gzipped): {warc:.0f} articles/s")
    print(f"HTML files: {html_files:.0f} articles/s")
    print(f"ratio WARC / files: {warc / html_files:.2f}")
    if args.build:
        with tempfile.TemporaryDirectory() as tmp:
            times = build_times(Path(tmp) / "build", pages(args.build), args.workers)
        local = times["local"]
        for name, seconds in times.items():
            print(f"build of a {args.build}-page WARC, {name} ({args.workers} workers): {seconds:.1f} s, "
                  f"{args.build / seconds:.2f} articles/s" + ("" if name == "local" else
                                                               f", ratio local / this: {local / seconds:.2f}"))


if __name__ == "__main__":
    main()
