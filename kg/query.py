"""SPARQL over the store: canned questions, parameter binding, typed results (as text: :mod:`kg.formats`).

Queries see the union of all graphs as their default graph (one article's facts
and the consolidated entity names in ``kgr:graph/entities`` join freely). Because
that union keeps one copy of a triple *per graph*, the canned queries use
``DISTINCT`` or ``COUNT(DISTINCT …)`` wherever a triple can repeat across articles.

Results keep every term's kind, language and datatype (:class:`Term`) so that the
SPARQL 1.1 JSON and TSV formats are exact, while :attr:`QueryResult.rows` offers the
plain strings most callers want.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Literal as Kind

import pyoxigraph as ox

from kg.errors import QueryError
from kg.resources import ontology_path
from kg.vocab import DEFAULT_BASE, display_prefixes

if TYPE_CHECKING:
    from kg.store import Store

QUERY_DIR = ontology_path("queries")

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_GRAPH_VARIABLES = ("subject", "predicate", "object")
_QUERY_FILE_SUFFIXES = (".rq", ".sparql")


# -- canned queries ----------------------------------------------------------------
@dataclass(frozen=True)
class CannedQuery:
    """One ``ontology/queries/NAME.rq`` file; ``description`` is its leading comment."""

    name: str
    path: Path
    description: str
    text: str


def canned_queries(directory: Path = QUERY_DIR) -> dict[str, CannedQuery]:
    """Every canned query by name, sorted, so that ``kg query --list`` is stable."""
    queries = {}
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        queries[path.stem] = CannedQuery(path.stem, path, _leading_comment(text), text)
    return queries


def _leading_comment(text: str) -> str:
    """The ``#`` lines before the first query line, joined: what the query answers."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return " ".join(part for part in lines if part)


def load_query(arg: str) -> str:
    """A query file's text, a canned query's text, or ``arg`` itself as SPARQL.

    A name that looks like a query file but does not exist is an error rather than
    SPARQL, so that a typo in a path does not surface as a baffling syntax error.
    """
    path = _as_existing_file(arg)
    if path is not None:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{arg}: cannot read query file: {exc}") from exc
    canned = canned_queries()
    if arg in canned:
        return canned[arg].text
    if arg.strip().endswith(_QUERY_FILE_SUFFIXES) and "\n" not in arg.strip():
        raise QueryError(f"{arg}: no such query file (canned queries: {', '.join(canned)})")
    return arg


def _as_existing_file(arg: str) -> Path | None:
    if "\n" in arg or not arg.strip():
        return None
    try:
        path = Path(arg).expanduser()
        return path if path.is_file() else None
    except (OSError, ValueError):  # e.g. a long SPARQL string is not a valid file name
        return None


# -- results -----------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """An RDF term with enough detail for the SPARQL 1.1 JSON results format."""

    kind: Kind["uri", "literal", "bnode", "triple"]
    value: str
    lang: str | None = None
    datatype: str | None = None  # None for xsd:string and language-tagged strings
    ntriples: str = ""  # the term as N-Triples writes it (for TSV)


@dataclass(frozen=True)
class QueryResult:
    """The materialised answer of one query.

    SELECT: ``variables`` and ``rows`` (plain strings; ``None`` when unbound), with
    the full ``terms`` alongside. ASK: ``boolean``. CONSTRUCT / DESCRIBE: ``triples``
    as N-Triples text, and also rows over ``subject predicate object`` so that every
    tabular format works for them too.
    """

    kind: Kind["select", "ask", "graph"]
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()
    terms: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: str | None = None
    base: str = DEFAULT_BASE  # the store's base, for the kgr: prefix in tables


def to_term(node: object) -> Term:
    """Convert a pyoxigraph term; keeps language and non-default datatype."""
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value, ntriples=str(node))
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value, ntriples=str(node))
    if isinstance(node, ox.Literal):
        datatype = node.datatype.value
        plain = datatype in (XSD_STRING, RDF_LANG_STRING)
        return Term("literal", node.value, node.language, None if plain else datatype, str(node))
    return Term("triple", str(node), ntriples=str(node))


def run_query(store: Store, sparql: str, bindings: Mapping[str, object] | None = None) -> QueryResult:
    """Run ``sparql`` over the union of all graphs, binding ``?name`` from ``bindings``.

    ``bindings`` values may be IRIs (``https://…`` or ``<…>``), prefixed names with
    a known prefix (``kgr:person/x``), plain strings (bound as literals) or
    pyoxigraph terms. A bound variable must appear in the query's projection.
    """
    try:
        substitutions = _substitutions(bindings or {}, store.iris.base)
        answer = store.ox.query(sparql, use_default_graph_as_union=True, substitutions=substitutions or None)
        return _materialise(answer, store.iris.base)
    except SyntaxError as exc:
        raise QueryError(_syntax_message(str(exc), sparql)) from exc
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise QueryError(f"query failed: {_one_line(str(exc))}") from exc


BoundTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _substitutions(bindings: Mapping[str, object], base: str) -> dict[ox.Variable, BoundTerm]:
    return {ox.Variable(name.lstrip("?$")): _binding_term(value, base) for name, value in bindings.items()}


def _binding_term(value: object, base: str) -> BoundTerm:
    """An IRI when the value reads as one, otherwise a plain literal."""
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple):
        return value
    text = str(value).strip()
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    prefix, sep, local = text.partition(":")
    known = display_prefixes(base)
    if sep and prefix in known:
        return ox.NamedNode(known[prefix] + local)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", text):
        return ox.NamedNode(text)
    return ox.Literal(text)


def _materialise(answer: object, base: str) -> QueryResult:
    """Read the whole answer now, so that evaluation errors surface inside run_query."""
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer), base=base)
    if isinstance(answer, ox.QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        known: dict[object, Term] = {}  # rows repeat names and IRIs: convert each term once

        def term(node: object) -> Term | None:
            if node is None:
                return None
            found = known.get(node)
            if found is None:
                found = known[node] = to_term(node)
            return found

        terms = tuple(tuple(term(solution[v]) for v in variables) for solution in answer)
        return QueryResult("select", variables, _plain_rows(terms), terms, base=base)
    triples = list(answer)  # type: ignore[call-overload]
    text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    terms = tuple((to_term(t.subject), to_term(t.predicate), to_term(t.object)) for t in triples)
    return QueryResult("graph", _GRAPH_VARIABLES, _plain_rows(terms), terms, triples=text, base=base)


def _plain_rows(terms: Iterable[tuple[Term | None, ...]]) -> tuple[tuple[str | None, ...], ...]:
    return tuple(tuple(None if t is None else t.value for t in row) for row in terms)


def _syntax_message(parser_message: str, sparql: str) -> str:
    """Name line and column in words, quote the offending line, keep the parser's text."""
    message = _one_line(parser_message)
    match = re.search(r"\bat (\d+):(\d+)", parser_message) or re.search(r"(\d+):(\d+)", parser_message)
    if not match:
        return f"malformed SPARQL: {message}"
    line, column = int(match.group(1)), int(match.group(2))
    lines = sparql.splitlines()
    source = f" near {lines[line - 1].strip()[:60]!r}" if 0 < line <= len(lines) else ""
    return f"malformed SPARQL at line {line}, column {column}{source}: {message}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
