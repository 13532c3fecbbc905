"""`kg validate`: the stored graph against ontology/shapes.ttl, with pyshacl."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.graph.store import GraphStore
from kg.resources import ontology_path

SHAPES = ontology_path("shapes.ttl")


@dataclass
class Validation:
    conforms: bool
    violations: int
    report: str


def union_graph(store: GraphStore) -> Graph:
    """All named graphs merged into one rdflib Graph (SHACL validates one graph): the
    store's default graph, which holds each of their triples once."""
    out = io.BytesIO()
    store.export("ntriples", out)
    data = out.getvalue()
    graph = Graph()
    graph.parse(data=data.decode("utf-8") if data else "", format="nt")
    return graph


def validate(store: GraphStore, shapes: Path = SHAPES) -> Validation:
    from pyshacl import validate as shacl

    shapes_graph = Graph().parse(shapes, format="turtle")
    conforms, results, text = shacl(
        union_graph(store), shacl_graph=shapes_graph, inference="none", advanced=True
    )
    from rdflib.namespace import SH

    count = len(set(results.subjects(predicate=SH.resultSeverity)))
    return Validation(bool(conforms), count, text)
