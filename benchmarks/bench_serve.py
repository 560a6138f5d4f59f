"""``kg serve`` under load: its throughput against Oxigraph's own server on the same store, in
the same run, and its peak memory under load and under abuse (slow clients, oversized bodies,
connections beyond the cap). Everything listens on 127.0.0.1 only.

    python benchmarks/bench_serve.py [--triples 100000] [--clients 16] [--seconds 5] [--rounds 3]
                                     [--abuse-seconds 12]

The load generator (httpx, asyncio, in this process) runs the same query mix against both
servers, in turns: N clients, each sending its next query as soon as the last is answered;
the best round of each server is kept. Both servers and the generator share the machine's
cores, alike for both.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, PY, ROOT, Figure, record, run

QUERIES = [  # small answers: what is measured is the serving, not the evaluation
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50",
    "ASK { ?s a <https://schema.org/Person> }",
    "SELECT ?e ?name WHERE { ?e a <https://schema.org/Organization> ; <https://schema.org/name> ?name } LIMIT 20",
]
ACCEPT = {"Accept": "application/sparql-results+json"}


async def load(url: str, clients: int, seconds: float) -> tuple[int, Counter[int]]:
    """Answers received in ``seconds`` by ``clients`` concurrent clients (status counts too)."""
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits, trust_env=False) as client:

        async def worker(i: int) -> None:
            n = i
            while time.monotonic() < deadline:
                query = QUERIES[n % len(QUERIES)]
                n += 1
                try:
                    answer = await client.get(url, params={"query": query}, headers=ACCEPT)
                    statuses[answer.status_code] += 1
                except httpx.HTTPError:
                    statuses[0] += 1

        await asyncio.gather(*(worker(i) for i in range(clients)))
    return statuses[200], statuses


async def abuse(host: str, port: int, seconds: float) -> Counter[str]:
    """Slow heads, oversized bodies and a crowd of idle connections, for ``seconds``."""
    seen: Counter[str] = Counter()
    deadline = time.monotonic() + seconds

    async def slowloris() -> None:
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
            while time.monotonic() < deadline and not reader.at_eof():
                writer.write(b"X")
                await writer.drain()
                await asyncio.sleep(1.0)
            seen["slow client dropped" if reader.at_eof() else "slow client kept"] += 1
            writer.close()
        except OSError:
            seen["slow client refused"] += 1

    async def oversized(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            try:
                answer = await client.post("/sparql", content=b"#" * 5_000_000,
                                           headers={"Content-Type": "application/sparql-query"})
                seen[f"oversized {answer.status_code}"] += 1
            except httpx.HTTPError:
                seen["oversized cut"] += 1

    async with httpx.AsyncClient(base_url=f"http://{host}:{port}", timeout=30, trust_env=False) as client:
        await asyncio.gather(*(slowloris() for _ in range(200)), *(oversized(client) for _ in range(8)))
    return seen


class Peak:
    """The peak resident memory of a process tree, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.tree_mb = self.front_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            try:
                front = self.root.memory_info().rss / 2**20
                tree = front + sum(p.memory_info().rss for p in self.root.children(recursive=True)) / 2**20
            except psutil.Error:
                continue
            self.front_mb, self.tree_mb = max(self.front_mb, front), max(self.tree_mb, tree)

    def __enter__(self) -> Peak:
        self.tree_mb = self.front_mb = 0.0
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def started(cmd: list[str], url_of: Callable[[subprocess.Popen[str]], str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = url_of(proc)
    wait_for(url)
    return proc, url


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def main() -> list[Figure]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds on each server, in turn; the best is kept")
    parser.add_argument("--abuse-seconds", type=float, default=12.0,
                        help="long enough for the 10 s head deadline to drop the slow clients")
    args = parser.parse_args()
    store = DATA / f"store-{args.triples}" / "store"
    if not (store / "newskg.json").exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        run([PY, str(Path(__file__).parent / "synth.py"), str(store), "--triples", str(args.triples)])
    from kg.serve import find_oxigraph
    from kg.store import open_store

    with open_store(store, read_only=True) as opened:
        location = opened.location  # the current snapshot: what kg serve's engine reads too
    port = free_port()
    oxigraph, ox_url = started([find_oxigraph(), "serve-read-only", "--location", str(location), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"],
                               lambda proc: f"http://127.0.0.1:{port}/query")

    def announced(proc: subprocess.Popen[str]) -> str:
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"serving (http://\S+/) ", line)
        if not match:
            raise RuntimeError(f"kg serve did not start: {line!r}")
        return match.group(1) + "sparql"

    kg, kg_url = started([PY, "-m", "kg.cli", "serve", "--store", str(store), "--port", "0",
                          "--max-connections", str(4 * args.clients)], announced)
    try:
        # Rounds in turn, the best of each kept: other load on a shared machine only slows a round down.
        ox_done, kg_done, kg_statuses = 0, 0, Counter[int]()
        asyncio.run(load(ox_url, args.clients, 1.0))  # warm both caches alike
        asyncio.run(load(kg_url, args.clients, 1.0))
        with Peak(kg.pid) as loaded:
            for _ in range(args.rounds):
                ox_done = max(ox_done, asyncio.run(load(ox_url, args.clients, args.seconds))[0])
                done, statuses = asyncio.run(load(kg_url, args.clients, args.seconds))
                kg_done, kg_statuses = max(kg_done, done), kg_statuses + statuses
        host, port_text = kg_url.split("//")[1].split("/")[0].rsplit(":", 1)
        with Peak(kg.pid) as abused:
            seen = asyncio.run(abuse(host, int(port_text), args.abuse_seconds))
            asyncio.run(load(kg_url, args.clients, 1.0))
        after, _ = asyncio.run(load(kg_url, 2, 1.0))
    finally:
        stop(kg)
        stop(oxigraph)
    kg_rate, ox_rate = kg_done / args.seconds, ox_done / args.seconds
    print(f"  kg serve statuses under load: {dict(kg_statuses)}; abuse: {dict(seen)}; answers after: {after}")
    return [
        record(Figure(f"serve: throughput, {args.clients} clients, {args.triples} triples (kg serve / oxigraph)",
                      f"{kg_rate:.0f} q/s", f"{ox_rate:.0f} q/s (oxigraph serve-read-only)",
                      kg_rate / ox_rate if ox_rate else None, "info", None)),
        record(Figure("serve: peak memory under load (front process; with its engine)",
                      f"{loaded.front_mb:.0f} MB; {loaded.tree_mb:.0f} MB", "", None, "info", None)),
        record(Figure("serve: peak memory under abuse (200 slow clients, 5 MB bodies; front; with engine)",
                      f"{abused.front_mb:.0f} MB; {abused.tree_mb:.0f} MB", "", None, "bounded",
                      after > 0 and abused.front_mb < 4 * max(loaded.front_mb, 1.0))),
    ]


if __name__ == "__main__":
    main()
