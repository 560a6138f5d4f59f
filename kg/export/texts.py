"""An article's graph as export text, made once where it was extracted.

`kg export` of a million triples reads them back from the store in about five seconds (every
term is a database lookup). The same text made beside :func:`kg.rdf.article_ntriples`, at
about 2 % of the NLP time, is kept beside the store (:mod:`kg.store.texts`) and an export
concatenates it instead (:mod:`kg.export`). Here: the text (:class:`ExportText`) and the
Turtle writer that both the cache and a full export use.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from kg.vocab import display_prefixes

EXPORT_TEXT_VERSION = "2"  # bump when the text below changes: stored texts are then not used


@dataclass(frozen=True)
class ExportText:
    """One article graph, ready to export.

    ``own``: the N-Triples lines whose subject is the article or a resource minted under its
    IRI (its mentions, spans, claims...): no other graph can hold them. ``shared``: the other
    lines (an entity's type and label, a role's name...), which other articles state too and
    an export writes once. Both sorted; ``own_count`` lines are own (a Turtle export counts
    without reading them). ``turtle``: the own lines as Turtle statements with
    the prefixes of :func:`kg.vocab.display_prefixes`, without ``@prefix`` lines.
    ``key``: what the text was made from (the article's content hash, this format, the
    prefixes); a text whose key does not match its graph's is not used.
    """

    graph: str
    key: str
    own: str
    own_count: int
    shared: str
    turtle: str


def export_key(content_hash: str, base: str) -> str:
    digest = hashlib.sha256(repr(sorted(display_prefixes(base).items())).encode()).hexdigest()[:12]
    return f"{content_hash} {EXPORT_TEXT_VERSION} {digest}"


def export_text(graph: str, ntriples: str, content_hash: str, base: str) -> ExportText:
    """The :class:`ExportText` of the article graph ``graph`` whose N-Triples are ``ntriples``."""
    lines = sorted(set(_as_stored(ntriples.splitlines(keepends=True))))
    own, shared = split_own_lines(graph, lines)
    return ExportText(graph, export_key(content_hash, base), "".join(own), len(own), "".join(shared),
                      turtle_statements(own, display_prefixes(base)))


_STORED_FORMS: dict[str, str] = {}  # literal -> the form the store gives back (per process, bounded)


def _as_stored(lines: list[str]) -> list[str]:
    """``lines`` with their literals as the store gives them back: Oxigraph keeps a typed
    literal as its value (``"0.80"^^xsd:decimal`` comes back as ``"0.8"``) and a language
    tag in lower case. Oxigraph decides, once per distinct literal, so both always agree."""
    objects = [_tagged_or_typed_literal(line) for line in lines]
    unknown = [obj for obj in objects if obj is not None and obj not in _STORED_FORMS]
    if unknown:
        _learn_stored_forms(unknown)
    out = []
    for line, obj in zip(lines, objects, strict=True):
        if obj is None or (stored := _STORED_FORMS.get(obj, obj)) == obj:
            out.append(line)
        else:  # the line is "<s> <p> " + obj + " .\n"
            out.append(f"{line[: -len(obj) - 3]}{stored} .\n")
    return out


def _tagged_or_typed_literal(line: str) -> str | None:
    """The object of the N-Triples ``line`` if it is a literal with a language tag or a datatype."""
    last = line[-4]  # the object's last character ("... .\n")
    if last == '"' or (last == ">" and '"' not in line):  # a plain string, an IRI
        return None
    obj = line[:-3].split(" ", 2)[2]
    return obj if obj[0] == '"' else None  # else a blank node


def _learn_stored_forms(literals: list[str]) -> None:
    import pyoxigraph as ox

    if len(_STORED_FORMS) > 200_000:
        _STORED_FORMS.clear()
    literals = list(dict.fromkeys(literals))
    scratch = ox.Store()
    scratch.load("".join(f"<urn:newskg:{i}> <urn:newskg:p> {lit} .\n" for i, lit in enumerate(literals)).encode(),
                 ox.RdfFormat.N_TRIPLES)
    for quad in scratch:
        _STORED_FORMS[literals[int(str(quad.subject.value).rsplit(":", 1)[1])]] = str(quad.object)


def split_own_lines(graph: str, lines: list[str]) -> tuple[list[str], list[str]]:
    """``lines`` (sorted N-Triples) split into those about ``graph`` or IRIs under it, and the rest."""
    exact, under = f"<{graph}> ", f"<{graph}/"
    own = [line for line in lines if line.startswith(exact) or line.startswith(under)]
    if len(own) == len(lines):
        return own, []
    mine = set(own)
    return own, [line for line in lines if line not in mine]


# A local name Turtle can hold with escapes only (PN_LOCAL); anything else keeps its full IRI.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_:/.~!$&'()*+,;=?#@-]*")
_LOCAL_ESCAPES = str.maketrans({c: "\\" + c for c in "/.~!$&'()*+,;=?#@"})


def turtle_statements(lines: list[str], prefixes: dict[str, str]) -> str:
    """Sorted N-Triples lines as Turtle statements, one per subject (``;`` between its
    predicates), IRIs shortened with ``prefixes`` where Turtle allows. N-Triples literals and
    blank nodes are Turtle already; a datatype IRI is shortened like any other."""
    namespaces = sorted(prefixes.items(), key=lambda item: -len(item[1]))
    names: dict[str, str] = {}

    def name(term: str) -> str:  # "<iri>" as prefix:local when it can be; terms repeat: once each
        short = names.get(term)
        if short is None:
            short = term
            iri = term[1:-1]
            for prefix, namespace in namespaces:
                if iri.startswith(namespace):
                    local = iri[len(namespace):]
                    if _PLAIN_LOCAL.fullmatch(local) and not local.startswith("-"):
                        short = f"{prefix}:{local.translate(_LOCAL_ESCAPES)}"
                    break
            names[term] = short
        return short

    out: list[str] = []
    previous = None
    for line in lines:
        subject, predicate, obj = line[:-3].split(" ", 2)  # "<s> <p> o .\n"
        if obj[0] == "<":
            obj = name(obj)
        elif obj[-1] == ">":
            cut = obj.rfind("^^<")
            if cut > 0:
                obj = obj[: cut + 2] + name(obj[cut + 2 :])
        if subject == previous:
            out.append(f" ;\n    {name(predicate)} {obj}")
        else:
            if previous is not None:
                out.append(" .\n")
            out.append(f"{name(subject) if subject[0] == '<' else subject} {name(predicate)} {obj}")
            previous = subject
    if previous is not None:
        out.append(" .\n")
    return "".join(out)


__all__ = ["ExportText", "export_key", "export_text", "split_own_lines", "turtle_statements"]
