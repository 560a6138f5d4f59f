"""Turn one article's :class:`~kg.model.Extraction` into its RDF graph.

The graph follows ``../shared/design/DATA-MODEL.md``. One article gives one graph,
named by the article's IRI, so that re-building the article replaces exactly its
facts. Entity names are *not* decided here: each article proposes a label
(``rdfs:label``) and its mentions carry the surface forms; the store derives the
one canonical ``schema:name`` and the ``schema:alternateName`` list from all
articles (see :func:`kg.store.Store.consolidate_entities`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.model import Claim, Entity, Extraction, ModelFact, Relation, TextSpan
from kg.resolve import RULE_CONFIDENCE
from kg.vocab import ATTRIBUTIONS, ENTITY_TYPES, KG, OA, ORG, PROV, SCHEMA, STANCES, IRIs, short_hash

_Commit = TypeVar("_Commit", covariant=True)

CONTEXT_CHARS = 32  # prefix / suffix length of a TextQuoteSelector

PREDICATES = {"worksFor": SCHEMA.worksFor, "founder": SCHEMA.founder, "creator": SCHEMA.creator}


@dataclass(frozen=True)
class RunInfo:
    """Who produced the facts: the tool version, the spaCy pipeline and the settings hash."""

    version: str
    pipeline: str  # e.g. "fr_core_news_md 3.8.0"
    settings_hash: str


def bind_prefixes(graph: Graph, iris: IRIs) -> None:
    for prefix, ns in (
        ("kg", str(KG)),
        ("kgr", iris.base),
        ("schema", str(SCHEMA)),
        ("org", str(ORG)),
        ("prov", str(PROV)),
        ("oa", str(OA)),
        ("skos", str(SKOS)),
    ):
        graph.bind(prefix, ns, override=True, replace=True)


def confidence(value: float) -> Literal:
    # Decimal with two places: readable, and identical on every machine.
    return Literal(Decimal(f"{value:.2f}"), datatype=XSD.decimal)


def entity_iri(entity: Entity, iris: IRIs) -> URIRef:
    return iris.entity(entity.type, entity.key)


def extraction_graph(extraction: Extraction, run: RunInfo, iris: IRIs | None = None) -> Graph:
    """The named graph of one article."""
    iris = iris or IRIs()
    doc = extraction.document
    doc_iri = iris.document(doc.identifier)
    g = Graph(identifier=doc_iri)
    bind_prefixes(g, iris)
    writer = _Writer(g, iris, doc_iri, doc.text, doc.lang or "fr", iris.run(run.settings_hash))
    write_article(writer, extraction, run)
    return g


class ArticleWriter(Protocol[_Commit]):
    """What :func:`write_article` drives: this module's writer and :mod:`kg.rdf_fast`'s."""

    def document(self, extraction: Extraction) -> _Commit: ...
    def run(self, run: RunInfo) -> None: ...
    def entity(self, entity: Entity) -> None: ...
    def relation(self, relation: Relation, date: str | None) -> None: ...
    def claim(self, claim: Claim) -> None: ...
    def model_fact(self, fact: ModelFact) -> None: ...


def write_article(writer: ArticleWriter[_Commit], extraction: Extraction, run: RunInfo) -> _Commit:
    """Every part of one article, in one order, whichever writer writes it; returns what
    ``writer.document`` returns."""
    commit = writer.document(extraction)
    writer.run(run)
    for entity in extraction.entities:
        writer.entity(entity)
    for relation in extraction.relations:
        writer.relation(relation, extraction.document.date)
    for claim in extraction.claims:
        writer.claim(claim)
    for fact in extraction.model_facts:
        writer.model_fact(fact)
    return commit


class _Writer:
    """Small helpers that share the article's context; not part of the API."""

    def __init__(self, g: Graph, iris: IRIs, doc: URIRef, text: str, lang: str, run: URIRef) -> None:
        self.g, self.iris, self.doc, self.text, self.lang, self.run_iri = g, iris, doc, text, lang, run

    def document(self, extraction: Extraction) -> None:
        g, d, doc = self.g, self.doc, extraction.document
        g.add((d, RDF.type, SCHEMA.NewsArticle))
        g.add((d, SCHEMA.identifier, Literal(doc.identifier)))
        if doc.title:
            g.add((d, SCHEMA.headline, Literal(doc.title)))
        if doc.url:
            g.add((d, SCHEMA.url, Literal(doc.url, datatype=XSD.anyURI)))
        if doc.date:
            g.add((d, SCHEMA.datePublished, _date_literal(doc.date)))
        if doc.lang:
            g.add((d, SCHEMA.inLanguage, Literal(doc.lang)))
        if "content_hash" in extraction.settings:
            g.add((d, KG.contentHash, Literal(extraction.settings["content_hash"])))
        g.add((d, PROV.wasGeneratedBy, self.run_iri))

    def run(self, run: RunInfo) -> None:
        g = self.g
        agent = self.iris.agent(run.version)
        g.add((self.run_iri, RDF.type, PROV.Activity))
        g.add((self.run_iri, PROV.wasAssociatedWith, agent))
        g.add((self.run_iri, RDFS.label, Literal(f"newskg {run.version} extraction with {run.pipeline}")))
        g.add((agent, RDF.type, PROV.SoftwareAgent))
        g.add((agent, RDFS.label, Literal(f"newskg {run.version}")))
        g.add((agent, SCHEMA.softwareVersion, Literal(run.version)))

    def span(self, span: TextSpan) -> URIRef:
        """An oa:SpecificResource with a position and a quote selector."""
        g, iri = self.g, self.iris.span(self.doc, span.start, span.end)
        if (iri, RDF.type, OA.SpecificResource) in g:
            return iri
        position, quote = self.iris.selector(iri, "position"), self.iris.selector(iri, "quote")
        g.add((iri, RDF.type, OA.SpecificResource))
        g.add((iri, OA.hasSource, self.doc))
        g.add((iri, OA.hasSelector, position))
        g.add((iri, OA.hasSelector, quote))
        g.add((position, RDF.type, OA.TextPositionSelector))
        g.add((position, OA.start, Literal(span.start)))
        g.add((position, OA.end, Literal(span.end)))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(span.exact(self.text))))
        g.add((quote, OA.prefix, Literal(self.text[max(0, span.start - CONTEXT_CHARS) : span.start])))
        g.add((quote, OA.suffix, Literal(self.text[span.end : span.end + CONTEXT_CHARS])))
        return iri

    def entity(self, entity: Entity) -> None:
        g, e = self.g, entity_iri(entity, self.iris)
        g.add((e, RDF.type, ENTITY_TYPES[entity.type]))
        g.add((e, RDFS.label, Literal(entity.name)))
        g.add((self.doc, SCHEMA.mentions, e))
        if entity.kb_id:
            g.add((e, KG.knowledgeBaseId, Literal(entity.kb_id)))
        for form, rule in entity.merge_rules:
            self.merge_record(e, form, rule)
        for mention in entity.mentions:
            m = self.iris.mention(self.doc, mention.span.start, mention.span.end)
            g.add((m, RDF.type, KG.Mention))
            g.add((m, KG.mentionOf, e))
            g.add((m, KG.evidence, self.span(mention.span)))
            g.add((m, KG.confidence, confidence(mention.confidence)))
            g.add((m, KG.extractedBy, Literal(mention.source)))

    def merge_record(self, entity: URIRef, form: str, rule: str) -> None:
        """Why ``form`` names ``entity`` in this article: auditable, listed by ``kg merges``."""
        g = self.g
        record = URIRef(f"{self.doc}/merge/{short_hash(str(entity), form, rule)}")
        g.add((record, RDF.type, KG.MergeRecord))
        g.add((record, KG.mergedInto, entity))
        g.add((record, KG.mergedForm, Literal(form)))
        g.add((record, KG.mergeRule, Literal(rule)))
        g.add((record, KG.inArticle, self.doc))
        g.add((record, KG.confidence, confidence(RULE_CONFIDENCE.get(rule, 0.7))))
        g.add((record, PROV.wasGeneratedBy, self.run_iri))

    def reified_fact(self, s: URIRef, p: URIRef, o: URIRef | Literal, evidence: TextSpan,
                     conf: float, rule: str) -> URIRef:
        """The direct triple and its rdf:Statement reifier with evidence; returns the span."""
        g = self.g
        span = self.span(evidence)
        g.add((s, p, o))
        st = self.iris.statement(self.doc, s, p, o, evidence.start, evidence.end)
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, p))
        g.add((st, RDF.object, o))
        g.add((st, KG.evidence, span))
        g.add((st, KG.confidence, confidence(conf)))
        g.add((st, KG.extractedBy, Literal(rule)))
        g.add((st, PROV.wasGeneratedBy, self.run_iri))
        return span

    def model_fact(self, fact: ModelFact) -> None:
        predicate, value = _model_attribute(fact)
        self.reified_fact(entity_iri(fact.model, self.iris), predicate, value, fact.evidence,
                          0.9 if fact.attribute == "parameterCount" else 0.7, f"model-{fact.attribute}")

    def relation(self, relation: Relation, date: str | None) -> None:
        s, o = entity_iri(relation.subject, self.iris), entity_iri(relation.object, self.iris)
        span = self.reified_fact(s, PREDICATES[relation.predicate], o, relation.evidence, relation.confidence,
                                 relation.rule)
        if relation.predicate == "worksFor":
            self.membership(relation, s, o, span, date)

    def membership(self, relation: Relation, person: URIRef, org: URIRef, span: URIRef, date: str | None) -> None:
        g = self.g
        role_label = relation.role or ""
        m = self.iris.membership(self.doc, person, org, role_label, relation.evidence.start)
        g.add((m, RDF.type, ORG.Membership))
        g.add((m, ORG.member, person))
        g.add((m, ORG.organization, org))
        g.add((m, KG.evidence, span))
        g.add((m, KG.confidence, confidence(relation.confidence)))
        g.add((m, PROV.wasGeneratedBy, self.run_iri))
        if date:
            g.add((m, KG.observedAt, _date_literal(date)))
        if role_label:
            role = self.iris.role(role_label)
            g.add((m, ORG.role, role))
            g.add((role, RDF.type, ORG.Role))
            g.add((role, SKOS.prefLabel, Literal(role_label, lang="fr")))

    def claim(self, claim: Claim) -> None:
        g = self.g
        speaker = entity_iri(claim.speaker, self.iris)
        c = self.iris.claim(self.doc, claim.evidence.start, claim.evidence.end, str(speaker))
        g.add((c, RDF.type, SCHEMA.Claim))
        g.add((c, SCHEMA.author, speaker))
        g.add((c, SCHEMA.appearance, self.doc))
        g.add((c, SCHEMA.text, Literal(claim.evidence.exact(self.text), lang=self.lang)))
        g.add((c, KG.stance, STANCES[claim.stance]))
        g.add((c, KG.claimKind, KG.DirectQuote if claim.kind == "direct" else KG.ReportedSpeech))
        if claim.attribution in ATTRIBUTIONS:
            g.add((c, KG.attribution, ATTRIBUTIONS[claim.attribution]))
        g.add((c, KG.evidence, self.span(claim.evidence)))
        g.add((c, KG.confidence, confidence(claim.confidence)))
        g.add((c, PROV.wasGeneratedBy, self.run_iri))
        if claim.cue:
            g.add((c, KG.extractedBy, Literal(claim.cue)))
        for about in claim.about:
            g.add((c, SCHEMA.about, entity_iri(about, self.iris)))
        g.add((c, KG.hedged, Literal(claim.hedge is not None)))
        if claim.hedge:
            g.add((c, KG.hedgeCue, Literal(claim.hedge)))
        if claim.reported_by is not None:
            g.add((c, KG.reportedBy, entity_iri(claim.reported_by, self.iris)))


def _model_attribute(fact: ModelFact) -> tuple[URIRef, Literal | URIRef]:
    if fact.attribute == "parameterCount":
        return KG.parameterCount, Literal(int(fact.value), datatype=XSD.integer)
    if fact.attribute == "openness":
        return KG.openness, KG[fact.value]
    return SCHEMA.datePublished, _date_literal(fact.value)


def _date_literal(value: str) -> Literal:
    if len(value) == 10:
        return Literal(value, datatype=XSD.date)
    if len(value) == 7 and value[4] == "-":
        return Literal(value, datatype=XSD.gYearMonth)
    if len(value) == 4 and value.isdigit():
        return Literal(value, datatype=XSD.gYear)
    if "T" in value:
        return Literal(value, datatype=XSD.dateTime)
    return Literal(value)
