"""The ``kg`` command: a thin layer over the public API.

This is the only place where :class:`kg.errors.KGError` becomes a one-line message
and an exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from kg import __version__
from kg.errors import KGError, UsageError


def _store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=os.environ.get("KG_STORE", "kg-store"),
                        help="store directory (default: $KG_STORE or ./kg-store)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description="French news articles to an evidence-backed knowledge graph.")
    parser.add_argument("--version", action="version", version=f"newskg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="extract articles into the store (new or changed articles only)")
    p.add_argument("inputs", nargs="+", help="files (.txt, .md, .html, .jsonl) or folders")
    _store_arg(p)
    p.add_argument("--model", default="fr_core_news_md", help="spaCy pipeline (fr_core_news_md, fr_core_news_sm)")
    p.add_argument("--kb", action="append", default=[], metavar="CSV", help="extra knowledge-base file (repeatable)")
    p.add_argument("--workers", type=int, default=1, help="NLP processes (default 1)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--base", help="base IRI for minted resources (default https://w3id.org/newskg/id/)")
    p.add_argument("--force", action="store_true", help="re-analyse unchanged articles too")
    p.add_argument("--on-error", choices=("skip", "stop"), default="skip",
                   help="on a bad input: skip it and go on (default) or stop")

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

    p = sub.add_parser("eval", help="score the graph against your answer keys (precision, recall, F1, misses)")
    _store_arg(p)
    p.add_argument("--gold", required=True, help="folder of answer keys (one JSON per article)")
    p.add_argument("--texts", required=True, help="folder of the annotated articles")
    p.add_argument("--format", default="table", choices=("table", "json"))
    p.add_argument("--no-misses", action="store_true", help="print the figures only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    warnings.filterwarnings("ignore", module="spacy")
    try:
        return int(_COMMANDS[args.command](args) or 0)
    except KGError as exc:
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace) -> int:
    from kg.build import BuildSettings, build

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    settings = BuildSettings(model=args.model, kb_files=tuple(args.kb), base=args.base,
                             batch_size=args.batch_size, workers=args.workers, force=args.force,
                             on_error=args.on_error)
    bar = _progress_bar()
    try:
        report = build(args.inputs, args.store, settings, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    for message in report.errors:
        print(f"kg build: skipped: {message}", file=sys.stderr)
    print(f"built {args.store}: {report.analysed} analysed, {report.unchanged} unchanged, "
          f"{len(report.errors)} skipped")
    return 0 if report.ok else 1


def _progress_bar():  # type: ignore[no-untyped-def]
    """A progress bar in articles/s on a terminal; nothing in pipes and logs."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="article", desc="kg build", file=sys.stderr, leave=False)


def _query(args: argparse.Namespace) -> int:
    from kg.query import canned_queries, format_result, load_query, run_query
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
        count = export(store, args.format, Path(args.output) if args.output else None)
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


_COMMANDS = {"build": _build, "query": _query, "export": _export, "view": _view, "validate": _validate,
             "stats": _stats, "eval": _eval}

if __name__ == "__main__":
    sys.exit(main())
