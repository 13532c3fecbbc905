"""The `kg viz` page in a real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright): it opens laid out with no console error and no request leaving the file; the
most connected actors of the bundled articles have visible labels that no other label
overlaps (measured from the label boxes the page drew); hover and click show the evidence,
which can be pinned and copied; filters keep the picture (a hidden node comes back where it
was; one relation after "none" is spread out, not piled up); search lets an exact name or
alias win; the view downloads as PNG and SVG; the hostile document's text stays text.
Skipped only when chromium is missing and CI is not set."""

import math
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from rdf_fixture import BACHELET, CHN, LEUNG, OLYMPICS_DOC
from viz_fixture import (
    ARTICLES,
    HOSTILE_IRI,
    HOSTILE_NAME,
    SEEDS,
    WARNINGS,
    built_store,
    memory_store,
)

from kg.analysis import NOT_ACTORS, relation_graph
from kg.graph.store import open_store
from kg.viz import write_html

pytestmark = pytest.mark.filterwarnings(*WARNINGS)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
TOP = 10


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium); CI runs these tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


@dataclass
class Loaded:
    page: Any
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    graph: Any = None

    def js(self, expression: str, arg: Any = None) -> Any:
        # a function, not a string: the page's CSP forbids eval
        return self.page.evaluate(expression, arg)

    def idle(self) -> None:
        self.page.wait_for_function("() => !kg.busy", timeout=60_000)


def load(browser: Any, path: Path, timeout_ms: int = 60_000, **context: Any) -> Loaded:
    page = browser.new_page(viewport={"width": 1200, "height": 800}, **context)
    loaded = Loaded(page)
    page.on("console", lambda m: loaded.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: loaded.errors.append(str(e)))
    page.on("dialog", lambda d: (loaded.dialogs.append(d.message), d.dismiss()))

    def route(route: Any) -> None:
        if route.request.url.startswith(("file://", "blob:", "data:")):
            route.continue_()
        else:
            loaded.outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.kg && window.kg.stable", timeout=timeout_ms)
    return loaded


# a point of the node that no node drawn over it covers (its centre, else the first free
# spot on a grid across it): what a reader clicks when two big nodes overlap
_FREE_SPOT = """id => {
  var net = kg.network, b = net.body.nodes[id].shape.boundingBox;
  var steps = [0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9];
  for (var i = 0; i < steps.length; i++) {
    for (var j = 0; j < steps.length; j++) {
      var dom = net.canvasToDOM({x: b.left + steps[i] * (b.right - b.left),
                                 y: b.top + steps[j] * (b.bottom - b.top)});
      if (net.getNodeAt(dom) === id) { return dom; }
    }
  }
  return net.canvasToDOM(net.getPositions([id])[id]);
}"""


def screen(loaded: Loaded, node_id: str) -> tuple[float, float]:
    """Where a node is on the page (CSS pixels, page coordinates): a spot of it no other
    node covers."""
    box = loaded.page.locator("#kg-network").bounding_box()
    spot = loaded.js(_FREE_SPOT, node_id)
    return box["x"] + spot["x"], box["y"] + spot["y"]


def hover_node(loaded: Loaded, node_id: str) -> str:
    """Move the mouse onto the node and return the tooltip's text."""
    loaded.js("id => kg.network.focus(id, {scale: 1.5})", node_id)
    x, y = screen(loaded, node_id)
    loaded.page.mouse.move(x + 40, y + 40)
    loaded.page.mouse.move(x, y, steps=4)
    tooltip = loaded.page.locator("#kg-tip")
    tooltip.wait_for(state="visible", timeout=10_000)
    text: str = tooltip.inner_text()
    return text


def click_node(loaded: Loaded, node_id: str) -> str:
    """Click the node and return the pinned evidence panel's text."""
    loaded.js("id => kg.network.focus(id, {scale: 1.5})", node_id)
    x, y = screen(loaded, node_id)
    loaded.page.mouse.click(x, y)
    panel = loaded.page.locator("#kg-evidence")
    panel.wait_for(state="visible", timeout=10_000)
    text: str = panel.inner_text()
    return text


def overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["x"] < b["x"] + b["w"]
                and b["x"] < a["x"] + a["w"]
                and a["y"] < b["y"] + b["h"]
                and b["y"] < a["y"] + a["h"]
            ):
                out.append((a["text"], b["text"]))
    return out


def most_connected(graph: nx.MultiDiGraph, top: int) -> list[str]:
    """The actors with the most distinct partners (quotes, which the page folds into their
    speaker, not counted), then the most sentences, then by name: worked out here from the
    graph, not read from the page."""
    partners: dict[str, set[str]] = {n: set() for n in graph}
    sentences = Counter[str]()
    for u, v, data in graph.edges(data=True):
        if graph.nodes[v]["kind"] == "Statement" and data["relation"] == "said":
            continue
        partners[u].add(v)
        partners[v].add(u)
        sentences[u] += 1
        sentences[v] += 1
    actors = [n for n in graph if graph.nodes[n]["kind"] not in NOT_ACTORS]
    actors.sort(key=lambda n: (-len(partners[n]), -sentences[n], graph.nodes[n]["label"], n))
    return actors[:top]


# -- the hand-written fixture, with the hostile document ---------------------------------------


@pytest.fixture(scope="module")
def hostile_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    graph = relation_graph(memory_store(hostile=True))
    path = tmp_path_factory.mktemp("browser") / "graph.html"
    write_html(graph, path, title="fixture")
    loaded = load(browser, path)
    loaded.graph = graph
    yield loaded
    loaded.page.close()


def test_viz_browser_loads_offline_without_errors(hostile_page: Loaded) -> None:
    assert hostile_page.errors == []
    assert hostile_page.outside == []
    counts = hostile_page.js(
        "() => [kg.nodes.length, kg.edges.length, kg.nodeView.length, kg.edgeView.length]"
    )
    # 13 nodes less Leung's folded statement; 12 evidence edges merged into 10
    assert counts == [12, 10, 12, 10]
    assert hostile_page.js("() => kg.network.physics.physicsEnabled") is False
    # drawn where Python put it: the positions are the shipped ones
    shipped = hostile_page.js("() => kg.graph.nodes.map(n => [n.id, n.x, n.y])")
    drawn = hostile_page.js("() => kg.network.getPositions()")
    for node, x, y in shipped:
        assert (drawn[node]["x"], drawn[node]["y"]) == pytest.approx((x, y), abs=1)  # rounded


def test_viz_browser_hover_shows_evidence(hostile_page: Loaded) -> None:
    text = hover_node(hostile_page, str(BACHELET))
    assert "Michelle Bachelet" in text and "Person" in text
    assert "also called: Madame High Commissioner" in text
    assert "is due to leave office at the end of August" in text  # an evidence sentence
    assert "2022-07-20" in text  # the document's date


def test_viz_browser_click_pins_every_sentence_with_link_and_copy(hostile_page: Loaded) -> None:
    page = hostile_page.page
    hostile_page.js("() => kg.network.moveTo({position: {x: 0, y: 0}, scale: 1})")
    text = click_node(hostile_page, str(CHN))
    # every sentence of China's relations, not three
    for sentence in (
        "Beijing has circulated a letter",
        "Beijing denies the charges laid against it.",
        "A second sentence with a <!-- comment",
        "World Uyghur Congress accuse Beijing",
    ):
        assert sentence in text, sentence
    blocks = page.locator("#kg-evidence [data-evidence]").count()
    assert blocks == 6  # urges, letter, accuses x2 (hostile), accuses (WUC), denies
    # the letter's document has no URL, the hostile one a javascript: one: no link at all
    assert page.locator("#kg-evidence a").count() == 0
    page.locator("#kg-evidence .kg-ev-copy").first.click()
    page.wait_for_function("() => kg.copied !== undefined")
    copied = hostile_page.js("() => kg.copied")
    assert copied is None or "\u2014 " in copied  # a sentence, then its source
    page.click("#kg-close")
    assert page.locator("#kg-evidence").is_hidden()
    # a document with a web address links to it
    leung = click_node(hostile_page, str(LEUNG))
    assert "Athletes should not be used as props" in leung  # the folded quote
    link = page.locator("#kg-evidence a").first
    assert link.get_attribute("href") == "https://example.org/olympics"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert OLYMPICS_DOC in leung
    page.click("#kg-close")


def test_viz_browser_copy_reaches_the_clipboard(browser: Any, tmp_path: Path) -> None:
    graph = relation_graph(memory_store())
    path = tmp_path / "g.html"
    write_html(graph, path)
    loaded = load(browser, path, permissions=["clipboard-read", "clipboard-write"])
    click_node(loaded, str(BACHELET))
    loaded.page.click("#kg-copy-all")
    loaded.page.wait_for_function("() => kg.copied")
    pasted = loaded.js("() => navigator.clipboard.readText()")
    assert pasted.startswith("Michelle Bachelet\n\n\u201c")
    assert "is due to leave office at the end of August" in pasted
    assert "(2022-07-20)" in pasted
    loaded.page.close()


def test_viz_browser_hostile_text_runs_nothing_and_shows_literally(hostile_page: Loaded) -> None:
    text = hover_node(hostile_page, HOSTILE_IRI)
    assert HOSTILE_NAME in text
    assert "</script><script>window.__kgPwned='sentence'</script>" in text
    pinned = click_node(hostile_page, HOSTILE_IRI)
    assert "window.__kgPwned = 'title'" in pinned
    hostile_page.page.click("#kg-close")
    assert hostile_page.js("() => window.__kgPwned") is None
    assert hostile_page.dialogs == []
    injected = hostile_page.js(
        "() => document.querySelectorAll('img, svg, iframe, [onerror], [onload], "
        "[onmouseover], a[href^=javascript]').length"
    )
    assert injected == 0
    documents = hostile_page.js("() => document.getElementById('kg-documents').textContent")
    assert "</script><script>window.__kgPwned = 'title'</script>" in documents
    labels = [label["text"] for label in hostile_page.js("() => kg.labels")]
    assert HOSTILE_NAME in labels  # drawn as text on the canvas
    svg = hostile_page.js("() => kg.svg()")
    root = ET.fromstring(svg)  # well-formed: the names are escaped
    assert not [e for e in root.iter() if e.tag.endswith("script") or e.tag.endswith("image")]
    assert HOSTILE_NAME in [e.text for e in root.iter() if e.tag.endswith("text")]
    assert hostile_page.errors == []


def test_viz_browser_filters_and_search(hostile_page: Loaded) -> None:
    page = hostile_page.page
    page.click("button.kg-none[data-target=kg-relations]")
    hostile_page.idle()
    assert hostile_page.js("() => kg.edgeView.length") == 0
    page.check("#kg-relations input[value=boycotts]")
    hostile_page.idle()
    assert hostile_page.js("() => [kg.nodeView.length, kg.edgeView.length]") == [3, 2]
    page.click("button.kg-all[data-target=kg-relations]")
    hostile_page.idle()
    page.click("#kg-documents button[data-only]")  # only the first document (by date)
    hostile_page.idle()
    assert hostile_page.js("() => kg.edgeView.length") == 4  # the Olympics: 4 edges, 1 quote
    page.click("button.kg-all[data-target=kg-documents]")
    page.click("#kg-classes button[data-only=Country]")
    hostile_page.idle()
    shown = hostile_page.js("() => kg.nodeView.getIds()")
    assert sorted(shown) == sorted(
        n for n in hostile_page.graph if hostile_page.graph.nodes[n]["kind"] == "Country"
    )
    page.click("button.kg-all[data-target=kg-classes]")
    hostile_page.idle()
    assert hostile_page.js("() => kg.nodeView.length") == 12
    # an alias typed exactly wins over the names that contain it
    page.fill("#kg-search-input", "madame high commissioner")
    page.press("#kg-search-input", "Enter")
    assert hostile_page.js("() => kg.network.getSelectedNodes()") == [str(BACHELET)]
    assert "Michelle Bachelet" in page.inner_text("#kg-search-status")
    # "Beijing" is the city's name and China's alias: the name first, then the alias
    assert hostile_page.js("() => kg.candidates('beijing')")[:3] == [
        ["Beijing", "its name"],
        ["China", "an alias"],
        ["Beijing 2022 Winter Olympics", "name starts so"],
    ]
    page.fill("#kg-search-input", "united")
    page.press("#kg-search-input", "Enter")
    listed = page.locator("#kg-candidates button").all_inner_texts()
    assert sorted(t.split(" (")[0] for t in listed) == ["United Kingdom", "United States"]
    assert all(t.endswith(", name starts so)") for t in listed)  # none exact: both listed


def test_viz_browser_date_range(hostile_page: Loaded) -> None:
    assert hostile_page.js("() => kg.edgeView.length") == 10
    hostile_page.js("() => kg.setDates(0, 0)")  # 2022-02-03 only: the Olympics article
    hostile_page.idle()
    assert "2022-02-03 \u2013 2022-02-03" in hostile_page.page.inner_text("#kg-date-range")
    assert hostile_page.js("() => kg.edgeView.length") == 4
    hostile_page.js("() => kg.setDates(1, 2)")
    hostile_page.idle()
    assert hostile_page.js("() => kg.edgeView.length") == 6
    hostile_page.js("() => kg.setDates(0, 2)")
    hostile_page.idle()
    assert hostile_page.js("() => kg.edgeView.length") == 10


def test_viz_browser_downloads_png_and_svg(hostile_page: Loaded, tmp_path: Path) -> None:
    page = hostile_page.page
    hostile_page.js("() => kg.network.fit()")
    with page.expect_download() as got:
        page.click("#kg-png")
    png = tmp_path / "view.png"
    got.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000
    assert got.value.suggested_filename == "fixture.png"
    with page.expect_download() as got:
        page.click("#kg-svg")
    svg = tmp_path / "view.svg"
    got.value.save_as(svg)
    root = ET.parse(svg).getroot()
    tags = Counter(e.tag.rsplit("}", 1)[-1] for e in root.iter())
    assert tags["circle"] == 12 and tags["line"] == 10
    texts = [e.text for e in root.iter() if e.tag.endswith("text")]
    assert "China" in texts and HOSTILE_NAME in texts
    assert hostile_page.outside == [] and hostile_page.errors == []


# -- the bundled articles, built with the real pipeline ----------------------------------------


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    store = built_store(ARTICLES, tmp_path_factory.mktemp("articles") / "store")
    return relation_graph(open_store(store))


@pytest.fixture()
def articles_page(browser: Any, articles: nx.MultiDiGraph, tmp_path: Path) -> Iterator[Loaded]:
    path = tmp_path / "articles.html"
    write_html(articles, path)
    loaded = load(browser, path)
    loaded.graph = articles
    yield loaded
    loaded.page.close()


def _labels_readable(loaded: Loaded, top: list[str]) -> None:
    labels = loaded.js("() => kg.labels.concat(kg.edgeLabels)")
    assert overlaps(labels) == []  # no label over another, edge labels included
    width, height = loaded.js(
        "() => [kg.network.body.container.clientWidth, kg.network.body.container.clientHeight]"
    )
    drawn = {label["id"]: label for label in loaded.js("() => kg.labels")}
    missing = [loaded.graph.nodes[n]["label"] for n in top if n not in drawn]
    assert missing == []
    for node in top:
        box = drawn[node]
        assert box["text"] == loaded.graph.nodes[node]["label"]
        assert 0 <= box["x"] and box["x"] + box["w"] <= width, box  # on screen, whole
        assert 0 <= box["y"] and box["y"] + box["h"] <= height, box


def test_viz_browser_articles_most_connected_have_readable_labels(articles_page: Loaded) -> None:
    assert articles_page.errors == [] and articles_page.outside == []
    top = most_connected(articles_page.graph, TOP)
    _labels_readable(articles_page, top)
    # more than the top: the overview names many actors, not two
    assert len(articles_page.js("() => kg.labels")) >= 40


def test_viz_browser_seeds_most_connected_have_readable_labels(
    browser: Any, tmp_path: Path
) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not there (the seed articles sit beside the repository)")
    graph = relation_graph(open_store(built_store(SEEDS, tmp_path / "store")))
    path = tmp_path / "seeds.html"
    write_html(graph, path)
    loaded = load(browser, path)
    loaded.graph = graph
    _labels_readable(loaded, most_connected(graph, TOP))
    # quotes are folded: no statement is a node of the overview
    kinds = loaded.js("() => kg.nodeView.get().map(n => kg.graph.nodes.find(m => m.id === n.id).k)")
    assert "Statement" not in kinds
    loaded.page.close()


def _span(loaded: Loaded, nodes: list[str]) -> float:
    xs = [x for x, _ in (screen(loaded, n) for n in nodes)]
    return max(xs) - min(xs)


def test_viz_browser_filters_keep_the_picture(articles_page: Loaded) -> None:
    page = articles_page.page
    boycotts = sorted(
        {
            n
            for u, v, d in articles_page.graph.edges(data=True)
            if d["relation"] == "boycotts"
            for n in (u, v)
        }
    )
    home = articles_page.js("() => kg.network.getPositions()")
    before = _span(articles_page, boycotts)
    page.click("button.kg-none[data-target=kg-relations]")
    articles_page.idle()
    page.check("#kg-relations input[value=boycotts]")
    articles_page.idle()
    assert sorted(articles_page.js("() => kg.nodeView.getIds()")) == boycotts
    after = _span(articles_page, boycotts)
    assert after >= before / 2, (before, after)
    # spread out, not piled up: no two of them closer than a node's width on screen
    spots = [screen(articles_page, n) for n in boycotts]
    closest = min(math.dist(a, b) for i, a in enumerate(spots) for b in spots[i + 1 :])
    assert closest > 8
    # every node back, each where it was
    page.click("button.kg-all[data-target=kg-relations]")
    articles_page.idle()
    again = articles_page.js("() => kg.network.getPositions()")
    assert set(again) == set(home)
    for node, spot in home.items():
        assert (again[node]["x"], again[node]["y"]) == pytest.approx((spot["x"], spot["y"]), abs=1)


def test_viz_browser_statements_fold_and_expand_around_the_speaker(
    articles_page: Loaded,
) -> None:
    speaker = articles_page.js(
        "() => kg.graph.nodes.filter(n => n.said.length >= 3).sort((a, b) => "
        "b.said.length - a.said.length)[0].id"
    )
    quotes = articles_page.js("id => kg.graph.nodes.find(n => n.id === id).said.length", speaker)
    before = articles_page.js("() => kg.nodeView.length")
    pinned = click_node(articles_page, speaker)
    assert f"said ({quotes} statements)" in pinned
    articles_page.page.click("#kg-expand")
    assert articles_page.js("() => kg.nodeView.length") == before + quotes
    spots = articles_page.js(
        "id => { var ids = kg.graph.statements.filter(s => s.speakers.indexOf(id) >= 0)"
        ".map(s => s.id); var p = kg.network.getPositions(ids); return ids.map(i => p[i]); }",
        speaker,
    )
    assert len(spots) == quotes
    closest = min(
        math.dist((a["x"], a["y"]), (b["x"], b["y"]))
        for i, a in enumerate(spots)
        for b in spots[i + 1 :]
    )
    assert closest > 20  # around the speaker, not stacked on it
    articles_page.page.click("#kg-expand")
    assert articles_page.js("() => kg.nodeView.length") == before


def test_viz_browser_5000_nodes_open_laid_out(browser: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    from viz_bench import synthetic_graph

    graph = synthetic_graph(5000)
    path = tmp_path / "big.html"
    write_html(graph, path)
    loaded = load(browser, path, timeout_ms=120_000)
    assert loaded.js("() => [kg.nodes.length, kg.edges.length]") == [
        graph.number_of_nodes(),
        graph.number_of_edges(),  # synthetic: no parallel edges, no statements
    ]
    assert loaded.js("() => kg.network.physics.physicsEnabled") is False
    assert overlaps(loaded.js("() => kg.labels")) == []
    assert len(loaded.js("() => kg.labels")) >= TOP
    assert loaded.errors == [] and loaded.outside == []
    loaded.page.close()
