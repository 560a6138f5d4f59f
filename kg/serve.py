"""``kg serve``: a read-only SPARQL endpoint and a web page over a newskg store.

Design
------
Two processes, both reading the store read-only; neither takes the writer lock.

* **The SPARQL engine is Oxigraph's own server**, ``oxigraph serve-read-only`` from
  the ``oxigraph`` package (pinned with ``pyoxigraph``, same version, same storage
  format). It runs on a private loopback port with ``--union-default-graph`` (the
  union of the article graphs is the default graph, as in ``kg query``) and
  ``--timeout-s``. It implements the SPARQL 1.1 Protocol, so this module does not:
  GET and POST (form or ``application/sparql-query``), ``default-graph-uri`` and
  ``named-graph-uri``, and content negotiation (SPARQL JSON, XML, CSV, TSV;
  Turtle, N-Triples, JSON-LD, RDF/XML for CONSTRUCT and DESCRIBE).

* **A small front server** (standard library ``ThreadingHTTPServer``) is what users
  talk to. It serves the web page (``/``), the network view (``/view``), entity
  pages (``/entity?iri=…``), and passes ``/sparql`` to the engine, adding what the
  engine lacks:

  - *read-only with a clear answer*: an update (``update=`` parameter,
    ``application/sparql-update`` body, or an update in ``query=``) gets
    **403 Forbidden** and a message saying how to change the store;
  - *a time limit that answers*: Oxigraph's ``--timeout-s`` does cancel a runaway
    evaluation, but by then it has already sent ``200 OK`` and it ends the body
    with an error text, so a client would read a truncated document as a success
    (and it notices late: seconds after the limit). The front server therefore
    reads the whole answer before sending anything, under its own deadline; past
    the deadline it answers **503 Service Unavailable** with a message. The
    engine connection of the stopped query goes to a watcher thread, which waits
    for the engine to abandon it; should the engine not (a query it cannot
    cancel), the engine is restarted, so the endpoint keeps answering;
  - *a result-size limit*: an answer larger than ``max_result_bytes`` is dropped
    and the client gets **413 Content Too Large** with a message (a 4xx: the
    query, not the server, must change: add ``LIMIT`` or narrow it). Buffering is
    also what makes a clean error status possible at all;
  - at most :data:`MAX_CONCURRENT_QUERIES` queries at a time (a stopped query
    holds its slot until the engine has really let it go).

Why not evaluate SPARQL with pyoxigraph in this process (or in worker processes)?
That would mean re-implementing the protocol and its content negotiation by hand,
for a worse result than a maintained, conformance-tested server; and a query
running inside ``pyoxigraph`` cannot be interrupted, only its process killed.
With the engine in its own process, the front server stays responsive whatever
a query does, and the engine can always be restarted.

The page and the entity pages are built in the browser from JSON with
``textContent`` (article text is never parsed as HTML); the JSON sits in
``<script type="application/json">`` escaped by :func:`kg.viz.safe_json`; a
Content-Security-Policy allows only this server's own inline scripts (by hash),
so nothing is fetched from elsewhere and the page works offline.

The server reads the store's current snapshot (see :mod:`kg.store`: readers never
read the database a build writes; RocksDB does not support that), and keeps it
while it runs: ``kg build`` can run meanwhile, and the server goes on showing the
last build finished when it started. Restart ``kg serve`` after ``kg build``.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import hashlib
import http.client
import io
import ipaddress
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyoxigraph as ox

from kg import __version__
from kg.errors import KGError, QueryError, UsageError
from kg.query import canned_queries, display_prefixes, run_query
from kg.store import Store, open_store
from kg.vocab import KG, ORG, SCHEMA

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0  # seconds
DEFAULT_MAX_RESULT_BYTES = 50 * 1024 * 1024
MAX_CONCURRENT_QUERIES = 16
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # a query (POST body); larger requests get 413
ENGINE_STARTUP_SECONDS = 60.0
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_CANCELLED_MARKER = b"The SPARQL operation has been cancelled"
_UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_FORMAT_PARAM = {  # ?format=… for links and browsers; anything else is content negotiation
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
    "ntriples": "application/n-triples", "nt": "application/n-triples", "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


class ServeError(KGError):
    """The server cannot start: no engine binary, the engine fails, the port is taken."""


@dataclass(frozen=True)
class ServeSettings:
    """How ``kg serve`` runs. ``port=0`` picks a free port (see :attr:`KGServer.url`)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    cors: bool = False
    oxigraph: str | None = None  # the engine binary; default: next to Python, then $PATH

    def check(self) -> None:
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port must lie in 0..65535, not {self.port}")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise UsageError(f"--timeout must be a positive number of seconds, not {self.timeout}")
        if self.max_result_bytes < 1:
            raise UsageError(f"--max-result-bytes must be at least 1, not {self.max_result_bytes}")


def parse_size(text: str) -> int:
    """``"50M"`` → bytes. Suffixes K, M, G count in 1024s; a plain number is bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?\s*", str(text))
    if not match:
        raise UsageError(f"{text!r}: expected a size such as 200000, 500K or 50M")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


# -- the engine: oxigraph serve-read-only --------------------------------------------------

def find_oxigraph(explicit: str | None = None) -> str:
    """The ``oxigraph`` server binary: ``explicit``, $KG_OXIGRAPH, next to Python, or on $PATH."""
    candidates = [explicit, os.environ.get("KG_OXIGRAPH"), str(Path(sys.executable).parent / "oxigraph"),
                  shutil.which("oxigraph")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise ServeError("the Oxigraph server is missing; install it with `pip install oxigraph==0.5.13` "
                     "(or name the binary with $KG_OXIGRAPH)")


class _Timeout(Exception):
    """The engine did not answer in time; ``sock`` is still connected to it."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__("timeout")
        self.sock = sock


class _TooLarge(Exception):
    pass


class _EngineDown(Exception):
    pass


@dataclass(frozen=True)
class _Answer:
    status: int
    content_type: str
    body: bytes


class _BytesSocket:
    """Lets :class:`http.client.HTTPResponse` parse an answer already read."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, *args: object, **kwargs: object) -> io.BytesIO:
        return io.BytesIO(self._data)


def _exchange(address: tuple[str, int], request: bytes, deadline: float, limit: int) -> _Answer:
    """Send one HTTP/1.1 request (``Connection: close``) and read the whole answer by ``deadline``.

    Raises :class:`_Timeout` (handing over the open socket), :class:`_TooLarge` when the
    body would exceed ``limit`` bytes, :class:`_EngineDown` when the engine is unreachable.
    """
    try:
        sock = socket.create_connection(address, timeout=max(0.05, min(5.0, deadline - time.monotonic())))
    except OSError as exc:
        raise _EngineDown(str(exc)) from exc
    handed_over = False
    try:
        sock.sendall(request)
        raw = bytearray()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                handed_over = True
                raise _Timeout(sock)
            sock.settimeout(remaining)
            try:
                data = sock.recv(256 * 1024)
            except TimeoutError:
                handed_over = True
                raise _Timeout(sock) from None
            if not data:
                break
            raw += data
            if len(raw) > limit + 64 * 1024:  # the body, plus room for headers and chunk framing
                raise _TooLarge()
        response = http.client.HTTPResponse(_BytesSocket(bytes(raw)))  # type: ignore[arg-type]
        try:
            response.begin()
            body = response.read()
        except (http.client.HTTPException, ValueError) as exc:
            raise _EngineDown(f"unreadable answer from the engine: {exc}") from exc
        if len(body) > limit:
            raise _TooLarge()
        return _Answer(response.status, response.getheader("Content-Type", "application/octet-stream"), body)
    except (ConnectionError, BrokenPipeError) as exc:
        raise _EngineDown(str(exc)) from exc
    finally:
        if not handed_over:
            sock.close()


def _http_request(method: str, target: str, address: tuple[str, int], headers: dict[str, str],
                  body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {address[0]}:{address[1]}", "Connection: close",
             f"User-Agent: newskg/{__version__}"]
    for name, value in headers.items():
        clean = " ".join(str(value).split())  # no CR/LF can reach the engine from a client header
        if clean:
            lines.append(f"{name}: {clean}")
    if method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the engine gets SIGTERM if ``kg serve`` dies, even by SIGKILL."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


class Engine:
    """The ``oxigraph serve-read-only`` child process, kept alive by a supervisor thread.

    The supervisor starts the engine, restarts it when it dies or when asked to
    (:meth:`request_restart`), and stops it on :meth:`stop`. It is the only thread
    that starts engines, so that Linux's parent-death signal (which follows the
    thread that started a child) fires only when the server goes away.
    """

    def __init__(self, store_path: Path, timeout: float, binary: str | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.store_path = Path(store_path)
        self.binary = find_oxigraph(binary)
        self.timeout_s = max(1, math.ceil(timeout))
        self.restarts = 0
        self._log = log or _stderr
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._address: tuple[str, int] | None = None
        self._restart = threading.Event()
        self._restart_reason = ""
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._supervise, name="kg-serve-engine", daemon=True)

    # -- public -----------------------------------------------------------------------
    def start(self) -> Engine:
        self._thread.start()
        if not self._ready.wait(ENGINE_STARTUP_SECONDS + 10):
            self.stop()
            raise ServeError(f"the Oxigraph server did not start within {ENGINE_STARTUP_SECONDS:.0f} s")
        if self._error is not None:
            self.stop()
            raise self._error if isinstance(self._error, KGError) else ServeError(str(self._error))
        return self

    @property
    def address(self) -> tuple[str, int]:
        with self._lock:
            if self._address is None:
                raise _EngineDown("the engine is not running")
            return self._address

    @property
    def pid(self) -> int | None:
        with self._lock:
            return self._proc.pid if self._proc else None

    def request_restart(self, reason: str) -> None:
        self._restart_reason = reason
        self._restart.set()

    def stop(self) -> None:
        self._stopping.set()
        self._restart.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(15)
        with self._lock:
            proc, self._proc, self._address = self._proc, None, None
        if proc is not None:
            _terminate(proc)

    # -- the supervisor thread -----------------------------------------------------------
    def _supervise(self) -> None:
        try:
            self._swap(self._spawn())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        while not self._stopping.is_set():
            self._restart.wait(0.5)
            if self._stopping.is_set():
                break
            with self._lock:
                died = self._proc is not None and self._proc.poll() is not None
            if not (self._restart.is_set() or died):
                continue
            reason = self._restart_reason if self._restart.is_set() else "the engine stopped"
            self._restart.clear()
            try:
                self._swap(self._spawn())
                self.restarts += 1
                self._log(f"kg serve: restarted the SPARQL engine ({reason})")
            except BaseException as exc:
                self._log(f"kg serve: cannot restart the SPARQL engine: {exc}")
                self._stopping.wait(2.0)
                self._restart.set()
        with self._lock:
            proc, self._proc, self._address = self._proc, None, None
        if proc is not None:
            _terminate(proc)

    def _swap(self, started: tuple[subprocess.Popen[bytes], tuple[str, int]]) -> None:
        with self._lock:
            old = self._proc
            self._proc, self._address = started
        if old is not None:
            _terminate(old)

    def _spawn(self) -> tuple[subprocess.Popen[bytes], tuple[str, int]]:
        last = ""
        for _ in range(5):  # another program may take the port between choosing and binding it
            address = ("127.0.0.1", _free_port())
            with tempfile.TemporaryFile() as log:
                cmd = [self.binary, "serve-read-only", "--location", str(self.store_path),
                       "--bind", f"{address[0]}:{address[1]}", "--union-default-graph",
                       "--timeout-s", str(self.timeout_s)]
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                        preexec_fn=_die_with_parent if _PRCTL else None)
                deadline = time.monotonic() + ENGINE_STARTUP_SECONDS
                while time.monotonic() < deadline and not self._stopping.is_set():
                    if proc.poll() is not None:
                        log.seek(0)
                        last = " ".join(log.read().decode("utf-8", "replace").split())[-600:]
                        break
                    if _probe(address):
                        return proc, address
                    time.sleep(0.05)
                else:
                    _terminate(proc)
                    raise ServeError("the Oxigraph server did not answer within "
                                     f"{ENGINE_STARTUP_SECONDS:.0f} s")
            if "address" not in last.lower() or "in use" not in last.lower():
                break
        raise ServeError(f"the Oxigraph server cannot open {self.store_path}: {last or 'it exited'}")


def _probe(address: tuple[str, int]) -> bool:
    request = _http_request("GET", "/query?query=ASK%7B%7D", address,
                            {"Accept": "application/sparql-results+json"})
    try:
        answer = _exchange(address, request, time.monotonic() + 2.0, 4096)
    except (_Timeout, _TooLarge, _EngineDown) as exc:
        if isinstance(exc, _Timeout):
            exc.sock.close()
        return False
    return answer.status == 200


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the read-only SPARQL front --------------------------------------------------------------

READ_ONLY_MESSAGE = (
    "kg serve is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP…) are refused. "
    "Change the store with `kg build`; to edit the graph elsewhere, `kg push` it to a triple store.\n"
)


def is_update(text: str) -> bool:
    """Whether SPARQL text is an update: its first keyword after the prologue is an update verb."""
    body = re.sub(r"<[^<>\s\"{}|^`\\]*>", "<>", text)  # IRIs first: they may hold a '#'
    body = re.sub(r"#[^\n]*", " ", body)  # then comments
    body = re.sub(r"(?is)^\s*((BASE\s*<>|PREFIX\s+[^\s:]*:\s*<>)\s*)*", "", body)
    word = re.match(r"\s*([A-Za-z]+)", body)
    return bool(word) and word.group(1).upper() in _UPDATE_KEYWORDS  # type: ignore[union-attr]


class _Refusal(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message if message.endswith("\n") else message + "\n"
        self.headers = headers or {}


class SparqlProxy:
    """Checks a SPARQL Protocol request, passes it to the engine, and enforces the limits."""

    def __init__(self, engine: Engine, timeout: float, max_result_bytes: int,
                 log: Callable[[str], None] | None = None, grace: float | None = None) -> None:
        self.engine = engine
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        # How long after the deadline the engine may take to drop a stopped query (it notices late).
        self.grace = grace if grace is not None else max(10.0, 2.0 * engine.timeout_s)
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT_QUERIES)
        self._log = log or _stderr
        self.stopped_queries = 0

    def handle(self, method: str, query_string: str, content_type: str, body: bytes,
               accept: str) -> _Answer:
        params = parse_qsl(query_string, keep_blank_values=True, max_num_fields=1000)
        if "update" in dict(params):
            raise _Refusal(403, READ_ONLY_MESSAGE)
        mime = content_type.split(";")[0].strip().lower()
        if method == "POST":
            if mime == "application/sparql-update":
                raise _Refusal(403, READ_ONLY_MESSAGE)
            if mime == "application/x-www-form-urlencoded":
                try:
                    form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=1000)
                except (UnicodeDecodeError, ValueError) as exc:
                    raise _Refusal(400, f"unreadable form: {exc}") from exc
                if "update" in dict(form):
                    raise _Refusal(403, READ_ONLY_MESSAGE)
                params += form
                texts = [v for k, v in form if k == "query"]
            elif mime == "application/sparql-query":
                try:
                    texts = [body.decode("utf-8")]
                except UnicodeDecodeError as exc:
                    raise _Refusal(400, "the query is not UTF-8 text") from exc
            else:
                raise _Refusal(415, "POST a query as application/sparql-query or as a form "
                                    "(application/x-www-form-urlencoded) with a query= field")
        else:
            texts = [v for k, v in params if k == "query"]
        if len(texts) > 1:
            raise _Refusal(400, "give one query= parameter, not several")
        if texts and is_update(texts[0]):
            raise _Refusal(403, READ_ONLY_MESSAGE)
        fmt = dict(params).get("format") or dict(params).get("output")
        if fmt:
            if fmt.lower() not in _FORMAT_PARAM:
                raise _Refusal(400, f"unknown format {fmt!r}; choose one of {', '.join(_FORMAT_PARAM)} "
                                    "or use an Accept header")
            accept = _FORMAT_PARAM[fmt.lower()]
        forwarded = [(k, v) for k, v in params if k not in ("format", "output")]
        if method == "POST" and mime == "application/sparql-query":
            target, headers, payload = "/query?" + urlencode(forwarded), {"Content-Type": mime}, body
        elif method == "POST":
            target = "/query"
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            payload = urlencode(forwarded).encode("ascii")
        else:
            target, headers, payload = "/query" + ("?" + urlencode(forwarded) if forwarded else ""), {}, b""
        headers["Accept"] = accept or "*/*"
        return self._forward(method, target, headers, payload, bool(texts))

    def _forward(self, method: str, target: str, headers: dict[str, str], payload: bytes,
                 is_query: bool) -> _Answer:
        started = time.monotonic()
        deadline = started + self.timeout
        if not self._slots.acquire(timeout=max(0.0, min(self.timeout, 10.0))):
            raise _Refusal(503, f"the server is busy ({MAX_CONCURRENT_QUERIES} queries running); "
                                "retry in a moment", {"Retry-After": "5"})
        release = True
        try:
            try:
                address = self.engine.address
                answer = _exchange(address, _http_request(method, target, address, headers, payload),
                                   deadline, self.max_result_bytes)
            except _Timeout as stopped:
                release = False
                self._watch(stopped.sock, address)
                raise self._timeout_refusal() from None
            except _TooLarge:
                raise _Refusal(413, f"the result is larger than this server's limit of "
                                    f"{_human_bytes(self.max_result_bytes)} (kg serve --max-result-bytes); "
                                    "add LIMIT or ask for fewer variables") from None
            except _EngineDown as exc:
                raise _Refusal(503, f"the SPARQL engine is not available ({exc}); retry in a moment",
                               {"Retry-After": "2"}) from None
            if answer.body.rstrip().endswith(_CANCELLED_MARKER) or (
                    is_query and answer.status == 200 and time.monotonic() > deadline):
                raise self._timeout_refusal()
            return answer
        finally:
            if release:
                self._slots.release()

    def _timeout_refusal(self) -> _Refusal:
        self.stopped_queries += 1
        limit = f"{self.timeout:g} s"
        self._log(f"kg serve: stopped a query at the time limit of {limit}")
        return _Refusal(503, f"query stopped: it ran longer than this server's time limit of {limit} "
                             "(kg serve --timeout); add LIMIT or make it more selective")

    def _watch(self, sock: socket.socket, address: tuple[str, int]) -> None:
        """Wait in the background for the engine to drop the stopped query; restart it if it does not."""
        grace = self.grace

        def watch() -> None:
            try:
                deadline = time.monotonic() + grace
                while (remaining := deadline - time.monotonic()) > 0:
                    sock.settimeout(remaining)
                    try:
                        if not sock.recv(256 * 1024):
                            return  # the engine cancelled it and closed the connection
                    except TimeoutError:
                        break
                    except OSError:
                        return
                with contextlib.suppress(_EngineDown):
                    if self.engine.address == address:
                        self.engine.request_restart(f"a stopped query was still running after {grace:.0f} s")
            finally:
                sock.close()
                self._slots.release()

        threading.Thread(target=watch, name="kg-serve-watch", daemon=True).start()


def _human_bytes(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


# -- pages --------------------------------------------------------------------------------

_PROPERTY_LABELS = {  # (property, direction) -> French label of the fact on an entity page
    (RDF_TYPE, "out"): "type",
    (str(SCHEMA.name), "out"): "nom",
    (str(SCHEMA.alternateName), "out"): "autre nom",
    (str(SCHEMA.mentions), "in"): "mentionné dans",
    (str(SCHEMA.worksFor), "out"): "travaille pour",
    (str(SCHEMA.worksFor), "in"): "emploie",
    (str(SCHEMA.founder), "out"): "a pour fondateur",
    (str(SCHEMA.founder), "in"): "a fondé",
    (str(SCHEMA.creator), "out"): "développé par",
    (str(SCHEMA.creator), "in"): "a développé",
    (str(ORG.role), "out"): "rôle",
    (str(SCHEMA.author), "in"): "a déclaré",
    (str(SCHEMA.about), "in"): "déclaration à son sujet",
}
_TYPE_LABELS = {str(SCHEMA.Person): "Personne", str(SCHEMA.Organization): "Organisation",
                str(KG.AIModel): "Modèle d’IA", str(KG.LanguageModel): "Modèle de langue",
                str(SCHEMA.NewsArticle): "Article"}
_FACT_ORDER = {p: i for i, p in enumerate(
    (str(SCHEMA.worksFor), str(ORG.role), str(SCHEMA.founder), str(SCHEMA.creator), str(SCHEMA.author),
     str(SCHEMA.about), str(SCHEMA.mentions)))}
_MAX_TRIPLES_SHOWN = 500


def entity_data(store: Store, iri: str) -> dict[str, Any]:
    """Everything known about ``iri`` for its page: canonical facts, each with its evidence
    sentence and article, and the raw statements it takes part in."""
    prefixes = display_prefixes(store.iris.base)
    try:
        node = ox.NamedNode(iri)
    except ValueError as exc:
        raise UsageError(f"{iri!r} is not an IRI: {exc}") from None
    facts_result = run_query(store, canned_queries()["entity"].text, {"entity": node})
    idx = {v: i for i, v in enumerate(facts_result.variables)}
    names: list[str] = []
    alternates: list[str] = []
    types: list[dict[str, str]] = []
    facts: list[dict[str, Any]] = []
    article_ids: set[str] = set()
    for row in facts_result.terms:
        prop = row[idx["property"]].value  # type: ignore[union-attr]
        direction = row[idx["direction"]].value  # type: ignore[union-attr]
        value = row[idx["value"]]
        label = row[idx["valueLabel"]]
        if prop == RDF_TYPE and value is not None:
            types.append({"iri": value.value, "label": _TYPE_LABELS.get(value.value, value.value)})
            continue
        if prop == str(SCHEMA.name) and label is not None:
            names.append(label.value)
            continue
        if prop == str(SCHEMA.alternateName) and label is not None:
            alternates.append(label.value)
            continue
        article = row[idx["article"]]
        if article is not None:
            article_ids.add(article.value)
        evidence, conf = row[idx["evidence"]], row[idx["confidence"]]
        facts.append({
            "property": prop,
            "propertyLabel": _PROPERTY_LABELS.get((prop, direction), _shorten(prop, prefixes)),
            "direction": direction,
            "value": None if value is None else {"type": value.kind, "value": value.value},
            "valueLabel": None if label is None else label.value,
            "evidence": None if evidence is None else evidence.value,
            "article": None if article is None else article.value,
            "confidence": None if conf is None else conf.value,
        })
    facts.sort(key=lambda f: (_FACT_ORDER.get(f["property"], len(_FACT_ORDER)), f["propertyLabel"],
                              f["valueLabel"] or "", f["article"] or "", f["evidence"] or ""))
    articles = _articles(store, article_ids)
    outgoing = _statements(store, f"SELECT DISTINCT ?p ?o ?label WHERE {{ {node} ?p ?o . "
                                  f"OPTIONAL {{ ?o <{SCHEMA.name}> ?label }} }} ORDER BY ?p ?o")
    incoming = _statements(store, f"SELECT DISTINCT ?p ?o ?label WHERE {{ ?o ?p {node} . "
                                  f"OPTIONAL {{ ?o <{SCHEMA.name}> ?label }} }} ORDER BY ?p ?o")
    headline = next((s["o"]["value"] for s in outgoing["rows"] if s["p"] == str(SCHEMA.headline)), None)
    return {
        "iri": iri,
        "found": bool(facts_result.rows or outgoing["rows"] or incoming["rows"]),
        "name": min(names) if names else headline,
        "alternateNames": sorted(set(alternates)),
        "types": types,
        "facts": facts,
        "articles": articles,
        "outgoing": outgoing,
        "incoming": incoming,
        "prefixes": prefixes,
    }


def _articles(store: Store, identifiers: set[str]) -> dict[str, dict[str, str | None]]:
    if not identifiers:
        return {}
    values = " ".join(ox.Literal(i).__str__() for i in sorted(identifiers))
    result = run_query(store, f"""SELECT ?id ?doc ?headline ?url ?date WHERE {{ VALUES ?id {{ {values} }}
        ?doc a <{SCHEMA.NewsArticle}> ; <{SCHEMA.identifier}> ?id .
        OPTIONAL {{ ?doc <{SCHEMA.headline}> ?headline }} OPTIONAL {{ ?doc <{SCHEMA.url}> ?url }}
        OPTIONAL {{ ?doc <{SCHEMA.datePublished}> ?date }} }}""")
    out: dict[str, dict[str, str | None]] = {}
    for row in result.rows:
        ident, doc, headline, url, date = row
        out[str(ident)] = {"iri": doc, "headline": headline, "date": date,
                           "url": url if url and re.match(r"(?i)^https?://", url) else None}
    return out


def _statements(store: Store, sparql: str) -> dict[str, Any]:
    result = run_query(store, sparql)
    rows = []
    for p, o, label in result.terms[:_MAX_TRIPLES_SHOWN]:
        rows.append({"p": p.value if p else "", "o": {"type": o.kind, "value": o.value} if o else None,
                     "label": label.value if label else None})
    return {"rows": rows, "total": len(result.terms)}


def _shorten(iri: str, prefixes: dict[str, str]) -> str:
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    return next(p for p, ns in prefixes.items() if ns == best) + ":" + iri[len(best):]


_PAGE_CSS = """
  html, body { margin: 0; height: 100%; font-family: sans-serif; color: #222; background: #fff; }
  body { display: flex; flex-direction: column; }
  header { padding: 6px 12px; border-bottom: 1px solid #ddd; display: flex; gap: 16px;
           align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header p { margin: 0; font-size: 13px; color: #555; }
  main { flex: 1; display: flex; min-height: 0; }
  #kg-view-panel { flex: 1 1 58%; display: flex; flex-direction: column; min-width: 0;
                   border-right: 1px solid #ddd; }
  #kg-view { flex: 1; border: 0; width: 100%; min-height: 300px; }
  #kg-view-bar { font-size: 13px; padding: 4px 8px; border-top: 1px solid #eee; color: #555; }
  #kg-sparql-panel { flex: 1 1 42%; overflow: auto; padding: 8px 12px; min-width: 0; }
  h2 { font-size: 15px; margin: 4px 0 8px; }
  #kg-canned { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 4px; }
  #kg-canned button { font-size: 12px; }
  #kg-canned button.kg-current { font-weight: bold; }
  #kg-canned-description { font-size: 12px; color: #555; margin: 4px 0; min-height: 1em; }
  #kg-query { width: 100%; box-sizing: border-box; height: 170px; font-family: monospace; font-size: 12px; }
  .kg-bar { display: flex; gap: 8px; align-items: center; margin: 4px 0; font-size: 13px; flex-wrap: wrap; }
  #kg-error { background: #fde8e8; border: 1px solid #e0a0a0; color: #7a1010; padding: 6px 8px;
              white-space: pre-wrap; font-size: 13px; }
  #kg-results { border-collapse: collapse; font-size: 12px; margin-top: 6px; }
  #kg-results th, #kg-results td { border: 1px solid #ddd; padding: 2px 5px; text-align: left;
                                   vertical-align: top; max-width: 420px; }
  #kg-results th { background: #f4f4f4; position: sticky; top: 0; }
  #kg-text { font-size: 12px; white-space: pre-wrap; }
  .kg-lang { color: #999; font-size: 10px; margin-left: 2px; }
  .kg-hint { font-size: 12px; color: #666; }
  code { font-size: 12px; }
"""

_PAGE_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function $(id) { return document.getElementById(id); }
  var editor = $("kg-query"), table = $("kg-results"), text = $("kg-text"), status = $("kg-result-status"),
      errorBox = $("kg-error"), description = $("kg-canned-description");
  var endpoint = location.origin + data.endpoint;
  $("kg-endpoint").textContent = endpoint;
  $("kg-summary").textContent = data.counts.articles + (data.counts.articles === 1 ? " article, " : " articles, ") +
    data.counts.triples + " triplets";

  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
  function shorten(iri) {
    var bestPrefix = null, bestNs = "";
    Object.keys(data.prefixes).forEach(function (p) {
      var ns = data.prefixes[p];
      if (iri.indexOf(ns) === 0 && ns.length > bestNs.length) { bestPrefix = p; bestNs = ns; }
    });
    return bestPrefix === null ? iri : bestPrefix + ":" + iri.slice(bestNs.length);
  }
  function entityLink(iri, label) {
    var a = document.createElement("a");
    a.href = "/entity?iri=" + encodeURIComponent(iri);
    a.textContent = label || shorten(iri);
    a.title = iri;
    return a;
  }
  function cell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      td.appendChild(entityLink(term.value));
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) {
        var lang = document.createElement("span");
        lang.className = "kg-lang";
        lang.textContent = "@" + term["xml:lang"];
        td.appendChild(lang);
      }
    }
    return td;
  }
  function reset() {
    errorBox.hidden = true;
    clear(errorBox);
    clear(table);
    text.hidden = true;
    text.textContent = "";
  }
  function finish(rows, message) {
    status.textContent = message;
    document.body.dataset.kgRows = String(rows);
    document.body.dataset.kgState = "done";
  }
  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    status.textContent = "erreur";
    document.body.dataset.kgState = "error";
  }
  function showSolutions(json, ms) {
    var vars = json.head.vars || [], rows = json.results.bindings;
    var head = document.createElement("thead"), tr = document.createElement("tr");
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.textContent = v;
      tr.appendChild(th);
    });
    head.appendChild(tr);
    table.appendChild(head);
    var body = document.createElement("tbody");
    rows.forEach(function (b) {
      var row = document.createElement("tr");
      vars.forEach(function (v) { row.appendChild(cell(b[v])); });
      body.appendChild(row);
    });
    table.appendChild(body);
    finish(rows.length, rows.length + (rows.length === 1 ? " ligne" : " lignes") + " en " + ms + " ms");
  }
  function run(query) {
    reset();
    status.textContent = "requête en cours…";
    document.body.dataset.kgState = "running";
    var started = Date.now();
    $("kg-download-csv").href = data.endpoint + "?format=csv&query=" + encodeURIComponent(query);
    $("kg-download-json").href = data.endpoint + "?format=json&query=" + encodeURIComponent(query);
    fetch(data.endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.5"},
      body: query
    }).then(function (response) {
      return response.text().then(function (body) {
        return {ok: response.ok, status: response.status, type: response.headers.get("Content-Type") || "",
                body: body};
      });
    }).then(function (res) {
      var ms = Date.now() - started;
      if (!res.ok) { showError("HTTP " + res.status + " — " + res.body); return; }
      if (res.type.indexOf("json") >= 0) {
        var json = JSON.parse(res.body);
        if (Object.prototype.hasOwnProperty.call(json, "boolean")) {
          text.hidden = false;
          text.textContent = String(json["boolean"]);
          finish(1, "réponse : " + json["boolean"]);
        } else {
          showSolutions(json, ms);
        }
      } else {
        text.hidden = false;
        text.textContent = res.body;
        var n = res.body.split("\n").filter(function (l) { return l.trim(); }).length;
        finish(n, n + " triplets en " + ms + " ms");
      }
    }).catch(function (err) { showError(String(err)); });
  }
  function select(name) {
    var q = data.canned.filter(function (c) { return c.name === name; })[0];
    if (!q) { return null; }
    editor.value = q.text;
    description.textContent = q.description;
    Array.prototype.forEach.call(document.querySelectorAll("#kg-canned button"), function (b) {
      b.classList.toggle("kg-current", b.dataset.query === name);
    });
    document.body.dataset.kgQuery = name;
    return q;
  }
  data.canned.forEach(function (q) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = q.name;
    b.title = q.description;
    b.dataset.query = q.name;
    b.addEventListener("click", function () { if (select(q.name)) { run(editor.value); } });
    $("kg-canned").appendChild(b);
  });
  $("kg-run").addEventListener("click", function () { run(editor.value); });
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(editor.value); }
  });
  function literal(s) {
    var body = s.replace(/\\/g, "\\\\").replace(/"/g, "\\\"");
    return "\"" + body.replace(/\n/g, "\\n").replace(/\r/g, "\\r") + "\"";
  }
  $("kg-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var wanted = $("kg-search-text").value.trim();
    if (!wanted) { return; }
    editor.value = "PREFIX schema: <https://schema.org/>\n" +
      "SELECT DISTINCT ?entity ?name ?type WHERE {\n" +
      "  ?entity schema:name ?name ; a ?type .\n" +
      "  OPTIONAL { ?entity schema:alternateName ?alt }\n" +
      "  FILTER(CONTAINS(LCASE(STR(?name)), LCASE(" + literal(wanted) + ")) ||\n" +
      "         CONTAINS(LCASE(STR(?alt)), LCASE(" + literal(wanted) + ")))\n" +
      "} ORDER BY ?name LIMIT 100";
    description.textContent = "Entités dont le nom contient « " + wanted + " »";
    run(editor.value);
  });

  // The network view: report what it drew, and open an entity's page from a click on its node.
  var frame = $("kg-view"), viewStatus = $("kg-view-status"), selected = $("kg-selected");
  frame.addEventListener("load", function () {
    var tries = 0;
    (function poll() {
      var win = frame.contentWindow, doc = frame.contentDocument;
      var drawn = doc && doc.body && doc.body.dataset.kgNodes;
      if (drawn !== undefined && drawn !== null) {
        document.body.dataset.viewNodes = doc.body.dataset.kgNodes;
        document.body.dataset.viewEdges = doc.body.dataset.kgEdges;
        viewStatus.textContent = "Réseau : " + doc.body.dataset.kgNodes + " entités, " +
          doc.body.dataset.kgEdges + " liens. Cliquez sur une entité pour ouvrir sa page.";
        if (win.network) {
          win.network.on("click", function (params) {
            if (!params.nodes.length) { return; }
            var id = params.nodes[0], item = win.nodes.get(id);
            clear(selected);
            selected.appendChild(document.createTextNode("Entité : "));
            selected.appendChild(entityLink(String(id), item && item.label ? String(item.label) : ""));
          });
        }
      } else if (tries++ < 100) {
        setTimeout(poll, 200);
      }
    })();
  });

  var params = new URLSearchParams(location.search);
  if (params.get("run") && select(params.get("run"))) {
    run(editor.value);
  } else if (params.get("query")) {
    editor.value = params.get("query");
    run(editor.value);
  } else {
    select(data.canned.length ? data.canned[0].name : "");
  }
})();
"""

_PAGE_HTML = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newskg — graphe et SPARQL</title>
<style>__CSS__</style>
</head>
<body>
<header>
  <h1>newskg</h1>
  <p id="kg-summary"></p>
  <p>SPARQL : <code id="kg-endpoint"></code> (lecture seule)</p>
</header>
<main>
  <section id="kg-view-panel" aria-label="Réseau des entités">
    <iframe id="kg-view" src="/view" title="Réseau des entités"></iframe>
    <div id="kg-view-bar"><span id="kg-view-status">Chargement du réseau…</span>
      <span id="kg-selected"></span></div>
  </section>
  <section id="kg-sparql-panel" aria-label="Requête SPARQL">
    <h2>Requêtes</h2>
    <div id="kg-canned"></div>
    <p id="kg-canned-description"></p>
    <textarea id="kg-query" spellcheck="false" aria-label="Requête SPARQL"></textarea>
    <div class="kg-bar">
      <button type="button" id="kg-run">Exécuter (Ctrl+Entrée)</button>
      <span id="kg-result-status" aria-live="polite"></span>
      <a id="kg-download-csv" href="#">CSV</a> <a id="kg-download-json" href="#">JSON</a>
    </div>
    <form id="kg-search" class="kg-bar">
      <input id="kg-search-text" type="search" placeholder="Chercher une entité par son nom…">
      <button type="submit">Chercher</button>
    </form>
    <div id="kg-error" role="alert" hidden></div>
    <table id="kg-results"></table>
    <pre id="kg-text" hidden></pre>
    <p class="kg-hint">Les identifiants (IRI) mènent à la page de l’entité : tout ce que le graphe en
      dit, chaque fait avec sa phrase et son article.</p>
  </section>
</main>
<script type="application/json" id="kg-data">__DATA__</script>
<script>__JS__</script>
</body>
</html>
"""

_ENTITY_CSS = """
  body { font-family: sans-serif; color: #222; margin: 0 auto; padding: 10px 18px; max-width: 1100px; }
  nav { font-size: 13px; margin-bottom: 6px; }
  h1 { font-size: 22px; margin: 4px 0; }
  h2 { font-size: 16px; margin: 18px 0 6px; }
  .kg-iri { font-family: monospace; font-size: 12px; color: #555; word-break: break-all; }
  .kg-type { display: inline-block; background: #eef; border-radius: 3px; padding: 1px 6px; margin-right: 4px;
             font-size: 12px; }
  table { border-collapse: collapse; font-size: 13px; width: 100%; }
  th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
  th { background: #f4f4f4; }
  blockquote { margin: 0; font-style: italic; }
  .kg-muted { color: #777; font-size: 12px; }
"""

_ENTITY_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function shorten(iri) {
    var bestPrefix = null, bestNs = "";
    Object.keys(data.prefixes).forEach(function (p) {
      var ns = data.prefixes[p];
      if (iri.indexOf(ns) === 0 && ns.length > bestNs.length) { bestPrefix = p; bestNs = ns; }
    });
    return bestPrefix === null ? iri : bestPrefix + ":" + iri.slice(bestNs.length);
  }
  function entityLink(iri, label) {
    var a = el("a", label || shorten(iri));
    a.href = "/entity?iri=" + encodeURIComponent(iri);
    a.title = iri;
    return a;
  }
  function term(t, label) {
    if (!t) { return el("span", label || ""); }
    if (t.type === "uri") { return entityLink(t.value, label); }
    return el("span", label || t.value);
  }
  function articleCell(id) {
    var td = el("td");
    if (!id) { return td; }
    var a = data.articles[id];
    if (!a) { td.textContent = id; return td; }
    td.appendChild(entityLink(a.iri, a.headline || id));
    if (a.date) { td.appendChild(el("div", a.date, "kg-muted")); }
    if (a.url && /^https?:\/\//i.test(a.url)) {
      var ext = el("a", "source ↗");
      ext.href = a.url;
      ext.rel = "noopener noreferrer";
      ext.target = "_blank";
      var line = el("div", null, "kg-muted");
      line.appendChild(ext);
      td.appendChild(line);
    }
    return td;
  }
  var main = document.getElementById("kg-entity");
  document.title = (data.name || shorten(data.iri)) + " — newskg";
  main.appendChild(el("h1", data.name || shorten(data.iri)));
  main.appendChild(el("div", data.iri, "kg-iri"));
  if (!data.found) {
    main.appendChild(el("p", "Le graphe ne dit rien de cet IRI."));
    return;
  }
  var types = el("p");
  data.types.forEach(function (t) { types.appendChild(el("span", t.label, "kg-type")); });
  if (data.types.length) {
    var view = el("a", "voir dans le réseau");
    view.href = "/view?depth=1&focus=" + encodeURIComponent(data.iri);
    types.appendChild(view);
  }
  main.appendChild(types);
  if (data.alternateNames.length) {
    main.appendChild(el("p", "Autres noms : " + data.alternateNames.join(" ; ")));
  }
  if (data.facts.length) {
    main.appendChild(el("h2", "Faits (" + data.facts.length + "), chacun avec sa preuve"));
    var table = el("table");
    table.id = "kg-facts";
    var head = el("tr");
    ["Relation", "Valeur", "Phrase (preuve)", "Article", "Confiance"].forEach(function (h) {
      head.appendChild(el("th", h));
    });
    table.appendChild(head);
    data.facts.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("td", f.propertyLabel));
      var value = el("td");
      if (f.property === "https://schema.org/author" || f.property === "https://schema.org/about") {
        value.appendChild(entityLink(f.value.value, "la déclaration"));
      } else if (f.property === "https://schema.org/mentions") {
        value.textContent = "";
      } else {
        value.appendChild(term(f.value, f.valueLabel));
      }
      tr.appendChild(value);
      var ev = el("td");
      if (f.evidence) { ev.appendChild(el("blockquote", "« " + f.evidence + " »")); }
      tr.appendChild(ev);
      tr.appendChild(articleCell(f.article));
      tr.appendChild(el("td", f.confidence || ""));
      table.appendChild(tr);
    });
    main.appendChild(table);
  }
  [["outgoing", "Triplets dont il est le sujet"], ["incoming", "Triplets dont il est l’objet"]].forEach(
    function (pair) {
      var part = data[pair[0]];
      if (!part.rows.length) { return; }
      var details = el("details");
      details.appendChild(el("summary", pair[1] + " (" + part.total + ")"));
      var table = el("table");
      part.rows.forEach(function (r) {
        var tr = el("tr");
        tr.appendChild(el("td", shorten(r.p)));
        var td = el("td");
        td.appendChild(term(r.o, r.label));
        tr.appendChild(td);
        table.appendChild(tr);
      });
      details.appendChild(table);
      if (part.total > part.rows.length) {
        details.appendChild(el("p", part.rows.length + " affichés sur " + part.total, "kg-muted"));
      }
      main.appendChild(details);
    });
  document.body.dataset.kgFacts = String(data.facts.length);
})();
"""

_ENTITY_HTML = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newskg — entité</title>
<style>__CSS__</style>
</head>
<body>
<nav><a href="/">← graphe et requêtes</a></nav>
<main id="kg-entity"></main>
<script type="application/json" id="kg-data">__DATA__</script>
<script>__JS__</script>
</body>
</html>
"""

_SCRIPT_RE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<code>.*?)</script>", re.DOTALL | re.IGNORECASE)


def content_security_policy(html: str, *, framed: bool = False) -> str:
    """Allow exactly the page's own inline scripts (by hash) and nothing from elsewhere."""
    hashes = []
    for m in _SCRIPT_RE.finditer(html):
        if "application/json" in m.group("attrs"):
            continue  # data, never run
        digest = base64.b64encode(hashlib.sha256(m.group("code").encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return "; ".join([
        "default-src 'none'",
        "script-src " + (" ".join(sorted(set(hashes))) or "'none'"),
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'" if framed else "frame-ancestors 'none'",
    ])


def _fill(template: str, css: str, js: str, data: Any) -> str:
    from kg.viz import safe_json

    return template.replace("__CSS__", css).replace("__JS__", js).replace("__DATA__", str(safe_json(data)))


# -- the front server ---------------------------------------------------------------------

class KGServer:
    """The running ``kg serve``: front server, engine and store. Use :meth:`start`, then
    :meth:`serve_forever` (or a thread), then :meth:`close`."""

    def __init__(self, store_path: str | os.PathLike[str], settings: ServeSettings | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.settings = settings or ServeSettings()
        self.settings.check()
        self.store_path = Path(store_path)
        self.log = log or _stderr
        self.store: Store | None = None
        self.engine: Engine | None = None
        self.proxy: SparqlProxy | None = None
        self.httpd: ThreadingHTTPServer | None = None
        self._views: OrderedDict[tuple[str, ...], str] = OrderedDict()
        self._view_lock = threading.Lock()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.summary = ""
        self.counts = {"articles": 0, "triples": 0}

    def start(self) -> KGServer:
        self.store = open_store(self.store_path, read_only=True)
        try:
            self._warn_about_writer()
            self.counts = {"articles": len(self.store.documents()), "triples": len(self.store)}
            articles = self.counts["articles"]
            self.summary = f"{articles} article{'s' if articles != 1 else ''}, {self.counts['triples']} triples"
            self._tmp = tempfile.TemporaryDirectory(prefix="kg-serve-")
            settings = self.settings
            self.httpd = _make_httpd(settings.host, settings.port, self)  # a taken port fails before the engine starts
            # the engine reads what this process opened: the current snapshot (held until close)
            self.engine = Engine(self.store.location, settings.timeout, settings.oxigraph, self.log).start()
            self.proxy = SparqlProxy(self.engine, settings.timeout, settings.max_result_bytes, self.log)
            threading.Thread(target=self._warm_up, name="kg-serve-view", daemon=True).start()
        except BaseException:
            self.close()
            raise
        return self

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        shown = str(host)
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        assert self.httpd is not None
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread)."""
        if self.httpd is not None:
            self.httpd.shutdown()

    def close(self) -> None:
        if self.httpd is not None:
            self.httpd.server_close()
            self.httpd = None
        if self.engine is not None:
            self.engine.stop()
            self.engine = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> KGServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- content -----------------------------------------------------------------------
    def page(self) -> str:
        assert self.store is not None
        canned = [{"name": q.name, "description": q.description, "text": q.text}
                  for q in canned_queries().values()]
        data = {"canned": canned, "prefixes": display_prefixes(self.store.iris.base), "endpoint": "/sparql",
                "counts": self.counts}
        return _fill(_PAGE_HTML, _PAGE_CSS, _PAGE_JS, data)

    def entity_page(self, iri: str) -> tuple[int, str]:
        assert self.store is not None
        data = entity_data(self.store, iri)
        return (200 if data["found"] else 404), _fill(_ENTITY_HTML, _ENTITY_CSS, _ENTITY_JS, data)

    def view(self, focus: str | None, depth: int, types: str | None) -> str:
        """The network view, as ``kg view`` draws it; cached, since the store does not change."""
        from kg.viz import render_view

        assert self.store is not None and self._tmp is not None
        key = (focus or "", str(depth), types or "")
        with self._view_lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
            out = Path(self._tmp.name) / f"view-{len(self._views)}-{time.monotonic_ns()}.html"
            render_view(self.store, out, focus=focus, depth=depth,
                        types=[t for t in types.split(",") if t.strip()] if types else None)
            html = out.read_text(encoding="utf-8")
            out.unlink()
            self._views[key] = html
            while len(self._views) > 16:
                self._views.popitem(last=False)
            return html

    def _warm_up(self) -> None:
        """Draw the default view now, so that the first page load does not wait for the layout."""
        with contextlib.suppress(Exception):
            self.view(None, 2, None)

    def _warn_about_writer(self) -> None:
        """Say so when ``kg build`` holds the store (read without taking any lock)."""
        lock = self.store_path / "newskg.lock"
        try:
            pid = int(lock.read_text().strip() or "0")
        except (OSError, ValueError):
            return
        if pid > 0 and pid != os.getpid():
            try:
                os.kill(pid, 0)
            except OSError:
                return
            self.log(f"kg serve: warning: process {pid} is writing {self.store_path}; the server shows "
                     "the last finished build; restart it when the build is done")


def _make_httpd(host: str, port: int, app: KGServer) -> ThreadingHTTPServer:
    family = socket.AF_INET
    try:
        if ipaddress.ip_address(host).version == 6:
            family = socket.AF_INET6
    except ValueError:
        pass  # a host name

    class Server(ThreadingHTTPServer):
        address_family = family
        daemon_threads = True
        allow_reuse_address = True

    handler = type("KGHandler", (_Handler,), {"app": app})
    try:
        return Server((host, port), handler)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


class _Handler(BaseHTTPRequestHandler):
    app: KGServer
    protocol_version = "HTTP/1.1"
    server_version = f"newskg/{__version__}"
    timeout = 60  # an idle keep-alive connection is closed after this

    # -- routing -----------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_OPTIONS(self) -> None:
        self._send(204, b"", "text/plain", extra={"Allow": "GET, HEAD, POST, OPTIONS"})

    def _dispatch(self, method: str) -> None:
        self._consumed = False  # a keep-alive connection reuses this handler for its next request
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True, max_num_fields=100))
        try:
            if url.path == "/sparql":
                self._sparql(method, url.query)
            elif method not in ("GET", "HEAD"):
                body = READ_ONLY_MESSAGE if method in ("PUT", "DELETE", "PATCH") else "use GET\n"
                raise _Refusal(405, body, {"Allow": "GET, HEAD"})
            elif url.path == "/":
                self._html(200, self.app.page())
            elif url.path == "/view":
                self._view(params)
            elif url.path == "/entity":
                self._html(*self.app.entity_page(self._iri(params)))
            elif url.path == "/api/entity":
                assert self.app.store is not None
                data = entity_data(self.app.store, self._iri(params))
                self._send(200 if data["found"] else 404,
                           json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json")
            elif url.path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            else:
                raise _Refusal(404, f"no page {url.path!r} here; see / (page) and /sparql (SPARQL endpoint)")
        except _Refusal as refusal:
            self._send(refusal.status, refusal.message.encode("utf-8"), "text/plain; charset=utf-8",
                       extra=refusal.headers)
        except (UsageError, QueryError) as exc:
            self._send(400, f"{exc}\n".encode(), "text/plain; charset=utf-8")
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:
            self.app.log(f"kg serve: internal error on {method} {url.path}: {exc}\n{traceback.format_exc()}")
            with contextlib.suppress(OSError):
                self._send(500, f"internal error: {exc}\n".encode(), "text/plain; charset=utf-8")

    # -- routes ------------------------------------------------------------------------
    def _sparql(self, method: str, query_string: str) -> None:
        assert self.app.proxy is not None
        if method not in ("GET", "HEAD", "POST"):
            raise _Refusal(405, READ_ONLY_MESSAGE, {"Allow": "GET, HEAD, POST, OPTIONS"})
        accept = self.headers.get("Accept", "")
        if method in ("GET", "HEAD") and not query_string and "text/html" in accept:
            self._send(303, b"", "text/plain", extra={"Location": "/"})
            return
        body = self._body() if method == "POST" else b""
        answer = self.app.proxy.handle("POST" if method == "POST" else "GET", query_string,
                                       self.headers.get("Content-Type", ""), body, accept)
        content = answer.body
        if not query_string and method != "POST":  # the service description names the engine's own URL
            host, port = self.app.engine.address if self.app.engine else ("", 0)
            private, public = f"http://{host}:{port}/query", self._public_url("/sparql")
            content = content.replace(private.encode(), public.encode())
        self._send(answer.status, content, answer.content_type, extra={"Vary": "Accept"},
                   head_only=method == "HEAD")

    def _view(self, params: dict[str, str]) -> None:
        try:
            depth = int(params.get("depth", "2"))
        except ValueError:
            raise _Refusal(400, "depth must be a whole number") from None
        try:
            html = self.app.view(params.get("focus") or None, depth, params.get("types") or None)
        except UsageError as exc:
            raise _Refusal(404 if "focus" in str(exc) else 400, str(exc)) from None
        self._html(200, html, framed=True)

    def _iri(self, params: dict[str, str]) -> str:
        iri = params.get("iri", "").strip().removeprefix("<").removesuffix(">")
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", iri):
            raise _Refusal(400, "give the entity's IRI: /entity?iri=https://…")
        return iri

    # -- helpers -----------------------------------------------------------------------
    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            raise _Refusal(411, "send the request with a Content-Length")
        try:
            size = int(length)
        except ValueError:
            raise _Refusal(400, "bad Content-Length") from None
        if size > MAX_REQUEST_BYTES:
            raise _Refusal(413, f"the request is larger than {_human_bytes(MAX_REQUEST_BYTES)}")
        body = self.rfile.read(size)
        self._consumed = True
        return body

    def _public_url(self, path: str) -> str:
        host = self.headers.get("Host") or urlsplit(self.app.url).netloc
        return f"http://{host}{path}"

    def _html(self, status: int, html: str, framed: bool = False) -> None:
        self._send(status, html.encode("utf-8"), "text/html; charset=utf-8",
                   extra={"Content-Security-Policy": content_security_policy(html, framed=framed),
                          "X-Frame-Options": "SAMEORIGIN" if framed else "DENY"},
                   head_only=self.command == "HEAD")

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None,
              head_only: bool = False) -> None:
        if self.command not in ("GET", "HEAD", "OPTIONS") and not getattr(self, "_consumed", False):
            self.close_connection = True  # an unread request body must not be taken for the next request
        self.send_response(status)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        if self.app.settings.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head_only and self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: errors are reported through KGServer.log


# -- the command --------------------------------------------------------------------------

def serve(store_path: str | os.PathLike[str], settings: ServeSettings | None = None,
          announce: Callable[[KGServer], None] | None = None) -> None:
    """Run ``kg serve`` until interrupted (Ctrl-C) or terminated (SIGTERM)."""
    server = KGServer(store_path, settings)
    server.start()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, stop)
    try:
        if announce is not None:
            announce(server)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["Engine", "KGServer", "ServeError", "ServeSettings", "SparqlProxy", "content_security_policy",
           "entity_data", "find_oxigraph", "is_update", "parse_size", "serve"]
