"""The SPARQL engine: Oxigraph's own server, ``oxigraph serve-read-only``, as a child process.

It runs on a private loopback port with ``--union-default-graph`` (the union of
the article graphs is the default graph, as in ``kg query``) and ``--timeout-s``,
and implements the SPARQL 1.1 Protocol and its content negotiation, so that
newskg does not. Why a process of its own rather than pyoxigraph in this one: a
query running inside ``pyoxigraph`` cannot be interrupted, only its process
killed; with the engine apart, the front server stays responsive whatever a
query does, and the engine can always be restarted.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kg.errors import KGError, ServeError

ENGINE_STARTUP_SECONDS = 60.0


class EngineDown(Exception):
    """The engine is not reachable (restarting, or gone)."""


def find_oxigraph(explicit: str | None = None) -> str:
    """The ``oxigraph`` server binary: ``explicit``, $KG_OXIGRAPH, next to Python, or on $PATH."""
    candidates = [explicit, os.environ.get("KG_OXIGRAPH"), str(Path(sys.executable).parent / "oxigraph"),
                  shutil.which("oxigraph")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise ServeError("the Oxigraph server is missing; install it with `pip install oxigraph==0.5.13` "
                     "(or name the binary with $KG_OXIGRAPH)")


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
        self._log = log or stderr_log
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
                raise EngineDown("the engine is not running")
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
    """Whether the engine answers a trivial query."""
    conn = http.client.HTTPConnection(*address, timeout=2.0)
    try:
        conn.request("GET", "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


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


def stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
