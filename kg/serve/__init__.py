"""``kg serve``: a read-only SPARQL endpoint and a web page over a newskg store.

Two processes, both reading the store read-only; neither takes the writer lock.

* :mod:`.engine`: the SPARQL engine is Oxigraph's own server (``oxigraph
  serve-read-only``), a child process on a private loopback port.
* :mod:`.server` and :mod:`.app`: what users talk to, Starlette on uvicorn. It
  serves the pages (:mod:`.pages`, markup in ``kg/web``) and passes ``/sparql``
  to the engine through :mod:`.proxy` (httpx), which refuses updates and
  outbound calls (:mod:`.checks`) and enforces the time, size and concurrency limits.
* :mod:`.settings`: the options and limits.

The server reads the store's current snapshot (see :mod:`kg.store`: readers never
read the database a build writes), and keeps it while it runs: ``kg build`` can
run meanwhile, and the server goes on showing the last build finished when it
started. Restart ``kg serve`` after ``kg build``.
"""

from __future__ import annotations

from kg.errors import ServeError
from kg.serve.checks import is_update
from kg.serve.engine import Engine, find_oxigraph
from kg.serve.pages import content_security_policy, entity_data
from kg.serve.proxy import SparqlProxy
from kg.serve.server import KGServer, serve
from kg.serve.settings import ServeSettings, is_loopback, parse_size

__all__ = ["Engine", "KGServer", "ServeError", "ServeSettings", "SparqlProxy", "content_security_policy",
           "entity_data", "find_oxigraph", "is_loopback", "is_update", "parse_size", "serve"]
