"""Network exports (GraphML, GEXF, node-link JSON) and the analysis part of `kg stats`, on
the hand-written dataset of rdf_fixture (values worked out from that file)."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdf_fixture import CHN, EV_US_BOYCOTTS, OLYMPICS, OLYMPICS_DOC, USA
from viz_fixture import HOSTILE_IRI, HOSTILE_NAME, WARNINGS, disk_store

from kg.analysis import summary
from kg.cli import cli
from kg.errors import KgError
from kg.export import export_file, export_network, gexf_date
from kg.formats import EXPORT
from kg.viz import class_colour, colour_rgb, kind_colour

pytestmark = pytest.mark.filterwarnings(*WARNINGS)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return disk_store(tmp_path_factory.mktemp("export") / "store")


def _check_network(graph: nx.Graph) -> None:
    assert graph.number_of_nodes() == 12 and graph.number_of_edges() == 10
    china = graph.nodes[str(CHN)]
    assert china["label"] == "China" and china["kind"] == "Country"
    (edge,) = [d for u, v, d in graph.edges(data=True) if u == str(USA) and v == str(OLYMPICS)]
    assert edge["relation"] == "boycotts" and edge["kind"] == "material conflict"
    assert edge["document"] == OLYMPICS_DOC
    assert float(edge["confidence"]) == pytest.approx(0.9)
    assert edge["evidence"] == str(EV_US_BOYCOTTS)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_network_round_trips(store_path: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"net.{fmt}"
    assert export_network(store_path, fmt, out) == (12, 10)
    if fmt == "graphml":
        graph = nx.read_graphml(out)
        assert graph.nodes[str(CHN)]["aliases"] == "Beijing; Chinese"  # lists joined
    elif fmt == "gexf":
        graph = nx.read_gexf(out)
    else:
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["directed"] and data["multigraph"] and len(data["links"]) == 10
        graph = nx.node_link_graph(data, edges="links")
        assert graph.nodes[str(CHN)]["aliases"] == ["Beijing", "Chinese"]
    assert graph.is_directed()
    _check_network(graph)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_network_keeps_parallel_edges_and_hostile_text(tmp_path: Path, fmt: str) -> None:
    store = disk_store(tmp_path / "store", hostile=True)
    out = tmp_path / f"net.{fmt}"
    assert export_network(store, fmt, out) == (13, 12)
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert graph.is_multigraph() and graph.number_of_edges(HOSTILE_IRI, str(CHN)) == 2
    assert graph.nodes[HOSTILE_IRI]["label"] == HOSTILE_NAME  # XML-escaped, read back as is


def test_export_file_dispatches_network_formats(store_path: Path, tmp_path: Path) -> None:
    written = export_file(store_path, "gexf", tmp_path / "a.gexf")
    assert (written.nodes, written.edges, str(written)) == (12, 10, "gexf, 12 nodes, 10 edges")
    written = export_file(store_path, "ttl", tmp_path / "a.ttl")  # an alias
    assert str(written) == f"turtle, {written.statements} statements" and written.statements
    with pytest.raises(KgError) as err:
        export_file(store_path, "dot", tmp_path / "a.dot")
    assert (err.value.code, err.value.fields) == (
        "E041",
        {"kind": "export", "name": "dot", "known": ", ".join(EXPORT.names)},
    )
    assert not (tmp_path / "a.dot").exists()


def test_export_cli_network_format(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    result = CliRunner().invoke(
        cli, ["export", "--store", str(store_path), "-f", "graphml", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out} (graphml, 12 nodes, 10 edges)"


def test_export_summary_lists_central_actors_and_groups(store_path: Path) -> None:
    text = summary(store_path, top=2)
    assert "most central actors" in text
    central = text[text.index("most central actors") : text.index("connected groups")]
    rows = [line.split(" | ") for line in central.splitlines()[3:5]]
    assert [r[0].strip() for r in rows] == ["Beijing 2022 Winter Olympics", "China"]
    assert [r[2].strip() for r in rows] == ["3", "3"]
    assert "connected groups of actors: 3" in text
    groups = text[text.index("connected groups") :].splitlines()
    assert groups[1].startswith("1. 4 actors: Beijing 2022 Winter Olympics, ")  # uncut names


def test_export_stats_cli_restricted_to_a_relation(store_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--store", str(store_path), "-r", "boycotts"])
    assert result.exit_code == 0, result.output
    assert "connected groups of actors (boycotts): 1" in result.output
    assert (
        "United States, United Kingdom" in result.output
        or "United Kingdom, United States" in result.output
    )


@pytest.mark.parametrize(
    "value,date",
    [("2022-02-03", "2022-02-03"), ("2022-06", "2022-06-01"), ("", ""), ("June 2022", "")],
)
def test_export_gexf_date(value: str, date: str) -> None:
    assert gexf_date(value) == date


def test_export_gexf_opens_coloured_laid_out_and_dated(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "net.gexf"
    export_network(store_path, "gexf", out)
    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    root = ET.parse(out).getroot()
    graph = root.find("g:graph", ns)
    assert graph is not None
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")  # a timeline
    nodes = {n.get("id"): n for n in graph.iter("{http://www.gexf.net/1.2draft}node")}
    china = nodes[str(CHN)]
    colour = china.find("viz:color", ns)
    assert colour is not None and {k: int(colour.get(k)) for k in "rgb"} == colour_rgb(
        class_colour("Country")
    )
    assert china.find("viz:position", ns) is not None and china.find("viz:size", ns) is not None
    assert china.get("start") == "2022-07-20"  # its first edge's document (the letter)
    assert nodes[str(USA)].get("start") == "2022-02-03"
    edges = list(graph.iter("{http://www.gexf.net/1.2draft}edge"))
    assert len(edges) == 10 and all(e.get("start") in ("2022-02-03", "2022-07-20") for e in edges)
    (boycott,) = [
        e for e in edges if e.get("source") == str(USA) and e.get("target") == str(OLYMPICS)
    ]
    colour = boycott.find("viz:color", ns)
    assert colour is not None
    assert {k: int(colour.get(k)) for k in "rgb"} == colour_rgb(kind_colour("material conflict"))
    back = nx.read_gexf(out)  # and networkx reads it back
    assert back.nodes[str(CHN)]["viz"]["color"]["r"] == colour_rgb(class_colour("Country"))["r"]


def test_export_stats_names_classes_as_the_legend(store_path: Path) -> None:
    text = summary(store_path)
    table = text[text.index("class ") : text.index("relation ")]
    rows = {
        cells[0]: cells[1:]
        for cells in ([c.strip() for c in r.split(" | ")] for r in table.splitlines()[2:] if r)
    }
    assert rows["UN office"] == ["1", "1"]  # the ontology's label, as the page's legend
    assert rows["Country"] == ["3", "3"]
    assert "kind (CAMEO)" in text and "denial" in text
