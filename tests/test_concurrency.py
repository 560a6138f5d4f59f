"""Concurrency: one writer, any number of readers (the protocol is documented in :mod:`kg.store`).

* A second ``kg build`` while one runs: one line, "store is in use by process N", exit 1.
* ``kg query``, ``kg export``, ``kg stats`` and ``kg serve`` during a build read the last
  finished build (the current snapshot), byte for byte what they read before it started.
* Before any build has finished there is nothing safe to read: they say so in one line.

The running build is held still with the test-only hook of :mod:`kg.store`
(``KG_TEST_KILL_AT`` with ``KG_TEST_KILL_SIGNAL=SIGSTOP``): it stops itself after writing
every article, before consolidating; the test then resumes it with SIGCONT.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import kg

from kg.serve import KGServer, ServeSettings
from kg.store import SNAPSHOTS_DIR, current_snapshot, open_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
DOCS = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://schema.org/NewsArticle> }"


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and not done.stdout, (done.stdout, done.stderr)
    return lines[0]


def documents(store: Path) -> int:
    done = kg("query", DOCS, "--store", store, "--format", "csv")
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[1])


def state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@pytest.mark.model
def test_during_a_build_a_second_build_is_refused_and_readers_read_the_last_build(tiny_store_copy, tmp_path):
    store = tiny_store_copy
    before_export = tmp_path / "before.nq"
    assert kg("export", "--format", "nquads", "-o", before_export, "--store", store).returncode == 0
    before_snapshot = current_snapshot(store)
    env = {**os.environ, "KG_TEST_KILL_AT": "consolidate_entities:1", "KG_TEST_KILL_SIGNAL": "SIGSTOP"}
    build = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(SAMPLE), "--store", str(store)],
                             env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while state(build.pid) != "T":  # stopped itself: five articles written, entities not consolidated
            assert build.poll() is None and time.monotonic() < deadline, build.communicate()
            time.sleep(0.05)

        line = one_error_line(kg("build", SAMPLE, "--store", store))
        assert line == f"kg build: error: {store}: store is in use by process {build.pid}"

        assert documents(store) == 2  # the last finished build: the tiny store, not the five new articles
        during_export = tmp_path / "during.nq"
        done = kg("export", "--format", "nquads", "-o", during_export, "--store", store)
        assert done.returncode == 0, done.stderr
        assert during_export.read_bytes() == before_export.read_bytes()
        stats = kg("stats", "--store", store)
        assert stats.returncode == 0 and dict(line.rsplit(maxsplit=1) for line in stats.stdout.splitlines())[
            "documents"] == "2"
        with open_store(store, read_only=True) as reader:
            assert reader.snapshot == before_snapshot
    finally:
        build.send_signal(signal.SIGCONT)
    out, err = build.communicate(timeout=120)
    assert build.returncode == 0, err
    assert out.strip().endswith("5 analysed, 0 unchanged, 0 skipped")
    assert documents(store) == 7
    after = current_snapshot(store)
    assert int(after.id) > int(before_snapshot.id) and not before_snapshot.path.exists()


def test_before_any_build_finished_readers_say_why_in_one_line(tmp_path):
    store = tmp_path / "store"
    with open_store(store):  # a first build under way: nothing finished to read yet
        why = (f"{store}: store is being written by process {os.getpid()} and has no finished build to read "
               "yet; try again when it finishes")
        assert one_error_line(kg("query", "roles", "--store", store)) == f"kg query: error: {why}"
        assert one_error_line(kg("stats", "--store", store)) == f"kg stats: error: {why}"
        target = tmp_path / "graph.ttl"
        assert one_error_line(kg("export", "-o", target, "--store", store)) == f"kg export: error: {why}"
        assert not target.exists()
    assert documents(store) == 0  # done: an empty store, readable


def test_kg_serve_keeps_serving_its_snapshot_while_builds_publish(tiny_store_copy):
    server = KGServer(tiny_store_copy, ServeSettings(port=0), log=lambda message: None).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        served = current_snapshot(tiny_store_copy)
        assert server.engine is not None and server.engine.store_path == served.path  # not the store itself
        with open_store(tiny_store_copy) as writer:  # a build while the server runs
            writer._require_writable()
            writer.ox.update(f"DROP GRAPH <{writer.iris.document('b.txt')}>")
        assert current_snapshot(tiny_store_copy) != served and served.path.is_dir()  # held by the server
        assert documents(tiny_store_copy) == 1
        import urllib.parse
        import urllib.request

        url = server.url + "sparql?" + urllib.parse.urlencode({"query": DOCS})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(urllib.request.Request(url, headers={"Accept": "text/csv"}), timeout=30) as answer:
            assert answer.read().decode().split() == ["n", "2"]  # as when it started
    finally:
        server.shutdown()
        server.close()
    with open_store(tiny_store_copy):
        pass  # the next writer removes the snapshot nobody reads any more
    assert sorted(p.name for p in (tiny_store_copy / SNAPSHOTS_DIR).iterdir() if p.name.isdigit()) == [
        current_snapshot(tiny_store_copy).id]
