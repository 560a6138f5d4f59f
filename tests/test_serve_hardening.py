"""``kg serve`` as a public endpoint (issue 15): it never calls out, it holds its limits,
it says what browsers need, and hostile or heavy traffic (on 127.0.0.1 only, bounded in
count and time) gets answers, never a crash.

Every server here is the real one (uvicorn, Starlette, the Oxigraph engine), in this
process on a free loopback port; every client is a real HTTP client (httpx or a socket).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import main
from kg.serve import KGServer, ServeSettings
from kg.serve.checks import MAX_NESTING, service_targets
from kg.serve.settings import MAX_QUERY_BYTES
from kg.web import environment

SPARQL_QUERY = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def shared(tiny_store_path) -> Iterator[KGServer]:
    server = KGServer(tiny_store_path, ServeSettings(port=0, timeout=5), log=lambda message: None).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.close()


def client(server: KGServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30, trust_env=False)


def still_answers(server: KGServer) -> None:
    with client(server) as c:
        answer = c.get("/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200 and answer.json()["boolean"] is True


class Listener:
    """An HTTP server on 127.0.0.1 that records every request and answers an empty SPARQL result."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                seen.append(f"{self.command} {self.path}")
                body = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    heard = Listener()
    yield heard
    heard.close()


# -- no outbound requests ------------------------------------------------------------------

def service_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }} LIMIT 1",
        f"PREFIX remote: <{url}>\n# SERVICE is not here\nSELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ "
        f"{{ SELECT ?s WHERE {{ SERVICE SILENT remote:sparql {{ ?s ?p ?o }} }} }} }} }}",
        f"SELECT * WHERE {{ sErViCe <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { BIND(<" + url + "> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ]


def test_service_is_refused_and_the_listener_hears_nothing(shared, listener):
    with client(shared) as c:
        for query in service_queries(listener.url):
            for answer in (c.get("/sparql", params={"query": query}),
                           c.post("/sparql", content=query.encode(), headers=SPARQL_QUERY),
                           c.post("/sparql", data={"query": query})):
                assert answer.status_code == 400, (query, answer.text)
                assert "SERVICE" in answer.text and answer.text.count("\n") == 1, answer.text
    time.sleep(0.3)
    assert listener.requests == []
    still_answers(shared)


def test_an_allowed_service_prefix_is_called_and_others_are_not(in_process, listener):
    server = in_process(allow_service=(listener.url,))
    with client(server) as c:
        allowed = c.get("/sparql", params={"query": service_queries(listener.url)[0]},
                        headers={"Accept": "application/sparql-results+json"})
        other = c.get("/sparql", params={"query": service_queries("http://127.0.0.1:9/")[0]})
    assert allowed.status_code == 200, allowed.text
    assert listener.requests and listener.requests[0].startswith("POST")  # the check is what stops the others
    assert other.status_code == 400


def test_the_word_service_elsewhere_is_no_refusal(shared):
    query = 'SELECT ?s WHERE { ?s ?p ?o FILTER(?o = "SERVICE <http://127.0.0.1:9/>") } # service'
    with client(shared) as c:
        assert c.post("/sparql", content=query.encode(), headers=SPARQL_QUERY).status_code == 200
    assert set(service_targets("SELECT * { SERVICE <http://a/> { ?s ?p ?o } SERVICE ?x { } }")) == {"http://a/", None}


def test_load_is_refused_and_from_does_not_fetch(shared, listener):
    load = f"LOAD <{listener.url}data.ttl>"
    with client(shared) as c:
        for answer in (c.post("/sparql", data={"update": load}),
                       c.post("/sparql", content=load.encode(), headers={"Content-Type": "application/sparql-update"}),
                       c.get("/sparql", params={"query": load})):
            assert answer.status_code == 403 and "read-only" in answer.text
        for query, params in ((f"SELECT * FROM <{listener.url}g> WHERE {{ ?s ?p ?o }}", {}),
                              (f"SELECT * FROM NAMED <{listener.url}n> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
                              ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": listener.url + "d"}),
                              ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": listener.url + "e"})):
            answer = c.get("/sparql", params={"query": query, **params},
                           headers={"Accept": "application/sparql-results+json"})
            assert answer.status_code == 200 and "results" in answer.json(), query  # answered from the store
    time.sleep(0.3)
    assert listener.requests == []


# -- limits ------------------------------------------------------------------------------

def test_query_size_limit_is_413(shared):
    padding = "#" + "x" * MAX_QUERY_BYTES + "\n"
    with client(shared) as c:
        big = c.post("/sparql", content=(padding + ASK).encode(), headers=SPARQL_QUERY)
        form = c.post("/sparql", data={"query": padding + ASK})
        fits = c.post("/sparql", content=(padding[: MAX_QUERY_BYTES - 200] + "\n" + ASK).encode(),
                      headers=SPARQL_QUERY)
    assert big.status_code == form.status_code == 413 and "100 KiB" in big.text
    assert big.headers["connection"] == "close"
    assert fits.status_code == 200
    still_answers(shared)


def test_request_line_and_headers_are_limited(shared):
    with client(shared) as c:
        long_url = c.get("/sparql", params={"query": ASK + " #" + "x" * 40_000})
        big_header = c.get("/", headers={"X-Padding": "x" * 40_000})
    assert long_url.status_code == 414 and "POST" in long_url.text
    assert big_header.status_code == 431
    # A head that keeps coming is cut off by the HTTP parser, before it fills memory.
    with socket.create_connection(_address(shared), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            for _ in range(200):
                sock.sendall(b"X-Padding: " + b"x" * 1000 + b"\r\n")
                time.sleep(0.001)
        answer = _read_all(sock)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
    still_answers(shared)


def _address(server: KGServer) -> tuple[str, int]:
    netloc = urllib.parse.urlsplit(server.url).netloc
    host, port = netloc.rsplit(":", 1)
    return host, int(port)


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def test_slow_clients_are_dropped(in_process):
    server = in_process(client_timeout=1.0)
    started = time.monotonic()
    with socket.create_connection(_address(server), timeout=10) as sock:  # slowloris: one byte a second
        closed = False
        for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: b\r\n":
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            sock.settimeout(1.0)
            try:
                if sock.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
            if time.monotonic() - started > 6:
                break
    assert closed and time.monotonic() - started < 4
    with socket.create_connection(_address(server), timeout=10) as sock:  # a body that trickles
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 100\r\n\r\nASK")
        sock.settimeout(5)
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408") and b"did not arrive within 1 s" in answer
    still_answers(server)


def test_connections_beyond_the_cap_get_503_with_retry_after(in_process):
    server = in_process(max_connections=4)
    idle = [socket.create_connection(_address(server), timeout=10) for _ in range(4)]
    try:
        time.sleep(0.2)
        with client(server) as c:
            busy = c.get("/sparql", params={"query": ASK})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "5" and "busy" in busy.text
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.2)
    still_answers(server)


# -- headers and CORS ----------------------------------------------------------------------

def test_security_headers_and_cors(shared):
    with client(shared) as c:
        page, view = c.get("/"), c.get("/view")
        query = c.get("/sparql", params={"query": ASK}, headers={"Origin": "https://yasgui.example"})
        post = c.post("/sparql", content=ASK.encode(), headers={**SPARQL_QUERY, "Origin": "https://yasgui.example"})
        preflight = c.options("/sparql", headers={"Origin": "https://yasgui.example",
                                                  "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
    for answer in (page, view, query, post, preflight):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "access-control-allow-credentials" not in answer.headers
    assert page.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in page.headers[
        "content-security-policy"]
    assert view.headers["x-frame-options"] == "SAMEORIGIN"
    assert "access-control-allow-origin" not in page.headers  # the pages are not for other origins
    for answer in (query, post, preflight):
        assert answer.headers["access-control-allow-origin"] == "*"
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()


def test_cors_can_be_turned_off(in_process):
    server = in_process(cors=False)
    with client(server) as c:
        assert "access-control-allow-origin" not in c.get("/sparql", params={"query": ASK}).headers


def test_a_public_host_is_warned_about_before_anything_listens(tmp_path, capsys):
    assert main(["serve", "--store", str(tmp_path / "nothing"), "--host", "0.0.0.0", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0: the endpoint is public" in err and "no store here" in err
    assert main(["serve", "--store", str(tmp_path / "nothing"), "--allow-service", "file:///etc/"]) == 2


# -- fuzzing and load --------------------------------------------------------------------

_texts = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.integers(0, 3 * MAX_NESTING).map(lambda n: "SELECT * WHERE " + "{" * n + "?s ?p ?o" + "}" * n),
    st.integers(0, 3 * MAX_NESTING).map(lambda n: "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }"),
    st.integers(1, 150_000).map(lambda n: 'SELECT * WHERE { ?s ?p "' + "é" * n + '" }'),
    st.sampled_from(["SELECT * { SERVICE <http://127.0.0.1:9/> {} }", "INSERT DATA {}", ASK, "\\u0053ERVICE",
                     "SELECT * { ?s ?p ?o } LIMIT 1", "DESCRIBE <x:y>"]),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(text=_texts, how=st.sampled_from(["get", "query", "form", "raw-form", "utf16", "odd-type"]),
       accept=st.sampled_from(["", "*/*", "text/csv", "application/x-nonsense", "text/html", "\x7f;q=abc"]))
def test_fuzzed_requests_get_a_message_and_never_stop_the_server(shared, text, how, accept):
    headers = {"Accept": accept} if accept else {}
    with client(shared) as c:
        if how == "get":
            answer = c.get("/sparql", params={"query": text[:8000]}, headers=headers)  # httpx caps URLs at 64 KiB
        elif how == "query":
            answer = c.post("/sparql", content=text.encode("utf-8", "surrogatepass"),
                            headers={**headers, "Content-Type": "application/sparql-query"})
        elif how == "form":
            answer = c.post("/sparql", data={"query": text}, headers=headers)
        elif how == "raw-form":
            answer = c.post("/sparql", content=text.encode("utf-8", "surrogatepass"),
                            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
        elif how == "utf16":
            answer = c.post("/sparql", content=text.encode("utf-16", "surrogatepass"),
                            headers={**headers, "Content-Type": "application/sparql-query; charset=utf-16"})
        else:
            odd = bytes(b for b in text[:40].encode("utf-8", "surrogatepass") if b == 9 or 32 <= b != 127)
            answer = c.post("/sparql", content=text.encode("utf-8", "surrogatepass"),
                            headers={**headers, "Content-Type": odd.strip() or b"x/y"})
    assert answer.status_code != 500, answer.text
    if answer.status_code >= 400:
        assert answer.text.strip(), answer.status_code  # a message, never an empty error
    assert shared.engine is not None and shared.engine.restarts == 0  # nothing brought the engine down


def test_fuzzing_left_the_server_answering(shared):
    still_answers(shared)


def test_markup_is_package_data_under_one_autoescaping_environment():
    env = environment()
    assert env.autoescape is True
    assert sorted(env.list_templates()) == ["entity.html.j2", "page.html.j2", "view.html.j2"]
    assert "&lt;b&gt;" in env.from_string("{{ x }}").render(x="<b>")
    kg_dir = Path(__file__).resolve().parent.parent / "kg"
    for module in kg_dir.rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert not re.search(r"(?m)^\s*<(!DOCTYPE|html|head|body|main|div|script|style)\b", text), module


def test_load_every_request_is_answered(in_process, tiny_store_path):
    """N clients for a few seconds: every request gets 200 (or 503 beyond the caps); none fails."""
    server = in_process(max_connections=12)
    clients, seconds = 16, 3.0
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    queries = ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", ASK,
               "SELECT ?s ?name WHERE { ?s <https://schema.org/name> ?name } LIMIT 20"]

    def work(i: int) -> None:
        deadline = time.monotonic() + seconds
        with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as c:
            while time.monotonic() < deadline:
                try:
                    answer = c.post("/sparql", content=queries[i % len(queries)].encode(), headers=SPARQL_QUERY)
                    ok = answer.status_code == 200 or (answer.status_code == 503 and "retry-after" in answer.headers)
                    if answer.status_code == 200:
                        json.loads(answer.content)
                except httpx.HTTPError as exc:
                    ok, answer = False, None
                    with lock:
                        failures.append(repr(exc))
                with lock:
                    statuses[answer.status_code if answer is not None else 0] += 1
                if not ok:
                    with lock:
                        failures.append(f"{answer.status_code if answer else '-'} {answer.text if answer else ''}")
                if answer is not None and answer.status_code == 503:
                    time.sleep(0.05)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    assert not failures, failures[:5]
    assert statuses[200] > 100, statuses
    assert 503 in statuses  # 16 clients against a cap of 12 connections: the cap answers
    still_answers(server)
