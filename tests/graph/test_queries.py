"""The example SPARQL queries of data/queries/ parse, and answer the hand-built dataset as checked.

They run on Oxigraph with the union default graph, as the product does, and on rdflib; the two
must agree row for row, so a query that forgets DISTINCT (Oxigraph repeats a triple once per
named graph that holds it) fails here.
"""

from pathlib import Path

import pyoxigraph
import pytest
from rdf_fixture import (
    LETTER_DOC,
    OLYMPICS_DOC,
    OLYMPICS_TITLE,
    QUERIES,
    build_dataset,
    oxigraph_store,
)
from rdflib import Dataset
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import ResultRow

# rdflib's own SPARQL engine and N-Quads serialiser still call its deprecated Dataset API
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.(contexts|default_context) is deprecated:DeprecationWarning"
)

Row = tuple[str | None, ...]

QUERY_FILES = sorted(QUERIES.glob("*.rq"))
OLYMPICS = "Beijing 2022 Winter Olympics"
OHCHR = "Office of the High Commissioner for Human Rights"
BOYCOTT_SENTENCE = (
    "The US has led the diplomatic boycott of the Winter Olympics, with Governments in "
    "Australia, Belgium, Canada and the UK following suit."
)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset()


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> pyoxigraph.Store:
    return oxigraph_store(dataset)


def _oxigraph_rows(store: pyoxigraph.Store, query: str) -> tuple[list[str], list[Row]]:
    results = store.query(query, use_default_graph_as_union=True)
    assert isinstance(results, pyoxigraph.QuerySolutions)
    names = [v.value for v in results.variables]
    rows = [
        tuple(None if solution[name] is None else solution[name].value for name in names)
        for solution in results
    ]
    return names, rows


def _rdflib_rows(dataset: Dataset, query: str) -> list[Row]:
    union = Dataset(store=dataset.store, default_union=True)
    rows: list[Row] = []
    for row in union.query(query):
        assert isinstance(row, ResultRow)
        rows.append(tuple(None if term is None else str(term) for term in row))
    return rows


def _run(store: pyoxigraph.Store, name: str) -> list[dict[str, str | None]]:
    names, rows = _oxigraph_rows(store, (QUERIES / name).read_text(encoding="utf-8"))
    return [dict(zip(names, row, strict=True)) for row in rows]


def test_queries_there_are_six_to_eight() -> None:
    assert 6 <= len(QUERY_FILES) <= 8


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_queries_start_with_title_and_description(path: Path) -> None:
    first, second = path.read_text(encoding="utf-8").splitlines()[:2]
    assert first.startswith("# title: ") and len(first) > len("# title: ")
    assert second.startswith("# description: ") and len(second) > len("# description: ")


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_queries_parse_with_their_own_prefixes(path: Path) -> None:
    # no initNs: every prefix a query uses must be declared in the file
    prepareQuery(path.read_text(encoding="utf-8"), initNs={})


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_queries_oxigraph_and_rdflib_agree(
    path: Path, dataset: Dataset, store: pyoxigraph.Store
) -> None:
    query = path.read_text(encoding="utf-8")
    _, oxigraph_rows = _oxigraph_rows(store, query)
    assert oxigraph_rows, f"{path.name} answers nothing on the fixture"
    assert sorted(oxigraph_rows, key=repr) == sorted(_rdflib_rows(dataset, query), key=repr)


def test_queries_every_file_is_hand_checked() -> None:
    for path in QUERY_FILES:
        assert f"test_queries_{path.stem}" in globals(), f"no hand-checked test for {path.name}"


def test_queries_boycotts(store: pyoxigraph.Store) -> None:
    assert _run(store, "boycotts.rq") == [
        {
            "actor": "United Kingdom",
            "event": OLYMPICS,
            "document": OLYMPICS_DOC,
            "title": OLYMPICS_TITLE,
            "date": "2022-02-03",
        },
        {
            "actor": "United States",
            "event": OLYMPICS,
            "document": OLYMPICS_DOC,
            "title": OLYMPICS_TITLE,
            "date": "2022-02-03",
        },
    ]


def test_queries_represents(store: pyoxigraph.Store) -> None:
    assert _run(store, "represents.rq") == [
        {
            "person": "Brian Leung",
            "represents": "Hong Kong Democracy Council",
            "role": "executive director",
            "document": OLYMPICS_DOC,
        },
        {
            "person": "Michelle Bachelet",
            "represents": OHCHR,
            "role": "UN High Commissioner for Human Rights",
            "document": LETTER_DOC,
        },
    ]


def test_queries_evidence(store: pyoxigraph.Store) -> None:
    rows = _run(store, "evidence.rq")
    assert [(r["subject"], r["relation"], r["object"]) for r in rows] == [
        ("United Kingdom", "boycotts", OLYMPICS),
        ("United States", "boycotts", OLYMPICS),
        ("Beijing", "hosts", OLYMPICS),
        ("Brian Leung", "represents", "Hong Kong Democracy Council"),
        ("Brian Leung", "said", "Athletes should not be used as props"),
        ("China", "sent letter to", OHCHR),
        ("China", "urges", "Michelle Bachelet"),
        ("Michelle Bachelet", "represents", OHCHR),
        ("World Uyghur Congress", "accuses", "China"),
        ("China", "denies", "the charges laid against it"),
    ]
    us = rows[1]
    assert us["sentence"] == BOYCOTT_SENTENCE
    assert us["pattern"] == "boycotts.lead-boycott"
    assert us["confidence"] == "0.9"
    assert us["document"] == OLYMPICS_DOC
    assert us["start"] == str(len(OLYMPICS_TITLE) + 2)
    assert us["evidence"] == f"https://w3id.org/kg-news/evidence/{OLYMPICS_DOC}/0a1b2c3d4e5f"


def test_queries_letters_to_un_offices(store: pyoxigraph.Store) -> None:
    rows = _run(store, "letters_to_un_offices.rq")
    assert [(r["sender"], r["office"], r["document"], r["date"]) for r in rows] == [
        ("China", OHCHR, LETTER_DOC, "2022-07-20"),
    ]
    assert str(rows[0]["sentence"]).startswith("Beijing has circulated a letter")


def test_queries_statements_by_person(store: pyoxigraph.Store) -> None:
    assert _run(store, "statements_by_person.rq") == [
        {
            "person": "Brian Leung",
            "text": "Athletes should not be used as props",
            "direct": "true",
            "document": OLYMPICS_DOC,
        },
    ]


def test_queries_cameo_rollup(store: pyoxigraph.Store) -> None:
    rows = _run(store, "cameo_rollup.rq")
    assert [tuple(r.values()) for r in rows] == [
        ("01", "verbal cooperation", "3", "2"),  # sentLetterTo, denies (letter); said (olympics)
        ("02", "verbal cooperation", "1", "1"),  # urges
        ("04", "verbal cooperation", "1", "1"),  # hosts
        ("11", "verbal conflict", "1", "1"),  # accuses
        ("16", "material conflict", "2", "1"),  # two boycotts
    ]


def test_queries_most_mentioned(store: pyoxigraph.Store) -> None:
    rows = _run(store, "most_mentioned.rq")
    assert rows[0] == {"entity": "China", "type": "Country", "documents": "2"}
    assert len(rows) == 10
    assert all(r["documents"] == "1" for r in rows[1:])
    assert {"entity": OHCHR, "type": "UNOffice", "documents": "1"} in rows


def test_queries_aliases(store: pyoxigraph.Store) -> None:
    assert _run(store, "aliases.rq") == [
        {"entity": OLYMPICS, "alias": "the Winter Olympics", "documents": "1"},
        {"entity": "China", "alias": "Beijing", "documents": "1"},
        {"entity": "China", "alias": "Chinese", "documents": "1"},
        {"entity": "Michelle Bachelet", "alias": "Madame High Commissioner", "documents": "1"},
        {"entity": "United Kingdom", "alias": "the UK", "documents": "1"},
        {"entity": "United States", "alias": "The US", "documents": "1"},
    ]


def test_queries_union_default_graph_repeats_triples(store: pyoxigraph.Store) -> None:
    # Why the queries say DISTINCT: China's label sits in both document graphs.
    query = (
        "SELECT ?label WHERE { <https://w3id.org/kg-news/id/country/CHN> "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
    )
    _, rows = _oxigraph_rows(store, query)
    assert rows == [("China",), ("China",)]
