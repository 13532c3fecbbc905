"""The gazetteer's entity ruler (kg/extraction/gazetteer.py data, kg/extraction/ruler.py
matching): its name patterns choose as spaCy's EntityRuler chooses, and the event matcher
finds event names with their hosts and years (sentences written for these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.pipeline import EntityRuler

from kg.extraction.documents import iter_documents
from kg.extraction.gazetteer import load_gazetteer, ruler_patterns
from kg.extraction.nlp import load_pipeline
from kg.extraction.ruler import EventMatcher, GazetteerRuler
from kg.model import Document

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline()


def event_names(nlp: Language, text: str) -> set[str]:
    gaz = load_gazetteer()
    catalog = gaz.catalog
    family = [k for k in catalog.kinds() if catalog.family_only(k)]
    matcher = EventMatcher(nlp, catalog.kind_words(), [*gaz.capitals, *catalog.hosts], family)
    doc = nlp.make_doc(text)
    return {doc[s:e].text for _, s, e in matcher(doc)}


@pytest.mark.parametrize(
    "text,names",
    [
        # host and year before the kind, in either order, or a host and a year alone
        (
            "the Beijing 2022 Winter Olympic and Paralympic Games opened",
            {"Beijing 2022 Winter Olympic and Paralympic Games"},
        ),
        ("the 2028 Los Angeles Olympics", {"2028 Los Angeles Olympics"}),
        ("the Moscow Olympics and Los Angeles 1984", {"Moscow Olympics", "Los Angeles 1984"}),
        # after the kind: "in" a host, a year
        ("the Winter Olympics in Beijing were close", {"Winter Olympics in Beijing"}),
        ("the World Cup 2018 in Russia", {"World Cup 2018"}),
        # words of a family count when capitalised; a bare "Games" refers back
        ("the Olympics and the Games", {"Olympics"}),
        ("the olympics of diplomacy and video games", set()),
        ("the Beijing Games", {"Beijing Games"}),
        # names that touch are one name; other kinds keep their words
        ("the COP26 climate summit", {"COP26 climate summit"}),
        ("the Summit of the Americas in Los Angeles", {"Summit of the Americas in Los Angeles"}),
    ],
)
def test_gazetteer_event_matcher_finds_names_with_hosts_and_years(
    nlp: Language, text: str, names: set[str]
) -> None:
    assert {
        n
        for n in event_names(nlp, text)
        if not any(n in o and n != o for o in event_names(nlp, text))
    } == names


def test_gazetteer_ruler_names_match_as_spacys_entity_ruler(nlp: Language) -> None:
    """With no event names, kg's ruler chooses among the gazetteer's phrase patterns as
    spaCy's EntityRuler does (longest first, then leftmost) on the bundled articles."""
    gaz = load_gazetteer()
    stock = EntityRuler(nlp, "stock", phrase_matcher_attr="ORTH", overwrite_ents=True)
    with nlp.select_pipes(enable=[]):
        stock.add_patterns(ruler_patterns(gaz))  # type: ignore[arg-type]
    ours = GazetteerRuler(
        nlp, "ours", EventMatcher(nlp, [], []), phrase_matcher_attr="ORTH", overwrite_ents=True
    )
    with nlp.select_pipes(enable=[]):
        ours.add_patterns(ruler_patterns(gaz))  # type: ignore[arg-type]
    texts = [
        d.text
        for d in iter_documents([DATA / "articles", DATA / "heldout"])
        if isinstance(d, Document)
    ]
    matches = 0
    for text in texts:
        doc = nlp.make_doc(text)
        expected = stock.match(doc)
        assert ours.match(doc) == expected
        matches += len(expected)
    assert matches > 300


def test_gazetteer_countries_outside_iso_3166_come_from_the_data_file() -> None:
    """Kosovo is not in ISO 3166-1 (nor pycountry) but is a country in the news: the data
    file gives it the user-assigned codes XK/XKX, with its demonym and capital."""
    import pycountry

    from kg.extraction.gazetteer import load_gazetteer

    assert pycountry.countries.get(alpha_3="XKX") is None
    gaz = load_gazetteer()
    kosovo = gaz.known["country:XKX"]
    assert (kosovo.kind, kosovo.label, kosovo.alpha2) == ("Country", "Kosovo", "XK")
    assert (
        gaz.names["Kosovo"] == gaz.demonyms["Kosovar"] == gaz.capitals["Pristina"] == "country:XKX"
    )
