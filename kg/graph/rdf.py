"""Stage 6 (pure): documents, entities and relations -> RDF quads (docs/rdf-model.md).

No I/O here. One named graph per document holds its metadata, the entities it mentions
(with what it calls them), the plain relation triples and one evidence node per occurrence.

The mapping is written once, in N-Triples terms (`<iri>`, `"text"`, `"5"^^<...#integer>`):
`document_nquads` joins them into N-Quads, which the store hands to Oxigraph's own parser
(outside the GIL, while spaCy goes on), and `document_quads` reads the same quads as rdflib
terms. Making rdflib and then pyoxigraph terms for every quad cost more than the writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from rdflib import RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.graph.vocab import DOC, ENT, EV, GRAPH, KG, SCHEMA, STMT, term
from kg.model import DocResult, Entity, Relation

Quad = tuple[URIRef, URIRef, URIRef | Literal, URIRef]
# (subject, predicate, object) in N-Triples syntax; a document's graph is added to each
Triple = tuple[str, str, str]

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


def _entity_iri(entity: Entity) -> str:
    if entity.kind == "Country" and entity.alpha3:
        return f"{ENT}country/{entity.alpha3}"
    if entity.scope:  # "the resolution" of one article is not that of another
        return f"{ENT}{KIND_PATH[entity.kind]}/{slug(entity.scope)}/{slug(entity.label)}"
    return f"{ENT}{KIND_PATH[entity.kind]}/{slug(entity.label)}"


def entity_iri(entity: Entity) -> URIRef:
    return URIRef(_entity_iri(entity))


def doc_iri(doc_id: str) -> URIRef:
    return DOC[slug(doc_id)]


def graph_iri(doc_id: str) -> URIRef:
    return GRAPH[slug(doc_id)]


def _canonical_decimal(value: float) -> str:
    return format(Decimal(f"{value:.2f}").normalize(), "f")


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x00".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]


# -- N-Triples terms ---------------------------------------------------------------------

# what a quoted N-Triples string may not hold as it is
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\r": "\r"}


def _iri(value: str) -> str:
    return f"<{value}>"


def _text(value: str) -> str:
    return f'"{value.translate(_ESCAPES)}"'


def _typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{datatype}>'


def _integer(value: int) -> str:
    return f'"{value:d}"^^<{XSD.integer}>'


def _boolean(value: bool) -> str:
    return _TRUE if value else _FALSE


@lru_cache(maxsize=256)
def _confidence(value: float) -> str:
    """xsd:decimal in canonical form ("0.9", "1"), as the store keeps it: `kg extract` and
    `kg export` then write the same literal for the same evidence."""
    return _typed(_canonical_decimal(value), XSD.decimal)


@lru_cache(maxsize=64)
def _term(name: str) -> str:
    return _iri(term(name))


_TRUE = _typed("true", XSD.boolean)
_FALSE = _typed("false", XSD.boolean)
_A = _iri(RDF.type)
_SUBJECT, _PREDICATE, _OBJECT = _iri(RDF.subject), _iri(RDF.predicate), _iri(RDF.object)
_PREF_LABEL, _ALT_LABEL, _LABEL = _iri(SKOS.prefLabel), _iri(SKOS.altLabel), _iri(RDFS.label)
_IDENTIFIER, _TITLE, _DATE = _iri(DCTERMS.identifier), _iri(DCTERMS.title), _iri(DCTERMS.date)
_URL = _iri(SCHEMA.url)
_DOCUMENT, _EVIDENCE = _iri(KG.Document), _iri(KG.Evidence)
_STATEMENT, _CLAIM = _iri(KG.Statement), _iri(KG.Claim)
_K = {  # the ontology's properties this mapping writes
    name: _iri(term(name))
    for name in (
        "contentHash charCount mentions iso3166Alpha3 iso3166Alpha2 text direct document"
        " sentence sentenceStart sentenceEnd subjectText objectText pattern confidence"
        " attributedTo role"
    ).split()
}


# -- the mapping ---------------------------------------------------------------------------


def document_nquads(result: DocResult) -> str:
    """Every quad of one document's named graph, as N-Quads lines (`document_quads`' order)."""
    g = _iri(graph_iri(result.document.id))
    return "".join([f"{s} {p} {o} {g} .\n" for s, p, o in document_triples(result)])


def document_quads(result: DocResult) -> Iterator[Quad]:
    """Every quad of one document's named graph, in rdflib terms."""
    g = graph_iri(result.document.id)
    read = _reader()
    for s, p, o in document_triples(result):
        yield read(s), read(p), read(o), g  # type: ignore[misc]


def document_triples(result: DocResult) -> Iterator[Triple]:
    """The triples of one document's named graph, in N-Triples terms."""
    document = result.document
    d = _iri(doc_iri(document.id))
    yield d, _A, _DOCUMENT
    yield d, _IDENTIFIER, _text(document.id)
    if document.title:
        yield d, _TITLE, _text(document.title)
    if document.date:
        kind = XSD.gYearMonth if len(document.date) == 7 else XSD.date  # "2022-04"
        yield d, _DATE, _typed(document.date.translate(_ESCAPES), kind)
    if document.url:
        yield d, _URL, _text(document.url)
    yield d, _K["contentHash"], _text(document.content_hash)
    yield d, _K["charCount"], _integer(len(document.text))

    iris = {key: _iri(_entity_iri(e)) for key, e in result.entities.items()}
    used = {r.subject for r in result.relations} | {
        r.object for r in result.relations if not r.object_is_text
    }
    mentions = _K["mentions"]
    for key, entity in sorted(result.entities.items()):
        if entity.kind == "City" and key not in used:
            continue  # a place named in passing is not an actor of the story
        yield from entity_triples(entity, iris[key])
        yield d, mentions, iris[key]
    for rel in result.relations:
        yield from relation_triples(rel, iris, d)


def entity_triples(entity: Entity, iri: str) -> Iterator[Triple]:
    yield iri, _A, _term(entity.kind)
    label = _text(entity.label)
    yield iri, _PREF_LABEL, label
    yield iri, _LABEL, label
    for alias in sorted(entity.aliases):
        yield iri, _ALT_LABEL, _text(alias)
    if entity.alpha3:
        yield iri, _K["iso3166Alpha3"], _text(entity.alpha3)
    if entity.alpha2:
        yield iri, _K["iso3166Alpha2"], _text(entity.alpha2)


def relation_triples(rel: Relation, iris: dict[str, str], d: str) -> Iterator[Triple]:
    ev = rel.evidence
    s = iris[rel.subject]
    p = _term(rel.relation)
    doc = slug(ev.doc_id)
    if rel.object_is_text:
        o = _iri(f"{STMT}{doc}/{_hash(ev.doc_id, rel.relation, rel.object)}")
        yield o, _A, _CLAIM if rel.relation == "denies" else _STATEMENT
        yield o, _K["text"], _text(rel.object)
        yield o, _K["direct"], _boolean(rel.direct)
    else:
        o = iris[rel.object]
    yield s, p, o
    # the hash reads the IRIs themselves, without the brackets
    e = _iri(f"{EV}{doc}/{_hash(s[1:-1], p[1:-1], o[1:-1], ev.sentence_start, ev.pattern)}")
    k = _K
    yield e, _A, _EVIDENCE
    yield e, _SUBJECT, s
    yield e, _PREDICATE, p
    yield e, _OBJECT, o
    yield e, k["document"], d
    yield e, k["sentence"], _text(ev.sentence)
    yield e, k["sentenceStart"], _integer(ev.sentence_start)
    yield e, k["sentenceEnd"], _integer(ev.sentence_end)
    yield e, k["subjectText"], _text(ev.subject_text)
    yield e, k["objectText"], _text(ev.object_text)
    yield e, k["pattern"], _text(ev.pattern)
    yield e, k["confidence"], _confidence(ev.confidence)
    who = iris.get(ev.attributed_to) if ev.attributed_to else None
    yield e, k["attributedTo"], who if who is not None else d
    if ev.role:
        yield e, k["role"], _text(ev.role)


# -- N-Triples terms as rdflib terms --------------------------------------------------------


def _reader() -> Callable[[str], URIRef | Literal]:
    """N-Triples term (as written above) -> rdflib term, each IRI made once."""
    iris: dict[str, URIRef] = {}

    def read(text: str) -> URIRef | Literal:
        if text[0] == "<":
            got = iris.get(text)
            if got is None:
                got = iris[text] = URIRef(text[1:-1])
            return got
        end = text.rindex('"')
        lexical = _unescape(text[1:end])
        if end == len(text) - 1:
            return Literal(lexical)
        return Literal(lexical, datatype=URIRef(text[end + 4 : -1]))  # '"^^<' ... '>'

    return read


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while True:
        j = text.find("\\", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        out.append(_UNESCAPES[text[j : j + 2]])
        i = j + 2
