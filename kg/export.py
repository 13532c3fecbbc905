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


def gexf_date(value: str) -> str:
    """A document date as GEXF's timeline takes it (xsd:date): "2022-06" (a month, as
    kg stores a date the article gives only to the month) is its first day; "" if none."""
    parts = str(value or "").split("-")
    if len(parts) >= 2 and all(p.isdigit() for p in parts[:3]) and len(parts[0]) == 4:
        return "-".join([*parts[:3], "01"][:3]) if len(parts) == 2 else "-".join(parts[:3])
    return ""


def gexf_network(graph: Any) -> Any:
    """The graph as Gephi should open it: laid out (`kg.viz.layout_of`), coloured as the
    `kg viz` page (viz:color by class, and each edge by its CAMEO kind), sized by relations,
    and dynamic: each edge starts on its document's date and each node on its first edge's,
    so Gephi's timeline plays the news in order."""
    from kg.viz import class_colour, colour_rgb, kind_colour, layout_of

    out = network_for_export(graph)
    out.graph["mode"] = "dynamic"
    where = layout_of(graph)
    first: dict[str, str] = {}
    for u, v, _, data in out.edges(keys=True, data=True):
        date = gexf_date(str(data.get("date", "")))
        if date:
            data["start"] = date
            for node in (u, v):
                first[node] = min(first.get(node, date), date)
        data["viz"] = {"color": {**colour_rgb(kind_colour(str(data.get("kind", "")))), "a": 0.9}}
    for node, data in out.nodes(data=True):
        x, y = where.get(node, (0.0, 0.0))
        data["viz"] = {
            "color": {**colour_rgb(class_colour(str(data.get("kind", "")))), "a": 1.0},
            "size": 4.0 + 2.0 * float(out.degree(node)) ** 0.5,
            "position": {"x": round(x, 2), "y": round(-y, 2), "z": 0.0},  # Gephi's y is up
        }
        if node in first:
            data["start"] = first[node]
    return out


def write_gexf(graph: Any, handle: IO[bytes]) -> None:
    import networkx as nx

    nx.write_gexf(gexf_network(graph), handle, encoding="utf-8")


def write_node_link(graph: Any, handle: IO[bytes]) -> None:
    """Node-link JSON with the edges under "links", D3's name: read it back with
    `networkx.node_link_graph(data, edges="links")` (networkx >= 3.4 defaults to "edges")."""
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
