"""SPARQL as text, read just enough to help a user: statements split on `;`, updates and
SERVICE told apart, syntax errors pointed at the token that is wrong, query files read as
UTF-8 or refused with a coded error. `kg query` and the shell both use it; it needs no
parser (standard library and kg.errors only).

The tokens skip strings, IRIs and comments, so a `;`, a brace or a keyword inside them is
never taken for syntax. Oxigraph's parser says where it gave up, which is often the end of
the input under a list of keywords that make no sense there (`LIMT 5` gives "expected one
of HAVING, OFFSET, OPTIONAL, VALUES"). Bare words in SPARQL can only be keywords, function
names, `a`, `true` and `false`, so a bare word that is none of these is the mistake, and the
caret goes under it with the keyword it resembles.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

KEYWORDS = frozenset(
    """
    SELECT DISTINCT REDUCED WHERE FILTER OPTIONAL UNION MINUS GRAPH SERVICE SILENT BIND VALUES
    AS ORDER GROUP BY HAVING LIMIT OFFSET ASK CONSTRUCT DESCRIBE PREFIX BASE FROM NAMED NOT
    EXISTS IN ASC DESC UNDEF INSERT DELETE DATA WITH CLEAR DROP LOAD CREATE COPY MOVE ADD INTO
    TO USING DEFAULT ALL LATERAL SEPARATOR
    """.split()
)
FUNCTIONS = frozenset(
    """
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE
    RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS
    STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID
    MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK
    ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE
    LANGDIR STRLANGDIR HASLANG HASLANGDIR
    """.split()
)
WORDS = KEYWORDS | FUNCTIONS | {"A", "TRUE", "FALSE"}
UPDATE_WORDS = frozenset(
    "INSERT DELETE LOAD CLEAR CREATE DROP COPY MOVE ADD WITH".split()
)  # what an update starts with, after its prologue

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<open_string>'''|\"\"\"|'|")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<pname>(?:[A-Za-z_\u00c0-\uffff][\w\-.\u00b7]*)?:(?:[\w\-.%:\u00b7]|\\.)*)
  | (?P<word>[A-Za-z_\u00c0-\uffff][\w\-\u00b7]*)
  | (?P<other>\^\^|\|\||&&|!=|<=|>=|.)
""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # comment, string, open_string, iri, var, lang, number, pname, word, other
    text: str
    start: int  # offset in the text


def tokens(text: str) -> Iterator[Token]:
    """The tokens of `text`, white space left out; never fails (an unclosed string is an
    `open_string` token, a lone character an `other`)."""
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        assert match is not None  # `other` matches any character
        kind = match.lastgroup or "other"
        if kind == "pname" and match.group().endswith("."):  # a trailing dot ends a triple
            end = match.end() - len(match.group()) + len(match.group().rstrip("."))
            yield Token(kind, text[pos:end], pos)
            pos = end
            continue
        if kind != "space":
            yield Token(kind, match.group(), pos)
        pos = match.end()


def split_statements(text: str) -> list[str]:
    """`text` cut at each `;` that ends a statement: outside strings, IRIs and comments and
    outside braces and parentheses (a `;` inside a pattern separates predicates, inside
    GROUP_CONCAT(...) it comes before the separator). Consecutive updates stay one request,
    as SPARQL Update joins operations with `;`, so they write one generation."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for tok in tokens(text):
        if tok.kind != "other":
            continue
        if tok.text in "{(":
            depth += 1
        elif tok.text in "})":
            depth = max(0, depth - 1)
        elif tok.text == ";" and depth == 0:
            pieces.append(text[start : tok.start])
            start = tok.start + 1
    pieces.append(text[start:])
    statements: list[str] = []
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if statements and is_update(piece) and is_update(statements[-1]):
            statements[-1] += " ;\n" + piece
        else:
            statements.append(piece)
    return statements


def _body(text: str) -> Iterator[Token]:
    """The tokens after the prologue (PREFIX and BASE declarations)."""
    toks = [t for t in tokens(text) if t.kind != "comment"]
    i = 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "PREFIX":
            i += 3  # PREFIX p: <iri>
        elif word == "BASE":
            i += 2
        else:
            break
    yield from toks[i:]


def is_update(text: str) -> bool:
    """Whether `text` is a SPARQL Update (its first word after the prologue)."""
    first = next(_body(text), None)
    return first is not None and first.kind == "word" and first.text.upper() in UPDATE_WORDS


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def uses_service(text: str) -> bool:
    """Whether the query calls another server (the SERVICE keyword, outside strings, IRIs
    and comments). SPARQL reads \\u escapes anywhere in a query, so they are read first:
    \\u0053ERVICE is SERVICE too."""
    text = _CODEPOINT.sub(lambda m: _char(m.group(1) or m.group(2)), text)
    return any(t.kind == "word" and t.text.upper() == "SERVICE" for t in tokens(text))


def _char(hex_digits: str) -> str:
    try:
        return chr(int(hex_digits, 16))
    except ValueError:  # beyond U+10FFFF: the parser refuses it anyway
        return "\ufffd"


def declared_prefixes(text: str) -> set[str]:
    toks = [t for t in tokens(text) if t.kind != "comment"]
    return {
        toks[i + 1].text[:-1]
        for i in range(len(toks) - 1)
        if toks[i].kind == "word"
        and toks[i].text.upper() == "PREFIX"
        and toks[i + 1].kind == "pname"
        and toks[i + 1].text.endswith(":")
    }


# -- syntax errors ---------------------------------------------------------------------------

_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


@dataclass(frozen=True)
class Diagnosis:
    """Where a query is wrong (offset in the text) and what to say about it."""

    offset: int
    message: str


def diagnose(text: str, parser_message: str, prefixes: Iterable[str]) -> Diagnosis:
    """The mistake in a query the parser refused: an unclosed string, an undeclared prefix,
    an unknown word, an unclosed brace; else the parser's own position and words."""
    toks = list(tokens(text))
    for tok in toks:
        if tok.kind == "open_string":
            return Diagnosis(tok.start, "this string is never closed")
    known = set(prefixes) | declared_prefixes(text)
    after_prefix_keyword = False
    for tok in toks:
        if tok.kind == "pname" and not after_prefix_keyword:
            prefix = tok.text.partition(":")[0]
            if prefix not in known and not prefix.startswith("_"):
                return Diagnosis(
                    tok.start,
                    f"the prefix {prefix}: is not declared; add PREFIX {prefix}: <...> "
                    "or use one that \\prefixes lists",
                )
        after_prefix_keyword = tok.kind == "word" and tok.text.upper() == "PREFIX"
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() not in WORDS:
            if i > 0 and toks[i - 1].text == "@":  # a language tag split oddly
                continue
            close = difflib.get_close_matches(tok.text.upper(), sorted(WORDS), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            return Diagnosis(tok.start, f"{tok.text!r} is not a SPARQL keyword{hint}")
    opened: list[Token] = []
    for tok in toks:
        if tok.kind == "other" and tok.text in "{(":
            opened.append(tok)
        elif tok.kind == "other" and tok.text in "})":
            if not opened:
                return Diagnosis(tok.start, f"this {tok.text} closes nothing")
            opened.pop()
    if opened:
        return Diagnosis(opened[-1].start, f"this {opened[-1].text} is never closed")
    return _parser_position(text, toks, parser_message)


def _parser_position(text: str, toks: list[Token], parser_message: str) -> Diagnosis:
    match = _POSITION.match(parser_message.strip())
    if match is None:
        return Diagnosis(len(text), " ".join(parser_message.split()))
    offset = offset_of(text, int(match.group(1)), int(match.group(2)))
    expected = _expected_words(match.group(3))
    if not text[offset:].strip():  # the parser ran out of input
        last = toks[-1].text[:30] if toks else ""
        said = f"the query ends unfinished after {last!r}" if last else "the query is empty"
        return Diagnosis(len(text.rstrip()), f"{said} ({expected})" if expected else said)
    at = next((t for t in reversed(toks) if t.start <= offset), None)
    if at is not None and at.start + len(at.text) < offset:  # in the space after a token
        following = next((t for t in toks if t.start >= offset), None)
        at = following or at
    if at is None:
        return Diagnosis(offset, expected or "unexpected input")
    said = f"unexpected {at.text[:30]!r}"
    return Diagnosis(at.start, f"{said} ({expected})" if expected else said)


def _expected_words(said: str) -> str:
    """The parser's "expected one of ..." without its character classes, or ''."""
    said = " ".join(said.split())
    if "[" in said:
        said = said[: said.index("[")].rstrip(", ")
    return "" if said in ("expected", "expected one of") else said


def offset_of(text: str, line: int, column: int) -> int:
    """The offset of a 1-based line and column (Oxigraph counts columns in characters)."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    return sum(len(x) + 1 for x in lines[: line - 1]) + max(
        0, min(column - 1, len(lines[line - 1]))
    )


def position_of(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    head = text[:offset]
    return head.count("\n") + 1, offset - (head.rfind("\n") + 1) + 1


def caret(text: str, offset: int) -> str:
    """The line of `offset` with a numbered gutter and a caret under it."""
    line_no, col = position_of(text, offset)
    line = text.split("\n")[line_no - 1]
    gutter = f"{line_no:>4} | "
    width = _width(line[: col - 1])
    return f"{gutter}{line}\n{' ' * (len(gutter) - 2)}| {' ' * width}^"


def _width(text: str) -> int:
    try:
        from wcwidth import wcswidth

        width = wcswidth(text)
        return width if width >= 0 else len(text)
    except ImportError:  # pragma: no cover - wcwidth comes with prompt_toolkit
        return len(text)


# -- terms of the ontology -------------------------------------------------------------------


def unknown_terms(text: str, namespace_prefix: str, known: Iterable[str]) -> list[tuple[str, str]]:
    """(term, suggestion) for each prefixed name of `namespace_prefix` (e.g. "kg") that the
    ontology does not define; suggestion is the closest defined term, or ''."""
    defined = set(known)
    if not defined:
        return []
    out: dict[str, str] = {}
    redeclared = namespace_prefix in declared_prefixes(text)
    if redeclared:  # the query gave kg: another meaning
        return []
    for tok in tokens(text):
        if tok.kind != "pname":
            continue
        prefix, _, local = tok.text.partition(":")
        if prefix != namespace_prefix or not local or local in defined or tok.text in out:
            continue
        close = difflib.get_close_matches(local, sorted(defined), n=1, cutoff=0.6)
        if not close:  # a different case is the commonest slip: kg:country for kg:Country
            close = [d for d in defined if d.casefold() == local.casefold()][:1]
        out[tok.text] = f"{namespace_prefix}:{close[0]}" if close else ""
    return list(out.items())


# -- refusals and query files ----------------------------------------------------------


def refused(reason: str) -> KgError:
    """A statement the shell or kg query will not run, with how to run it instead."""
    return KgError("E079", reason=reason)


UPDATE_IN_QUERY = (
    "kg query answers queries and never changes the store; run an update with "
    "kg shell --allow-update -e '...'"
)
SERVICE_REFUSED = (
    "SERVICE sends part of the query to another server, which kg does only when asked: "
    "add --allow-service"
)
DEFAULT_GRAPH_UPDATE = (
    "an update without GRAPH would change the union of the documents, which kg rebuilds "
    "from the document graphs; name the graphs, e.g. DELETE WHERE { GRAPH ?g { ?s kg:boycotts "
    "?o } } removes those edges from every document, INSERT DATA { GRAPH graph:notes { ... } } "
    "adds to a graph of your own"
)


def read_text(path: Path | str, data: bytes | None = None) -> str:
    """A query file (or standard input, as `data`) as text; not UTF-8 is E003 naming the
    file and the byte, not a traceback."""
    name = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise KgError("E004", name, reason=exc.strerror or str(exc)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KgError("E003", name, encoding="UTF-8", offset=exc.start) from None
