"""Stage 4: mentions -> canonical entities, within a document and across documents.

Within a document: surnames and short forms join the full name ("Arkin" -> Zumretay
Arkin), acronyms defined in parentheses join their organisation, capitals and seats of
government that act ("Beijing denies") stand for their country, and the event mentions of
one kind merge into one event whose label gathers host city, year and kind
("Beijing 2022 Winter Olympics"); generic references ("the Games") point to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Token

from kg.extraction.events import editions
from kg.extraction.gazetteer import Gazetteer
from kg.extraction.lexicon import Lexicon, load_lexicon
from kg.extraction.repair import office_title_before
from kg.model import KEY_PREFIX, Entity, Kind, Mention, entity_key
from kg.resources import read_json

MODIFIER_DEPS = {"amod", "compound", "nmod", "poss", "npadvmod"}
_YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass
class Resolution:
    """What the relation rules need: which entity each token belongs to."""

    entities: dict[str, Entity]
    token_key: dict[int, str]
    salient_event: str | None = None
    salient_agreement: str | None = None
    # a person named right after the title of an office that is a body: token -> body key
    offices: dict[int, str] = field(default_factory=dict)

    def entity_at(self, token: Token) -> Entity | None:
        key = self.token_key.get(token.i)
        return self.entities.get(key) if key else None


def _national(doc: Doc, m: Mention, prev: Mention | None, gaz: Gazetteer) -> str | None:
    """The country whose own body a UN body's bare name is, when the country owns it just
    before it: "Russia's Security Council", "the Iranian Security Council"; else None."""
    if prev is None or prev.kind != Kind.COUNTRY or prev.key not in gaz.known:
        return None
    if any(w in m.text for w in ("UN", "U.N.", "United Nations")):
        return None
    between = [t.text for t in doc[prev.end : m.start]]
    owned = (prev.demonym and not between) or between in (["'s"], ["’s"])
    return gaz.known[prev.key].label if owned else None


def resolve(
    doc: Doc,
    mentions: list[Mention],
    gaz: Gazetteer,
    lexicon: Lexicon | None = None,
    date: str | None = None,
    doc_id: str | None = None,
) -> Resolution:
    """Entities of one document; `date` (the article's) dates an edition the text leaves
    undated ("the Winter Olympics" in a December 2021 article)."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    entities: dict[str, Entity] = {}
    token_key: dict[int, str] = {}
    persons = _person_names(mentions)
    acronyms = _acronyms(doc, mentions)
    event_mentions = [n for n, m in enumerate(mentions) if m.kind == Kind.EVENT]
    found = editions(
        [mentions[n].text for n in event_mentions], gaz.catalog, date, lexicon.words("minor_words")
    )
    edition_of = {n: e for n, e in zip(event_mentions, found, strict=True) if e is not None}
    named = {m.key for m in mentions}  # what the article names outright
    for n, m in enumerate(mentions):
        key, kind, label = m.key, m.kind, m.text
        prev = mentions[n - 1] if n else None
        if m.demonym and doc[m.root].dep_ not in MODIFIER_DEPS:
            continue  # "the German said": a person, not Germany
        if kind in {Kind.ORGANISATION, Kind.CITY} and m.key not in gaz.known and m.text in persons:
            kind = Kind.PERSON  # NER called a surname an organisation: "Marsudi said"
        if kind == Kind.COUNTRY and m.text in persons and not m.demonym:
            kind = Kind.PERSON  # "Michael Jordan ... Jordan said": the person's surname
        if kind in {Kind.ORGANISATION, Kind.UN_OFFICE} and m.text in acronyms:
            # an acronym the article defines beats the gazetteer's reading of it: "the
            # International Cricket Council (ICC)" makes "the ICC" no criminal court
            label = acronyms[m.text]
            key = gaz.lookup(label) or entity_key(Kind.ORGANISATION, label)
            kind = Kind.ORGANISATION
        elif kind == Kind.PERSON:
            label = persons.get(m.text, m.text)
            key = entity_key(Kind.PERSON, label)
        elif kind == Kind.ORGANISATION and m.key not in gaz.known:
            label = acronyms.get(m.text, m.text)
            known = gaz.lookup(label)
            key = known if known else entity_key(Kind.ORGANISATION, label)
        elif kind == Kind.CITY and m.capital and _acts(doc[m.root], lexicon):
            key = m.capital
        elif (
            kind == Kind.COUNTRY
            and m.text in gaz.seats
            and prev is not None
            and prev.demonym
            and prev.end == m.start
        ):
            key = prev.key  # "the German Foreign Office": Germany's, not the British one
        elif kind == Kind.UN_OFFICE and (owner := _national(doc, m, prev, gaz)):
            # "members of Russia's Security Council": the country's own body, not the UN's
            label = f"{m.text} of {owner}"
            key, kind = entity_key(Kind.ORGANISATION, label), Kind.ORGANISATION
        elif kind == Kind.EVENT and n in edition_of:
            edition = edition_of[n]
            label = edition.label
            # a series named without an edition ("the Summer Olympics", undated) is this
            # article's: one IRI for all such mentions would merge different editions
            unknown = edition.family is not None and edition.year is None
            key = entity_key(Kind.EVENT, label, scope=doc_id if unknown else None)
        if key in gaz.predecessors and gaz.predecessors[key] in named and m.key != key:
            key = gaz.predecessors[key]  # "Moscow" in an article about the Soviet Union
        if key in gaz.known:
            entry = gaz.known[key]
            kind, label = entry.kind, entry.label
        entity = entities.get(key)
        if entity is None:
            gazetted = gaz.known.get(key)
            entity = entities[key] = Entity(
                key,
                kind,
                label,
                alpha2=gazetted.alpha2 if gazetted else None,
                alpha3=gazetted.alpha3 if gazetted else None,
                scope=doc_id
                if doc_id and key.startswith(f"{KEY_PREFIX[Kind.EVENT]}:{doc_id}/")
                else None,
            )
        if m.text != entity.label:
            entity.add_alias(m.text)
        if n in edition_of:
            for alias in edition_of[n].aliases:
                entity.add_alias(alias)
        for i in range(m.start, m.end):
            token_key.setdefault(i, key) if kind != Kind.AGREEMENT else None
        token_key[m.root] = key
    _references(doc, entities, token_key)
    generic = {g.lower() for g in gaz.events.get("generic_references", [])}
    subs = {s.lower() for s in gaz.events.get("sub_events", [])}
    unattended = lexicon.words("unattended_events")
    salient = _most_frequent(
        mentions,
        token_key,
        entities,
        Kind.EVENT,
        skip=lambda e: any(w in unattended for w in e.label.lower().split()),
    )
    if salient:
        generic_heads = {g.split()[-1] for g in generic}
        for token in doc:
            if token.i in token_key:
                continue
            # the token with the one before it, as doc[i - 1 : i + 1].text gives them
            two = (doc[token.i - 1].text_with_ws if token.i else "") + token.text
            two = two.lower()
            if (
                token.lower_ in generic_heads
                and f"the {token.lower_}" in generic
                and token.i > 0
                and doc[token.i - 1].lower_ == "the"
            ):
                token_key[token.i] = salient
            elif two in subs or token.lower_ in subs and token.pos_ == "NOUN":
                token_key[token.i] = salient  # an opening ceremony stands for its Games
    agreement = _most_frequent(mentions, token_key, entities, Kind.AGREEMENT)
    offices: dict[int, str] = {}
    holders: dict[str, str] = {}  # office title -> the person the article gave it to
    office_titles = frozenset(gaz.office_titles)
    text = doc.text
    for m in mentions:
        if m.kind == Kind.PERSON:
            title = office_title_before(doc, m.start, office_titles, text)
            if title is not None:
                offices[m.root] = gaz.office_titles[title]
                holders[title] = token_key.get(m.root, m.key)
    _office_references(doc, holders, gaz.office_titles, token_key)
    return Resolution(entities, token_key, salient, agreement, offices)


def _office_references(
    doc: Doc, holders: dict[str, str], titles: dict[str, str], token_key: dict[int, str]
) -> None:
    """ "the High Commissioner", "Madame High Commissioner" after the article named "UN
    High Commissioner for Human Rights Ana Ruiz": the person who holds that office."""
    short: dict[str, str] = {}
    for title, body in titles.items():
        words = title.split(" for ")[0].split(" of ")[0].split()
        words = [w for w in words if w not in {"un", "u.n.", "united", "nations"}]
        if len(words) >= 2 or "-" in "".join(words):
            key = " ".join(words)
            holder = next((h for t, h in holders.items() if titles.get(t) == body), None)
            if holder is not None:
                short[key] = holder
    if not short:
        return  # a bare title refers back only in an article that named its holder in full
    for i in range(len(doc)):
        if i in token_key or not doc[i].is_title:
            continue
        for phrase, key in short.items():
            n = len(phrase.split())
            if (
                i + n <= len(doc)
                and doc[i : i + n].text.lower() == phrase
                and not any(j in token_key for j in range(i, i + n))
            ):
                for j in range(i, i + n):
                    token_key[j] = key
                break


def _reference_data() -> dict[str, Any]:
    data: dict[str, Any] = read_json("references.json")
    return data


def _org_head(label: str) -> str:
    """The noun a name is built on: "Office of the ... for Human Rights" -> "office"."""
    first = re.split(r" (?:of|for|on) ", label, maxsplit=1)[0]
    return first.split()[-1].lower()


def _references(doc: Doc, entities: dict[str, Entity], token_key: dict[int, str]) -> None:
    """Actors named without a name: "the West", "Western governments", and "the council"
    for the council the article named last."""
    data = _reference_data()
    for group in data["collectives"]:
        key = entity_key(Kind(group["type"]), group["label"])
        nouns = set(group["nouns"])
        for token in doc:
            if token.i in token_key:
                continue
            by_name = (
                token.text in group["names"]
                and token.pos_ == "PROPN"
                and token.dep_ not in MODIFIER_DEPS
                and token.i > 0
                and doc[token.i - 1].lower_ == "the"
            )
            phrase = token.lower_ in nouns and any(
                c.dep_ in {"amod", "compound"} and c.lower_ == group["adjective"]
                for c in token.lefts
            )
            if by_name or phrase:
                entity = entities.setdefault(key, Entity(key, Kind(group["type"]), group["label"]))
                if token.text != entity.label:
                    entity.add_alias(doc[token.i - 1 : token.i + 1].text if phrase else token.text)
                token_key[token.i] = key
    heads = set(data["definite_heads"])
    last: dict[str, str] = {}  # head noun -> the organisation most recently named with it
    for token in doc:
        named_key = token_key.get(token.i)
        if named_key is not None:
            named = entities.get(named_key)
            if (
                named is not None
                and named.kind in {Kind.ORGANISATION, Kind.UN_OFFICE}
                and token_key.get(token.i + 1) != named_key
            ):
                last[_org_head(named.label)] = named_key
            continue
        if token.pos_ != "NOUN" or token.lower_ not in heads or token.lower_ not in last:
            continue
        mods = [c for c in token.lefts if c.dep_ != "punct"]
        if len(mods) == 1 and mods[0].lower_ == "the" and mods[0].dep_ == "det":
            token_key[token.i] = last[token.lower_]
            entities[last[token.lower_]].add_alias(token.lower_)  # the merge stays visible


def _acts(token: Token, lexicon: Lexicon) -> bool:
    """A capital acts ("Beijing denied", "urged Beijing", "backed by Moscow") unless it is
    where something happens ("in Beijing", "visit Moscow", "the Beijing office")."""
    while token.dep_ in {"conj", "appos"} and token.head.i != token.i:
        token = token.head
    if token.dep_ == "pobj":
        seat = token.head.head
        if seat.lemma_.lower() in lexicon.words("proxy_nouns"):
            return True  # "the government in Kabul", "governments in Oslo and Ottawa"
        return token.head.lower_ not in lexicon.words("place_preps")
    if token.dep_ in {"dobj", "nsubjpass"}:
        return token.head.lemma_.lower() not in lexicon.words("place_verbs")
    if token.dep_ in {"compound", "amod", "nmod", "npadvmod"}:
        return False
    return True


def _person_names(mentions: list[Mention]) -> dict[str, str]:
    """Map each short person name to the longest full name that ends or starts with it.

    Surnames that NER took for an organisation or place ("Marsudi said") count too."""
    # longest first, ties by text: set order follows the hash seed, the result must not
    names = sorted({m.text for m in mentions if m.kind == Kind.PERSON}, key=lambda n: (-len(n), n))
    out: dict[str, str] = {}
    order = [m.text for m in mentions if m.kind == Kind.PERSON]
    shorts = names + sorted(
        {
            m.text
            for m in mentions
            if m.kind in {Kind.ORGANISATION, Kind.CITY, Kind.COUNTRY}
            and " " not in m.text
            and m.text not in names
        }
    )
    for short in shorts:
        words = short.split()
        candidates = [
            n
            for n in names
            if len(n.split()) > len(words)
            and (n.split()[-len(words) :] == words or n.split()[: len(words)] == words)
        ]
        if not candidates:
            continue
        # several people share a surname: the one named most recently before it
        first_use = order.index(short) if short in order else len(order)
        seen = order[:first_use]
        before = [c for c in candidates if c in seen]
        latest = {c: max(i for i, name in enumerate(seen) if name == c) for c in before}
        out[short] = max(before, key=latest.__getitem__) if before else candidates[0]
    for short, full in list(out.items()):
        out[short] = out.get(full, full)
    return out


def _acronyms(doc: Doc, mentions: list[Mention]) -> dict[str, str]:
    """'International Olympic Committee (IOC)' defines IOC for the rest of the document."""
    out = {}
    for m in mentions:
        if m.kind != Kind.ORGANISATION or m.end + 2 >= len(doc):
            continue
        if doc[m.end].text == "(" and doc[m.end + 2].text == ")":
            short = doc[m.end + 1].text
            initials = "".join(w[0] for w in m.text.split() if w[0].isupper())
            if short.isupper() and short[0] == initials[:1]:
                out[short] = m.text
    return out


def _most_frequent(
    mentions: list[Mention],
    token_key: dict[int, str],
    entities: dict[str, Entity],
    kind: Kind,
    skip: Callable[[Entity], bool] = lambda e: False,
) -> str | None:
    counts: dict[str, int] = {}
    for m in mentions:
        key = token_key.get(m.root)
        if key and entities[key].kind == kind and not skip(entities[key]):
            counts[key] = counts.get(key, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None
