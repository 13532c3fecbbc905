"""One result shape, one formatter: tables (prefixed names or labels), Turtle, and the W3C
SPARQL 1.1 result formats, each parsed back with rdflib's own parsers."""

import io

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.query import Result as RdflibResult

from kg.graph.results import Result, format_result, render

KG = "https://w3id.org/kg-news/ontology#"
USA = ox.NamedNode("https://w3id.org/kg-news/id/country/USA")
GAMES = ox.NamedNode("https://w3id.org/kg-news/id/event/Beijing_2022_Winter_Olympics")
ODD = ox.NamedNode("http://example.org/a(b)")


def _solutions() -> Result:
    store = ox.Store()
    store.add(ox.Quad(USA, ox.NamedNode(KG + "boycotts"), GAMES))
    store.add(ox.Quad(USA, ox.NamedNode(KG + "note"), ox.Literal("d'accord", language="fr")))
    return Result.of(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p"))


def test_results_table_uses_prefixed_names_or_labels() -> None:
    text = render(_solutions())
    assert text.splitlines()[2].split(" | ") == [
        "country:USA",
        "kg:boycotts",
        "event:Beijing_2022_Winter_Olympics",
    ]
    assert text.endswith("(2 rows)")
    labelled = render(_solutions(), labels={USA.value: "United States"})
    assert labelled.splitlines()[2].startswith("United States | kg:boycotts")
    odd = render(Result.table_of(["x", "n", "missing"], [[ODD, 3, None]]))
    cells = [c.strip() for c in odd.splitlines()[2].split("|")]
    assert cells == ["<http://example.org/a(b)>", "3", "∅"]  # no prefixed name for a(b)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_results_w3c_formats_parse_back(fmt: str) -> None:
    text = format_result(_solutions(), fmt)
    parsed = RdflibResult.parse(
        io.StringIO(text) if fmt != "xml" else io.BytesIO(text.encode()), format=fmt
    )
    rows = [tuple(row) for row in parsed]
    assert [str(v) for v in parsed.vars] == ["s", "p", "o"]
    assert rows[0] == (URIRef(USA.value), URIRef(KG + "boycotts"), URIRef(GAMES.value))
    if fmt in ("json", "xml", "tsv"):  # csv keeps only lexical forms (W3C csv)
        assert rows[1][2] == Literal("d'accord", lang="fr")


def test_results_built_rows_and_ask_serialise() -> None:
    built = Result.table_of(["name", "n"], [["a,b", 2], ["c", None]])
    parsed = RdflibResult.parse(io.StringIO(format_result(built, "json")), format="json")
    assert [tuple(r) for r in parsed] == [(Literal("a,b"), Literal(2)), (Literal("c"), None)]
    assert format_result(Result(boolean=False), "table") == "no"
    ask = RdflibResult.parse(
        io.StringIO(format_result(Result(boolean=True), "json")), format="json"
    )
    assert ask.askAnswer is True


def test_results_triples_as_turtle_with_used_prefixes_only() -> None:
    triples = Result(triples=[ox.Triple(USA, ox.NamedNode(KG + "boycotts"), GAMES)])
    text = format_result(triples, "turtle")
    assert text.splitlines() == [
        "@prefix country: <https://w3id.org/kg-news/id/country/> .",
        "@prefix event: <https://w3id.org/kg-news/id/event/> .",
        "@prefix kg: <https://w3id.org/kg-news/ontology#> .",
        "country:USA kg:boycotts event:Beijing_2022_Winter_Olympics .",
    ]
    assert triples.size() == 1
    rows = RdflibResult.parse(io.StringIO(format_result(triples, "csv")), format="csv")
    assert [str(v) for v in rows.vars] == ["subject", "predicate", "object"]
