"""How ``kg serve`` runs: its settings, limits and their defaults."""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field

from kg.errors import ServeSettingsError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0  # seconds
DEFAULT_MAX_RESULT_BYTES = 50 * 1024 * 1024
MAX_CONCURRENT_QUERIES = 16
MAX_QUERY_BYTES = 100 * 1024  # a request body (the query or the form); larger requests get 413
MAX_HEAD_BYTES = 32 * 1024  # request line and headers, together; more is refused by the HTTP parser
DEFAULT_MAX_CONNECTIONS = 64  # open connections; a request on one more gets 503 with Retry-After
DEFAULT_CLIENT_TIMEOUT = 10.0  # seconds a client has to send a request's head, and then its body
KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this


@dataclass(frozen=True)
class ServeSettings:
    """How ``kg serve`` runs. ``port=0`` picks a free port (see :attr:`KGServer.url`)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    cors: bool = True  # read-only /sparql answers CORS, as public endpoints do; never with credentials
    oxigraph: str | None = None  # the engine binary; default: next to Python, then $PATH
    allow_service: tuple[str, ...] = field(default=())  # URL prefixes a SERVICE clause may call
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    client_timeout: float = DEFAULT_CLIENT_TIMEOUT

    def check(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ServeSettingsError(f"--port must lie in 0..65535, not {self.port}")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise ServeSettingsError(f"--timeout must be a positive number of seconds, not {self.timeout}")
        if self.max_result_bytes < 1:
            raise ServeSettingsError(f"--max-result-bytes must be at least 1, not {self.max_result_bytes}")
        if self.max_connections < 1:
            raise ServeSettingsError(f"--max-connections must be at least 1, not {self.max_connections}")
        if not (self.client_timeout > 0 and math.isfinite(self.client_timeout)):
            raise ServeSettingsError("the client timeout must be a positive number of seconds, "
                                     f"not {self.client_timeout}")
        for prefix in self.allow_service:
            if not re.match(r"(?i)^https?://[^/?#\s]+/", prefix):
                raise ServeSettingsError(f"--allow-service {prefix!r}: give an http(s) URL prefix with a host and "
                                         "a path, such as https://query.wikidata.org/")


def parse_size(text: str) -> int:
    """``"50M"`` → bytes. Suffixes K, M, G count in 1024s; a plain number is bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?\s*", str(text))
    if not match:
        raise ServeSettingsError(f"{text!r}: expected a size such as 200000, 500K or 50M")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def human_bytes(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"
