"""Entity recognition and within-document resolution: the span repairs of kg/extraction/nlp.py, the
mentions and the resolution of surnames, capitals and events. Sentences are written for
these tests (not copied from the sample articles)."""

from __future__ import annotations

import pytest

from kg.extraction.entities import Resolution, resolve
from kg.extraction.gazetteer import load_gazetteer
from kg.extraction.mentions import find_mentions
from kg.extraction.nlp import load_pipeline


def resolved(text: str) -> tuple[list[tuple[str, str]], Resolution]:
    doc = load_pipeline()(text)
    gaz = load_gazetteer()
    res = resolve(doc, find_mentions(doc, gaz), gaz)
    by_token = [(doc[i].text, res.entities[k].label) for i, k in sorted(res.token_key.items())]
    return by_token, res


def labels(text: str, kind: str) -> set[str]:
    _, res = resolved(text)
    return {e.label for e in res.entities.values() if e.kind == kind}


@pytest.mark.parametrize(
    "text,name",
    [
        # a name right after a title
        (
            "Foreign Minister Hossein Amir-Abdollahian arrived on Monday.",
            "Hossein Amir-Abdollahian",
        ),
        # in apposition after a title phrase
        ("Peru's deputy commissioner for trade, Rüdiger Bohn, spoke.", "Rüdiger Bohn"),
        # in apposition before a title phrase
        ("Rüdiger Bohn, Germany's deputy commissioner for disarmament, spoke.", "Rüdiger Bohn"),
    ],
)
def test_entities_name_next_to_a_title_is_a_person(text: str, name: str) -> None:
    assert name in labels(text, "Person")


def test_entities_organisation_before_whose_title_stays_an_organisation() -> None:
    assert "Hong Kong Democracy Council" in labels(
        "The Hong Kong Democracy Council, whose executive director spoke, was founded in 2019.",
        "Organisation",
    )


def test_entities_repeated_surname_is_the_person() -> None:
    tokens, _ = resolved("Ruediger Bohn met Ann Linde in Berlin. Bohn said the talks were useful.")
    assert ("Bohn", "Ruediger Bohn") in tokens[2:]


@pytest.mark.parametrize(
    ("first", "second"), [("Pak Jin Ho", "Pak Ho Jin"), ("Pak Ho Jin", "Pak Jin Ho")]
)
def test_entities_shared_surname_is_the_person_named_last(first: str, second: str) -> None:
    # two names of one length: which one "Pak" is must not follow the hash seed's set order
    tokens, _ = resolved(
        f"Foreign Minister {first} met Vice Chairman {second} in Pyongyang. Minister Pak "
        "said the talks went well."
    )
    assert [label for word, label in tokens if word == "Pak"][-1] == second


def test_entities_institutional_name_goes_on_past_and() -> None:
    assert "Supreme Committee for Delivery and Legacy" in labels(
        "Ana Soto, a spokesman for the Supreme Committee for Delivery and Legacy, spoke.",
        "Organisation",
    )


def test_entities_acronym_in_parentheses_is_not_part_of_the_name() -> None:
    orgs = labels(
        "Beatrice Fihn, executive director of the International Campaign to Abolish "
        "Nuclear Weapons (ICAN), said the ICAN campaign would go on.",
        "Organisation",
    )
    assert "International Campaign to Abolish Nuclear Weapons" in orgs
    assert not any("(" in o for o in orgs)


def test_entities_convention_named_as_event_is_an_agreement() -> None:
    assert "Chicago Convention" in labels(
        "Belarus had violated the Chicago Convention.", "Agreement"
    )


def test_entities_opening_match_stands_for_the_salient_event() -> None:
    tokens, res = resolved(
        "Qatar will host the 2022 FIFA World Cup. The President will attend the opening match."
    )
    assert res.salient_event is not None
    label = res.entities[res.salient_event].label
    assert ("match", label) in tokens


def test_entities_capital_acts_for_its_country_but_not_as_a_place() -> None:
    tokens, _ = resolved("Moscow denied the report.")
    assert ("Moscow", "Russia") in tokens
    tokens, _ = resolved("The talks were held in Moscow.")
    assert ("Moscow", "Russia") not in tokens


def test_entities_acronym_defined_in_the_text_beats_the_gazetteer() -> None:
    # the gazetteer reads ICC as the International Criminal Court
    tokens, _ = resolved(
        "The International Cricket Council (ICC) met in Dubai. The ICC said the "
        "tournament would go ahead."
    )
    assert ("ICC", "International Cricket Council") in tokens
    assert all(label != "International Criminal Court" for _, label in tokens)


def test_entities_person_named_like_a_country_is_not_the_country() -> None:
    tokens, res = resolved(
        "Former basketball star Michael Jordan visited Chicago. Jordan said the city had changed."
    )
    assert ("Jordan", "Michael Jordan") in tokens[3:]
    assert "country:JOR" not in res.entities
    assert "country:JOR" in resolved("Jordan condemned the attack.")[1].entities


def test_entities_event_aliases_are_one_event() -> None:
    _, res = resolved(
        "Paris will host the 2030 Winter Olympics. Critics of Paris 2030 say the "
        "Games will cost too much."
    )
    events = [e for e in res.entities.values() if e.kind == "Event"]
    assert len(events) == 1
    assert events[0].label == "2030 Winter Olympics"
    assert "Paris 2030" in events[0].aliases


def test_entities_the_west_is_one_actor_but_not_in_other_names() -> None:
    by_token, res = resolved(
        "Brazil accused the West of hypocrisy. Western governments "
        "rejected the claim. Troops entered the West Bank. The West Africa "
        "summit opened."
    )
    west = [(text, label) for text, label in by_token if label == "West"]
    assert west == [("West", "West"), ("governments", "West")]
    assert "Western governments" in res.entities["org:West"].aliases


def test_entities_the_council_refers_to_the_council_named_last() -> None:
    by_token, res = resolved(
        "The Human Rights Council met in Geneva. Later the UN Security "
        "Council met in New York. Peru asked the council to act. The "
        "regional council did not meet."
    )
    council = [label for text, label in by_token if text == "council"]
    # the bare "the council" is the last one named; "the regional council" is another thing
    assert council == ["United Nations Security Council"]
    assert (
        "council"
        in res.entities[
            next(k for k, e in res.entities.items() if e.label == "United Nations Security Council")
        ].aliases
    )


def test_entities_a_bare_ministry_is_no_country_of_its_own() -> None:
    # every government has a "Foreign Office": the name alone is not the British one (the
    # relation stage reads whose it is: kg.extraction.relations.arguments.ministry_country)
    for text in (
        "The Irish Foreign Office said it regretted the decision.",
        "The Foreign Office said it regretted the decision.",
    ):
        by_token, _ = resolved(text)
        assert all(label != "United Kingdom" for _, label in by_token), by_token
    by_token, _ = resolved("The UK Foreign Office said it regretted the decision.")
    assert any(label == "United Kingdom" for _, label in by_token), by_token


def test_entities_places_honorifics_and_laws_are_no_people() -> None:
    # forms seen in real reporting, in our own sentences: a place's name before a place
    # noun, a region with a hyphen, an honorific alone, a word of a law's name
    found = labels(
        "Prime Minister Ana Ruiz at the Bishops Mill pub in Lima watching the final. China "
        "opposes interference on Xinjiang- and Hong Kong-related issues. Luis Rojas conveyed "
        "the best hopes for His Majesty's health. Beijing imposed the national Security Law "
        "on the city.",
        "Person",
    )
    assert {"Ana Ruiz", "Luis Rojas"} <= found
    assert not found & {"Bishops Mill", "Xinjiang", "Xinjiang-", "Majesty", "Law"}, found


def test_entities_a_countrys_own_security_council_is_not_the_uns() -> None:
    orgs = labels("Members of Russia's Security Council met on Friday.", "Organisation")
    offices = labels("Members of Russia's Security Council met on Friday.", "UNOffice")
    assert "Security Council of Russia" in orgs and not offices
    assert "United Nations Security Council" in labels(
        "The Security Council met on Friday.", "UNOffice"
    )


def test_entities_war_regions_and_arms_makers_are_no_people() -> None:
    text = (
        "Russia annexed Kherson, Luhansk and Zaporizhzhia after the votes. China imposed "
        "countermeasures on Lockheed Martin and Raytheon over arms sales, Ana Ruiz said."
    )
    assert not labels(text, "Person") & {"Kherson", "Luhansk", "Zaporizhzhia", "Lockheed Martin"}
    assert {"Lockheed Martin", "RTX Corporation"} <= labels(text, "Organisation")
