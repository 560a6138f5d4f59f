"""``kg push``: the graph goes into a real Oxigraph server through the Graph Store Protocol."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kg.cli import main
from kg.push import graph_store_url, push
from kg.serve import find_oxigraph
from kg.store import open_store

HTTP_TIMEOUT = 30
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Remote:
    """A read-write ``oxigraph serve``: the triple store a user already runs."""

    def __init__(self, location: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [find_oxigraph(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.select("ASK {}")
                break
            except (OSError, urllib.error.URLError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("the Oxigraph server did not start")
                time.sleep(0.05)

    @property
    def store(self) -> str:
        return self.url + "/store"

    def select(self, query: str) -> dict:
        request = urllib.request.Request(self.url + "/query", data=urllib.parse.urlencode({"query": query}).encode(),
                                         headers={"Accept": "application/sparql-results+json"})
        with OPENER.open(request, timeout=HTTP_TIMEOUT) as response:
            return json.loads(response.read())

    def count(self, where: str) -> int:
        doc = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(doc["results"]["bindings"][0]["n"]["value"])

    def graphs(self) -> dict[str, int]:
        doc = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}

    def update(self, update: str) -> None:
        request = urllib.request.Request(self.url + "/update", data=update.encode(),
                                         headers={"Content-Type": "application/sparql-update"})
        with OPENER.open(request, timeout=HTTP_TIMEOUT) as response:
            response.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def remote(tmp_path):
    server = Remote(tmp_path / "remote")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def local(tiny_store_path):
    """What the tiny store holds: quads per graph and the distinct triples of the union."""
    with open_store(tiny_store_path, read_only=True) as store:
        per_graph = {g.value: len(list(store.ox.quads_for_pattern(None, None, None, g)))
                     for g in store.ox.named_graphs()}
        union = int(next(iter(store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")))["n"].value)
        return {"total": len(store), "graphs": per_graph, "union": union}


def test_push_sends_every_graph_and_the_counts_match(remote, tiny_store_path, local, capsys):
    assert main(["push", "--endpoint", remote.store, "--store", str(tiny_store_path), "-v"]) == 0
    out, err = capsys.readouterr()
    n = len(local["graphs"])
    assert f"pushed {n} graphs ({local['total']} triples) to {remote.store}" in out
    assert "(HTTP PUT)" in out and "https://w3id.org/newskg/id/doc/a:" in err
    assert remote.count("GRAPH ?g { ?s ?p ?o }") == local["total"]
    assert remote.graphs() == local["graphs"]
    assert remote.count("?s ?p ?o") == 0  # the remote default graph is left alone


def test_push_again_replaces_the_remote_graphs(remote, tiny_store_path, local):
    doc_a = "https://w3id.org/newskg/id/doc/a"
    remote.update(f"INSERT DATA {{ GRAPH <{doc_a}> {{ <http://example.org/stale> a <http://example.org/Fact> }} }}")
    with open_store(tiny_store_path, read_only=True) as store:
        first = push(store, remote.store)
        second = push(store, remote.store)
    assert first.triples == second.triples == local["total"]
    assert {g.status for g in first.graphs} <= {200, 201, 204}
    assert remote.graphs() == local["graphs"]
    assert remote.count("GRAPH ?g { <http://example.org/stale> ?p ?o }") == 0


@pytest.mark.parametrize("name", ["https://w3id.org/newskg/id/doc/a", "<https://w3id.org/newskg/id/doc/a>",
                                  "kgr:doc/a", "a.txt"])
def test_push_one_article_graph(remote, tiny_store_path, local, name, capsys):
    assert main(["push", "--endpoint", remote.store, "--store", str(tiny_store_path), "--graph", name]) == 0
    doc_a = "https://w3id.org/newskg/id/doc/a"
    assert f"pushed 1 graph ({local['graphs'][doc_a]} triples)" in capsys.readouterr().out
    assert remote.graphs() == {doc_a: local["graphs"][doc_a]}


def test_push_the_union_into_the_default_graph(remote, tiny_store_path, local, capsys):
    assert main(["push", "--endpoint", remote.store, "--store", str(tiny_store_path), "--default"]) == 0
    assert f"pushed the default graph ({local['union']} triples)" in capsys.readouterr().out
    assert remote.count("?s ?p ?o") == local["union"] < local["total"]  # each triple once
    assert remote.graphs() == {}


def test_push_append_adds(remote, tiny_store_path, local, capsys):
    remote.update("INSERT DATA { GRAPH <https://w3id.org/newskg/id/doc/a> { <http://e.org/x> a <http://e.org/Y> } }")
    assert main(["push", "--endpoint", remote.store, "--store", str(tiny_store_path), "--append"]) == 0
    assert "(HTTP POST)" in capsys.readouterr().out
    assert remote.count("GRAPH ?g { ?s ?p ?o }") == local["total"] + 1


def test_push_errors_are_clear(remote, tiny_store_path, capsys):
    store = str(tiny_store_path)
    assert main(["push", "--endpoint", remote.store, "--store", store, "--graph", "kgr:doc/nope"]) == 2
    assert "no such graph" in capsys.readouterr().err
    assert main(["push", "--endpoint", "ftp://example.org/store", "--store", store]) == 2
    assert "http(s) URL" in capsys.readouterr().err
    assert main(["push", "--endpoint", f"http://127.0.0.1:{_free_port()}/store", "--store", store]) == 1
    assert "cannot reach the endpoint" in capsys.readouterr().err
    assert main(["push", "--endpoint", remote.url + "/nothing-here", "--store", store]) == 1
    err = capsys.readouterr().err
    assert "refused graph <https://w3id.org/newskg/id/doc/a>: HTTP 404" in err and "Fuseki" in err
    assert main(["push", "--endpoint", "http://user:secret@127.0.0.1:1/store", "--store", store]) == 2
    assert "secret" not in capsys.readouterr().err


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, dict[str, str], bytes]] = []  # noqa: RUF012 - shared on purpose

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.command, self.path, dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_requests_follow_the_graph_store_protocol(tiny_store_path, monkeypatch, capsys):
    """Any Graph Store endpoint works: PUT ?graph=<encoded IRI>, N-Triples, optional basic auth."""
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{httpd.server_address[1]}/repositories/kg/rdf-graphs/service?x=1"
        monkeypatch.setenv("KG_PUSH_PASSWORD", "s3cret")
        assert main(["push", "--endpoint", endpoint, "--store", str(tiny_store_path), "--graph", "a.txt",
                     "--user", "alice"]) == 0
    finally:
        httpd.shutdown()
        httpd.server_close()
    [(method, path, headers, body)] = _Recorder.seen
    assert method == "PUT"
    assert path == "/repositories/kg/rdf-graphs/service?x=1&graph=https%3A%2F%2Fw3id.org%2Fnewskg%2Fid%2Fdoc%2Fa"
    assert headers["Content-Type"] == "application/n-triples"
    assert headers["Authorization"] == "Basic YWxpY2U6czNjcmV0"  # alice:s3cret
    assert body.count(b"\n") > 10 and body.startswith(b"<")
    assert graph_store_url("http://h/store", None) == "http://h/store?default"
