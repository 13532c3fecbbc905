"""Stores for the analysis, export and viz tests: without spaCy, the hand-written dataset of
`rdf_fixture` (two documents, ten evidence nodes), optionally with the hostile document of
`tests/data/viz/hostile.trig`, in memory or on disk (for the CLI); and, for the browser
tests, the bundled articles or the seeds built with the real pipeline (`built_store`)."""

from pathlib import Path

import pyoxigraph as ox
from rdf_fixture import build_dataset, oxigraph_store

from kg.graph.store import GraphStore, write

HOSTILE = Path(__file__).resolve().parent / "data" / "viz" / "hostile.trig"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_IRI = "https://w3id.org/kg-news/id/person/%3Cimg_src%3Dx_onerror%3Dalert(1)%3E"


# rdflib's N-Quads serialiser still calls its deprecated Dataset API
WARNINGS = (
    "ignore:Dataset.(contexts|default_context) is deprecated:DeprecationWarning",
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
)


def memory_store(hostile: bool = False) -> GraphStore:
    store = oxigraph_store(build_dataset())
    if hostile:
        store.load(path=str(HOSTILE), format=ox.RdfFormat.TRIG)
    return GraphStore(store, Path("memory"))


def disk_store(path: Path, hostile: bool = False) -> Path:
    """A kg store folder holding the dataset (the ontology is loaded by `write`)."""
    with write(path, fresh=True) as store:
        for graph in build_dataset().graphs():
            if str(graph.identifier).endswith("/ontology") or not len(graph):
                continue
            store.replace_graph(
                graph.identifier, [(s, p, o, graph.identifier) for s, p, o in graph]
            )
        if hostile:
            store.ox.load(path=str(HOSTILE), format=ox.RdfFormat.TRIG)
    return path


ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def built_store(articles: Path, path: Path) -> Path:
    """A kg store of real articles, built with the real pipeline (spaCy)."""
    from kg.build import build

    report = build([articles], path, fresh=True)
    assert report.built and not report.problems, report.problems
    return path
