"""Attendance lists: who an article lists under a heading of those attending an event.

News pages list a summit's or a ceremony's guests line by line under a heading ("Countries
whose leaders are attending", "Guest list", "... have confirmed their attendance:"), one country or
leader per line: "Brunei – Sultan Hassanal Bolkiah", "Russia: President X is meeting ...",
"• King Y of Cambodia". No sentence there says "attends"; the heading does. A heading of
those staying away ("Who is not coming", "Staying away") ends the list. The words of both
kinds of heading are lexicon data (``attending_headings``, ``absent_headings``); a
sub-heading ("ASEAN members") or a paragraph between the entries does not end the list.
"""

from __future__ import annotations

import re

from kg.extraction.relations.arguments import Call, sentence_evidence
from kg.model import ACTORS, Kind, Relation

PATTERN = "attends.list-under-heading"
CONFIDENCE = 0.6
HEADING_WORDS = 12  # a heading is a short line with no full stop at its end
# "Brunei – Sultan X", "Saudi Arabia, Qatar, UAE: China is ...", "• King Y of Cambodia"
_ENTRY = re.compile(r"^\s*(?:[•*·▪-]\s*)?(?P<head>[^:–—\n]{2,60}?)\s*(?::|\s[–—-]\s)")
_BULLET = re.compile(r"^\s*[•*·▪]\s*\S")
_HEAD_TOKENS = 12  # the names of an entry are in its first words ...
_NAME_REACH = (
    40  # ... and a person up to this many characters after its head ("Chile: President X")
)


def attendance_lists(
    call: Call, attending: frozenset[str], absent: frozenset[str]
) -> list[Relation]:
    """One `attends` per country and person at the head of each line listed under a
    heading of those attending, to the event the article is about (none without one)."""
    event = call.res.entities.get(call.res.salient_event or "")
    if event is None or event.kind != Kind.EVENT:
        return []
    doc, res = call.doc, call.res
    text = doc.text
    out: list[Relation] = []
    seen: set[str] = set()
    listing = False
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        words = line.lower().split()
        if not words:
            continue
        # a heading: a short line with no full stop, or a line that opens a list with ":"
        heading = (
            len(words) <= HEADING_WORDS and not line.rstrip().endswith(".")
        ) or line.rstrip().endswith(":")
        lowered = " ".join(words)
        if heading and any(w in lowered for w in absent):
            listing = False
            continue
        if heading and any(w in lowered for w in attending) and not _ENTRY.match(line):
            listing = True
            continue
        if not listing:
            continue
        entry = _ENTRY.match(line)
        if entry is None and not _BULLET.match(line):
            continue  # a sub-heading ("ASEAN members") or a paragraph between entries
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        limit = start + (entry.end() if entry else len(line))
        tokens = [t for t in span[:_HEAD_TOKENS] if t.idx < limit + _NAME_REACH]
        for token in tokens:
            entity = res.entity_at(token)
            if (
                entity is None
                or entity.kind not in ACTORS
                or entity.key in seen
                or res.token_key.get(token.i - 1) == entity.key
            ):
                continue
            if entity.kind == Kind.PERSON or token.idx < limit:
                seen.add(entity.key)
                evidence = sentence_evidence(
                    call, token.sent, token.text, event.label, PATTERN, CONFIDENCE
                )
                out.append(Relation(entity.key, "attends", event.key, evidence))
    return out
