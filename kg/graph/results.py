"""One result shape for queries and commands, printed by one formatter.

SELECT results become a `Result` of variables and rows of pyoxigraph terms; ASK a
boolean; CONSTRUCT/DESCRIBE triples. `render()` prints a table (IRIs shortened to
prefixed names, or their labels), or one block per row (`Display.expanded`, psql's `\\x`),
and `format_result()` also writes the W3C SPARQL 1.1 results formats (csv, tsv, json, xml)
and Turtle. `stream()` writes a query's answer as it comes, in bounded memory (`kg query`).

Widths are display columns by Unicode rules (wcwidth): a CJK character takes two, a
combining accent none, so columns stay aligned. Control characters in values (a document
can hold an escape sequence) are shown escaped, never sent to the terminal.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any, cast

import pyoxigraph as ox
from wcwidth import wcwidth

from kg.formats import QUERY
from kg.graph.prefixes import PREFIXES

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_BOOLEAN = ox.NamedNode(XSD + "boolean")
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_STRING = XSD + "string"


class Solutions:
    """A SELECT answer as plain rows: what the shell's worker sends back. Iterates like
    pyoxigraph's `QuerySolutions` (`row["name"]`, `row[0]`), so lookups and analyses read
    either."""

    def __init__(self, variables: list[str], rows: list[list[Any]]) -> None:
        self.names = list(variables)
        self.rows = rows
        self._index = {name: i for i, name in enumerate(self.names)}

    @property
    def variables(self) -> list[ox.Variable]:
        return [ox.Variable(n) for n in self.names]

    def __iter__(self) -> Iterator[Solution]:
        return (Solution(self._index, row) for row in self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class Solution:
    __slots__ = ("_index", "_row")

    def __init__(self, index: dict[str, int], row: list[Any]) -> None:
        self._index = index
        self._row = row

    def __getitem__(self, key: int | str | ox.Variable) -> Any:
        if isinstance(key, int):
            return self._row[key]
        name = key.value if isinstance(key, ox.Variable) else key
        return self._row[self._index[name]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


@dataclass
class Result:
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    raw: Any = None
    more: bool = False  # a row limit cut it: the answer had more rows than `rows`

    @classmethod
    def of(cls, answer: Any, limit: int | None = None) -> Result:
        """A query's answer; with `limit`, at most that many rows or triples are read and
        `more` tells whether there were others."""
        if isinstance(answer, bool):
            return cls(boolean=answer)
        if isinstance(answer, ox.QueryBoolean):
            return cls(boolean=bool(answer))
        if isinstance(answer, Solutions):
            rows, more = _take(answer.rows, limit)
            return cls(list(answer.names), [list(r) for r in rows], more=more)
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            rows, more = _take(answer, limit)
            return cls(names, [[row[v] for v in names] for row in rows], more=more)
        triples, more = _take(answer, limit)
        return cls(triples=[_triple(t) for t in triples], more=more)

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
            more=self.more,
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


def _take(items: Iterable[Any], limit: int | None) -> tuple[list[Any], bool]:
    if not limit:
        return list(items), False
    got = list(islice(iter(items), limit + 1))
    return got[:limit], len(got) > limit


def _triple(item: Any) -> ox.Triple:
    if isinstance(item, ox.Triple):
        return item
    return ox.Triple(item.subject, item.predicate, item.object)  # a Quad


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # RDF-star quoted triple
        return {"type": "triple", "value": str(term)}
    raise TypeError(f"not an RDF term: {term!r}")


# -- how cells look ------------------------------------------------------------------------


@dataclass(frozen=True)
class Display:
    """How a table shows its values: `width` cuts a cell at that many columns (0: never),
    `null` stands for an unbound value (so it differs from the empty string ""), `literals`
    shows literals as Turtle writes them ("chat"@fr, "5"^^xsd:integer), `expanded` prints
    one block per row, for rows too long for a line."""

    width: int = 80
    null: str = "∅"
    literals: bool = False
    expanded: bool = False
    columns: int = 0  # the terminal's width, for wrapping expanded values (0: no wrap)


PLAIN = Display()


def short(term: Any, prefixes: Mapping[str, str] = PREFIXES) -> str:
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


def literal_text(term: ox.Literal, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """A literal as Turtle writes it: "text", "text"@en, "5"^^xsd:integer."""
    quoted = json.dumps(term.value, ensure_ascii=False)
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype.value == XSD_STRING:
        return quoted
    return f"{quoted}^^{short(term.datatype, prefixes)}"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with control characters escaped (\\x1b), so no value moves the cursor or
    changes the terminal's colours."""
    if text.isprintable():
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def cell(
    term: Any,
    prefixes: Mapping[str, str] = PREFIXES,
    labels: Mapping[str, str] | None = None,
    display: Display = PLAIN,
) -> str:
    """One value as a table shows it (white space runs become one space)."""
    if term is None:
        return display.null
    if labels and isinstance(term, ox.NamedNode) and term.value in labels:
        text = labels[term.value]
    elif display.literals and isinstance(term, ox.Literal):
        text = literal_text(term, prefixes)
    else:
        text = short(term, prefixes)
    return printable(" ".join(text.split()))


def width_of(text: str) -> int:
    """Display columns of `text` (a wide character 2, a combining mark 0)."""
    if text.isascii() and text.isprintable():  # the common case, one column a character
        return len(text)
    total = 0
    for char in text:
        w = wcwidth(char)
        total += w if w > 0 else 0
    return total


def clip(text: str, width: int) -> str:
    """`text` cut to `width` columns, an ellipsis marking the cut."""
    if width <= 0 or width_of(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = max(wcwidth(char), 0)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - width_of(text))


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns, broken at spaces where it can be."""
    if width <= 0 or width_of(text) <= width:
        return [text]
    lines: list[str] = []
    line, used = "", 0
    for word in text.split(" "):
        w = width_of(word)
        if line and used + 1 + w > width:
            lines.append(line)
            line, used = "", 0
        while w > width:  # a word longer than a line is cut
            head = clip(word, width + 1)[:-1]
            if line:
                lines.append(line)
                line, used = "", 0
            lines.append(head)
            word = word[len(head) :]
            w = width_of(word)
        line, used = (f"{line} {word}", used + 1 + w) if line else (word, w)
    lines.append(line)
    return lines


# -- rendering ------------------------------------------------------------------------------


def render(
    result: Result,
    prefixes: Mapping[str, str] = PREFIXES,
    labels: Mapping[str, str] | None = None,
    display: Display = PLAIN,
) -> str:
    """A readable rendering: yes/no, Turtle for triples, an aligned table for rows; with
    `labels` (IRI -> label), IRIs that have a label are shown by it."""
    if result.boolean is not None:
        return "yes" if result.boolean else "no"
    if result.triples is not None:
        data = ox.serialize(
            result.triples, format=ox.RdfFormat.TURTLE, prefixes=_used(result.triples, prefixes)
        )
        text = printable_lines(data.decode("utf-8")) if data else ""
        return text + (_more_note(len(result.triples), "triples") if result.more else "")
    rows = [[cell(t, prefixes, labels, display) for t in row] for row in result.rows]
    if display.expanded:
        text = expanded(result.variables, rows, display.columns)
    else:
        text = table(result.variables, rows, display.width)
    return text + (_more_note(len(rows), "rows") if result.more else "")


def printable_lines(text: str) -> str:
    return "\n".join(printable(line) for line in text.split("\n"))


def _more_note(shown: int, what: str) -> str:
    return f"\n(the first {shown} {what} are shown: the answer has more; add a LIMIT)"


def _used(triples: list[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
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
    prefixes: Mapping[str, str] = PREFIXES,
    labels: Mapping[str, str] | None = None,
    display: Display = PLAIN,
) -> str:
    """`result` in a format of `kg.formats.QUERY` (a name or alias): `table` via `render`
    (CONSTRUCT/DESCRIBE results print as Turtle), or the W3C SPARQL 1.1 results formats
    (csv, tsv, json, xml), written by pyoxigraph (triples become subject/predicate/object
    rows)."""
    chosen = QUERY.get(fmt)
    if chosen.name == "table":
        return render(result, prefixes, labels, display)
    parsed = ox.parse_query_results(result.to_json(), format=ox.QueryResultsFormat.JSON)
    out = io.BytesIO()
    parsed.serialize(out, chosen.load())
    return out.getvalue().decode("utf-8")


def table(headers: list[str], rows: list[list[str]], width: int = 80) -> str:
    """An aligned table of strings, each cell cut at `width` display columns (0: never)."""
    cells = [[printable(" ".join(str(c).split())) for c in row] for row in rows]
    lines = TableWriter(headers, cells, width).lines(cells)
    return "\n".join([*lines, _count(len(rows))])


def _count(n: int) -> str:
    return f"({n} row{'s' if n != 1 else ''})"


class TableWriter:
    """Column widths fixed from the header and a sample of rows; then each row is a line.
    `stream()` sizes the columns on the first rows and writes the rest as they come."""

    def __init__(self, headers: list[str], sample: list[list[str]], width: int = 80) -> None:
        self.headers = headers
        widths = [width_of(h) for h in headers]
        for row in sample:
            widths = [
                max(w, min(width_of(c), width) if width > 0 else width_of(c))
                for w, c in zip(widths, row, strict=False)
            ]
        self.widths = widths

    def line(self, values: list[str]) -> str:
        parts = (pad(clip(v, w), w) for v, w in zip(values, self.widths, strict=False))
        return " | ".join(parts).rstrip()

    def lines(self, rows: Iterable[list[str]]) -> list[str]:
        out = [self.line(self.headers), "-+-".join("-" * w for w in self.widths)]
        out += [self.line(row) for row in rows]
        return out


def expanded(headers: list[str], rows: list[list[str]], columns: int = 0) -> str:
    """One block per row, a line per variable (psql's expanded mode), values in full,
    wrapped at `columns` when it is given."""
    key = max((width_of(h) for h in headers), default=0)
    room = columns - key - 3 if columns else 0
    out = []
    for number, row in enumerate(rows, 1):
        title = f"-[ row {number} ]"
        out.append(title + "-" * max(0, (columns or 40) - width_of(title)))
        for name, value in zip(headers, row, strict=False):
            pieces = wrap(value, room) if room > 10 else [value]
            out.append(f"{pad(name, key)} | {pieces[0]}".rstrip())
            out += [f"{' ' * key} | {piece}".rstrip() for piece in pieces[1:]]
    out.append(_count(len(rows)))
    return "\n".join(out)


# -- streaming (kg query) -------------------------------------------------------------------

SAMPLE_ROWS = 1000  # rows read before a streamed table's column widths are fixed


def stream(
    answer: Any,
    fmt: str,
    out: Any,
    prefixes: Mapping[str, str] = PREFIXES,
    display: Display = PLAIN,
) -> None:
    """Write a query's answer to `out` as it is read, in bounded memory. A table sizes its
    columns on the first `SAMPLE_ROWS` rows; the W3C formats and Turtle are written by
    Oxigraph's serialisers as they read the answer."""
    chosen = QUERY.get(fmt)
    if isinstance(answer, (bool, ox.QueryBoolean)):
        if chosen.name == "table":
            out.write(b"yes\n" if bool(answer) else b"no\n")
        else:
            out.write(format_result(Result(boolean=bool(answer)), chosen.name).encode())
        return
    if isinstance(answer, ox.QuerySolutions) and chosen.name != "table":
        answer.serialize(cast(IO[bytes], _Writer(out)), chosen.load())
        return
    if not isinstance(answer, (ox.QuerySolutions, Solutions)):  # CONSTRUCT, DESCRIBE
        ox.serialize(
            (_triple(t) for t in answer),
            cast(IO[bytes], _Writer(out)),
            ox.RdfFormat.TURTLE,
            prefixes=dict(prefixes),
        )
        return
    if isinstance(answer, Solutions) and chosen.name != "table":
        out.write(format_result(Result.of(answer), chosen.name).encode())
        return
    names = [v.value for v in answer.variables]
    rows = ([cell(t, prefixes, None, display) for t in row] for row in answer)
    sample = list(islice(rows, SAMPLE_ROWS))
    writer = TableWriter(names, sample, display.width)
    for line in writer.lines(sample):
        out.write(line.encode() + b"\n")
    count = len(sample)
    for row in rows:
        out.write(writer.line(row).encode() + b"\n")
        count += 1
    out.write(_count(count).encode() + b"\n")


class _Writer(io.RawIOBase):
    """`out` (anything with `write(bytes)`) as the binary file Oxigraph's serialisers want."""

    def __init__(self, out: Any) -> None:
        self._out = out

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._out.write(bytes(data))
        return len(data)
