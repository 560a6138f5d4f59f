"""One error tree (kg/errors.py), raised by the library and turned into messages by the CLI only."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.errors
from kg.cli import _exit_status, main
from kg.errors import (
    ArgumentError,
    ExportError,
    FocusError,
    KGError,
    PushError,
    PushSettingsError,
    ServeError,
    ServeSettingsError,
    UsageError,
    ViewError,
)
from kg.export import export
from kg.store import open_store

PACKAGE = Path(kg.errors.__file__).parent
TREE = {name for name, obj in vars(kg.errors).items() if inspect.isclass(obj) and issubclass(obj, KGError)}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def test_every_kg_error_class_is_defined_in_the_tree():
    for path, module in _modules():
        if path.name == "errors.py":
            continue
        for node in ast.walk(module):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                assert not bases & TREE, f"{path.relative_to(PACKAGE)}: {node.name} extends {bases & TREE}"
    from kg import push, serve

    assert push.PushError is PushError and serve.ServeError is ServeError  # still importable there


def test_only_the_cli_raises_usage_errors():
    raisers = set()
    for path, module in _modules():
        for node in ast.walk(module):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and getattr(node.exc.func, "id", None) == "UsageError":
                raisers.add(path.relative_to(PACKAGE).as_posix())
    assert raisers <= {"cli.py"}, raisers
    assert "cli.py" in raisers


@pytest.mark.parametrize(("error", "status"), [
    (UsageError("x"), 2), (ViewError("x"), 2), (FocusError("x"), 2), (PushSettingsError("x"), 2),
    (ServeSettingsError("x"), 2), (PushError("x"), 1), (ServeError("x"), 1), (ExportError("x"), 1),
    (kg.errors.StoreError("x"), 1), (kg.errors.InputError("a.txt", "x"), 1),
])
def test_the_cli_exits_2_for_refused_requests_and_1_for_failures(error, status):
    assert _exit_status(error) == status
    assert isinstance(error, ArgumentError) == (status == 2)


def test_settings_errors_are_caught_as_their_command_errors_too():
    assert issubclass(PushSettingsError, PushError) and issubclass(ServeSettingsError, ServeError)
    assert issubclass(FocusError, ViewError) and not issubclass(PushError, ArgumentError)


def test_a_view_error_is_one_line_and_status_2(tiny_store_path, tmp_path, capsys):
    out = tmp_path / "v.html"
    assert main(["view", "--store", str(tiny_store_path), "-o", str(out), "--focus", "Personne"]) == 2
    err = capsys.readouterr().err
    assert err == "kg view: error: focus 'Personne': no entity of that name or alternate name in the view\n"
    assert not out.exists()
    assert main(["view", "--store", str(tiny_store_path), "-o", str(out), "--max-nodes", "0"]) == 2
    assert capsys.readouterr().err.startswith("kg view: error: max_nodes")


def test_text_graphml_cannot_hold_is_an_export_error_not_a_value_error(tiny_store_copy, tmp_path):
    target = tmp_path / "g.graphml"
    with open_store(tiny_store_copy) as store:
        person = ox.NamedNode("https://example.org/p")
        graph = ox.NamedNode("https://example.org/g")
        store.ox.add(ox.Quad(person, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                             ox.NamedNode("https://schema.org/Person"), graph))
        store.ox.add(ox.Quad(person, ox.NamedNode("https://schema.org/name"), ox.Literal("Bell\x07e"), graph))
        with pytest.raises(ExportError, match="cannot write graphml: All strings must be XML compatible"):
            export(store, "graphml", target)
    assert not target.exists() and not list(tmp_path.glob(".g.graphml.*"))  # nothing half-written
