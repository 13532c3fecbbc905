"""Seconds to generate the `kg viz` page for a 5,000-node graph (`make bench` prints them).

The graph is synthetic but shaped like kg's: entities of the ontology's classes, one edge per
evidence with a sentence, document and relation, a few hubs (a seeded preferential-attachment
graph), so the page carries the same tooltips and filters it would for real data.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.viz import write_html  # noqa: E402

KINDS = ("Country", "Person", "Organisation", "UNOffice", "City", "Event", "Agreement", "Topic")
RELATIONS = (
    ("boycotts", "boycotts", "conflict"),
    ("condemns", "condemns", "conflict"),
    ("supports", "supports", "cooperation"),
    ("metWith", "met with", "cooperation"),
    ("represents", "represents", "neutral"),
)


def synthetic_graph(nodes: int = 5000, seed: int = 7) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    shape = nx.barabasi_albert_graph(nodes, 2, seed=seed)
    graph = nx.MultiDiGraph()
    for n in shape.nodes:
        graph.add_node(
            f"https://w3id.org/kg-news/id/x/{n}",
            label=f"Entity {n}",
            kind=rng.choice(KINDS),
            aliases=[f"E{n}"],
        )
    for i, (u, v) in enumerate(shape.edges):
        relation, label, kind = rng.choice(RELATIONS)
        doc = f"doc_{i % 400:03d}"
        graph.add_edge(
            f"https://w3id.org/kg-news/id/x/{u}",
            f"https://w3id.org/kg-news/id/x/{v}",
            key=f"ev{i}",
            relation=relation,
            label=label,
            kind=kind,
            document=doc,
            title=f"Article {doc}",
            date="2022-01-01",
            pattern=f"{relation}.verb",
            confidence=0.8,
            sentence=f"Entity {u} {label} Entity {v}, the article said on Monday.",
        )
    return graph


def run(nodes: int = 5000, runs: int = 3) -> dict[str, float]:
    graph = synthetic_graph(nodes)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "graph.html"
        for _ in range(runs):
            start = time.perf_counter()
            write_html(graph, out)
            times.append(time.perf_counter() - start)
        size = out.stat().st_size
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "viz_html_s": statistics.median(times),
        "html_mb": size / 1e6,
    }


if __name__ == "__main__":
    result = run()
    print(
        f"kg viz, {result['nodes']:.0f} nodes / {result['edges']:.0f} edges: "
        f"{result['viz_html_s']:.2f} s to write the page ({result['html_mb']:.1f} MB)"
    )
