"""`kg viz`: a networkx graph of `kg.analysis` drawn as one self-contained, offline HTML page.

pyvis supplies the vis-network bundle and renders the page; the page is our own template
(`kg/resources/viz/`), because pyvis' default one loads Bootstrap from a CDN even with
`cdn_resources="in_line"` and writes tooltips with `innerHTML`.

Labels, aliases and sentences come from documents anyone can write, so no document text is
ever markup or code in the page: the graph travels as JSON inside
`<script type="application/json">` blocks (never executed, and `<`, `>`, `&`, U+2028 and
U+2029 escaped as `\\uXXXX`, so the text cannot close the block), and the page's script
builds every tooltip, legend and filter entry with `textContent`. A Content-Security-Policy
forbids any request leaving the file.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pyvis.network import Network

from kg.files import write_atomic
from kg.resources import resource_path

RESOURCES = resource_path("viz")
VIS_VERSION = "vis-9.1.2"
DEFAULT_TITLE = "kg network"
# Parallel edges between one pair of nodes are drawn as arcs of growing curvature.
ARC_STEP = 0.18


@cache
def style() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RESOURCES / "style.json").read_text(encoding="utf-8"))
    return data


def script_json(value: Any) -> Markup:
    """JSON that is inert inside a `<script>` element: the characters that could end the
    element or a JavaScript line (`<`, `>`, `&`, U+2028, U+2029) only appear as escapes."""
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    )
    for char in "&<>\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)


@cache
def _assets() -> dict[str, Markup]:
    """vis-network from the pyvis package, and our script and style; read once, checked to
    contain nothing that would end their inline element early."""
    pyvis_lib = Path(pyvis.__file__).parent / "templates" / "lib" / VIS_VERSION
    files = {
        "vis_js": pyvis_lib / "vis-network.min.js",
        "vis_css": pyvis_lib / "vis-network.css",
        "kg_js": RESOURCES / "network.js",
        "kg_css": RESOURCES / "network.css",
    }
    out = {}
    for name, path in files.items():
        text = path.read_text(encoding="utf-8")
        if "</script" in text.lower() or "</style" in text.lower():
            raise RuntimeError(f"{path} cannot be inlined: it contains a closing tag")
        out[name] = Markup(text)
    return out


def _colour(kind: str) -> str:
    classes: dict[str, str] = style()["classes"]
    return classes.get(kind, style()["other_class"])


def _evidence(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k, "") for k in ("document", "title", "date", "sentence")}


def _nodes(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    shown = int(style()["tooltip_sentences"])
    seen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        for node, other in ((u, v), (v, u)):
            seen[node].append(
                {
                    **_evidence(data),
                    "relation": data.get("label", ""),
                    "other": graph.nodes[other].get("label", ""),
                }
            )
    nodes = []
    for iri, attrs in graph.nodes(data=True):
        kind = attrs.get("kind", "")
        evidence = [e for e in seen[iri] if e["sentence"]]
        nodes.append(
            {
                "id": iri,
                "label": attrs.get("label") or iri,
                "color": _colour(kind),
                "value": graph.degree(iri),
                "kg": {
                    "iri": iri,
                    "label": attrs.get("label") or iri,
                    "kind": kind,
                    "aliases": list(attrs.get("aliases", [])),
                    "text": attrs.get("text", ""),
                    "evidence": evidence[:shown],
                    "more": max(0, len(evidence) - shown),
                },
            }
        )
    return nodes


def _edges(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    colours: dict[str, str] = style()["edges"]
    parallel: Counter[frozenset[str]] = Counter()
    edges = []
    for index, (u, v, data) in enumerate(graph.edges(data=True)):
        colour = colours.get(data.get("kind", ""), colours["neutral"])
        edge: dict[str, Any] = {
            "id": f"e{index}",
            "from": u,
            "to": v,
            "label": data.get("label", ""),
            "color": {"color": colour, "highlight": colour, "hover": colour},
            "kg": {
                **_evidence(data),
                "relation": data.get("relation", ""),
                "label": data.get("label", ""),
                "kind": data.get("kind", ""),
                "pattern": data.get("pattern", ""),
                "confidence": data.get("confidence", ""),
                "subject": graph.nodes[u].get("label", u),
                "object": graph.nodes[v].get("label", v),
            },
        }
        pair = frozenset((u, v))
        if parallel[pair]:
            edge["smooth"] = {
                "enabled": True,
                "type": "curvedCW",
                "roundness": ARC_STEP * parallel[pair],
            }
        parallel[pair] += 1
        edges.append(edge)
    return edges


def _meta(graph: nx.MultiDiGraph, title: str) -> dict[str, Any]:
    classes = Counter(kind for _, kind in graph.nodes(data="kind"))
    relations: dict[str, dict[str, Any]] = {}
    documents: dict[str, dict[str, Any]] = {}
    for _, _, data in graph.edges(data=True):
        rel = relations.setdefault(
            data.get("relation", ""),
            {
                "name": data.get("relation", ""),
                "label": data.get("label", ""),
                "kind": data.get("kind", ""),
                "count": 0,
            },
        )
        rel["count"] += 1
        doc = documents.setdefault(
            data.get("document", ""),
            {
                "id": data.get("document", ""),
                "title": data.get("title", ""),
                "date": data.get("date", ""),
                "count": 0,
            },
        )
        doc["count"] += 1
    return {
        "title": title,
        "classes": [
            {"name": k or "(untyped)", "colour": _colour(k), "count": n}
            for k, n in sorted(classes.items(), key=lambda x: (-x[1], x[0]))
        ],
        "edgeKinds": [{"name": k, "colour": c} for k, c in style()["edges"].items()],
        "relations": sorted(relations.values(), key=lambda r: (-r["count"], r["name"])),
        "documents": sorted(documents.values(), key=lambda d: (d["date"], d["id"])),
    }


def _options(nodes: int, edges: int) -> dict[str, Any]:
    """vis-network options. Physics runs a bounded number of stabilisation iterations (fewer
    for big graphs), then the page switches it off, so a 5,000-node graph settles and stops."""
    big = nodes > 1000 or edges > 2000
    iterations = 1000 if nodes <= 300 else 300 if nodes <= 1500 else 100
    low, high = style()["node_size"]
    return {
        # hubs keep readable labels when the whole graph is fitted on screen
        "nodes": {
            "shape": "dot",
            "scaling": {
                "min": low,
                "max": high,
                "label": {"enabled": True, "min": 12, "max": 26, "drawThreshold": 7},
            },
            "font": {"size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "width": 1.2,
            "font": {
                "size": 10,
                "align": "middle",
                "color": "#444444",
                "strokeWidth": 2,
                "strokeColor": "#ffffff",
            },
            "smooth": {"enabled": not big, "type": "continuous"},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
        },
        # vis' improved layout runs a Kamada-Kawai pass that takes minutes on big graphs
        "layout": {"improvedLayout": nodes <= 150, "randomSeed": 7},
        "physics": {
            "enabled": nodes > 0,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "springLength": 110,
                "centralGravity": 0.015,
                "avoidOverlap": 0.3,
            },
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 25,
                "fit": True,
            },
            "minVelocity": 1.0,
            "maxVelocity": 60,
        },
    }


def to_html(graph: nx.MultiDiGraph, title: str | None = None) -> str:
    """The page for `graph` (a `kg.analysis` graph) as a string."""
    heading = title or DEFAULT_TITLE
    net = Network(
        height="100%", width="100%", directed=True, heading=heading, cdn_resources="in_line"
    )
    # Filled directly: pyvis' add_edge drops parallel edges and scans every edge per call.
    net.nodes = _nodes(graph)
    net.node_ids = [n["id"] for n in net.nodes]
    net.edges = _edges(graph)
    net.options = _options(len(net.nodes), len(net.edges))
    net.path = "network.html"
    net.templateEnv = Environment(loader=FileSystemLoader(str(RESOURCES)), autoescape=True)
    net.templateEnv.filters["script_json"] = script_json
    net.templateEnv.globals.update(_assets(), meta=_meta(graph, heading))
    html: str = net.generate_html(name="graph.html")
    return html


def write_html(graph: nx.MultiDiGraph, path: str | Path, title: str | None = None) -> None:
    """Write the page for `graph` to `path` through `kg.files` (atomically: a partial file is
    never left; E077 if it cannot be written)."""
    write_atomic(path, to_html(graph, title).encode("utf-8"))
