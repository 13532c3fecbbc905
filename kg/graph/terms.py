"""rdflib terms -> pyoxigraph terms, for the store and for a remote endpoint alike."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

_RDFLIB: Any = None  # the rdflib module, imported on the first conversion


def to_ox(term: Any) -> Any:
    """rdflib term -> pyoxigraph term. rdflib is imported on the first write, not when a
    store is opened: the shell and `kg query` start without it."""
    global _RDFLIB
    if _RDFLIB is None:
        import rdflib

        _RDFLIB = rdflib
    rdf = _RDFLIB
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
