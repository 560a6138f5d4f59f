"""The embedded store: Oxigraph on disk, one named graph per article (:mod:`kg.store.store`),
its snapshots and locks (:mod:`kg.store.snapshots`), its export texts (:mod:`kg.store.texts`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.store.snapshots import (
    LOCK_FILE,
    SNAPSHOTS_DIR,
    STALE_FILE,
    Snapshot,
    current_snapshot,
    fault_point,
)
from kg.store.store import FORMAT_VERSION, META_FILE, PENDING_FILE, Store, open_store, select

if TYPE_CHECKING:
    from kg.consolidate import canonical_name as canonical_name


def __getattr__(name: str) -> Any:
    # ``canonical_name`` moved to kg.consolidate; this keeps ``from kg.store import canonical_name``
    # working. Imported on demand: kg.consolidate itself imports kg.store.store.
    if name == "canonical_name":
        from kg.consolidate import canonical_name

        return canonical_name
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FORMAT_VERSION", "LOCK_FILE", "META_FILE", "PENDING_FILE", "SNAPSHOTS_DIR", "STALE_FILE", "Snapshot",
           "Store", "current_snapshot", "fault_point", "open_store", "select"]
