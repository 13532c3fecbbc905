"""One result shape for queries and commands, printed by one formatter.

SELECT results become a `Result` of variables and rows of pyoxigraph terms; ASK a
boolean; CONSTRUCT/DESCRIBE triples. `render()` prints a table (IRIs shortened to
prefixed names) or the W3C SPARQL 1.1 results formats (csv, tsv, json, xml).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.vocab import PREFIXES

W3C = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
       "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
FORMATS = ("table", *W3C, "turtle")


@dataclass
class Result:
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    raw: Any = None

    @classmethod
    def of(cls, answer: Any) -> Result:
        if isinstance(answer, bool):
            return cls(boolean=answer)
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            return cls(names, [[row[v] for v in names] for row in answer])
        if isinstance(answer, ox.QueryBoolean):
            return cls(boolean=bool(answer))
        return cls(triples=list(answer))


def short(term: Any, prefixes: dict[str, str] = PREFIXES) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
        if best is not None:
            name = next(p for p, ns in prefixes.items() if ns == best)
            local = iri[len(best):]
            if local and all(c.isalnum() or c in "_-./%" for c in local):
                return f"{name}:{local}"
        return f"<{iri}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render(result: Result, prefixes: dict[str, str] = PREFIXES) -> str:
    """A readable rendering: yes/no, Turtle for triples, an aligned table for rows."""
    if result.boolean is not None:
        return "yes" if result.boolean else "no"
    if result.triples is not None:
        data = ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        return data.decode("utf-8") if data else ""
    return table(result.variables, [[short(t, prefixes) for t in row] for row in result.rows])


def serialize_answer(answer: Any, fmt: str) -> str:
    """A query answer in a W3C SPARQL 1.1 results format (csv, tsv, json, xml), or Turtle
    for CONSTRUCT/DESCRIBE, written by pyoxigraph's own serialisers."""
    out = io.BytesIO()
    if isinstance(answer, ox.QueryTriples):
        answer.serialize(out, ox.RdfFormat.TURTLE)
    else:
        answer.serialize(out, W3C[fmt])
    return out.getvalue().decode("utf-8")


def table(headers: list[str], rows: list[list[str]]) -> str:
    cells = [[" ".join(str(c).split()) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, min(len(c), 80)) for w, c in zip(widths, row)]

    def line(values: list[str]) -> str:
        return " | ".join(_clip(v, w).ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(headers), "-+-".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _clip(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"
