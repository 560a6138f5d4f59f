"""The store directory: format version, folders that are not stores, snapshots and the lock protocol
between one writer and any number of readers (see the documentation of :mod:`kg.store`).

Everything here uses the hand-made tiny store (no model): milliseconds per test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import kg

from kg.errors import StoreError, StoreLockedError
from kg.store import (
    FORMAT_VERSION,
    LOCK_FILE,
    META_FILE,
    PENDING_FILE,
    SNAPSHOTS_DIR,
    STALE_FILE,
    current_snapshot,
    open_store,
    snapshots,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://schema.org/NewsArticle> }"
EXTRA = "INSERT DATA { GRAPH <https://example.org/extra> { <https://example.org/s> <https://example.org/p> 'x' } }"


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    return lines[0]


def count(store) -> int:  # type: ignore[no-untyped-def]
    return int(next(iter(store.query(DOCS)))["n"].value)


def write_extra(writer) -> None:  # type: ignore[no-untyped-def]
    """A write through the API: any write operation marks the snapshot stale first."""
    writer._require_writable()
    writer.ox.update(EXTRA)


def snapshot_ids(path: Path) -> list[str]:
    return sorted(e.name for e in (path / SNAPSHOTS_DIR).iterdir() if e.name.isdigit())


# -- format version and folders that are not stores ------------------------------------------

@pytest.mark.parametrize(("version", "says"), [
    (FORMAT_VERSION + 1, "written by a newer newskg (this one reads format 1); upgrade newskg"),
    (0, "written by an older newskg (this one reads format 1); rebuild it from the articles"),
    (None, "store format None was written by an older newskg"),
])
def test_other_format_version_says_what_to_do(tiny_store_copy, version, says):
    meta = json.loads((tiny_store_copy / META_FILE).read_text())
    meta["format_version"] = version
    (tiny_store_copy / META_FILE).write_text(json.dumps(meta))
    for read_only in (True, False):
        with pytest.raises(StoreError, match=re.escape(says)):
            open_store(tiny_store_copy, read_only=read_only)
    line = one_line(kg("stats", "--store", tiny_store_copy))
    assert says in line and "kg build ARTICLES --store NEW_PATH" in line
    assert "kg build" in one_line(kg("build", ROOT / "data" / "sample", "--store", tiny_store_copy))


def test_unreadable_metadata(tiny_store_copy):
    (tiny_store_copy / META_FILE).write_text("{not json")
    assert "unreadable store metadata" in one_line(kg("query", "roles", "--store", tiny_store_copy))
    (tiny_store_copy / META_FILE).write_text("[1]")
    with pytest.raises(StoreError, match="unreadable store metadata: not a JSON object"):
        open_store(tiny_store_copy)


def test_folder_that_is_not_a_store_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    line = one_line(kg("stats", "--store", folder))
    assert "not a newskg store (no newskg.json)" in line
    line = one_line(kg("build", ROOT / "data" / "sample", "--store", folder))  # refused before the model loads
    assert "not a newskg store" in line and "'notes.txt'" in line and "new or empty folder" in line
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]  # nothing written into it


def test_plain_oxigraph_database_is_not_taken_for_a_store(tmp_path):
    ox.Store(str(tmp_path / "db")).flush()
    with pytest.raises(StoreError, match="an Oxigraph database without newskg metadata"):
        open_store(tmp_path / "db")
    with pytest.raises(StoreError, match="not a newskg store"):
        open_store(tmp_path / "db", read_only=True)


def test_a_file_is_not_a_store(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="not a folder"):
        open_store(tmp_path / "file")


def test_folder_with_only_decisions_becomes_a_store(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "decisions.csv").write_text("action,name,target\n")  # `kg decide` before the first build
    (folder / ".DS_Store").write_bytes(b"")
    with open_store(folder) as writer:
        assert not writer.read_only
    assert json.loads((folder / META_FILE).read_text())["format_version"] == FORMAT_VERSION


def test_metadata_is_written_before_the_database(tmp_path, monkeypatch):
    """A writer killed while creating the store never leaves database files without newskg.json."""
    seen = []
    real = ox.Store

    def store(path=None):  # type: ignore[no-untyped-def]
        seen.append((Path(path) / META_FILE).exists())
        return real(path)

    monkeypatch.setattr(ox, "Store", store)
    open_store(tmp_path / "new").close()
    assert seen == [True]


# -- the writer lock ---------------------------------------------------------------------------

def test_second_writer_is_told_the_pid_and_the_lock_file_stays(tiny_store_copy):
    with open_store(tiny_store_copy), pytest.raises(StoreLockedError,
                                                    match=f"store is in use by process {os.getpid()}$"):
        open_store(tiny_store_copy)
    # never unlinked: a deleted lock file lets two processes lock two files of the same name
    assert (tiny_store_copy / LOCK_FILE).read_text() == ""
    with open_store(tiny_store_copy) as again:
        assert (tiny_store_copy / LOCK_FILE).read_text() == str(os.getpid()) and not again.read_only


# -- snapshots ---------------------------------------------------------------------------------

def test_readers_read_the_current_snapshot(tiny_store_path):
    snap = current_snapshot(tiny_store_path)
    assert snap is not None and snap.path.is_dir()
    with open_store(tiny_store_path, read_only=True) as reader:
        assert reader.snapshot == snap and reader.location == snap.path and reader.path == tiny_store_path
        assert count(reader) == 2


def test_writes_are_published_on_close_and_old_snapshots_deleted(tiny_store_copy):
    before = snapshot_ids(tiny_store_copy)
    with open_store(tiny_store_copy) as writer:
        write_extra(writer)
        assert (tiny_store_copy / STALE_FILE).exists()
        with open_store(tiny_store_copy, read_only=True) as reader:  # during the write: the last snapshot
            assert reader.snapshot.id == before[-1]
            assert not reader.query("ASK { <https://example.org/s> ?p ?o }")
    assert not (tiny_store_copy / STALE_FILE).exists()
    after = snapshot_ids(tiny_store_copy)
    assert len(after) == 1 and int(after[0]) > int(before[-1])
    with open_store(tiny_store_copy, read_only=True) as reader:
        assert reader.query("ASK { <https://example.org/s> ?p ?o }")


def test_a_writer_that_wrote_nothing_publishes_nothing(tiny_store_copy):
    before = current_snapshot(tiny_store_copy)
    with open_store(tiny_store_copy):
        pass
    assert current_snapshot(tiny_store_copy) == before


def test_a_held_snapshot_is_kept_until_its_reader_is_done(tiny_store_copy):
    reader = open_store(tiny_store_copy, read_only=True)
    held = reader.snapshot.id
    with open_store(tiny_store_copy) as writer:  # a reader never keeps a writer out
        write_extra(writer)
        writer.publish_snapshot()
        write_extra(writer)
    assert held in snapshot_ids(tiny_store_copy) and len(snapshot_ids(tiny_store_copy)) == 2
    assert count(reader) == 2 and not reader.query("ASK { <https://example.org/s> ?p ?o }")  # still its own view
    reader.close()
    with open_store(tiny_store_copy):  # any writer removes what nobody holds any more
        pass
    assert snapshot_ids(tiny_store_copy) == [current_snapshot(tiny_store_copy).id]
    assert [e.name for e in (tiny_store_copy / SNAPSHOTS_DIR).iterdir() if e.name.endswith(".lock")] == [
        f"{current_snapshot(tiny_store_copy).id}.lock"]


def test_snapshot_ids_only_grow_and_leftovers_of_a_killed_publication_go(tiny_store_copy):
    folder = tiny_store_copy / SNAPSHOTS_DIR
    current = current_snapshot(tiny_store_copy)
    (folder / ".tmp-00000041").mkdir()  # killed during backup
    (folder / ".trash-00000002").mkdir()  # killed while deleting
    shutil.copytree(current.path, folder / "00000040")  # killed after the rename, before the pointer
    with open_store(tiny_store_copy) as writer:
        snap = writer.publish_snapshot()
    assert snap.id == "00000042"
    assert sorted(e.name for e in folder.iterdir()) == ["00000042", "00000042.lock", "CURRENT"]


def test_publication_waits_for_consolidation(tiny_store_copy):
    with open_store(tiny_store_copy) as writer:
        writer.begin_updates()
        with pytest.raises(StoreError, match="pending"):
            writer.publish_snapshot()
        before = current_snapshot(tiny_store_copy)
    assert current_snapshot(tiny_store_copy) == before  # close() does not publish a half-consolidated store
    assert (tiny_store_copy / PENDING_FILE).exists() and (tiny_store_copy / STALE_FILE).exists()


def test_pointer_to_a_deleted_snapshot_falls_back_to_the_store(tiny_store_copy):
    shutil.rmtree(current_snapshot(tiny_store_copy).path)
    with open_store(tiny_store_copy, read_only=True) as reader:
        assert reader.snapshot is None and reader.location == tiny_store_copy and count(reader) == 2
    with open_store(tiny_store_copy):
        pass  # repaired: the pointer named nothing
    with open_store(tiny_store_copy, read_only=True) as reader:
        assert reader.snapshot is not None and count(reader) == 2


# -- stores without a snapshot (older stores; a first build not finished) -----------------------

@pytest.fixture
def no_snapshot(tiny_store_copy) -> Path:
    shutil.rmtree(tiny_store_copy / SNAPSHOTS_DIR)
    return tiny_store_copy


def test_store_of_an_older_version_opens_and_gets_a_snapshot(no_snapshot):
    with open_store(no_snapshot, read_only=True) as reader:
        assert reader.snapshot is None and reader.location == no_snapshot and count(reader) == 2
    with open_store(no_snapshot):  # no format bump: the first writer publishes one
        pass
    with open_store(no_snapshot, read_only=True) as reader:
        assert reader.snapshot is not None and count(reader) == 2


def test_no_snapshot_and_a_writer_is_one_clear_line(no_snapshot):
    with open_store(no_snapshot):
        with pytest.raises(StoreLockedError, match=f"being written by process {os.getpid()} and has no "
                                                   "finished build to read yet; try again when it finishes"):
            open_store(no_snapshot, read_only=True)
        line = one_line(kg("stats", "--store", no_snapshot))
        assert line.startswith("kg stats: error: ") and f"being written by process {os.getpid()}" in line


def test_a_reader_of_the_store_itself_keeps_writers_out(no_snapshot, monkeypatch):
    monkeypatch.setattr(snapshots, "READER_WAIT", 0.3)
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from kg.store import open_store; "
                               "s = open_store(sys.argv[1], read_only=True); print(s.snapshot, flush=True); "
                               "time.sleep(60)", str(no_snapshot)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert reader.stdout.readline().strip() == "None"  # type: ignore[union-attr]
        started = time.monotonic()
        with pytest.raises(StoreLockedError, match=f"store is being read by process {reader.pid} "
                                                   r"\(no snapshot yet\); try again when it finishes"):
            open_store(no_snapshot)
        assert time.monotonic() - started < 5
    finally:
        reader.kill()
        reader.wait()
    with open_store(no_snapshot) as writer:  # the reader is gone: the writer goes ahead
        assert not writer.read_only


def test_a_short_reader_only_delays_a_writer(no_snapshot):
    reader = open_store(no_snapshot, read_only=True)
    release = time.monotonic() + 0.5

    def close_soon() -> None:
        time.sleep(max(0.0, release - time.monotonic()))
        reader.close()

    import threading

    threading.Thread(target=close_soon).start()
    with open_store(no_snapshot) as writer:
        assert time.monotonic() >= release and not writer.read_only


# -- recovery ------------------------------------------------------------------------------------

def test_recomputing_all_entities_gives_what_the_increments_gave(tiny_store_copy):
    """What recovery after a killed build does (all entities at once) equals the builds' increments:
    descriptions of entities only, not of the run or the software agent (which have labels too)."""
    def entities_graph(writer) -> set[str]:  # type: ignore[no-untyped-def]
        graph = ox.NamedNode(str(writer.iris.graph("entities")))
        return {str(q) for q in writer.ox.quads_for_pattern(None, None, None, graph)}

    with open_store(tiny_store_copy) as writer:
        incremental = entities_graph(writer)
        writer.begin_updates()
        assert writer.recover() and not (tiny_store_copy / PENDING_FILE).exists()
        assert entities_graph(writer) == incremental


def test_snapshot_copied_without_its_lock_file_is_still_read(tiny_store_copy):
    snap = current_snapshot(tiny_store_copy)
    (tiny_store_copy / SNAPSHOTS_DIR / f"{snap.id}.lock").unlink()
    with open_store(tiny_store_copy, read_only=True) as reader:
        assert reader.snapshot == snap and count(reader) == 2


def test_compaction_keeps_every_quad_and_readers_see_them(tiny_store_copy):
    """What `kg build` does after a large build: the same quads before and after, published."""
    with open_store(tiny_store_copy) as writer:
        before = {str(q) for q in writer.ox.quads_for_pattern(None, None, None, None)}
        writer.ox.update(EXTRA)
        writer.compact()
        after = {str(q) for q in writer.ox.quads_for_pattern(None, None, None, None)}
    assert len(after) == len(before) + 1 and before < after
    with open_store(tiny_store_copy, read_only=True) as reader:
        assert {str(q) for q in reader.ox.quads_for_pattern(None, None, None, None)} == after


def test_a_read_only_store_cannot_be_compacted(tiny_store_path):
    with open_store(tiny_store_path, read_only=True) as reader, pytest.raises(StoreError, match="read-only"):
        reader.compact()
