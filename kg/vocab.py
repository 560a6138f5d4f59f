"""The ontology as code: the ``kg:`` namespace and the one place IRIs are minted.

Every IRI newskg writes is built here, from content (a document's identifier, an
entity's type and canonical key, an evidence span's offsets), never from a counter
or a random value, so that the same input gives the same IRIs on every run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace

from kg.records import EntityType

# rdflib's DefinedNamespaces know their terms: a misspelt one is reported, not minted silently
SCHEMA = SDO
OA = Namespace("http://www.w3.org/ns/oa#")
DEFAULT_BASE = "https://w3id.org/newskg/id/"


class KG(DefinedNamespace):
    """newskg's local terms (declared in ``ontology/kg.ttl``)."""

    _fail = True
    _NS = Namespace("https://w3id.org/newskg/ontology#")

    # classes
    AIModel: URIRef  # a named AI model or model family (subclass of schema:SoftwareApplication)
    LanguageModel: URIRef  # an AI model whose main modality is text
    Mention: URIRef  # one occurrence of an entity in an article
    MergeRecord: URIRef  # one decision that a name is another name of an entity
    Stance: URIRef  # the class of the stance values below
    # stance values (a SKOS concept scheme)
    StanceScheme: URIRef
    Concern: URIRef
    Support: URIRef
    Criticism: URIRef
    Prediction: URIRef
    Neutral: URIRef
    # claim kinds (a SKOS concept scheme)
    ClaimKindScheme: URIRef
    DirectQuote: URIRef
    ReportedSpeech: URIRef
    # attributions: the construction that named a claim's speaker (a SKOS concept scheme)
    AttributionScheme: URIRef
    PullQuote: URIRef
    InterviewAnswer: URIRef
    SourceMarker: URIRef
    Incise: URIRef
    VerbSubject: URIRef
    PronounSpeaker: URIRef
    TitleSpeaker: URIRef
    OrganisationNoun: URIRef
    ColonQuote: URIRef
    Continuation: URIRef
    # model openness (a SKOS concept scheme)
    OpennessScheme: URIRef
    OpenWeights: URIRef
    OpenSource: URIRef
    Proprietary: URIRef
    # properties
    evidence: URIRef  # a fact -> the oa:SpecificResource it was read from
    confidence: URIRef  # xsd:decimal in [0, 1]
    stance: URIRef  # schema:Claim -> kg:Stance
    claimKind: URIRef  # schema:Claim -> kg:DirectQuote | kg:ReportedSpeech
    attribution: URIRef  # schema:Claim -> a concept of kg:AttributionScheme
    mentionOf: URIRef  # kg:Mention -> entity
    extractedBy: URIRef  # a fact -> the rule or component that found it
    contentHash: URIRef  # schema:NewsArticle -> sha256 of its text and build settings
    parameterCount: URIRef
    openness: URIRef
    observedAt: URIRef
    formatVersion: URIRef  # the store's layout version
    knowledgeBaseId: URIRef  # entity -> id of its knowledge-base entry
    mergedInto: URIRef  # kg:MergeRecord -> the entity
    mergedForm: URIRef  # kg:MergeRecord -> the name merged in
    mergeRule: URIRef  # kg:MergeRecord -> the rule (kb-alias, spelling, surname, given-name, acronym, suffix,
    # variant, decision)
    inArticle: URIRef  # kg:MergeRecord -> the article where the merge was made
    hedged: URIRef  # schema:Claim -> xsd:boolean: the statement is hedged (conditional, "selon", "craint que")
    hedgeCue: URIRef  # schema:Claim -> the words that hedge it
    reportedBy: URIRef  # schema:Claim -> the outlet that reports the speaker's words ("selon Les Echos, X…")


STANCES = {
    "concern": KG.Concern,
    "support": KG.Support,
    "criticism": KG.Criticism,
    "prediction": KG.Prediction,
    "neutral": KG.Neutral,
}

# kg.nlp.claims names each attribution construction; the graph holds its concept
ATTRIBUTIONS = {
    "pull quote": KG.PullQuote,
    "next sentence": KG.PullQuote,  # a bare quotation, then a sentence opening with its speaker's name
    "interview": KG.InterviewAnswer,
    "marker": KG.SourceMarker,
    "incise": KG.Incise,
    "subject": KG.VerbSubject,
    "agent": KG.VerbSubject,  # the agent of a passive reporting verb: its logical subject
    "pronoun": KG.PronounSpeaker,
    "title": KG.TitleSpeaker,
    "organisation": KG.OrganisationNoun,
    "colon": KG.ColonQuote,
    "continuation": KG.Continuation,
}

# The entity types (kg.records.ENTITY_TYPE_NAMES) -> (class, IRI path segment).
_ENTITY_TABLE: dict[EntityType, tuple[URIRef, str]] = {
    "Person": (SCHEMA.Person, "person"),
    "Organization": (SCHEMA.Organization, "org"),
    "AIModel": (KG.AIModel, "model"),
}
ENTITY_TYPES = {name: cls for name, (cls, _) in _ENTITY_TABLE.items()}
_TYPE_SEGMENT = {name: segment for name, (_, segment) in _ENTITY_TABLE.items()}


def display_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The one prefix table (Turtle, TriG and JSON-LD exports, tables, the web pages);
    ``kgr:`` follows the store's base. Its order is the order exports write."""
    return {
        "kgr": base,
        "kg": str(KG),
        "schema": str(SCHEMA),
        "org": str(ORG),
        "oa": str(OA),
        "prov": str(PROV),
        "skos": str(SKOS),
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "xsd": str(XSD),
        "owl": str(OWL),
    }


def sparql_prefixes(*names: str) -> str:
    """``PREFIX`` lines for SPARQL, one per name of :func:`display_prefixes`."""
    table = display_prefixes()
    return "".join(f"PREFIX {name}: <{table[name]}>\n" for name in names)


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII, lower-case, hyphen-separated; stable across machines and Python versions."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", folded.casefold()).strip("-")
    if not slug or len(slug) > max_length:
        # Non-Latin or very long names still get a readable, collision-free segment.
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        slug = f"{slug[: max_length - 13].rstrip('-')}-{digest}".strip("-")
    return slug


def short_hash(*parts: object, length: int = 12) -> str:
    data = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:length]


class IRIs:
    """Mints every resource IRI under one base. ``IRIs()`` uses the default base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base

    def _iri(self, *segments: str) -> URIRef:
        return URIRef(self.base + "/".join(segments))

    def document(self, identifier: str) -> URIRef:
        if "://" in identifier:  # a page's URL (kg.sources): all of it but the scheme
            stem = identifier.split("://", 1)[1]
        else:
            stem = identifier.rsplit(".", 1)[0] if "." in identifier else identifier
        return self._iri("doc", slugify(stem))

    def entity(self, entity_type: EntityType, key: str) -> URIRef:
        return self._iri(_TYPE_SEGMENT[entity_type], slugify(key))

    # The resources of one article, under its IRI. Plain strings, not URIRefs: the writer
    # (kg.rdf) mints millions of them and a URIRef checks every character it is given.
    @staticmethod
    def span(doc: str, start: int, end: int) -> str:
        return f"{doc}/span/{start}-{end}"

    @staticmethod
    def selector(span: str, kind: str) -> str:
        return f"{span}/{kind}"

    @staticmethod
    def mention(doc: str, start: int, end: int) -> str:
        return f"{doc}/mention/{start}-{end}"

    @staticmethod
    def merge_record(doc: str, entity: str, form: str, rule: str) -> str:
        return f"{doc}/merge/{short_hash(entity, form, rule)}"

    @staticmethod
    def statement(doc: str, *parts: object) -> str:
        return f"{doc}/statement/{short_hash(*parts)}"

    @staticmethod
    def membership(doc: str, *parts: object) -> str:
        return f"{doc}/membership/{short_hash(*parts)}"

    @staticmethod
    def claim(doc: str, start: int, end: int, speaker: str) -> str:
        return f"{doc}/claim/{start}-{end}-{short_hash(speaker, length=8)}"

    def role(self, title: str) -> URIRef:
        return self._iri("role", slugify(title))

    def run(self, settings_hash: str) -> URIRef:
        return self._iri("run", settings_hash)

    def agent(self, version: str) -> URIRef:
        return self._iri("agent", slugify(f"newskg-{version}"))

    def graph(self, name: str) -> URIRef:
        return self._iri("graph", name)
