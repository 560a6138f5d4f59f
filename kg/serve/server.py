"""The running ``kg serve``: the store, the engine, and uvicorn serving the application.

uvicorn (h11) parses HTTP; a subclass of its protocol adds what a public endpoint
needs and uvicorn lacks: a client must send a request's head within
``client_timeout`` seconds (a slowloris client, one byte a second, is dropped;
uvicorn's own keep-alive timer only runs between requests), and connections far
beyond the cap are dropped at once. The request line and headers are capped by
h11 (:data:`MAX_HEAD_BYTES`); the body by the application.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import socket
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from kg.errors import ServeError
from kg.serve.app import build_app
from kg.serve.engine import Engine, stderr_log
from kg.serve.proxy import SparqlProxy
from kg.serve.settings import KEEP_ALIVE_SECONDS, MAX_HEAD_BYTES, ServeSettings, human_bytes
from kg.store import Store, open_store

_HARD_CAP_FACTOR = 4  # connections beyond this many times the cap are dropped unanswered


def guarded_protocol(client_timeout: float, hard_cap: int) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with a deadline for each request head and a hard connection cap."""
    bad_request = (f"bad HTTP request: it must be valid HTTP/1.1, its request line and headers within "
                   f"{human_bytes(MAX_HEAD_BYTES)} (POST a long query as application/sparql-query)")

    class GuardedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > hard_cap:
                transport.abort()
                return
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self._arm()  # a head has begun and is not complete yet
            else:
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def send_400_response(self, msg: str) -> None:
            super().send_400_response(bad_request)

        def _arm(self) -> None:
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(client_timeout, self._head_too_slow)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return GuardedH11Protocol


class KGServer:
    """The running ``kg serve``: front server, engine and store. Use :meth:`start`, then
    :meth:`serve_forever` (or a thread), then :meth:`close`."""

    def __init__(self, store_path: str | os.PathLike[str], settings: ServeSettings | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.settings = settings or ServeSettings()
        self.settings.check()
        self.store_path = Path(store_path)
        self.log = log or stderr_log
        self.store: Store | None = None
        self.engine: Engine | None = None
        self.proxy: SparqlProxy | None = None
        self._socket: socket.socket | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._stopped = threading.Event()
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
            self._socket = _listen(settings.host, settings.port)  # a taken port fails before the engine starts
            # the engine reads what this process opened: the current snapshot (held until close)
            self.engine = Engine(self.store.location, settings.timeout, settings.oxigraph, self.log).start()
            self.proxy = SparqlProxy(self.engine, settings.timeout, settings.max_result_bytes, self.log,
                                     allow_service=settings.allow_service)
            logging.getLogger("uvicorn.error").setLevel(logging.ERROR)  # refusals are answers, not log lines
            self._uvicorn = uvicorn.Server(uvicorn.Config(
                build_app(self), http=guarded_protocol(settings.client_timeout,
                                                       _HARD_CAP_FACTOR * settings.max_connections),
                ws="none", lifespan="on", loop="asyncio", log_config=None, access_log=False,
                server_header=False, timeout_keep_alive=KEEP_ALIVE_SECONDS,
                h11_max_incomplete_event_size=MAX_HEAD_BYTES, timeout_graceful_shutdown=3))
            threading.Thread(target=self._warm_up, name="kg-serve-view", daemon=True).start()
        except BaseException:
            self.close()
            raise
        return self

    @property
    def url(self) -> str:
        assert self._socket is not None
        host, port = self._socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def open_connections(self) -> int:
        return len(self._uvicorn.server_state.connections) if self._uvicorn is not None else 0

    def serve_forever(self) -> None:
        assert self._uvicorn is not None and self._socket is not None
        self._stopped.clear()
        try:
            self._uvicorn.run(sockets=[self._socket])
        finally:
            self._stopped.set()

    def request_stop(self) -> None:
        """Ask :meth:`serve_forever` to return soon (safe in a signal handler, even before it runs)."""
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread) and wait for it."""
        if self._uvicorn is not None and self._uvicorn.started:
            self._uvicorn.should_exit = True
            self._stopped.wait(15)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
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


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET
    with contextlib.suppress(ValueError):  # a host name stays IPv4
        if ipaddress.ip_address(host).version == 6:
            family = socket.AF_INET6
    # IPPROTO_TCP named, not 0: asyncio turns Nagle's algorithm off only for sockets that say so, and with
    # it on, an answer written as head then body waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def serve(store_path: str | os.PathLike[str], settings: ServeSettings | None = None,
          announce: Callable[[KGServer], None] | None = None) -> None:
    """Run ``kg serve`` until interrupted (Ctrl-C) or terminated (SIGTERM)."""
    server = KGServer(store_path, settings)
    server.start()
    previous = None
    if threading.current_thread() is threading.main_thread():
        # While uvicorn runs, it catches SIGTERM itself, stops, then raises it again for the handler
        # it found: this one, which only asks for a stop, so that a terminated server exits normally
        # (status 0) after closing the engine. Before uvicorn runs, this handler is what stops it.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: server.request_stop())
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
