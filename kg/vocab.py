"""The ontology's terms and the namespaces of the RDF model (docs/rdf-model.md).

Code never spells an ontology IRI as a string: it uses ``KG.boycotts``. ``KG`` is closed
(``_fail = True``), so a typo such as ``KG.boycots`` raises ``AttributeError`` at once, and a test
keeps this list and ontology/kg.ttl equal in both directions.
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = [
    "DOC",
    "ENT",
    "EV",
    "GRAPH",
    "KG",
    "PREFIXES",
    "RELATIONS",
    "SCHEMA",
    "STMT",
    "term",
]


class KG(DefinedNamespace):
    """Classes and properties of ontology/kg.ttl."""

    _NS = Namespace("https://w3id.org/kg-news/ontology#")
    _fail = True

    # classes
    Actor: URIRef
    Country: URIRef
    Person: URIRef
    Organisation: URIRef
    UNOffice: URIRef
    City: URIRef
    Event: URIRef
    Agreement: URIRef
    Topic: URIRef
    Document: URIRef
    Letter: URIRef
    Statement: URIRef
    Claim: URIRef
    Evidence: URIRef

    # the thirteen relations, in the spec's order
    boycotts: URIRef
    represents: URIRef
    sentLetterTo: URIRef
    condemns: URIRef
    supports: URIRef
    urges: URIRef
    accuses: URIRef
    denies: URIRef
    attends: URIRef
    hosts: URIRef
    metWith: URIRef
    signatoryOf: URIRef
    said: URIRef

    # other object properties
    partOf: URIRef
    mentions: URIRef
    document: URIRef
    attributedTo: URIRef

    # evidence
    sentence: URIRef
    sentenceStart: URIRef
    sentenceEnd: URIRef
    subjectText: URIRef
    objectText: URIRef
    pattern: URIRef
    confidence: URIRef
    role: URIRef

    # statements, documents, countries
    text: URIRef
    direct: URIRef
    contentHash: URIRef
    charCount: URIRef
    iso3166Alpha2: URIRef
    iso3166Alpha3: URIRef

    # annotations on the relations
    cameoCode: URIRef
    cameoRoot: URIRef
    cameoQuadClass: URIRef


def term(name: str) -> URIRef:
    """The ontology term with this local name, for names read from data such as pattern files.

    Raises ``AttributeError`` for a name that ontology/kg.ttl does not define, as ``KG.<name>``.
    """
    uri: URIRef = getattr(KG, name)
    return uri


#: Local names of the relations, in the order of the relation spec.
RELATIONS: tuple[str, ...] = (
    "boycotts",
    "represents",
    "sentLetterTo",
    "condemns",
    "supports",
    "urges",
    "accuses",
    "denies",
    "attends",
    "hosts",
    "metWith",
    "signatoryOf",
    "said",
)

ENT = Namespace("https://w3id.org/kg-news/id/")
DOC = Namespace("https://w3id.org/kg-news/doc/")
GRAPH = Namespace("https://w3id.org/kg-news/graph/")
EV = Namespace("https://w3id.org/kg-news/evidence/")
STMT = Namespace("https://w3id.org/kg-news/statement/")
SCHEMA = Namespace("https://schema.org/")

#: Every prefix of docs/rdf-model.md, for serialisers, SPARQL headers and the shell.
PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "ent": str(ENT),
    "doc": str(DOC),
    "graph": str(GRAPH),
    "ev": str(EV),
    "stmt": str(STMT),
    # one prefix per kind of entity, so the shell and Turtle read `person:Wang_Yi`
    "country": str(ENT) + "country/",
    "person": str(ENT) + "person/",
    "org": str(ENT) + "organisation/",
    "unoffice": str(ENT) + "unoffice/",
    "city": str(ENT) + "city/",
    "event": str(ENT) + "event/",
    "agreement": str(ENT) + "agreement/",
    "topic": str(ENT) + "topic/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": str(SCHEMA),
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
}
