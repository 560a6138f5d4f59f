"""The shipped knowledge base is consistent: ids, references between files, names."""

from __future__ import annotations

import csv
import re
from collections import Counter

from kg.kb import KB_DIR, KB_FILES, NOT_ENTITIES_FILE, load_kb, read_kb_csv, read_not_entities


def _rows(name: str) -> list[dict[str, str]]:
    with (KB_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_ids_are_unique_lowercase_slugs():
    for name in KB_FILES:
        ids = Counter(row["id"] for row in _rows(name))
        assert not [i for i, n in ids.items() if n > 1], name
        assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids), name


def test_developers_and_organizations_exist():
    orgs = {row["id"] for row in _rows("organizations.csv")}
    for entry in read_kb_csv(KB_DIR / "models.csv"):
        assert entry.developer is None or entry.developer in orgs, entry.id
    for entry in read_kb_csv(KB_DIR / "people.csv"):
        assert entry.organization is None or entry.organization in orgs, entry.id


def test_wikidata_is_left_empty():
    # identifiers are never filled in by hand: a wrong one is worse than none
    for name in KB_FILES:
        assert all(not (row.get("wikidata") or "").strip() for row in _rows(name)), name


def test_a_name_is_one_entity_per_type_and_never_also_a_non_entity():
    kb = load_kb()
    for form, entries in kb.by_form.items():
        types = Counter(e.type for e in entries)
        assert max(types.values()) == 1, (form, [e.id for e in entries])
    assert not read_not_entities(KB_DIR / NOT_ENTITIES_FILE) & set(kb.by_form)
