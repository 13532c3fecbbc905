"""kg.viz without a browser: the page is self-contained, carries the graph as inert JSON and
never holds document text as markup. (tests/test_viz_browser.py loads it in Chromium.)"""

import json
import math
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rdf_fixture import (
    BACHELET,
    CHARGES_CLAIM,
    CHN,
    LEUNG,
    LEUNG_STATEMENT,
    OHCHR,
    OLYMPICS_DOC,
)
from viz_fixture import HOSTILE_IRI, HOSTILE_NAME, WARNINGS, disk_store, memory_store

from kg.analysis import KINDS, relation_graph
from kg.cli import cli
from kg.errors import KgError
from kg.viz import positions, script_json, to_html, write_html

pytestmark = pytest.mark.filterwarnings(*WARNINGS)


class Page(HTMLParser):
    """Tags with their attributes, and the text of each <script> element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def data_blocks(page: Page) -> dict[str, object]:
    return {
        str(a["id"]): json.loads(text)
        for a, text in page.scripts
        if a.get("type") == "application/json"
    }


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return to_html(relation_graph(memory_store(hostile=True)), title="<i>hostile</i> page")


@given(st.text())
def test_viz_script_json_is_inert_and_lossless(text: str) -> None:
    out = str(script_json({"t": text, "list": [text]}))
    for char in "<>&\u2028\u2029":
        assert char not in out
    assert json.loads(out) == {"t": text, "list": [text]}


def test_viz_page_loads_nothing_from_outside(hostile_html: str) -> None:
    page = parse(hostile_html)
    for tag, attrs in page.tags:
        assert not {"src", "href", "srcset", "action", "data"} & set(attrs), (tag, attrs)
        assert tag not in {"link", "iframe", "img", "object", "embed", "base"}, tag
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert csp and "default-src 'none'" in str(csp[0])
    # vis-network itself is inlined
    assert any("vis.Network" in text or "Network=" in text for _, text in page.scripts)


def test_viz_page_data_matches_the_graph(hostile_html: str) -> None:
    blocks = data_blocks(parse(hostile_html))
    graph, meta, ev = blocks["kg-graph"], blocks["kg-meta"], blocks["kg-evidence-data"]
    assert isinstance(graph, dict) and isinstance(meta, dict) and isinstance(ev, dict)
    nodes, edges, statements = graph["nodes"], graph["edges"], graph["statements"]
    # 13 nodes, less Leung's statement, folded into him; 12 evidence edges, of which the
    # hostile person's two accusations of China are one edge, and Leung's quote is folded
    assert len(nodes) == 12 and len(edges) == 10 and len(statements) == 1
    by_id = {n["id"]: n for n in nodes}
    assert by_id[HOSTILE_IRI]["label"] == HOSTILE_NAME  # as text, in the data
    china = by_id[str(CHN)]
    assert china["k"] == "Country" and "Beijing" in china["aliases"]
    assert china["partners"] == 5  # letter, urges, accuses, denies, the hostile person
    assert nodes[0]["id"] == str(CHN)  # the most connected first
    (hostile,) = [e for e in edges if HOSTILE_IRI in (e["from"], e["to"])]
    assert [(g["r"], len(g["ev"])) for g in hostile["g"]] == [("accuses", 2)]
    assert {r["name"]: r["count"] for r in meta["relations"]}["accuses"] == 3
    (said,) = statements
    assert said["id"] == str(LEUNG_STATEMENT) and said["speakers"] == [str(LEUNG)]
    assert by_id[str(LEUNG)]["said"] == [0] and by_id[str(LEUNG)]["size"] == 1  # quotes not counted
    assert str(CHARGES_CLAIM) in by_id  # a denied claim is drawn, not folded
    docs = {d["id"]: d for d in ev["documents"]}
    assert docs["hostile_01"]["url"] == ""  # a javascript: address never becomes a link
    assert docs[OLYMPICS_DOC]["url"] == "https://example.org/olympics"
    assert meta["dates"] == ["2022-02-03", "2022-07-20", "2024-01-02"]
    assert len(ev["evidence"]) == 12  # every evidence, each once (10 distinct sentences)
    assert len({e["s"] for e in ev["evidence"]}) == 10


def test_viz_page_colours_are_cameo_kinds(hostile_html: str) -> None:
    meta = data_blocks(parse(hostile_html))["kg-meta"]
    assert isinstance(meta, dict)
    kinds = {r["name"]: r["kind"] for r in meta["relations"]}
    assert kinds["said"] == "statement" and kinds["denies"] == "denial"
    assert kinds["boycotts"] == "material conflict" and kinds["urges"] == "verbal cooperation"
    legend = [k["name"] for k in meta["kinds"]]
    assert legend == list(KINDS)
    colours = [k["colour"] for k in meta["kinds"]]
    assert len(set(colours)) == len(colours)  # seven kinds, seven colours
    assert {k["name"]: k["count"] for k in meta["kinds"]}["denial"] == 1


def test_viz_positions_pack_groups_apart_deterministically() -> None:
    graph = nx.Graph()
    nx.add_path(graph, ["a1", "a2", "a3", "a4", "a5"])
    graph.add_edges_from([("a1", "a3"), ("b1", "b2"), ("c1", "c2"), ("c2", "c3")])
    graph.add_node("d1")
    where = positions(graph)
    assert where == positions(graph) and set(where) == set(graph)
    groups = [{"a1", "a2", "a3", "a4", "a5"}, {"b1", "b2"}, {"c1", "c2", "c3"}, {"d1"}]
    boxes = []
    for group in groups:
        xs, ys = [where[n][0] for n in group], [where[n][1] for n in group]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    for i, a in enumerate(boxes):  # the groups' boxes never meet
        for b in boxes[i + 1 :]:
            assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1], (a, b)
    assert math.dist(where["b1"], where["b2"]) == pytest.approx(1.0)
    lengths = sorted(math.dist(where[u], where[v]) for u, v in graph.edges() if u.startswith("a"))
    assert lengths[len(lengths) // 2] == pytest.approx(1.0)  # the median edge is one unit


def test_viz_hostile_text_never_appears_raw(hostile_html: str) -> None:
    for raw in (
        HOSTILE_NAME,
        "<script>window.__kgPwned",
        "<svg",
        "<b onmouseover",
        "\u2028",
        "\u2029",
        "'single' </style>",
        "a <!-- comment",
        "and ]]> and",
        "<i>hostile",
    ):
        assert raw not in hostile_html, raw
    page = parse(hostile_html)
    # every <script> the page opens is one of ours: 1 vis-network, 4 data blocks, 1 page script
    assert len(page.scripts) == 6
    assert "&lt;i&gt;hostile&lt;/i&gt; page" in hostile_html  # the title, escaped


def test_viz_write_html_is_atomic_and_reports_bad_paths(tmp_path: Path) -> None:
    graph = relation_graph(memory_store())
    out = tmp_path / "sub" / "g.html"
    write_html(graph, out, title="t")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["g.html"]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(KgError) as err:
        write_html(graph, blocker / "g.html")
    assert (err.value.code, err.value.path, err.value.fields) == (
        "E077",
        str(blocker / "g.html"),
        {"reason": "File exists"},  # mkdir of the folder, which is a file
    )
    assert out.stat().st_mode & 0o777 == 0o644


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return disk_store(tmp_path_factory.mktemp("viz") / "store")


def test_viz_cli_around(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.html"
    result = CliRunner().invoke(
        cli,
        ["viz", "--store", str(store_path), "-o", str(out), "--around", "Bachelet", "--depth", "1"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out} (3 nodes, 3 edges)"
    graph = data_blocks(parse(out.read_text(encoding="utf-8")))["kg-graph"]
    assert isinstance(graph, dict)
    assert {n["id"] for n in graph["nodes"]} == {str(BACHELET), str(OHCHR), str(CHN)}


def test_viz_cli_query_file(store_path: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("CONSTRUCT { ?s kg:accuses ?o } WHERE { ?s kg:accuses ?o }")
    out = tmp_path / "q.html"
    result = CliRunner().invoke(
        cli, ["viz", "--store", str(store_path), "-o", str(out), "--query", str(query)]
    )
    assert result.exit_code == 0, result.output
    assert "(2 nodes, 1 edges)" in result.output


def test_viz_cli_path(store_path: Path) -> None:
    result = CliRunner(env={"COLUMNS": "160"}).invoke(
        cli, ["path", "--store", str(store_path), "World Uyghur Congress", "office of the high"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "World Uyghur Congress and Office of the High Commissioner for Human Rights: "
        "2 chains (1 of 2 steps, 1 of 3 steps), shortest first"
    )
    assert lines[2] == (
        "1. World Uyghur Congress --accuses--> China --sent letter to--> "
        "Office of the High Commissioner for Human Rights"
    )
    assert "   World Uyghur Congress --accuses--> China" in lines
    none = CliRunner().invoke(cli, ["path", "--store", str(store_path), "Brian Leung", "China"])
    assert none.output.strip() == "no chain of relations links Brian Leung and China"
    # an alias is as good as the name: "the UK" is the United Kingdom
    alias = CliRunner().invoke(cli, ["path", "--store", str(store_path), "US", "the UK"])
    assert alias.output.startswith("United States and United Kingdom: 1 chain")


def test_viz_cli_errors_are_one_line(store_path: Path, tmp_path: Path) -> None:
    """The real entry point: a user error is one line and exit code 2, no traceback."""
    kg = [sys.executable, "-m", "kg"]
    env = {**os.environ, "KG_STORE": str(store_path)}
    for args, code in (
        (["viz", "--doc", "nope", "-o", str(tmp_path / "x.html")], "E081"),
        (["viz", "-r", "boycot"], "E080"),
        (["path", "United", "China"], "E084"),
        (["path", "China", "country:CHN"], "E074"),  # A = B
        (["path", "<>", "China"], "E073"),  # IRI-like names are no match, not a traceback
        (["path", "China", "<a b>"], "E073"),
        (["viz", "--around", "<a b>", "-o", str(tmp_path / "x.html")], "E073"),
        (["viz", "--around", "<>", "-o", str(tmp_path / "x.html")], "E073"),
    ):
        run = subprocess.run(kg + args, capture_output=True, text=True, env=env, timeout=60)
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith(f"error {code}: ") and len(run.stderr.splitlines()) == 1
    assert not (tmp_path / "x.html").exists()
