"""Check the held-out devset: every key parses, matches its text, and is self-consistent.

Usage: python tests/data/devset/check_devset.py   (exit status 1 on any error)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TYPES = {"Person", "Organization", "AIModel"}
STANCES = {"concern", "support", "criticism", "prediction", "neutral"}
SIGNATURES = {
    "hasRole": ("Person", "Organization"),
    "founded": ("Person", "Organization"),
    "developed": ("Organization", "AIModel"),
}


def check(gold_path: Path) -> list[str]:
    errors: list[str] = []
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [f"invalid JSON: {exc}"]
    if gold.get("doc") != gold_path.stem + ".txt":
        errors.append(f"doc field {gold.get('doc')!r} does not match the file name")
    text_path = HERE / "texts" / str(gold.get("doc"))
    if not text_path.exists():
        return [*errors, f"missing text {text_path.name}"]
    text = text_path.read_text(encoding="utf-8")
    if not text.splitlines()[0].strip():
        errors.append("first line (headline) is empty")
    words = len(re.findall(r"\w+(?:[-'\u2019]\w+)*", text))
    if not 250 <= words <= 600:
        errors.append(f"{words} words, expected 250-600")

    entities = {}
    for ent in gold["entities"]:
        if ent["name"] in entities:
            errors.append(f"duplicate entity {ent['name']!r}")
        entities[ent["name"]] = ent
        if ent["type"] not in TYPES:
            errors.append(f"entity {ent['name']!r}: bad type {ent['type']!r}")
        if not ent.get("aliases"):
            errors.append(f"entity {ent['name']!r}: no aliases")
        for alias in ent.get("aliases", []):
            if alias not in text:
                errors.append(f"entity {ent['name']!r}: alias {alias!r} not in text")

    seen = set()
    for rel in gold["relations"]:
        key = (rel["subject"], rel["predicate"], rel["object"])
        if key in seen:
            errors.append(f"duplicate relation {key}")
        seen.add(key)
        if rel["predicate"] not in SIGNATURES:
            errors.append(f"relation {key}: unknown predicate")
            continue
        if rel["predicate"] == "hasRole" and "role" not in rel:
            errors.append(f"relation {key}: hasRole without role")
        for name, expected in zip((rel["subject"], rel["object"]), SIGNATURES[rel["predicate"]], strict=True):
            if name not in entities:
                errors.append(f"relation {key}: {name!r} is not an entity of the key")
            elif entities[name]["type"] != expected:
                errors.append(f"relation {key}: {name!r} should be {expected}")
        if rel["evidence"] not in text:
            errors.append(f"relation {key}: evidence not in text: {rel['evidence'][:70]!r}")

    for claim in gold["claims"]:
        if claim["speaker"] not in entities:
            errors.append(f"claim speaker {claim['speaker']!r} is not an entity of the key")
        if claim["stance"] not in STANCES:
            errors.append(f"claim stance {claim['stance']!r} is not valid")
        if not isinstance(claim.get("about"), list):
            errors.append("claim 'about' must be a list")
        if claim["evidence"] not in text:
            errors.append(f"claim evidence not in text: {claim['evidence'][:70]!r}")
    return errors


def main() -> int:
    golds = sorted((HERE / "gold").glob("*.json"))
    texts = {p.name for p in (HERE / "texts").glob("*.txt")}
    failures = 0
    for orphan in sorted(texts - {g.stem + ".txt" for g in golds}):
        print(f"{orphan}: text without a key")
        failures += 1
    for gold_path in golds:
        errors = check(gold_path)
        status = "ok" if not errors else f"{len(errors)} error(s)"
        print(f"{gold_path.name}: {status}")
        for err in errors:
            print(f"  - {err}")
        failures += len(errors)
    print(f"{len(golds)} keys checked, {failures} error(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
