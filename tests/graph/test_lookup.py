"""kg.graph.lookup on the hand-written dataset of rdf_fixture: an exact preferred name or alias
wins, candidates come ranked, names compare folded, and text that looks like an IRI but is
none matches nothing instead of raising (issue 15, item 15)."""

import pytest
from rdf_fixture import BACHELET, BEIJING, CHN, GBR, OLYMPICS, USA
from viz_fixture import WARNINGS, memory_store

from kg.graph.lookup import EntityHit, find_entities, fold

pytestmark = pytest.mark.filterwarnings(*WARNINGS)


@pytest.fixture(scope="module")
def store():
    return memory_store()


@pytest.mark.parametrize(
    "text,folded",
    [
        ("U.S.", "us"),
        ("U.S", "us"),
        ("the  U.S.", "the us"),
        ("Fernández", "fernandez"),
        ("O'Brien", "obrien"),
        ("Washington, D.C.", "washington dc"),
        ("St. Petersburg", "st petersburg"),
        ("person:Wang_Yi", "person wang yi"),
        ("ÉTATS-UNIS", "etats unis"),
    ],
)
def test_lookup_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def _first(store, text: str) -> EntityHit:
    hits = find_entities(store, text)
    assert hits, text
    return hits[0]


def test_lookup_exact_name_wins_over_partial_matches(store) -> None:
    hit = _first(store, "china")
    assert (hit.iri, hit.rank, hit.exact) == (str(CHN), 0, True)
    # "Beijing" is a city's name and one of China's aliases: the name ranks first
    hits = find_entities(store, "Beijing")
    assert [(h.iri, h.rank) for h in hits[:2]] == [(str(BEIJING), 0), (str(CHN), 1)]
    assert hits[2].iri == str(OLYMPICS) and not hits[2].exact  # "Beijing 2022 ..." starts so


def test_lookup_exact_alias_wins_over_partial_matches(store) -> None:
    hit = _first(store, "madame high commissioner")
    assert (hit.iri, hit.rank, hit.matched) == (str(BACHELET), 1, "Madame High Commissioner")
    hit = _first(store, "The Winter Olympics")
    assert (hit.iri, hit.exact) == (str(OLYMPICS), True)
    hit = _first(store, "the U.S")  # the document said "The US"
    assert (hit.iri, hit.exact) == (str(USA), True)


@pytest.mark.parametrize("text", ["US", "U.S.", "America", "USA"])
def test_lookup_country_names_of_the_gazetteer_are_aliases(store, text: str) -> None:
    # no document of the fixture says "America" or "US": the gazetteer does
    hit = _first(store, text)
    assert (hit.iri, hit.exact, hit.label) == (str(USA), True, "United States")


def test_lookup_gazetteer_names_only_entities_in_the_store(store) -> None:
    assert find_entities(store, "Britain")[0].iri == str(GBR)
    assert find_entities(store, "France") == []  # a country, but not in this store


def test_lookup_partial_matches_are_ranked(store) -> None:
    hits = find_entities(store, "united")
    assert [h.label for h in hits] == ["United States", "United Kingdom"]  # shorter first
    assert [h.rank for h in hits] == [2, 2] and not any(h.exact for h in hits)
    # a word that starts so, then anything that contains it
    hits = find_entities(store, "high comm")
    assert [h.iri for h in hits][:1] == [str(BACHELET)]  # alias "Madame High Commissioner"
    assert all(h.rank == 4 for h in hits)


def test_lookup_accents_case_and_quotes_are_ignored(store) -> None:
    assert _first(store, "MICHÉLLE BACHELET").iri == str(BACHELET)
    assert _first(store, '"China"').iri == str(CHN)


def test_lookup_limit_never_cuts_exact_matches(store) -> None:
    hits = find_entities(store, "Beijing", limit=1)
    assert [h.iri for h in hits] == [str(BEIJING), str(CHN)]  # both exact
    assert len(find_entities(store, "united", limit=1)) == 1


def test_lookup_iris_and_prefixed_names(store) -> None:
    assert _first(store, "country:CHN") == EntityHit(str(CHN), "China", "Country")
    assert _first(store, f"<{CHN}>").iri == str(CHN)
    assert _first(store, str(CHN)).iri == str(CHN)
    assert find_entities(store, "country:XXX") == []


@pytest.mark.parametrize(
    "text",
    [
        "<>",
        "<a b>",
        "< >",
        "<http://example.org/a b>",
        "<not an iri>",
        "http://exa mple.org/",
        "https://",
        "<<>>",
        "country:a\u0000b",
        "'",
        '"',
        "O'Brien",
        '"} DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    ],
)
def test_lookup_text_that_is_no_iri_matches_nothing(store, text: str) -> None:
    assert find_entities(store, text) == []
