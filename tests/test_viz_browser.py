"""The `kg viz` page in a real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright): it loads with no console error and no request leaving the file, shows the
graph's own counts and evidence on hover, filters and searches, and the hostile document's
text stays text. Skipped only when chromium is missing and CI is not set."""

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rdf_fixture import BACHELET
from viz_fixture import HOSTILE_IRI, HOSTILE_NAME, WARNINGS, memory_store

from kg.analysis import relation_graph
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

    def js(self, expression: str, arg: Any = None) -> Any:
        # a function, not a string: the page's CSP forbids eval
        return self.page.evaluate(expression, arg)


def load(browser: Any, path: Path, timeout_ms: int = 60_000) -> Loaded:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    loaded = Loaded(page)
    page.on("console", lambda m: loaded.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: loaded.errors.append(str(e)))
    page.on("dialog", lambda d: (loaded.dialogs.append(d.message), d.dismiss()))

    def route(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            loaded.outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.kg && window.kg.stable", timeout=timeout_ms)
    return loaded


def hover_node(loaded: Loaded, node_id: str) -> str:
    """Move the mouse onto the node and return the tooltip's text."""
    loaded.js("id => kg.network.focus(id, {scale: 1.5})", node_id)
    box = loaded.page.locator("#kg-network").bounding_box()
    spot = loaded.js("id => kg.network.canvasToDOM(kg.network.getPositions([id])[id])", node_id)
    loaded.page.mouse.move(box["x"] + spot["x"] + 40, box["y"] + spot["y"] + 40)
    loaded.page.mouse.move(box["x"] + spot["x"], box["y"] + spot["y"], steps=4)
    tooltip = loaded.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    text: str = tooltip.inner_text()
    return text


@pytest.fixture(scope="module")
def hostile_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    graph = relation_graph(memory_store(hostile=True))
    path = tmp_path_factory.mktemp("browser") / "graph.html"
    write_html(graph, path, title="fixture")
    loaded = load(browser, path)
    loaded.page.graph = graph  # type: ignore[attr-defined]
    yield loaded
    loaded.page.close()


def test_viz_browser_loads_offline_without_errors(hostile_page: Loaded) -> None:
    assert hostile_page.errors == []
    assert hostile_page.outside == []
    graph = hostile_page.page.graph
    counts = hostile_page.js(
        "() => [kg.nodes.length, kg.edges.length, kg.nodeView.length, kg.edgeView.length]"
    )
    assert counts == [graph.number_of_nodes(), graph.number_of_edges()] * 2 == [13, 12, 13, 12]
    assert hostile_page.js("() => kg.network.physics.physicsEnabled") is False


def test_viz_browser_hover_shows_evidence(hostile_page: Loaded) -> None:
    text = hover_node(hostile_page, str(BACHELET))
    assert "Michelle Bachelet" in text and "Person" in text
    assert "also called: Madame High Commissioner" in text
    assert "is due to leave office at the end of August" in text  # an evidence sentence
    assert "2022-07-20" in text  # the document's date


def test_viz_browser_hostile_text_runs_nothing_and_shows_literally(hostile_page: Loaded) -> None:
    text = hover_node(hostile_page, HOSTILE_IRI)
    assert HOSTILE_NAME in text
    assert "</script><script>window.__kgPwned='sentence'</script>" in text
    assert hostile_page.js("() => window.__kgPwned") is None
    assert hostile_page.dialogs == []
    injected = hostile_page.js(
        "() => document.querySelectorAll('img, svg, [onerror], [onload], [onmouseover]').length"
    )
    assert injected == 0
    documents = hostile_page.js("() => document.getElementById('kg-documents').textContent")
    assert "</script><script>window.__kgPwned = 'title'</script>" in documents
    assert hostile_page.errors == []


def test_viz_browser_filters_and_search(hostile_page: Loaded) -> None:
    page = hostile_page.page
    page.click("button.kg-none[data-target=kg-relations]")
    assert hostile_page.js("() => kg.edgeView.length") == 0
    page.check("#kg-relations input[value=boycotts]")
    assert hostile_page.js("() => [kg.nodeView.length, kg.edgeView.length]") == [3, 2]
    page.click("button.kg-all[data-target=kg-relations]")
    page.uncheck("#kg-documents input[value=hostile_01]")
    assert hostile_page.js("() => kg.edgeView.length") == 10
    page.click("button.kg-all[data-target=kg-documents]")
    page.fill("#kg-search-input", "bachelet")
    page.press("#kg-search-input", "Enter")
    assert hostile_page.js("() => kg.network.getSelectedNodes()") == [str(BACHELET)]
    assert "Michelle Bachelet" in page.inner_text("#kg-search-status")


def test_viz_browser_5000_nodes_settle_and_stop(browser: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    from viz_bench import synthetic_graph

    graph = synthetic_graph(5000)
    path = tmp_path / "big.html"
    write_html(graph, path)
    loaded = load(browser, path, timeout_ms=240_000)
    assert loaded.js("() => [kg.nodes.length, kg.edges.length]") == [
        graph.number_of_nodes(),
        graph.number_of_edges(),
    ]
    assert loaded.js("() => kg.network.physics.physicsEnabled") is False
    assert loaded.errors == [] and loaded.outside == []
    loaded.page.close()
