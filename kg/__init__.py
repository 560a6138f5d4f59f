"""newskg: French news articles to an evidence-backed RDF knowledge graph.

The public API, small on purpose; the ``kg`` command is a thin layer over it::

    import kg
    report = kg.build(["data/sample"], "kg-store")
    with kg.open_store("kg-store", read_only=True) as store:
        print(kg.format_result(kg.run_query(store, kg.load_query("roles")), "table"))
        kg.export(store, "turtle", Path("graph.ttl"))
        kg.render_view(store, Path("graph.html"), focus="Hugging Face")
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import Any

__version__ = "0.2.0"

from kg.build import BuildReport, BuildSettings, build
from kg.errors import KGError
from kg.store import Store, open_store

# Imported on first use: each pulls in a heavier library (pyshacl, networkx, pyvis).
_LAZY = {
    "run_query": "kg.query",
    "load_query": "kg.query",
    "format_result": "kg.formats",
    "canned_queries": "kg.query",
    "export": "kg.export",
    "render_view": "kg.viz",
    "validate": "kg.validate",
    "stats": "kg.stats",
}


# The public functions named like the submodule that defines them (``kg.build`` is
# another, imported above).
_SHADOWED = frozenset(name for name, module in _LAZY.items() if module == f"{__name__}.{name}")


class _Package(ModuleType):
    """The ``kg`` module itself: a public function keeps its name when its namesake submodule loads.

    Loading a submodule makes the import system set the package's attribute of that
    name to the submodule, which would hide the function from then on (or from the
    start, when some module imported ``kg.export`` before anyone asked for
    ``kg.export``). Refusing that one assignment keeps the name the function; the
    submodule is still in ``sys.modules`` for ``from kg.export import ...`` and
    ``importlib.import_module("kg.export")``.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _SHADOWED and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


def __getattr__(name: str) -> Any:
    """Import a lazy name's module on first use, then keep the name as a plain attribute."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


sys.modules[__name__].__class__ = _Package
for _name in _SHADOWED:  # a submodule the eager imports above loaded on their way
    if isinstance(globals().get(_name), ModuleType):
        del globals()[_name]


__all__ = ["BuildReport", "BuildSettings", "KGError", "Store", "__version__", "build", "open_store", *_LAZY]
