"""The pure mapping (kg/graph/rdf.py): IRIs and the quads of one document, without a store."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import RDF, Literal, URIRef

from kg.graph.rdf import document_nquads, document_quads, entity_iri, slug
from kg.graph.terms import to_ox
from kg.graph.vocab import KG
from kg.model import DocResult, Document, Entity, Evidence, Relation

UNSAFE = set(' <>"{}|\\^`')


def test_rdf_iris_are_readable_percent_encoded_and_parse() -> None:
    person = Entity("person:António Guterres", "Person", "António Guterres")
    iri = str(entity_iri(person))
    assert iri == "https://w3id.org/kg-news/id/person/Ant%C3%B3nio_Guterres"
    odd = Entity("person:x", "Person", '<img src=x onerror="alert(1)"> O\'Brien {a|b}')
    odd_iri = str(entity_iri(odd))
    assert not (set(odd_iri) & UNSAFE) and all(ord(c) < 128 for c in odd_iri)
    ox.NamedNode(odd_iri)  # raises if invalid


def test_rdf_types_are_part_of_the_iri() -> None:
    country = Entity("country:JOR", "Country", "Jordan", alpha2="JO", alpha3="JOR")
    person = Entity("person:Jordan", "Person", "Jordan")
    assert entity_iri(country) != entity_iri(person)
    assert str(entity_iri(country)).endswith("/country/JOR")


def test_rdf_scoped_things_differ_between_documents() -> None:
    a = Entity("topic:a/resolution", "Topic", "resolution", scope="a")
    b = Entity("topic:b/resolution", "Topic", "resolution", scope="b")
    assert entity_iri(a) != entity_iri(b)


def test_rdf_slug_is_stable() -> None:
    assert slug("Beijing 2022  Winter Olympics") == "Beijing_2022_Winter_Olympics"


def test_rdf_document_quads_hold_the_plain_triple_and_its_evidence() -> None:
    doc = Document(id="d1", text="Canada will boycott the Games.", title="t", date="2022-01-02")
    canada = Entity("country:CAN", "Country", "Canada", alpha2="CA", alpha3="CAN")
    games = Entity("event:Games", "Event", "Games")
    ev = Evidence("d1", doc.text, 0, len(doc.text), "Canada", "the Games", "boycotts.verb", 0.9)
    result = DocResult(
        doc,
        {canada.key: canada, games.key: games},
        [Relation(canada.key, "boycotts", games.key, ev)],
    )
    quads = list(document_quads(result))
    graph = URIRef("https://w3id.org/kg-news/graph/d1")
    assert all(q[3] == graph for q in quads)
    triples = {(s, p, o) for s, p, o, _ in quads}
    c, g = entity_iri(canada), entity_iri(games)
    assert (c, KG.boycotts, g) in triples
    evidence = {s for s, p, o in triples if p == RDF.type and o == KG.Evidence}
    assert len(evidence) == 1
    (e,) = evidence
    assert (e, KG.sentence, Literal(doc.text)) in triples
    assert (e, KG.pattern, Literal("boycotts.verb")) in triples
    assert (e, RDF.subject, c) in triples and (e, RDF.object, g) in triples


def test_rdf_document_nquads_are_document_quads_in_n_quads() -> None:
    hostile = 'He said: "no\\yes"\r\n<https://x.org/g> .\t\x00\u2028 \U0001f600'
    doc = Document(id="d 1", text=hostile, title=hostile, date="2022-01", url='https://x.org/?a="')
    iran = Entity("country:IRN", "Country", "Iran", aliases={"Islamic Republic"}, alpha3="IRN")
    un = Entity("org:UN", "Organisation", "United Nations")
    said = Evidence("d 1", hostile, 0, 9, "Iran", hostile, "said.quote", 0.9, "org:UN", "host")
    meets = Evidence("d 1", hostile, 0, 9, "Iran", "the UN", "metWith.verb", 1.0)
    result = DocResult(
        doc,
        {iran.key: iran, un.key: un},
        [
            Relation(iran.key, "said", hostile, said, object_is_text=True, direct=True),
            Relation(iran.key, "denies", "it", said, object_is_text=True),
            Relation(iran.key, "metWith", un.key, meets),
        ],
    )
    expected = [ox.Quad(*(to_ox(t) for t in q)) for q in document_quads(result)]
    assert list(ox.parse(document_nquads(result), format=ox.RdfFormat.N_QUADS)) == expected
    literals = {q.object.value for q in expected if isinstance(q.object, ox.Literal)}
    assert hostile in literals and "true" in literals and "0.9" in literals
    assert Literal(9) in {q[2] for q in document_quads(result)}  # typed, as rdflib makes it
