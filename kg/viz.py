"""`kg viz`: a networkx graph of `kg.analysis` drawn as one self-contained, offline HTML page
that tells the story at a glance.

What the page shows is decided here, in three steps:

1. `story`: statements are folded into their speakers (a count on the speaker, every quote
   in its evidence), and the parallel edges between two nodes are merged into one edge with
   a count per relation and all their evidence;
2. `positions`: the layout is computed before the page opens, with igraph's
   Fruchterman-Reingold per connected group and the groups packed side by side, so the page
   draws the finished picture at once (no physics settling in the browser);
3. `to_html`: the page (our template in `kg/resources/viz/`, vis-network from the pyvis
   package): the script labels the most connected actors first and the rest as room allows,
   never one label over another.

Labels, aliases and sentences come from documents anyone can write, so no document text is
ever markup or code in the page: the graph travels as JSON inside
`<script type="application/json">` blocks (never executed, and `<`, `>`, `&`, U+2028 and
U+2029 escaped as `\\uXXXX`, so the text cannot close the block), and the page's script
builds every tooltip, legend and filter entry with `textContent`. A Content-Security-Policy
forbids any request leaving the file; a document's URL becomes a link only when it is an
http(s) address.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pyvis.network import Network

from kg.analysis import KINDS, NOT_ACTORS, class_label
from kg.files import write_atomic
from kg.resources import resource_path

RESOURCES = resource_path("viz")
VIS_VERSION = "vis-9.1.2"
DEFAULT_TITLE = "kg network"
STATEMENT = "Statement"
SAID = "said"
#: Room kept around a packed group, in edge lengths.
GROUP_MARGIN = 0.9
#: Width : height of the packed picture (a landscape screen with the side panel).
ASPECT = 1.45
#: Above this many edges the page draws no arrowheads: filling them is most of a frame's time
#: (5,000 nodes: 550 ms a frame with, 80 ms without); the tooltip and evidence give direction.
ARROWS_UP_TO = 2500


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


def class_colour(kind: str) -> str:
    classes: dict[str, str] = style()["classes"]
    return classes.get(kind, style()["other_class"])


def kind_colour(kind: str) -> str:
    kinds: dict[str, dict[str, str]] = style()["kinds"]
    return kinds.get(kind, kinds["neutral"])["colour"]


# -- 1. the story: statements folded, parallel edges merged --------------------------------


@dataclass
class Merged:
    """The edges between two nodes, `a` and `b` (a < b), as one: the evidence of each
    relation in each direction."""

    a: str
    b: str
    # (relation, from a to b) -> the graph's edge data, one per evidence
    groups: dict[tuple[str, bool], list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.groups.values())


@dataclass
class Story:
    """What the page draws: the actors and claims with merged edges (`graph`, undirected,
    each edge holding its `Merged`), and the statements folded into their speakers."""

    graph: nx.Graph
    statements: dict[str, list[tuple[str, dict[str, Any]]]]  # statement -> (speaker, edge)
    source: nx.MultiDiGraph

    def rank(self) -> list[str]:
        """Nodes, most connected first: actors by distinct partners, then by sentences, then
        by name; claims after every actor."""
        sentences = Counter[str]()
        for a, b, data in self.graph.edges(data=True):
            sentences[a] += data["merged"].count
            sentences[b] += data["merged"].count
        nodes = self.source.nodes

        def key(n: str) -> tuple[bool, int, int, str, str]:
            return (
                nodes[n].get("kind") in NOT_ACTORS,
                -self.graph.degree(n),
                -sentences[n],
                str(nodes[n].get("label", "")),
                n,
            )

        return sorted(self.graph.nodes, key=key)


def _folded(graph: nx.MultiDiGraph, node: str) -> bool:
    """A statement is folded into its speakers when all it takes part in is being said."""
    if graph.nodes[node].get("kind") != STATEMENT or graph.out_degree(node):
        return False
    return all(data.get("relation") == SAID for *_, data in graph.in_edges(node, data=True))


def story(graph: nx.MultiDiGraph) -> Story:
    """Fold statements into their speakers and merge parallel edges (see `Story`)."""
    folded = {n for n in graph if _folded(graph, n)}
    statements: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    simple = nx.Graph()
    simple.add_nodes_from(n for n in graph if n not in folded)
    for u, v, data in graph.edges(data=True):
        if v in folded:
            statements[v].append((u, data))
            continue
        a, b = sorted((u, v))
        if not simple.has_edge(a, b):
            simple.add_edge(a, b, merged=Merged(a, b))
        merged: Merged = simple[a][b]["merged"]
        merged.groups.setdefault((str(data.get("relation", "")), u == a), []).append(data)
    return Story(simple, dict(statements), graph)


# -- 2. the layout ----------------------------------------------------------------------------


def _force(graph: nx.Graph, nodes: list[str], seed: int) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold (igraph's, in C; a grid above 1,000 nodes) from a seeded start,
    scaled so that the median edge is 1 long."""
    import igraph

    index = {n: i for i, n in enumerate(nodes)}
    shape = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges()])
    igraph.set_random_number_generator(random.Random(seed))  # igraph's own start, seeded
    try:
        layout = shape.layout_fruchterman_reingold(niter=1000 if len(nodes) < 2000 else 500)
    finally:
        igraph.set_random_number_generator(random)
    coords = [tuple(map(float, xy)) for xy in layout.coords]
    lengths = [math.dist(coords[index[a]], coords[index[b]]) for a, b in graph.edges()]
    unit = statistics.median(lengths) if lengths else 1.0
    unit = unit if unit > 1e-9 else 1.0
    return {n: (coords[i][0] / unit, coords[i][1] / unit) for n, i in index.items()}


def _pack(groups: list[dict[str, tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """Groups (largest first) packed on shelves, left to right, into a picture about `ASPECT`
    times as wide as it is high, centred on (0, 0)."""
    boxes = []
    for coords in groups:
        xs, ys = [x for x, _ in coords.values()], [y for _, y in coords.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    area = sum((w + GROUP_MARGIN) * (h + GROUP_MARGIN) for *_, w, h in boxes)
    width = max(max(w for *_, w, _ in boxes) + GROUP_MARGIN, math.sqrt(area * ASPECT))
    out: dict[str, tuple[float, float]] = {}
    x = y = shelf = 0.0
    for coords, (left, top, w, h) in zip(groups, boxes, strict=True):
        if x > 0 and x + w > width:
            x, y, shelf = 0.0, y + shelf + GROUP_MARGIN, 0.0
        for node, (cx, cy) in coords.items():
            out[node] = (x + cx - left, y + cy - top)
        x += w + GROUP_MARGIN
        shelf = max(shelf, h)
    xs, ys = [p[0] for p in out.values()], [p[1] for p in out.values()]
    mx, my = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {n: (px - mx, py - my) for n, (px, py) in out.items()}


def positions(graph: nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """A position for every node of `graph` (undirected), in edge lengths: each connected
    group laid out on its own, the groups packed. Deterministic for a given graph and seed."""
    if graph.number_of_nodes() == 0:
        return {}
    groups = []
    for comp in sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c))):
        nodes = sorted(comp)
        if len(nodes) == 1:
            groups.append({nodes[0]: (0.0, 0.0)})
        elif len(nodes) == 2:
            groups.append({nodes[0]: (0.0, 0.0), nodes[1]: (1.0, 0.0)})
        else:
            groups.append(_force(graph.subgraph(nodes), nodes, seed))
    return _pack(groups)


# -- 3. the page ------------------------------------------------------------------------------


class _Table:
    """Documents and evidence, each stored once and referred to by index."""

    def __init__(self) -> None:
        self.documents: list[dict[str, str]] = []
        self._doc_index: dict[str, int] = {}
        self.evidence: list[dict[str, Any]] = []
        self._ev_index: dict[str, int] = {}

    def doc(self, data: dict[str, Any]) -> int:
        key = str(data.get("document", ""))
        if key not in self._doc_index:
            self._doc_index[key] = len(self.documents)
            self.documents.append(
                {
                    "id": key,
                    "title": str(data.get("title", "")),
                    "date": str(data.get("date", "")),
                    "url": str(data.get("url", "")),
                }
            )
        return self._doc_index[key]

    def add(self, data: dict[str, Any]) -> int:
        key = str(data.get("evidence", "")) or f"#{len(self.evidence)}"
        if key not in self._ev_index:
            self._ev_index[key] = len(self.evidence)
            self.evidence.append(
                {
                    "d": self.doc(data),
                    "s": str(data.get("sentence", "")),
                    "p": str(data.get("pattern", "")),
                    "c": round(float(data.get("confidence", 0.0) or 0.0), 3),
                }
            )
        return self._ev_index[key]


def _sizes(told: Story) -> Counter[str]:
    """Sentences per node over relations that are not quotes: what a node's size shows."""
    size = Counter[str]()
    for a, b, data in told.graph.edges(data=True):
        for (relation, _), evidence in data["merged"].groups.items():
            if relation != SAID:
                size[a] += len(evidence)
                size[b] += len(evidence)
    return size


def page_data(graph: nx.MultiDiGraph, title: str) -> dict[str, Any]:
    """Everything the page's script reads: nodes with their positions, merged edges,
    folded statements, evidence and documents by index, and the legend's entries."""
    told = story(graph)
    where = positions(told.graph)
    unit = float(style()["unit"])
    order = told.rank()
    rank = {n: i for i, n in enumerate(order)}
    size = _sizes(told)
    labels: dict[str, str] = graph.graph.get("class_labels", {})
    table = _Table()
    relations: dict[str, dict[str, Any]] = {}

    def count(data: dict[str, Any], sentences: int) -> str:
        name = str(data.get("relation", ""))
        entry = relations.setdefault(
            name,
            {"name": name, "label": data.get("label", name), "kind": data.get("kind", "")},
        )
        entry["count"] = entry.get("count", 0) + sentences
        return name

    said_by: dict[str, list[int]] = defaultdict(list)
    statements = []
    for index, (stmt, said) in enumerate(sorted(told.statements.items())):
        attrs = graph.nodes[stmt]
        speakers = sorted({speaker for speaker, _ in said})
        for speaker in speakers:
            said_by[speaker].append(index)
        for _, data in said:
            count(data, 1)
        statements.append(
            {
                "id": stmt,
                "text": attrs.get("text") or attrs.get("label") or stmt,
                "speakers": speakers,
                "ev": [[speaker, table.add(data)] for speaker, data in said],
            }
        )
    edges = []
    for number, (*_, data) in enumerate(
        sorted(told.graph.edges(data=True), key=lambda e: (rank[e[0]], rank[e[1]]))
    ):
        merged: Merged = data["merged"]
        groups = []
        for (name, forward), evidence in sorted(merged.groups.items()):
            count(evidence[0], len(evidence))
            groups.append({"r": name, "f": forward, "ev": [table.add(e) for e in evidence]})
        edges.append({"id": f"e{number}", "from": merged.a, "to": merged.b, "g": groups})
    nodes = []
    for node in order:
        attrs = graph.nodes[node]
        x, y = where[node]
        kind = str(attrs.get("kind", ""))
        nodes.append(
            {
                "id": node,
                "x": round(x * unit, 1),
                "y": round(y * unit, 1),
                "k": kind,
                "label": str(attrs.get("label") or node),
                "aliases": list(attrs.get("aliases", [])),
                "text": str(attrs.get("text", "")),
                "size": size[node],
                "partners": told.graph.degree(node),
                "said": said_by.get(node, []),
            }
        )
    classes = Counter(str(attrs.get("kind", "")) for _, attrs in graph.nodes(data=True))
    kinds = Counter[str]()
    for entry in relations.values():
        kinds[entry["kind"]] += entry["count"]
    dates = sorted({d["date"] for d in table.documents if d["date"]})
    return {
        "graph": {"nodes": nodes, "edges": edges, "statements": statements},
        "evidence": {"evidence": table.evidence, "documents": table.documents},
        "meta": {
            "title": title,
            "classes": [
                {
                    "name": k,
                    "label": class_label(k, labels),
                    "colour": class_colour(k),
                    "count": n,
                    "folded": k == STATEMENT,
                }
                for k, n in sorted(classes.items(), key=lambda x: (x[0] == STATEMENT, -x[1], x[0]))
            ],
            "kinds": [
                {
                    "name": k,
                    "colour": kind_colour(k),
                    "text": style()["kinds"][k]["text"],
                    "count": kinds[k],
                }
                for k in KINDS
            ],
            "relations": sorted(relations.values(), key=lambda r: (-r["count"], r["name"])),
            "documents": sorted(
                ({**d, "index": i} for i, d in enumerate(table.documents)),
                key=lambda d: (d["date"], d["id"]),
            ),
            "dates": dates,
            "style": {
                "nodeSize": style()["node_size"],
                "edgeWidth": style()["edge_width"],
                "always": style()["always_labelled"],
                "tooltipSentences": style()["tooltip_sentences"],
                "classes": {k: class_colour(k) for k in classes},
                "kinds": {k: kind_colour(k) for k in KINDS},
                "unit": unit,
            },
        },
    }


def _groups(kinds: Iterable[str]) -> dict[str, Any]:
    """A vis-network group per class: its colour, so no node carries an options object."""
    out = {}
    for kind in sorted(set(kinds)) + ["(untyped)"]:
        c = class_colour(kind)
        out[kind] = {
            "color": {
                "background": c,
                "border": "rgba(0,0,0,0.35)",
                "highlight": {"background": c, "border": "#111111"},
                "hover": {"background": c, "border": "#333333"},
            }
        }
    return out


def _options(nodes: int, edges: int, kinds: Iterable[str] = ()) -> dict[str, Any]:
    """vis-network options: positions come from Python, so physics is off; the page turns it
    on only for a short tidying step after a filter change."""
    big = nodes > 2000 or edges > 4000
    low, high = style()["node_size"]
    arrows = edges <= ARROWS_UP_TO
    return {
        "nodes": {
            "shape": "dot",
            "scaling": {"min": low, "max": high, "label": {"enabled": False}},
            "borderWidth": 1,
            "borderWidthSelected": 3,
        },
        "groups": _groups(kinds),
        "edges": {
            "color": {"inherit": False, "opacity": 0.9},
            "arrows": {"to": {"enabled": arrows, "scaleFactor": 0.45}},
            "smooth": False,
            "selectionWidth": 1.5,
            "hoverWidth": 1.2,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 3_600_000,  # our own tooltip (textContent), not vis' title
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": False,
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {
            "enabled": False,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -2500,
                "centralGravity": 0.02,
                "springLength": float(style()["unit"]),
                "springConstant": 0.03,
                "damping": 0.4,
                "avoidOverlap": 0.6,
            },
            "stabilization": {"enabled": False},
            "maxVelocity": 25,
            "minVelocity": 1.0,
        },
    }


def to_html(graph: nx.MultiDiGraph, title: str | None = None) -> str:
    """The page for `graph` (a `kg.analysis` graph) as a string."""
    heading = title or DEFAULT_TITLE
    data = page_data(graph, heading)
    net = Network(
        height="100%", width="100%", directed=True, heading=heading, cdn_resources="in_line"
    )
    net.options = _options(
        len(data["graph"]["nodes"]),
        len(data["graph"]["edges"]),
        (n["k"] for n in data["graph"]["nodes"]),
    )
    net.path = "network.html"
    net.templateEnv = Environment(loader=FileSystemLoader(str(RESOURCES)), autoescape=True)
    net.templateEnv.filters["script_json"] = script_json
    net.templateEnv.globals.update(_assets(), data=data)
    html: str = net.generate_html(name="graph.html")
    return html


def write_html(graph: nx.MultiDiGraph, path: str | Path, title: str | None = None) -> None:
    """Write the page for `graph` to `path` through `kg.files` (atomically: a partial file is
    never left; E077 if it cannot be written)."""
    write_atomic(path, to_html(graph, title).encode("utf-8"))


def colour_rgb(hex_colour: str) -> dict[str, int]:
    """'#4e79a7' -> {'r': 78, 'g': 121, 'b': 167}: the shape GEXF's viz:color takes."""
    value = hex_colour.lstrip("#")
    return {"r": int(value[0:2], 16), "g": int(value[2:4], 16), "b": int(value[4:6], 16)}


def layout_of(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions (in the page's canvas units) of the story's nodes, and of each folded
    statement on a ring around its first speaker: what `kg export -f gexf` gives Gephi."""
    told = story(graph)
    unit = float(style()["unit"])
    out = {n: (x * unit, y * unit) for n, (x, y) in positions(told.graph).items()}
    ring: Counter[str] = Counter()
    for stmt, said in sorted(told.statements.items()):
        speaker = said[0][0]
        sx, sy = out.get(speaker, (0.0, 0.0))
        angle = ring[speaker] * 0.9
        ring[speaker] += 1
        out[stmt] = (sx + math.cos(angle) * unit * 0.45, sy + math.sin(angle) * unit * 0.45)
    return out
