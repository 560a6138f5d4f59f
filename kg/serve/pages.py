"""The pages of ``kg serve``: the web page (``/``), entity pages, and their data.

The pages are built in the browser from JSON with ``textContent`` (article text is
never parsed as HTML); the JSON sits in ``<script type="application/json">``
escaped by :func:`kg.web.safe_json`; a Content-Security-Policy allows only the
page's own inline scripts (by hash), so nothing is fetched from elsewhere and the
page works offline. The markup is in ``kg/web/templates`` and ``kg/web/static``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pyoxigraph as ox

from kg.errors import ArgumentError
from kg.formats import shorten
from kg.query import canned_queries, run_query
from kg.resources import query_text
from kg.store import Store
from kg.vocab import KG, ORG, SCHEMA, display_prefixes
from kg.web import render, safe_json

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_PROPERTY_LABELS = {  # (property, direction) -> French label of the fact on an entity page
    (RDF_TYPE, "out"): "type",
    (str(SCHEMA.name), "out"): "nom",
    (str(SCHEMA.alternateName), "out"): "autre nom",
    (str(SCHEMA.mentions), "in"): "mentionné dans",
    (str(SCHEMA.worksFor), "out"): "travaille pour",
    (str(SCHEMA.worksFor), "in"): "emploie",
    (str(SCHEMA.founder), "out"): "a pour fondateur",
    (str(SCHEMA.founder), "in"): "a fondé",
    (str(SCHEMA.creator), "out"): "développé par",
    (str(SCHEMA.creator), "in"): "a développé",
    (str(ORG.role), "out"): "rôle",
    (str(SCHEMA.author), "in"): "a déclaré",
    (str(SCHEMA.about), "in"): "déclaration à son sujet",
}
_TYPE_LABELS = {str(SCHEMA.Person): "Personne", str(SCHEMA.Organization): "Organisation",
                str(KG.AIModel): "Modèle d’IA", str(KG.LanguageModel): "Modèle de langue",
                str(SCHEMA.NewsArticle): "Article"}
_FACT_ORDER = {p: i for i, p in enumerate(
    (str(SCHEMA.worksFor), str(ORG.role), str(SCHEMA.founder), str(SCHEMA.creator), str(SCHEMA.author),
     str(SCHEMA.about), str(SCHEMA.mentions)))}
_MAX_TRIPLES_SHOWN = 500


def entity_data(store: Store, iri: str) -> dict[str, Any]:
    """Everything known about ``iri`` for its page: canonical facts, each with its evidence
    sentence and article, and the raw statements it takes part in."""
    prefixes = display_prefixes(store.iris.base)
    try:
        node = ox.NamedNode(iri)
    except ValueError as exc:
        raise ArgumentError(f"{iri!r} is not an IRI: {exc}") from None
    facts_result = run_query(store, canned_queries()["entity"].text, {"entity": node})
    idx = {v: i for i, v in enumerate(facts_result.variables)}
    names: list[str] = []
    alternates: list[str] = []
    types: list[dict[str, str]] = []
    facts: list[dict[str, Any]] = []
    article_ids: set[str] = set()
    for row in facts_result.terms:
        prop = row[idx["property"]].value  # type: ignore[union-attr]
        direction = row[idx["direction"]].value  # type: ignore[union-attr]
        value = row[idx["value"]]
        label = row[idx["valueLabel"]]
        if prop == RDF_TYPE and value is not None:
            types.append({"iri": value.value, "label": _TYPE_LABELS.get(value.value, value.value)})
            continue
        if prop == str(SCHEMA.name) and label is not None:
            names.append(label.value)
            continue
        if prop == str(SCHEMA.alternateName) and label is not None:
            alternates.append(label.value)
            continue
        article = row[idx["article"]]
        if article is not None:
            article_ids.add(article.value)
        evidence, conf = row[idx["evidence"]], row[idx["confidence"]]
        facts.append({
            "property": prop,
            "propertyLabel": _PROPERTY_LABELS.get((prop, direction), shorten(prop, prefixes)),
            "direction": direction,
            "value": None if value is None else {"type": value.kind, "value": value.value},
            "valueLabel": None if label is None else label.value,
            "evidence": None if evidence is None else evidence.value,
            "article": None if article is None else article.value,
            "confidence": None if conf is None else conf.value,
        })
    facts.sort(key=lambda f: (_FACT_ORDER.get(f["property"], len(_FACT_ORDER)), f["propertyLabel"],
                              f["valueLabel"] or "", f["article"] or "", f["evidence"] or ""))
    articles = _articles(store, article_ids)
    outgoing = _statements(store, "outgoing.rq", node)
    incoming = _statements(store, "incoming.rq", node)
    headline = next((s["o"]["value"] for s in outgoing["rows"] if s["p"] == str(SCHEMA.headline)), None)
    return {
        "iri": iri,
        "found": bool(facts_result.rows or outgoing["rows"] or incoming["rows"]),
        "name": min(names) if names else headline,
        "alternateNames": sorted(set(alternates)),
        "types": types,
        "facts": facts,
        "articles": articles,
        "outgoing": outgoing,
        "incoming": incoming,
        "prefixes": prefixes,
    }


def _articles(store: Store, identifiers: set[str]) -> dict[str, dict[str, str | None]]:
    """Headline, URL and date of each article; identifiers are bound as literals (a page's is its URL)."""
    out: dict[str, dict[str, str | None]] = {}
    query = query_text("serve", "article.rq")
    for identifier in sorted(identifiers):
        for ident, doc, headline, url, date in run_query(store, query, {"id": ox.Literal(identifier)}).rows[:1]:
            out[str(ident)] = {"iri": doc, "headline": headline, "date": date,
                               "url": url if url and re.match(r"(?i)^https?://", url) else None}
    return out


def _statements(store: Store, name: str, node: ox.NamedNode) -> dict[str, Any]:
    """The statements of ``ontology/queries/serve/<name>`` about ``node``, the first few in full."""
    result = run_query(store, query_text("serve", name), {"node": node})
    rows = []
    for p, o, label, _ in result.terms[:_MAX_TRIPLES_SHOWN]:
        rows.append({"p": p.value if p else "", "o": {"type": o.kind, "value": o.value} if o else None,
                     "label": label.value if label else None})
    return {"rows": rows, "total": len(result.terms)}


_SCRIPT_RE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<code>.*?)</script>", re.DOTALL | re.IGNORECASE)


def content_security_policy(html: str, *, framed: bool = False) -> str:
    """Allow exactly the page's own inline scripts (by hash) and nothing from elsewhere."""
    hashes = []
    for m in _SCRIPT_RE.finditer(html):
        if "application/json" in m.group("attrs"):
            continue  # data, never run
        digest = base64.b64encode(hashlib.sha256(m.group("code").encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return "; ".join([
        "default-src 'none'",
        "script-src " + (" ".join(sorted(set(hashes))) or "'none'"),
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'" if framed else "frame-ancestors 'none'",
    ])


def main_page(store: Store, counts: dict[str, int]) -> str:
    """The web page: network view, canned queries, a SPARQL editor."""
    canned = [{"name": q.name, "description": q.description, "text": q.text} for q in canned_queries().values()]
    data = {"canned": canned, "prefixes": display_prefixes(store.iris.base), "endpoint": "/sparql",
            "counts": counts}
    return render("page.html.j2", data=safe_json(data))


def entity_page(store: Store, iri: str) -> tuple[int, str]:
    """An entity's page, and its status (404 when the graph says nothing of ``iri``)."""
    data = entity_data(store, iri)
    return (200 if data["found"] else 404), render("entity.html.j2", data=safe_json(data))
