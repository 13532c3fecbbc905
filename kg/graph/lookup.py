"""Find entities by what a user types: a name ("Bachelet"), an IRI or a prefixed name.

Shared by the shell (`\\describe`, `\\sources`, `\\path`), `kg viz --around` and `kg path`.
The text a user typed is bound as a value (`substitutions`), never pasted into the query, so
a name such as ``O'Brien`` or ``"} DROP ALL`` is only ever a string to compare.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

import pyoxigraph as ox

from kg.graph.prefixes import PREFIXES


class Queryable(Protocol):
    """The embedded `GraphStore` and a remote endpoint both answer SPARQL this way."""

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Any: ...


@dataclass(frozen=True)
class EntityHit:
    iri: str
    label: str
    kind: str  # local name of its class, e.g. "Person"


# Entities are things with a skos:prefLabel and a class of the ontology; documents,
# evidence and statements have no prefLabel. A substituted variable must be projected
# (pyoxigraph), hence ?needle and ?e in SELECT and GROUP BY.
_CANDIDATES = """
SELECT ?e ?needle (SAMPLE(?pref) AS ?label) (SAMPLE(?cls) AS ?kind) WHERE {
  ?e skos:prefLabel ?pref ; a ?cls .
  FILTER(STRSTARTS(STR(?cls), STR(kg:)))
  { ?e skos:prefLabel ?name } UNION { ?e skos:altLabel ?name }
  FILTER(CONTAINS(LCASE(STR(?name)), LCASE(STR(?needle))))
} GROUP BY ?e ?needle
"""

_BY_IRI = """
SELECT ?e (SAMPLE(?pref) AS ?label) (SAMPLE(?cls) AS ?kind) WHERE {
  ?e skos:prefLabel ?pref ; a ?cls . FILTER(STRSTARTS(STR(?cls), STR(kg:)))
} GROUP BY ?e
"""


def expand(text: str, prefixes: dict[str, str] = PREFIXES) -> str | None:
    """`<iri>`, `http(s)://...` or `prefix:local` -> a full IRI; anything else -> None."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if text.startswith(("http://", "https://")):
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in prefixes and local and " " not in local:
        return prefixes[prefix] + local
    return None


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()


def find_entities(store: Queryable, text: str, limit: int = 20) -> list[EntityHit]:
    """Entities whose IRI is `text`, or whose preferred or alternative label contains it
    (case-insensitively). Best first: an exact label, then a label starting with the text,
    then the shortest label."""
    text = text.strip().strip('"').strip("'") if text.strip()[:1] in "\"'" else text.strip()
    if not text:
        return []
    iri = expand(text)
    if iri is not None:
        rows = list(store.query(_BY_IRI, substitutions={"e": ox.NamedNode(iri)}))
        if rows and rows[0]["label"] is not None:
            return [EntityHit(iri, rows[0]["label"].value, _local(rows[0]["kind"]))]
        return []
    rows = store.query(_CANDIDATES, substitutions={"needle": ox.Literal(text)})
    hits = [EntityHit(r["e"].value, r["label"].value, _local(r["kind"])) for r in rows]
    want = _fold(text)

    def rank(hit: EntityHit) -> tuple[int, int, str]:
        label = _fold(hit.label)
        return (0 if label == want else 1 if label.startswith(want) else 2, len(label), hit.iri)

    return sorted(hits, key=rank)[:limit]


def _local(term: Any) -> str:
    value = term.value if term is not None else ""
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
