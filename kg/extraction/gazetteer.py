"""General knowledge as data: countries (pycountry + kg/resources/countries.json),
international organisations, role titles and event names. (English word lists live in the
lexicon, `kg.extraction.lexicon`.)

`load_gazetteer()` reads the files once; `ruler_patterns()` turns names into spaCy
EntityRuler phrase patterns whose `id` is the canonical entity key (``country:CHN``), and
`event_patterns()` gives event names as EntityRuler token patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kg.extraction.events import Catalog
from kg.model import Kind, entity_key
from kg.resources import read_json


@dataclass(frozen=True)
class Known:
    """A gazetteer entity: its key, class name (ontology local name) and labels."""

    key: str
    kind: Kind  # Country | Organisation | UNOffice | Agreement
    label: str
    alpha2: str | None = None
    alpha3: str | None = None


@dataclass
class Gazetteer:
    known: dict[str, Known] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # surface -> key (names, aliases)
    demonyms: dict[str, str] = field(default_factory=dict)  # "Iranian" -> country:IRN
    capitals: dict[str, str] = field(default_factory=dict)  # "Beijing" -> country:CHN
    seats: dict[str, str] = field(default_factory=dict)  # "Kremlin" -> country:RUS
    # a former state of today's country: country:RUS -> country:SUN (Moscow acted for the
    # Soviet Union in an article that names it)
    predecessors: dict[str, str] = field(default_factory=dict)
    # office holders whose country or body is general knowledge: "Joe Biden" -> country:USA
    # (kg/resources/people.json); a person listed with two gives no key
    people: dict[str, str] = field(default_factory=dict)
    people_names: frozenset[str] = frozenset()  # their full names, for the entity ruler
    # titles of an office that is a body: "high commissioner for human rights" -> OHCHR
    # (from organisations named "Office of the <title>", and titles that are a body's alias)
    office_titles: dict[str, str] = field(default_factory=dict)
    titles: frozenset[str] = frozenset()
    counterparts: frozenset[str] = frozenset()
    group_nouns: frozenset[str] = frozenset()
    agreement_heads: frozenset[str] = frozenset()
    events: dict[str, Any] = field(default_factory=dict)
    catalog: Catalog = field(default_factory=lambda: Catalog.of({}))  # events with editions

    def lookup(self, surface: str) -> str | None:
        text = surface.strip()
        if text.lower().startswith("the "):
            text = text[4:]
        return self.names.get(text) or self.seats.get(text)


def _read(name: str) -> Any:
    return read_json(name)


def _add_country(
    gaz: Gazetteer,
    alpha3: str,
    alpha2: str,
    label: str,
    info: dict[str, Any],
    names: list[str | None] | None = None,
) -> None:
    key = entity_key(Kind.COUNTRY, alpha3)
    gaz.known[key] = Known(key, Kind.COUNTRY, label, alpha2, alpha3)
    for surface in [label, *(names or []), *info.get("aliases", [])]:
        if surface and "," not in surface:
            gaz.names.setdefault(surface, key)
    for demonym in info.get("demonyms", []):
        gaz.demonyms.setdefault(demonym, key)
    for capital in info.get("capitals", []):
        gaz.capitals.setdefault(capital, key)
    for seat in info.get("seats", []):
        gaz.seats.setdefault(seat, key)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    import pycountry

    gaz = Gazetteer()
    extra: dict[str, dict[str, Any]] = _read("countries.json")
    for country in pycountry.countries:
        info = extra.get(country.alpha_3, {})
        label = info.get("label") or getattr(country, "common_name", None) or country.name
        _add_country(
            gaz,
            country.alpha_3,
            country.alpha_2,
            label,
            info,
            [country.name, getattr(country, "official_name", None)],
        )
    for alpha3, info in extra.items():  # countries ISO 3166-1 leaves out (Kosovo, former states)
        if "alpha2" in info:
            _add_country(gaz, alpha3, info["alpha2"], info["label"], info)
        if "successor" in info:
            successor = entity_key(Kind.COUNTRY, info["successor"])
            gaz.predecessors[successor] = entity_key(Kind.COUNTRY, alpha3)
    for org in _read("organisations.json"):
        kind = Kind(org["type"])
        key = entity_key(kind, org["label"])
        gaz.known[key] = Known(key, kind, org["label"])
        for surface in [org["label"], *org.get("aliases", [])]:
            gaz.names.setdefault(surface, key)
    agreements = _read("agreements.json")
    gaz.agreement_heads = frozenset(agreements["heads"])
    for deal in agreements["known"]:
        key = entity_key(Kind.AGREEMENT, deal["label"])
        gaz.known[key] = Known(key, Kind.AGREEMENT, deal["label"])
        for surface in [deal["label"], *deal.get("aliases", [])]:
            gaz.names.setdefault(surface, key)
    _add_office_titles(gaz)
    titles = _read("titles.json")
    gaz.titles = frozenset(t.lower() for t in titles["titles"])
    gaz.counterparts = frozenset(t.lower() for t in titles.get("counterparts", []))
    gaz.group_nouns = frozenset(t.lower() for t in titles.get("group_nouns", []))
    for title, body in titles.get("office_titles", {}).items():
        gaz.office_titles[title] = gaz.names[body]  # a test keeps every body known
    gaz.events = _read("events.json")
    _add_people(gaz, _read("people.json")["people"])
    gaz.catalog = Catalog.of(gaz.events, cities=gaz.capitals)
    return gaz


def title_heads(gaz: Gazetteer) -> frozenset[str]:
    """The head nouns of role titles: "minister" of "foreign minister", "general" of
    "secretary-general" (and "secretary-general" itself), and the counterpart nouns."""
    return _heads_of(gaz.titles, gaz.counterparts)


def title_words(gaz: Gazetteer) -> frozenset[str]:
    """Every word of the role titles ("foreign", "minister", "secretary", "general"), and
    "ministry" (a portfolio too: "Justice Ministry") and "-" (which joins title words)."""
    return _words_of(gaz.titles)


@lru_cache(maxsize=8)
def _words_of(titles: frozenset[str]) -> frozenset[str]:
    return frozenset(w for t in titles for w in t.replace("-", " ").split()) | {"ministry", "-"}


@lru_cache(maxsize=8)
def _heads_of(titles: frozenset[str], counterparts: frozenset[str]) -> frozenset[str]:
    heads = {t.split()[-1] for t in titles} | {t.split()[-1].split("-")[-1] for t in titles}
    return frozenset(heads | counterparts)


YEAR_REGEX = r"^(19|20)\d\d$"


def _add_office_titles(gaz: Gazetteer) -> None:
    for surface, key in gaz.names.items():
        if gaz.known[key].kind not in (Kind.UN_OFFICE, Kind.ORGANISATION):
            continue
        core = re.sub(r"^Office of the ", "", surface)
        core = re.sub(r"^(United Nations|UN|U\.N\.) ", "", core)
        if "Office" in core or not re.search(r"\b(Commissioner|Secretary-General)\b", core):
            continue  # "UN Human Rights Office" names no office holder
        for form in (core, f"UN {core}", f"U.N. {core}", f"United Nations {core}"):
            gaz.office_titles.setdefault(form.lower(), key)


def _add_people(gaz: Gazetteer, people: list[dict[str, Any]]) -> None:
    keys: dict[str, set[str]] = {}
    for person in people:
        if "country" in person:
            key = entity_key(Kind.COUNTRY, person["country"])
        else:
            key = gaz.names[person["organisation"]]  # a test keeps every label known
        for surface in [person["name"], *person.get("aliases", [])]:
            keys.setdefault(surface, set()).add(key)
    gaz.people = {name: next(iter(k)) for name, k in keys.items() if len(k) == 1}
    gaz.people_names = frozenset(p["name"] for p in people if " " in p["name"])


def ruler_patterns(gaz: Gazetteer) -> list[dict[str, Any]]:
    """EntityRuler phrase patterns: names, demonyms and seats carry their entity key as `id`;
    the full names of known office holders are persons (the small model misses a name
    after a long title: "High Commissioner for Human Rights Michelle Bachelet")."""
    patterns: list[dict[str, Any]] = []
    for name in sorted(gaz.people_names):
        if name not in gaz.names:
            patterns.append({"label": "PERSON", "pattern": name})
    labels = {Kind.COUNTRY: "GPE", Kind.AGREEMENT: "LAW"}  # else ORG
    for surface, key in sorted(gaz.names.items()):
        label = labels.get(gaz.known[key].kind, "ORG")
        patterns.append({"label": label, "pattern": surface, "id": key})
    for surface, key in sorted(gaz.seats.items()):
        patterns.append({"label": "ORG", "pattern": surface, "id": key})
    for surface, key in sorted(gaz.demonyms.items()):
        if surface not in gaz.names:
            patterns.append({"label": "NORP", "pattern": surface, "id": key})
    return patterns
