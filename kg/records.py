"""Typed, frozen records passed between the stages.

``Document`` (ingest) -> ``Mention``, ``RawRelation``, ``RawClaim`` (nlp) ->
``Entity``, ``Relation``, ``Claim`` in an ``Extraction`` (resolve) -> RDF (rdf).
Offsets are code-point offsets into ``Document.text`` exactly as read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeGuard, get_args

# The one list of entity types. kg.vocab maps each to its RDF class and IRI segment (IRIs live there).
EntityType = Literal["Person", "Organization", "AIModel"]
ENTITY_TYPE_NAMES: tuple[EntityType, ...] = get_args(EntityType)
Predicate = Literal["worksFor", "founder", "creator"]
Stance = Literal["concern", "support", "criticism", "prediction", "neutral"]
ClaimKind = Literal["direct", "reported"]


def is_entity_type(name: object) -> TypeGuard[EntityType]:
    return name in ENTITY_TYPE_NAMES


@dataclass(frozen=True)
class Document:
    identifier: str  # the file name, a JSONL record's id, or a page's canonical URL (kg.sources)
    text: str
    source: str = ""  # where it was read from (path, or path:line for JSONL)
    title: str | None = None
    url: str | None = None
    date: str | None = None  # ISO 8601 date or date-time, as given
    lang: str | None = None


@dataclass(frozen=True, order=True)
class TextSpan:
    start: int
    end: int

    def exact(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class Mention:
    """One occurrence of a name in a document."""

    span: TextSpan
    text: str
    type: EntityType
    sentence: TextSpan  # the sentence it occurs in: its evidence
    kb_id: str | None = None  # the knowledge-base entry it was linked to
    source: str = "ner"  # which component found it: kb, pattern, ner, repair
    confidence: float = 0.7


@dataclass(frozen=True)
class RawRelation:
    """A relation between two mentions, as the grammar found it."""

    subject: Mention
    predicate: Predicate  # direction as in the graph: person worksFor org, org founder person, model creator org
    object: Mention
    evidence: TextSpan
    role: str | None = None  # the title as written, for worksFor
    rule: str = ""
    confidence: float = 0.7


@dataclass(frozen=True)
class RawClaim:
    speaker: Mention  # a named mention of the speaker (antecedent for pronouns and titles)
    evidence: TextSpan  # the statement: a sentence or one quotation
    stance: Stance
    kind: ClaimKind
    about: tuple[Mention, ...] = ()
    cue: str = ""  # the word or pattern that marked it as a claim
    confidence: float = 0.6
    hedge: str | None = None  # the words that hedge it: "pourrait", "selon", "craint que"
    reported_by: Mention | None = None  # "selon Les Echos, X aurait déclaré…": the outlet
    attribution: str = ""  # the construction that named the speaker: incise, colon, marker, interview…


@dataclass(frozen=True)
class RawModelFact:
    """An attribute of a model: parameterCount, openness (a kg: concept name) or datePublished."""

    model: Mention
    attribute: Literal["parameterCount", "openness", "datePublished"]
    value: str
    evidence: TextSpan


@dataclass(frozen=True)
class NlpResult:
    document: Document
    mentions: tuple[Mention, ...]
    relations: tuple[RawRelation, ...]
    claims: tuple[RawClaim, ...]
    model_facts: tuple[RawModelFact, ...] = ()


@dataclass(frozen=True)
class Entity:
    """One real-world entity as seen in one document, after resolution."""

    type: EntityType
    key: str  # canonical key: KB id, or the fullest form seen
    name: str  # the fullest form seen in this document (KB name when linked)
    forms: tuple[str, ...]  # every surface form seen in this document
    mentions: tuple[Mention, ...]
    kb_id: str | None = None
    confidence: float = 0.7
    # how each other form was merged into this entity: (form, rule), rule in kb-alias, spelling,
    # surname, given-name, acronym, suffix, variant, decision
    merge_rules: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Relation:
    subject: Entity
    predicate: Predicate
    object: Entity
    evidence: TextSpan
    role: str | None = None
    rule: str = ""
    confidence: float = 0.7


@dataclass(frozen=True)
class Claim:
    speaker: Entity
    evidence: TextSpan
    stance: Stance
    kind: ClaimKind
    about: tuple[Entity, ...] = ()
    cue: str = ""
    confidence: float = 0.6
    hedge: str | None = None
    reported_by: Entity | None = None
    attribution: str = ""


@dataclass(frozen=True)
class ModelFact:
    model: Entity
    attribute: Literal["parameterCount", "openness", "datePublished"]
    value: str
    evidence: TextSpan


@dataclass(frozen=True)
class Extraction:
    """Everything read from one document, ready to become RDF."""

    document: Document
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    claims: tuple[Claim, ...]
    settings: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    model_facts: tuple[ModelFact, ...] = ()
