"""One registry of the formats kg writes, as rdflib's plugin registry (`rdflib/plugin.py`).

Each format is registered once: its name and aliases, what it is (`Kind`), its file suffix,
and the name of its implementation ("module:attribute", imported only when the format is
used, so this module and everything that lists formats stay light). The commands read
their lists from here: `kg export` and the shell's `\\export` offer `EXPORT`, `kg extract`
offers `EXTRACT`, `kg query --format`, the shell's `\\format` and its settings file offer
`QUERY`; the CLI's choices, the shell's commands, its completion and the writers all ask
this registry, so no list can drift from another. Standard library only.

A name means one format within a surface, but may mean different formats in different
surfaces, as in rdflib (a plugin is registered under a name *and* a kind): `json` is
node-link JSON for `kg export` and SPARQL JSON results for `kg query`.
"""

from __future__ import annotations

import importlib
from enum import Enum
from typing import Any, NamedTuple

from kg.errors import KgError


class Kind(Enum):
    """What a format holds."""

    QUADS = "RDF dataset"  # every named graph (one per document) kept
    TRIPLES = "RDF graph"  # the union of the document graphs, each triple once
    NETWORK = "network"  # entities and relations, one edge per evidence (Gephi, D3)
    RESULTS = "SPARQL results"  # the answer of a query
    EXTRACTION = "extraction TSV"  # the extraction contract (../shared/spec/relations.md)


class Format(NamedTuple):  # a NamedTuple, not a dataclass: a tenth of the import time
    name: str
    kind: Kind
    suffix: str  # of a file in this format, with its dot
    implementation: str  # "module:attribute.path" of what reads or writes it
    aliases: tuple[str, ...] = ()
    summary: str = ""

    def load(self) -> Any:
        """The implementation object (a pyoxigraph format, a writer function)."""
        module, _, attribute = self.implementation.partition(":")
        found: Any = importlib.import_module(module)
        for part in attribute.split("."):
            found = getattr(found, part)
        return found


_REGISTRY: list[Format] = []


class Surface:
    """The formats one command accepts: those of its kinds, in registration order."""

    def __init__(self, label: str, kinds: tuple[Kind, ...]) -> None:
        self.label = label  # as in "unknown export format"
        self.kinds = kinds

    def __repr__(self) -> str:
        return f"Surface({self.label!r})"

    @property
    def formats(self) -> tuple[Format, ...]:
        return tuple(f for f in _REGISTRY if f.kind in self.kinds)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.formats)

    @property
    def choices(self) -> tuple[str, ...]:
        """Names and aliases: every spelling the command accepts."""
        return tuple(n for f in self.formats for n in (f.name, *f.aliases))

    def get(self, name: str) -> Format:
        """The format a name or alias means here; `KgError` E041 if none."""
        wanted = name.strip().lower()
        for fmt in self.formats:
            if wanted == fmt.name or wanted in fmt.aliases:
                return fmt
        raise KgError("E041", kind=self.label, name=name, known=", ".join(self.names))


RDF = Surface("RDF", (Kind.QUADS, Kind.TRIPLES))
EXPORT = Surface("export", (Kind.QUADS, Kind.TRIPLES, Kind.NETWORK))  # kg export, \export
EXTRACT = Surface("extract", (Kind.EXTRACTION, Kind.QUADS, Kind.TRIPLES))  # kg extract
QUERY = Surface("result", (Kind.RESULTS,))  # kg query --format, \format, shellrc
SURFACES = (RDF, EXPORT, EXTRACT, QUERY)


def register(fmt: Format) -> None:
    """Add a format; a name or alias may mean only one format on each surface."""
    spellings = {fmt.name, *fmt.aliases}
    for surface in SURFACES:
        if fmt.kind in surface.kinds and spellings & set(surface.choices):
            raise ValueError(f"{sorted(spellings & set(surface.choices))} taken on {surface}")
    _REGISTRY.append(fmt)


def _rdf(name: str, kind: Kind, suffix: str, member: str, *aliases: str, summary: str) -> None:
    register(Format(name, kind, suffix, f"pyoxigraph:RdfFormat.{member}", aliases, summary))


# Registration order is the order the commands list them in.

# the extraction contract (kg extract's default)
register(Format("tsv", Kind.EXTRACTION, ".tsv", "kg.extraction.pipeline:to_tsv", (), "TSV"))

# RDF, written by Oxigraph's serialisers (kg.graph.store.GraphStore.export; kg extract)
_rdf("turtle", Kind.TRIPLES, ".ttl", "TURTLE", "ttl", summary="Turtle")
_rdf("trig", Kind.QUADS, ".trig", "TRIG", summary="TriG, one named graph per document")
_rdf("nquads", Kind.QUADS, ".nq", "N_QUADS", "nq", summary="N-Quads, one graph per document")
_rdf("ntriples", Kind.TRIPLES, ".nt", "N_TRIPLES", "nt", summary="N-Triples")
_rdf("json-ld", Kind.TRIPLES, ".jsonld", "JSON_LD", "jsonld", summary="JSON-LD")
_rdf("xml", Kind.TRIPLES, ".rdf", "RDF_XML", "rdfxml", summary="RDF/XML")

# networks of entities and relations (kg.export, on networkx)
register(Format("graphml", Kind.NETWORK, ".graphml", "kg.export:write_graphml", (), "GraphML"))
register(Format("gexf", Kind.NETWORK, ".gexf", "kg.export:write_gexf", (), "GEXF, for Gephi"))
register(Format("json", Kind.NETWORK, ".json", "kg.export:write_node_link", (), "node-link"))

# query results: an aligned table (CONSTRUCT/DESCRIBE results print as Turtle in it; the
# alias `turtle` keeps settings files that say `format = turtle` working), or the W3C
# SPARQL 1.1 results formats written by Oxigraph (kg.graph.results.format_result)
register(Format("table", Kind.RESULTS, ".txt", "kg.graph.results:render", ("turtle",), "table"))
for _name, _suffix, _summary in (
    ("csv", ".csv", "SPARQL CSV results"),
    ("tsv", ".tsv", "SPARQL TSV results"),
    ("json", ".srj", "SPARQL JSON results"),
    ("xml", ".srx", "SPARQL XML results"),
):
    register(
        Format(
            _name,
            Kind.RESULTS,
            _suffix,
            f"pyoxigraph:QueryResultsFormat.{_name.upper()}",
            (),
            _summary,
        )
    )
