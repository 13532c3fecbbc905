"""Page furniture and Title-Case headlines (kg/extraction/reading.py), on text written for
these tests in the shapes web pages give news articles."""

from __future__ import annotations

import pytest

from kg.extraction.reading import (
    PageLexicon,
    blank,
    first_story_line,
    furniture,
    story_text,
    truecase_headlines,
    unquote_verbs,
    unwrap,
)

LEXICON = PageLexicon.of(
    ["Advertisement", "Share this article", "Breaking News", "Contact us"],
    ["published", "updated", "posted"],
)


def cut(text: str) -> list[str]:
    return [text[a:b] for a, b in furniture(text, LEXICON)]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "LIMA, March 3 (Andes Wire) -- Peru recalled its envoy from Quito on Monday.",
            ["LIMA, March 3 (Andes Wire) -- "],
        ),
        ("QUITO • The foreign ministry of Ecuador summoned the envoy of Peru.", ["QUITO • "]),
        ("(Andes Wire) – Peru recalled its envoy from Quito on Monday night.", ["(Andes Wire) – "]),
        (
            "(Lima Review, Mar03’31) – Having recalled its envoy, Peru closed its consulate.",
            ["(Lima Review, Mar03’31) – "],
        ),
        (
            "SANTA CRUZ, Bolivia — The summit opened with a minute of silence for the victims.",
            ["SANTA CRUZ, Bolivia — "],
        ),
        ("(AW) The council met behind closed doors on the border dispute.", ["(AW) "]),
        (
            "ROME, (Andes Wire / Lima Review - 3rd Mar, 2031 ) :Peru recalled its envoy on Monday.",
            ["ROME, (Andes Wire / Lima Review - 3rd Mar, 2031 ) :"],
        ),
    ],
)
def test_reading_datelines_and_sources_are_furniture(text: str, expected: list[str]) -> None:
    assert cut(text) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "Share this article",
        "Published: Mar 03, 2031 01:04 PM",
        "Updated 10:24, 03-Mar-2031",
        "Ana Ruiz | March 3, 2031 | 5:42am EDT",
        "Andes Wire | Posted: March 3, 2031 2:47 PM | Last Updated: March 4, 2031",
        "Mar 3, 2031 / 03:28 PM PET",
        "00:00 00:00",
    ],
)
def test_reading_page_lines_are_furniture(line: str) -> None:
    text = f"Peru recalls envoy\n{line}\nPeru recalled its envoy from Quito on Monday."
    assert cut(text) == [line]


@pytest.mark.parametrize(
    "line",
    [
        "Peru recalls its envoy from Quito",  # a headline
        "UN: Report Due",  # a colon after capitals that opens no sentence
        "Peru recalled its envoy on March 3, 2031, the ministry said.",  # a date in prose
        "Published reports say Peru recalled its envoy on March 3, 2031 after the vote.",
    ],
)
def test_reading_story_lines_are_kept(line: str) -> None:
    assert cut(line) == []


def test_reading_photo_credits_are_furniture() -> None:
    text = (
        "Peru and Chile have joined the boycott ©Andes Images\n\n"
        "Ana Ruiz speaks in Lima. (Photo by Luis Rojas/AW via Andes Images)\n"
        "The flag of Peru. Photo: Andes Wire"
    )
    assert cut(text) == [
        " ©Andes Images",
        " (Photo by Luis Rojas/AW via Andes Images)",
        " Photo: Andes Wire",
    ]


def test_reading_blanking_keeps_offsets_and_line_breaks() -> None:
    text = "LIMA, March 3 (Andes Wire) -- Peru recalled its envoy from Quito.\nAdvertisement\nEnd."
    story = story_text(text, LEXICON)
    assert len(story) == len(text)
    assert story.index("Peru") == text.index("Peru")
    assert story.count("\n") == text.count("\n")
    assert "Andes" not in story and "Advertisement" not in story
    assert blank("ab\ncd", [(1, 4)]) == "a \n d"


def test_reading_title_skips_furniture_and_cuts_a_first_paragraph() -> None:
    text = "Advertisement\n\nPeru recalls envoy\n\nThe ministry said so."
    assert first_story_line(text, LEXICON) == "Peru recalls envoy"
    paragraph = (
        "(Lima Review, Mar03’31) – Peru recalled its envoy from Quito on Monday after the "
        "U.N. General Assembly voted on the border dispute. The ministry said the step was final "
        "and that talks would resume only after the vote was repeated."
    )
    assert first_story_line(paragraph, LEXICON) == (
        "Peru recalled its envoy from Quito on Monday after the U.N. General Assembly voted "
        "on the border dispute."
    )


def test_reading_title_case_headline_is_lowered_but_names_keep_capitals() -> None:
    names = frozenset({"Peru", "Chile", "United States", "US"})
    text = (
        "Peru Joins US In Diplomatic Boycott Of Lima Games\n\n"
        "Peru said on Monday it would send no officials to the Games in Lima."
    )
    got = truecase_headlines(text, names)
    assert got.split("\n")[0] == "Peru joins US in diplomatic boycott of Lima Games"
    assert len(got) == len(text) and got.split("\n")[1:] == text.split("\n")[1:]


def test_reading_sentence_case_lines_are_left_alone() -> None:
    text = "Peru joins the US in a boycott of the Lima Games\n\nPeru said so on Monday."
    assert truecase_headlines(text, frozenset({"Peru"})) == text


def test_reading_a_quote_opening_at_an_act_verb_loses_its_marks_not_its_offsets() -> None:
    verbs = frozenset({"condemn", "urge"})
    text = 'Soto "condemned the closure of the border", a statement said. Rojas left.'
    out = unquote_verbs(text, verbs)
    assert out.startswith("Soto condemned the closure of the border  , a statement said.")
    assert len(out) == len(text) and out.index("Rojas") == text.index("Rojas")
    # a verb of saying keeps its quote, and so does a quote that never closes on its line
    for kept in ('Soto "expressed her pleasure", the statement said.', 'Soto "urged\nthem".'):
        assert unquote_verbs(kept, verbs) == kept


def test_reading_the_title_pm_before_a_name_is_no_time_of_day() -> None:
    text = "Italian PM Ana Ruiz and UK PM Luis Soto met at 5 PM Monday.\nPM Kofi Mensah spoke."
    out = story_text(text, LEXICON)
    assert (
        out == "Italian Pm Ana Ruiz and UK Pm Luis Soto met at 5 PM Monday.\nPm Kofi Mensah spoke."
    )


WRAPPED = (
    "Peru hosts the summit\n"
    "\n"
    "The summit was attended by the President of the Republic of Chile Luis Rojas,\n"
    "the Prime Minister of the Republic of Ghana Kofi Mensah and the President of\n"
    "Kenya Mary Wanjiru, who arrived in Lima late on Sunday after a long flight.\n"
    "\n"
    "The leaders adopted a declaration on trade, water and the protection of the\n"
    "Amazon rainforest, and agreed to meet again in Accra in the coming autumn.\n"
    "- one item\n"
)


def test_reading_hard_wrapped_lines_join_into_paragraphs() -> None:
    out = unwrap(WRAPPED)
    assert len(out) == len(WRAPPED)
    paragraphs = out.split("\n")
    assert "Rojas, the Prime Minister" in out and "President of Kenya Mary" in out
    # a headline, a blank line, the last line of a paragraph and a list item keep theirs
    assert paragraphs[0] == "Peru hosts the summit" and paragraphs[1] == ""
    assert paragraphs[2].endswith("long flight.") and paragraphs[-2] == "- one item"


def test_reading_lines_of_no_one_width_are_left_alone() -> None:
    web = "Peru hosts the summit\n" + "\n".join(
        "Chile said on Monday it would send its foreign minister to the summit. " * n
        for n in (1, 3, 2, 4)
    )
    assert unwrap(web) == web
