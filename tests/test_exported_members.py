"""The public API (``kg.__all__``): every name is there, is what it says, and stays so.

``kg.export``, ``kg.validate``, ``kg.stats`` and ``kg.build`` are functions named like
the submodule that defines them; importing the submodule must not turn the name into
the module (it once did, so the second call failed). Fresh interpreters check every
import order, since this test process has long imported everything.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from importlib.metadata import version

import pytest
from conftest import ROOT

import kg

SHADOWED = ("build", "export", "validate", "stats")  # functions named like their submodule


def test_all_has_no_duplicates():
    assert len(kg.__all__) == len(set(kg.__all__))


@pytest.mark.parametrize("name", kg.__all__)
def test_every_exported_name_is_what_it_says(name):
    member = getattr(kg, name)
    if name == "__version__":
        assert member == version("newskg")
    elif name[0].isupper():
        assert inspect.isclass(member) and member.__name__ == name
    else:
        assert inspect.isfunction(member), f"kg.{name} is {member!r}"
        assert member.__name__ == name and member.__module__.startswith("kg.")
        assert getattr(sys.modules[member.__module__], name) is member  # the real one, not a wrapper
    namespace: dict[str, object] = {}
    exec(f"from kg import {name}", namespace)
    assert namespace[name] is member


@pytest.mark.parametrize("name", SHADOWED)
def test_a_shadowed_name_stays_the_function_whatever_the_import_order(name):
    # the lazy name first, then its submodule; the submodule first; `from kg.x import y` first
    checks = (
        f"import kg\nf = kg.{name}\nimport kg.{name}\nassert kg.{name} is f and callable(f), kg.{name}",
        f"import kg.{name}, kg\nassert callable(kg.{name}), kg.{name}",
        f"from kg.{name} import {name} as f\nimport kg\nassert kg.{name} is f, kg.{name}",
        f"import sys, kg\nkg.{name}\nassert type(sys.modules['kg.{name}']).__name__ == 'module'",
    )
    for code in checks:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert done.returncode == 0, f"{code}\n{done.stderr}"


def test_calling_each_function_twice_works(tiny_store_path, tmp_path):
    """The reported bug, end to end in a fresh interpreter: the second call failed."""
    code = (
        "import sys\nfrom pathlib import Path\nimport kg\n"
        "store_path, out = Path(sys.argv[1]), Path(sys.argv[2])\n"
        "with kg.open_store(store_path, read_only=True) as store:\n"
        "    for _ in range(2):\n"
        "        assert kg.stats(store).counts\n"
        "        assert kg.export(store, 'ntriples', out / 'graph.nt') > 0\n"
        "        assert kg.validate(store).conforms\n"
        "        assert kg.canned_queries()['founders'].text == kg.load_query('founders')\n"
        "        assert kg.format_result(kg.run_query(store, kg.load_query('founders')), 'table')\n"
        "        kg.render_view(store, out / 'graph.html')\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tiny_store_path), str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


def test_the_functions_work_in_this_process_too(tiny_store_path, tmp_path):
    import kg.export  # what the rest of the suite does; the name stays the function

    with kg.open_store(tiny_store_path, read_only=True) as store:
        assert kg.export(store, "ntriples", tmp_path / "a.nt") == kg.export(store, "ntriples", tmp_path / "b.nt")
        assert kg.stats(store) == kg.stats(store)
