"""A seeded generator of news-like articles, and of the graph they describe.

Actors come from data: countries from pycountry, organisations and UN offices from kg's
gazetteer, people from name lists. Each sentence comes from a template of one relation in
one form (active, passive, coordination, quote, reported speech, negation); a template
also says which relations it states, so the generator knows the true graph of every
article without spaCy (`truth()`), which the query benchmark turns into quads with
`kg.graph.rdf` at any size.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pycountry
import pyoxigraph as ox

from kg.model import DocResult, Document, Entity, Evidence, Relation

RESOURCES = Path(__file__).resolve().parent.parent / "kg" / "resources"

FIRST = [
    "Ana",
    "Rudi",
    "Mei",
    "Omar",
    "Ingrid",
    "Tomas",
    "Leila",
    "Kwame",
    "Sofia",
    "Hiroshi",
    "Amara",
    "Pavel",
    "Lucia",
    "Jonas",
    "Nadia",
    "Diego",
    "Farah",
    "Elena",
    "Samuel",
    "Yuki",
    "Rania",
    "Marek",
    "Priya",
    "Carlos",
    "Zainab",
    "Henrik",
    "Aisha",
    "Mateo",
    "Olga",
    "Kofi",
]
LAST = [
    "Soto",
    "Bohn",
    "Lindqvist",
    "Haddad",
    "Okafor",
    "Novak",
    "Tanaka",
    "Moreau",
    "Costa",
    "Kowalski",
    "Mensah",
    "Ibrahim",
    "Petrov",
    "Fischer",
    "Santos",
    "Nakamura",
    "Rossi",
    "Andersen",
    "Mwangi",
    "Kaur",
    "Duarte",
    "Volkov",
    "Achebe",
    "Larsen",
    "Herrera",
    "Sato",
    "Bakr",
    "Quinn",
    "Ferreira",
    "Dubois",
]
TITLES = [
    "foreign minister",
    "spokesperson",
    "ambassador",
    "prime minister",
    "envoy",
    "trade minister",
    "deputy foreign minister",
]
TOPICS = [
    "the detention of journalists",
    "the border closures",
    "the missile test",
    "the crackdown on protesters",
    "the seizure of the tanker",
    "the election results",
]
ACTIONS = [
    "release the detained journalists",
    "return to the negotiating table",
    "allow aid convoys through",
    "lift the export ban",
    "hold free elections",
]
EVENT_KINDS = [
    "Climate Summit",
    "Peace Conference",
    "Trade Forum",
    "Security Conference",
    "Winter Games",
    "Water Summit",
]
CITIES = [
    "Geneva",
    "Vienna",
    "Nairobi",
    "Bangkok",
    "Lima",
    "Oslo",
    "Doha",
    "Dakar",
    "Hanoi",
    "Quito",
    "Tbilisi",
    "Accra",
]

# (form, relations, template). Roles: s/s2/s3 state actors, o an actor, p a person,
# u a UN office, g an organisation, e an event. Each relation is (subject, name, object);
# a negated template states none. `{t}`, `{x}`, `{a}`, `{c}` are filler, not actors.
TEMPLATES: list[tuple[str, list[tuple[str, str, str]], str]] = [
    ("active", [("s", "boycotts", "e")], "{s} will boycott the {e}, officials said on {day}."),
    ("passive", [("s", "boycotts", "e")], "The {e} is being boycotted by {s} over {t}."),
    ("negation", [], "{s} has ruled out a boycott of the {e}, its {title} said."),
    (
        "coordination",
        [("s", "condemns", "o"), ("s2", "condemns", "o"), ("s3", "condemns", "o")],
        "{s}, {s2} and {s3} condemned {o} for {t}.",
    ),
    ("active", [("s", "condemns", "o")], "{s} condemned {o} over {t}."),
    ("passive", [("s", "condemns", "o")], "{o} was condemned by {s} after {t}."),
    ("active", [("s", "urges", "o")], "{s} urged {o} to {a}."),
    ("negation", [], "{s} did not urge {o} to {a}."),
    ("active", [("s", "supports", "o")], "{s} backed {o} in the dispute over {t}."),
    ("active", [("s", "sentLetterTo", "u")], "{s} wrote to the {u} on {day} about {t}."),
    ("passive", [("s", "sentLetterTo", "u")], "A letter was sent to the {u} by {s} on {day}."),
    ("active", [("p", "metWith", "q")], "{p} met {q} in {c} on {day}."),
    ("active", [("s", "accuses", "o")], "{s} accused {o} of {t}."),
    ("active", [("o", "denies", "x")], "{o} denied the accusations."),
    ("active", [("s", "hosts", "e")], "{s} will host the {e} next year."),
    ("active", [("s", "attends", "e")], "Delegates from {s} attended the {e} in {c}."),
    (
        "quote",
        [("p", "represents", "g"), ("p", "said", "quote")],
        '"We will not stay silent," said {p}, a spokesperson for {g}.',
    ),
    (
        "reported",
        [("p", "represents", "s"), ("p", "said", "reported")],
        "{p}, the {title} of {s}, said that her government would {a}.",
    ),
    ("reported", [("p", "said", "reported")], "{p} told reporters that {s} would not {a}."),
]

KIND_OF_ROLE = {
    "s": "Country",
    "s2": "Country",
    "s3": "Country",
    "o": "Country",
    "p": "Person",
    "q": "Person",
    "u": "UNOffice",
    "g": "Organisation",
    "e": "Event",
}


@dataclass(frozen=True)
class Actors:
    countries: list[tuple[str, str, str]]  # name, alpha2, alpha3
    people: list[str]
    organisations: list[str]
    un_offices: list[str]
    events: list[str]


def actors(seed: int = 0) -> Actors:
    """Every actor the generator draws from; the same seed gives the same actors."""
    rng = random.Random(seed)
    countries = sorted(
        (getattr(c, "common_name", None) or c.name, c.alpha_2, c.alpha_3)
        for c in pycountry.countries
        if "," not in (getattr(c, "common_name", None) or c.name)
        and "(" not in (getattr(c, "common_name", None) or c.name)
    )
    people = sorted({f"{f} {la}" for f in FIRST for la in LAST})
    rng.shuffle(people)
    orgs = json.loads((RESOURCES / "organisations.json").read_text(encoding="utf-8"))
    plain = sorted(o["label"] for o in orgs if o["type"] == "Organisation")
    un = sorted(o["label"] for o in orgs if o["type"] == "UNOffice")
    events = [
        f"{city} {kind} {year}" for city in CITIES for kind in EVENT_KINDS for year in (2025, 2026)
    ]
    return Actors(countries, people, plain, un, events)


@dataclass
class Article:
    document: Document
    truth: DocResult


def article(rng: random.Random, cast: Actors, number: int) -> Article:
    """One article: a title and 14-24 sentences in paragraphs of one or two."""
    doc_id = f"gen-{number:06d}"
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
    story = rng.sample(cast.countries, 6)
    people = rng.sample(cast.people, 3)
    event = rng.choice(cast.events)
    entities: dict[str, Entity] = {}
    pending: list[tuple[tuple[str, str, str], dict[str, str], int]] = []
    sentences: list[str] = []
    for _ in range(rng.randint(14, 24)):
        form, rels, template = rng.choice(TEMPLATES)
        states = rng.sample(story, 4)
        fill = {
            "s": states[0][0],
            "s2": states[1][0],
            "s3": states[2][0],
            "o": states[3][0],
            "p": people[0],
            "q": people[1],
            "u": rng.choice(cast.un_offices),
            "g": rng.choice(cast.organisations),
            "e": event,
            "t": rng.choice(TOPICS),
            "a": rng.choice(ACTIONS),
            "c": rng.choice(CITIES),
            "title": rng.choice(TITLES),
            "day": day.strftime("%A"),
        }
        text = template.format(**fill)
        for role in KIND_OF_ROLE:
            if "{" + role + "}" in template:
                _add_entity(entities, KIND_OF_ROLE[role], fill[role], cast)
        for rel in rels:
            pending.append((rel, fill, len(sentences)))
        sentences.append(text)
    title = f"{story[0][0]} and {story[3][0]} clash over {rng.choice(TOPICS)[4:]}"
    text, starts = f"{title}\n\n", []
    for sentence in sentences:  # paragraphs of one or two sentences
        if len(starts) % 2 == 0 or rng.random() < 0.5:
            text += "\n\n" if starts else ""
        else:
            text += " "
        starts.append(len(text))
        text += sentence
    text += "\n"
    document = Document(
        id=doc_id, text=text, title=title, date=day.isoformat(), source=f"{doc_id}.txt"
    )
    relations = [
        _relation(doc_id, starts[i], rel, fill, sentences[i], entities) for rel, fill, i in pending
    ]
    return Article(document, DocResult(document, entities, [r for r in relations if r is not None]))


def _add_entity(entities: dict[str, Entity], kind: str, label: str, cast: Actors) -> None:
    if label in entities:
        return
    codes = next(((a2, a3) for name, a2, a3 in cast.countries if name == label), (None, None))
    entities[label] = Entity(
        key=label,
        kind=kind,
        label=label,
        alpha2=codes[0] if kind == "Country" else None,
        alpha3=codes[1] if kind == "Country" else None,
    )


def _relation(
    doc_id: str,
    start: int,
    rel: tuple[str, str, str],
    fill: dict[str, str],
    sentence: str,
    entities: dict[str, Entity],
) -> Relation | None:
    subject_role, name, object_role = rel
    subject = fill[subject_role]
    if object_role in {"quote", "reported"}:
        obj, is_text = sentence, True
    elif object_role == "x":
        obj, is_text = f"the accusations ({fill['t']})", True
    else:
        obj, is_text = fill[object_role], False
    if subject not in entities or (not is_text and obj not in entities):
        return None
    evidence = Evidence(
        doc_id=doc_id,
        sentence=sentence,
        sentence_start=start,
        sentence_end=start + len(sentence),
        subject_text=subject,
        object_text=obj[:60],
        pattern=f"{name}.generated",
        confidence=0.8,
    )
    return Relation(
        subject=subject,
        relation=name,
        object=obj,
        evidence=evidence,
        object_is_text=is_text,
        direct=object_role == "quote",
    )


def generate(count: int, seed: int = 0, start: int = 0) -> Iterator[Article]:
    """`count` articles; the same seed and start give the same articles."""
    cast = actors(seed)
    for number in range(start, start + count):
        yield article(random.Random(f"{seed}-{number}"), cast, number)


def write_corpus(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """Write `count` articles as .txt files (date line, title, body) that `kg build` reads."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for art in generate(count, seed):
        doc = art.document
        path = folder / f"{doc.id}.txt"
        path.write_text(f"date {doc.date}\n{doc.text}", encoding="utf-8")
        paths.append(path)
    return paths


def truth_quads(min_quads: int, seed: int = 0) -> Iterator[Any]:
    """pyoxigraph quads of generated articles' true graphs (kg.graph.rdf's mapping), stopping
    after the article that brings the total to at least `min_quads`."""
    from kg.graph.rdf import document_quads
    from kg.graph.terms import to_ox

    total = 0
    for art in generate(10**9, seed):
        for s, p, o, g in document_quads(art.truth):
            yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))
            total += 1
        if total >= min_quads:
            return


def write_nquads(path: Path, min_quads: int, seed: int = 0) -> int:
    """Write `truth_quads` as N-Quads; returns the number written."""
    count = 0

    def counted() -> Iterator[Any]:
        nonlocal count
        for quad in truth_quads(min_quads, seed):
            count += 1
            yield quad

    with path.open("wb") as out:
        ox.serialize(counted(), out, ox.RdfFormat.N_QUADS)
    return count
