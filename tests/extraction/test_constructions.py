"""One test per construction class of English news that extraction must read (issue 11's
failure classes), each on sentences written for kg. A row is (subject label, relation,
object label); a label may be a glob ("*" any label, "Office of the*Human Rights")."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from kg.extraction.documents import iter_documents
from kg.extraction.pipeline import Extractor, relation_rows
from kg.model import Document, Kind

Row = tuple[str, str, str]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def rows(extractor: Extractor, text: str, title: str | None = None) -> set[Row]:
    (result,) = extractor([Document("t", text, title=title)])
    return {(r["subject"], r["relation"], r["object"]) for r in relation_rows(result)}


def has(found: set[Row], want: Row) -> bool:
    return any(all(fnmatchcase(f, w) for w, f in zip(want, row, strict=True)) for row in found)


def check(found: set[Row], present: Iterable[Row], absent: Iterable[Row] = ()) -> None:
    missing = [w for w in present if not has(found, w)]
    wrong = [w for w in absent if has(found, w)]
    assert not missing and not wrong, (missing, wrong, sorted(found))


# 1 -------------------------------------------------------------------------------------
def test_event_identity_editions_stay_apart(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Chile said it would boycott the Sochi 2014 Winter Olympic and Paralympic Games.",
    )
    check(found, [("Chile", "boycotts", "2014 Winter Olympics")], [("*", "*", "Paralympic Games")])
    found = rows(
        extractor,
        "Los Angeles will host the 2028 Summer Olympics. In the Cold War, the United States "
        "boycotted Moscow 1980 and the Soviet Union boycotted Los Angeles 1984.",
    )
    check(
        found,
        [
            ("United States", "boycotts", "1980 Summer Olympics"),
            ("Soviet Union", "boycotts", "1984 Summer Olympics"),
        ],
        [
            ("United States", "boycotts", "1984 Summer Olympics"),
            ("*", "boycotts", "2028 Summer Olympics"),
        ],
    )


def test_a_series_named_without_an_edition_stays_in_its_article(extractor: Extractor) -> None:
    one, two = extractor(
        [
            Document("a", "Peru boycotted the Summer Olympics."),
            Document("b", "Chile boycotted the Summer Olympics."),
        ]
    )
    keys = [{e.key for e in r.entities.values() if e.kind == Kind.EVENT} for r in (one, two)]
    assert keys[0] and keys[1] and not keys[0] & keys[1], keys  # which Games is unknown
    dated = extractor(
        [
            Document("c", "Peru boycotted the 2024 Summer Olympics."),
            Document("d", "Chile boycotted the Paris 2024 Summer Olympics."),
        ]
    )
    same = [{e.key for e in r.entities.values() if e.kind == Kind.EVENT} for r in dated]
    assert same[0] == same[1] == {"event:2024 Summer Olympics"}


def test_an_event_named_with_its_capital_is_hosted_there(extractor: Extractor) -> None:
    found = rows(extractor, "Peru has joined the boycott of the Winter Olympics in Beijing.")
    check(
        found,
        [("China", "hosts", "2022 Winter Olympics"), ("Peru", "boycotts", "2022 Winter Olympics")],
    )


# 2 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "boycotters"),
    [
        (
            "Washington led the boycott of the 2014 Winter Olympics, with governments in "
            "Oslo, Ottawa and Tokyo following suit.",
            ["United States", "Norway", "Canada", "Japan"],
        ),
        (
            "Sweden, Norway and Finland have joined the boycott of the 2014 Winter Olympics.",
            ["Sweden", "Norway", "Finland"],
        ),
        (
            "The boycott of the 2014 Winter Olympics is backed by Norway Finland and Iceland.",
            ["Norway", "Finland", "Iceland"],
        ),
        (
            "Estonia and Latvia followed the United States and announced diplomatic boycotts "
            "of the 2014 Winter Olympics.",
            ["Estonia", "Latvia", "United States"],
        ),
        (
            "It was no boycott of the kind already announced by Canada and Denmark over the "
            "2014 Winter Olympics.",
            ["Canada", "Denmark"],
        ),
    ],
)
def test_lists_of_boycotting_actors(extractor: Extractor, text: str, boycotters: list[str]) -> None:
    found = rows(extractor, text)
    check(found, [(c, "boycotts", "2014 Winter Olympics") for c in boycotters])


@pytest.mark.parametrize(
    ("text", "walkers", "event"),
    [
        (
            "Diplomats from France, Germany and Italy walked out of the hall when the "
            "minister began his speech.",
            ["France", "Germany", "Italy"],
            "speech",
        ),
        (
            "Envoys of the United States and Britain walked out in protest during the session "
            "of the Human Rights Council.",
            ["United States", "United Kingdom"],
            "session of the Human Rights Council",
        ),
    ],
)
def test_walking_out_is_a_boycott(
    extractor: Extractor, text: str, walkers: list[str], event: str
) -> None:
    check(rows(extractor, text), [(c, "boycotts", event) for c in walkers])


def test_pulling_out_of_an_event_is_a_boycott(extractor: Extractor) -> None:
    found = rows(extractor, "Tanzania has already pulled out of the 1986 Commonwealth Games.")
    check(found, [("Tanzania", "boycotts", "1986 Commonwealth Games")])


def test_sending_no_ministers_is_a_boycott_not_attendance(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The Japanese government decided on Friday to send no cabinet ministers to the 2014 "
        "Winter Olympics.",
    )
    check(
        found,
        [("Japan", "boycotts", "2014 Winter Olympics")],
        [("Japan", "attends", "*")],
    )


def test_title_case_headline_is_read_as_a_sentence(extractor: Extractor) -> None:
    text = (
        "Japan Joins US In Diplomatic Boycott Of 2014 Winter Olympics\n\n"
        "Tokyo announced the step on Monday."
    )
    found = rows(extractor, text)
    check(
        found,
        [("Japan", "boycotts", "2014 Winter Olympics")],
        [("Joins US", "*", "*"), ("*", "*", "Boycott")],
    )


# 3 -------------------------------------------------------------------------------------
def test_counted_groups_are_actors(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "More than 200 local and international organisations sent an open letter to the "
        "United Nations Security Council.",
    )
    check(
        found,
        [
            (
                "More than 200 local and international organisations",
                "sentLetterTo",
                "United Nations Security Council",
            )
        ],
    )


def test_members_listed_act_not_the_group(extractor: Extractor) -> None:
    found = rows(extractor, "Three countries, Ghana, Kenya and Peru, signed the accord.")
    check(
        found,
        [(c, "signatoryOf", "accord") for c in ("Ghana", "Kenya", "Peru")],
        [("Three countries", "*", "*")],
    )


def test_the_ministers_are_the_members_named_before(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The foreign ministers of Chile, Peru and Ecuador met in Lima. The ministers also "
        "urged Venezuela to free the prisoners.",
    )
    check(found, [(c, "urges", "Venezuela") for c in ("Chile", "Peru", "Ecuador")])
    found = rows(extractor, "The ministers met in Lima. The ministers urged Venezuela to act.")
    check(found, [], [("*", "urges", "Venezuela")])


# 4 -------------------------------------------------------------------------------------
def test_statement_belongs_to_its_issuer(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Peru recalled its ambassador from Quito on Monday. Ecuador's President Ana Ruiz "
        'called the move hasty. "The decision is final and was taken after careful '
        "thought,\" the Peruvian foreign ministry's statement added.",
    )
    check(found, [("Peru", "said", "The decision is final*")], [("Ana Ruiz", "said", "The*")])


# 5 -------------------------------------------------------------------------------------
def test_letter_to_a_named_holder(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Cuba wrote to the UN High Commissioner for Human Rights, Ana Ruiz, last week.",
    )
    check(found, [("Cuba", "sentLetterTo", "Ana Ruiz")])


def test_what_one_says_in_a_letter_to_someone_one_sent_them(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "In a letter to the Security Council, the Armenian ambassador Ana Berg said the "
        "blockade must end.",
    )
    check(found, [("Ana Berg", "sentLetterTo", "United Nations Security Council")])


@pytest.mark.xfail(
    strict=True,
    reason="a request quoted from a letter to an office named by "
    "its head's bare title is not yet read as urges/sentLetterTo",
)
def test_letter_quote_urging_the_office(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The Office of the UN High Commissioner for Human Rights was about to publish its "
        'assessment. Cuba circulated a letter among the missions in Geneva. "We strongly '
        'urge the High Commissioner not to release the assessment," the letter said.',
    )
    check(found, [("Cuba", "urges", "Office of the*High Commissioner for Human Rights")])


# 6 -------------------------------------------------------------------------------------
def test_signatories(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Ghana, Peru and Chile signed the joint statement on the Sahel. The signatories of "
        "the joint statement include Kenya and Fiji.",
    )
    check(
        found,
        [
            (c, "signatoryOf", "joint statement")
            for c in ("Ghana", "Peru", "Chile", "Kenya", "Fiji")
        ],
    )


@pytest.mark.parametrize(
    ("text", "signers", "document"),
    [
        (
            "Britain, the United States and France later released a joint statement on the treaty.",
            ["United Kingdom", "United States", "France"],
            "joint statement",
        ),
        (
            "More than 50 countries, with Brazil and Chile among them, signed the treaty in "
            "New York.",
            ["Brazil", "Chile"],
            "treaty",
        ),
        (
            "President Ana Ruiz and President Juan Soto signed a Memorandum of Understanding "
            "on fisheries.",
            ["Ana Ruiz", "Juan Soto"],
            "Memorandum of Understanding*",
        ),
        ("Chile and Peru inked two MoUs on Tuesday.", ["Chile", "Peru"], "*MoUs"),
    ],
)
def test_joint_documents_and_members_among_a_count(
    extractor: Extractor, text: str, signers: list[str], document: str
) -> None:
    found = rows(extractor, text)
    check(found, [(c, "signatoryOf", document) for c in signers], [("More than*", "*", "*")])


# 7 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "Beijing strongly condemns and firmly rejects the move by Vilnius.",
            ("China", "condemns", "Lithuania"),
        ),
        (
            "Chile issued a strong condemnation of the attack by Peru.",
            ("Chile", "condemns", "Peru"),
        ),
        ("Chile lodged a protest with Peru over the arrests.", ("Chile", "condemns", "Peru")),
        ("Ghana slammed Peru for the arrests.", ("Ghana", "condemns", "Peru")),
        ("Kenya hit out at Uganda over the border closure.", ("Kenya", "condemns", "Uganda")),
        (
            "Amnesty International accused the government of Peru of abuses.",
            ("Amnesty International", "accuses", "Peru"),
        ),
        (
            "Foreign Minister Ana Ruiz said Azerbaijan had violated the ceasefire.",
            ("Ana Ruiz", "accuses", "Azerbaijan"),
        ),
        ("The minister said Armenia had not violated the ceasefire.", None),
        ("Peru would condemn Chile if the talks failed.", None),
        (
            "Turkey summoned the US ambassador in protest against the conduct of the guards.",
            ("Turkey", "condemns", "conduct of the guards"),
        ),
        (
            "China recalled its ambassador and demanded that the Lithuanian government recall "
            "its envoy.",
            ("China", "urges", "Lithuania"),
        ),
        (
            "Chile rejected the strikes as a violation of the truce.",
            ("Chile", "condemns", "strikes"),
        ),
        ("Zhao called the report a farce.", ("Zhao", "condemns", "report")),
        (
            "Iran summoned the Swedish ambassador to protest against the burning of the book.",
            ("Iran", "condemns", "burning of the book"),
        ),
        (
            "France summoned the Chilean ambassador over repeated threats.",
            ("France", "condemns", "repeated threats"),
        ),
        (
            "The EU imposed sanctions on Belarus over the repression of journalists.",
            ("European Union", "accuses", "Belarus"),
        ),
        ("Chile held Peru responsible for the attack.", ("Chile", "accuses", "Peru")),
        (
            "Chile and Ghana affirmed in the joint statement their rejection and condemnation "
            "of the recent attacks.",
            ("Ghana", "condemns", "recent attacks"),
        ),
    ],
)
def test_condemnation_and_accusation(extractor: Extractor, text: str, want: Row | None) -> None:
    found = rows(extractor, text)
    if want is None:  # denied, or only on a condition
        check(found, [], [("*", "accuses", "Armenia"), ("Peru", "condemns", "*")])
    else:
        check(found, [want])


def test_rejecting_a_claim_denies_it_and_no_reason_is_a_condemnation(extractor: Extractor) -> None:
    found = rows(extractor, "Chile rejected the accusations as baseless.")
    check(found, [("Chile", "denies", "*accusations*")], [("Chile", "condemns", "*")])
    found = rows(extractor, "Peru summoned the Chilean ambassador over the weekend.")
    check(found, [], [("Peru", "condemns", "*")])
    found = rows(extractor, "Chile called the meeting a success.")
    check(found, [], [("Chile", "condemns", "*")])


# 8 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "Among the leaders at the opening ceremony of the 2014 Winter Olympics were the "
            "presidents of Kenya and Peru.",
            [
                ("Kenya", "attends", "2014 Winter Olympics"),
                ("Peru", "attends", "2014 Winter Olympics"),
            ],
        ),
        (
            "President Ana Ruiz of Chile will join Kenya's president Wanjiru Otieno at the "
            "opening ceremony of the 2014 Winter Olympics.",
            [
                ("Ana Ruiz", "attends", "2014 Winter Olympics"),
                ("Wanjiru Otieno", "attends", "2014 Winter Olympics"),
            ],
        ),
        (
            "Leaders who will attend the opening of the 2014 Winter Olympics include "
            "President Ana Ruiz of Chile and King Olav of Norway.",
            [("Ana Ruiz", "attends", "2014 Winter Olympics")],
        ),
        ("Kenya took part in the Pacific summit.", [("Kenya", "attends", "*summit*")]),
        (
            "The summit also saw the participation of Chinese President Xi Jinping and "
            "Kenyan President William Ruto.",
            [("Xi Jinping", "attends", "summit"), ("William Ruto", "attends", "summit")],
        ),
        (
            "Microsoft chief Ana Berg arrived at the White House for the state dinner.",
            [("Ana Berg", "attends", "state dinner")],
        ),
        (
            "The leaders of Chile, Peru and Ghana gathered in Lima for the summit.",
            [("Chile", "attends", "summit"), ("Ghana", "attends", "summit")],
        ),
        (
            "The summit included presidents and prime ministers from Chile, Peru and Ghana.",
            [("Peru", "attends", "summit"), ("Ghana", "attends", "summit")],
        ),
        (
            "The Lima summit runs until Friday, with the leaders of Chile and Ghana in attendance.",
            [("Chile", "attends", "Lima summit"), ("Ghana", "attends", "Lima summit")],
        ),
        (
            "Delegations from Chile and Ghana will be at the summit.",
            [("Chile", "attends", "summit"), ("Ghana", "attends", "summit")],
        ),
        (
            "The presidents of Chile and Peru were present at the ceremony.",
            [("Chile", "attends", "ceremony"), ("Peru", "attends", "ceremony")],
        ),
        ("The Vatican was also represented at the ceremony.", [("Vatican", "attends", "ceremony")]),
        ("Brazil was an observer at the summit.", [("Brazil", "attends", "summit")]),
        (
            "The summit was attended by Chile and Peru.",
            [("Chile", "attends", "summit"), ("Peru", "attends", "summit")],
        ),
        (
            "Sergey Lavrov will represent Russia at the summit.",
            [("Sergey Lavrov", "attends", "summit"), ("Sergey Lavrov", "represents", "Russia")],
        ),
    ],
)
def test_attendance(extractor: Extractor, text: str, want: list[Row]) -> None:
    check(rows(extractor, text), want)


def test_welcoming_a_guest_is_no_support(extractor: Extractor) -> None:
    found = rows(extractor, "President Ana Ruiz welcomed Prime Minister Juan Soto at the palace.")
    check(found, [], [("*", "supports", "*")])
    check(rows(extractor, "Chile welcomed the decision by Peru."), [("Chile", "supports", "Peru")])
    found = rows(extractor, "Chile, which had been reluctant to support the sanctions, abstained.")
    check(found, [], [("Chile", "supports", "*")])


def test_skipping_is_not_attending(extractor: Extractor) -> None:
    found = rows(extractor, "Kenya's president will skip the Pacific summit.")
    check(found, [], [("Kenya", "attends", "*"), ("*", "boycotts", "*")])
    # meeting for talks is meeting someone, not attending an event
    found = rows(extractor, "Chile and Peru met for talks in Lima.")
    check(found, [("Chile", "metWith", "Peru")], [("*", "attends", "*")])
    # who will represent a country at a summit is not yet known: no one attends
    found = rows(extractor, "China has not said who will represent Beijing at the summit.")
    check(found, [], [("*", "attends", "*")])


# 9 -------------------------------------------------------------------------------------
def test_a_list_line_pairs_a_country_with_its_representative(extractor: Extractor) -> None:
    text = (
        "The leaders who confirmed their attendance:\n\nChile – President Ana Ruiz\n\n"
        "Peru – Prime Minister Juan Soto\n\nEuropean Council – President Ana Berg\n\n"
        "The summit opens on Monday.\n"
    )
    check(
        rows(extractor, text),
        [
            ("Ana Ruiz", "represents", "Chile"),
            ("Juan Soto", "represents", "Peru"),
            ("Ana Berg", "represents", "European Council"),
        ],
    )


def test_organisations_named_for_a_purpose(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Ana Soto, director of the Committee to Protect Journalists, said the arrests must stop.",
    )
    check(found, [("Ana Soto", "represents", "Committee to Protect Journalists")])


def test_long_title_before_a_name_makes_a_person(extractor: Extractor) -> None:
    found = rows(extractor, "UN High Commissioner for Human Rights Ana Ruiz visited Lima.")
    check(found, [("Ana Ruiz", "represents", "Office of the*High Commissioner for Human Rights")])


@pytest.mark.parametrize(
    ("text", "want", "never"),
    [
        (
            "Microsoft chief Ana Berg and Google CEO Luis Rojas were in attendance.",
            ("Luis Rojas", "represents", "Google"),
            ("Luis Rojas", "represents", "Microsoft"),
        ),
        (
            "President Ana Berg of Singapore and President Luis Rojas of Egypt arrived.",
            ("Luis Rojas", "represents", "Egypt"),
            ("Luis Rojas", "represents", "Singapore"),
        ),
        (
            "Italian PM Giorgia Meloni and Kenyan President Luis Rojas arrived on Friday.",
            ("Giorgia Meloni", "represents", "Italy"),
            ("Giorgia Meloni", "represents", "Kenya"),
        ),
        (
            "Japan's Yoko Kamikawa and Kenya's Luis Rojas attended the talks.",
            ("Yoko Kamikawa", "represents", "Japan"),
            ("Yoko Kamikawa", "represents", "Kenya"),
        ),
    ],
)
def test_titles_next_to_names(extractor: Extractor, text: str, want: Row, never: Row) -> None:
    check(rows(extractor, text), [want], [never])


@pytest.mark.parametrize(
    ("text", "junk"),
    [
        (
            "VILNIUS, Tues (Baltic Wire) -- Vilnius said the envoy would return. Chairperson "
            "Ana Berg agreed.",
            {"Vilnius", "Tues", "Chairperson", "VILNIUS"},
        ),
        (
            "The photo by Ludovic Marin/ AFP shows Sochi at night, said Foreign Minister Ana Berg.",
            {"Ludovic Marin/", "Sochi", "Marin/"},
        ),
        (  # a news agency, a people, a platform
            "Acting US Ambassador Ana Berg said the talks would go on, Sputnik reported.",
            {"Sputnik", "Acting US"},
        ),
        (
            "The Bahrainis and the Emiratis welcomed the deal, Foreign Minister Ana Berg said.",
            {"Bahrainis", "Emiratis"},
        ),
        (
            "Officials of the RJD met Foreign Minister Ana Berg, who later wrote on Twitter that "
            "the talks went well.",
            {"RJD", "Twitter"},
        ),
    ],
)
def test_no_person_is_a_place_a_title_a_weekday_or_a_credit(
    extractor: Extractor, text: str, junk: set[str]
) -> None:
    (result,) = extractor([Document("t", text)])
    people = {e.label for e in result.entities.values() if e.kind == Kind.PERSON}
    assert "Ana Berg" in people and not people & junk, people


def test_place_names_are_not_countries_and_former_states_are(extractor: Extractor) -> None:
    found = rows(extractor, "The South China Sea dispute worsened, the ministry said.")
    check(found, [], [("China", "*", "*")])
    found = rows(extractor, "The Soviet Union boycotted the Los Angeles 1984 Summer Olympics.")
    check(found, [("Soviet Union", "boycotts", "1984 Summer Olympics")])


# 10 ------------------------------------------------------------------------------------
def test_speaker_is_the_subject_not_the_addressee(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Peruvian Foreign Minister Luis Rojas met Ana Ruiz in Lima. He told Ruiz that Peru "
        "would cooperate with the inquiry.",
    )
    check(found, [("Luis Rojas", "said", "*")], [("Ana Ruiz", "said", "*")])


def test_who_a_report_quotes_as_saying_is_the_speaker(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The newspaper quoted Maria Lopez, a spokeswoman for the Chilean mission in Geneva, as "
        "saying that nearly 100 countries had backed Chile.",
    )
    check(found, [("Maria Lopez", "said", "that nearly 100 countries*")])


# 11 ------------------------------------------------------------------------------------
def test_scare_quotes_are_no_statement(extractor: Extractor) -> None:
    found = rows(extractor, 'Peru promised "resolute countermeasures" against the sanctions.')
    check(found, [], [("Peru", "said", "*")])
    found = rows(
        extractor, 'Peru said: "We will answer these sanctions with resolute countermeasures."'
    )
    check(found, [("Peru", "said", "*")])


# 12 ------------------------------------------------------------------------------------
def test_reading_the_article_date_line_and_dateline(extractor: Extractor, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(
        "date 2031-02-03 (Andean Review, Feb 3) – Having weighed the matter for weeks, Chile "
        "announced a diplomatic boycott of the 2014 Winter Olympics.\n\n"
        "LIMA, Feb 3 (Andean Wire) -- Peru said it would not follow the Chilean lead.\n",
        encoding="utf-8",
    )
    (document,) = list(iter_documents([path]))
    assert document.date == "2031-02-03"
    assert document.title.startswith("Having weighed")
    (result,) = extractor([document])
    found = {(r["subject"], r["relation"], r["object"]) for r in relation_rows(result)}
    check(found, [("Chile", "boycotts", "2014 Winter Olympics")], [("*", "*", "LIMA*")])
    assert all("Andean" not in r["subject"] for r in relation_rows(result))


def test_title_ending_in_a_place_before_the_name(extractor: Extractor) -> None:
    # The parser folds the name into the place: "to [the UN Pedro Rojas]". The owner is the
    # country before the title or after "of", never the place after "to".
    found = rows(
        extractor,
        "The vote was praised by Chilean Ambassador to the UN Pedro Rojas. Norway's Prime "
        "Minister Erik Dahl and President of Kenya John Kamau also spoke.",
    )
    check(
        found,
        [
            ("Pedro Rojas", "represents", "Chile"),
            ("Erik Dahl", "represents", "Norway"),
            ("John Kamau", "represents", "Kenya"),
        ],
        [("Pedro Rojas", "represents", "United Nations")],
    )


def test_capitalised_plural_title_stands_for_its_countries(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "In a show of resolve, the Foreign Ministers of Peru, Chile, Malta and Spain issued a "
        "joint statement on Monday condemning the attack.",
    )
    check(
        found,
        [(c, "signatoryOf", "joint statement") for c in ("Peru", "Chile", "Malta", "Spain")]
        + [("Malta", "condemns", "attack")],
        [("Foreign Ministers*", "*", "*"), ("*", "*", "Foreign Ministers*")],
    )
    # the place that hosts the members is none of them
    found = rows(
        extractor,
        "Ambassadors from 30 countries to the UN in Geneva have signed a letter to the "
        "President of the Human Rights Council.",
    )
    check(found, [], [("United Nations", "*", "*")])


def test_name_folded_into_the_title_acts(extractor: Extractor) -> None:
    # "Adviser on Foreign Affairs [Ali Khan]": the parser makes the name the object of the
    # title's last phrase; the person is who acts.
    found = rows(
        extractor,
        "The Prime Minister's Adviser on Foreign Affairs Ali Khan has written a letter to UN "
        "Secretary General Antonio Guterres on the dispute. Also, Minister of Foreign Affairs "
        "of Latvia Janis Berzins criticized the committee for inviting them.",
    )
    check(
        found,
        [
            ("Ali Khan", "sentLetterTo", "Antonio Guterres"),
            ("Janis Berzins", "represents", "Latvia"),
            ("Janis Berzins", "condemns", "committee"),
        ],
        [("*Adviser*", "*", "*"), ("Latvia", "condemns", "*")],
    )


def test_who_issues_a_joint_document_signs_it(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "A joint statement issued by Peru, Chile and Kenya condemned the coup. The joint "
        "letter was delivered by Senegal on behalf of 30 countries. Ghana made a joint "
        "statement at the council.",
    )
    check(
        found,
        [(c, "signatoryOf", "joint statement") for c in ("Peru", "Chile", "Kenya", "Ghana")]
        + [("Senegal", "signatoryOf", "joint letter")],
    )
    # a document's title names its authors; what a side said is no document it signed
    found = rows(
        extractor,
        "Statement of the Foreign Ministers of Peru, Chile and Norway on the Crisis\n"
        "The minister rejected the statements of the Azerbaijani side.",
    )
    check(
        found,
        [(c, "signatoryOf", "Statement of the * ministers of Peru*") for c in ("Peru", "Norway")],
        [("Azerbaijan", "signatoryOf", "*")],
    )


def test_summoned_after_remarks_and_appearing_at_an_occasion(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Peru's foreign ministry summoned Chile's ambassador after his remarks on the border "
        "war. Peru summoned the ambassador of Bolivia after the vote. Crown Prince Ali bin "
        "Omar of Qatar is appearing at the summit in Lima.",
    )
    check(
        found,
        [("Peru", "condemns", "remarks"), ("Ali bin Omar", "attends", "summit")],
        [("Peru", "condemns", "vote")],
    )


def test_speaker_before_a_long_relative_clause(extractor: Extractor) -> None:
    # The parser takes "who was so invested ... that ..." for what was said, and leaves
    # "said" without a subject: the speaker is the name right before ", who".
    found = rows(
        extractor,
        "But in Lima, even former Prime Minister Jorge Ruiz, who was so invested in getting "
        "the Games to Peru that he dressed up as a mascot, said he would not attend.",
    )
    check(found, [("Jorge Ruiz", "said", "*")])


def test_a_definite_title_is_the_person_named_with_it_before(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Peruvian Foreign Minister Ana Soto wrote to the council on Monday. In her letter, "
        "the foreign minister urged the Security Council to help. Kenyan President John "
        "Kamau arrived in Lima. Kamau met the mayor. The president said the talks were useful.",
    )
    check(
        found,
        [
            ("Ana Soto", "urges", "United Nations Security Council"),
            ("John Kamau", "said", "the talks were useful"),
        ],
    )
    # someone else named since, or in the same sentence: no antecedent
    found = rows(
        extractor,
        "Kenyan President John Kamau arrived in Lima. Reporters said it was Luis Soto who "
        "decided, and the president pushed back, saying it was wrong. Kamau met the president.",
    )
    check(found, [], [("John Kamau", "said", "*"), ("John Kamau", "metWith", "John Kamau")])


def test_the_tail_of_a_possessive_is_no_person(extractor: Extractor) -> None:
    text = (
        "During Prime Minister’s Questions this afternoon, the minister spoke. Former Tory "
        "minister Tim Lowe wrote to the prime minister last Wednesday."
    )
    (result,) = extractor([Document("t", text)])
    people = sorted(e.label for e in result.entities.values() if e.kind == Kind.PERSON)
    assert people == ["Tim Lowe"], people  # the model also makes a person of "’s Questions"
    check(rows(extractor, text), [], [("*", "*", "*Questions"), ("*Questions", "*", "*")])


def test_a_bare_ministry_is_its_countrys(extractor: Extractor) -> None:
    # "the Foreign Ministry", "the Foreign Office": each article's is its own country's
    found = rows(
        extractor,
        "Pakistan rejected the claim on Monday. The minister has updated the council, the "
        "Foreign Office said.\n"
        "The United Kingdom denied it. Russia's Foreign Ministry said the envoy was summoned.\n"
        "Chile denied it. The Ministry of Foreign Affairs of Peru said it regretted the move.",
    )
    check(
        found,
        [("Pakistan", "said", "*"), ("Russia", "said", "*"), ("Peru", "said", "*")],
        [("United Kingdom", "said", "*"), ("*Ministry*", "said", "*"), ("Chile", "said", "*")],
    )


def test_a_title_of_several_words_is_no_part_of_the_name(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "In a letter to the council, Iran’s Ambassador and Chargés D’affaires Ali Karimi said "
        "the moves were dangerous.",
    )
    check(found, [("Ali Karimi", "said", "*"), ("Ali Karimi", "represents", "Iran")])


def test_an_organisation_name_cut_at_of_keeps_its_head(extractor: Extractor) -> None:
    # the model may keep only "Treasury" of "Department of the Treasury"
    found = rows(
        extractor,
        '"These actions impose costs on the regime," the US Department of the Treasury said '
        "in a statement.",
    )
    check(found, [("Department of the Treasury", "said", "*")], [("Treasury", "said", "*")])


def test_refusing_to_attend_boycotts_and_not_attending_does_not(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Canada, Italy and Sweden have refused to attend the conference on racism. Peru "
        "declined to attend the summit in Lima. Chile did not attend the summit in Lima.",
    )
    check(
        found,
        [
            ("Canada", "boycotts", "conference*"),
            ("Sweden", "boycotts", "conference*"),
            ("Peru", "boycotts", "summit"),
        ],
        [("Chile", "boycotts", "*"), ("*", "attends", "*")],
    )
    # the event an article is about is never a war or an atrocity named in passing
    found = rows(
        extractor,
        "The World Conference on Racism opens in Geneva on Monday. A speaker who denies the "
        "Holocaust will be present, and Canada and Italy refused to attend.",
    )
    check(found, [("Canada", "boycotts", "World Conference on Racism")], [("*", "*", "Holocaust")])


def test_authorities_stand_for_their_country(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The Japanese authorities will not send ministers and government officials to the "
        "2022 Olympics in Beijing.",
    )
    check(found, [("Japan", "boycotts", "2022 Winter Olympics")])


def test_a_bare_joined_is_no_attendance(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The United States will boycott the summit in Lima. Australia joined on Monday. Peru "
        "joined the talks in Quito.",
    )
    check(found, [("Peru", "attends", "talks")], [("Australia", "attends", "*")])


def test_a_partial_quote_opening_at_the_verb(extractor: Extractor) -> None:
    # 'Soto "condemned ..."': the mark made the model read the verb as an adjective; a
    # surname the model took for a people's adjective is the person named before
    found = rows(
        extractor,
        "Peruvian Foreign Minister Ana Soto has held a phone call with Chilean counterpart "
        'Luis Rojas. Soto "condemned behavior of the Chilean Administration with regard to '
        'the closure of the border", according to a Peruvian Government statement.',
    )
    check(found, [("Ana Soto", "condemns", "Chile")])


def test_the_country_refers_to_a_subject_country_before(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Peru's Foreign Minister also anticipates that senior officials from the country "
        "will attend the Games in Lima. The UK has summoned the Israeli ambassador to deliver "
        "the country's condemnation of the killing.",
    )
    check(
        found,
        [("Peru", "attends", "*Olympics*"), ("United Kingdom", "condemns", "killing*")],
        [("Israel", "condemns", "*")],
    )


def test_attending_a_roundtable_a_capitalised_summit_and_leaving_for_a_city(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "Chinese President Xi Jinping concluded a state visit to Peru and left for Washington "
        "to attend a Nuclear Security Summit. Earlier, Xi and President Luis Soto attended "
        "the China-Peru Economic Roundtable. The Vatican was also present at the Summit.",
    )
    check(
        found,
        [
            ("Xi Jinping", "attends", "Nuclear Security Summit"),
            ("Luis Soto", "attends", "China-Peru Economic Roundtable"),
            ("Vatican*", "attends", "*Summit"),
        ],
        [("United States", "attends", "*")],
    )


def test_in_a_meeting_with_meets_and_embassies_stand_for_their_countries(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "Last week, the embassies of the United States, Britain and France were in a meeting "
        "with the Nobel Institute. Peru was in talks with Chile on Monday.",
    )
    check(
        found,
        [(c, "metWith", "Nobel Institute") for c in ("United States", "United Kingdom", "France")]
        + [("Peru", "metWith", "Chile")],
    )


def test_a_document_in_the_name_of_its_signers(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "This open letter was published in the name of six organizations including Amnesty "
        "International, Human Rights Watch and the World Uyghur Congress.",
    )
    check(
        found,
        [
            ("Amnesty International", "signatoryOf", "open letter"),
            ("World Uyghur Congress", "signatoryOf", "open letter"),
        ],
    )


def test_the_host_named_as_a_title_or_in_apposition(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The ASEAN Summit opens on Tuesday. Summit host Brunei has said the bloc will invite "
        "a representative. Peru, the host of the talks, welcomed the delegations.",
    )
    check(found, [("Brunei", "hosts", "ASEAN Summit"), ("Peru", "hosts", "talks")])


def test_defending_sovereignty_backs_no_one_and_a_welcomed_guest_is_no_support(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "He added that China is firm in defending its national sovereignty, security, and "
        "development interests. The White House has defended its decision. Argentine "
        "President Ana Ruiz was welcomed by Union Minister Ravi Kumar.",
    )
    check(
        found,
        [("United States", "supports", "decision")],
        [("China", "supports", "*"), ("Ravi Kumar", "supports", "*")],
    )


def test_a_ruler_named_without_an_office_title(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Later, Orban went on to hold talks with Belarusian dictator Ivan Petrov. Pope "
        "Francis sent a message.",
    )
    check(
        found,
        [("Ivan Petrov", "represents", "Belarus")],
        [("Francis", "*", "*")],  # "Pope Francis" is his name; the title stays in it
    )


def test_opposing_and_joining_criticism_condemn(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "China and Russia joined a chorus of international criticism of the launch. Peru "
        "opposes the plan. Chile opposed joining the boycott. Kenya firmly opposed the "
        "release of the assessment, which it said ignores its progress.",
    )
    check(
        found,
        [
            ("China", "condemns", "launch"),
            ("Russia", "condemns", "launch"),
            ("Peru", "condemns", "plan"),
            # a relative clause is no part of the object's name
            ("Kenya", "condemns", "release of the assessment"),
        ],
        [("Chile", "*", "*")],
    )


def test_a_delegation_from_several_countries_stands_for_them(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "A high-powered delegation from Rwanda, Ghana and Kenya will be at the inauguration today.",
    )
    check(found, [(c, "attends", "inauguration") for c in ("Rwanda", "Ghana", "Kenya")])


def test_members_named_as_among_or_included_in_a_group(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Chile, Peru and Ghana are among the countries that have said they will boycott the "
        "summit in Lima. The nations that signed the declaration include: Kenya, Mali and "
        "Norway. Fiji is one of the states that signed the declaration.",
    )
    check(
        found,
        [
            ("Chile", "boycotts", "summit*"),
            ("Ghana", "boycotts", "summit*"),
            ("Kenya", "signatoryOf", "declaration"),
            ("Norway", "signatoryOf", "declaration"),
            ("Fiji", "signatoryOf", "declaration"),
        ],
        [("Kenya", "boycotts", "*"), ("Chile", "signatoryOf", "*")],
    )


def test_signatories_of_the_document_named_before(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Thirty countries issued a joint statement on Monday. The 30 signatories include "
        "Chile, Peru and Kenya.",
    )
    check(found, [(c, "signatoryOf", "joint statement") for c in ("Chile", "Peru", "Kenya")])
    # with no document named before, the signatories sign nothing kg can name
    found = rows(extractor, "The 30 signatories include Chile, Peru and Kenya.")
    check(found, [], [("*", "signatoryOf", "*")])


def test_not_attending_in_a_story_about_a_boycott(extractor: Extractor) -> None:
    text = (
        "Several countries are boycotting the conference in Lima. Croatia and Italy also "
        "announced this week they would not take part. Kenya will not attend the conference. "
        "Fiji and Peru joined other countries in announcing they will stay away from the "
        "meeting. Chile's Labour party said it would not be sending a delegation to Lima."
    )
    found = rows(extractor, text)
    check(
        found,
        [
            ("Croatia", "boycotts", "conference"),
            ("Kenya", "boycotts", "conference"),
            ("Fiji", "boycotts", "meeting"),
            ("Labour party", "boycotts", "conference"),
        ],
    )
    # the same absences in a story with no boycott are no boycott
    calm = "Kenya will not attend the conference in Lima. Croatia said it would not take part."
    check(rows(extractor, calm), [], [("*", "boycotts", "*")])


def test_letters_sent_by_several_and_urging_in_its_forms(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "This came in a joint letter sent by Oxfam, Amnesty International and Human Rights "
        "Watch to UN Secretary-General Antonio Guterres. Lima was urged by the Chilean "
        "government not to politicise the talks. Oxfam reiterated its own call for Peru to "
        "allow monitors into the region. Vice Foreign Minister Ana Ruiz told the envoy that "
        "Bolivia should correct its error.",
    )
    check(
        found,
        [
            ("Oxfam", "sentLetterTo", "Antonio Guterres"),
            ("Human Rights Watch", "sentLetterTo", "Antonio Guterres"),
            ("Chile", "urges", "Peru"),
            ("Oxfam", "urges", "Peru"),
            ("Ana Ruiz", "urges", "Bolivia"),
        ],
    )
    # "we should": the speaker's own side is no one it presses
    found = rows(extractor, "Kishida said the two countries should strive to cooperate.")
    check(found, [], [("*", "urges", "*")])


def test_names_cut_from_a_title_or_completed_in_brackets(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "British Foreign Minister Raab and US Secretary of State Pompeo issued a joint "
        "statement. IOC President [Thomas] Bach condemned Russia.",
    )
    check(
        found,
        [("Pompeo", "signatoryOf", "joint statement"), ("Thomas Bach", "condemns", "Russia")],
        [("State Pompeo", "*", "*"), ("*]*", "*", "*")],
    )


def test_a_pronoun_speaker_is_not_someone_named_in_the_quote(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Ana Ruiz, the Peruvian sports minister, said the plan was far from reality.\n"
        "“We condemn any plan that would allow President Luis Rojas to legitimise his war,” "
        "she said.",
    )
    check(found, [("Ana Ruiz", "said", "We condemn*")], [("Luis Rojas", "said", "*")])


def test_group_members_stop_at_a_relative_clause_and_say_in_a_joint_statement(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "The military governments of Mali and Burkina Faso, which are both suspended from "
        "ECOWAS, said in a joint statement that any intervention would be treated as war. "
        "The foreign ministers of the G7 group said in a joint statement that they were "
        "concerned.",
    )
    check(
        found,
        [
            ("Mali", "signatoryOf", "joint statement"),
            ("Burkina Faso", "signatoryOf", "joint statement"),
            ("Group of Seven", "said", "*"),
            ("Group of Seven", "signatoryOf", "joint statement"),
        ],
        [("Economic Community of West African States", "*", "*")],
    )


def test_summoning_envoys_to_protest_and_a_spokesman_for_a_ministry(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "Peru has summoned the ambassadors of Chile and Bolivia to protest recent sanctions. "
        "Peru will send no one to the summit, a spokesman for the Ministry of Foreign Affairs "
        "said on Thursday.",
    )
    check(
        found,
        [
            ("Peru", "condemns", "Chile"),
            ("Peru", "condemns", "Bolivia"),
            ("Peru", "said", "Peru will send no one*"),
        ],
    )


def test_the_other_countries_not_attending_and_this_years_event(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "A growing number of countries are boycotting the Lima Summit. Britain and France "
        "are among the countries that have announced they are boycotting this year's event. "
        "Austria, Canada and the Netherlands are the other countries not attending.",
    )
    check(
        found,
        [
            ("United Kingdom", "boycotts", "Lima Summit"),
            ("France", "boycotts", "Lima Summit"),
            ("Austria", "boycotts", "Lima Summit"),
            ("Netherlands", "boycotts", "Lima Summit"),
        ],
        [("*", "boycotts", "*event")],
    )


def test_a_topic_named_after_a_name_is_labelled_without_it(extractor: Extractor) -> None:
    found = rows(extractor, "Iran denounced the diplomatic boycott of Beijing 2022 on Monday.")
    check(
        found,
        [("Iran", "condemns", "diplomatic boycott")],
        [("Iran", "condemns", "diplomatic boycott of*")],
    )
    # an "of" complement that names no one stays: it is what the topic is
    found = rows(extractor, "Peru condemned the killing of three aid workers.")
    check(found, [("Peru", "condemns", "killing of three aid workers")])


def test_attending_by_being_sent_being_there_and_making_the_trip(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The 2023 Lima Summit opens on Friday. Kenyan President Ana Ruiz declared that she "
        "would stay home and send Foreign Minister Luis Rojas to Lima instead. Officials "
        "said Juan Soto and Eva Diaz will be there. Mark Drakeford said he would be making "
        "the trip. Vice President Jane Doe was the guest of honor at the inauguration.",
    )
    check(
        found,
        [
            ("Luis Rojas", "attends", "Lima Summit"),
            ("Juan Soto", "attends", "Lima Summit"),
            ("Eva Diaz", "attends", "Lima Summit"),
            ("Mark Drakeford", "attends", "Lima Summit"),
            ("Jane Doe", "attends", "inauguration"),
        ],
        [("Ana Ruiz", "attends", "*")],
    )


def test_a_statement_that_opens_we_the_ministers_of(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "“We, the Foreign Ministers of Chile, Peru and Kenya, underscore our grave concern "
        "regarding the law,” the statement said.",
    )
    check(found, [(c, "signatoryOf", "statement") for c in ("Chile", "Peru", "Kenya")])


def test_a_governments_people_staying_away_and_its_decision_to_send_no_one(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "The diplomatic boycott of the Beijing 2022 Winter Olympics grows. US diplomats and "
        "Australian officials are all staying home. Kenya’s government representatives "
        "will not attend the Games. Japan’s decision to not send a delegation follows "
        "similar moves. Fiji has joined its partner Peru in announcing a diplomatic boycott "
        "of the Games. Chinese officials said the boycott would fail.",
    )
    check(
        found,
        [
            (c, "boycotts", "2022 Winter Olympics")
            for c in ("United States", "Australia", "Kenya", "Japan", "Fiji", "Peru")
        ],
        [("China", "said", "*")],  # officials speak for themselves, not for their state
    )
    # "A joined B in condemning X": both condemn it
    check(
        rows(extractor, "Chile joined Peru in condemning the coup."), [("Peru", "condemns", "coup")]
    )


def test_an_office_alone_is_no_entity(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Permanent Representative said the region is part of Peru. British Prime Minister "
        "Theresa May told parliament this month that no ministers would attend the "
        "tournament. May has accused Moscow of being behind the attack on a former spy in "
        "Salisbury.",
    )
    check(
        found,
        [("Theresa May", "accuses", "Russia")],  # "May" is a name, not a modal
        [("Permanent Representative", "*", "*")],
    )


def test_blaming_on_and_saying_someone_makes_false_accusations(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The attack in Salisbury, which the British government has blamed on Moscow, shocked "
        "Europe. Peru said the United States and its allies make false accusations for "
        "political purposes. Peru said Chile makes accusations every week.",
    )
    check(
        found,
        [("United Kingdom", "accuses", "Russia"), ("Peru", "accuses", "United States")],
        [("Peru", "accuses", "Chile")],  # reporting accusations is no accusation
    )


def test_summit_attendance_in_its_report_forms(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The G7 Summit opens on Friday, and US President Joe Biden flew in on Thursday. "
        "The summit is expected to gather about two "
        "dozen leaders, including Kenyan President Luis Rojas. Bolivia's president opted to "
        "participate virtually, with Foreign Minister Eva Diaz representing Bolivia in "
        "person. Prime Minister Juan Soto arrived in Lima to attend three sessions at the "
        "G7 Summit. Ushakov said that Brazilian President Luiz Inacio Lula da Silva is unable "
        "to attend the summit.\n"
        "US President Joe Biden at the G7 Summit (Photo/PA)",
    )
    check(
        found,
        [
            ("Luis Rojas", "attends", "G7 Summit"),
            ("Eva Diaz", "attends", "G7 Summit"),
            ("Juan Soto", "attends", "G7 Summit"),
            ("Joe Biden", "attends", "G7 Summit"),
        ],
        # a name the model knows: "unable" is what keeps the row out ("able" gives it)
        [("*", "attends", "three sessions"), ("Luiz Inacio Lula da Silva", "attends", "*")],
    )
    found = rows(extractor, "No ministers of the British government will attend the summit.")
    check(found, [], [("*", "attends", "*")])
    # "some ministers" do attend for their government: the "no" is what keeps it out
    found = rows(extractor, "Some ministers of the British government will attend the summit.")
    check(found, [("United Kingdom", "attends", "summit")])


def test_arrivals_here_participants_and_a_hyphen_joined_summit_name(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "The EU-China summit, the first in four years, has begun in Beijing. Participants, "
        "including Ursula von der Leyen, Charles Michel and Xi Jinping, discuss trade. "
        "President Luis Rojas of Peru also landed here to a rousing welcome.",
    )
    check(
        found,
        [
            ("Ursula von der Leyen", "attends", "EU-China summit"),
            ("Xi Jinping", "attends", "EU-China summit"),
            ("Luis Rojas", "attends", "EU-China summit"),
        ],
        [("*", "*", "China summit")],
    )
    # a spaced dash is still a dateline's
    check(
        rows(extractor, "GENEVA - Richard Bennett said the report was late."),
        [("Richard Bennett", "said", "*")],
    )


def test_calling_something_a_word_of_disapproval_condemns_it(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Amnesty International branded the vote farcical. Peru has described the report's "
        "claims as baseless. Chile called the decision unacceptable. Kenya called the "
        "decision wise.",
    )
    check(
        found,
        [
            ("Amnesty International", "condemns", "vote"),
            ("Peru", "condemns", "*claims"),
            ("Chile", "condemns", "decision"),
        ],
        [("Kenya", "condemns", "*")],
    )


def test_an_act_someone_is_accused_of_is_a_charge_not_a_fact(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Bahrain accused the Qataris of backing terrorism. Peru accused Chile of boycotting "
        "the summit.",
    )
    check(
        found,
        [("Peru", "accuses", "Chile")],
        [("*", "supports", "*"), ("Chile", "boycotts", "*")],
    )


def test_a_list_of_title_of_country_names_gives_each_person(extractor: Extractor) -> None:
    # protocol style: each title before its name, the parser nests the names in the titles
    found = rows(
        extractor,
        "The summit was attended by Prime Minister of the Republic of Ghana Kofi Mensah, "
        "President of the Republic of Chile Luis Rojas, and President of the Republic of "
        "Kenya Mary Wanjiru.",
    )
    people = {"Kofi Mensah": "Ghana", "Luis Rojas": "Chile", "Mary Wanjiru": "Kenya"}
    check(
        found,
        [(p, "attends", "summit") for p in people]
        + [(p, "represents", c) for p, c in people.items()],
        # a title is the name's inside it, not the name's before it
        [("Kofi Mensah", "represents", "Chile"), ("Luis Rojas", "represents", "Kenya")],
    )


def test_a_list_of_people_with_titles_before_a_verb(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Ana Ruiz, president of the organising committee, Chilean Olympic Committee "
        "President Luis Soto and Peruvian Paralympic Committee chief Marta Diaz will attend "
        "the Games.",
    )
    check(found, [(p, "attends", "Games") for p in ("Ana Ruiz", "Luis Soto", "Marta Diaz")])


def test_an_accusation_noun_names_who_accuses_whom(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The Israeli accusations against Iran are baseless, the envoy said. Beijing rejected "
        "the allegations by the United States. Peru's allegations against Chile were denied "
        "by Bolivia. China rejected the allegations.",
    )
    check(
        found,
        [
            ("Israel", "accuses", "Iran"),
            ("United States", "accuses", "China"),
            ("Peru", "accuses", "Chile"),
        ],
        # the one who denies an accusation against someone else is not its target
        [("Peru", "accuses", "Bolivia"), ("China", "accuses", "*")],
    )


def test_a_list_hung_on_the_wrong_noun_and_a_group_that_included(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Foreign Minister Luis Rojas met several delegates on the sidelines of the summit, "
        "including Foreign Minister Peter Smith of Ghana and Kenyan President Mary Wanjiru. "
        "Foreign Minister Ana Soto held bilateral meetings with her counterparts that "
        "included Iran, Bulgaria and Turkey.",
    )
    check(
        found,
        [
            ("Luis Rojas", "metWith", "Peter Smith"),
            ("Luis Rojas", "metWith", "Mary Wanjiru"),
            ("Ana Soto", "metWith", "Iran"),
            ("Ana Soto", "metWith", "Turkey"),
        ],
        # Ghana is Smith's country, not someone Rojas met
        [("Luis Rojas", "metWith", "Ghana")],
    )


def test_voting_in_favour_with_nothing_named_backs_the_text_named_before(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "The assembly adopted the resolution on Friday. Most Arab states abstained, except "
        "Lebanon, which voted in favour. Chile did not vote in favour.",
    )
    check(found, [("Lebanon", "supports", "resolution")], [("Chile", "supports", "*")])


def test_condemning_the_acts_of_an_actors_forces_condemns_the_actor(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "French Foreign Minister Jean Dupont condemned the actions of Israel's forces. Oxfam, "
        "one of the groups that signed the letter, urged Peru to act.",
    )
    check(found, [("Jean Dupont", "condemns", "Israel"), ("Oxfam", "urges", "Peru")])


def test_meeting_on_the_sidelines_of_a_summit_attends_it(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "External Affairs Minister Ana Soto held a meeting with her Russian counterpart "
        "Sergey Lavrov on the sidelines of the G20 summit in New Delhi. Chile did not meet "
        "Peru on the sidelines of the forum.",
    )
    check(
        found,
        [("Ana Soto", "attends", "G20*"), ("Sergey Lavrov", "attends", "G20*")],
        [("Chile", "attends", "*"), ("Peru", "attends", "*")],
    )


def test_punishing_in_response_to_a_wrong_accuses(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The US Treasury sanctioned Vladimir Putin and Sergey Lavrov in response to Russia's "
        "invasion of Ukraine. Chile sanctioned Peru in response to a request from Bolivia.",
    )
    check(
        found,
        [
            ("United States", "accuses", "Vladimir Putin"),
            ("United States", "accuses", "Sergey Lavrov"),
        ],
        [("Chile", "accuses", "*")],
    )


def test_an_infinitive_of_an_intent_noun_is_the_intent_owners_act(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Russia on Friday vetoed a Western bid at the UN Security Council to condemn its "
        "annexations of Ukrainian territory. Chile made an effort to condemn Peru. Bolivia "
        "blocked Peru's bid to condemn Ecuador.",
    )
    check(
        found,
        [("Chile", "condemns", "Peru"), ("Peru", "condemns", "Ecuador")],
        [("Russia", "condemns", "*"), ("Bolivia", "condemns", "*")],
    )


def test_an_act_in_a_relative_clause_on_a_common_noun_is_not_the_reporters(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "Spokesman Oren Marmorstein announced that Israel would summon ambassadors from the "
        "countries that voted in favor of the Palestinian membership resolution. Pakistan and "
        "Cuba made a joint statement in support of China's measures.",
    )
    check(
        found,
        [("Pakistan", "supports", "China"), ("Cuba", "supports", "China")],
        [("Israel", "supports", "*"), ("Oren Marmorstein", "supports", "*")],
    )


def test_a_bare_office_opening_a_paragraph_is_the_storys_country(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "ISLAMABAD: Pakistan has described the accusation by Indian Prime Minister Narendra "
        "Modi as baseless.\n\nForeign Office spokesperson Muhammad Faisal, in a statement, "
        "said India should stop dragging Pakistan into its debate. Pakistan also recalled its "
        "envoy.",
    )
    check(
        found,
        [("Muhammad Faisal", "represents", "Pakistan")],
        [("Muhammad Faisal", "represents", "India")],
    )


def test_neither_nor_and_a_country_named_after_a_bare_title(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Neither Chancellor Sebastian Kurz nor President Alexander Van der Bellen have "
        "announced plans to attend the Games in person. Neither Peru nor Chile will attend "
        "the summit. China welcomed the guests on Friday. The guests included King Norodom "
        "Sihamoni of Cambodia.",
    )
    check(
        found,
        [("Norodom Sihamoni", "represents", "Cambodia")],
        [
            ("*", "attends", "*"),
            ("Norodom Sihamoni", "represents", "China"),
        ],
    )


def test_a_meetings_label_stops_before_where_it_was_held(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "Peru attended the 79th session of the UN General Assembly in New York. Chile "
        "attended the first meeting of states parties at Vienna.",
    )
    check(
        found,
        [
            ("Peru", "attends", "79th session of the UN General Assembly"),
            ("Chile", "attends", "first meeting of states parties"),
        ],
        [("*", "attends", "*New York"), ("*", "attends", "*Vienna")],
    )


def test_saying_something_is_illegal_and_facing_criticism_are_condemnations(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "China said the report is illegal and invalid. The spokesperson Liu Yuyin stressed "
        "that the so-called assessment is an illegal document. Peru said the decision was "
        "not illegal. Chile said the summit was important. President Joe Biden faced "
        "criticism from Argentina's President Alberto Fernandez. The veto drew sharp "
        "condemnation from Kenya. Bolivia said the accusations against it were groundless.",
    )
    check(
        found,
        [
            ("China", "condemns", "report"),
            ("Liu Yuyin", "condemns", "*assessment"),
            ("Alberto Fernandez", "condemns", "Joe Biden"),
            ("Kenya", "condemns", "veto"),
        ],
        # calling accusations groundless denies them
        [("Peru", "condemns", "*"), ("Chile", "condemns", "*"), ("Bolivia", "condemns", "*")],
    )


def test_a_name_in_a_titles_to_phrase_is_no_list_member(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The deal was signed by Redwan Hussein, national security adviser to Ethiopian Prime "
        "Minister Abiy Ahmed, and Getachew Reda, a spokesman for the Tigray People's "
        "Liberation Front.",
    )
    check(
        found,
        [("Redwan Hussein", "signatoryOf", "deal"), ("Getachew Reda", "signatoryOf", "deal")],
        [("Abiy Ahmed", "signatoryOf", "*")],
    )


def test_pulling_out_in_a_boycott_story_and_acting_in_a_joint_statement(
    extractor: Extractor,
) -> None:
    boycott = rows(
        extractor,
        "Nine countries boycott the Commonwealth Games. Tanzania has already pulled out of "
        "the Games. Bangladesh today became the 10th country to withdraw from the Games. Kenya "
        "withdrew its envoy from Peru.",
    )
    check(
        boycott,
        [("Tanzania", "boycotts", "*Games"), ("Bangladesh", "boycotts", "*Games")],
        [("Kenya", "boycotts", "*")],
    )
    # outside a boycott story, pulling out of talks is no boycott
    check(rows(extractor, "Tanzania has already pulled out of the talks."), [], [("*", "*", "*")])
    joint = rows(
        extractor,
        "The United States, Britain and France condemned Iran in a joint statement on "
        "Thursday. Peru did not condemn Iran in a joint statement.",
    )
    check(
        joint,
        [("United States", "signatoryOf", "joint statement"), ("France", "signatoryOf", "*")],
        [("Peru", "signatoryOf", "*")],
    )


def test_a_letter_by_representatives_to_the_un_is_not_addressed_to_it(
    extractor: Extractor,
) -> None:
    by = rows(
        extractor,
        "Peru and Chile condemned the coup in a joint letter by their permanent "
        "representatives to the UN.",
    )
    check(by, [("Peru", "signatoryOf", "joint letter")], [("*", "sentLetterTo", "*")])
    to = rows(
        extractor, "Kenya and Ghana condemned the coup in a joint letter to the Security Council."
    )
    check(to, [("Kenya", "sentLetterTo", "United Nations Security Council")])


def test_a_pronoun_urged_in_a_letter_is_its_addressee(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The governments of Peru and Chile have sent a joint letter to the UN Security "
        "Council urging it to pressure the rebels. Former minister Tim Loughton wrote to "
        "Prime Minister Boris Johnson last Wednesday, urging him to ban any official "
        "representation at the Games.",
    )
    check(
        found,
        [
            ("Peru", "urges", "United Nations Security Council"),
            ("Chile", "urges", "United Nations Security Council"),
            ("Tim Loughton", "urges", "Boris Johnson"),
        ],
    )


def test_allegations_made_against_and_saying_an_actor_was_responsible(
    extractor: Extractor,
) -> None:
    found = rows(
        extractor,
        "It comes on the heels of serious allegations made against China by the United "
        "States, Britain and Canada. Theresa May told MPs that the Russian state had been "
        "responsible for the nerve agent attack. Peru said Chile was not responsible for the "
        "attack. Kenya said Ghana was responsible for organising the summit.",
    )
    check(
        found,
        [
            ("United States", "accuses", "China"),
            ("Canada", "accuses", "China"),
            ("Theresa May", "accuses", "Russia"),
        ],
        [("Peru", "accuses", "*"), ("Kenya", "accuses", "*")],
    )


def test_who_leaves_a_meeting_was_at_it(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The COP26 summit opened. President Joe Biden left the COP26 summit on Tuesday "
        "evening. Peru left the meeting room. Chile did not leave the summit. Kenya, which "
        "left the forum a year ago, did not sign.",
    )
    check(
        found,
        [("Joe Biden", "attends", "COP26*")],
        # leaving a forum or an assembly is leaving a body, not a meeting one was at
        [("Peru", "attends", "*"), ("Chile", "attends", "*"), ("Kenya", "attends", "*")],
    )


def test_a_plural_title_before_names_and_royal_titles(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "China sanctioned British MPs Tim Loughton and Tom Tugendhat. Chinese Foreign "
        "Ministers Wang Yi and Qin Gang met. Grand Duke Henri of Luxembourg will attend. "
        "Myanmar State Counsellor Aung San Suu Kyi spoke.",
    )
    check(
        found,
        [
            ("Tim Loughton", "represents", "United Kingdom"),
            ("Tom Tugendhat", "represents", "United Kingdom"),
            ("Wang Yi", "represents", "China"),
            ("Qin Gang", "represents", "China"),
            ("Henri", "represents", "Luxembourg"),
            ("Aung San Suu Kyi", "represents", "Myanmar"),
        ],
        [("Duke Henri", "*", "*")],
    )


def test_a_meeting_in_a_place_and_gathering_there_for_it(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The leaders signed a joint declaration at their summit in Bishkek, Kyrgyzstan. "
        "African heads of state gathered in Addis Ababa for the annual summit of the union. "
        "The minister gave a press conference in Geneva. The election in Peru was delayed.",
    )
    check(
        found,
        [
            ("Bishkek", "hosts", "summit"),
            ("Kyrgyzstan", "hosts", "summit"),
            ("Addis Ababa", "hosts", "*summit*"),
        ],
        [("Geneva", "hosts", "*"), ("Peru", "hosts", "*")],
    )


def test_being_shocked_or_disappointed_by_something_condemns_it(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "UN human rights chief Navi Pillay said she was shocked and deeply disappointed by "
        "the boycotts. Peru was appalled by Chile's decision. Kenya was not disappointed by "
        "the result.",
    )
    check(
        found,
        [("Navi Pillay", "condemns", "boycotts"), ("Peru", "condemns", "Chile")],
        [("Kenya", "condemns", "*")],
    )


def test_a_plural_title_with_a_body_before_it_is_the_bodys(extractor: Extractor) -> None:
    found = rows(
        extractor,
        "The G7 foreign ministers condemned Russia. EU leaders urged China to act. UN member "
        "states called on Peru to act. UN ambassadors urged Chile to act.",
    )
    check(
        found,
        [("Group of Seven", "condemns", "Russia"), ("European Union", "urges", "China")],
        # member states of the UN and envoys to it are not the UN
        [("United Nations", "*", "*")],
    )
