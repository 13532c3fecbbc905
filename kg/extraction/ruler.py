"""The gazetteer's entity ruler: spaCy's EntityRuler with the gazetteer's names as phrase
patterns (their `id` is the entity key) and event names found by `EventMatcher`.

The component receives the gazetteer through its config (``{"@misc": "kg.gazetteer.v1"}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from spacy.language import Language as _Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from kg.extraction.config import GAZETTEER
from kg.extraction.gazetteer import (
    YEAR_REGEX,
    Gazetteer,
    event_cities,
    event_heads,
    ruler_patterns,
)

if TYPE_CHECKING:
    from spacy.language import Language


class EventMatcher:
    """The matches of `kg.extraction.gazetteer.event_patterns`, found from each kind of
    event's words outwards: a kind ("winter olympics", any case), optionally after a year,
    a city, or a city and a year in either order; and a city followed by a year ("Beijing
    2022").

    Returns what spaCy's token Matcher returns for those patterns, in its order (by end,
    then start), in a fiftieth of its time: the Matcher tries ~500 patterns with set and
    regex predicates at every token, these phrase matchers look words up in a table."""

    def __init__(
        self, vocab: Vocab, heads: Iterable[list[str]], cities: Iterable[str], label: str = "EVENT"
    ) -> None:
        self.key = vocab.strings.add(label)
        self.year = re.compile(YEAR_REGEX)
        self.cities = frozenset(cities)
        self.kinds = PhraseMatcher(vocab, attr="LOWER")
        # {"LOWER": "Cup"} matches no token, so a word with a capital never matches
        kinds = [Doc(vocab, words=h) for h in heads if h and all(w == w.lower() for w in h)]
        if kinds:
            self.kinds.add("kind", kinds)
        self.places = PhraseMatcher(vocab, attr="ORTH")
        if self.cities:
            self.places.add("city", [Doc(vocab, words=[c]) for c in sorted(self.cities)])

    def _is_year(self, token: Token) -> bool:
        return bool(self.year.search(token.text))

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        found: set[tuple[int, int]] = set()
        city_at = {start for _, start, _ in self.places(doc)} if len(self.places) else set()
        for _, start, end in self.kinds(doc) if len(self.kinds) else ():
            found.add((start, end))
            if start >= 1:
                year1 = self._is_year(doc[start - 1])
                if year1 or start - 1 in city_at:
                    found.add((start - 1, end))
                if start >= 2 and (
                    start - 2 in city_at
                    and year1
                    or start - 1 in city_at
                    and self._is_year(doc[start - 2])
                ):
                    found.add((start - 2, end))
        for start in city_at:
            if start + 1 < len(doc) and self._is_year(doc[start + 1]):
                found.add((start, start + 2))
        return [(self.key, s, e) for s, e in sorted(found, key=lambda m: (m[1], m[0]))]


class GazetteerRuler(EntityRuler):
    """spaCy's EntityRuler with its phrase patterns (the gazetteer's names) and the event
    names of `EventMatcher` in place of token patterns; matches are chosen as the
    EntityRuler chooses them (longest first, then leftmost)."""

    def __init__(self, nlp: Language, name: str, events: EventMatcher, **config: Any) -> None:
        super().__init__(nlp, name, **config)
        self.events = events

    def match(self, doc: Doc) -> list[tuple[int, int, int]]:
        matches = self.events(doc) + list(self.phrase_matcher(doc))
        final = {(m_id, start, end) for m_id, start, end in matches if start != end}
        return sorted(final, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)


@_Language.factory(
    "kg_gazetteer",
    default_config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True, "gazetteer": GAZETTEER},
    assigns=["doc.ents", "token.ent_type", "token.ent_iob"],
)
def make_gazetteer_ruler(
    nlp: Language, name: str, phrase_matcher_attr: str, overwrite_ents: bool, gazetteer: Gazetteer
) -> GazetteerRuler:
    ruler = GazetteerRuler(
        nlp,
        name,
        EventMatcher(nlp.vocab, event_heads(gazetteer), event_cities(gazetteer)),
        phrase_matcher_attr=phrase_matcher_attr,
        overwrite_ents=overwrite_ents,
    )
    with nlp.select_pipes(enable=[]):  # phrase patterns match on ORTH: tokens are enough
        ruler.add_patterns(ruler_patterns(gazetteer))  # type: ignore[arg-type]
    return ruler
