"""Optional dependencies stay optional: without dask, everything but ``--engine dask``
works, and that says in one line what to install."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, SAMPLE

# None in sys.modules makes `import dask` fail as if dask were not installed.
WITHOUT_DASK = "import sys\nsys.modules['dask'] = sys.modules['distributed'] = None\n"


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_DASK + code, *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_the_package_imports_without_dask():
    done = _python("import kg, kg.cli, kg.build, kg.distributed, kg.export, kg.viz, kg.validate\nprint('ok')")
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
