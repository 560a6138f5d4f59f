"""newskg: French news articles to an evidence-backed RDF knowledge graph.

The public API, small on purpose; the ``kg`` command is a thin layer over it::

    import kg
    report = kg.build(["data/sample"], "kg-store")
    with kg.open_store("kg-store", read_only=True) as store:
        result = kg.run_query(store, kg.load_query("roles"))
"""

from __future__ import annotations

__version__ = "0.1.0"

from kg.build import BuildReport, BuildSettings, build  # noqa: E402
from kg.errors import KGError  # noqa: E402
from kg.store import Store, open_store  # noqa: E402

__all__ = ["BuildReport", "BuildSettings", "KGError", "Store", "__version__", "build", "open_store"]
