"""Who serves whom when the title names no country or body: office titles that are bodies
("UN High Commissioner for Human Rights X") and office holders kg knows (kg/resources/
people.json). Sentences written for these tests."""

from __future__ import annotations

import pytest

from kg.extraction.gazetteer import load_gazetteer
from kg.extraction.pipeline import Extractor, relation_rows
from kg.model import Document, Kind
from kg.resources import read_json


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def rows(extractor: Extractor, text: str) -> set[tuple[str, str, str]]:
    (result,) = extractor([Document(id="t", text=text)])
    return {(r["subject"], r["relation"], r["object"]) for r in relation_rows(result)}


OHCHR = "Office of the United Nations High Commissioner for Human Rights"


@pytest.mark.parametrize(
    "text,expected",
    [
        # a long office title before an unknown name: the name is a person serving the office
        (
            "UN High Commissioner for Human Rights Ana Ruiz visited Lima on Monday.",
            {("Ana Ruiz", "represents", OHCHR)},
        ),
        ("UN rights chief Ana Ruiz arrived in Lima.", {("Ana Ruiz", "represents", OHCHR)}),
        # a known office holder with a title and no country in the text
        (
            "President Joe Biden arrived in Lima on Monday.",
            {("Joe Biden", "represents", "United States")},
        ),
        (
            "Secretary-General Antonio Guterres arrived in Lima.",
            {("Antonio Guterres", "represents", "United Nations")},
        ),
        # without a title the text says nothing of an office
        ("Joe Biden arrived in Lima on Monday.", set()),
    ],
)
def test_people_offices_give_represents(
    extractor: Extractor, text: str, expected: set[tuple[str, str, str]]
) -> None:
    got = {r for r in rows(extractor, text) if r[1] == "represents"}
    assert expected <= got
    if not expected:
        assert got == set()


def test_people_table_names_real_bodies_and_drops_people_listed_twice() -> None:
    gaz = load_gazetteer()
    people = read_json("people.json")["people"]
    for person in people:
        key = gaz.names.get(person.get("organisation", "")) or f"country:{person.get('country')}"
        assert key in gaz.known, person
    # a prime minister who became head of an international body is left to the text
    assert "Mark Rutte" not in gaz.people
    assert gaz.known[gaz.people["Joe Biden"]].kind == Kind.COUNTRY


def test_people_office_titles_name_bodies() -> None:
    gaz = load_gazetteer()
    assert gaz.office_titles["un high commissioner for human rights"] == gaz.names[OHCHR]
    assert gaz.office_titles["un secretary-general"] == gaz.names["United Nations"]
