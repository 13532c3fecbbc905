"""`kg export` (and the shell's `\\export`): the stored graph written to a file.

The formats are `kg.formats.EXPORT`: RDF from the store's own serialisers; the networks
(GraphML and GEXF for Gephi and Cytoscape, node-link JSON for D3) from networkx, on
`kg.analysis.relation_graph`, by the writers below, which the registry names. Every file is
written through `kg.files.atomic_file`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kg.files import atomic_file
from kg.formats import EXPORT, Kind
from kg.graph.store import open_store


@dataclass(frozen=True)
class Written:
    """What an export wrote: statements for RDF, nodes and edges for a network."""

    format: str
    statements: int = 0
    nodes: int = 0
    edges: int = 0
    network: bool = False

    def __str__(self) -> str:
        if self.network:
            return f"{self.format}, {self.nodes} nodes, {self.edges} edges"
        return f"{self.format}, {self.statements} statements"


def export_file(store_path: Path | None, fmt: str, output: Path) -> Written:
    """Write the store to `output` atomically in `fmt` (a name or alias of `EXPORT`)."""
    chosen = EXPORT.get(fmt)
    if chosen.kind is Kind.NETWORK:
        nodes, edges = export_network(store_path, chosen.name, output)
        return Written(chosen.name, nodes=nodes, edges=edges, network=True)
    store = open_store(store_path)
    with atomic_file(output) as handle:
        store.export(chosen.name, handle)
    return Written(chosen.name, statements=len(store))


def _plain(value: Any) -> str | int | float | bool:
    """GraphML and GEXF attribute values must be strings or numbers: lists are joined with
    "; ", a missing value is an empty string."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def network_for_export(graph: Any) -> Any:
    """A copy of a `kg.analysis` graph whose attribute values GraphML/GEXF writers accept."""
    out = graph.__class__()
    out.add_nodes_from((n, {k: _plain(v) for k, v in d.items()}) for n, d in graph.nodes(data=True))
    out.add_edges_from(
        (u, v, k, {a: _plain(b) for a, b in d.items()})
        for u, v, k, d in graph.edges(keys=True, data=True)
    )
    return out


# -- the network writers `kg.formats` names: (graph, binary file) ---------------------------


def write_graphml(graph: Any, handle: IO[bytes]) -> None:
    import networkx as nx

    nx.write_graphml(network_for_export(graph), handle, encoding="utf-8")


def write_gexf(graph: Any, handle: IO[bytes]) -> None:
    import networkx as nx

    nx.write_gexf(network_for_export(graph), handle, encoding="utf-8")


def write_node_link(graph: Any, handle: IO[bytes]) -> None:
    import networkx as nx

    try:  # "links", D3's name, on every networkx (>= 3.4 asks for it explicitly)
        data = nx.node_link_data(graph, edges="links")
    except TypeError:
        data = nx.node_link_data(graph)
    handle.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def write_network(graph: Any, fmt: str, output: Path) -> None:
    """Write a `kg.analysis` graph in a network format of `EXPORT`, atomically."""
    chosen = EXPORT.get(fmt)
    if chosen.kind is not Kind.NETWORK:
        raise ValueError(f"{chosen.name} is not a network format")
    writer: Callable[[Any, IO[bytes]], None] = chosen.load()
    with atomic_file(output) as handle:
        writer(graph, handle)


def export_network(store_path: Path | None, fmt: str, output: Path) -> tuple[int, int]:
    """The network of entities and relations (one edge per evidence) written as `fmt`;
    returns the numbers of nodes and edges."""
    from kg.analysis import relation_graph

    graph = relation_graph(open_store(store_path))
    write_network(graph, fmt, output)
    return graph.number_of_nodes(), graph.number_of_edges()
