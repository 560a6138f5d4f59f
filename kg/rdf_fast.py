"""One article's graph as N-Triples text, fast: the same triples as :func:`kg.rdf.extraction_graph`.

:func:`kg.rdf.extraction_graph` builds an rdflib ``Graph``: an rdflib term per value and an
indexed in-memory store, which the build then serialises again. That costs about a tenth of
the NLP time. Here the same triples are written as N-Triples lines straight from the
extraction (no rdflib object), for the store to load into the graph named by the article's
IRI (shards add that name to make N-Quads).

This mirrors ``kg/rdf.py`` statement by statement. ``tests/test_distributed.py`` checks that
both give exactly the same triples on the sample, on generated articles and on the
hand-made fixtures: a change to ``kg/rdf.py`` must be made here too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from kg.model import Claim, Entity, Extraction, ModelFact, Relation, TextSpan
from kg.rdf import CONTEXT_CHARS, PREDICATES, RunInfo, write_article
from kg.resolve import RULE_CONFIDENCE
from kg.vocab import ATTRIBUTIONS, ENTITY_TYPES, KG, OA, ORG, PROV, SCHEMA, STANCES, IRIs, short_hash

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
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
    return f'"{value:.2f}"{DECIMAL}'  # as kg.rdf.confidence: a decimal with two places


def date_literal(value: str) -> str:
    """As ``kg.rdf._date_literal``."""
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
        iri = f"{self.doc}/span/{start}-{end}"
        if (start, end) in self.spans:
            return _i(iri)
        self.spans.add((start, end))
        add, s, position, quote, text = self.add, _i(iri), _i(f"{iri}/position"), _i(f"{iri}/quote"), self.text
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
            m = _i(f"{self.doc}/mention/{mention.span.start}-{mention.span.end}")
            add(m, A, P["Mention"])
            add(m, P["mentionOf"], e)
            add(m, P["evidence"], self.span(mention.span))
            add(m, P["confidence"], confidence(mention.confidence))
            add(m, P["extractedBy"], lit(mention.source))

    def merge_record(self, entity: str, form: str, rule: str) -> None:
        add, record = self.add, _i(f"{self.doc}/merge/{short_hash(entity, form, rule)}")
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
        """The direct triple and its rdf:Statement reifier with evidence (as kg.rdf's
        ``reified_fact``); ``key`` names the statement as ``IRIs.statement`` does. Returns the span."""
        add = self.add
        span = self.span(ev)
        add(s, p, o)
        st = _i(f"{self.doc}/statement/{short_hash(*key, ev.start, ev.end)}")
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
            m = _i(f"{self.doc}/membership/{short_hash(s_iri, o_iri, role_label, ev.start)}")
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
        c = _i(f"{self.doc}/claim/{ev.start}-{ev.end}-{short_hash(speaker, length=8)}")
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
    commit = write_article(writer, extraction, run)  # the same calls, in the same order, as kg.rdf
    entities = list(dict.fromkeys(writer.entity_iri(e) for e in extraction.entities))
    return doc_iri, "".join(writer.lines), commit, entities


def to_nquads(ntriples: str, graph: str) -> str:
    """N-Triples lines (each ending with `` .``) as N-Quads lines in ``graph``."""
    return ntriples.replace(" .\n", f" <{graph}> .\n")


# -- the article's graph as export text, made once where it was extracted -------------------------
# `kg export` of a million triples reads them back from the store in about five seconds (every
# term is a database lookup). The same text made here, at about 2 % of the NLP time, is kept
# beside the store (kg.store: "Export texts") and an export concatenates it instead.

EXPORT_TEXT_VERSION = "2"  # bump when the text below changes: stored texts are then not used


@dataclass(frozen=True)
class ExportText:
    """One article graph, ready to export.

    ``own``: the N-Triples lines whose subject is the article or a resource minted under its
    IRI (its mentions, spans, claims...): no other graph can hold them. ``shared``: the other
    lines (an entity's type and label, a role's name...), which other articles state too and
    an export writes once. Both sorted; ``own_count`` lines are own (a Turtle export counts
    without reading them). ``turtle``: the own lines as Turtle statements with
    the prefixes of :func:`kg.query.display_prefixes`, without ``@prefix`` lines.
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
    from kg.query import display_prefixes

    digest = hashlib.sha256(repr(sorted(display_prefixes(base).items())).encode()).hexdigest()[:12]
    return f"{content_hash} {EXPORT_TEXT_VERSION} {digest}"


def export_text(graph: str, ntriples: str, content_hash: str, base: str) -> ExportText:
    """The :class:`ExportText` of the article graph ``graph`` whose N-Triples are ``ntriples``."""
    from kg.query import display_prefixes

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


__all__ = ["ExportText", "article_ntriples", "export_key", "export_text", "split_own_lines", "to_nquads",
           "turtle_statements"]
