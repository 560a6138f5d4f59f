"""The README's command table matches the command line (as sqlite-utils tests its docs):
every command has a row, every option is named in its row, every option named exists,
and the values listed for an option with fixed choices are those choices."""

from __future__ import annotations

import argparse
import re

import pytest
from conftest import ROOT

from kg.cli import make_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")
# help is everywhere; --store and --debug are described once, outside the table
UNDOCUMENTED = {"-h", "--help", "--store", "--debug"}


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = (a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _table() -> dict[str, str]:
    """Command name -> the synopses in its row's first cell (escaped pipes restored)."""
    section = README.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = re.split(r"(?<!\\)\|", line)
        if len(cells) < 3 or not cells[1].strip().startswith("`kg "):
            continue
        synopses = " ".join(re.findall(r"`([^`]+)`", cells[1])).replace("\\|", "|")
        name = synopses.split()[1]
        assert name not in rows, f"two rows for kg {name}"
        rows[name] = synopses
    return rows


TABLE = _table()


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    # a hidden option (help=SUPPRESS, kept for old scripts) is not documented on purpose
    return [a for a in parser._actions if a.option_strings and not set(a.option_strings) & UNDOCUMENTED
            and a.help != argparse.SUPPRESS]


def test_every_command_has_a_row_and_every_row_a_command():
    assert sorted(TABLE) == sorted(_subcommands())


def test_store_option_is_described():
    assert "`--store` defaults to `./kg-store` (or `$KG_STORE`)" in README
    assert all("--store" in {s for a in p._actions for s in a.option_strings} for p in _subcommands().values())


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_row_names_exactly_the_options_of(command):
    parser, row = _subcommands()[command], TABLE[command]
    named = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", row))
    missing = [a.option_strings for a in _options(parser) if not named & set(a.option_strings)]
    known = {s for a in parser._actions for s in a.option_strings}
    assert not missing, f"README row of kg {command} does not name {missing}"
    assert named <= known, f"README row of kg {command} names options kg {command} lacks: {named - known}"


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_listed_values_are_the_choices_of(command):
    parser, row = _subcommands()[command], TABLE[command]
    for action in _options(parser):
        if action.choices is None:
            continue
        for option in action.option_strings:
            for listed in re.findall(rf"(?<![\w-]){re.escape(option)} ([\w-]+(?:\|[\w-]+)+)", row):
                assert set(listed.split("|")) == set(action.choices), f"kg {command} {option}: {action.choices}"
    words = set(re.split(r"[\s|\[\]]+", row))
    for action in parser._actions:  # positionals with choices: kg decide merge|split|type|ignore, list
        if not action.option_strings and action.choices is not None and not isinstance(action.choices, dict):
            assert set(action.choices) <= words, f"kg {command} {action.dest}: {action.choices}"


def test_architecture_lists_every_module_once_and_nothing_else():
    """ARCHITECTURE.md's module list is the tree a newcomer reads: it must be the real one."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    listed = re.findall(r"^(kg/\S+\.py) +\S", text, flags=re.MULTILINE)
    modules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "kg").rglob("*.py") if "ontology" not in p.parts)
    assert len(listed) == len(set(listed)), "a module is listed twice"
    assert sorted(listed) == modules


def test_no_module_is_over_600_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "kg").rglob("*.py") if "ontology" not in p.parts}
    assert {m: n for m, n in sizes.items() if n > 600} == {}
