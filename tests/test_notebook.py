"""The guided tour, ``notebooks/tour.ipynb``: stored clean, and it runs from top to bottom.

The run executes every cell in a fresh kernel of *this* interpreter (a kernelspec pointing
at ``sys.executable`` is installed in a temporary folder and put first on ``JUPYTER_PATH``),
with ``TMPDIR`` pointing at the test's own folder, so the notebook's ``tempfile.mkdtemp()``
scratch folder is cleaned up with the test and the run provably writes nowhere else.
Outputs are found by the tag each code cell carries (``setup``, ``roles``, ``view``…).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "tour.ipynb"
TAGS = ("setup", "imports", "build", "stats", "canned", "roles", "founders", "claims", "evidence", "view",
        "export", "cleanup")


def _read() -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    return nb


def _by_tag(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    cells = {}
    for cell in nb.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            cells[tag] = cell
    return cells


def _text(cell: nbformat.NotebookNode) -> str:
    """Everything a code cell showed: printed text, plain reprs and HTML."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            parts.append(out.data.get("text/html", ""))
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


def _html(cell: nbformat.NotebookNode) -> str:
    return "\n".join(out.data.get("text/html", "") for out in cell.get("outputs", [])
                     if out.output_type in ("display_data", "execute_result"))


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_tour_is_stored_without_outputs():
    nb = _read()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the tour has no code cells"
    for cell in code:
        assert cell.outputs == [], f"cell {cell.get('id')} is stored with outputs"
        assert cell.execution_count is None, f"cell {cell.get('id')} is stored with an execution count"
    assert set(TAGS) <= set(_by_tag(nb)), "a tagged cell the run test looks for is missing"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.fixture
def venv_kernel(tmp_path, monkeypatch) -> str:
    """Make the ``python3`` kernel this interpreter, whatever other kernelspecs are installed."""
    from ipykernel.kernelspec import install

    prefix = tmp_path / "jupyter"
    install(kernel_name="python3", prefix=str(prefix))
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(
        [str(prefix / "share" / "jupyter"), *filter(None, [os.environ.get("JUPYTER_PATH")])]))
    return "python3"


@pytest.mark.model
def test_tour_runs_and_shows_the_expected_results(venv_kernel, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # the kernel's tempfile.mkdtemp() lands here
    watched = {d: _tree(d) for d in (ROOT / "notebooks", ROOT / "data" / "sample")}
    default_store = (ROOT / "kg-store").exists()

    nb = _read()
    # Not saved: a last cell that names the kernel's interpreter.
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print('KERNEL', sys.executable)",
                                              metadata={"tags": ["kernel-check"]}))
    client = NotebookClient(nb, timeout=600, kernel_name=venv_kernel,
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()  # raises CellExecutionError, with the traceback, if any cell fails

    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"cell {cell.get('id')} raised {errors[0].ename}: {errors[0].evalue}"
    cells = _by_tag(nb)
    out = {tag: _text(cell) for tag, cell in cells.items()}

    kernel_python = re.search(r"KERNEL (.+)", out["kernel-check"]).group(1).strip()
    assert Path(kernel_python).resolve() == Path(sys.executable).resolve()

    # setup: the repository was found from notebooks/, the scratch folder is a temporary one
    assert f"repository: {ROOT}\n" in out["setup"]
    assert f"from {ROOT / 'kg'}\n" in out["imports"]
    assert "(5 files)" in out["imports"]
    work = Path(re.search(r"scratch folder: (.+)", out["imports"]).group(1).strip())
    assert work.parent == scratch

    assert "analysed 5 articles" in out["build"]
    assert "003_6044967c27cf0e61.txt" in out["build"]
    assert re.search(r"^documents\s+5$", out["stats"], re.MULTILINE), out["stats"]
    assert re.search(r"^claims\s+[1-9]\d*$", out["stats"], re.MULTILINE), out["stats"]

    for name in ("roles", "founders", "claims_by_speaker", "models"):
        assert f"<td style='text-align:left'>{name}</td>" in _html(cells["canned"])

    roles = _html(cells["roles"])
    assert "<table>" in roles
    zuckerberg = [row for row in roles.split("<tr>") if "Mark Zuckerberg" in row]
    assert zuckerberg, "Mark Zuckerberg is missing from the roles table"
    assert any("PDG" in row and "Meta" in row for row in zuckerberg)

    founders = _html(cells["founders"])
    for person in ("Clément Delangue", "Julien Chaumond", "Thomas Wolf"):
        assert person in founders
    assert "Hugging Face" in founders

    claims = _html(cells["claims"])
    assert "Clément Delangue" in claims and "kg:Concern" in claims
    assert "not shown" in claims  # the table is cut at fifteen rows
    assert claims.count("<tr>") == 1 + 15

    evidence = _html(cells["evidence"])
    assert "Mark Zuckerberg" in evidence and "schema:worksFor" in evidence and "Meta" in evidence
    assert "<mark>Le PDG de Meta, Mark Zuckerberg," in evidence
    assert "002_70db4dae24e22b81.txt" in evidence
    assert "evidence checked against sample/002_70db4dae24e22b81.txt[" in out["evidence"]

    view = _html(cells["view"])
    assert re.search(r"\d+ entities and \d+ links written to ", out["view"])
    assert (work / "hugging-face.html").is_file()
    assert view.startswith('<div><iframe title="newskg view" srcdoc="&lt;!DOCTYPE html&gt;')
    assert not [o for o in cells["view"].outputs if o.output_type == "stream" and o.name == "stderr"]
    assert "<script" not in view.split('srcdoc="', 1)[1].split('" width=', 1)[0]  # fully escaped
    assert "Hugging Face" in view

    export = out["export"]
    assert re.search(r"[1-9]\d* triples -> ", export) and re.search(r"[1-9]\d* edges", export)
    assert "@prefix schema: <https://schema.org/> ." in export
    assert (work / "graph.ttl").stat().st_size > 0 and (work / "graph.graphml").stat().st_size > 0
    assert "hugging-face.html" in out["cleanup"]

    # The tour wrote into its scratch folder only.
    for folder, before in watched.items():
        assert _tree(folder) == before, f"the tour wrote into {folder}"
    assert (ROOT / "kg-store").exists() == default_store
