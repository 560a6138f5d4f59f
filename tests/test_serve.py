"""``kg serve``: the real server (``kg serve`` and its Oxigraph engine) on a free port.

SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore, plain HTTP) get what ``kg query``
gives; updates are refused; a runaway query is stopped and the server keeps answering;
the page draws the network and runs a canned query in headless Chromium.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from http.client import HTTPConnection
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CHROMIUM_FLAGS, RUN, _entity, _span_of, chromium, extraction_graph
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from kg.cli import main, make_parser
from kg.errors import StoreError
from kg.query import canned_queries
from kg.records import Claim, Document, Extraction, Relation
from kg.serve import (
    KGServer,
    ServeError,
    ServeSettings,
    SparqlProxy,
    content_security_policy,
    is_update,
    parse_size,
)
from kg.store import LOCK_FILE, open_store

ROOT = Path(__file__).resolve().parent.parent
CANNED = sorted(canned_queries())
ANSWERED_BY_TINY = {"claims_about", "claims_by_speaker", "cooccurrence", "entities", "entity", "founders", "models",
                    "roles"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TIME_LIMIT = 2  # seconds, for the shared server
HTTP_TIMEOUT = 30  # no request of these tests may hang longer


# -- the server, started as users start it -------------------------------------------------

class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str, log: Path) -> None:
        self.proc, self.url, self.log = proc, url, log

    @property
    def endpoint(self) -> str:
        return self.url + "sparql"

    def children(self) -> set[int]:
        found: set[int] = set()
        for tasks in Path(f"/proc/{self.proc.pid}/task").glob("*/children"):
            found |= {int(p) for p in tasks.read_text().split()}
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_kg_serve(store: Path, tmp: Path, *args: str) -> Served:
    log = tmp / "kg-serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=log.open("w"), stdin=subprocess.DEVNULL, text=True, cwd=ROOT,
    )
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(60)
    match = re.search(r"serving (http://\S+/) ", first[0] if first else "")
    if not match:
        proc.kill()
        proc.wait(5)
        pytest.fail(f"kg serve did not start: {first!r} {log.read_text()[-2000:]}")
    return Served(proc, match.group(1), log)


@pytest.fixture(scope="module")
def served(tiny_store_path, tmp_path_factory):
    server = start_kg_serve(tiny_store_path, tmp_path_factory.mktemp("serve"), "--timeout", str(TIME_LIMIT))
    yield server
    server.stop()


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=HTTP_TIMEOUT) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def sparql_get(endpoint: str, query: str, accept: str = "application/sparql-results+json",
               **params: str) -> tuple[int, str, bytes]:
    qs = urllib.parse.urlencode({"query": query, **params})
    return http(f"{endpoint}?{qs}", headers={"Accept": accept})


def kg_query(store: Path, name: str, fmt: str, capsys) -> str:
    capsys.readouterr()
    assert main(["query", name, "--store", str(store), "--format", fmt]) == 0
    return capsys.readouterr().out


def plain_rows(bindings_doc: dict) -> list[tuple[str | None, ...]]:
    names = bindings_doc["head"]["vars"]
    return [tuple(b[v]["value"] if v in b else None for v in names) for b in bindings_doc["results"]["bindings"]]


# -- SPARQL clients get what kg query gives -----------------------------------------------

@pytest.mark.parametrize("name", CANNED)
def test_sparqlwrapper_gets_the_same_rows_as_kg_query(served, tiny_store_path, name, capsys):
    expected = json.loads(kg_query(tiny_store_path, name, "json", capsys))
    client = SPARQLWrapper(served.endpoint)
    client.setQuery(canned_queries()[name].text)
    client.setReturnFormat(JSON)
    client.setTimeout(HTTP_TIMEOUT)
    got = client.query().convert()
    assert got["head"]["vars"] == expected["head"]["vars"]
    assert got["results"]["bindings"] == expected["results"]["bindings"]  # terms, types, languages, order
    if name in ANSWERED_BY_TINY:
        assert got["results"]["bindings"], f"{name}: the tiny store answers this canned query"


@pytest.mark.parametrize("name", CANNED)
def test_rdflib_sparqlstore_gets_the_same_rows_as_kg_query(served, tiny_store_path, name, capsys):
    expected = plain_rows(json.loads(kg_query(tiny_store_path, name, "json", capsys)))
    store = SPARQLStore(query_endpoint=served.endpoint, method="POST_FORM", timeout=HTTP_TIMEOUT)
    try:
        rows = [tuple(None if v is None else str(v) for v in row) for row in Graph(store=store).query(
            canned_queries()[name].text)]
    finally:
        store.close()
    assert rows == expected


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_results_are_those_of_kg_query(served, tiny_store_path, fmt, capsys):
    accept = {"csv": "text/csv", "tsv": "text/tab-separated-values"}[fmt]
    status, ctype, body = sparql_get(served.endpoint, canned_queries()["roles"].text, accept)
    assert status == 200 and ctype.startswith(accept)
    assert body.decode("utf-8") == kg_query(tiny_store_path, "roles", fmt, capsys)


def test_xml_results_and_post_bodies(served, tiny_store_path, capsys):
    expected = plain_rows(json.loads(kg_query(tiny_store_path, "founders", "json", capsys)))
    text = canned_queries()["founders"].text
    # POST application/sparql-query, results as SPARQL XML
    status, ctype, body = http(served.endpoint, text.encode(), {
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"})
    assert status == 200 and ctype.startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    results = ET.fromstring(body).findall("r:results/r:result", ns)
    assert len(results) == len(expected) == 3
    # POST form, through SPARQLWrapper
    client = SPARQLWrapper(served.endpoint)
    client.setMethod(POST)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    assert plain_rows(client.query().convert()) == expected


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")])
def test_construct_by_content_negotiation(served, tiny_store_path, accept, rdflib_format):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://schema.org/Person> ; ?p ?o }"
    status, ctype, body = sparql_get(served.endpoint, query, accept)
    assert status == 200 and ctype.startswith(accept)
    got = Graph().parse(data=body.decode("utf-8"), format=rdflib_format)
    with open_store(tiny_store_path, read_only=True) as store:
        expected = {(t.subject.value, t.predicate.value, t.object.value) for t in store.query(query)}
    assert {tuple(str(x) for x in t) for t in got} == expected
    assert len(expected) > 10


def test_the_default_graph_is_the_union_of_the_article_graphs(served, tiny_store_path):
    def count(**params: str) -> int:
        status, _, body = sparql_get(served.endpoint, COUNT_ALL, **params)
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    with open_store(tiny_store_path, read_only=True) as store:
        total = len(store)
        doc_a = next(g for g in store.documents() if g.endswith("/doc/a"))
        in_a = len(list(store.ox.quads_for_pattern(None, None, None, ox.NamedNode(doc_a))))
    assert count() == total > 300
    assert count(**{"default-graph-uri": str(doc_a)}) == in_a < total  # the protocol's own dataset choice


def test_service_description_names_the_public_endpoint(served):
    status, _, body = http(served.endpoint, headers={"Accept": "application/n-triples"})
    assert status == 200
    assert served.endpoint.encode() in body and b"sparql-service-description" in body


# -- read-only, limits, and staying up ----------------------------------------------------

@pytest.mark.parametrize("how", ["form", "sparql-update", "get", "update-in-query", "sparqlwrapper"])
def test_updates_are_refused_with_403(served, how):
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    if how == "sparqlwrapper":
        client = SPARQLWrapper(served.endpoint)
        client.setMethod(POST)
        client.setQuery(update)
        with pytest.raises(urllib.error.HTTPError) as info:
            client.query()
        status, body = info.value.code, info.value.read()
    else:
        if how == "form":
            status, _, body = http(served.endpoint, urllib.parse.urlencode({"update": update}).encode(),
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        elif how == "sparql-update":
            status, _, body = http(served.endpoint, update.encode(), {"Content-Type": "application/sparql-update"})
        elif how == "get":
            status, _, body = http(served.endpoint + "?" + urllib.parse.urlencode({"update": update}))
        else:
            status, _, body = http(served.endpoint, ("PREFIX ex: <http://example.org/>\n" + update).encode(),
                                   {"Content-Type": "application/sparql-query"})
    assert status == 403
    assert b"read-only" in body and b"kg build" in body
    status, _, body = sparql_get(served.endpoint, "ASK { <http://example.org/a> ?p ?o }")
    assert json.loads(body)["boolean"] is False


def test_graph_store_writes_are_refused(served):
    status, _, body = http(served.endpoint, b"<http://x/a> <http://x/b> <http://x/c> .",
                           {"Content-Type": "application/n-triples"}, method="PUT")
    assert status == 405 and b"read-only" in body


def test_a_runaway_query_is_stopped_and_the_server_keeps_answering(served, tiny_store_path):
    with open_store(tiny_store_path, read_only=True) as store:
        total = str(len(store))
    started = time.monotonic()
    status, ctype, body = sparql_get(served.endpoint, RUNAWAY)
    took = time.monotonic() - started
    assert status == 503, body[:300]
    assert ctype.startswith("text/plain")
    assert b"time limit of 2 s" in body and b"kg serve --timeout" in body
    assert TIME_LIMIT <= took < TIME_LIMIT + 3
    # At once, while the engine is still abandoning the runaway query:
    started = time.monotonic()
    status, _, body = sparql_get(served.endpoint, COUNT_ALL)
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == total
    assert time.monotonic() - started < 2
    status, _, body = http(served.url)
    assert status == 200 and b"kg-query" in body


def test_keep_alive_connections_stay_in_step(served):
    """Two queries on one connection; a refused POST whose body was not read closes the connection."""
    host, port = urllib.parse.urlsplit(served.url).netloc.split(":")
    conn = HTTPConnection(host, int(port), timeout=HTTP_TIMEOUT)
    try:
        for _ in range(2):
            conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}),
                         headers={"Accept": "application/sparql-results+json"})
            response = conn.getresponse()
            assert response.status == 200 and json.loads(response.read())["boolean"] is True
        conn.request("POST", "/", body=b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
                     headers={"Content-Type": "text/plain"})
        response = conn.getresponse()
        response.read()
        assert response.status == 405 and response.getheader("Connection") == "close"
    finally:
        conn.close()


def test_malformed_queries_get_the_engines_message(served):
    status, ctype, body = sparql_get(served.endpoint, "SELEC ?x WHERE { ?x ?y ?z }")
    assert status == 400 and ctype.startswith("text/plain") and b"1:" in body


def test_a_result_larger_than_the_limit_gets_413(in_process):
    server = in_process(max_result_bytes=2000)
    endpoint = server.url + "sparql"
    status, _, body = sparql_get(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413
    assert b"larger than this server's limit of 2000 bytes" in body and b"LIMIT" in body
    status, _, body = sparql_get(endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3


def test_a_query_the_engine_does_not_drop_gets_the_engine_restarted():
    """A stopped query still running after the grace period: the engine is restarted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()

    class StuckEngine:
        timeout_s = 1
        address = listener.getsockname()
        def __init__(self) -> None:
            self.restart_reasons: list[str] = []

        def request_restart(self, reason: str) -> None:
            self.restart_reasons.append(reason)

    engine = StuckEngine()

    async def scenario() -> None:
        proxy = SparqlProxy(engine, timeout=0.3, max_result_bytes=10_000, grace=0.3)  # type: ignore[arg-type]
        try:
            with pytest.raises(Exception) as info:
                await proxy.handle("GET", urllib.parse.urlencode({"query": "ASK {}"}), "", b"", "")
            assert getattr(info.value, "status", None) == 503
            deadline = time.monotonic() + 10
            while not engine.restart_reasons and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            await proxy.aclose()

    try:
        asyncio.run(scenario())
        assert engine.restart_reasons and "still running" in engine.restart_reasons[0]
    finally:
        listener.close()
        for s in accepted:
            s.close()


def test_the_engine_restarts_and_answers_again(in_process):
    server = in_process()
    engine = server.engine
    old_pid, old_address = engine.pid, engine.address
    engine.request_restart("test")
    deadline = time.monotonic() + 30
    while engine.restarts < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.restarts == 1 and engine.address != old_address
    status, _, body = sparql_get(server.url + "sparql", COUNT_ALL)
    assert status == 200 and f'"value":"{server.counts["triples"]}"' in body.decode()
    assert not Path(f"/proc/{old_pid}").exists() or "zombie" in Path(f"/proc/{old_pid}/status").read_text()


def test_stopping_kg_serve_stops_its_engine(tiny_store_path, tmp_path):
    server = start_kg_serve(tiny_store_path, tmp_path)
    try:
        engines = server.children()
        assert len(engines) == 1
        assert "oxigraph" in Path(f"/proc/{next(iter(engines))}/cmdline").read_bytes().decode()
    finally:
        server.stop()
    assert server.proc.returncode == 0
    for pid in engines:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists()


def test_the_server_never_takes_the_writer_lock(tiny_store_copy, in_process):
    server = in_process(tiny_store_copy)
    assert not (tiny_store_copy / LOCK_FILE).exists()
    with open_store(tiny_store_copy) as writer:  # a writer can still take the store: nobody holds the lock
        assert writer.read_only is False
    assert sparql_get(server.url + "sparql", "ASK {}")[0] == 200


def test_binds_to_loopback_unless_told_otherwise(served):
    assert served.url.startswith("http://127.0.0.1:")
    args = make_parser().parse_args(["serve"])
    assert (args.host, args.port, args.timeout, args.max_result_bytes) == ("127.0.0.1", 7878, 30.0, "50M")
    assert ServeSettings().host == "127.0.0.1"


def test_cli_errors(tmp_path, capsys, in_process):
    assert main(["serve", "--store", str(tmp_path / "nothing"), "--port", "0"]) == 1
    assert "no store here" in capsys.readouterr().err
    assert main(["serve", "--store", str(tmp_path), "--timeout", "0"]) == 2
    assert "--timeout" in capsys.readouterr().err
    assert main(["serve", "--store", str(tmp_path), "--max-result-bytes", "lots"]) == 2
    busy = in_process()
    port = int(busy.url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(ServeError, match="cannot listen"):
        KGServer(busy.store_path, ServeSettings(port=port)).start()
    with pytest.raises(StoreError):
        KGServer(tmp_path / "nothing", ServeSettings(port=0)).start()


def test_update_detection_and_sizes():
    assert is_update("PREFIX ex: <http://e/>\n# note\nINSERT DATA { ex:a ex:b ex:c }")
    assert is_update("  with <http://g> delete { ?s ?p ?o } where { ?s ?p ?o }")
    assert is_update("BASE <http://e/> CLEAR ALL")
    assert is_update("PREFIX kg: <https://w3id.org/newskg/ontology#>\nPREFIX s: <https://schema.org/>\n"
                     "DELETE WHERE { ?x a kg:AIModel }")
    assert not is_update("PREFIX kg: <https://w3id.org/newskg/ontology#> # a comment <\nSELECT * { ?x ?y ?z }")
    assert not is_update("PREFIX insert: <http://e/> SELECT * { ?s insert:x ?o }")
    assert not is_update("# DELETE\nSELECT ?s { ?s ?p ?o }")
    assert not is_update("ASK {}")
    assert parse_size("50M") == 50 * 1024 * 1024
    assert parse_size("500k") == 512_000
    assert parse_size("1024") == 1024
    assert parse_size("2K") == 2048


# -- the pages ----------------------------------------------------------------------------

def test_pages_are_self_contained_and_locked_down(served):
    for path in ("", "view", "entity?iri=" + urllib.parse.quote("https://w3id.org/newskg/id/org/hugging-face")):
        status, ctype, body = http(served.url + path)
        html = body.decode("utf-8")
        assert status == 200 and ctype.startswith("text/html"), path
        assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"?(https?:)?//", html, re.I), path
        with urllib.request.urlopen(served.url + path, timeout=HTTP_TIMEOUT) as response:
            csp = response.headers["Content-Security-Policy"]
        assert csp == content_security_policy(html, framed=path == "view")
        assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_entity_data_has_each_fact_with_its_evidence_and_article(served):
    iri = "https://w3id.org/newskg/id/person/clement-delangue"
    status, _, body = http(served.url + "api/entity?" + urllib.parse.urlencode({"iri": iri}))
    data = json.loads(body)
    assert status == 200 and data["name"] == "Clément Delangue" and data["alternateNames"] == ["Delangue"]
    works = [f for f in data["facts"] if f["propertyLabel"] == "travaille pour"]
    assert works and works[0]["valueLabel"] == "Hugging Face"
    assert works[0]["evidence"] == "Le PDG de Hugging Face, Clément Delangue, s'inquiète des modèles chinois."
    assert data["articles"][works[0]["article"]]["iri"] == "https://w3id.org/newskg/id/doc/a"
    assert {f["propertyLabel"] for f in data["facts"]} >= {"rôle", "a fondé", "a déclaré", "mentionné dans"}
    raw = {d: {(r["p"].rsplit("/", 1)[-1], r["label"]) for r in data[d]["rows"]} for d in ("outgoing", "incoming")}
    assert ("worksFor", "Hugging Face") in raw["outgoing"] and ("founder", "Hugging Face") in raw["incoming"]
    assert http(served.url + "entity?iri=" + urllib.parse.quote("https://example.org/nobody"))[0] == 404
    assert http(served.url + "entity?iri=not%20an%20iri")[0] == 400
    assert http(served.url + "view?focus=nobody")[0] == 404


def _browse(url: str, work: Path, *args: str) -> str:
    """Headless Chromium on ``url``; every address but the loopback goes to a closed port."""
    cmd = [
        chromium(), *CHROMIUM_FLAGS,
        f"--user-data-dir={work / 'chromium-profile'}", "--proxy-server=127.0.0.1:9",
        "--virtual-time-budget=15000", "--window-size=1280,900", *args, url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _body_data(dom: str) -> dict[str, str]:
    body = re.search(r"<body[^>]*>", dom)
    assert body, dom[:500]
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group()))


@pytest.mark.browser
def test_browser_draws_the_network_and_runs_a_canned_query(served, tiny_store_path, tmp_path, capsys):
    expected = json.loads(kg_query(tiny_store_path, "founders", "json", capsys))
    dom = _browse(served.url + "?run=founders", tmp_path, "--dump-dom")
    state = _body_data(dom)
    assert state.get("kg-state") == "done", state
    assert state["kg-query"] == "founders"
    assert int(state["kg-rows"]) == len(expected["results"]["bindings"]) == 3
    assert (state.get("view-nodes"), state.get("view-edges")) == ("6", "6"), "the network was not drawn"
    table = re.search(r'<table id="kg-results">(.*?)</table>', dom, re.S)
    assert table
    cells = re.findall(r"<td>(?:<a [^>]*>)?([^<]*)", table.group(1))
    for binding in expected["results"]["bindings"]:
        for var in ("orgName", "founderName", "evidence"):
            if var in binding:
                assert binding[var]["value"] in cells
    assert 'href="/entity?iri=https%3A%2F%2Fw3id.org%2Fnewskg%2Fid%2Forg%2Fhugging-face"' in table.group(1)
    shot = ROOT / "out" / "serve.png"
    shot.parent.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    _browse(served.url + "?run=roles", tmp_path, f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000


@pytest.mark.browser
def test_browser_entity_page_lists_facts_with_evidence(served, tmp_path):
    iri = "https://w3id.org/newskg/id/person/clement-delangue"
    dom = _browse(served.url + "entity?" + urllib.parse.urlencode({"iri": iri}), tmp_path, "--dump-dom")
    assert _body_data(dom).get("kg-facts") == "7"
    assert "<h1>Clément Delangue</h1>" in dom
    assert "« Clément Delangue, Julien Chaumond et Thomas Wolf ont fondé Hugging Face en 2016. »" in dom


# -- hostile article text ------------------------------------------------------------------

XSS_NAME = "Acme</script><img src=x onerror=\"document.title='pwned'\">"
XSS_QUOTE = "<script>document.title='pwned'</script> a dit <b id=injected>x</b>."


@pytest.fixture(scope="module")
def xss_store_path(tmp_path_factory):
    text = f"{XSS_NAME} emploie Jean Dupont. {XSS_QUOTE}"
    person = _entity(text, "Person", "jean-dupont", "Jean Dupont", "Jean Dupont")
    org = _entity(text, "Organization", "acme", XSS_NAME, XSS_NAME)
    sentence = _span_of(text, XSS_QUOTE)
    doc = Document(identifier="x.txt", text=text, source="x.txt", title=XSS_NAME, lang="fr",
                   url="javascript:alert(1)")
    ext = Extraction(document=doc, entities=(person, org),
                     relations=(Relation(person, "worksFor", org, _span_of(text, f"{XSS_NAME} emploie Jean Dupont."),
                                         role="<i>PDG</i>", rule="test", confidence=0.9),),
                     claims=(Claim(person, sentence, "concern", "direct", about=(org,), cue="dit",
                                   confidence=0.9),))
    path = tmp_path_factory.mktemp("xss") / "store"
    with open_store(path) as store:
        store.consolidate_entities(store.replace_article(extraction_graph(ext, RUN, store.iris)))
    return path


def test_hostile_text_reaches_the_pages_only_as_escaped_data(xss_store_path, in_process):
    server = in_process(xss_store_path)
    iri = "https://w3id.org/newskg/id/org/acme"
    html = http(server.url + "entity?" + urllib.parse.urlencode({"iri": iri}))[2].decode()
    assert "<img" not in html and "<b id" not in html and "</script><" not in html
    assert html.count("</script>") == 2  # the JSON data block and the page's script
    assert "\\u003cimg src=x onerror=" in html
    data = json.loads(http(server.url + "api/entity?" + urllib.parse.urlencode({"iri": iri}))[2])
    assert data["name"] == XSS_NAME
    assert all(a["url"] is None for a in data["articles"].values())  # javascript: links are dropped


@pytest.mark.browser
def test_browser_shows_hostile_text_as_text(xss_store_path, in_process, tmp_path):
    server = in_process(xss_store_path)
    iri = "https://w3id.org/newskg/id/org/acme"
    pages = [server.url + "entity?" + urllib.parse.urlencode({"iri": iri}), server.url + "?run=claims_by_speaker"]
    for url in pages:
        dom = _browse(url, tmp_path, "--dump-dom")
        assert "pwned</title>" not in dom  # the title holds the name as text; nothing set it
        assert not re.search(r"<img\b", dom, re.I) and not re.search(r"<b\s+id=", dom, re.I)
        assert "&lt;script&gt;document.title='pwned'&lt;/script&gt; a dit" in dom
        assert "javascript:" not in dom
    assert _body_data(dom).get("kg-state") == "done"
