"""`kg export` and `kg stats`: the stored graph written out or summarised.

RDF formats come from the store's own serialisers; the network formats (GraphML and GEXF for
Gephi and Cytoscape, node-link JSON for D3) from networkx, on `kg.analysis.relation_graph`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.files import atomic_path
from kg.graph.store import open_store

NETWORK_FORMATS = ("graphml", "gexf", "json")


def export_file(store_path: Path | None, fmt: str, output: Path) -> int:
    """Serialise the store into `output` atomically; returns the number of statements
    (for a network format: of edges)."""
    if fmt in NETWORK_FORMATS:
        return export_network(store_path, fmt, output)[1]
    store = open_store(store_path)
    with atomic_path(output) as tmp:
        store.export(fmt, tmp)
    return len(store)


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


def write_network(graph: Any, fmt: str, output: Path) -> None:
    """Write a `kg.analysis` graph as GraphML, GEXF or node-link JSON, atomically."""
    import networkx as nx

    if fmt not in NETWORK_FORMATS:
        raise KgError("E041", detail=fmt)
    with atomic_path(output) as tmp:
        if fmt == "json":
            try:  # "links", D3's name, on every networkx (>= 3.4 asks for it explicitly)
                data = nx.node_link_data(graph, edges="links")
            except TypeError:
                data = nx.node_link_data(graph)
            Path(tmp).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        elif fmt == "graphml":
            nx.write_graphml(network_for_export(graph), tmp, encoding="utf-8")
        else:
            nx.write_gexf(network_for_export(graph), tmp, encoding="utf-8")


def export_network(store_path: Path | None, fmt: str, output: Path) -> tuple[int, int]:
    """The network of entities and relations (one edge per evidence) written as `fmt`;
    returns the numbers of nodes and edges."""
    from kg.analysis import relation_graph

    graph = relation_graph(open_store(store_path))
    write_network(graph, fmt, output)
    return graph.number_of_nodes(), graph.number_of_edges()
