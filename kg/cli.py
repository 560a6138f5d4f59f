"""The ``kg`` command: a thin layer over the public API.

This is the only place where :class:`kg.errors.KGError` becomes a one-line message
and an exit status.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path

from kg import __version__
from kg.errors import ArgumentError, KGError, UsageError, describe
from kg.nlp.pieces import MAX_CHARS, PIECE_CHARS


def _store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=os.environ.get("KG_STORE", "kg-store"),
                        help="store directory (default: $KG_STORE or ./kg-store)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg", description="French news articles to an evidence-backed knowledge graph.")
    parser.add_argument("--version", action="version", version=f"newskg {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="extract articles into the store (new or changed articles only)")
    p.add_argument("inputs", nargs="+", help="files (.txt, .md, .html, .jsonl), folders, http(s) URLs of pages, "
                   "RSS/Atom feeds or sitemaps, and WARC/ARC archives (.warc, .warc.gz, .arc, .arc.gz)")
    _store_arg(p)
    p.add_argument("--model", default="fr_core_news_md", help="spaCy pipeline (fr_core_news_md, fr_core_news_sm)")
    p.add_argument("--kb", action="append", default=[], metavar="CSV", help="extra knowledge-base file (repeatable)")
    p.add_argument("--workers", type=int, default=1,
                   help="NLP processes (default 1); with --engine dask and no --scheduler, local Dask workers")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="where the NLP runs: local processes (default) or a Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler to use with --engine dask (tcp://host:8786); default: a local cluster")
    p.add_argument("--base", help="base IRI for minted resources (default https://w3id.org/newskg/id/)")
    p.add_argument("--force", action="store_true", help="re-analyse unchanged articles too")
    p.add_argument("--no-export-texts", dest="export_texts", action="store_false",
                   help="do not keep each article's graph as export text beside the store (saves about as "
                        "much disk as the store takes; `kg export` to Turtle and N-Triples then reads the "
                        "database, several times slower)")
    p.add_argument("--on-error", choices=("skip", "stop"), default="skip",
                   help="on a bad input or an article that fails: skip it and go on (default) or stop")
    p.add_argument("--max-chars", type=int, default=MAX_CHARS, metavar="N",
                   help=f"refuse articles longer than N characters (default {MAX_CHARS:,})")
    p.add_argument("--piece-chars", type=int, default=PIECE_CHARS, metavar="N",
                   help=f"analyse longer articles in pieces of at most N characters (default {PIECE_CHARS:,}; "
                        "spaCy needs about 1 GB per 100,000 characters of a piece)")
    p.add_argument("--since", metavar="DATE", help="from feeds and sitemaps, only items published on or after "
                   "DATE (YYYY-MM-DD, or Nd for N days ago)")
    p.add_argument("--lang", metavar="CODES", help="keep only articles detected in these languages "
                   "(fr, or fr,en; articles too short to tell stay); others are left out and counted")
    p.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                   help="seconds between two requests to one host (default 1)")
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                   help="give up a request after SECONDS without an answer (default 20)")
    p.add_argument("--max-page-bytes", type=int, default=5 * 1024 * 1024, metavar="N",
                   help="refuse a fetched or archived page larger than N bytes (default 5 MiB)")

    p = sub.add_parser("query", help="run a SPARQL query (file, canned name, or string)")
    p.add_argument("query", nargs="?", help="a .rq file, a canned query name (see --list), or a SPARQL string")
    _store_arg(p)
    p.add_argument("--list", action="store_true", help="list the canned queries and what they answer")
    p.add_argument("--format", default="table", choices=("table", "csv", "tsv", "json", "ntriples"),
                   help="result format (ntriples for CONSTRUCT/DESCRIBE)")
    p.add_argument("--bind", action="append", default=[], metavar="VAR=VALUE",
                   help="bind a variable to an IRI, a prefixed name (kgr:person/x) or a literal")

    p = sub.add_parser("export", help="write the graph in an RDF or graph format")
    _store_arg(p)
    p.add_argument("--format", default="turtle",
                   help="turtle, ntriples, nquads, trig, jsonld or graphml")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    p.add_argument("--min-confidence", type=float, default=0.0,
                   help="leave out facts whose kg:confidence is lower (mentions, relations, claims)")

    p = sub.add_parser("view", help="write the interactive HTML network view")
    _store_arg(p)
    p.add_argument("-o", "--output", default="graph.html")
    p.add_argument("--focus", help="centre on this entity (name or alias)")
    p.add_argument("--depth", type=int, default=2, help="hops around --focus (default 2)")
    p.add_argument("--types", help="comma-separated entity types to show: Person,Organization,AIModel")
    p.add_argument("--min-confidence", type=float, default=0.0)
    p.add_argument("--max-nodes", type=int, default=1500,
                   help="above this, show the most-mentioned entities only (the page says so)")

    p = sub.add_parser("validate", help="check the graph against the SHACL shapes")
    _store_arg(p)

    p = sub.add_parser("stats", help="counts by type, documents, claims, evidence")
    _store_arg(p)

    p = sub.add_parser("merges", help="list every merge of two names into one entity, with its rule and articles")
    _store_arg(p)
    p.add_argument("--format", default="table", choices=("table", "csv", "tsv", "json"))

    p = sub.add_parser("decide", help="record a decision applied on every build: merge, split, type, ignore")
    _store_arg(p)
    p.add_argument("action", choices=("merge", "split", "type", "ignore", "list"))
    p.add_argument("name", nargs="?", help="the name as written in articles")
    p.add_argument("target", nargs="?", help="merge/split: the other name; type: Person, Organization or AIModel")

    p = sub.add_parser("eval", help="score the graph against your answer keys (precision, recall, F1, misses)")
    _store_arg(p)
    p.add_argument("--gold", required=True, help="folder of answer keys (one JSON per article)")
    p.add_argument("--texts", required=True, help="folder of the annotated articles")
    p.add_argument("--format", default="table", choices=("table", "json"))
    p.add_argument("--no-misses", action="store_true", help="print the figures only")
    p = sub.add_parser("serve", help="serve the store read-only: SPARQL endpoint at /sparql, web page at /")
    _store_arg(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: everyone)")
    p.add_argument("--port", type=int, default=7878, help="port (default 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="query time limit in seconds; longer queries are stopped with HTTP 503 (default 30)")
    p.add_argument("--max-result-bytes", default="50M", metavar="SIZE",
                   help="result size limit (e.g. 500K, 50M); larger results get HTTP 413 (default 50M)")
    p.add_argument("--cors", action="store_true", help=argparse.SUPPRESS)  # the default now; kept for old scripts
    p.add_argument("--no-cors", dest="no_cors", action="store_true",
                   help="do not answer CORS: web pages of other origins cannot query /sparql (default: they can)")
    p.add_argument("--allow-service", action="append", default=[], metavar="URL-PREFIX",
                   help="let SERVICE clauses call endpoints under this URL prefix (repeatable; default: none, "
                        "SERVICE is refused, the server never calls other servers)")
    p.add_argument("--max-connections", type=int, default=64, metavar="N",
                   help="open connections at once; a request beyond gets HTTP 503 with Retry-After (default 64)")

    p = sub.add_parser("push", help="send the graph to a Graph Store endpoint (Oxigraph, Fuseki, GraphDB)")
    p.add_argument("--endpoint", required=True,
                   help="Graph Store Protocol URL: http://HOST:7878/store (Oxigraph), "
                        "http://HOST:3030/DATASET/data (Fuseki), "
                        "http://HOST:7200/repositories/REPO/rdf-graphs/service (GraphDB)")
    _store_arg(p)
    p.add_argument("--graph", help="push this graph only: an article's IRI, a kgr: name or its identifier")
    p.add_argument("--default", action="store_true",
                   help="send into the endpoint's default graph: the union of all graphs (or --graph's)")
    p.add_argument("--append", action="store_true", help="add (POST) instead of replacing graphs (PUT)")
    p.add_argument("--user", help="HTTP basic authentication user; password from $KG_PUSH_PASSWORD or asked")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    p.add_argument("-v", "--verbose", action="store_true", help="list each graph sent")
    for command in sub.choices.values():  # `kg build --debug` as well as `kg --debug build`
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parser


DEBUG_HELP = "print the full traceback of any error, for a bug report (also: KG_DEBUG=1)"


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    debug = getattr(args, "debug", False) or os.environ.get("KG_DEBUG", "") not in ("", "0")
    warnings.filterwarnings("ignore", module="spacy")
    try:
        args.debug = debug
        return int(_COMMANDS[args.command](args) or 0)
    except KGError as exc:
        if debug:
            traceback.print_exc()
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        return _exit_status(exc)
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, and the traceback only when asked for
        if debug:
            traceback.print_exc()
        hint = "" if debug else " (run again with --debug or KG_DEBUG=1 for the traceback, to report it)"
        print(f"kg {args.command}: internal error: {describe(exc)}{hint}", file=sys.stderr)
        return 1


def _exit_status(exc: KGError) -> int:
    """2 for a request refused before any work (as argparse exits on a bad option), 1 for the rest."""
    return 2 if isinstance(exc, ArgumentError) else 1


def _build(args: argparse.Namespace) -> int:
    from kg.build import BuildSettings, build

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.max_chars < 1 or not 1000 <= args.piece_chars <= 1_000_000:
        raise UsageError("--max-chars must be positive and --piece-chars between 1000 and 1000000")
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    settings = BuildSettings(model=args.model, kb_files=tuple(args.kb), base=args.base,
                             batch_size=args.batch_size, workers=args.workers, force=args.force,
                             export_texts=args.export_texts, on_error=args.on_error, engine=args.engine,
                             scheduler=args.scheduler, max_chars=args.max_chars, piece_chars=args.piece_chars,
                             fetch=_fetch_options(args))
    bar = _progress_bar()
    try:
        report = build(args.inputs, args.store, settings, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    for message in report.warnings:
        print(f"kg build: warning: {message}", file=sys.stderr)
    for message in report.errors:
        print(f"kg build: skipped: {message}", file=sys.stderr)
    for detail in report.details if args.debug else ():
        print(detail, file=sys.stderr, end="")
    left_out = ", ".join(f"{n} {reason}" for reason, n in sorted(report.left_out.items()))
    print(f"built {args.store}: {report.analysed} analysed, {report.unchanged} unchanged, "
          f"{len(report.errors)} skipped" + (f" (left out: {left_out})" if left_out else ""))
    return 0 if report.ok else 1


def _fetch_options(args: argparse.Namespace):
    from kg.sources import FetchOptions
    from kg.sources.feeds import parse_since

    if args.delay < 0 or args.timeout <= 0 or args.max_page_bytes < 1:
        raise UsageError("--delay must be 0 or more, --timeout and --max-page-bytes positive")
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError:
        raise UsageError(f"--since {args.since!r}: give a date as YYYY-MM-DD, or Nd for N days ago") from None
    languages = tuple(code.strip().lower() for code in (args.lang or "").split(",") if code.strip())
    if any(not re.fullmatch(r"[a-z]{2,3}", code) for code in languages):
        raise UsageError(f"--lang {args.lang!r}: give language codes such as fr or fr,en")
    return FetchOptions(delay=args.delay, timeout=args.timeout, max_bytes=args.max_page_bytes, since=since,
                        languages=languages)


def _progress_bar():
    """A progress bar in articles/s on a terminal; nothing in pipes and logs."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="article", desc="kg build", file=sys.stderr, leave=False)


def _query(args: argparse.Namespace) -> int:
    from kg.formats import format_result
    from kg.query import canned_queries, load_query, run_query
    from kg.store import open_store

    if args.list:
        for name, canned in sorted(canned_queries().items()):
            print(f"{name:20} {canned.description.splitlines()[0] if canned.description else ''}")
        return 0
    if not args.query:
        raise UsageError("give a query (file, canned name or SPARQL string), or --list")
    bindings = {}
    for item in args.bind:
        name, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--bind {item!r}: expected VAR=IRI")
        bindings[name.lstrip("?")] = value
    sparql = load_query(args.query)
    with open_store(args.store, read_only=True) as store:
        result = run_query(store, sparql, bindings or None)
    text = format_result(result, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _export(args: argparse.Namespace) -> int:
    from kg.export import export
    from kg.store import open_store

    with open_store(args.store, read_only=True) as store:
        count = export(store, args.format, Path(args.output) if args.output else None,
                       min_confidence=args.min_confidence)
    if args.output:
        print(f"wrote {args.output} ({count} {'edges' if args.format == 'graphml' else 'triples'})", file=sys.stderr)
    return 0


def _view(args: argparse.Namespace) -> int:
    from kg.store import open_store
    from kg.viz import render_view

    types = [t.strip() for t in args.types.split(",")] if args.types else None
    with open_store(args.store, read_only=True) as store:
        summary = render_view(store, Path(args.output), focus=args.focus, depth=args.depth, types=types,
                              min_confidence=args.min_confidence, max_nodes=args.max_nodes)
    reduced = ", reduced" if summary.reduced else ""
    print(f"wrote {args.output} ({summary.nodes} nodes, {summary.edges} edges{reduced})", file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from kg.store import open_store
    from kg.validate import validate

    with open_store(args.store, read_only=True) as store:
        report = validate(store)
    if report.conforms:
        warned = getattr(report, "warnings", 0)
        if warned:
            print(report.text)
        print("conforms: the graph satisfies the SHACL shapes" + (f" ({warned} warning(s))" if warned else ""))
        return 0
    print(report.text)
    print(f"does not conform: {report.violations} violation(s)", file=sys.stderr)
    return 1


def _stats(args: argparse.Namespace) -> int:
    from kg.stats import stats
    from kg.store import open_store

    with open_store(args.store, read_only=True) as store:
        print(stats(store).as_text())
    return 0


def _merges(args: argparse.Namespace) -> int:
    from kg.formats import format_result
    from kg.query import load_query, run_query
    from kg.store import open_store

    with open_store(args.store, read_only=True) as store:
        result = run_query(store, load_query("merges"))
    text = format_result(result, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _decide(args: argparse.Namespace) -> int:
    from kg.decisions import STORE_FILE, Decision, add_decision, read_decisions

    store = Path(args.store)
    if args.action == "list":
        for d in read_decisions([store / STORE_FILE]).items:
            print(",".join(x for x in (d.action, d.name, d.target) if x))
        return 0
    if not args.name:
        raise UsageError(f"kg decide {args.action} needs a name")
    path = add_decision(store, Decision(args.action, args.name, args.target or ""))
    print(f"recorded in {path}; the next `kg build` applies it to the articles that name {args.name!r}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from kg.eval import evaluate
    from kg.store import open_store
    from kg.validate import DEFAULT_ONTOLOGY

    with open_store(args.store, read_only=True) as store:
        graph = store.union_graph()
    graph.parse(DEFAULT_ONTOLOGY, format="turtle")
    result = evaluate(graph, Path(args.texts), Path(args.gold))
    sys.stdout.write(result.as_json() if args.format == "json" else result.as_table(not args.no_misses))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from kg.serve import ServeSettings, is_loopback, parse_size, serve

    settings = ServeSettings(host=args.host, port=args.port, timeout=args.timeout,
                             max_result_bytes=parse_size(args.max_result_bytes), cors=not args.no_cors,
                             allow_service=tuple(args.allow_service), max_connections=args.max_connections)

    settings.check()
    if not is_loopback(settings.host):  # said before anything listens
        print(f"kg serve: warning: listening on {settings.host}: the endpoint is public, anyone who can "
              "reach this machine can query the store (there is no authentication)", file=sys.stderr, flush=True)

    def announce(server) -> None:
        print(f"serving {server.url} (SPARQL endpoint {server.url}sparql; {server.summary}; read-only, "
              f"time limit {settings.timeout:g} s, result limit {args.max_result_bytes})", flush=True)
        print("press Ctrl-C to stop", file=sys.stderr, flush=True)

    serve(args.store, settings, announce)
    return 0


def _push(args: argparse.Namespace) -> int:
    from kg.push import push
    from kg.store import open_store

    password = None
    if args.user is not None:
        password = os.environ.get("KG_PUSH_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                raise UsageError("--user: set $KG_PUSH_PASSWORD (no terminal to ask for the password)")
            import getpass

            password = getpass.getpass(f"password for {args.user}: ")

    def progress(pushed) -> None:
        if args.verbose:
            print(f"  {pushed.graph or '(default graph)'}: {pushed.triples} triples (HTTP {pushed.status})",
                  file=sys.stderr)

    with open_store(args.store, read_only=True) as store:
        report = push(store, args.endpoint, graph=args.graph, default=args.default, append=args.append,
                      timeout=args.timeout, user=args.user, password=password, progress=progress)
    print(report.as_text())
    return 0


_COMMANDS = {"build": _build, "query": _query, "export": _export, "view": _view, "validate": _validate,
             "stats": _stats, "eval": _eval, "merges": _merges, "decide": _decide, "serve": _serve, "push": _push}

if __name__ == "__main__":
    sys.exit(main())
