"""Events and their editions (kg/extraction/events.py), on mention texts written for these
tests, with the catalogue of kg/resources/events.json and, end to end, in articles."""

from __future__ import annotations

import pytest

from kg.extraction.events import Catalog, editions, read_name
from kg.extraction.gazetteer import load_gazetteer
from kg.extraction.lexicon import load_lexicon
from kg.extraction.pipeline import Extractor, relation_rows
from kg.model import Document, Kind


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_gazetteer().catalog


def labels(texts: list[str], catalog: Catalog, date: str | None = None) -> list[str | None]:
    minor = load_lexicon().words("minor_words")
    return [e.label if e else None for e in editions(texts, catalog, date, minor)]


def test_events_an_edition_is_labelled_year_and_series(catalog: Catalog) -> None:
    assert (
        labels(
            [
                "Beijing 2022 Winter Olympic and Paralympic Games",
                "2022 Beijing Winter Olympics",
                "Winter Olympics in Beijing",
                "Beijing Winter Games",
            ],
            catalog,
        )
        == ["2022 Winter Olympics"] * 4
    )


def test_events_host_and_year_complete_each_other(catalog: Catalog) -> None:
    # Moscow hosted one Olympics (the 1980 Summer Games); 1984 had Summer Games in Los Angeles
    assert labels(["Moscow Olympics", "Los Angeles 1984", "1984 Los Angeles Games"], catalog) == [
        "1980 Summer Olympics",
        "1984 Summer Olympics",
        "1984 Summer Olympics",
    ]
    name = read_name("the 1980 Moscow Olympics", catalog)
    assert name is not None and (name.year, name.host, name.family) == (1980, "Moscow", "olympics")


def test_events_two_editions_in_one_article_stay_two(catalog: Catalog) -> None:
    found = editions(["Moscow 1980", "Los Angeles 1984", "2028 Summer Olympics"], catalog)
    assert [e.label for e in found if e] == [
        "1980 Summer Olympics",
        "1984 Summer Olympics",
        "2028 Summer Olympics",
    ]
    assert len({id(e) for e in found}) == 3


def test_events_an_undated_mention_is_the_edition_named_last(catalog: Catalog) -> None:
    assert labels(["2018 FIFA World Cup", "World Cup", "2030 World Cup", "World Cup"], catalog) == [
        "2018 FIFA World Cup",
        "2018 FIFA World Cup",
        "2030 FIFA World Cup",
        "2030 FIFA World Cup",
    ]
    # a family word names the edition of its family, whichever season it was
    assert (
        labels(["Olympics", "Winter Olympics in Beijing"], catalog) == ["2022 Winter Olympics"] * 2
    )


def test_events_an_article_date_dates_an_undated_edition(catalog: Catalog) -> None:
    assert labels(["Winter Olympics"], catalog, "2025-11-30") == ["2026 Winter Olympics"]
    assert labels(["Winter Olympics"], catalog) == ["Winter Olympics"]
    # Beijing hosted Summer (2008) and Winter (2022) Games: the date tells which
    assert labels(["Beijing Olympics"], catalog, "2021-12-06") == ["2022 Winter Olympics"]
    assert labels(["Beijing Olympics"], catalog, "2007-05-01") == ["2008 Summer Olympics"]
    # with no date, a host of both seasons names neither edition
    assert labels(["Beijing Olympics"], catalog) == ["Olympics"]
    assert labels(["the 1980 Olympics"], catalog) == ["1980 Summer Olympics"]


def test_events_other_kinds_keep_their_name_without_the_host(catalog: Catalog) -> None:
    assert (
        labels(["Summit of the Americas in Los Angeles", "summit of the Americas"], catalog)
        == ["Summit of the Americas"] * 2
    )
    assert labels(["2031 BRICS summit", "BRICS summit"], catalog) == ["2031 BRICS Summit"] * 2
    assert labels(["the annual report"], catalog) == [None]


def test_events_a_numbered_name_beats_a_longer_generic_one(catalog: Catalog) -> None:
    # "the COP29 climate summit" is COP29, not a climate summit of no number
    assert labels(["COP29 climate summit"], catalog) == ["COP29"]
    assert labels(["climate summit"], catalog) == ["Climate Summit"]


def test_events_boycotts_of_two_games_go_to_each_edition() -> None:
    text = (
        "Peru boycotted the Moscow 1980 Games. Four years later Cuba stayed away from the "
        "Los Angeles 1984 Olympics in protest."
    )
    (result,) = Extractor()([Document(id="t", text=text)])
    rows = {(r["subject"], r["relation"], r["object"]) for r in relation_rows(result)}
    assert ("Peru", "boycotts", "1980 Summer Olympics") in rows
    assert ("Cuba", "boycotts", "1984 Summer Olympics") in rows
    assert ("Peru", "boycotts", "1984 Summer Olympics") not in rows
    events = {e.label for e in result.entities.values() if e.kind == Kind.EVENT}
    assert events == {"1980 Summer Olympics", "1984 Summer Olympics"}


def test_events_a_former_state_is_a_country_and_its_capital_acts_for_it() -> None:
    gaz = load_gazetteer()
    soviet = gaz.known[gaz.names["Soviet Union"]]
    assert (soviet.kind, soviet.alpha3, gaz.names["USSR"]) == (Kind.COUNTRY, "SUN", soviet.key)
    text = (
        "The Soviet Union had invaded its neighbour. Moscow boycotted the Los Angeles 1984 Games."
    )
    (result,) = Extractor()([Document(id="t", text=text)])
    rows = {(r["subject"], r["relation"], r["object"]) for r in relation_rows(result)}
    assert ("Soviet Union", "boycotts", "1984 Summer Olympics") in rows
    # without the former state in the article, Moscow is today's Russia
    (result,) = Extractor()([Document(id="u", text="Moscow boycotted the 2031 summit in Lima.")])
    boycotters = {r["subject"] for r in relation_rows(result) if r["relation"] == "boycotts"}
    assert boycotters == {"Russia"}


def test_events_labels_keep_minor_words_in_lower_case() -> None:
    from kg.extraction.events import capitalised
    from kg.extraction.lexicon import load_lexicon

    minor = load_lexicon().words("minor_words")
    assert capitalised("summit of the Americas", minor) == "Summit of the Americas"
    assert capitalised("EU summit", minor) == "EU Summit"
    assert capitalised("the summit", minor) == "The Summit"
