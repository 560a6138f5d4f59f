"""The web application of ``kg serve`` (Starlette): routes, limits, security headers and CORS.

* ``/sparql``: the SPARQL 1.1 Protocol, read-only (see :mod:`.proxy`), with CORS
  for any origin, as public endpoints such as Wikidata's answer it, so that web
  clients served elsewhere (YASGUI) can query it; credentials are never allowed,
  and nothing but reading is possible anyway.
* ``/``, ``/view``, ``/entity``, ``/api/entity``: the pages (see :mod:`.pages`),
  each with a Content-Security-Policy pinning its scripts, and framing refused
  (``/view`` may be framed by this server's own page only).
* Every answer says ``nosniff``, ``no-referrer`` and ``no-store``; every refusal is
  plain text, one line, with the status that tells the client what to change.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg import __version__
from kg.errors import ArgumentError, FocusError, QueryError, ViewError
from kg.serve.checks import READ_ONLY_MESSAGE, Refusal
from kg.serve.pages import content_security_policy, entity_data, entity_page, main_page
from kg.serve.settings import MAX_HEAD_BYTES, MAX_QUERY_BYTES, human_bytes

if TYPE_CHECKING:
    from kg.serve.server import KGServer

_COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Server": f"newskg/{__version__}",
}
_CORS_HEADERS = {  # no Access-Control-Allow-Credentials: a browser then never sends cookies along
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
    "Access-Control-Max-Age": "600",
}
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
Endpoint = Callable[[Request], Awaitable[Response]]


def build_app(site: KGServer) -> ASGIApp:
    """The ASGI application serving ``site`` (a started :class:`KGServer`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if site.proxy is not None:
            await site.proxy.aclose()

    def route(path: str, endpoint: Endpoint, methods: tuple[str, ...] = ("GET",)) -> Route:
        return Route(path, _guarded(site, endpoint), methods=list(methods))

    app = Starlette(routes=[
        route("/sparql", _Sparql(site), ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")),
        route("/", _home(site)),
        route("/view", _view(site)),
        route("/entity", _entity(site)),
        route("/api/entity", _api_entity(site)),
        route("/favicon.ico", _favicon),
    ], exception_handlers={HTTPException: _http_error}, lifespan=lifespan)
    return Guard(app, site)


class Guard:
    """Outermost layer: the connection cap, OPTIONS (CORS preflight), and the common headers."""

    def __init__(self, app: ASGIApp, site: KGServer) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cors = self.site.settings.cors and scope["path"] == "/sparql"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                if cors:
                    for name, value in _CORS_HEADERS.items():
                        headers[name] = value
            await send(message)

        if (too_long := _head_too_long(scope)) is not None:
            response: Response = PlainTextResponse(too_long[1], too_long[0], {"Connection": "close"})
        elif self.site.open_connections() > self.site.settings.max_connections:
            await _drain(receive, min(self.site.settings.client_timeout, 5.0))
            response = PlainTextResponse(
                f"the server is busy ({self.site.settings.max_connections} connections open); retry in a moment\n",
                503, {"Retry-After": "5", "Connection": "close"})
        elif scope["method"] == "OPTIONS":
            allow = "GET, HEAD, POST, OPTIONS" if scope["path"] == "/sparql" else "GET, HEAD, OPTIONS"
            response = Response(status_code=204, headers={"Allow": allow})
        else:
            await self.app(scope, receive, send_with_headers)
            return
        await response(scope, receive, send_with_headers)


async def _drain(receive: Receive, seconds: float) -> None:
    """Read a small request body before refusing it: closing a socket with unread data resets it,
    and the client may then lose the answer."""
    received = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while received <= MAX_QUERY_BYTES:
                message = await receive()
                received += len(message.get("body", b""))
                if message["type"] != "http.request" or not message.get("more_body"):
                    return


def _head_too_long(scope: Scope) -> tuple[int, str] | None:
    """414 or 431 when the request line or the headers exceed :data:`MAX_HEAD_BYTES`.

    h11 caps only a head still arriving; one that came whole in a single read is checked here.
    """
    target = len(scope["raw_path"]) + len(scope["query_string"])
    if target > MAX_HEAD_BYTES:
        return 414, (f"the URL is longer than this server's limit of {human_bytes(MAX_HEAD_BYTES)}; "
                     "POST a long query as application/sparql-query\n")
    if sum(len(k) + len(v) + 4 for k, v in scope["headers"]) > MAX_HEAD_BYTES:
        return 431, f"the request headers are larger than this server's limit of {human_bytes(MAX_HEAD_BYTES)}\n"
    return None


def _guarded(site: KGServer, endpoint: Endpoint) -> Endpoint:
    """``endpoint`` with every failure turned into a one-line plain-text answer."""

    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Refusal as refusal:
            return _refuse(request, refusal)
        except (ArgumentError, QueryError) as exc:
            return _refuse(request, Refusal(400, " ".join(str(exc).split())))
        except ClientDisconnect:
            return _refuse(request, Refusal(400, "the client went away"))
        except Exception as exc:
            site.log(f"kg serve: internal error on {request.method} {request.url.path}: {exc}\n"
                     f"{traceback.format_exc()}")
            return _refuse(request, Refusal(500, f"internal error: {' '.join(str(exc).split())[:300]}"))

    return run


def _refuse(request: Request, refusal: Refusal) -> PlainTextResponse:
    headers = dict(refusal.headers)
    if request.method not in _SAFE_METHODS and not getattr(request.state, "body_read", False):
        headers["Connection"] = "close"  # an unread request body must not be taken for the next request
    return PlainTextResponse(refusal.message, refusal.status, headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = READ_ONLY_MESSAGE if request.method in ("PUT", "DELETE", "PATCH") else "use GET\n"
        return _refuse(request, Refusal(405, message, {"Allow": "GET, HEAD"}))
    if exc.status_code == 404:
        return _refuse(request, Refusal(404, f"no page {request.url.path!r} here; see / (page) and "
                                             "/sparql (SPARQL endpoint)"))
    return _refuse(request, Refusal(exc.status_code, exc.detail))


def _html(html: str, status: int = 200, framed: bool = False) -> Response:
    return Response(html, status, media_type="text/html; charset=utf-8", headers={
        "Content-Security-Policy": content_security_policy(html, framed=framed),
        "X-Frame-Options": "SAMEORIGIN" if framed else "DENY"})


async def read_body(request: Request, limit: int, seconds: float) -> bytes:
    """The request body, at most ``limit`` bytes (else 413), within ``seconds`` (else 408)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refusal(413, f"the request is larger than this server's limit of {human_bytes(limit)}; "
                           "a query this long is not needed: use VALUES from a smaller query, or kg query")
    body = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise Refusal(413, f"the request is larger than this server's limit of {human_bytes(limit)}")
    except TimeoutError:
        raise Refusal(408, f"the request body did not arrive within {seconds:g} s", {"Connection": "close"}) from None
    request.state.body_read = True
    return bytes(body)


class _Sparql:
    """``/sparql``: the SPARQL Protocol, passed to the engine by the proxy."""

    def __init__(self, site: KGServer) -> None:
        self.site = site

    async def __call__(self, request: Request) -> Response:
        proxy, method = self.site.proxy, request.method
        assert proxy is not None
        if method not in ("GET", "HEAD", "POST"):
            raise Refusal(405, READ_ONLY_MESSAGE, {"Allow": "GET, HEAD, POST, OPTIONS"})
        query_string = request.url.query
        accept = request.headers.get("accept", "")
        if method != "POST" and not query_string and "text/html" in accept:
            return Response(status_code=303, headers={"Location": "/"})
        body = await read_body(request, MAX_QUERY_BYTES, self.site.settings.client_timeout) \
            if method == "POST" else b""
        answer = await proxy.handle("POST" if method == "POST" else "GET", query_string,
                                    request.headers.get("content-type", ""), body, accept)
        content = answer.body
        if not query_string and method != "POST" and self.site.engine is not None:
            # the service description names the engine's own URL; clients must see this one
            host, port = self.site.engine.address
            public = f"{request.url.scheme}://{request.headers.get('host') or urlsplit(self.site.url).netloc}/sparql"
            content = content.replace(f"http://{host}:{port}/query".encode(), public.encode())
        return Response(content, answer.status, headers={"Content-Type": answer.content_type, "Vary": "Accept"})


def _home(site: KGServer) -> Endpoint:
    async def home(request: Request) -> Response:
        assert site.store is not None
        return _html(await run_in_threadpool(main_page, site.store, site.counts))

    return home


def _view(site: KGServer) -> Endpoint:
    async def view(request: Request) -> Response:
        params = request.query_params
        try:
            depth = int(params.get("depth", "2"))
        except ValueError:
            raise Refusal(400, "depth must be a whole number") from None
        try:
            html = await run_in_threadpool(site.view, params.get("focus") or None, depth,
                                           params.get("types") or None)
        except ViewError as exc:
            raise Refusal(404 if isinstance(exc, FocusError) else 400, str(exc)) from None
        return _html(html, framed=True)

    return view


def _entity(site: KGServer) -> Endpoint:
    async def entity(request: Request) -> Response:
        assert site.store is not None
        status, html = await run_in_threadpool(entity_page, site.store, _iri(request))
        return _html(html, status)

    return entity


def _api_entity(site: KGServer) -> Endpoint:
    async def api_entity(request: Request) -> Response:
        assert site.store is not None
        data = await run_in_threadpool(entity_data, site.store, _iri(request))
        return Response(json.dumps(data, ensure_ascii=False), 200 if data["found"] else 404,
                        media_type="application/json")

    return api_entity


async def _favicon(request: Request) -> Response:
    return Response(status_code=204, media_type="image/x-icon")


def _iri(request: Request) -> str:
    iri = request.query_params.get("iri", "").strip().removeprefix("<").removesuffix(">")
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", iri):
        raise Refusal(400, "give the entity's IRI: /entity?iri=https://…")
    return iri
