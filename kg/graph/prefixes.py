"""The namespaces of the RDF model (docs/rdf-model.md) as plain strings.

Kept apart from `kg.graph.vocab` so that what only needs IRIs (the shell, query results, the
store, a remote endpoint) starts without importing rdflib: `kg shell` opens in a fraction
of a second. `kg.graph.vocab` builds its rdflib namespaces from these strings.
"""

from __future__ import annotations

BASE = "https://w3id.org/kg-news/"
KG_NS = BASE + "ontology#"
ENT_NS = BASE + "id/"
DOC_NS = BASE + "doc/"
GRAPH_NS = BASE + "graph/"
EV_NS = BASE + "evidence/"
STMT_NS = BASE + "statement/"
SCHEMA_NS = "https://schema.org/"
ONTOLOGY_GRAPH = GRAPH_NS + "ontology"

#: Every prefix of docs/rdf-model.md, for serialisers, SPARQL headers and the shell.
PREFIXES: dict[str, str] = {
    "kg": KG_NS,
    "ent": ENT_NS,
    "doc": DOC_NS,
    "graph": GRAPH_NS,
    "ev": EV_NS,
    "stmt": STMT_NS,
    # one prefix per kind of entity, so the shell and Turtle read `person:Wang_Yi`
    "country": ENT_NS + "country/",
    "person": ENT_NS + "person/",
    "org": ENT_NS + "organisation/",
    "unoffice": ENT_NS + "unoffice/",
    "city": ENT_NS + "city/",
    "event": ENT_NS + "event/",
    "agreement": ENT_NS + "agreement/",
    "topic": ENT_NS + "topic/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": SCHEMA_NS,
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
}
