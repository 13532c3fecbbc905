"""Repairs of what the small model gets wrong, as two spaCy components: `SpanRepair`
(names cut short or run together, datelines, titled names, repeated surnames) and
`ParseRepair` (two attachments the parser often gets wrong).

Each receives the gazetteer and the lexicon through its config (``{"@misc":
"kg.gazetteer.v1"}``, ``{"@misc": "kg.lexicon.v1"}``) and reads them as `NameWords`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from spacy.attrs import SENT_START
from spacy.language import Language as _Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg.extraction.config import GAZETTEER, LEXICON
from kg.extraction.gazetteer import Gazetteer, title_heads
from kg.extraction.lexicon import Lexicon
from kg.model import KEY_PREFIX, Kind, key_kind_prefix

if TYPE_CHECKING:
    from spacy.language import Language


@dataclass(frozen=True)
class NameWords:
    """What the repairs read: the gazetteer's names and title heads, and the lexicon's words
    of person and organisation names."""

    names: Mapping[str, str]  # the gazetteer's surfaces
    title_heads: frozenset[str]
    particles: frozenset[str]  # "von", "der" inside person names
    org_links: frozenset[str]  # "of", "for", "&" inside organisation names
    weak_titles: frozenset[str]  # title words that also open names: "General Assembly"
    org_words: frozenset[str]  # last words of organisation names: "Council"
    office_titles: frozenset[str] = frozenset()  # "un high commissioner for human rights"
    places: frozenset[str] = frozenset()  # capitals and host cities: "Vilnius", "Sochi"
    not_names: frozenset[str] = frozenset()  # "Tues", "Chairperson", "Mr" alone
    demonyms: frozenset[str] = frozenset()  # "Bahraini": "Bahrainis" is a people, no person
    purpose_heads: frozenset[str] = frozenset()  # "Committee" in "Committee to Protect ..."
    place_qualifiers: frozenset[str] = frozenset()  # "South" of "South China"
    never_in_names: frozenset[str] = frozenset()  # "Summit", "Statement", "Boycott"
    facility_nouns: frozenset[str] = frozenset()  # "pub" of "the Bishops Mill pub"
    regions: frozenset[str] = frozenset()  # "xinjiang", "durban": places, lower case
    titles: frozenset[str] = frozenset()  # every title, lower case: "secretary of state"

    @classmethod
    def build(cls, gazetteer: Gazetteer, lexicon: Lexicon) -> NameWords:
        return cls(
            names=gazetteer.names,
            title_heads=title_heads(gazetteer),
            particles=lexicon.words("name_particles"),
            org_links=lexicon.words("org_links"),
            weak_titles=lexicon.words("weak_titles"),
            org_words=lexicon.words("org_words"),
            office_titles=frozenset(gazetteer.office_titles),
            places=frozenset(gazetteer.capitals) | frozenset(gazetteer.catalog.hosts),
            regions=lexicon.words("regions"),
            not_names=lexicon.words("not_names") | lexicon.words("honorifics"),
            demonyms=frozenset(gazetteer.demonyms),
            purpose_heads=lexicon.words("purpose_org_heads"),
            place_qualifiers=lexicon.words("place_qualifiers"),
            never_in_names=lexicon.words("never_in_names"),
            facility_nouns=lexicon.words("facility_nouns"),
            titles=frozenset(gazetteer.titles),
        )


class SpanRepair:
    """Mend the small model's cut and missed names: "Ursula von der" + "Leyen", "Supreme
    Committee for Delivery" + "and Legacy"; drop organisation spans that start in lower
    case; a name next to a role title is a person ("Foreign Minister Rudi Bohn", "Peru's
    president, Ana Soto,"); a surname of a person named in the document is that person."""

    def __init__(self, words: NameWords) -> None:
        self.words = words

    def __call__(self, doc: Doc) -> Doc:
        _repair_spans(doc, self.words)
        return doc


@_Language.factory(
    "kg_span_repair",
    default_config={"gazetteer": GAZETTEER, "lexicon": LEXICON},
    requires=["doc.ents", "doc.sents", "token.pos"],
    assigns=["doc.ents", "token.ent_type", "token.ent_iob"],
)
def make_span_repair(
    nlp: Language, name: str, gazetteer: Gazetteer, lexicon: Lexicon
) -> SpanRepair:
    return SpanRepair(NameWords.build(gazetteer, lexicon))


def _repair_spans(doc: Doc, words: NameWords) -> None:
    sid = sentence_ids(doc)
    spans = []
    for ent in doc.ents:
        start, end = ent.start, ent.end
        if (
            ent.label_ == "ORG"
            and not ent[0].is_title
            and not ent[0].is_upper
            and ent[0].lower_ != "the"
        ):
            continue
        opened = [t.i for t in ent if t.text == "("]
        if opened and not any(t.text == ")" for t in doc[opened[0] : end]):
            end = opened[0]  # "Campaign to Abolish Nuclear Weapons (ICAN": the acronym is apart
            if end <= start:
                continue
        label = ent.label_
        if label in {"EVENT", "ORG"}:
            start = _hyphen_joined(doc, start)  # "EU-" of "EU-China Summit"
        if _after_dateline(doc, start, end) > start:
            start = _after_dateline(doc, start, end)
            rest = doc[start:end]
            if (
                start >= end
                or all(t.pos_ != "PROPN" for t in rest)
                or (len(rest) == 1 and rest.text not in words.names)
            ):
                continue  # "VIENNA - Countries": capitalised as the sentence's first word
            if (
                label == "ORG"
                and 2 <= len(rest) <= 3
                and all(
                    t.pos_ == "PROPN" and t.is_title and t.lower_ not in words.org_words
                    for t in rest
                )
            ):
                label = "PERSON"  # the model read "GENEVA - Ana Soto" as one organisation
        cut = _title_tail(doc, start, end, words.titles)
        if cut:  # "Secretary of [State Pompeo]": the title's last word, then a name
            if label in {"PERSON", "ORG"} and all(
                t.pos_ == "PROPN" and t.is_title for t in doc[start + cut : end]
            ):
                spans.append(Span(doc, start + cut, end, label="PERSON"))
            continue
        country = key_kind_prefix(ent.id_) == KEY_PREFIX[Kind.COUNTRY]
        if country and end - start == 1 and _given_name(doc, start, words):
            start, label = start - 1, "PERSON"  # "Michael Jordan" is no country
            spans.append(Span(doc, start, end, label=label))
            continue
        if label in {"PERSON", "ORG"}:
            end = _extend(doc, ent, end, sid, words)
        if label == "ORG":
            start = _org_head_before(doc, start, sid, words)
        spans.append(Span(doc, start, end, label=label, span_id=ent.id_))
    spans = _org_runs(doc, filter_spans(spans), words, sid)
    spans = _purpose_orgs(doc, spans, words, sid)
    spans = _titled_names(doc, spans, words, sid)
    spans = _office_holders(doc, spans, words, sid)
    # no surname is taken from what is no person ("Joint" of "Joint Statement")
    spans = _no_people(doc, spans, words)
    spans = _no_people(doc, filter_spans(_repeated_surnames(doc, spans, words)), words)
    doc.ents = spans
    for span in spans:  # a span rebuilt over a gazetteer match must not keep its id
        if not span.id_:
            for token in span:
                token.ent_id_ = ""


def _hyphen_joined(doc: Doc, start: int) -> int:
    """Where a name starts that the model cut at a hyphen: "[EU-]China Summit",
    "[US-]Africa Leaders Summit" (capitalised words joined with no space)."""
    while (
        start >= 2
        and doc[start - 1].text == "-"
        and not doc[start - 1].whitespace_
        and not doc[start - 2].whitespace_
        and doc[start - 2].text[:1].isupper()
    ):
        start -= 2
    return start


def _title_tail(doc: Doc, start: int, end: int, titles: frozenset[str]) -> int:
    """How many first words of a span end a title begun before it, when more words
    follow: "Secretary of" + "State Pompeo" -> 1; 0 when the span starts no title's end."""
    for width in (2, 3):
        if start - width < 0:
            continue
        for cut in (1, 2):
            if end - start > cut and doc[start - width : start + cut].text.lower() in titles:
                return cut
    return 0


def _no_people(doc: Doc, spans: list[Span], words: NameWords) -> list[Span]:
    """What the model calls a person but no person is: a capital or host city ("Vilnius
    said", "Sochi"), a title or honorific alone ("Chairperson", "Mr"), a weekday of a
    dateline ("Tues"), a photo credit or a cut line ("Ludovic Marin/", "Press)--The"), a
    news agency or platform ("Sputnik", "Twitter"), a people ("Bahrainis"), an acronym
    ("RJD"), a title with a country's abbreviation ("Acting US", "Special UN"), a region
    ("South China"), words no name has ("Joint Statement", "Boycott"), a name before a
    place noun ("the Bishops Mill pub"), words in lower case, or the tail of a possessive
    ("’s Questions")."""
    out = []
    for span in spans:
        if span.label_ != "PERSON":
            out.append(span)
            continue
        text = span.text.rstrip("-–")  # "Xinjiang-" of "Xinjiang- and Hong Kong-related"
        if text in words.places or text.lower() in words.regions:
            out.append(Span(doc, span.start, span.end, label="GPE"))
            continue
        if text.lower().rstrip(".") in words.not_names:
            continue
        if any(c in text for c in "/()") or "--" in text or any(c.isdigit() for c in text):
            continue
        if text.islower():  # English news capitalises names: "akwa ibom" is none
            continue
        if span[0].tag_ == "POS" or span[0].lower_ in {"'s", "’s"}:
            continue  # "’s Questions" of "Prime Minister’s Questions": a name's tail
        if text[:-1] in words.demonyms and text.endswith("s"):
            continue
        if any(t.lower_ in words.never_in_names for t in span):
            continue  # "Joint Statement", "Related Summits", "Boycott"
        if span.end < len(doc) and doc[span.end].lower_ in words.facility_nouns:
            continue  # "the Bishops Mill pub": a place's name
        if (
            len(span) >= 2
            and span[0].lower_ in words.place_qualifiers
            and span[-1].text in words.names
        ):
            continue  # "South China", "Latin America": a region
        abbreviations = [t for t in span if t.is_upper and len(t.text) >= 2 and t.is_alpha]
        if len(span) == 1 and abbreviations:
            continue
        if any(t.text in words.names for t in abbreviations):
            continue
        out.append(span)
    return out


def office_title_before(
    doc: Doc, i: int, titles: frozenset[str], text: str | None = None
) -> str | None:
    """The office title that the text right before token `i` ends with, in lower case:
    "... UN High Commissioner for Human Rights" before "Ana Ruiz". `text` is `doc.text`
    (which spaCy builds anew on each read: pass it when calling for many tokens)."""
    text = doc.text if text is None else text
    before = " ".join(text[max(0, doc[i].idx - 80) : doc[i].idx].lower().split())
    last = before.rsplit(" ", 1)[-1]
    found = [
        t
        for t in _titles_by_last_word(titles).get(last, ())
        if before.endswith(t) and (len(before) == len(t) or not before[-len(t) - 1].isalnum())
    ]
    return max(found, key=len) if found else None


@cache
def _titles_by_last_word(titles: frozenset[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for title in titles:
        out.setdefault(title.rsplit(" ", 1)[-1], []).append(title)
    return {k: tuple(v) for k, v in out.items()}


def _office_holders(doc: Doc, spans: list[Span], words: NameWords, sid: list[int]) -> list[Span]:
    """A run of capitalised words after the title of an office that is a body ("UN High
    Commissioner for Human Rights Ana Ruiz") names its holder: the small model tends to
    read the title's own capitals into the name, or to see nothing."""
    if not words.office_titles:
        return spans
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    out = list(spans)
    text = doc.text
    for token in doc:
        if not token.is_title or token.pos_ != "PROPN" or token.i == 0:
            continue
        if office_title_before(doc, token.i, words.office_titles, text) is None:
            continue
        end = _name_run(doc, token.i, sid, words.particles)
        if not end:
            continue
        covering = {by_token.get(j) for j in range(token.i, end)}
        if any(s is not None and s.label_ == "PERSON" and s.start == token.i for s in covering):
            continue
        out = [s for s in out if s.end <= token.i or s.start >= end]
        out.append(Span(doc, token.i, end, label="PERSON"))
    return sorted(out, key=lambda s: s.start)


def sentence_ids(doc: Doc) -> list[int]:
    """Each token's sentence number: tokens i and j share `Token.sent` when their numbers
    are equal (comparing `.sent` spans builds both sentences each time)."""
    if not doc.has_annotation("SENT_START"):
        return [t.sent.start for t in doc]  # spaCy's error for a document without sentences
    starts = doc.to_array([SENT_START]).reshape(-1) == 1
    if len(starts):
        starts[0] = False
    return np.cumsum(starts).tolist()  # type: ignore[no-any-return]


DASHES = {"-", "--", "\u2013", "\u2014"}


def _after_dateline(doc: Doc, start: int, end: int) -> int:
    """A news dateline is no part of the name after it: "GENEVA - Richard Bennett", "NEW
    YORK — Amnesty"; the model tends to read the run as one organisation. A hyphen with
    no space either side joins words ("EU-China Summit") and is no dateline's."""
    for i in range(start, min(end, start + 8)):
        if doc[i].text in DASHES and (doc[i].whitespace_ or doc[i - 1].whitespace_):
            head = [t for t in doc[start:i] if t.is_alpha]
            return i + 1 if head and all(t.is_upper for t in head) else start
    return start


def _given_name(doc: Doc, start: int, words: NameWords) -> bool:
    """A one-word country name after a capitalised word that names nothing itself is a
    surname: "Michael Jordan", "Ana Chad". Titles, demonyms and first words do not count."""
    if start == 0:
        return False
    prev = doc[start - 1]
    titles = words.title_heads
    if (
        start >= 2
        and doc[start - 2].pos_ == "PROPN"
        and doc[start - 2].is_title
        and doc[start - 2].lower_ not in titles
    ):
        return False  # a longer name ending in a country: "Burma Campaign UK"
    return (
        prev.pos_ == "PROPN"
        and prev.is_title
        and prev.is_alpha
        and prev.ent_type_ == ""
        and prev.text not in words.names
        and prev.lower_ not in titles
        and prev.lower_ not in words.weak_titles
        and prev.lower_ not in words.org_words
        and prev.lower_ not in words.particles
    )


def _org_head_before(doc: Doc, start: int, sid: list[int], words: NameWords) -> int:
    """Where an organisation's name starts when the model kept only what follows "of":
    "[Department of the] Treasury", "[Ministry of] Foreign Affairs" (a capitalised
    organisation word before "of (the)", and the capitalised words before it that are no
    other name)."""
    i = start - 1
    if i >= 0 and doc[i].lower_ == "the":
        i -= 1
    if i < 1 or doc[i].lower_ not in {"of", "for"}:
        return start
    head = i - 1
    word = doc[head]
    if not (
        word.pos_ == "PROPN"
        and word.is_title
        and word.lower_ in words.org_words
        and word.ent_iob_ == "O"
        and sid[head] == sid[start]
    ):
        return start
    while (
        head > 0
        and doc[head - 1].pos_ == "PROPN"
        and doc[head - 1].is_title
        and doc[head - 1].ent_iob_ == "O"
        and sid[head - 1] == sid[start]
    ):
        head -= 1  # "State Department of ..."
    return head


def _extend(doc: Doc, ent: Span, end: int, sid: list[int], words: NameWords) -> int:
    institutional = any(t.lower_ in {"of", "for"} for t in ent)
    while end < len(doc) and sid[end - 1] == sid[end]:
        last, nxt = doc[end - 1], doc[end]
        links = words.particles if ent.label_ == "PERSON" else words.org_links
        if last.lower_ in links and (nxt.is_title or nxt.is_upper) and nxt.pos_ == "PROPN":
            end += 1
            while (
                end < len(doc)
                and doc[end].pos_ == "PROPN"
                and doc[end].is_title
                and doc[end].ent_iob_ != "B"
            ):
                end += 1
        elif (
            ent.label_ == "ORG"
            and nxt.is_upper
            and len(nxt) in {2, 3}
            and nxt.ent_type_ == "GPE"
            and last.whitespace_
            and (end + 1 == len(doc) or doc[end + 1].pos_ != "PROPN")
        ):
            end += 1  # "Burma Campaign UK", "Amnesty International USA": a national section
            break
        elif (
            ent.label_ == "ORG"
            and institutional
            and nxt.lower_ == "and"
            and end + 1 < len(doc)
            and doc[end + 1].is_title
            and doc[end + 1].pos_ == "PROPN"
            and doc[end + 1].ent_iob_ == "O"
        ):
            # "Ministry of Trade and Industry": the name goes on past "and"
            end += 2
        else:
            break
    return end


LOOSE_LABELS = {"ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "LOC", "EVENT", "LAW"}


def _name_run(doc: Doc, start: int, sid: list[int], particles: frozenset[str]) -> int:
    """End of a run of 2-4 capitalised proper-noun tokens from `start` (0 if none)."""
    end = start
    while (
        end < len(doc)
        and end - start < 5
        and doc[end].pos_ == "PROPN"
        and (doc[end].is_title or doc[end].lower_ in particles)
        and sid[end] == sid[start]
    ):
        end += 1
    return end if 2 <= end - start <= 4 and doc[end - 1].is_title else 0


def _titled_names(doc: Doc, spans: list[Span], words: NameWords, sid: list[int]) -> list[Span]:
    """A run of capitalised words right after a title ("Minister Hossein Amir-Abdollahian")
    or in apposition with a title phrase ("Peru's president, Ana Soto,"; "Ana Soto, Peru's
    deputy commissioner for trade,") names a person, whatever the model called it."""
    heads = words.title_heads
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    out = list(spans)

    def is_title(token: Token, strict: bool) -> bool:
        if token.lower_ not in heads:
            return False
        if token.lower_ in words.weak_titles:
            return not strict or token.i > 0 and doc[token.i - 1].text == "-"
        return True

    def chunk(lo: int, hi: int) -> list[Token]:
        return [t for t in doc[lo:hi]]

    def loose(span: Span | None, start: int, end: int) -> bool:
        """The model's span may give way: no span, a guessed non-person type, or a person
        span that only adds a title ("Chairperson Ana" + "Soto Ruiz")."""
        if span is None:
            return True
        if span.label_ == "PERSON":
            return all(t.lower_ in heads for t in span if not start <= t.i < end)
        return (
            span.label_ in LOOSE_LABELS and not span.id_ and span.start >= start and span.end <= end
        )

    i = 0
    while i < len(doc):
        if doc[i].lower_ in heads:
            i += 1
            continue
        end = _name_run(doc, i, sid, words.particles)
        if not end:
            i += 1
            continue
        covering = {by_token.get(j) for j in range(i, end)}
        if (
            not all(loose(s, i, end) for s in covering)
            or all(
                s is not None and s.label_ == "PERSON" and s.start == i and s.end == end
                for s in covering
            )
            or doc[i:end].text in words.names
            or doc[end - 1].lower_ in words.org_words
            or any(t.lower_ in heads for t in doc[i:end])
        ):
            i = end
            continue
        before = doc[i - 1] if i > 0 else None
        titled = before is not None and before.is_title and is_title(before, True)
        closes = end == len(doc) or doc[end].text in {",", ".", ";"} or doc[end].pos_ == "VERB"
        if not titled and before is not None and before.text == "," and closes:
            lo = i - 2  # "Peru's deputy commissioner for trade, Ana Soto,"
            while (
                lo >= 0
                and doc[lo].text not in {",", ";", "(", ":"}
                and not doc[lo].is_sent_start
                and i - lo < 10
            ):
                lo -= 1
            phrase = chunk(max(lo, 0), i - 1)
            titled = any(is_title(t, False) for t in phrase) and not any(
                t.lower_ in {"whose", "which", "who"} for t in phrase
            )
        if (
            not titled
            and end < len(doc)
            and doc[end].text == ","
            and (
                before is None
                or before.is_sent_start
                or doc[i].is_sent_start
                or before.text in {",", "and", "by", "said"}
            )
        ):
            hi = end + 1  # "Ana Soto, Peru's deputy commissioner for trade,"
            while hi < len(doc) and doc[hi].text not in {",", ";", "."} and hi - end < 20:
                hi += 1
            phrase = chunk(end + 1, hi)
            titled = (
                bool(phrase)
                and phrase[0].lower_ not in {"whose", "which", "who", "where"}
                and any(is_title(t, False) for t in phrase[:5])
                and hi < len(doc)
                and doc[hi].text == ","
            )
        if titled:
            out = [
                s
                for s in out
                if s.end <= i
                or s.start >= end
                or s.label_ != "PERSON"
                and not (i <= s.start and s.end <= end)
            ]
            out = [s for s in out if s.end <= i or s.start >= end]
            out.append(Span(doc, i, end, label="PERSON"))
        i = end
    return sorted(out, key=lambda s: s.start)


def _purpose_orgs(doc: Doc, spans: list[Span], words: NameWords, sid: list[int]) -> list[Span]:
    """An organisation named for its purpose: "Committee to Protect Journalists", "the
    Coalition to End Forced Labour", "Campaign to Stop Killer Robots" -- a capitalised
    organisation word, "to", a capitalised verb and the capitalised words after it."""
    out = list(spans)
    for tok in doc:
        i = tok.i
        if not (
            tok.is_title
            and tok.lower_ in words.purpose_heads
            and i + 3 < len(doc)
            and doc[i + 1].lower_ == "to"
            and doc[i + 2].is_title
            and sid[i + 3] == sid[i]
        ):
            continue
        end = i + 3
        while (
            end < len(doc)
            and sid[end] == sid[i]
            and (
                doc[end].is_title
                or (
                    doc[end].lower_ in words.org_links  # "Committee to Protect ... of Journalists"
                    and end + 1 < len(doc)
                    and doc[end + 1].is_title
                )
            )
        ):
            end += 1
        if end == i + 3:
            continue  # "Council to Vote": a headline, not a name
        start = i
        while (
            start > 0
            and sid[start - 1] == sid[i]
            and doc[start - 1].is_title
            and (doc[start - 1].pos_ == "PROPN")
        ):
            start -= 1
        if start < i and doc[start].lower_ in words.title_heads:
            start = i
        out = [s for s in out if s.end <= start or s.start >= end]
        out.append(Span(doc, start, end, label="ORG"))
    return sorted(out, key=lambda s: s.start)


def _org_runs(doc: Doc, spans: list[Span], words: NameWords, sid: list[int]) -> list[Span]:
    """A run of capitalised words ending in an organisation word names one organisation,
    even when the model saw a place in it: "Burma Campaign UK", "Hong Kong Democracy
    Council". A trailing two- or three-letter country code is a national section."""
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    heads = words.title_heads
    out = list(spans)
    i = 0
    while i < len(doc):
        end = i
        while (
            end < len(doc)
            and doc[end].pos_ == "PROPN"
            and (doc[end].is_title or doc[end].is_upper)
            and sid[end] == sid[i]
        ):
            end += 1
        if end - i < 2:
            i = end + 1 if end == i else end
            continue
        last = end
        if doc[last - 1].is_upper and len(doc[last - 1]) <= 3:
            last -= 1
        inside = [by_token.get(j) for j in range(i, end)]
        if (
            doc[last - 1].lower_ in words.org_words
            and last - i >= 2
            and doc[i].lower_ not in heads
            and not any(
                s is not None
                and (
                    s.label_ == "PERSON"
                    or s.id_
                    and s.label_ != "GPE"
                    or s.start < i
                    or s.end > end
                )
                for s in inside
            )
            and not (
                len({id(s) for s in inside}) == 1
                and inside[0] is not None
                and inside[0].label_ == "ORG"
            )
        ):
            out = [s for s in out if s.end <= i or s.start >= end]
            out.append(Span(doc, i, end, label="ORG"))
        i = end
    return sorted(out, key=lambda s: s.start)


def _repeated_surnames(doc: Doc, spans: list[Span], words: NameWords) -> list[Span]:
    """ "Ana Soto ... Soto said": a lone capitalised word that is the surname (or first
    name) of a person the document names is that person, not an organisation or nothing."""
    names = {s.text for s in spans if s.label_ == "PERSON"}
    parts = {w for n in names if len(n.split()) > 1 for w in (n.split()[-1], n.split()[0])}
    parts -= {w for n in names for w in n.split() if w.lower() in words.particles}
    if not parts:
        return spans
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    out = list(spans)
    for token in doc:
        if token.text not in parts or not token.is_title:
            continue
        span = by_token.get(token.i)
        if token.pos_ != "PROPN" and not (
            # "Abdollahian condemned": a surname the model took for a people's adjective
            span is not None and span.label_ == "NORP" and token.text not in words.demonyms
        ):
            continue
        if span is None:
            out.append(Span(doc, token.i, token.i + 1, label="PERSON"))
        elif span.label_ in LOOSE_LABELS and not span.id_ and span.text == token.text:
            out.remove(span)
            out.append(Span(doc, token.i, token.i + 1, label="PERSON"))
    return sorted(out, key=lambda s: s.start)


class ParseRepair:
    """Re-attach two attachments the small parser often gets wrong, so that rules read
    the sentence as a person would:

    - a person in apposition to a place or body ("the envoy on Myanmar, Ana Soto,"; "the
      head of the IAEA, Luis Rojas,") is in apposition to the title before it;
    - a name coordinated with a verb ("will meet A, head of X, and B") is coordinated with
      the verb's object;
    - a name the parser tore out of a long list ("the ministers of A, B, Brunei Darussalam,
      C and D rejected ...", where "Darussalam" became the verb's subject) is the next
      member of the list.
    """

    def __init__(self, title_heads: frozenset[str]) -> None:
        self.title_heads = title_heads

    def __call__(self, doc: Doc) -> Doc:
        _repair_parse(doc, self.title_heads)
        return doc


@_Language.factory(
    "kg_parse_repair",
    default_config={"gazetteer": GAZETTEER},
    requires=["token.dep", "token.head", "token.pos", "token.ent_type"],
    assigns=["token.head"],
)
def make_parse_repair(nlp: Language, name: str, gazetteer: Gazetteer) -> ParseRepair:
    return ParseRepair(title_heads(gazetteer))


def _repair_parse(doc: Doc, heads: frozenset[str]) -> None:
    for token in doc:
        if (
            token.dep_ == "appos"
            and token.ent_type_ == "PERSON"
            and token.head.ent_type_ in {"GPE", "LOC", "ORG", "NORP", "FAC"}
        ):
            for back in range(token.head.i - 1, max(token.head.i - 9, token.sent.start - 1), -1):
                cand = doc[back]
                if cand.pos_ in {"VERB", "AUX", "PUNCT"} and cand.text != "'s":
                    break
                if (
                    cand.lower_ in heads
                    and cand.pos_ in {"NOUN", "PROPN"}
                    and cand.ent_type_ != "PERSON"
                    and not _is_ancestor(token, cand)
                ):
                    token.head = cand
                    break
        elif (
            token.dep_ == "conj"
            and token.pos_ == "PROPN"
            and token.head.pos_ == "VERB"
            and token.i > token.head.i
            and not any(c.dep_ in {"nsubj", "dobj", "aux"} for c in token.children)
        ):
            objs = [c for c in token.head.children if c.dep_ == "dobj" and c.i < token.i]
            if objs and not _is_ancestor(token, objs[-1]):
                token.head = objs[-1]
    for token in doc:
        member = _torn_list_member(token)
        if member is not None:
            token.head, token.dep_ = member, "conj"
            for child in token.children:  # the members the parser hung on it
                if child.dep_ == "appos" and child.ent_type_ == token.ent_type_:
                    child.dep_ = "conj"


LIST_TYPES = frozenset({"GPE", "ORG", "NORP"})


def _torn_list_member(token: Token) -> Token | None:
    """The list member before `token` when `token` heads a name right after "A, B," that
    the parser attached elsewhere; None when it is in its list already."""
    if token.ent_type_ not in LIST_TYPES or token.dep_ in {"conj", "compound"}:
        return None
    doc = token.doc
    start = token.i
    while start > token.sent.start and doc[start].ent_iob_ == "I":
        start -= 1
    if start - 2 < token.sent.start or doc[start - 1].text != ",":
        return None
    before = doc[start - 2]
    if before.ent_type_ != token.ent_type_ or before.dep_ in {"compound", "appos"}:
        return None
    in_list = before.dep_ == "conj" or any(c.dep_ == "conj" for c in before.children)
    if not in_list or before.head.i == token.i or _is_ancestor(token, before):
        return None
    return before


def _is_ancestor(token: Token, other: Token) -> bool:
    return token.i == other.i or any(a.i == token.i for a in other.ancestors)
