"""Crashes: ``kg build`` killed with SIGKILL at many points, then run again.

After every kill the store must open and answer queries (readers see the last finished
build: its snapshot, or the store itself before the first build ever finished), and
running the same command again must end with a graph isomorphic to an uninterrupted
build. The kill points come from the test-only hook ``KG_TEST_KILL_AT`` (documented in
:mod:`kg.store`): before a given write operation, or at a step of the publication of a
snapshot; one more kill comes from outside, at a random moment.

To have many kill points in a small corpus, the killed runs make the build write each
new article in its own bulk load and consolidate entities by small batches (as a huge
corpus would); the uninterrupted reference build uses the defaults, so the comparison
also checks that those sizes change nothing in the graph.

The builds run the real ``kg`` command (the model loads in every process: about 7 s),
so the runs are chained: each re-run builds only what the killed one left undone.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.store import PENDING_FILE, SNAPSHOTS_DIR, STALE_FILE, current_snapshot, open_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
KILLED = -signal.SIGKILL
# `kg build` with small write units (see the module documentation); otherwise the same command.
SMALL_UNITS = ("import importlib, sys\n"
               "b = importlib.import_module('kg.build')  # not `import kg.build`: kg.build is also the function\n"
               "assert hasattr(b, 'CONSOLIDATION_BATCH')\n"
               "b.CONSOLIDATION_BATCH = 8\n"
               "if hasattr(b, 'SPOOL_QUADS'): b.SPOOL_QUADS = 1\n"
               "from kg.cli import main\n"
               "sys.exit(main(sys.argv[1:]))")
DOCS = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://schema.org/NewsArticle> }"
HASHED = ("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?d { ?d <https://w3id.org/newskg/ontology#contentHash> "
          "?h } }")
VARIANTS = {
    "100_depeche.txt": "Dépêche : Mistral AI accélère\n\nArthur Mensch, PDG de Mistral AI, a déclaré que « l’Europe "
                       "doit accélérer ». Clément Delangue, le PDG de Hugging Face, a salué l’annonce.\n",
    "101_fondateurs.txt": "\n\n".join(reversed((SAMPLE / "003_6044967c27cf0e61.txt").read_text(encoding="utf-8")
                                              .split("\n\n"))),
    "102_altman.txt": "Sam Altman, le PDG d'OpenAI, estime que GPT-5 arrivera bientôt.\r\nSelon Les Echos, "
                      "Thomas Wolf, cofondateur de Hugging Face, aurait critiqué cette annonce.\r\n",
}

pytestmark = pytest.mark.model


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for article in SAMPLE.glob("*.txt"):
        shutil.copy(article, folder / article.name)
    for name, text in VARIANTS.items():
        (folder / name).write_bytes(text.encode("utf-8"))
    return folder


def build(corpus: Path, store: Path, kill_at: str | None = None, small_units: bool = True) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_TEST_")}
    if kill_at:
        env["KG_TEST_KILL_AT"] = kill_at
    launcher = ["-c", SMALL_UNITS] if small_units else ["-m", "kg.cli"]
    return subprocess.Popen([sys.executable, *launcher, "build", str(corpus), "--store", str(store)], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def killed_at(corpus: Path, store: Path, point: str) -> None:
    code, out, err = finish(build(corpus, store, point))
    assert code == KILLED and f"SIGKILL at {point}" in err, (code, out, err)


def completed(corpus: Path, store: Path, small_units: bool = True) -> str:
    code, out, err = finish(build(corpus, store, small_units=small_units))
    assert code == 0, (out, err)
    return out.strip()


def facts(store: Path) -> Graph:
    """What readers see, without the runs graph (start times differ between runs by design)."""
    g = Graph()
    with open_store(store, read_only=True) as opened:
        runs = str(opened.iris.graph("runs"))
        nt = [f"{q.subject} {q.predicate} {q.object} ." for q in opened.quads()
              if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == runs)]
    g.parse(data="\n".join(nt), format="nt")
    return g


def diff(a: Graph, b: Graph) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return "\n".join([f"- {t}" for t in sorted(only_a)][:10] + [f"+ {t}" for t in sorted(only_b)][:10])


def seen_by_readers(store: Path) -> dict[str, object]:
    """Open the store as every reader does, query it, and say what was read."""
    with open_store(store, read_only=True) as opened:
        docs = int(next(iter(opened.query(DOCS)))["n"].value)
        hashed = int(next(iter(opened.query(HASHED)))["n"].value)
        snapshot = opened.snapshot.id if opened.snapshot else None
    return {"docs": docs, "hashed": hashed, "snapshot": snapshot,
            "pending": (store / PENDING_FILE).exists(), "stale": (store / STALE_FILE).exists()}


def snapshot_entries(store: Path) -> list[str]:
    folder = store / SNAPSHOTS_DIR
    return sorted(e.name for e in folder.iterdir()) if folder.exists() else []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("crash") / "corpus")


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """The uninterrupted build (the real `kg build`, default sizes), started at once, waited for when needed."""
    store = tmp_path_factory.mktemp("reference") / "store"
    proc = build(corpus, store, small_units=False)
    done: dict[str, Path] = {}

    def get() -> Path:
        if not done:
            code, out, err = finish(proc)
            assert code == 0 and "8 analysed" in out, (out, err)
            done["store"] = store
        return store

    yield get
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_killed_at_each_step_then_rerun_gives_the_uninterrupted_graph(corpus, reference, tmp_path):
    store = tmp_path / "store"
    # 1. Two new articles written, the third not: no build has finished, so readers read the store itself.
    killed_at(corpus, store, "load_shards:3")
    assert seen_by_readers(store) == {"docs": 2, "hashed": 2, "snapshot": None, "pending": True, "stale": True}

    # 2. Same command: recovery, the other six articles, then killed between two consolidation batches
    #    (recovery is consolidation 1, the first batch 2).
    killed_at(corpus, store, "consolidate_entities:3")
    assert seen_by_readers(store) == {"docs": 8, "hashed": 8, "snapshot": None, "pending": True, "stale": True}

    # 3. Same command: recovery, nothing to analyse, killed publishing (after the backup, before its rename).
    killed_at(corpus, store, "snapshot:backup")
    assert seen_by_readers(store) == {"docs": 8, "hashed": 8, "snapshot": None, "pending": False, "stale": True}
    assert any(name.startswith(".tmp-") for name in snapshot_entries(store))

    # 4. Killed after the snapshot is in place, before the pointer to it: readers cannot see it yet.
    killed_at(corpus, store, "snapshot:rename")
    assert seen_by_readers(store)["snapshot"] is None and "CURRENT" not in snapshot_entries(store)

    # 5. Killed just after the pointer moved: readers read the new snapshot, which is the whole build.
    killed_at(corpus, store, "snapshot:current")
    seen = seen_by_readers(store)
    assert seen["snapshot"] == current_snapshot(store).id and seen["docs"] == 8 and seen["stale"]
    expected = facts(reference())
    got = facts(store)
    assert isomorphic(got, expected), diff(got, expected)

    # 6. Same command, uninterrupted: nothing left to analyse; a snapshot again, the leftovers gone.
    assert completed(corpus, store).endswith("0 analysed, 8 unchanged, 0 skipped")
    current = current_snapshot(store)
    assert snapshot_entries(store) == sorted([current.id, f"{current.id}.lock", "CURRENT"])
    assert seen_by_readers(store) == {"docs": 8, "hashed": 8, "snapshot": current.id, "pending": False,
                                      "stale": False}
    got = facts(store)
    assert isomorphic(got, expected), diff(got, expected)


def test_killed_update_leaves_readers_the_last_build(corpus, reference, tmp_path):
    """A changed article replaced, then killed before consolidation: readers still see the previous build."""
    folder = shutil.copytree(corpus, tmp_path / "corpus")
    store = shutil.copytree(reference(), tmp_path / "store", ignore=shutil.ignore_patterns("newskg.lock"))
    previous = facts(store)
    changed = Path(folder) / "102_altman.txt"
    changed.write_text("Arthur Mensch, PDG de Mistral AI, a salué la décision.\n", encoding="utf-8")
    # the uninterrupted update, meanwhile, on another copy
    uninterrupted = shutil.copytree(reference(), tmp_path / "uninterrupted",
                                    ignore=shutil.ignore_patterns("newskg.lock"))
    proc = build(Path(folder), uninterrupted, small_units=False)

    killed_at(Path(folder), store, "consolidate_entities:1")  # the article's transaction is done
    with open_store(store, read_only=True) as opened:
        assert opened.snapshot is not None
    got = facts(store)
    assert isomorphic(got, previous), diff(got, previous)  # not a triple of the half-done update

    killed_at(Path(folder), store, "snapshot:rename")  # recovered and consolidated, publication killed
    got = facts(store)
    assert isomorphic(got, previous), diff(got, previous)

    assert completed(Path(folder), store).endswith("0 analysed, 8 unchanged, 0 skipped")
    code, out, err = finish(proc)
    assert code == 0 and "1 analysed, 7 unchanged" in out, (out, err)
    got, expected = facts(store), facts(uninterrupted)
    assert not isomorphic(expected, previous)
    assert isomorphic(got, expected), diff(got, expected)


def test_killed_from_outside_at_a_random_moment(corpus, reference, tmp_path):
    """SIGKILL from another process while the build writes (mid-transaction or mid-bulk-load is fine)."""
    seed = int(os.environ.get("KG_CRASH_SEED", time.time_ns() % 1_000_000))
    delay = random.Random(seed).uniform(0.0, 1.5)
    store = tmp_path / "store"
    proc = build(corpus, store)
    deadline = time.monotonic() + 120
    database = store / "CURRENT"  # RocksDB's: the database exists, the model is loading or running
    while not (store / PENDING_FILE).exists() or not database.exists():
        assert proc.poll() is None and time.monotonic() < deadline, finish(proc)
        time.sleep(0.01)
    while proc.poll() is None and time.monotonic() < deadline and len(list(store.glob("*.sst"))) == 0:
        time.sleep(0.01)  # the first article reached the disk
    time.sleep(delay)
    proc.kill()
    code, _, err = finish(proc)
    seen = seen_by_readers(store)
    print(f"external SIGKILL (seed {seed}, {delay:.2f} s after the first write): exit {code}, readers saw {seen}")
    assert code in (KILLED, 0), err
    summary = completed(corpus, store)
    got, expected = facts(store), facts(reference())
    assert isomorphic(got, expected), f"seed {seed}: {summary}\n{diff(got, expected)}"


def test_export_killed_while_writing_leaves_no_half_file(tiny_store_path, tmp_path):
    """SIGKILL runs no clean-up at all: the target is still the previous file (or absent)."""
    kill_mid_write = (
        "import importlib, os, signal, sys\n"
        "e = importlib.import_module('kg.export')  # not `import kg.export as e`: kg.export is the function\n"
        "def dying(store, sink):\n"
        "    sink.write(b'<https://example.org/half> <https://example.org/written> \"' + b'x' * 100000)\n"
        "    sink.flush(); os.fsync(sink.fileno())\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "e.WRITERS['ntriples'] = dying\n"
        "from kg.cli import main\n"
        "sys.exit(main(sys.argv[1:]))")
    previous = tmp_path / "previous.nt"
    previous.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    for target in (tmp_path / "new.nt", previous):
        before = target.read_bytes() if target.exists() else None
        done = subprocess.run([sys.executable, "-c", kill_mid_write, "export", "--format", "ntriples", "-o",
                               str(target), "--store", str(tiny_store_path)], cwd=ROOT, capture_output=True)
        assert done.returncode == KILLED
        assert (target.read_bytes() if target.exists() else None) == before
    # what a kill leaves is a hidden temporary file, never the target's name
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("previous.nt",))
    assert len(leftovers) == 2 and all(n.startswith((".new.nt.", ".previous.nt.")) and n.endswith(".part")
                                       for n in leftovers), leftovers

