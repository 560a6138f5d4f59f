"""A user's decisions about entities, applied on every build of a store.

``<store>/decisions.csv`` (and any ``--decisions FILE``) holds one decision a row::

    action,name,target
    merge,Delangue,Clément Delangue      # "Delangue" is the same entity as "Clément Delangue"
    split,Wolf,Thomas Wolf               # never merge these two names
    type,DeepSeek,AIModel                # this name is of this type
    ignore,Silicon Carne,                # this name is not an entity

Decisions survive re-runs because they are data, not edits of the graph: every build
applies them, and an article whose text names a decided form is re-analysed when the
decisions change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError, StoreError
from kg.records import ENTITY_TYPE_NAMES

ACTIONS = ("merge", "split", "type", "ignore")
TYPES = ENTITY_TYPE_NAMES
STORE_FILE = "decisions.csv"
HEADER = ["action", "name", "target"]


@dataclass(frozen=True, order=True)
class Decision:
    action: str
    name: str
    target: str = ""

    def check(self, where: str) -> Decision:
        if self.action not in ACTIONS:
            raise InputError(where, f"unknown action {self.action!r}; use one of {', '.join(ACTIONS)}")
        if not self.name:
            raise InputError(where, "a decision needs a name")
        if self.action in ("merge", "split") and not self.target:
            raise InputError(where, f"{self.action} needs a second name")
        if self.action == "type" and self.target not in TYPES:
            raise InputError(where, f"type must be one of {', '.join(TYPES)}, not {self.target!r}")
        return self


@dataclass(frozen=True)
class Decisions:
    items: tuple[Decision, ...] = ()

    @property
    def ignored(self) -> frozenset[str]:
        return frozenset(d.name for d in self.items if d.action == "ignore")

    @property
    def types(self) -> dict[str, str]:
        return {d.name: d.target for d in self.items if d.action == "type"}

    @property
    def merges(self) -> dict[str, str]:
        """form -> the form it is the same entity as (chains followed)."""
        direct = {d.name: d.target for d in self.items if d.action == "merge"}
        resolved = {}
        for name in direct:
            seen, target = {name}, direct[name]
            while target in direct and target not in seen:
                seen.add(target)
                target = direct[target]
            resolved[name] = target
        return resolved

    @property
    def splits(self) -> frozenset[frozenset[str]]:
        return frozenset(frozenset((d.name, d.target)) for d in self.items if d.action == "split")

    def kept_apart(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.splits

    def relevant_digest(self, text: str) -> str:
        """A hash of the decisions that name a form occurring in ``text`` (empty when none)."""
        relevant = sorted(d for d in self.items if d.name in text or (d.target and d.target in text))
        if not relevant:
            return ""
        return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]

    def __bool__(self) -> bool:
        return bool(self.items)


def read_decisions(paths: Iterable[str | os.PathLike[str]]) -> Decisions:
    items: list[Decision] = []
    for item in paths:
        path = Path(item)
        if not path.exists():
            continue
        try:
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise InputError(str(path), f"cannot read decisions: {exc}") from None
        for number, row in enumerate(rows, start=1):
            if not row or row == HEADER or row[0].startswith("#"):
                continue
            cells = [c.strip() for c in row] + ["", ""]
            items.append(Decision(cells[0], cells[1], cells[2]).check(f"{path}:{number}"))
    # the last decision about a name (type, ignore) or a pair of names (merge or split) wins
    latest: dict[tuple, Decision] = {}
    for d in items:
        key = (d.action, d.name) if d.action in ("type", "ignore") else ("pair", *sorted((d.name, d.target)))
        latest.pop(key, None)
        latest[key] = d
    return Decisions(tuple(latest.values()))


def add_decision(store_path: Path, decision: Decision) -> Path:
    """Append one decision to the store's decision file (created with a header)."""
    decision.check("decision")
    if not store_path.exists():
        raise StoreError(f"{store_path}: no store here")
    path = store_path / STORE_FILE
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(HEADER)
        writer.writerow([decision.action, decision.name, decision.target])
    return path
