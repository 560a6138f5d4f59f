"""The read-only SPARQL front: checks a SPARQL Protocol request, passes it to the engine
(httpx, streaming), and adds what the engine lacks.

* *Read-only with a clear answer*: an update (``update=`` parameter,
  ``application/sparql-update`` body, or an update in ``query=``) gets 403 and a
  message saying how to change the store; SERVICE is refused (see :mod:`.checks`).
* *A time limit that answers*: Oxigraph's ``--timeout-s`` does cancel a runaway
  evaluation, but by then it has already sent ``200 OK`` and it ends the body with
  an error text, so a client would read a truncated document as a success (and it
  notices late: seconds after the limit). The proxy therefore reads the whole
  answer before sending anything, under its own deadline; past the deadline it
  answers 503 with a message. The engine connection of the stopped query goes to
  a watcher task, which waits for the engine to abandon it; should the engine not
  (a query it cannot cancel), the engine is restarted.
* *A result-size limit*: an answer larger than ``max_result_bytes`` is dropped
  while it streams in, and the client gets 413 (the query must change, not the
  server). Buffering is also what makes a clean error status possible at all.
* At most :data:`MAX_CONCURRENT_QUERIES` queries at a time (a stopped query holds
  its slot until the engine has really let it go).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl, urlencode

import httpcore
import httpx

from kg import __version__
from kg.serve.checks import READ_ONLY_MESSAGE, Refusal, check_query, check_services, may_call_out
from kg.serve.engine import EngineDown
from kg.serve.settings import KEEP_ALIVE_SECONDS, MAX_CONCURRENT_QUERIES, human_bytes

# What talking to the engine may raise (its transport's errors are httpcore's, unmapped).
_ENGINE_ERRORS = (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError, httpcore.TimeoutException, OSError)
_CANCELLED_MARKER = b"The SPARQL operation has been cancelled"
_FORMAT_PARAM = {  # ?format=… for links and browsers; anything else is content negotiation
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
    "ntriples": "application/n-triples", "nt": "application/n-triples", "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


class EngineLike(Protocol):
    timeout_s: int

    @property
    def address(self) -> tuple[str, int]: ...

    def request_restart(self, reason: str) -> None: ...


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


class _TooLarge(Exception):
    pass


class EngineTransport(httpx.AsyncBaseTransport):
    """httpx's transport to the engine: keep-alive connections on a plain free list.

    httpx's default pool checks every idle connection's socket on every request; with a
    connection per concurrent query kept alive, that was a third of the front's CPU under
    load. The engine is one local origin, so the most recently used idle connection will do.
    """

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._idle: list[httpcore.AsyncHTTPConnection] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = httpcore.Origin(url.raw_scheme, url.raw_host, url.port or 80)
        connection = None
        while self._idle and connection is None:
            candidate = self._idle.pop()
            if candidate.can_handle_request(origin) and candidate.is_idle() and not candidate.has_expired():
                connection = candidate
            else:
                await candidate.aclose()
        if connection is None:
            connection = httpcore.AsyncHTTPConnection(origin, keepalive_expiry=KEEP_ALIVE_SECONDS)
        try:
            response = await connection.handle_async_request(httpcore.Request(
                request.method, httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                                             target=url.raw_path),
                headers=request.headers.raw, content=request.stream, extensions=request.extensions))
        except BaseException:
            await connection.aclose()
            raise
        return httpx.Response(response.status, headers=response.headers, extensions=response.extensions,
                              stream=_Returned(response, connection, self))

    async def give_back(self, connection: httpcore.AsyncHTTPConnection) -> None:
        if connection.is_idle() and len(self._idle) < self._keep:
            self._idle.append(connection)
        else:
            await connection.aclose()

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.aclose()


class _Returned(httpx.AsyncByteStream):
    """An engine answer's body; once read or closed, its connection goes back to the free list."""

    def __init__(self, response: httpcore.Response, connection: httpcore.AsyncHTTPConnection,
                 transport: EngineTransport) -> None:
        self._response, self._connection, self._transport = response, connection, transport

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._response.aiter_stream():
            yield part

    async def aclose(self) -> None:
        await self._response.aclose()
        await self._transport.give_back(self._connection)


class _Exchange:
    """One request to the engine, its answer read whole (up to ``limit`` bytes)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.abandoned = False  # set at the deadline: the rest is drained, not kept

    async def run(self, client: httpx.AsyncClient, request: httpx.Request) -> Answer:
        try:
            response = await client.send(request, stream=True)
        except _ENGINE_ERRORS as exc:
            raise EngineDown(str(exc) or type(exc).__name__) from exc
        try:
            body = bytearray()
            async for chunk in response.aiter_raw():
                if self.abandoned:
                    continue
                body += chunk
                if len(body) > self.limit:
                    raise _TooLarge()
            return Answer(response.status_code, response.headers.get("content-type", "application/octet-stream"),
                          bytes(body))
        except _ENGINE_ERRORS as exc:
            raise EngineDown(f"unreadable answer from the engine: {exc}") from exc
        finally:
            await response.aclose()


class SparqlProxy:
    """Checks a SPARQL Protocol request, passes it to the engine, and enforces the limits."""

    def __init__(self, engine: EngineLike, timeout: float, max_result_bytes: int,
                 log: Callable[[str], None] | None = None, grace: float | None = None,
                 allow_service: tuple[str, ...] = ()) -> None:
        self.engine = engine
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self.allow_service = allow_service
        # How long after the deadline the engine may take to drop a stopped query (it notices late).
        self.grace = grace if grace is not None else max(10.0, 2.0 * engine.timeout_s)
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_QUERIES)
        self._log = log or _stderr
        self._client: httpx.AsyncClient | None = None
        self._watchers: set[asyncio.Task[None]] = set()
        self.stopped_queries = 0

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:  # made in the serving event loop, on first use
            self._client = httpx.AsyncClient(
                transport=EngineTransport(keep=MAX_CONCURRENT_QUERIES), trust_env=False,
                timeout=httpx.Timeout(connect=5.0, read=None, write=10.0, pool=10.0),
                headers={"User-Agent": f"newskg/{__version__}"})
        return self._client

    async def aclose(self) -> None:
        for task in list(self._watchers):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def handle(self, method: str, query_string: str, content_type: str, body: bytes,
                     accept: str) -> Answer:
        params = parse_qsl(query_string, keep_blank_values=True, max_num_fields=1000)
        if "update" in dict(params):
            raise Refusal(403, READ_ONLY_MESSAGE)
        mime = content_type.split(";")[0].strip().lower()
        texts, params = self._query_texts(method, mime, body, params)
        if len(texts) > 1:
            raise Refusal(400, "give one query= parameter, not several")
        if texts:
            check_query(texts[0])
            if may_call_out(texts[0]):  # a full parse: in a thread, so that a long one does not hold others up
                await asyncio.to_thread(check_services, texts[0], self.allow_service)
        fmt = dict(params).get("format") or dict(params).get("output")
        if fmt:
            if fmt.lower() not in _FORMAT_PARAM:
                raise Refusal(400, f"unknown format {fmt!r}; choose one of {', '.join(_FORMAT_PARAM)} "
                                   "or use an Accept header")
            accept = _FORMAT_PARAM[fmt.lower()]
        forwarded = [(k, v) for k, v in params if k not in ("format", "output")]
        headers = {"Accept": " ".join((accept or "*/*").split())}
        if method == "POST" and mime == "application/sparql-query":
            target, payload = "/query?" + urlencode(forwarded), body
            headers["Content-Type"] = mime
        elif method == "POST":
            target, payload = "/query", urlencode(forwarded).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            target, payload = "/query" + ("?" + urlencode(forwarded) if forwarded else ""), b""
        return await self._forward(method, target, headers, payload, bool(texts))

    @staticmethod
    def _query_texts(method: str, mime: str, body: bytes,
                     params: list[tuple[str, str]]) -> tuple[list[str], list[tuple[str, str]]]:
        if method != "POST":
            return [v for k, v in params if k == "query"], params
        if mime == "application/sparql-update":
            raise Refusal(403, READ_ONLY_MESSAGE)
        if mime == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=1000,
                                 errors="strict")
            except (UnicodeDecodeError, ValueError) as exc:
                raise Refusal(400, f"unreadable form: {' '.join(str(exc).split())[:200]}") from None
            if "update" in dict(form):
                raise Refusal(403, READ_ONLY_MESSAGE)
            return [v for k, v in form if k == "query"], params + form
        if mime == "application/sparql-query":
            try:
                return [body.decode("utf-8")], params
            except UnicodeDecodeError:
                raise Refusal(400, "the query is not UTF-8 text") from None
        raise Refusal(415, "POST a query as application/sparql-query or as a form "
                           "(application/x-www-form-urlencoded) with a query= field")

    async def _forward(self, method: str, target: str, headers: dict[str, str], payload: bytes,
                       is_query: bool) -> Answer:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=max(0.0, min(self.timeout, 10.0)))
        except TimeoutError:
            raise Refusal(503, f"the server is busy ({MAX_CONCURRENT_QUERIES} queries running); "
                               "retry in a moment", {"Retry-After": "5"}) from None
        release = True
        try:
            try:
                address = self.engine.address
            except EngineDown as exc:
                raise Refusal(503, f"the SPARQL engine is not available ({exc}); retry in a moment",
                              {"Retry-After": "2"}) from None
            request = self.client.build_request(method, f"http://{address[0]}:{address[1]}{target}",
                                                headers=headers, content=payload or None)
            exchange = _Exchange(self.max_result_bytes)
            task = asyncio.ensure_future(exchange.run(self.client, request))
            try:
                done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - loop.time()))
            finally:
                if not task.done():  # the deadline, or this request was cancelled: let the engine drop it
                    exchange.abandoned = True
                    release = False
                    self._watch(task, address)
            if not done:
                raise self._timeout_refusal()
            answer = task.result()
            if answer.body.rstrip().endswith(_CANCELLED_MARKER) or (
                    is_query and answer.status == 200 and loop.time() > deadline):
                raise self._timeout_refusal()
            return answer
        except _TooLarge:
            raise Refusal(413, f"the result is larger than this server's limit of "
                               f"{human_bytes(self.max_result_bytes)} (kg serve --max-result-bytes); "
                               "add LIMIT or ask for fewer variables") from None
        except EngineDown as exc:
            raise Refusal(503, f"the SPARQL engine is not available ({exc}); retry in a moment",
                          {"Retry-After": "2"}) from None
        finally:
            if release:
                self._slots.release()

    def _timeout_refusal(self) -> Refusal:
        self.stopped_queries += 1
        limit = f"{self.timeout:g} s"
        self._log(f"kg serve: stopped a query at the time limit of {limit}")
        return Refusal(503, f"query stopped: it ran longer than this server's time limit of {limit} "
                            "(kg serve --timeout); add LIMIT or make it more selective")

    def _watch(self, task: asyncio.Future[Answer], address: tuple[str, int]) -> None:
        """Wait in the background for the engine to drop the stopped query; restart it if it does not."""

        async def watch() -> None:
            try:
                done, _ = await asyncio.wait({task}, timeout=self.grace)
                if done:
                    with contextlib.suppress(BaseException):
                        task.result()  # its outcome no longer matters; only that it ended
                    return
                task.cancel()
                with contextlib.suppress(EngineDown):
                    if self.engine.address == address:
                        self.engine.request_restart(f"a stopped query was still running after {self.grace:.0f} s")
            finally:
                self._slots.release()

        watcher = asyncio.ensure_future(watch())
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
