"""`kg export` and `kg stats`: the stored graph written out or summarised.

RDF formats come from the store's own serialisers; the network formats (GraphML and GEXF for
Gephi and Cytoscape, node-link JSON for D3) from networkx, on `kg.analysis.relation_graph`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.results import table
from kg.store import open_store

NETWORK_FORMATS = ("graphml", "gexf", "json")


@contextlib.contextmanager
def atomic_path(output: Path) -> Iterator[str]:
    """A temporary path next to `output`, moved onto it only if the block succeeds."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    except OSError as exc:
        raise KgError("E082", str(output), detail=exc.strerror or str(exc)) from exc
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an export is meant to be shared
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


GROUP_NAMES = 6

SUMMARY_QUERIES = {
    "documents": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document }",
    "entities": "SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e a ?c } "
    "FILTER(?g != graph:ontology) ?c rdfs:label ?class "
    "FILTER(?c NOT IN (kg:Document, kg:Evidence, kg:Statement, kg:Claim)) } "
    "GROUP BY ?class ORDER BY DESC(?n)",
    "relations": "SELECT ?relation (COUNT(*) AS ?n) WHERE { ?e a kg:Evidence ; rdf:predicate ?p . "
    "BIND(STRAFTER(STR(?p), STR(kg:)) AS ?relation) } GROUP BY ?relation "
    "ORDER BY DESC(?n)",
}


def summary(store_path: Path | None, top: int = 10, relations: Iterable[str] = ()) -> str:
    """Counts from SPARQL, then the network analysis: the most central actors and the
    connected groups of actors (restricted to `relations` when given)."""
    from kg.analysis import centrality, groups, relation_graph

    store = open_store(store_path)
    docs = next(iter(store.query(SUMMARY_QUERIES["documents"])))["n"].value
    parts = [f"store: {store.path}  quads: {len(store)}  documents: {docs}", ""]
    for name in ("entities", "relations"):
        rows = [[r[0].value, r[1].value] for r in store.query(SUMMARY_QUERIES[name])]
        parts += [table(["class" if name == "entities" else "relation", "count"], rows), ""]
    graph = relation_graph(store, relations=list(relations) or None)
    scope = f" ({', '.join(relations)})" if relations else ""
    central = centrality(graph, top=top)
    parts += [
        f"most central actors{scope}",
        table(
            ["actor", "class", "partners", "relations", "betweenness"],
            [
                [c.label, c.kind, str(c.degree), str(c.relations), f"{c.betweenness:.3f}"]
                for c in central
            ],
        ),
        "",
    ]
    found = groups(graph)
    rows = []
    for number, members in enumerate(found[:top], 1):
        names = [graph.nodes[m].get("label", m) for m in members[:GROUP_NAMES]]
        more = f" … (+{len(members) - GROUP_NAMES})" if len(members) > GROUP_NAMES else ""
        rows.append([str(number), str(len(members)), ", ".join(names) + more])
    parts += [
        f"connected groups of actors{scope}: {len(found)}",
        table(["group", "actors", "members (most connected first)"], rows),
    ]
    return "\n".join(parts).rstrip()
