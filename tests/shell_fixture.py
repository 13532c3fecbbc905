"""A small kg store for the shell tests, written without spaCy: the hand-made dataset of
rdf_fixture.py (two documents, the ontology) plus a document naming Pat O'Brien."""

import io
from pathlib import Path
from typing import Any

from rdf_fixture import build_dataset
from rdflib import RDF, RDFS, SKOS, Literal

from kg.graph import store as kgstore
from kg.graph.vocab import DOC, ENT, GRAPH, KG
from kg.shell.config import Config
from kg.shell.engine import Shell

OBRIEN = ENT["person/Pat_O%27Brien"]
OBRIEN_DOC = "obrien_note"


def fill_store(path: Path) -> Path:
    ds = build_dataset()
    with kgstore.write(path) as st:
        for graph in ds.graphs():
            if graph.identifier != GRAPH.ontology and len(graph):
                st.replace_graph(
                    graph.identifier, [(s, p, o, graph.identifier) for s, p, o in graph]
                )
        g = GRAPH[OBRIEN_DOC]
        doc = DOC[OBRIEN_DOC]
        st.replace_graph(
            g,
            [
                (doc, RDF.type, KG.Document, g),
                (OBRIEN, RDF.type, KG.Person, g),
                (OBRIEN, SKOS.prefLabel, Literal("Pat O'Brien"), g),
                (OBRIEN, RDFS.label, Literal("Pat O'Brien"), g),
                (doc, KG.mentions, OBRIEN, g),
            ],
        )
    return path


def distinct_triples(path: Path) -> int:
    """The triples the shell reports for the store at `path`: the distinct triples when
    the store keeps a deduplicated default graph (`GraphStore.triples`), else its quads."""
    st = kgstore.open_store(path)
    return int(getattr(st, "triples", None) or len(st))


class ShellRun:
    """A `Shell` on the store at `path` that writes into strings: calling it with input
    lines returns what those lines printed (stdout, stderr). `refresh` waits for the
    completion data first."""

    def __init__(self, path: Path, refresh: bool = False, **kwargs: Any) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self.shell = Shell(
            kgstore.open_store(path), Config(timing=False), out=self.out, err=self.err, **kwargs
        )
        if refresh:
            self.shell.refresh(wait=True)

    def __call__(self, *lines: str) -> tuple[str, str]:
        start_out, start_err = len(self.out.getvalue()), len(self.err.getvalue())
        for line in lines:
            self.shell.execute(line)
        return self.out.getvalue()[start_out:], self.err.getvalue()[start_err:]
