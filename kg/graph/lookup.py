"""Find entities by what a user types: a name ("Bachelet"), an alias ("U.S"), an IRI or a
prefixed name.

Shared by the shell (`\\describe`, `\\sources`, `\\path`), `kg viz --around` and `kg path`.
One rule everywhere: **an exact preferred name or alias wins**. Names are compared folded
(case, accents, dots and spacing ignored: "u.s", "US" and "U.S." are one name), and the
candidates are ranked: the preferred name equal to the text, then an alias equal to it, then
names that start with it, names with a word that starts with it, and names that contain it.

The text a user typed is never pasted into a query: the names are read with one query that
takes no user text, and compared in Python; an IRI is bound as a value (`substitutions`), so
``O'Brien`` or ``"} DROP ALL`` is only ever a string to compare, and text that is no valid
IRI (``<>``, ``<a b>``) matches nothing instead of raising.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import pyoxigraph as ox

from kg.graph.prefixes import PREFIXES
from kg.resources import read_json


class Queryable(Protocol):
    """The embedded `GraphStore` and a remote endpoint both answer SPARQL this way."""

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Any: ...


#: How a hit matched, best first (`EntityHit.rank`).
RANKS = ("name", "alias", "name starts with", "alias starts with", "word starts with", "contains")
EXACT = 1  # ranks 0 and 1 are exact matches


@dataclass(frozen=True)
class EntityHit:
    iri: str
    label: str
    kind: str  # local name of its class, e.g. "Person"
    rank: int = 0  # index into RANKS: 0 the preferred name, 1 an alias, ... (0 for an IRI)
    matched: str = ""  # the name that matched ("" for an IRI)

    @property
    def exact(self) -> bool:
        """The text is the entity's preferred name or one of its aliases (folded)."""
        return self.rank <= EXACT


# Names of things with a class of the ontology; documents, evidence and statements have no
# prefLabel. The union default graph repeats a triple once per document graph, hence
# DISTINCT; no join across the union, so the cost grows with the number of names, not with
# its cube.
# The property rather than a BIND(true AS ?alt): Virtuoso sends such booleans back as 1 and 0.
_NAMES = """
SELECT DISTINCT ?e ?name ?p WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel }
  ?e ?p ?name
}
"""
_ALT_LABEL = PREFIXES["skos"] + "altLabel"

# pyoxigraph substitutes only projected variables, hence ?e in the projection.
_CLASSES = """
SELECT DISTINCT ?e ?cls WHERE { ?e a ?cls . FILTER(STRSTARTS(STR(?cls), STR(kg:))) }
"""

_PREF_LABELS = "SELECT DISTINCT ?e ?pref WHERE { ?e skos:prefLabel ?pref }"


def expand(text: str, prefixes: dict[str, str] = PREFIXES) -> str | None:
    """`<iri>`, `http(s)://...` or `prefix:local` -> a full IRI; anything else -> None.
    The IRI is not checked here (see `named_node`)."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if text.startswith(("http://", "https://")):
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in prefixes and local and " " not in local:
        return prefixes[prefix] + local
    return None


def named_node(iri: str) -> ox.NamedNode | None:
    """The IRI as a pyoxigraph term, or None when it is not a valid absolute IRI."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """A name as compared: accents dropped, case folded, dots and other punctuation dropped
    inside words ("U.S." -> "us"), other runs of punctuation and space one space."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
    plain = re.sub(r"(?<=\w)[.'’](?=\w|$)", "", plain)
    return " ".join(_NOT_WORD.sub(" ", plain).replace("_", " ").split())


def _rank(name: str, alias: bool, want: str) -> int | None:
    if name == want:
        return 1 if alias else 0
    if name.startswith(want):
        return 3 if alias else 2
    if f" {want}" in f" {name}":
        return 4
    if want in name:
        return 5
    return None


@cache
def _country_names() -> dict[str, str]:
    """Folded country names and aliases of the gazetteer -> alpha-3 code, so "America" finds
    the United States although no document used that name."""
    out: dict[str, str] = {}
    for code, entry in read_json("countries.json").items():
        if not isinstance(entry, dict):
            continue
        for name in [entry.get("label", ""), *entry.get("aliases", [])]:
            if name:
                out.setdefault(fold(name), code)
    return out


def _local(term: Any) -> str:
    value = term.value if term is not None else ""
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _classes(store: Queryable, iri: str) -> str:
    node = named_node(iri)
    if node is None:
        return ""
    kinds = sorted(_local(r["cls"]) for r in store.query(_CLASSES, substitutions={"e": node}))
    # a Claim is also typed Statement in some graphs: keep the more specific class
    return "Claim" if "Claim" in kinds else kinds[0] if kinds else ""


def find_entities(store: Queryable, text: str, limit: int = 20) -> list[EntityHit]:
    """Entities whose IRI is `text`, or whose preferred name or an alias matches it, best
    first (see `RANKS`; within a rank the shorter name, then the IRI). Exact matches are
    never cut by `limit`."""
    text = text.strip().strip('"').strip("'") if text.strip()[:1] in "\"'" else text.strip()
    if not text:
        return []
    iri = expand(text)
    if iri is not None:
        node = named_node(iri)
        if node is None:
            return []
        rows = list(store.query(_PREF_LABELS + " LIMIT 1000", substitutions={"e": node}))
        names = sorted(r["pref"].value for r in rows if r["pref"] is not None)
        kind = _classes(store, iri) if names else ""
        return [EntityHit(iri, names[0], kind)] if kind else []
    want = fold(text)
    if not want:
        return []
    labels: dict[str, str] = {}
    best: dict[str, tuple[int, int, str]] = {}
    for row in store.query(_NAMES):
        e, name = row["e"].value, row["name"].value
        alias = row["p"].value == _ALT_LABEL
        if not alias and (e not in labels or name < labels[e]):
            labels[e] = name
        rank = _rank(fold(name), alias, want)
        if rank is not None:
            key = (rank, len(name), name)
            if e not in best or key < best[e]:
                best[e] = key
    country = _country_names().get(want)
    if country:
        iri = PREFIXES["country"] + country
        if iri in labels and (iri not in best or best[iri][0] > EXACT):
            best[iri] = (EXACT, len(text), text)
    hits = []
    for e, (rank, _, name) in best.items():
        if e in labels:  # an entity: it has a preferred name
            hits.append((rank, len(labels[e]), e, name))
    hits.sort()
    exact = sum(1 for h in hits if h[0] <= EXACT)
    out: list[EntityHit] = []
    for rank, _, e, name in hits:
        if len(out) >= max(limit, exact):
            break
        kind = _classes(store, e)
        if kind:  # an entity has a class of the ontology
            out.append(EntityHit(e, labels[e], kind, rank, name))
    return out
