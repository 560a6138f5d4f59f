"""Snapshots for readers, and the locks that keep readers and the writer apart.

RocksDB does not support reading a database read-only while another process writes
it ("undefined behaviour"), so readers never open the primary while a writer may
run. Instead, a writer that leaves the store consistent (every finished build, and
:meth:`Store.close` after writes) *publishes a snapshot*: ``Store.backup`` into
``snapshots/.tmp-<id>`` (hard links to RocksDB's immutable files: cheap), renamed
to ``snapshots/<id>`` (ids increase and are never reused), then the pointer
``snapshots/CURRENT`` is replaced atomically (temporary file + ``os.replace``).
Only then are older snapshots deleted, and only those no reader holds.

The lock protocol (``flock``; the kernel drops the locks of a dead process, so a
killed process never leaves a store locked; nobody waits for a lock except a reader
for the moment a writer takes to delete the very snapshot it was about to read):

* **Writer**: exclusive lock on ``newskg.lock``. One writer at a time; a second gets
  "store is in use by process N".
* **Reader, when there is a snapshot** (the normal case): reads ``CURRENT``, takes a
  *shared* lock on ``snapshots/<id>.lock``, checks that ``snapshots/<id>`` still
  exists (else reads ``CURRENT`` again) and opens that copy read-only. It never
  touches ``newskg.lock``, so readers never delay or refuse a build, and a build
  never changes a file a reader reads: readers see the last finished build.
* **Writer deleting an old snapshot**: exclusive lock on its ``.lock`` without
  waiting; if a reader holds it, the snapshot stays (the next publication tries
  again). Otherwise it renames the folder away (readers check for the folder only
  after locking, so they see a whole snapshot or none) and then removes it.
* **Reader, when there is no snapshot yet** (a store written before snapshots
  existed, or whose first build has not finished): it takes a *shared* lock on
  ``newskg.lock`` itself, so no writer can start while it reads the primary. If a
  writer holds the lock, the reader says "store is being written by process N and
  has no finished build to read yet". A writer that finds only readers holding the
  lock waits up to :data:`READER_WAIT` seconds (short readers finish), then says
  "store is being read by process N (no snapshot yet)". Once a build has finished
  there is a snapshot, so this wait happens at most once in a store's life.

Why this design: reading the primary while no writer runs, under a shared lock that
writers respect, would be fresher, but then any long reader (``kg serve``, a notebook)
keeps every build out, and a reader would see a killed build's half-written state.
RocksDB's secondary instances (which follow a writer) are not available through
pyoxigraph. A snapshot costs hard links and, while read, the disk space of the files
the primary has since compacted away; in exchange readers and writers never wait for
each other and readers only ever see finished builds. Optional snapshots did not need
a new format version: a store without one is read as before until its next writer.

Crashes: every step above is atomic or repeatable. A writer killed mid-publication
leaves either the old ``CURRENT`` (and ``snapshot.stale``, so the next writer
publishes again, even when it has nothing else to do) or the new one; leftover
temporary folders and unreferenced snapshots are removed by the next publication.

Test-only fault injection: with ``KG_TEST_KILL_AT=<point>:<n>`` in the environment,
the process sends itself ``SIGKILL`` (or ``$KG_TEST_KILL_SIGNAL``, e.g. ``SIGSTOP``)
the n-th time it reaches ``<point>`` (see :func:`fault_point`): before each write
operation (``load_article``, ``load_shards``, ``replace_article``,
``consolidate_entities``, ...), and at ``snapshot:backup``, ``snapshot:rename`` and
``snapshot:current`` during publication (``tests/test_crash.py``); inert when unset.
One article failing at one build stage, or killing its worker: ``KG_TEST_FAULT`` (:mod:`kg.faults`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError, StoreLockedError
from kg.files import write_atomically

LOCK_FILE = "newskg.lock"
STALE_FILE = "snapshot.stale"
SNAPSHOTS_DIR = "snapshots"
POINTER_FILE = "CURRENT"  # in SNAPSHOTS_DIR: which snapshot readers read
EXPORT_TEXTS_DIR = "export-texts"  # the export texts' database (in the store and in each snapshot)
READER_WAIT = 2.0  # seconds a starting writer waits for readers of a store without snapshot


@dataclass(frozen=True)
class Snapshot:
    """A published, read-only copy of the store as a finished build left it."""

    id: str
    created: str  # ISO 8601, UTC
    path: Path


def publish(path: Path, db: ox.Store, texts: ox.Store | None) -> Snapshot:
    """Publish the store at ``path`` (its database ``db``, its export texts ``texts``) as it
    is now for readers (see the module documentation); returns the new current snapshot.
    The caller checks that the store is consistent."""
    folder = path / SNAPSHOTS_DIR
    try:
        folder.mkdir(exist_ok=True)
        current = current_snapshot(path)
        used = [int(e.name) for e in folder.iterdir() if e.name.isdigit()]
        used += [int(e.name.split("-")[-1]) for e in folder.iterdir()
                 if e.name.startswith((".tmp-", ".trash-")) and e.name.split("-")[-1].isdigit()]
        if current is not None and current.id.isdigit():
            used.append(int(current.id))
        new_id = f"{max(used, default=0) + 1:08d}"
        tmp = folder / f".tmp-{new_id}"
        db.flush()
        db.backup(str(tmp))
        if texts is not None:
            texts.flush()
            texts.backup(str(tmp / EXPORT_TEXTS_DIR))
        fault_point("snapshot:backup")
        (folder / f"{new_id}.lock").touch()
        os.rename(tmp, folder / new_id)
        fault_point("snapshot:rename")
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        write_atomically(folder / POINTER_FILE, json.dumps({"id": new_id, "created": created}) + "\n")
        fault_point("snapshot:current")
        with suppress(FileNotFoundError):
            (path / STALE_FILE).unlink()
        delete_old_snapshots(path, new_id)
    except OSError as exc:
        raise StoreError(f"{path}: cannot publish a snapshot for readers: {exc}") from exc
    return Snapshot(new_id, created, folder / new_id)



def delete_old_snapshots(path: Path, keep: str) -> None:
    """Remove leftovers and every snapshot but ``keep`` that no reader holds (writer only)."""
    import fcntl

    folder = path / SNAPSHOTS_DIR
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith((".tmp-", ".trash-")):  # left by a killed writer; only writers make them
            shutil.rmtree(entry, ignore_errors=True)
            continue
        snap_id = name.removesuffix(".lock")
        if not snap_id.isdigit() or snap_id == keep or (name.endswith(".lock") and (folder / snap_id).exists()):
            continue
        lock = folder / f"{snap_id}.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # a reader is reading it: next time
        try:
            trash = folder / f".trash-{snap_id}"
            if (folder / snap_id).exists():
                os.rename(folder / snap_id, trash)  # atomically gone for readers
            lock.unlink()  # a reader that opened it before finds no snapshot, and retries
        finally:
            os.close(fd)
        shutil.rmtree(trash, ignore_errors=True)


def current_snapshot(path: str | os.PathLike[str]) -> Snapshot | None:
    """The snapshot readers of the store at ``path`` read now (None when there is none)."""
    folder = Path(path) / SNAPSHOTS_DIR
    try:
        pointer = json.loads((folder / POINTER_FILE).read_text(encoding="utf-8"))
        snap_id, created = str(pointer["id"]), str(pointer.get("created", ""))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not snap_id.isdigit():
        return None
    return Snapshot(snap_id, created, folder / snap_id)


def open_for_reading(path: Path) -> tuple[ox.Store, int | None, Snapshot | None]:
    """The current snapshot, read-only and held; or the store itself when it has none yet:
    ``(database, the lock's file descriptor to keep open while reading, snapshot)``."""
    for _ in range(100):  # each retry means a writer published meanwhile: that is quick
        snap = current_snapshot(path)
        if snap is not None:
            opened = _open_snapshot(path, snap)
            if opened is not None:
                return opened[0], opened[1], snap
            if current_snapshot(path) != snap:
                continue  # replaced and deleted meanwhile: read the new pointer
            # the pointer names a snapshot that is gone (deleted by hand): as if there were none
        fd, writer = _lock_primary_for_reading(path)
        if current_snapshot(path) not in (None, snap):  # a writer published meanwhile
            if fd is not None:
                os.close(fd)
            continue
        if writer is not None:
            raise StoreLockedError(f"{path}: store is being written by process {writer} and has no finished "
                                   "build to read yet; try again when it finishes")
        try:
            oxstore = ox.Store.read_only(str(path))
        except OSError as exc:
            if fd is not None:
                os.close(fd)
            raise StoreError(f"{path}: cannot open store: {exc}") from exc
        return oxstore, fd, None
    raise StoreError(f"{path}: cannot open store: its snapshot keeps changing")


def _open_snapshot(path: Path, snap: Snapshot) -> tuple[ox.Store, int] | None:
    """``snap`` opened read-only under a shared lock; None if it was deleted meanwhile."""
    import fcntl

    lock = path / SNAPSHOTS_DIR / f"{snap.id}.lock"
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        if not snap.path.is_dir():
            return None
        try:  # a snapshot copied without its lock file: make one (the check below still holds)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None
    fcntl.flock(fd, fcntl.LOCK_SH)  # a writer holds it exclusively only while deleting it: briefly
    if not snap.path.is_dir():  # deleted before we locked (renamed away atomically: whole or gone)
        os.close(fd)
        return None
    try:
        oxstore = ox.Store.read_only(str(snap.path))
    except OSError as exc:
        os.close(fd)
        raise StoreError(f"{path}: cannot open snapshot {snap.id}: {exc}") from exc
    return oxstore, fd


def _lock_primary_for_reading(path: Path) -> tuple[int | None, str | None]:
    """A shared lock on the writer's lock file, so that no writer starts while it is held:
    ``(fd, None)``; or ``(None, pid)`` when a writer holds it."""
    import fcntl

    lock_path = path / LOCK_FILE
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except FileNotFoundError:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None, None  # a folder we may not write to: read without a lock
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _pid_in(fd)
        os.close(fd)
        return None, holder
    return fd, None


def lock_for_writing(path: Path) -> int:
    """The writer's exclusive lock on ``newskg.lock`` (which then holds the writer's pid).

    The file is never deleted: deleting a lock file lets two processes lock two different
    files of the same name. A writer that finds only readers holding the lock (readers of
    a store without snapshot) waits up to :data:`READER_WAIT` seconds for them.
    """
    import fcntl

    lock_path = path / LOCK_FILE
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + READER_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            pass
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # succeeds only when no writer holds it
        except BlockingIOError:
            holder = _pid_in(fd)
            os.close(fd)
            raise StoreLockedError(f"{path}: store is in use by process {holder}") from None
        fcntl.flock(fd, fcntl.LOCK_UN)
        if time.monotonic() > deadline:
            readers = [pid for pid in _flock_holders(lock_path, "READ") if pid != os.getpid()]
            os.close(fd)
            who = (f"process {readers[0]}" if len(readers) == 1 else
                   f"processes {', '.join(map(str, readers))}" if readers else "another process")
            raise StoreLockedError(f"{path}: store is being read by {who} (no snapshot yet); "
                                   "try again when it finishes") from None
        time.sleep(0.05)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _pid_in(fd: int) -> str:
    """The pid a writer wrote in its lock file ("?" if it has not written it yet)."""
    for _ in range(10):
        with suppress(OSError):
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            if text:
                return text
        time.sleep(0.02)
    return "?"


def _flock_holders(lock_path: Path, kind: str) -> list[int]:
    """Pids holding a ``flock`` of ``kind`` (READ or WRITE) on the file (Linux; [] elsewhere)."""
    try:
        inode = lock_path.stat().st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    pids = []
    for line in lines:
        fields = line.split()
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK" or fields[3] != kind:
            continue
        with suppress(ValueError):
            if int(fields[5].rsplit(":", 1)[1]) == inode:
                pids.append(int(fields[4]))
    return sorted(set(pids))


_FAULT_COUNTS: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Test-only fault injection: with ``KG_TEST_KILL_AT=name:n`` (or just ``name`` for n = 1)
    in the environment, the n-th time this process gets here it sends itself ``SIGKILL``
    (or ``$KG_TEST_KILL_SIGNAL``). Nothing happens without the variable."""
    wanted = os.environ.get("KG_TEST_KILL_AT")
    if not wanted:
        return
    count = _FAULT_COUNTS[name] = _FAULT_COUNTS.get(name, 0) + 1
    if wanted == f"{name}:{count}" or (wanted == name and count == 1):
        sig = os.environ.get("KG_TEST_KILL_SIGNAL", "SIGKILL")
        print(f"kg: test fault injection: {sig} at {name}:{count}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), getattr(signal, sig))


