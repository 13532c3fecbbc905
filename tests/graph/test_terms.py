"""kg.graph.terms: rdflib terms as pyoxigraph terms."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Literal, URIRef

from kg.graph.terms import converter, to_ox


def test_terms_converter_gives_what_to_ox_gives_and_each_iri_once() -> None:
    conv = converter()
    terms = [
        URIRef("https://example.org/kg/country/CHL"),
        Literal("Chile", lang="es"),
        Literal("2022-02-04", datatype=XSD.date),
        Literal("plain"),
        BNode("b1"),
    ]
    for term in terms:
        assert conv(term) == to_ox(term)
    iri = URIRef("https://example.org/kg/country/CHL")
    assert conv(iri) is conv(URIRef(str(iri)))  # the same NamedNode object: converted once
    # a literal whose text is an IRI stays a literal
    assert isinstance(conv(Literal("https://example.org/kg/country/CHL")), ox.Literal)


def test_terms_refuse_what_is_no_rdf_term() -> None:
    with pytest.raises(TypeError, match="not an RDF term"):
        converter()(3)
