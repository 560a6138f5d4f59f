"""Turn one article's :class:`~kg.records.Extraction` into its RDF graph, as N-Triples text.

The graph follows ``../shared/design/DATA-MODEL.md``. One article gives one graph, named by
the article's IRI, so that re-building the article replaces exactly its facts. Entity names
are *not* decided here: each article proposes a label (``rdfs:label``) and its mentions carry
the surface forms; :mod:`kg.consolidate` derives the one canonical ``schema:name``.

This is the only writer. It writes N-Triples lines straight from the extraction, with no
rdflib object: an rdflib ``Graph`` (a term per value, an indexed store, serialised again)
cost about a tenth of the NLP time. The store loads the lines into the graph named by the
article's IRI (shards add that name to make N-Quads); tests parse them into rdflib.
Every IRI comes from :class:`kg.vocab.IRIs`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.records import Claim, Entity, Extraction, ModelFact, Relation, TextSpan
from kg.resolve import RULE_CONFIDENCE
from kg.vocab import ATTRIBUTIONS, ENTITY_TYPES, KG, OA, ORG, PROV, SCHEMA, STANCES, IRIs

CONTEXT_CHARS = 32  # prefix / suffix length of a TextQuoteSelector

PREDICATES = {"worksFor": SCHEMA.worksFor, "founder": SCHEMA.founder, "creator": SCHEMA.creator}


@dataclass(frozen=True)
class RunInfo:
    """Who produced the facts: the tool version, the spaCy pipeline and the settings hash."""

    version: str
    pipeline: str  # e.g. "fr_core_news_md 3.8.0"
    settings_hash: str


_XSD, _RDF, _RDFS, _SKOS = str(XSD), str(RDF), str(RDFS), str(SKOS)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _i(iri: object) -> str:
    return f"<{iri}>"


A = _i(_RDF + "type")
LABEL = _i(_RDFS + "label")
INTEGER, DECIMAL, BOOLEAN = f"^^<{_XSD}integer>", f"^^<{_XSD}decimal>", f"^^<{_XSD}boolean>"
P = {name: _i(iri) for name, iri in {
    "NewsArticle": SCHEMA.NewsArticle, "identifier": SCHEMA.identifier, "headline": SCHEMA.headline,
    "url": SCHEMA.url, "datePublished": SCHEMA.datePublished, "inLanguage": SCHEMA.inLanguage,
    "contentHash": KG.contentHash, "wasGeneratedBy": PROV.wasGeneratedBy, "Activity": PROV.Activity,
    "wasAssociatedWith": PROV.wasAssociatedWith, "SoftwareAgent": PROV.SoftwareAgent,
    "softwareVersion": SCHEMA.softwareVersion, "SpecificResource": OA.SpecificResource,
    "hasSource": OA.hasSource, "hasSelector": OA.hasSelector, "TextPositionSelector": OA.TextPositionSelector,
    "start": OA.start, "end": OA.end, "TextQuoteSelector": OA.TextQuoteSelector, "exact": OA.exact,
    "prefix": OA.prefix, "suffix": OA.suffix, "mentions": SCHEMA.mentions, "knowledgeBaseId": KG.knowledgeBaseId,
    "Mention": KG.Mention, "mentionOf": KG.mentionOf, "evidence": KG.evidence, "confidence": KG.confidence,
    "extractedBy": KG.extractedBy, "MergeRecord": KG.MergeRecord, "mergedInto": KG.mergedInto,
    "mergedForm": KG.mergedForm, "mergeRule": KG.mergeRule, "inArticle": KG.inArticle,
    "Statement": _RDF + "Statement", "subject": _RDF + "subject", "predicate": _RDF + "predicate",
    "object": _RDF + "object", "Membership": ORG.Membership, "member": ORG.member,
    "organization": ORG.organization, "observedAt": KG.observedAt, "role": ORG.role, "Role": ORG.Role,
    "prefLabel": _SKOS + "prefLabel", "Claim": SCHEMA.Claim, "author": SCHEMA.author,
    "appearance": SCHEMA.appearance, "text": SCHEMA.text, "stance": KG.stance, "claimKind": KG.claimKind,
    "attribution": KG.attribution,
    "DirectQuote": KG.DirectQuote, "ReportedSpeech": KG.ReportedSpeech, "about": SCHEMA.about,
    "hedged": KG.hedged, "hedgeCue": KG.hedgeCue, "reportedBy": KG.reportedBy,
    "parameterCount": KG.parameterCount, "openness": KG.openness,
}.items()}
TYPES = {name: _i(iri) for name, iri in ENTITY_TYPES.items()}
RELATIONS = {name: _i(iri) for name, iri in PREDICATES.items()}
STANCE = {name: _i(iri) for name, iri in STANCES.items()}
ATTRIBUTION = {name: _i(iri) for name, iri in ATTRIBUTIONS.items()}


def lit(value: str) -> str:
    return '"' + value.translate(_ESCAPES) + '"'


def confidence(value: float) -> str:
    return f'"{value:.2f}"{DECIMAL}'  # a decimal with two places: readable, the same on every machine


def date_literal(value: str) -> str:
    """A date of ``value``'s precision (day, month, year, time); anything else a plain string."""
    if len(value) == 10:
        return lit(value) + f"^^<{_XSD}date>"
    if len(value) == 7 and value[4] == "-":
        return lit(value) + f"^^<{_XSD}gYearMonth>"
    if len(value) == 4 and value.isdigit():
        return lit(value) + f"^^<{_XSD}gYear>"
    if "T" in value:
        return lit(value) + f"^^<{_XSD}dateTime>"
    return lit(value)


class _Writer:
    def __init__(self, iris: IRIs, doc: str, text: str, lang: str, run: str) -> None:
        self.iris, self.doc, self.text, self.lang, self.run_iri = iris, doc, text, lang, run
        self.d, self.r = _i(doc), _i(run)
        self.lines: dict[str, None] = {}  # an insertion-ordered set, as a graph is a set
        self.spans: set[tuple[int, int]] = set()
        self.entities: dict[tuple[str, str], str] = {}

    def add(self, s: str, p: str, o: str) -> None:
        self.lines[f"{s} {p} {o} .\n"] = None

    def entity_iri(self, entity: Entity) -> str:
        key = (entity.type, entity.key)
        iri = self.entities.get(key)
        if iri is None:
            iri = self.entities[key] = str(self.iris.entity(entity.type, entity.key))
        return iri

    def document(self, extraction: Extraction) -> str:
        add, d, doc = self.add, self.d, extraction.document
        add(d, A, P["NewsArticle"])
        add(d, P["identifier"], lit(doc.identifier))
        if doc.title:
            add(d, P["headline"], lit(doc.title))
        if doc.url:
            add(d, P["url"], lit(doc.url) + f"^^<{_XSD}anyURI>")
        if doc.date:
            add(d, P["datePublished"], date_literal(doc.date))
        if doc.lang:
            add(d, P["inLanguage"], lit(doc.lang))
        add(d, P["wasGeneratedBy"], self.r)
        if "content_hash" in extraction.settings:
            return f"{d} {P['contentHash']} {lit(extraction.settings['content_hash'])} .\n"
        return ""

    def run(self, run: RunInfo) -> None:
        add, r, agent = self.add, self.r, _i(self.iris.agent(run.version))
        add(r, A, P["Activity"])
        add(r, P["wasAssociatedWith"], agent)
        add(r, LABEL, lit(f"newskg {run.version} extraction with {run.pipeline}"))
        add(agent, A, P["SoftwareAgent"])
        add(agent, LABEL, lit(f"newskg {run.version}"))
        add(agent, P["softwareVersion"], lit(run.version))

    def span(self, span: TextSpan) -> str:
        start, end = span.start, span.end
        iri = IRIs.span(self.doc, start, end)
        if (start, end) in self.spans:
            return _i(iri)
        self.spans.add((start, end))
        position, quote = _i(IRIs.selector(iri, "position")), _i(IRIs.selector(iri, "quote"))
        add, s, text = self.add, _i(iri), self.text
        add(s, A, P["SpecificResource"])
        add(s, P["hasSource"], self.d)
        add(s, P["hasSelector"], position)
        add(s, P["hasSelector"], quote)
        add(position, A, P["TextPositionSelector"])
        add(position, P["start"], f'"{start}"{INTEGER}')
        add(position, P["end"], f'"{end}"{INTEGER}')
        add(quote, A, P["TextQuoteSelector"])
        add(quote, P["exact"], lit(text[start:end]))
        add(quote, P["prefix"], lit(text[max(0, start - CONTEXT_CHARS) : start]))
        add(quote, P["suffix"], lit(text[end : end + CONTEXT_CHARS]))
        return s

    def entity(self, entity: Entity) -> None:
        add, e_iri = self.add, self.entity_iri(entity)
        e = _i(e_iri)
        add(e, A, TYPES[entity.type])
        add(e, LABEL, lit(entity.name))
        add(self.d, P["mentions"], e)
        if entity.kb_id:
            add(e, P["knowledgeBaseId"], lit(entity.kb_id))
        for form, rule in entity.merge_rules:
            self.merge_record(e_iri, form, rule)
        for mention in entity.mentions:
            m = _i(IRIs.mention(self.doc, mention.span.start, mention.span.end))
            add(m, A, P["Mention"])
            add(m, P["mentionOf"], e)
            add(m, P["evidence"], self.span(mention.span))
            add(m, P["confidence"], confidence(mention.confidence))
            add(m, P["extractedBy"], lit(mention.source))

    def merge_record(self, entity: str, form: str, rule: str) -> None:
        add, record = self.add, _i(IRIs.merge_record(self.doc, entity, form, rule))
        add(record, A, P["MergeRecord"])
        add(record, P["mergedInto"], _i(entity))
        add(record, P["mergedForm"], lit(form))
        add(record, P["mergeRule"], lit(rule))
        add(record, P["inArticle"], self.d)
        add(record, P["confidence"], confidence(RULE_CONFIDENCE.get(rule, 0.7)))
        add(record, P["wasGeneratedBy"], self.r)

    def model_fact(self, fact: ModelFact) -> None:
        model = self.entity_iri(fact.model)
        if fact.attribute == "parameterCount":
            predicate, lexical = KG.parameterCount, str(int(fact.value))
            value = f'"{lexical}"{INTEGER}'
        elif fact.attribute == "openness":
            predicate, lexical = KG.openness, str(KG[fact.value])
            value = _i(lexical)
        else:
            predicate, lexical, value = SCHEMA.datePublished, fact.value, date_literal(fact.value)
        self.reified_fact((model, str(predicate), lexical), _i(model), _i(predicate), value, fact.evidence,
                          0.9 if fact.attribute == "parameterCount" else 0.7, f"model-{fact.attribute}")

    def reified_fact(self, key: tuple[str, str, str], s: str, p: str, o: str, ev: TextSpan, conf: float,
                     rule: str) -> str:
        """The direct triple and its rdf:Statement reifier with evidence; ``key`` (subject,
        predicate, object as plain text) names the statement. Returns the span."""
        add = self.add
        span = self.span(ev)
        add(s, p, o)
        st = _i(IRIs.statement(self.doc, *key, ev.start, ev.end))
        add(st, A, P["Statement"])
        add(st, P["subject"], s)
        add(st, P["predicate"], p)
        add(st, P["object"], o)
        add(st, P["evidence"], span)
        add(st, P["confidence"], confidence(conf))
        add(st, P["extractedBy"], lit(rule))
        add(st, P["wasGeneratedBy"], self.r)
        return span

    def relation(self, relation: Relation, date: str | None) -> None:
        add = self.add
        s_iri, o_iri = self.entity_iri(relation.subject), self.entity_iri(relation.object)
        s, o, p_iri = _i(s_iri), _i(o_iri), PREDICATES[relation.predicate]
        ev = relation.evidence
        span = self.reified_fact((s_iri, str(p_iri), o_iri), s, RELATIONS[relation.predicate], o, ev,
                                 relation.confidence, relation.rule)
        if relation.predicate == "worksFor":
            role_label = relation.role or ""
            m = _i(IRIs.membership(self.doc, s_iri, o_iri, role_label, ev.start))
            add(m, A, P["Membership"])
            add(m, P["member"], s)
            add(m, P["organization"], o)
            add(m, P["evidence"], span)
            add(m, P["confidence"], confidence(relation.confidence))
            add(m, P["wasGeneratedBy"], self.r)
            if date:
                add(m, P["observedAt"], date_literal(date))
            if role_label:
                role = _i(self.iris.role(role_label))
                add(m, P["role"], role)
                add(role, A, P["Role"])
                add(role, P["prefLabel"], lit(role_label) + "@fr")

    def claim(self, claim: Claim) -> None:
        add, speaker = self.add, self.entity_iri(claim.speaker)
        ev = claim.evidence
        c = _i(IRIs.claim(self.doc, ev.start, ev.end, speaker))
        add(c, A, P["Claim"])
        add(c, P["author"], _i(speaker))
        add(c, P["appearance"], self.d)
        add(c, P["text"], lit(self.text[ev.start : ev.end]) + "@" + self.lang.lower())
        add(c, P["stance"], STANCE[claim.stance])
        add(c, P["claimKind"], P["DirectQuote"] if claim.kind == "direct" else P["ReportedSpeech"])
        if claim.attribution in ATTRIBUTION:
            add(c, P["attribution"], ATTRIBUTION[claim.attribution])
        add(c, P["evidence"], self.span(ev))
        add(c, P["confidence"], confidence(claim.confidence))
        add(c, P["wasGeneratedBy"], self.r)
        if claim.cue:
            add(c, P["extractedBy"], lit(claim.cue))
        for about in claim.about:
            add(c, P["about"], _i(self.entity_iri(about)))
        add(c, P["hedged"], f'"{"true" if claim.hedge is not None else "false"}"{BOOLEAN}')
        if claim.hedge:
            add(c, P["hedgeCue"], lit(claim.hedge))
        if claim.reported_by is not None:
            add(c, P["reportedBy"], _i(self.entity_iri(claim.reported_by)))


def _write_article(writer: _Writer, extraction: Extraction, run: RunInfo) -> str:
    """Every part of one article, in one order; returns the content-hash line (see below)."""
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


def article_ntriples(extraction: Extraction, run: RunInfo,
                     iris: IRIs | None = None) -> tuple[str, str, str, list[str]]:
    """``(article IRI, N-Triples, commit, IRIs of the entities it mentions)`` for one article.

    ``commit`` holds the article's ``kg:contentHash`` triple, apart from the rest: a bulk
    load writes it last, so that an article counts as built only once complete.
    """
    iris = iris or IRIs()
    doc = extraction.document
    doc_iri = str(iris.document(doc.identifier))
    writer = _Writer(iris, doc_iri, doc.text, doc.lang or "fr", str(iris.run(run.settings_hash)))
    commit = _write_article(writer, extraction, run)
    entities = list(dict.fromkeys(writer.entity_iri(e) for e in extraction.entities))
    return doc_iri, "".join(writer.lines), commit, entities


def to_nquads(ntriples: str, graph: str) -> str:
    """N-Triples lines (each ending with `` .``) as N-Quads lines in ``graph``."""
    return ntriples.replace(" .\n", f" <{graph}> .\n")


__all__ = ["CONTEXT_CHARS", "PREDICATES", "RunInfo", "article_ntriples", "to_nquads"]
