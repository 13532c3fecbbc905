"""rdflib terms -> pyoxigraph terms, for the store and for a remote endpoint alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

_RDFLIB: Any = None  # the rdflib module, imported on the first conversion


def _rdflib() -> Any:
    """rdflib, imported on the first write, not when a store is opened: the shell and
    `kg query` start without it."""
    global _RDFLIB
    if _RDFLIB is None:
        import rdflib

        _RDFLIB = rdflib
    return _RDFLIB


def to_ox(term: Any) -> Any:
    """rdflib term -> pyoxigraph term."""
    rdf = _rdflib()
    if isinstance(term, rdf.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdf.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, rdf.BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def converter() -> Callable[[Any], Any]:
    """`to_ox` that converts each IRI once: a batch of quads names the same predicates,
    classes, entities and document graph thousands of times (half the cost of a write)."""
    uriref = _rdflib().URIRef
    named: dict[str, Any] = {}

    def conv(term: Any) -> Any:
        if type(term) is uriref:
            got = named.get(term)
            if got is None:
                got = named[term] = ox.NamedNode(str(term))
            return got
        return to_ox(term)

    return conv
