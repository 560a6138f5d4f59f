"""The property-graph export: entities as nodes, relations and claims as edges, written as
GraphML for Gephi, Cytoscape and networkx (:func:`property_graph`, :func:`write_graphml`)."""

from __future__ import annotations

import re
import tempfile
from typing import TYPE_CHECKING, Any, BinaryIO

import networkx as nx

from kg.errors import ExportError
from kg.graph import relation_facts
from kg.query import run_query
from kg.resources import query_text
from kg.vocab import ENTITY_TYPES

if TYPE_CHECKING:
    from kg.store import Store


_TYPE_NAMES = {str(iri): name for name, iri in ENTITY_TYPES.items()}


def property_graph(store: Store) -> nx.MultiDiGraph:
    """Entities as nodes; relations and claims as edges, one per evidence record.

    Node attributes: ``label`` (schema:name), ``type`` (Person, Organization,
    AIModel), ``iri``, ``mentions`` and ``articles`` (ints). Every edge carries the
    same attributes so that Gephi, Cytoscape and igraph see one uniform schema:
    ``label``, ``kind`` ("relation" or "claim"), ``role``, ``stance``, ``evidence``,
    ``quote``, ``article`` (strings, "" when not applicable) and ``confidence``
    (float). Edge keys are the IRIs of the evidence records, so they are stable.
    """
    graph = nx.MultiDiGraph()
    _add_nodes(graph, store)
    _add_relation_edges(graph, store)
    _add_claim_edges(graph, store)
    return graph


def _add_nodes(graph: nx.MultiDiGraph, store: Store) -> None:
    for entity, type_iri, name, articles, mentions in run_query(store, query_text("export", "nodes.rq")).rows:
        if entity is None or entity in graph:  # an entity with two types keeps the first
            continue
        graph.add_node(entity, label=name or "", type=_TYPE_NAMES.get(type_iri or "", ""), iri=entity,
                       mentions=int(mentions or 0), articles=int(articles or 0))


def _ensure_node(graph: nx.MultiDiGraph, iri: str) -> None:
    """An edge's endpoint that has no entity description still gets every node attribute."""
    if iri not in graph:
        graph.add_node(iri, label=_local_name(iri), type="", iri=iri, mentions=0, articles=0)


def relation_rows(store: Store) -> list[tuple[str | None, ...]]:
    """Each relation reifier with evidence (statement, subject, predicate, object, evidence
    sentence, article, confidence) with the role title of the membership sharing its subject,
    object and evidence span (:func:`kg.graph.relation_facts`): one row per title, or one
    without a title when none applies, ordered by statement then title (an absent title first).
    """
    rows: set[tuple[str | None, ...]] = set()
    for f in relation_facts(store):
        if f.span is None:  # a reifier without evidence is no evidence record
            continue
        base = (f.statement, f.subject, f.predicate, f.object, f.evidence, f.article, f.confidence)
        rows.update((*base, title) for title in f.titles or (None,))
    # ORDER BY ?statement ?role: an unbound role first
    return sorted(rows, key=lambda r: (r[0] or "", r[7] is not None, r[7] or "", tuple(x or "" for x in r)))


def _add_relation_edges(graph: nx.MultiDiGraph, store: Store) -> None:
    roles: dict[str, list[str]] = {}
    for statement, s, p, o, evidence, article, confidence, role in relation_rows(store):
        assert statement is not None and s is not None and p is not None and o is not None
        if statement in roles:  # another role title for the same evidence record
            if role and role not in roles[statement]:
                roles[statement].append(role)
                graph.edges[s, o, statement]["role"] = ", ".join(roles[statement])
            continue
        roles[statement] = [role] if role else []
        _ensure_node(graph, s)
        _ensure_node(graph, o)
        graph.add_edge(s, o, key=statement, **_edge_attributes(
            label=_local_name(p), kind="relation", role=role, evidence=evidence, article=article,
            confidence=confidence))


def _add_claim_edges(graph: nx.MultiDiGraph, store: Store) -> None:
    claims = run_query(store, query_text("export", "claims.rq")).rows
    for claim, speaker, about, stance, text, article, confidence in claims:
        assert claim is not None and speaker is not None and about is not None
        _ensure_node(graph, speaker)
        _ensure_node(graph, about)
        graph.add_edge(speaker, about, key=f"{claim}|{about}", **_edge_attributes(
            label="claim", kind="claim", stance=_local_name(stance or "").lower(), evidence=text, quote=text,
            article=article, confidence=confidence))


def _edge_attributes(*, label: str, kind: str, role: str | None = None, stance: str = "",
                     evidence: str | None = None, quote: str | None = None, article: str | None = None,
                     confidence: str | None = None) -> dict[str, str | float]:
    """GraphML has no null: absent strings become "", an absent confidence 0.0."""
    return {
        "label": label,
        "kind": kind,
        "role": role or "",
        "stance": stance,
        "evidence": evidence or "",
        "quote": quote or "",
        "article": article or "",
        "confidence": float(confidence) if confidence else 0.0,
    }


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def write_graphml_export(store: Store, sink: BinaryIO) -> int:
    graph = property_graph(store)
    try:
        write_graphml(graph, sink)
    except ValueError as exc:  # a character XML cannot hold, in a name or sentence from an article
        raise ExportError(f"cannot write graphml: {exc}") from exc
    return int(graph.number_of_edges())


_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/'
    'xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)
_XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}  # as networkx names them
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
                               "\r": "&#13;", "\t": "&#9;"})
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def write_graphml(graph: nx.MultiDiGraph, sink: BinaryIO) -> None:
    """Write ``graph`` as ``nx.write_graphml_lxml`` does, byte for byte, about three times faster.

    networkx builds an lxml element per node, edge and value; here the text is written
    directly, in the same order (keys in networkx's order, nodes, then edges by source,
    target and key), with lxml's escapes. Graphs this writer does not cover (graph
    attributes, values other than str, int, float and bool, characters XML cannot hold)
    go to networkx, which writes them or raises as before.

    The ``<key>`` list comes first in the file but is only known once every value has been
    seen, so nodes and edges are written to a temporary file in the same pass and copied
    after the keys: one pass over a million edges instead of two.
    """
    if graph.graph or not graph.number_of_nodes():
        nx.write_graphml_lxml(graph, sink)
        return
    import shutil

    # in memory up to 16 MB (every small graph), then in a temporary file (1M edges: ~600 MB)
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as body:
        try:
            keys = _write_graphml_body(graph, body)  # type: ignore[arg-type]
        except _NotCovered:
            nx.write_graphml_lxml(graph, sink)
            return
        head = [_GRAPHML_HEAD]
        for (name, kind, scope), ident in reversed(keys.items()):
            _check_xml(name)
            head.append(f'<key id="{ident}" for="{scope}" attr.name="{name.translate(_ATTR_ESCAPES)}" '
                        f'attr.type="{_XML_TYPES[kind]}"/>\n')
        head.append('<graph edgedefault="directed">')
        _flush_xml(head, sink)
        body.seek(0)
        shutil.copyfileobj(body, sink, 1 << 20)
    sink.write(b"</graph></graphml>")


class _NotCovered(Exception):
    """A name or value type :func:`write_graphml` leaves to networkx."""


def _write_graphml_body(graph: nx.MultiDiGraph, body: BinaryIO) -> dict[tuple[str, type, str], str]:
    """Nodes and edges of ``graph`` as GraphML into ``body``; returns the keys they use, with
    networkx's ids (``d0``, ``d1``... in the order first seen over the nodes, then the edges)."""
    keys: dict[tuple[str, type, str], str] = {}
    templates: dict[tuple, str] = {}  # (scope, names, types) -> the element's text, values as {}
    attr_cache: dict[Any, str] = {}
    out: list[str] = []

    def attr(value: Any) -> str:  # node ids repeat: escape each once
        text = attr_cache.get(value)
        if text is None:
            text = str(value)
            _check_xml(text)
            text = attr_cache[value] = _attribute_text(text)
        return text

    def template(signature: tuple) -> str:  # a new shape of values: its keys, then its text
        scope, names, types = signature
        for name, kind in zip(names, types, strict=True):
            if kind not in _XML_TYPES or not isinstance(name, str):
                raise _NotCovered(name)
            keys.setdefault((name, kind, scope), f"d{len(keys)}")
        lines = "".join(f'  <data key="{keys[(k, t, scope)]}">{{}}</data>\n' for k, t in zip(names, types, strict=True))
        text = templates[signature] = "{}>\n" + lines + f"</{scope}>\n"
        return text

    def element(scope: str, head: str, values: dict[str, Any], extra: str = "") -> str:
        """The element; ``extra``: text in ``head`` not checked yet (an edge's key)."""
        if not values:
            _check_xml(extra)
            return f"{head}/>\n"
        signature = (scope, tuple(values), tuple(map(type, values.values())))
        text = templates.get(signature) or template(signature)
        texts = [v if type(v) is str else str(v) for v in values.values()]
        joined = "".join(texts)
        _check_xml(joined + extra)
        if "&" in joined or "<" in joined or ">" in joined or "\r" in joined:
            texts = [t.translate(_TEXT_ESCAPES) for t in texts]
        return text.format(head, *texts)

    for node, values in graph.nodes(data=True):
        out.append(element("node", f'<node id="{attr(node)}"', values))
    # Edges in graph.edges(keys=True, data=True)'s order, read from the adjacency dicts: the
    # edge view's generator costs as much as writing an edge.
    for source, targets in graph._adj.items():
        source_text = attr(source)
        for target, keyed in targets.items():
            head = f'<edge source="{source_text}" target="{attr(target)}" id="'
            for key, values in keyed.items():
                key_text = str(key)
                out.append(element("edge", head + _attribute_text(key_text) + '"', values, key_text))
            if len(out) > 4096:
                _flush_xml(out, body)
    _flush_xml(out, body)
    return keys


def _attribute_text(text: str) -> str:
    """``text`` escaped for an XML attribute; most need nothing, and a check is ten times cheaper."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "\n" in text or "\r" in text or "\t" in text:
        return text.translate(_ATTR_ESCAPES)
    return text


def _check_xml(text: str) -> None:
    """Every value and name is checked once (not the markup around them: half the text)."""
    if _NOT_XML.search(text):  # lxml refuses such characters: say so as networkx does
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")


def _flush_xml(out: list[str], sink: BinaryIO) -> None:
    sink.write("".join(out).encode("utf-8"))
    out.clear()
