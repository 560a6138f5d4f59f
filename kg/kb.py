"""The curated knowledge base of the AI industry, and the lexicons the NLP stage uses.

The KB ships as CSV files in ``kg/data/kb/`` (organisations, models, people, and
names that are *not* entities here such as software libraries). Users extend it
with their own CSV files of the same columns (``kg build --kb my-entities.csv``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.errors import ModelError
from kg.records import ENTITY_TYPE_NAMES, EntityType, is_entity_type

DATA_DIR = Path(__file__).resolve().parent / "data"
KB_DIR = DATA_DIR / "kb"
KB_FILES = ("organizations.csv", "models.csv", "people.csv")
NOT_ENTITIES_FILE = "not_entities.csv"


@dataclass(frozen=True)
class KBEntry:
    id: str
    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    developer: str | None = None  # models: id of the organisation that built it
    organization: str | None = None  # people: id of their best-known organisation
    role: str | None = None
    wikidata: str | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[KBEntry, ...]
    not_entities: frozenset[str] = frozenset()
    by_id: dict[str, KBEntry] = field(default_factory=dict, compare=False, hash=False)
    by_form: dict[str, tuple[KBEntry, ...]] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_entries(cls, entries: Iterable[KBEntry], not_entities: Iterable[str] = ()) -> KnowledgeBase:
        merged: dict[tuple[str, str], KBEntry] = {}
        for entry in entries:  # later files override earlier ones (user KB over shipped KB)
            merged[(entry.type, entry.id)] = entry
        ordered = tuple(sorted(merged.values(), key=lambda e: (e.type, e.id)))
        by_form: dict[str, list[KBEntry]] = {}
        for entry in ordered:
            for form in entry.forms:
                by_form.setdefault(form, []).append(entry)
        return cls(
            entries=ordered,
            not_entities=frozenset(not_entities),
            by_id={f"{e.type}:{e.id}": e for e in ordered},
            by_form={k: tuple(v) for k, v in by_form.items()},
        )

    def get(self, kb_id: str) -> KBEntry | None:
        return self.by_id.get(kb_id)

    def lookup(self, form: str, etype: str | None = None) -> KBEntry | None:
        for entry in self.by_form.get(form, ()):
            if etype is None or entry.type == etype:
                return entry
        return None


def kb_id(entry: KBEntry) -> str:
    return f"{entry.type}:{entry.id}"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(a.strip() for a in (value or "").split("|") if a.strip())


def read_kb_csv(path: Path, default_type: str | None = None) -> list[KBEntry]:
    """Read one KB file; every row needs ``name`` and ``type`` (or a default type)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ModelError(f"{path}: cannot read knowledge base: {exc}") from exc
    entries = []
    for number, row in enumerate(rows, start=2):
        name = (row.get("name") or "").strip()
        etype = (row.get("type") or default_type or "").strip()
        if not name or not is_entity_type(etype):
            raise ModelError(f"{path}:{number}: a KB row needs a name and a type ({', '.join(ENTITY_TYPE_NAMES)})")
        entries.append(
            KBEntry(
                id=(row.get("id") or "").strip() or _slug(name),
                name=name,
                type=etype,
                aliases=tuple(a for a in _split(row.get("aliases")) if a != name),
                developer=(row.get("developer") or "").strip() or None,
                organization=(row.get("organization") or "").strip() or None,
                role=(row.get("role") or "").strip() or None,
                wikidata=(row.get("wikidata") or "").strip() or None,
            )
        )
    return entries


def _slug(name: str) -> str:
    from kg.vocab import slugify

    return slugify(name)


def read_not_entities(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with path.open(newline="", encoding="utf-8") as handle:
        return {form for row in csv.DictReader(handle) for form in ((row.get("name") or "").strip(),
                                                                    *_split(row.get("aliases"))) if form}


@cache
def _shipped() -> tuple[tuple[KBEntry, ...], frozenset[str]]:
    entries: list[KBEntry] = []
    for name in KB_FILES:
        path = KB_DIR / name
        if path.exists():
            entries.extend(read_kb_csv(path))
    return tuple(entries), frozenset(read_not_entities(KB_DIR / NOT_ENTITIES_FILE))


def load_kb(extra: Sequence[str | os.PathLike[str]] = ()) -> KnowledgeBase:
    """The shipped KB, extended (and overridden, entry by entry) by the user's files."""
    entries, not_entities = _shipped()
    user: list[KBEntry] = []
    for item in extra:
        path = Path(item)
        if not path.exists():
            raise ModelError(f"{path}: knowledge-base file not found")
        user.extend(read_kb_csv(path))
    return KnowledgeBase.from_entries([*entries, *user], not_entities)


def read_word_list(name: str) -> frozenset[str]:
    """A lexicon shipped in ``kg/data``: one entry a line, ``#`` starts a comment."""
    path = DATA_DIR / name
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line)
    return frozenset(words)
