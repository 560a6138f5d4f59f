"""Query results as text: an aligned table (IRIs shortened with the one prefix table), CSV,
and the standard SPARQL 1.1 TSV and JSON results formats, or N-Triples for CONSTRUCT/DESCRIBE."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from kg.errors import FormatError
from kg.query import QueryResult, Term
from kg.vocab import display_prefixes

RESULT_FORMATS = ("table", "csv", "tsv", "json", "ntriples")

def format_result(result: QueryResult, fmt: str) -> str:
    """Render a result as ``table``, ``csv``, ``tsv``, ``json`` or ``ntriples``.

    csv and tsv follow the SPARQL 1.1 CSV/TSV results formats (csv: plain values;
    tsv: terms written as in N-Triples, so types survive); json is the SPARQL 1.1
    Query Results JSON format; ntriples is for CONSTRUCT and DESCRIBE results only.
    """
    formatter = _FORMATTERS.get(fmt)
    if formatter is None:
        raise FormatError(f"unknown result format {fmt!r}; choose one of {', '.join(RESULT_FORMATS)}")
    return formatter(result)


def _format_table(result: QueryResult) -> str:
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    prefixes = display_prefixes(result.base)
    header = list(result.variables)
    body = [[_cell(t, prefixes) for t in row] for row in result.terms]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = [_table_line(header, widths), _table_line(["-" * w for w in widths], widths)]
    lines += [_table_line(r, widths) for r in body]
    noun = "row" if len(body) == 1 else "rows"
    return "\n".join(lines) + f"\n({len(body)} {noun})\n"


def _table_line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _cell(term: Term | None, prefixes: Mapping[str, str]) -> str:
    """One table cell: IRIs shortened, literals as their value, on one line."""
    if term is None:
        return ""
    if term.kind == "uri":
        return shorten(term.value, prefixes)
    if term.kind == "bnode":
        return f"_:{term.value}"
    return " ".join(term.value.split()) if "\n" in term.value or "\t" in term.value else term.value


def shorten(iri: str, prefixes: Mapping[str, str]) -> str:
    """``prefix:local`` for the longest matching namespace; the full IRI otherwise."""
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def _format_csv(result: QueryResult) -> str:
    if result.kind == "ask":
        return "true\r\n" if result.boolean else "false\r\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def _format_tsv(result: QueryResult) -> str:
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else t.ntriples for t in row) for row in result.terms]
    return "\n".join(lines) + "\n"


def _format_json(result: QueryResult) -> str:
    if result.kind == "ask":
        doc: dict[str, object] = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [
            {var: _json_term(t) for var, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.terms
        ]
        doc = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    kind = "literal" if term.kind == "triple" else term.kind
    out = {"type": kind, "value": term.value}
    if term.lang:
        out["xml:lang"] = term.lang
    if term.datatype:
        out["datatype"] = term.datatype
    return out


def _format_ntriples(result: QueryResult) -> str:
    if result.triples is None:
        raise FormatError("the ntriples format is for CONSTRUCT and DESCRIBE queries; "
                         "use table, csv, tsv or json")
    return result.triples


_FORMATTERS = {
    "table": _format_table,
    "csv": _format_csv,
    "tsv": _format_tsv,
    "json": _format_json,
    "ntriples": _format_ntriples,
}
