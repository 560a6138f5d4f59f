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

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

from kg.build import BuildReport, BuildSettings, build
from kg.errors import KGError
from kg.store import Store, open_store

# Imported on first use: each pulls in a heavier library (pyshacl, networkx, pyvis).
_LAZY = {
    "run_query": "kg.query",
    "load_query": "kg.query",
    "format_result": "kg.query",
    "canned_queries": "kg.query",
    "export": "kg.export",
    "render_view": "kg.viz",
    "validate": "kg.validate",
    "stats": "kg.stats",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


__all__ = ["BuildReport", "BuildSettings", "KGError", "Store", "__version__", "build", "open_store", *_LAZY]
