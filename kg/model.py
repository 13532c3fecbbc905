"""The plain data every layer shares: standard library only.

    Document -> Mention -> Entity -> Relation (with its Evidence) -> DocResult

Extraction (`kg.extraction`) makes these; the graph layer (`kg.graph`) maps them to RDF
without knowing spaCy; the views read the graph. Entity classes are the ontology's class
names (`Kind`), and entity keys are built here only (`entity_key`), so that a key such as
``person:Wang Yi`` or ``country:CHN`` is spelled the same by every stage.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """The ontology classes an entity can have (local names in ontology/kg.ttl)."""

    COUNTRY = "Country"
    PERSON = "Person"
    ORGANISATION = "Organisation"
    UN_OFFICE = "UNOffice"
    CITY = "City"
    EVENT = "Event"
    AGREEMENT = "Agreement"
    TOPIC = "Topic"

    # the value, not "Kind.COUNTRY", in str() and f-strings on every Python version
    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


#: Kinds that act: subjects and objects of most relations.
ACTORS: tuple[Kind, ...] = (Kind.COUNTRY, Kind.PERSON, Kind.ORGANISATION, Kind.UN_OFFICE)

# The prefix of an entity key for each kind. Organisations and UN offices share one: the
# gazetteer names both `org:<label>`, and the class comes from the gazetteer entry.
KEY_PREFIX: dict[Kind, str] = {
    Kind.COUNTRY: "country",
    Kind.PERSON: "person",
    Kind.ORGANISATION: "org",
    Kind.UN_OFFICE: "org",
    Kind.CITY: "city",
    Kind.EVENT: "event",
    Kind.AGREEMENT: "agreement",
    Kind.TOPIC: "topic",
}


def entity_key(kind: Kind | str, name: str, scope: str | None = None) -> str:
    """The key of an entity: ``country:CHN`` (a country's name is its ISO alpha-3 code),
    ``person:Wang Yi``; a thing named only by a common noun is scoped to its document:
    ``topic:<doc id>/annexation``."""
    prefix = KEY_PREFIX[Kind(kind)]
    return f"{prefix}:{scope}/{name}" if scope is not None else f"{prefix}:{name}"


def key_kind_prefix(key: str) -> str:
    """The prefix of a key: ``country`` for ``country:CHN``."""
    return key.split(":", 1)[0]


def clean_label(text: str) -> str:
    """A label as it is shown and stored: white space collapsed to single spaces, trimmed."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Document:
    """One article. Evidence offsets are character offsets into `text`."""

    id: str
    text: str
    title: str = ""
    date: str | None = None  # ISO YYYY-MM-DD
    url: str | None = None
    source: str = ""

    @property
    def content_hash(self) -> str:
        key = json.dumps([self.id, self.title, self.date, self.url, self.text])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Mention:
    """An entity span with a provisional key and class (token indices, end exclusive)."""

    start: int
    end: int
    text: str
    kind: str  # a `Kind` value
    key: str
    demonym: bool = False  # "Iranian": names the country only as a modifier
    capital: str | None = None  # country key when the mention is a capital city (metonym?)

    @property
    def root(self) -> int:
        return self.end - 1


@dataclass
class Entity:
    """A canonical entity of one document: its key, class, preferred label and aliases."""

    key: str
    kind: str  # a `Kind` value
    label: str
    aliases: set[str] = field(default_factory=set)
    alpha2: str | None = None
    alpha3: str | None = None
    part_of: str | None = None
    scope: str | None = None  # a document id for things named only by a common noun phrase

    def __post_init__(self) -> None:
        self.label = clean_label(self.label)
        self.aliases = {a for a in map(clean_label, self.aliases) if a}

    def add_alias(self, text: str) -> None:
        """Another name the document uses for the entity (white space normalised)."""
        alias = clean_label(text)
        if alias and alias != self.label:
            self.aliases.add(alias)


@dataclass(frozen=True)
class Evidence:
    """Where a relation was read: the document, the sentence and its offsets, the words that
    named subject and object, and the rule (or model) that produced it."""

    doc_id: str
    sentence: str
    sentence_start: int
    sentence_end: int
    subject_text: str
    object_text: str
    pattern: str
    confidence: float
    attributed_to: str | None = None  # entity key of the speaker; None = the document
    role: str | None = None


@dataclass(frozen=True)
class Relation:
    subject: str  # entity key
    relation: str  # ontology local name
    object: str  # entity key, or for statements the statement text
    evidence: Evidence
    object_is_text: bool = False
    direct: bool = False  # a statement that is a direct quote


@dataclass
class DocResult:
    """What extraction gives for one document."""

    document: Document
    entities: dict[str, Entity]
    relations: list[Relation]
    cut_sentences: int = 0  # runs without a sentence end cut by the sentence cap
