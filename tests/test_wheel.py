"""The wheel delivers the whole tool: built from the sources, installed in a fresh
virtual environment and run from a folder outside the repository.

Nothing is downloaded: the wheel is built without build isolation (setuptools is
pinned in requirements.lock), and the fresh environment borrows the project's
installed dependencies through a ``.pth`` line. That line only appends a folder to
``sys.path``; the ``.pth`` files inside it, among them the editable install's finder,
are not run, so ``kg`` itself can only come from the wheel.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
BUILD_INPUTS = ("pyproject.toml", "README.md", "kg", "ontology")  # all that the build reads


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    site_packages: Path
    work: Path  # a folder outside the repository, where the commands run
    env: dict[str, str]

    def kg(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """The installed ``kg`` script, run as a user would from ``work``."""
        return subprocess.run([str(self.venv / "bin" / "kg"), *map(str, args)], cwd=self.work, env=self.env,
                              capture_output=True, text=True, timeout=120)


def _run(*args: str | Path, cwd: Path | None = None) -> None:
    done = subprocess.run(list(map(str, args)), cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"


def _build_wheel(base: Path) -> Path:
    """Build from a copy, as from a fresh clone: setuptools' build/ in the repository could hold stale files."""
    src = base / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, src / name)
    dist = base / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", dist, src)
    (wheel,) = dist.glob("newskg-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    assert not base.resolve().is_relative_to(ROOT)
    wheel = _build_wheel(base)
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = Path(subprocess.run([str(python), "-c", purelib], capture_output=True, text=True,
                                        check=True).stdout.strip())
    (site_packages / "_newskg_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel)
    work = base / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "KG_STORE")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return Installed(wheel, venv, site_packages, work, env)


@pytest.fixture(scope="module")
def built(installed: Installed) -> Path:
    """The sample built by the installed ``kg build``, with the real model."""
    done = installed.kg("build", SAMPLE, "--store", "store")
    assert done.returncode == 0, done.stderr
    articles = len(list(SAMPLE.glob("*.txt")))
    assert f"built store: {articles} analysed" in done.stdout
    return installed.work / "store"


def test_kg_ontology_is_a_link_to_the_one_ontology_folder():
    link = ROOT / "kg" / "ontology"
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "ontology")
    assert link.resolve() == (ROOT / "ontology").resolve()


def test_only_kg_resources_names_the_ontology_folder():
    """One way to find ontology files: a path built elsewhere would break in a wheel unnoticed."""
    naming = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "kg").rglob("*.py")
                    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(node, ast.Constant) and node.value == "ontology")
    assert naming == ["kg/resources.py"]


def test_the_wheel_carries_every_module_and_data_file(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {(Path(folder) / name).relative_to(ROOT).as_posix()  # through the kg/ontology link
                for folder, _, files in os.walk(ROOT / "kg", followlinks=True) if "__pycache__" not in folder
                for name in files}
    assert {"kg/ontology/kg.ttl", "kg/ontology/shapes.ttl", "kg/ontology/queries/founders.rq"} <= expected
    assert expected - names == set()
    assert not [n for n in names if n.startswith("ontology/")]  # the ontology ships inside the package only
    assert not [n for n in names if "corpus_gen" in n]  # a tool of the benchmarks, not of the package


def test_dask_is_an_extra_of_the_wheel(installed):
    with zipfile.ZipFile(installed.wheel) as whl:
        name = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(whl.read(name).decode())
    requires = metadata.get_all("Requires-Dist")
    assert "dask" in metadata.get_all("Provides-Extra")
    dask = [r for r in requires if r.startswith(("dask", "distributed"))]
    assert len(dask) == 2 and all('extra == "dask"' in r for r in dask), dask


def test_the_installed_package_is_the_one_running(installed):
    code = "import kg\nfrom kg.validate import DEFAULT_SHAPES\nprint(kg.__file__)\nprint(DEFAULT_SHAPES)"
    done = subprocess.run([str(installed.venv / "bin" / "python"), "-c", code], cwd=installed.work,
                          env=installed.env, capture_output=True, text=True, check=True)
    module, shapes = map(Path, done.stdout.split())
    assert module == installed.site_packages / "kg" / "__init__.py"
    assert shapes == installed.site_packages / "kg" / "ontology" / "shapes.ttl" and shapes.is_file()
    assert (installed.venv / "bin" / "kg").read_text().startswith(f"#!{installed.venv / 'bin' / 'python'}")


def test_query_founders_uses_the_shipped_canned_query(installed, built):
    done = installed.kg("query", "founders", "--store", built)
    assert done.returncode == 0, done.stderr
    with open_store(built, read_only=True) as store:  # the repository's code, same store: same table
        expected = kg.format_result(kg.run_query(store, kg.load_query("founders")), "table")
    assert done.stdout == expected
    assert "Hugging Face" in done.stdout


def test_validate_uses_the_shipped_shapes(installed, built):
    done = installed.kg("validate", "--store", built)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("conforms")


def test_view_writes_the_page(installed, built):
    done = installed.kg("view", "--store", built, "-o", "graph.html")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("wrote graph.html (")  # the report goes to stderr
    page = (installed.work / "graph.html").read_text(encoding="utf-8")
    assert "<html" in page and "Hugging Face" in page


def test_export_graphml_matches_the_repository_code(installed, built, tmp_path):
    done = installed.kg("export", "--store", built, "--format", "graphml", "-o", "graph.graphml")
    assert done.returncode == 0, done.stderr
    written = installed.work / "graph.graphml"
    assert nx.read_graphml(written).number_of_edges() > 0
    with open_store(built, read_only=True) as store:
        kg.export(store, "graphml", tmp_path / "expected.graphml")
    assert written.read_bytes() == (tmp_path / "expected.graphml").read_bytes()
