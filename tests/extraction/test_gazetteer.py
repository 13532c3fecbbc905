"""The gazetteer's entity ruler (kg/extraction/gazetteer.py data, kg/extraction/ruler.py
matching): the fast event matcher and ruler must find exactly what spaCy's EntityRuler
finds with the token patterns of `event_patterns`, which are the specification."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc

from kg.extraction.documents import iter_documents
from kg.extraction.gazetteer import (
    event_cities,
    event_heads,
    event_patterns,
    load_gazetteer,
    ruler_patterns,
)
from kg.extraction.nlp import load_pipeline
from kg.extraction.ruler import EventMatcher, GazetteerRuler
from kg.model import Document

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline()


def spacy_event_matches(nlp: Language, doc: Doc) -> list[tuple[int, int, int]]:
    """spaCy's token Matcher over `event_patterns`, each match once, in the Matcher's order."""
    matcher = Matcher(nlp.vocab)
    for pattern in event_patterns(load_gazetteer()):
        matcher.add("EVENT", [pattern["pattern"]])
    return list(dict.fromkeys(matcher(doc)))


def event_text(rng: random.Random) -> str:
    """Words that make and nearly make event names: cities, years, kinds in any case,
    next to each other and to filler ("2022 Beijing 2022 Winter Olympics Games")."""
    gaz = load_gazetteer()
    heads = [" ".join(h) for h in event_heads(gaz)]
    cities = event_cities(gaz)
    pieces: list[str] = []
    for _ in range(60):
        kind = rng.choice(heads)
        pieces.append(
            rng.choice(
                [
                    kind,
                    kind.title(),
                    kind.upper(),
                    rng.choice(cities),
                    str(rng.randint(1890, 2110)),
                    "the",
                    "in",
                    "summit",
                    "games",
                    "cup",
                    rng.choice(cities) + "'s",
                    "2022.",
                ]
            )
        )
    return " ".join(pieces)


def test_gazetteer_event_matcher_finds_what_the_token_patterns_find(nlp: Language) -> None:
    gaz = load_gazetteer()
    events = EventMatcher(nlp.vocab, event_heads(gaz), event_cities(gaz))
    rng = random.Random(7)
    found = 0
    for _ in range(40):
        doc = nlp.make_doc(event_text(rng))
        expected = spacy_event_matches(nlp, doc)
        assert events(doc) == expected, doc.text
        found += len(expected)
    assert found > 500  # the texts do exercise the patterns
    # a kind written with a capital in the data can never match a LOWER pattern
    odd = EventMatcher(nlp.vocab, [["Winter", "olympics"], ["summit"]], ["Paris"])
    doc = nlp.make_doc("Paris Winter Olympics and the Paris 2024 summit")
    assert {doc[s:e].text for _, s, e in odd(doc)} == {
        "Paris 2024",
        "summit",
        "2024 summit",
        "Paris 2024 summit",
    }


def test_gazetteer_ruler_matches_as_spacys_entity_ruler(nlp: Language) -> None:
    gaz = load_gazetteer()
    stock = EntityRuler(nlp, "stock", phrase_matcher_attr="ORTH", overwrite_ents=True)
    with nlp.select_pipes(enable=[]):
        stock.add_patterns(ruler_patterns(gaz) + event_patterns(gaz))  # type: ignore[arg-type]
    ours = nlp.get_pipe("kg_gazetteer")
    assert isinstance(ours, GazetteerRuler)
    texts = [
        d.text
        for d in iter_documents([DATA / "articles", DATA / "heldout"])
        if isinstance(d, Document)
    ]
    matches = 0
    for text in texts + [event_text(random.Random(3))]:
        doc = nlp.make_doc(text)
        expected = stock.match(doc)
        assert ours.match(doc) == expected
        matches += len(expected)
    assert matches > 300


def test_gazetteer_entity_spans_are_those_of_spacys_entity_ruler(nlp: Language) -> None:
    """The whole pipeline on the development articles, once with kg's ruler and once with
    spaCy's EntityRuler and the token patterns in its place: the same entities."""
    gaz = load_gazetteer()
    stock = EntityRuler(nlp, "stock", phrase_matcher_attr="ORTH", overwrite_ents=True)
    with nlp.select_pipes(enable=[]):
        stock.add_patterns(ruler_patterns(gaz) + event_patterns(gaz))  # type: ignore[arg-type]
    texts = [d.text for d in iter_documents([DATA / "articles"]) if isinstance(d, Document)]

    def entities(swap: bool) -> list[list[tuple[int, int, str, str]]]:
        out = []
        for text in texts:
            doc = nlp.make_doc(text)
            for name, component in nlp.pipeline:
                doc = (stock if swap and name == "kg_gazetteer" else component)(doc)
            out.append([(e.start, e.end, e.label_, e.ent_id_) for e in doc.ents])
        return out

    ours = entities(swap=False)
    assert sum(len(e) for e in ours) > 500
    assert ours == entities(swap=True)


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
