"""The gazetteer's entity ruler: spaCy's EntityRuler with the gazetteer's names as phrase
patterns (their `id` is the entity key) and event names found by `EventMatcher`.

The component receives the gazetteer through its config (``{"@misc": "kg.gazetteer.v1"}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from spacy.language import Language as _Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc, Token

from kg.extraction.config import GAZETTEER
from kg.extraction.gazetteer import YEAR_REGEX, Gazetteer, ruler_patterns

if TYPE_CHECKING:
    from spacy.language import Language


class EventMatcher:
    """Event names: a kind of event ("winter olympics", "asean summit", in any case), with
    the host and year that stand before it ("Beijing 2022 Winter Olympics", "the 1980
    Moscow Olympics", "2022 Beijing Winter Olympics") or after it ("the Winter Olympics in
    Beijing", "the World Cup 2018"); and a host followed by a year ("Moscow 1980").

    A word that names a family of events only ("Olympics", "Paralympics") counts when it
    is capitalised; a bare "Games" only with a host or a year ("the Beijing Games"):
    alone it refers back, which `kg.extraction.entities` resolves. Phrase matchers look the
    words up in a table (a token Matcher with these patterns took fifty times as long)."""

    def __init__(
        self,
        nlp: Language,
        kinds: Iterable[Sequence[str]],
        hosts: Iterable[str],
        family_only: Iterable[str] = (),
        label: str = "EVENT",
    ) -> None:
        vocab = nlp.vocab
        self.key = vocab.strings.add(label)
        self.year = re.compile(YEAR_REGEX)
        self.family_only = frozenset(family_only)
        self.kinds = PhraseMatcher(vocab, attr="LOWER")
        # {"LOWER": "Cup"} matches no token, so a word with a capital never matches
        patterns = [
            Doc(vocab, words=list(k)) for k in kinds if k and all(w == w.lower() for w in k)
        ]
        if patterns:
            self.kinds.add("kind", patterns)
        self.places = PhraseMatcher(vocab, attr="ORTH")
        places = [nlp.make_doc(h) for h in sorted(set(hosts)) if h]
        if places:
            self.places.add("host", places)

    def _is_year(self, token: Token) -> bool:
        return bool(self.year.search(token.text))

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        found: set[tuple[int, int]] = set()
        host_end: dict[int, int] = {}  # start -> end of the longest host name there
        host_start: dict[int, int] = {}  # end -> start of the longest host name ending there
        for _, start, end in self.places(doc) if len(self.places) else ():
            host_end[start] = max(end, host_end.get(start, end))
            host_start[end] = min(start, host_start.get(end, start))
        for _, s, e in self.kinds(doc) if len(self.kinds) else ():
            kind = " ".join(t.lower_ for t in doc[s:e])
            kind = " ".join(kind.replace(" - ", "-").split())  # as the catalogue spells kinds
            if kind in self.family_only and not (doc[s].is_title or doc[s].is_upper):
                continue  # "video games", "the olympics of diplomacy"
            start, end = s, e
            if start >= 1 and self._is_year(doc[start - 1]):
                start -= 1
                start = host_start.get(start, start)
            elif start in host_start:
                start = host_start[start]
                if start >= 1 and self._is_year(doc[start - 1]):
                    start -= 1
            if end + 1 < len(doc) and doc[end].lower_ == "in" and end + 1 in host_end:
                end = host_end[end + 1]
            if end < len(doc) and self._is_year(doc[end]):
                end += 1
            if kind == "games" and (start, end) == (s, e):
                continue  # a bare "Games" refers back
            found.add((start, end))
        for start, end in host_end.items():
            if end < len(doc) and self._is_year(doc[end]):
                found.add((start, end + 1))
        # names that touch are one name: "the COP26 climate summit"
        for s1, e1 in sorted(found):
            for s2, e2 in sorted(found):
                if e1 == s2 and s1 < s2:
                    found.add((s1, e2))
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
        EventMatcher(
            nlp,
            gazetteer.catalog.kind_words(),
            [*gazetteer.capitals, *gazetteer.catalog.hosts],
            [k for k in gazetteer.catalog.kinds() if gazetteer.catalog.family_only(k)],
        ),
        phrase_matcher_attr=phrase_matcher_attr,
        overwrite_ents=overwrite_ents,
    )
    with nlp.select_pipes(enable=[]):  # phrase patterns match on ORTH: tokens are enough
        ruler.add_patterns(ruler_patterns(gazetteer))  # type: ignore[arg-type]
    return ruler
