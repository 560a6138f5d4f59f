"""``kg push``: send the graph to a SPARQL 1.1 Graph Store HTTP Protocol endpoint.

Users load newskg's graph into the triple store they already run: Oxigraph
(``http://HOST:7878/store``), Apache Jena Fuseki (``http://HOST:3030/DATASET/data``),
GraphDB (``http://HOST:7200/repositories/REPO/rdf-graphs/service``) or any other
implementation of the `Graph Store Protocol
<https://www.w3.org/TR/sparql11-http-rdf-update/>`_.

* By default every graph of the store goes to the graph of the same name on the
  endpoint, one ``PUT …?graph=IRI`` each: one per article, plus
  ``kgr:graph/entities`` and ``kgr:graph/runs``. PUT replaces, so pushing again
  after a rebuild leaves the remote graphs equal to the local ones.
* ``graph=`` pushes one graph (an article's IRI, a ``kgr:`` name, or an article
  identifier such as ``000_2d5abc28d2deef37.txt``).
* ``default=True`` sends into the endpoint's default graph (``?default``): the
  union of all graphs, each triple once (or the one graph named by ``graph=``).
* ``append=True`` adds (``POST``) instead of replacing (``PUT``).

The payload is N-Triples (``application/n-triples``), which every Graph Store
implementation reads. HTTP uses the standard library only; the proxy variables
of the environment apply, except for loopback endpoints.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pyoxigraph as ox

from kg import __version__
from kg.errors import PushError, PushSettingsError
from kg.resources import query_text
from kg.store import Store
from kg.vocab import display_prefixes

NTRIPLES = "application/n-triples"
_OK = (200, 201, 204)
_ENDPOINT_HINT = ("is it the Graph Store endpoint? Oxigraph: http://HOST:7878/store, "
                  "Fuseki: http://HOST:3030/DATASET/data, GraphDB: http://HOST:7200/repositories/REPO/rdf-graphs/service")


@dataclass(frozen=True)
class PushedGraph:
    graph: str | None  # None: the endpoint's default graph
    source: str | None  # the local graph sent (None: the union of all graphs)
    triples: int
    status: int


@dataclass(frozen=True)
class PushReport:
    endpoint: str
    method: str
    graphs: tuple[PushedGraph, ...]

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def as_text(self) -> str:
        n = len(self.graphs)
        what = "the default graph" if n == 1 and self.graphs[0].graph is None else \
            f"{n} graph{'s' if n != 1 else ''}"
        how = ("replacing what the endpoint had there" if self.method == "PUT"
               else "adding to the endpoint's graphs")
        return f"pushed {what} ({self.triples} triples) to {self.endpoint}, {how} (HTTP {self.method})"


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of one graph: ``endpoint?graph=IRI``, or ``endpoint?default``."""
    sep = "&" if urlsplit(endpoint).query else "?"
    return endpoint + sep + ("default" if graph is None else "graph=" + quote(graph, safe=""))


def push(store: Store, endpoint: str, *, graph: str | None = None, default: bool = False,
         append: bool = False, timeout: float = 60.0, user: str | None = None, password: str | None = None,
         progress: Callable[[PushedGraph], None] | None = None) -> PushReport:
    """Send the store's graphs (or one) to a Graph Store endpoint; see the module docstring."""
    _check_endpoint(endpoint)
    if timeout <= 0:
        raise PushSettingsError(f"--timeout must be positive, not {timeout}")
    method = "POST" if append else "PUT"
    if graph is not None:
        chosen = resolve_graph(store, graph)
        plan: list[tuple[str | None, str | None]] = [(None if default else chosen, chosen)]
    elif default:
        plan = [(None, None)]
    else:
        plan = [(g, g) for g in _graph_names(store)]
        if _default_graph_size(store):
            plan.append((None, ""))  # the store's own default graph, rarely used
    opener = _opener(endpoint)
    headers = {"Content-Type": NTRIPLES, "User-Agent": f"newskg/{__version__}"}
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    sent: list[PushedGraph] = []
    for target, source in plan:
        payload, count = _payload(store, source)
        url = graph_store_url(endpoint, target)
        request = urllib.request.Request(url, data=payload, method=method, headers=headers)
        status = _send(opener, request, timeout, target, len(sent), len(plan))
        pushed = PushedGraph(target, source, count, status)
        sent.append(pushed)
        if progress is not None:
            progress(pushed)
    return PushReport(endpoint, method, tuple(sent))


def resolve_graph(store: Store, name: str) -> str:
    """A graph of the store from an IRI (``<…>`` or bare), a ``kgr:`` name, or an article identifier."""
    text = name.strip().removeprefix("<").removesuffix(">")
    graphs = _graph_names(store)
    prefix, sep, local = text.partition(":")
    known = display_prefixes(store.iris.base)
    candidates = [text]
    if sep and prefix in known:
        candidates.append(known[prefix] + local)
    for candidate in candidates:
        if candidate in graphs:
            return candidate
    result = store.ox.query(query_text("push", "graph_by_identifier.rq"),
                            substitutions={ox.Variable("id"): ox.Literal(text)})
    rows = list(result) if isinstance(result, ox.QuerySolutions) else []
    if len(rows) == 1:
        return str(rows[0]["g"].value)
    shown = ", ".join(graphs[:3]) + (", …" if len(graphs) > 3 else "")
    raise PushSettingsError(f"--graph {name!r}: the store has no such graph (an article's IRI, a kgr: name or "
                            f"an article identifier; the store has {len(graphs)}: {shown})")


def _graph_names(store: Store) -> list[str]:
    return sorted(g.value for g in store.ox.named_graphs() if isinstance(g, ox.NamedNode))


def _default_graph_size(store: Store) -> int:
    return sum(1 for _ in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def _payload(store: Store, source: str | None) -> tuple[bytes, int]:
    """N-Triples of one local graph ("" = the store's default graph; None = the union, each triple once)."""
    if source is None:
        lines = sorted({f"{q.subject} {q.predicate} {q.object} ." for q in store.quads()})
        return ("\n".join(lines) + "\n" if lines else "").encode("utf-8"), len(lines)
    graph = ox.DefaultGraph() if source == "" else ox.NamedNode(source)
    data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
    return data, data.count(b"\n")  # N-Triples: one triple a line, newlines in literals are escaped


def _check_endpoint(endpoint: str) -> None:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushSettingsError(f"--endpoint {endpoint!r}: give the Graph Store endpoint's http(s) URL, e.g. "
                         "http://localhost:7878/store (Oxigraph) or "
                         "http://localhost:3030/DATASET/data (Fuseki)")
    if parts.username or parts.password:
        raise PushSettingsError("--endpoint: put no user name or password in the URL; use --user "
                         "(the password is read from $KG_PUSH_PASSWORD or asked for)")


def _opener(endpoint: str) -> urllib.request.OpenerDirector:
    host = urlsplit(endpoint).hostname or ""
    loopback = host == "localhost"
    with contextlib.suppress(ValueError):
        loopback = loopback or ipaddress.ip_address(host).is_loopback
    if loopback:  # a proxy from the environment must not capture a local triple store
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _send(opener: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float,
          graph: str | None, done: int, total: int) -> int:
    where = "the default graph" if graph is None else f"graph <{graph}>"
    already = f" ({done} of {total} graphs were sent before)" if done else ""
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        detail = " ".join(exc.read(500).decode("utf-8", "replace").split())
        hint = f"; {_ENDPOINT_HINT}" if exc.code in (404, 405) else ""
        raise PushError(f"{request.full_url}: the endpoint refused {where}: HTTP {exc.code} "
                        f"{exc.reason}{': ' + detail if detail else ''}{hint}{already}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PushError(f"{request.full_url}: cannot reach the endpoint: {reason}{already}") from None
    if status not in _OK:
        raise PushError(f"{request.full_url}: unexpected answer HTTP {status} for {where}{already}")
    return status


__all__ = ["PushError", "PushReport", "PushedGraph", "graph_store_url", "push", "resolve_graph"]
