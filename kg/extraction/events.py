"""Events and their editions: which event a mention names, and one label and key per edition.

Recurring events whose editions are known (the Olympic and Paralympic Games, the FIFA World
Cup) are general knowledge, kept as data in kg/resources/events.json: each series' editions
by year with the host. A mention says part of an edition ("Beijing 2022 Winter Olympic and
Paralympic Games", "the 1980 Moscow Olympics", "the Winter Olympics in Beijing", "Moscow
1980"); the catalogue completes it (Beijing hosted one Winter Olympics: 2022; Moscow one
Olympics: the 1980 Summer Games), and the edition is labelled as reference works title it,
"2022 Winter Olympics", so the same edition named in two articles is one entity and two
editions named in one article ("Moscow 1980 and Los Angeles 1984") are two. A mention that
names no edition ("the Winter Olympics", "the Games") is the edition the article named last
of that family, else the next one, else the first edition on or after the article's date.
Other kinds of event (summits, conferences) keep the name the article gives, one per kind.

Pure functions over mention texts: no spaCy here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

_YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass(frozen=True)
class Catalog:
    """What kg knows about events: kinds, series, families, editions, host cities."""

    series_of_kind: Mapping[str, str]  # "winter games" -> "Winter Olympics"
    family_of_kind: Mapping[str, str]  # "olympics" -> "olympics", "winter games" -> "olympics"
    family_of_series: Mapping[str, str]  # "Winter Olympics" -> "olympics"
    editions: Mapping[str, Mapping[int, str]]  # series -> year -> host
    hosts: Mapping[str, str]  # a spelling of a host -> the host as the catalogue names it
    other_kinds: Sequence[str]  # other kinds of event, lower case, longest first
    canonical: Mapping[str, str]  # how to write an other kind: "eu summit" -> "EU Summit"
    head_words: Sequence[tuple[str, ...]] = ()  # other kinds as spaCy tokenizes them
    # every host spelling in one pattern, longest first (compiled once, not per mention)
    host_pattern: re.Pattern[str] = field(default=re.compile(r"(?!)"), compare=False)

    @classmethod
    def of(cls, events: Mapping[str, Any], cities: Iterable[str] = ()) -> Catalog:
        series_of_kind: dict[str, str] = {}
        family_of_kind: dict[str, str] = {}
        family_of_series: dict[str, str] = {}
        editions: dict[str, dict[int, str]] = {}
        hosts: dict[str, str] = {c: c for c in cities}
        for name, info in events.get("series", {}).items():
            family_of_series[name] = info["family"]
            editions[name] = {int(y): host for y, host in info["editions"].items()}
            for kind in info["kinds"]:
                series_of_kind[kind] = name
                family_of_kind[kind] = info["family"]
            for host in editions[name].values():
                hosts.setdefault(host, host)
        for family, kinds in events.get("family_kinds", {}).items():
            for kind in kinds:
                family_of_kind.setdefault(kind, family)
        hosts.update(events.get("city_names", {}))
        words = [
            tuple(h) if isinstance(h, list) else tuple(h.split())
            for h in events.get("event_heads", [])
        ]
        heads = {" ".join(w): w for w in words if " ".join(w) not in family_of_kind}
        spellings = sorted(hosts, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![\w-])(" + "|".join(re.escape(h) for h in spellings) + r")(?![\w-])"
            if spellings
            else r"(?!)"
        )
        return cls(
            series_of_kind,
            family_of_kind,
            family_of_series,
            editions,
            hosts,
            sorted(heads, key=len, reverse=True),
            dict(events.get("canonical", {})),
            tuple(heads.values()),
            pattern,
        )

    def kinds(self) -> list[str]:
        """Every kind of event a mention may be built on, lower case."""
        return sorted({*self.family_of_kind, *self.other_kinds})

    def kind_words(self) -> list[tuple[str, ...]]:
        """Every kind as the words a tokenizer gives ("u.n.", "climate", "conference")."""
        return sorted({*(tuple(k.split()) for k in self.family_of_kind), *self.head_words})

    def family_only(self, kind: str) -> bool:
        """ "Olympics", "Games": names a family, not which series of it."""
        return kind in self.family_of_kind and kind not in self.series_of_kind


@dataclass(frozen=True)
class EventName:
    """What one mention says of its event."""

    kind: str  # the kind as written, lower case ("winter olympic and paralympic games")
    series: str | None = None  # "Winter Olympics"
    family: str | None = None  # "olympics"
    year: int | None = None
    host: str | None = None


@dataclass
class Edition:
    """One event of the article: its label and the names the article gave it."""

    label: str
    family: str | None
    series: str | None = None
    year: int | None = None
    host: str | None = None
    names: list[str] = field(default_factory=list)

    @property
    def aliases(self) -> list[str]:
        """The article's names, and the host-and-year forms news uses ("Beijing 2022")."""
        out = list(self.names)
        if self.host and self.year and self.series:
            out += [f"{self.host} {self.year}", f"{self.host} {self.year} {self.series}"]
        return out


def _first_longest(pattern: re.Pattern[str], text: str) -> str | None:
    """The longest host spelling in `text` (as the old loop over spellings, longest first,
    found it: the alternation tries the longest first at each place, so compare lengths)."""
    matches = [m.group(1) for m in pattern.finditer(text)]
    return max(matches, key=len) if matches else None


def read_name(text: str, catalog: Catalog) -> EventName | None:
    """The kind, series, year and host a mention's words give, or None if they name no kind
    (a host and a year name the edition they fit: "Moscow 1980", "Qatar 2022")."""
    lower = " ".join(text.lower().split())
    kind = _longest(lower, catalog.kinds())
    year_match = _YEAR.search(text)
    year = int(year_match.group(0)) if year_match else None
    found = _first_longest(catalog.host_pattern, text)
    host = catalog.hosts[found] if found is not None else None
    if kind is None:
        if year is None or host is None:
            return None
        fits = [s for s, e in catalog.editions.items() if e.get(year) == host]
        # the Olympics before the Paralympics of the same city and year ("Beijing 2022")
        fits.sort(key=lambda s: catalog.family_of_series[s] == "paralympics")
        if not fits:
            return None
        return EventName("", fits[0], catalog.family_of_series[fits[0]], year, host)
    return EventName(
        kind, catalog.series_of_kind.get(kind), catalog.family_of_kind.get(kind), year, host
    )


def _longest(text: str, kinds: Iterable[str]) -> str | None:
    """The longest kind the text names; a numbered one before any other ("the COP28
    climate summit" is COP28, not some climate summit)."""
    best = None
    for kind in kinds:  # a kind not in the text as a substring is not in it as a word
        if (
            (best is None or _rank(kind) > _rank(best))
            and kind in text
            and re.search(rf"(?<![\w-]){re.escape(kind)}(?![\w-])", text)
        ):
            best = kind
    return best


def _rank(kind: str) -> tuple[bool, int]:
    return any(c.isdigit() for c in kind), len(kind)


def complete(name: EventName, catalog: Catalog) -> EventName:
    """Fill in what the catalogue knows for sure: the series of a family word that only one
    series fits ("the Moscow Olympics": Moscow hosted Summer Games only), the year of a
    host that held one edition of the series, the host of a year."""
    series, year, host = name.series, name.year, name.host
    if series is None and name.family is not None and (year is not None or host is not None):
        fits = _series_fitting(name.family, year, host, catalog)
        if len(fits) == 1:
            series = fits[0]
    if series is not None and series in catalog.editions:
        editions = catalog.editions[series]
        if year is None and host is not None:
            years = [y for y, h in editions.items() if h == host]
            year = years[0] if len(years) == 1 else None
        if year is not None and host is None:
            host = editions.get(year)
        if year is not None and year not in editions:
            series = name.series  # "the 2023 Olympics" is no edition: keep what was said
    family = name.family or (catalog.family_of_series.get(series) if series else None)
    return EventName(name.kind, series, family, year, host)


def _series_fitting(family: str, year: int | None, host: str | None, catalog: Catalog) -> list[str]:
    members = [s for s, f in catalog.family_of_series.items() if f == family]
    return [s for s in members if _fits(catalog.editions[s], year, host)]


def _fits(editions: Mapping[int, str], year: int | None, host: str | None) -> bool:
    if year is not None:
        return year in editions and (host is None or editions[year] == host)
    if host is not None:
        return host in editions.values()
    return True


def editions(
    texts: Sequence[str],
    catalog: Catalog,
    date: str | None = None,
    minor: frozenset[str] = frozenset(),
) -> list[Edition | None]:
    """The edition of each mention, in order (None for a mention that names no kind).

    Mentions that name the same edition share one `Edition` object."""
    names = [read_name(t, catalog) for t in texts]
    done = [complete(n, catalog) if n is not None else None for n in names]
    for i, text in enumerate(texts):
        if done[i] is None:
            done[i] = _same_year_edition(text, done, catalog)
    by_key: dict[tuple[Any, ...], Edition] = {}
    out: list[Edition | None] = []
    for i, name in enumerate(done):
        if name is None:
            out.append(None)
            continue
        if name.family is not None:
            known = _named_edition(name, done, i, catalog, date)
            key: tuple[Any, ...] = ("series", *known)
            series, year, host = known
            label = f"{year} {series}" if year and series else series or _family_label(name)
            edition = by_key.setdefault(key, Edition(label, name.family, series, year, host))
        else:
            key = ("kind", name.kind)
            edition = by_key.get(key) or by_key.setdefault(
                key, Edition(_other_label(done, name.kind, texts, catalog, minor), None)
            )
        if texts[i] not in edition.names:
            edition.names.append(texts[i])
        out.append(edition)
    return out


def _same_year_edition(
    text: str, done: Sequence[EventName | None], catalog: Catalog
) -> EventName | None:
    """A host-and-year mention the catalogue does not know ("Paris 2030" where the article
    says Paris will host the 2030 Winter Olympics) names the one edition of that year the
    article names elsewhere; None when it names none or several."""
    year_match = _YEAR.search(text)
    if year_match is None or catalog.host_pattern.search(text) is None:
        return None
    year = int(year_match.group(0))
    same = {(n.series, n.year) for n in done if n is not None and n.year == year and n.series}
    if len(same) != 1:
        return None
    return next(n for n in done if n is not None and (n.series, n.year) in same)


def _named_edition(
    name: EventName, done: Sequence[EventName | None], i: int, catalog: Catalog, date: str | None
) -> tuple[str | None, int | None, str | None]:
    """(series, year, host) of a mention of a series or family: its own if it names the
    edition, else the edition the article named last before it (else next after it) that it
    fits, else the first edition of its series on or after the article's date."""
    if name.year is not None and name.series is not None:
        return name.series, name.year, name.host
    order = [*reversed(range(i)), *range(i + 1, len(done))]
    for j in order:
        other = done[j]
        if other is None or other.year is None or other.series is None:
            continue
        if other.family == name.family and name.series in (None, other.series):
            if name.host is None or name.host == other.host:
                return other.series, other.year, other.host
    # the article's own date: the first edition on or after it, of the series that fit
    fits = (
        [name.series]
        if name.series
        else _series_fitting(name.family or "", name.year, name.host, catalog)
    )
    if date and fits:
        year = int(date[:4])
        later = sorted(
            (y, s)
            for s in fits
            for y, h in catalog.editions[s].items()
            if y >= year and (name.host is None or h == name.host)
        )
        if later:
            y, s = later[0]
            return s, y, catalog.editions[s][y]
    if name.series is None and name.year is not None:
        # both seasons fit a year and nothing else tells: a word such as "Olympics" without
        # a season names the summer series ("the 1980 Olympics"); a host that held both
        # ("the Beijing Olympics", 2008 and 2022) with no year and no date names neither
        summer = [s for s in fits if s.startswith("Summer")]
        if len(summer) == 1:
            known = complete(replace(name, series=summer[0]), catalog)
            return known.series, known.year, known.host
    return name.series, name.year if name.series else None, name.host


def _family_label(name: EventName) -> str:
    return {"olympics": "Olympics", "paralympics": "Paralympics"}.get(name.family or "", "Games")


def _other_label(
    done: Sequence[EventName | None],
    kind: str,
    texts: Sequence[str],
    catalog: Catalog,
    minor: frozenset[str],
) -> str:
    """The label of a kind of event the catalogue has no editions of: the kind as written,
    after the year one of its mentions gives ("Summit of the Americas", "2023 BRICS Summit")."""
    year = next((n.year for n in done if n is not None and n.kind == kind and n.year), None)
    written = next(t for n, t in zip(done, texts, strict=True) if n is not None and n.kind == kind)
    lower = " ".join(written.split()).lower()
    at = lower.find(kind)
    name_text = catalog.canonical.get(kind) or capitalised(
        " ".join(written.split())[at : at + len(kind)], minor
    )
    # the host is no part of a summit's name ("the Summit of the Americas in Los Angeles");
    # a year the article gives is ("the 2023 BRICS summit")
    return f"{year} {name_text}" if year else name_text


def capitalised(text: str, minor: frozenset[str]) -> str:
    """Title case that keeps acronyms and minor words: "EU summit" -> "EU Summit",
    "summit of the Americas" -> "Summit of the Americas"."""
    return " ".join(
        w if not w.islower() or (i and w in minor) else w[:1].upper() + w[1:]
        for i, w in enumerate(text.split())
    )
