"""One result shape for queries and commands, printed by one formatter.

SELECT results become a `Result` of variables and rows of pyoxigraph terms; ASK a
boolean; CONSTRUCT/DESCRIBE triples. `render()` prints a table (IRIs shortened to
prefixed names, or their labels) and `format_result()` also writes the W3C SPARQL 1.1
results formats (csv, tsv, json, xml) and Turtle.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.formats import QUERY
from kg.graph.prefixes import PREFIXES


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

    @classmethod
    def table_of(cls, variables: list[str], rows: list[list[Any]]) -> Result:
        """Rows of Python values (str, int, float, pyoxigraph terms; None for unbound)."""

        def term(value: Any) -> Any:
            if value is None or isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
                return value
            if isinstance(value, bool):
                return ox.Literal(str(value).lower(), datatype=XSD_BOOLEAN)
            if isinstance(value, int):
                return ox.Literal(str(value), datatype=XSD_INTEGER)
            return ox.Literal(str(value))

        return cls(list(variables), [[term(v) for v in row] for row in rows])

    def size(self) -> int:
        """Rows, triples, or 1 for a yes/no answer."""
        if self.triples is not None:
            return len(self.triples)
        return len(self.rows) if self.boolean is None else 1

    def as_rows(self) -> Result:
        """CONSTRUCT/DESCRIBE triples as subject/predicate/object rows (for csv, tsv, json)."""
        if self.triples is None:
            return self
        return Result(
            ["subject", "predicate", "object"],
            [[t.subject, t.predicate, t.object] for t in self.triples],
        )

    def to_json(self) -> bytes:
        """The SPARQL 1.1 JSON results document of this result."""
        if self.raw is not None and self.triples is None:
            return bytes(self.raw)
        if self.boolean is not None:
            return json.dumps({"head": {}, "boolean": self.boolean}).encode()
        rows = self.as_rows()
        bindings = [
            {v: _json_term(t) for v, t in zip(rows.variables, row, strict=True) if t is not None}
            for row in rows.rows
        ]
        return json.dumps(
            {"head": {"vars": rows.variables}, "results": {"bindings": bindings}}
        ).encode()


XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_BOOLEAN = ox.NamedNode(XSD + "boolean")
XSD_INTEGER = ox.NamedNode(XSD + "integer")


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # RDF-star quoted triple
        return {"type": "triple", "value": str(term)}
    raise TypeError(f"not an RDF term: {term!r}")


def short(term: Any, prefixes: dict[str, str] = PREFIXES) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
        if best is not None:
            name = next(p for p, ns in prefixes.items() if ns == best)
            local = iri[len(best) :]
            if local and all(c.isalnum() or c in "_-./%" for c in local):
                return f"{name}:{local}"
        return f"<{iri}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render(
    result: Result, prefixes: dict[str, str] = PREFIXES, labels: Mapping[str, str] | None = None
) -> str:
    """A readable rendering: yes/no, Turtle for triples, an aligned table for rows; with
    `labels` (IRI -> label), IRIs that have a label are shown by it."""
    if result.boolean is not None:
        return "yes" if result.boolean else "no"
    if result.triples is not None:
        data = ox.serialize(
            result.triples, format=ox.RdfFormat.TURTLE, prefixes=_used(result.triples, prefixes)
        )
        return data.decode("utf-8") if data else ""

    def cell(t: Any) -> str:
        if labels and isinstance(t, ox.NamedNode) and t.value in labels:
            return labels[t.value]
        return short(t, prefixes)

    return table(result.variables, [[cell(t) for t in row] for row in result.rows])


def _used(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes the triples use, so a small result is not buried under 25 lines."""
    iris = {
        t.value
        for tr in triples
        for t in (tr.subject, tr.predicate, tr.object)
        if isinstance(t, ox.NamedNode)
    }
    iris |= {tr.object.datatype.value for tr in triples if isinstance(tr.object, ox.Literal)}
    used = {}
    for iri in iris:
        best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
        if best is not None:
            name = next(p for p, ns in prefixes.items() if ns == best)
            used[name] = best
    return dict(sorted(used.items()))


def format_result(
    result: Result,
    fmt: str,
    prefixes: dict[str, str] = PREFIXES,
    labels: Mapping[str, str] | None = None,
) -> str:
    """`result` in a format of `kg.formats.QUERY` (a name or alias): `table` via `render`
    (CONSTRUCT/DESCRIBE results print as Turtle), or the W3C SPARQL 1.1 results formats
    (csv, tsv, json, xml), written by pyoxigraph (triples become subject/predicate/object
    rows)."""
    chosen = QUERY.get(fmt)
    if chosen.name == "table":
        return render(result, prefixes, labels)
    parsed = ox.parse_query_results(result.to_json(), format=ox.QueryResultsFormat.JSON)
    out = io.BytesIO()
    parsed.serialize(out, chosen.load())
    return out.getvalue().decode("utf-8")


def table(headers: list[str], rows: list[list[str]]) -> str:
    cells = [[" ".join(str(c).split()) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, min(len(c), 80)) for w, c in zip(widths, row, strict=False)]

    def line(values: list[str]) -> str:
        cells = (_clip(v, w).ljust(w) for v, w in zip(values, widths, strict=False))
        return " | ".join(cells).rstrip()

    out = [line(headers), "-+-".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _clip(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"
