"""What of an article's text is the story, and what is the page around it.

News text copied from the web carries its page along: a source and date in brackets
before the first sentence ("(Agency, Jul 21) –"), datelines ("GENEVA, June 9 (Reuters)
--"), bylines and time stamps ("Jane Roe | August 26, 2022 | 5:42am EDT"), share buttons
and advertisement slots, photo credits ("©Agency", "(Photo by A/B via C)"). None of it is
a sentence of the story, and each piece confuses the parser of the sentence it touches.

`furniture(text, lexicon)` finds those spans; `story_text` blanks them out character for
character (line breaks kept), so spaCy parses the story while every offset still points
into the document's text. Pure functions over strings: no spaCy here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Span = tuple[int, int]

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY_MONTH = rf"(?:{_MONTH}\s*\d{{1,2}}|\d{{1,2}}\s*{_MONTH})"
_TIME = r"\d{1,2}[:.]\d\d(?:[:.]\d\d)?\s*(?:[ap]\.?m\.?|AM|PM)?(?:\s*[A-Z]{2,4})?"
_DATE = (
    rf"(?:\d{{4}}-\d\d-\d\d|{_DAY_MONTH},?\s*(?:\d{{4}}|'\d\d|’\d\d)?"
    r"|\d{1,2}/\d{1,2}/\d{2,4})"
)
# "(Reuters) –", "(TibetanReview.net, Jul21’22) –", "(CNSNews.com) –" at a paragraph's start
_SOURCE_PARENS = re.compile(
    r"\A[ \t]*\((?P<name>[A-Za-z][\w .&'’-]{1,40}?)(?:,\s*[^()\n]{1,24})?\)\s*(?:--|[-–—•:])\s+"
    r"|\A[ \t]*\((?P<agency>[A-Z]{2,10})\)[ \t]+(?=[A-Z])"  # "(MENAFN) The council met"
)
# "GENEVA, June 9 (Reuters) --", "UNITED NATIONS, Oct. 6 (Xinhua) --", "KYIV, Ukraine —",
# "(LUXEMBOURG) –", "GENEVA •", "ROME, (Agency / Wire - 4th May, 2021 ) :The": a place in
# capitals, maybe a date and an agency (with its own date), a dash
_DATELINE = re.compile(
    r"\A[ \t]*\(?(?P<place>[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+){0,3})\)?"
    rf"(?:,[ \t]*(?:{_DAY_MONTH}|[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?(?:,[ \t]*{_DAY_MONTH})?))?"
    r"(?:,?[ \t]*\([A-Za-z][^()\n]{1,60}\)[ \t]*(?:--|[-–—•:])?[ \t]*|[ \t]*(?:--|[-–—•:])[ \t]+)"
    r"(?=\S)"
)
_CREDIT = re.compile(
    r"[ \t]*(?:©|\(c\)|Ⓒ)[ \t]*[A-Z][\w.&'’ -]{1,40}$"  # "... in Beijing ©Getty Images"
    r"|[ \t]*\((?:Photo|Image|Picture|File photo|Credit)s?\b[^()\n]{0,120}\)"
    r"|[ \t]*(?:Photo|Image|Picture|Credit)s?:[ \t]*[A-Z][^\n.]{0,60}$",
    re.MULTILINE,
)
# each credit has one of these: a line without any is not searched
_CREDIT_WORDS = ("©", "(c)", "Ⓒ", "Photo", "Image", "Picture", "File photo", "Credit")
_TIMESTAMP = re.compile(rf"{_TIME}|{_DATE}|\b(?:19|20)\d\d\b")
_CLOCK_OR_DATE = re.compile(rf"{_TIME}|{_DATE}")  # a bare year is no stamp: "... 2030 Games"
# three lower-case words running; possessive, from a word's start: linear on any line
_PROSE = re.compile(r"\b[a-z]{3,}+\s++[a-z]{3,}+\s++[a-z]{3,}")
_LONGEST_FURNITURE = 240  # characters: a longer line is story (bylines, stamps are short)
_FIELD_SEPARATORS = re.compile(r"\s[|/]\s|\|")
# a sentence ends after a word (not an initial: "The U.N. General Assembly") and a stop
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)”\"’']{2}[.!?])\s+(?=[A-Z“\"‘'])")


@dataclass(frozen=True)
class PageLexicon:
    """Words of page furniture: whole lines such as "Advertisement", "Share this", "Breaking
    News"; words that open a time-stamp line ("Published", "Updated", "Posted")."""

    lines: frozenset[str]
    stamp_words: frozenset[str]
    act_verbs: frozenset[str] = frozenset()  # "condemn": a quote opening at it is unmarked

    @classmethod
    def of(
        cls, lines: Iterable[str], stamp_words: Iterable[str], act_verbs: Iterable[str] = ()
    ) -> PageLexicon:
        return cls(
            frozenset(_key(x) for x in lines),
            frozenset(w.lower() for w in stamp_words),
            frozenset(w.lower() for w in act_verbs),
        )


def _key(line: str) -> str:
    """A line as the lexicon lists it: lower case, digits and punctuation dropped, spaces
    collapsed ("0 SHARES Share Tweet" -> "shares share tweet")."""
    return " ".join(re.sub(r"[^a-z ]+", " ", line.lower()).split())


def _is_furniture_line(line: str, lexicon: PageLexicon) -> bool:
    text = line.strip()
    if not text or len(text) > _LONGEST_FURNITURE:
        return False
    key = _key(text)
    if not key:
        return True  # only digits and punctuation
    if key in lexicon.lines:
        return True
    words = key.split()
    # a stamp line is short, has a time or date and no prose; the cheap tests go first
    # (a line with a clock or date has a stamp: _CLOCK_OR_DATE is part of _TIMESTAMP)
    if len(words) > 14 or not _TIMESTAMP.search(text) or _PROSE.search(text):
        return False
    if words[0] in lexicon.stamp_words and len(words) <= 10:
        return True  # "Published: Dec 07, 2021 01:04 PM", "Updated Aug 31, 2022 - Politics"
    if _FIELD_SEPARATORS.search(text):
        return True  # "Jane Roe | August 26, 2022 | 5:42am EDT", "Source: X| 2020-10-07 |"
    # "Nov 14, 2022 / 03:28 PM IST", "(Xinhua) 09:29, July 15, 2021": a stamp, no prose
    return len(words) <= 8 and bool(_CLOCK_OR_DATE.search(text))


def furniture(text: str, lexicon: PageLexicon) -> list[Span]:
    """Character spans of `text` that belong to the page, not the story, in order."""
    spans: list[Span] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if _is_furniture_line(line, lexicon):
            spans.append((start, end))
        else:
            offset = start
            rest = line
            for pattern in (_SOURCE_PARENS, _DATELINE):
                found = pattern.match(rest)
                if found and _dateline_ok(found, rest):
                    spans.append((offset, offset + found.end()))
                    offset += found.end()
                    rest = rest[found.end() :]
            if any(word in line for word in _CREDIT_WORDS):
                for credit in _CREDIT.finditer(line):
                    spans.append((start + credit.start(), start + credit.end()))
        start = end + 1
    return _merged(spans)


def _dateline_ok(found: re.Match[str], line: str) -> bool:
    """A dateline leads into a sentence: what follows starts with a capital or a digit and is
    prose (several words), so a headline such as "UN: Report Due" is not cut."""
    rest = line[found.end() :]
    if not rest[:1].isupper() and not rest[:1].isdigit() and rest[:1] not in "\"“'‘":
        return False
    place = found.groupdict().get("place")
    if place is not None and (len(place) < 3 or not any(c.isalpha() for c in place)):
        return False
    return len(rest.split()) >= 5


def _merged(spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif end > start:
            out.append((start, end))
    return out


def blank(text: str, spans: Iterable[Span]) -> str:
    """`text` with each span's characters replaced by spaces (line breaks kept)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def story_text(text: str, lexicon: PageLexicon) -> str:
    """The text spaCy should read: the page furniture blanked out, quotes that open at
    their speaker's verb unmarked (`unquote_verbs`) and the title "PM" before a name
    written "Pm", sentence offsets unchanged."""
    spans = furniture(text, lexicon)
    text = blank(text, spans) if spans else text
    return unquote_verbs(_PRIME_MINISTER.sub("Pm", text), lexicon.act_verbs)


_ITEM = re.compile(r"[ \t]*(?:[-*•–—]|\d{1,2}[.)])\s")


def unwrap(text: str) -> str:
    """Hard-wrapped text (plain-text wire copy, e-mail, a PDF's lines: every line cut near
    one width, paragraphs between blank lines) with each line break inside a paragraph made
    a space, so that a sentence cut at the margin is one sentence again; same length and
    offsets. A line well short of the width ends its paragraph (a headline, a list's line);
    a line that opens with a bullet or a number starts one. Text whose lines are not of one
    width, the usual one-line paragraphs of web copy, is returned as it is."""
    lines = text.split("\n")
    lengths = [len(line.rstrip()) for line in lines if line.strip()]
    if len(lengths) < 4:
        return text
    width = max(lengths)
    if width > 100 or sum(n >= 0.75 * width for n in lengths) < 0.6 * len(lengths):
        return text
    out = []
    for line, nxt in zip(lines, lines[1:], strict=False):
        join = len(line.rstrip()) >= 0.6 * width and bool(nxt.strip()) and not _ITEM.match(nxt)
        out.append(line + (" " if join else "\n"))
    out.append(lines[-1])
    return "".join(out)


# "Italian PM Ana Ruiz": the small model reads "PM" as the time of day and cuts the name out
# of the sentence; written "Pm", it is a title. Not after a digit ("at 5 PM Monday").
_PRIME_MINISTER = re.compile(r"(?:(?<=[A-Za-z’'] )|^)PM(?= [A-Z][a-z])", re.MULTILINE)


# 'Soto "condemned the decision of ...", a statement said': a quotation that opens at the
# verb of the name before it; the mark makes the small model read the verb as an adjective
_VERB_QUOTE = re.compile(r"\b[A-Z][\w’'.-]{1,30} ([\"“])(?=[a-z]+ed\b)")


def unquote_verbs(text: str, verbs: frozenset[str]) -> str:
    """Each quotation that opens at the past tense of one of `verbs` (the acts relations
    are about: "condemn", "urge") right after a name ('Soto "condemned X", a statement
    said') without its two marks: the quoted words move left by one character and two
    spaces take the closing mark's place, so that every offset outside the quotation is
    unchanged ('Soto condemned X  , a statement said'). A quote that opens at a verb of
    saying ('"expressed his pleasure"') stays a quote; a mark with no closing one on its
    line is left alone."""
    found = [
        m for m in _VERB_QUOTE.finditer(text) if _stem_in(text[m.end(1) :].split(None, 1)[0], verbs)
    ]
    if not found:
        return text
    chars = list(text)
    for match in found:
        start = match.start(1)
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        closes = [
            i
            for i in (text.find('"', start + 1, line_end), text.find("”", start + 1, line_end))
            if i >= 0
        ]
        if not closes:
            continue
        close = min(closes)
        chars[start : close + 1] = [*text[start + 1 : close], " ", " "]
    return "".join(chars)


def _stem_in(word: str, verbs: frozenset[str]) -> bool:
    """ "condemned", "urged", "committed": a past tense of one of the verbs."""
    word = word.lower().rstrip(",.;:")
    return word.endswith("ed") and any(word[:-n] in verbs for n in (1, 2, 3))


def first_story_line(text: str, lexicon: PageLexicon, limit: int = 200) -> str:
    """The document's title: its first line that is not page furniture; a first paragraph
    that is a whole story sentence gives its first sentence, cut at `limit` characters."""
    head = text[: 50 * limit]  # the title is near the top: never read a whole long document
    for line in story_text(head, lexicon).split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        if len(line) > limit or (line.endswith(".") and len(line.split()) > 25):
            sentence = _SENTENCE_END.split(line, maxsplit=1)[0]
            return sentence[:limit].rstrip()
        return line
    return ""


# -- headlines in Title Case ----------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*")
_MINOR = frozenset(
    "a an and as at but by for from in into of off on onto or over per the to up upon via vs "
    "with".split()
)


_ENTRY = re.compile(r"\s*(?:[-*•]\s+)?([A-Z][\w'’.]*(?: [A-Z][\w'’.]*)*)\s+[–—:-]\s+\S")


def _title_case(line: str) -> bool:
    """A headline written in Title Case: at least four words, and all but minor words and
    numbers capitalised ("Japan Joins US In Diplomatic Boycott Of Games")."""
    if len(line) > _LONGEST_FURNITURE:
        return False  # a headline is short; a long line is story
    words = _WORD.findall(line)
    if len(words) < 4 or line.rstrip().endswith((".", "?", "!")) and len(words) > 20:
        return False
    content = [w for w in words if w.lower() not in _MINOR or w[0].isupper()]
    capitalised = [w for w in content if w[0].isupper()]
    return (
        len(capitalised) >= 4
        and len(capitalised) >= 0.85 * len(content)
        and sum(1 for w in words[1:] if w.lower() in _MINOR and w[0].isupper()) >= 1
        or len(capitalised) >= 5
        and len(capitalised) == len(content)
    )


def _proper_words(text: str) -> set[str]:
    """Words the article capitalises inside a sentence (after a lower-case word): names."""
    found: set[str] = set()
    for line in text.split("\n"):
        if _title_case(line):
            continue
        for m in re.finditer(r"(?<=[a-z,;] )([A-Z][A-Za-z'’-]+)", line):
            found.add(m.group(1))
    return found


def _list_entry(line: str, names: frozenset[str]) -> bool:
    """A line of a list that pairs a known name with a person, not a headline: "Cambodia –
    Prime Minister Hun Sen", "European Council: President Ana Berg"."""
    m = _ENTRY.match(line)
    return m is not None and m.group(1) in names


def truecase_headlines(text: str, names: frozenset[str]) -> str:
    """Title-Case lines with the capitals of ordinary words lowered, so the parser reads
    "Japan Joins US In Diplomatic Boycott Of Games" as it reads "Japan joins US in
    diplomatic boycott of Games". A word keeps its capital when it opens the line, is in
    capitals (US, IOC), is (part of) a known name in `names`, or is one the article
    capitalises inside its sentences. Same length and offsets as `text`."""
    lines = text.split("\n")
    if not any(_title_case(line) for line in lines):
        return text
    proper = _proper_words(text)
    out = []
    for line in lines:
        if not _title_case(line) or _list_entry(line, names):
            out.append(line)
            continue
        keep: set[int] = set()
        for name in names:
            if " " in name and name in line:
                start = line.index(name)
                keep.update(range(start, start + len(name)))
        chars = list(line)
        first = True
        for m in _WORD.finditer(line):
            word = m.group(0)
            bare = word.rstrip(".'’")
            before = line[max(0, m.start() - 8) : m.start()].rstrip()
            opening = first or before.endswith((":", "–", "—", "-", "|"))
            first = False
            lowered = word.lower()
            if (
                opening
                or word.isupper()
                or bare in names
                or word in proper
                or m.start() in keep
                or len(lowered) != len(word)
                or not word[0].isupper()
            ):
                continue
            chars[m.start() : m.end()] = lowered
        out.append("".join(chars))
    return "\n".join(out)
