"""An interactive view of the graph: one self-contained HTML page that works offline.

:func:`view_graph` reads the store with SPARQL and returns a property graph
(entities as nodes; ``worksFor``, ``founder``, ``creator`` and claims as edges,
each with its evidence). :func:`render_view` draws it with vis-network through
pyvis and writes a single HTML file: the vis-network script and stylesheet that
ship inside the pyvis package are inlined, nothing is fetched at run time and no
``lib/`` folder is written. The page's markup is package data: ``kg/web/templates/view.html.j2``
with ``kg/web/static/view.css`` and ``view.js`` (see :mod:`kg.web`).

The package follows the drawing's steps: :mod:`~kg.viz.graph` (what to draw, from the
store through :mod:`kg.graph`), :mod:`~kg.viz.layout` (where nodes start),
:mod:`~kg.viz.render` (vis-network options, tooltips, the page); :mod:`~kg.viz.styles`
holds the colours and labels they share.

Everything that comes from articles (names, quotes, evidence) is untrusted. It
reaches the page only as JSON data in which ``<``, ``>`` and ``&`` are escaped,
and tooltips are built in the browser with ``textContent``, never ``innerHTML``,
so a quote such as ``<img src=x onerror=…>`` shows as text and cannot run.
"""

from kg.viz.graph import fold, parse_types, view_graph
from kg.viz.layout import grid_force_layout
from kg.viz.render import ViewSummary, render_view
from kg.web import safe_json

__all__ = ["ViewSummary", "fold", "grid_force_layout", "parse_types", "render_view", "safe_json", "view_graph"]
