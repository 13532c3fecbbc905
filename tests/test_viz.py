"""kg.viz without a browser: the page is self-contained, carries the graph as inert JSON and
never holds document text as markup. (tests/test_viz_browser.py loads it in Chromium.)"""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rdf_fixture import BACHELET, CHN, OHCHR
from viz_fixture import HOSTILE_IRI, HOSTILE_NAME, WARNINGS, disk_store, memory_store

from kg.analysis import relation_graph
from kg.cli import cli
from kg.errors import KgError
from kg.viz import script_json, to_html, write_html

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
    nodes, edges = blocks["kg-nodes"], blocks["kg-edges"]
    assert isinstance(nodes, list) and isinstance(edges, list)
    assert len(nodes) == 13 and len(edges) == 12
    by_id = {n["id"]: n for n in nodes}
    assert by_id[HOSTILE_IRI]["label"] == HOSTILE_NAME  # as text, in the data
    china = by_id[str(CHN)]
    assert china["kg"]["kind"] == "Country" and "Beijing" in china["kg"]["aliases"]
    assert china["value"] == 6  # degree: letter, urges, accuses, denies + 2 hostile accusations
    hostile = [e for e in edges if e["from"] == HOSTILE_IRI]
    assert len(hostile) == 2
    assert "smooth" in hostile[1] and "smooth" not in hostile[0]  # the parallel one curves
    meta = blocks["kg-meta"]
    assert isinstance(meta, dict)
    assert {r["name"]: r["count"] for r in meta["relations"]}["accuses"] == 3
    assert {d["id"] for d in meta["documents"]} >= {"hostile_01"}


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
    nodes = data_blocks(parse(out.read_text(encoding="utf-8")))["kg-nodes"]
    assert isinstance(nodes, list)
    assert {n["id"] for n in nodes} == {str(BACHELET), str(OHCHR), str(CHN)}


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
    result = CliRunner().invoke(
        cli, ["path", "--store", str(store_path), "World Uyghur Congress", "office of the high"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "chain 1 (2 steps):"
    assert lines[1] == "  World Uyghur Congress --accuses--> China"
    assert "chain 2 (3 steps):" in lines
    none = CliRunner().invoke(cli, ["path", "--store", str(store_path), "Brian Leung", "China"])
    assert none.output.strip() == "no chain of relations links Brian Leung and China"


def test_viz_cli_errors_are_one_line(store_path: Path, tmp_path: Path) -> None:
    """The real entry point: a user error is one line and exit code 2, no traceback."""
    kg = [sys.executable, "-m", "kg"]
    env = {**os.environ, "KG_STORE": str(store_path)}
    for args, code in (
        (["viz", "--doc", "nope", "-o", str(tmp_path / "x.html")], "E081"),
        (["viz", "-r", "boycot"], "E080"),
        (["path", "United", "China"], "E084"),
    ):
        run = subprocess.run(kg + args, capture_output=True, text=True, env=env, timeout=60)
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith(f"error {code}: ") and len(run.stderr.splitlines()) == 1
    assert not (tmp_path / "x.html").exists()
