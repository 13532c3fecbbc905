"""Stage 6 (pure): documents, entities and relations -> RDF quads (docs/rdf-model.md).

No I/O here. One named graph per document holds its metadata, the entities it mentions
(with what it calls them), the plain relation triples and one evidence node per occurrence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import quote

from rdflib import RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.graph.vocab import DOC, ENT, EV, GRAPH, KG, SCHEMA, STMT, term
from kg.model import DocResult, Entity, Relation

Quad = tuple[URIRef, URIRef, URIRef | Literal, URIRef]

KIND_PATH = {
    "Country": "country",
    "Person": "person",
    "Organisation": "organisation",
    "UNOffice": "unoffice",
    "City": "city",
    "Event": "event",
    "Agreement": "agreement",
    "Topic": "topic",
}


def slug(text: str) -> str:
    """A readable, valid IRI path segment: spaces to '_', the rest percent-encoded. A final
    '.' is encoded too: Turtle must write it escaped (`org:Acme_Inc\\.`), which rdflib
    cannot read back."""
    segment = quote("_".join(text.split()), safe="_-.~()',!")
    return segment[:-1] + "%2E" if segment.endswith(".") else segment


def entity_iri(entity: Entity) -> URIRef:
    if entity.kind == "Country" and entity.alpha3:
        return ENT[f"country/{entity.alpha3}"]
    if entity.scope:  # "the resolution" of one article is not that of another
        return ENT[f"{KIND_PATH[entity.kind]}/{slug(entity.scope)}/{slug(entity.label)}"]
    return ENT[f"{KIND_PATH[entity.kind]}/{slug(entity.label)}"]


def doc_iri(doc_id: str) -> URIRef:
    return DOC[slug(doc_id)]


def graph_iri(doc_id: str) -> URIRef:
    return GRAPH[slug(doc_id)]


def confidence_literal(value: float) -> Literal:
    """xsd:decimal in canonical form ("0.9", "1"), as the store keeps it: `kg extract` and
    `kg export` then write the same literal for the same evidence."""
    canonical = format(Decimal(f"{value:.2f}").normalize(), "f")
    return Literal(canonical, datatype=XSD.decimal)


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x00".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]


def document_quads(result: DocResult) -> Iterator[Quad]:
    """Every quad of one document's named graph."""
    document = result.document
    g = graph_iri(document.id)
    d = doc_iri(document.id)
    yield d, RDF.type, KG.Document, g
    yield d, DCTERMS.identifier, Literal(document.id), g
    if document.title:
        yield d, DCTERMS.title, Literal(document.title), g
    if document.date:
        kind = XSD.gYearMonth if len(document.date) == 7 else XSD.date  # "2022-04"
        yield d, DCTERMS.date, Literal(document.date, datatype=kind), g
    if document.url:
        yield d, SCHEMA.url, Literal(document.url), g
    yield d, KG.contentHash, Literal(document.content_hash), g
    yield d, KG.charCount, Literal(len(document.text)), g

    iris = {key: entity_iri(e) for key, e in result.entities.items()}
    used = {r.subject for r in result.relations} | {
        r.object for r in result.relations if not r.object_is_text
    }
    for key, entity in sorted(result.entities.items()):
        if entity.kind == "City" and key not in used:
            continue  # a place named in passing is not an actor of the story
        yield from entity_quads(entity, iris[key], g)
        yield d, KG.mentions, iris[key], g
    for rel in result.relations:
        yield from relation_quads(rel, iris, d, g)


def entity_quads(entity: Entity, iri: URIRef, g: URIRef) -> Iterator[Quad]:
    yield iri, RDF.type, term(entity.kind), g
    yield iri, SKOS.prefLabel, Literal(entity.label), g
    yield iri, RDFS.label, Literal(entity.label), g
    for alias in sorted(entity.aliases):
        yield iri, SKOS.altLabel, Literal(alias), g
    if entity.alpha3:
        yield iri, KG.iso3166Alpha3, Literal(entity.alpha3), g
    if entity.alpha2:
        yield iri, KG.iso3166Alpha2, Literal(entity.alpha2), g


def relation_quads(rel: Relation, iris: dict[str, URIRef], d: URIRef, g: URIRef) -> Iterator[Quad]:
    ev = rel.evidence
    s = iris[rel.subject]
    p = term(rel.relation)
    if rel.object_is_text:
        o = STMT[f"{slug(ev.doc_id)}/{_hash(ev.doc_id, rel.relation, rel.object)}"]
        yield o, RDF.type, KG.Claim if rel.relation == "denies" else KG.Statement, g
        yield o, KG.text, Literal(rel.object), g
        yield o, KG.direct, Literal(rel.direct), g
    else:
        o = iris[rel.object]
    yield s, p, o, g
    e = EV[f"{slug(ev.doc_id)}/{_hash(s, p, o, ev.sentence_start, ev.pattern)}"]
    yield e, RDF.type, KG.Evidence, g
    yield e, RDF.subject, s, g
    yield e, RDF.predicate, p, g
    yield e, RDF.object, o, g
    yield e, KG.document, d, g
    yield e, KG.sentence, Literal(ev.sentence), g
    yield e, KG.sentenceStart, Literal(ev.sentence_start), g
    yield e, KG.sentenceEnd, Literal(ev.sentence_end), g
    yield e, KG.subjectText, Literal(ev.subject_text), g
    yield e, KG.objectText, Literal(ev.object_text), g
    yield e, KG.pattern, Literal(ev.pattern), g
    yield e, KG.confidence, confidence_literal(ev.confidence), g
    who = iris.get(ev.attributed_to) if ev.attributed_to else None
    yield e, KG.attributedTo, who if who is not None else d, g
    if ev.role:
        yield e, KG.role, Literal(ev.role), g
