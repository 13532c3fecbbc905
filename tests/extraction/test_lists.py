"""kg.extraction.relations.lists: who an article lists under a heading of those attending,
on pages written for these tests in the shapes news sites give such lists."""

from __future__ import annotations

import pytest

from kg.extraction.pipeline import Extractor, relation_rows
from kg.model import Document


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def attends(extractor: Extractor, text: str) -> set[tuple[str, str]]:
    (result,) = extractor([Document("t", text)])
    return {
        (r["subject"], r["object"]) for r in relation_rows(result) if r["relation"] == "attends"
    }


def test_lists_country_entries_under_a_heading_until_those_staying_away(
    extractor: Extractor,
) -> None:
    found = attends(
        extractor,
        "The Lima Summit opens on Friday, and a boycott has thinned the guest list.\n\n"
        "Leaders attending the summit\n\n"
        "Chile: President Ana Soto is meeting her host before the opening session.\n\n"
        "Kenya and Ghana: both have grown closer to Peru in recent years.\n\n"
        "Countries staying away\n\n"
        "Norway: The government said it would send no officials.\n",
    )
    for who in ("Chile", "Ana Soto", "Kenya", "Ghana"):
        assert (who, "Lima Summit") in found, found
    assert not any(who == "Norway" for who, _ in found), found


def test_lists_a_lead_in_with_a_colon_and_sub_headings(extractor: Extractor) -> None:
    found = attends(
        extractor,
        "The Quito Summit opens on Monday with 12 leaders.\n\n"
        "The ministry said the following leaders have confirmed their attendance:\n\n"
        "Members\n\n"
        "Peru – President Luis Rojas\n\n"
        "Chile – Prime Minister Ana Soto\n\n"
        "Guests\n\n"
        "Kenya – President John Kamau\n",
    )
    for who in ("Peru", "Luis Rojas", "Chile", "Ana Soto", "Kenya", "John Kamau"):
        assert (who, "Quito Summit") in found, found


def test_lists_nothing_without_a_heading_or_an_event(extractor: Extractor) -> None:
    # entries with no heading of attendance are no list of guests
    found = attends(
        extractor,
        "The Quito Summit opens on Monday.\n\nPeru – President Luis Rojas\n\n"
        "Chile – Prime Minister Ana Soto\n",
    )
    assert not found, found
    # a heading of attendance with no event in the article gives nothing
    found = attends(
        extractor,
        "Leaders attending\n\nPeru – President Luis Rojas\n\nChile – Prime Minister Ana Soto\n",
    )
    assert not found, found
