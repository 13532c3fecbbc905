"""`kg viz` at size, in Debian's headless Chromium (`make bench` runs `run()`).

- writing the page of a 5,000- and a 20,000-node graph (layout included);
- **opening** the 5,000-node page: from navigation to the first complete drawing, labels
  included, with the page interactive (the goal: under 3 s). The baseline, measured in the
  same run, is what kg did before and what pyvis does: the same graph, no positions, laid out
  by vis-network's physics in the page until its stabilisation ends (200 iterations);
- **frame time** on the 20,000-node page: the median of 15 synchronous redraws (vis-network's
  nodes and edges, then our labels), at the default view and zoomed in 4x on the centre, next
  to the same page with our labels switched off;
- **page memory**: the JS heap (Chrome DevTools' `JSHeapUsedSize`) and the resident memory
  of the page's renderer process (`/proc/PID/status` VmRSS), after opening.

The graph is synthetic but shaped like kg's: entities of the ontology's classes, one edge per
evidence with a sentence, document and relation, a few hubs (a seeded preferential-attachment
graph), so the page carries the same evidence, filters and labels it would for real data.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.viz import VIS_VERSION, write_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}
KINDS = ("Country", "Person", "Organisation", "UNOffice", "City", "Event", "Agreement", "Topic")
RELATIONS = (
    ("boycotts", "boycotts", "material conflict"),
    ("condemns", "condemns", "verbal conflict"),
    ("supports", "supports", "verbal cooperation"),
    ("metWith", "met with", "verbal cooperation"),
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
            date=f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}",
            url="",
            pattern=f"{relation}.verb",
            confidence=0.8,
            sentence=f"Entity {u} {label} Entity {v}, the article said on Monday.",
            evidence=f"ev{i}",
        )
    return graph


def baseline_html(graph: nx.MultiDiGraph) -> str:
    """The same graph as a bare vis-network page that lays itself out (pyvis' way)."""
    import pyvis

    vis = Path(pyvis.__file__).parent / "templates" / "lib" / VIS_VERSION / "vis-network.min.js"
    index = {n: i for i, n in enumerate(graph)}
    nodes = [{"id": i, "label": graph.nodes[n]["label"]} for n, i in index.items()]
    edges = [{"from": index[u], "to": index[v]} for u, v in graph.edges()]
    options = {
        "layout": {"improvedLayout": False},
        "physics": {"stabilization": {"iterations": 200, "updateInterval": 50}},
        "edges": {"smooth": False},
    }
    data = json.dumps({"nodes": nodes, "edges": edges, "options": options})
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>html,body,#n{height:100%;"
        f"margin:0}}</style><script>{vis.read_text(encoding='utf-8')}</script></head><body>"
        f"<div id='n'></div><script>var d={data};window.kg={{stable:false,timing:{{}}}};"
        "var net=new vis.Network(document.getElementById('n'),{nodes:new vis.DataSet(d.nodes),"
        "edges:new vis.DataSet(d.edges)},d.options);net.once('stabilizationIterationsDone',"
        "function(){net.setOptions({physics:false});net.once('afterDrawing',function(){"
        "kg.timing.drawn=performance.now();kg.stable=true;});net.redraw();});"
        "</script></body></html>"
    )


MARK = f"--kg-viz-bench={os.getpid()}"  # finds our browser among other Chromiums


def _renderer_rss_mb() -> float | None:
    """Resident memory of the renderer processes of our browser (the one whose command line
    has `MARK`), from /proc: the page's memory as the system sees it."""
    parents: dict[int, int] = {}
    lines: dict[int, str] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            lines[int(proc.name)] = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parents[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    roots = [pid for pid, line in lines.items() if MARK in line and "--type=" not in line]
    if not roots:
        return None
    mine, grew = set(roots), True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in mine} - mine
        mine |= more
        grew = bool(more)
    total = 0.0
    for pid in mine:
        if "--type=renderer" in lines.get(pid, ""):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total or None


def _open(browser: Any, path: Path) -> tuple[Any, float, dict[str, Any]]:
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function("() => window.kg && window.kg.stable", timeout=600_000)
    wall = time.perf_counter() - start
    timing = page.evaluate("() => kg.timing")
    if errors:
        raise SystemExit(f"{path.name}: {errors[0]}")
    return page, wall, timing


def _frames(page: Any, runs: int = 15) -> float:
    """The median of `runs` synchronous redraws, in ms (the machine may be shared: the
    median is less moved by another process than the mean)."""
    times = page.evaluate(
        "n => { var t = []; for (var i = 0; i < n; i++) { var s = performance.now(); "
        "kg.network.redraw(); t.push(performance.now() - s); } return t; }",
        runs,
    )
    return float(statistics.median(times))


def _drag_frames(page: Any, runs: int = 15) -> float:
    """Frames while the view is dragged: vis-network hides the edges of a big graph then
    (`hideEdgesOnDrag`), so this is what panning costs."""
    times = page.evaluate(
        "n => { var r = kg.network.renderer, t = []; r.dragging = true; "
        "for (var i = 0; i < n; i++) { var s = performance.now(); kg.network.redraw(); "
        "t.push(performance.now() - s); } r.dragging = false; return t; }",
        runs,
    )
    return float(statistics.median(times))


def _memory(page: Any) -> tuple[float, float | None]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["JSHeapUsedSize"] / 1e6, _renderer_rss_mb()


def run(small: int = 5000, large: int = 20000) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {"small": small, "large": large}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*ARGS, MARK]
        )
        for size in (small, large):
            graph = synthetic_graph(size)
            page_path = folder / f"kg-{size}.html"
            started = time.perf_counter()
            write_html(graph, page_path)
            out[f"write_{size}_s"] = round(time.perf_counter() - started, 2)
            out[f"html_{size}_mb"] = round(page_path.stat().st_size / 1e6, 1)
            out[f"edges_{size}"] = graph.number_of_edges()
            page, wall, timing = _open(browser, page_path)
            out[f"open_{size}_s"] = round(timing["drawn"] / 1000, 2)
            out[f"open_{size}_wall_s"] = round(wall, 2)
            if size == large:
                out["frame_ms"] = round(_frames(page), 1)
                out["frame_drag_ms"] = round(_drag_frames(page), 1)
                page.evaluate("() => kg.network.moveTo({scale: kg.network.getScale() * 4})")
                out["frame_zoomed_ms"] = round(_frames(page), 1)
                out["labels_zoomed"] = page.evaluate("() => kg.labels.length")
                page.evaluate("() => kg.network.fit()")
                page.evaluate("() => kg.network.off('afterDrawing')")
                out["frame_bare_ms"] = round(_frames(page), 1)
            heap, rss = _memory(page)
            out[f"heap_{size}_mb"] = round(heap, 1)
            out[f"rss_{size}_mb"] = None if rss is None else round(rss, 1)
            page.close()
            if size == small:
                base = folder / f"vis-{size}.html"
                base.write_text(baseline_html(graph), encoding="utf-8")
                page, wall, timing = _open(browser, base)
                out[f"baseline_open_{size}_s"] = round(timing["drawn"] / 1000, 2)
                page.close()
        browser.close()
    return out


def rows(figures: dict[str, Any], row: Any) -> list[dict[str, Any]]:
    """The figures as rows of the `make bench` table (`benchmarks.run.row`)."""
    s, n = figures["small"], figures["large"]
    opened, base = figures[f"open_{s}_s"], figures[f"baseline_open_{s}_s"]
    rss = figures.get(f"rss_{n}_mb")
    return [
        row(
            f"kg viz: open {s:,} nodes laid out (s)",
            f"vis-network lays it out in the page: {base:.1f}",
            f"{opened:.2f} (page written in {figures[f'write_{s}_s']:.1f})",
            opened / base,
            "< 3 s",
            opened < 3,
        ),
        row(
            f"kg viz: {n:,} nodes, frame time (ms)",
            f"no labels: {figures['frame_bare_ms']:.0f}",
            f"{figures['frame_ms']:.0f} (zoomed in 4x: {figures['frame_zoomed_ms']:.0f}, "
            f"while dragging: {figures['frame_drag_ms']:.0f})",
            figures["frame_ms"] / max(figures["frame_bare_ms"], 0.1),
            "usable, report",
            None,
        ),
        row(
            f"kg viz: {n:,} nodes, page memory (MB)",
            f"{s:,} nodes: heap {figures[f'heap_{s}_mb']:.0f}",
            f"heap {figures[f'heap_{n}_mb']:.0f}" + (f", renderer RSS {rss:.0f}" if rss else ""),
            figures[f"heap_{n}_mb"] / figures[f"heap_{s}_mb"],
            "report",
            None,
        ),
    ]


def screenshot(page_path: Path, png: Path) -> None:
    """The page at its default view, as a reader first sees it (`make screenshots`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page, _, _ = _open(browser, page_path.resolve())
        page.wait_for_timeout(300)
        page.screenshot(path=str(png))
        labels = page.evaluate("() => kg.labels.length")
        browser.close()
    print(f"wrote {png} ({labels} labels)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--screenshot"]:
        screenshot(Path(sys.argv[2]), Path(sys.argv[3]))
        sys.exit(0)
    result = run(1000, 2000) if sys.argv[1:2] == ["--quick"] else run()
    for key, value in result.items():
        print(f"{key}: {value}")
