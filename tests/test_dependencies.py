"""Dependencies: every library kg imports is declared and pinned (pyproject.toml and
requirements.lock agree), and the optional ones stay optional: without dask,
everything but ``--engine dask`` works, and that says in one line what to install."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions

from conftest import ROOT, SAMPLE

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
OPTIONAL = {"dask": {"dask", "distributed"}}  # extra -> the distributions only it may bring


def _name(requirement: str) -> str:
    """A requirement's distribution name, normalised as PEP 503 does."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[=<>!~; ]", requirement, maxsplit=1)[0]).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    return {_name(r): r.split("==", 1)[1].strip() for r in requirements if "==" in r}


def _imported_distributions() -> set[str]:
    """The distributions of every third-party module imported anywhere in kg/ (lazily too)."""
    modules = set()
    for path in (ROOT / "kg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {"kg"}
    owners = packages_distributions()
    return {_name(dist) for module in modules for dist in owners[module]}


def test_every_imported_library_is_declared():
    required = {_name(r) for r in PROJECT["dependencies"]}
    optional = set().union(*OPTIONAL.values())
    assert _imported_distributions() - required - optional == set()
    assert optional & required == set()  # optional means not installed by `pip install newskg`
    for extra, names in OPTIONAL.items():
        assert {_name(r) for r in PROJECT["optional-dependencies"][extra]} == names


def test_every_dependency_is_pinned_as_in_the_lock():
    lock = _pins([line for line in (ROOT / "requirements.lock").read_text().splitlines() if line.strip()])
    declared = [*PROJECT["dependencies"], *(r for extra in PROJECT["optional-dependencies"].values() for r in extra),
                *PYPROJECT["build-system"]["requires"]]  # the wheel test builds offline with the locked setuptools
    assert [r for r in declared if "==" not in r] == []
    assert {name: pin for name, pin in _pins(declared).items() if lock.get(name) != pin} == {}

# None in sys.modules makes `import dask` fail as if dask were not installed.
WITHOUT_DASK = "import sys\nsys.modules['dask'] = sys.modules['distributed'] = None\n"


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_DASK + code, *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_the_package_imports_without_dask():
    done = _python("import kg, kg.cli, kg.build, kg.extract, kg.runners, kg.export, kg.viz, kg.validate\nprint('ok')")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


def test_engine_dask_without_dask_is_a_one_line_error(tmp_path):
    store = tmp_path / "store"
    done = _python("from kg.cli import main\nsys.exit(main(sys.argv[1:]))",
                   "build", str(SAMPLE), "--store", str(store), "--engine", "dask")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("kg build: error: the dask engine needs dask and distributed")
    assert "pip install 'newskg[dask]'" in done.stderr
