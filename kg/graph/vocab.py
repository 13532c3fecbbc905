"""The ontology's terms and the namespaces of the RDF model (docs/rdf-model.md).

Code never spells an ontology IRI as a string: it uses ``KG.boycotts``. ``KG`` is closed
(``_fail = True``), so a typo such as ``KG.boycots`` raises ``AttributeError`` at once, and a test
keeps this list and ontology/kg.ttl equal in both directions.
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from kg.graph.prefixes import DOC_NS, ENT_NS, EV_NS, GRAPH_NS, KG_NS, PREFIXES, SCHEMA_NS, STMT_NS

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

    _NS = Namespace(KG_NS)
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

ENT = Namespace(ENT_NS)
DOC = Namespace(DOC_NS)
GRAPH = Namespace(GRAPH_NS)
EV = Namespace(EV_NS)
STMT = Namespace(STMT_NS)
SCHEMA = Namespace(SCHEMA_NS)
