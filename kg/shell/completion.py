"""What to suggest, decided by a pure function of the text before the cursor and a
snapshot of completion data; the prompt_toolkit `Completer` in app.py only wraps it.

The snapshot (`CompletionData`) is loaded by queries: ontology classes and properties from
`graph:ontology` with their labels and comments, the predicates in use, and entity names
(skos:prefLabel, skos:altLabel). It is immutable, so a background refresh swaps it whole.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.formats import EXPORT, QUERY, Format
from kg.graph.prefixes import PREFIXES
from kg.graph.results import short
from kg.shell.names import Entity, Hit, NameIndex
from kg.shell.sparql import WORDS, tokens

KEYWORDS = (
    "SELECT",
    "DISTINCT",
    "REDUCED",
    "WHERE",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "GRAPH",
    "SERVICE",
    "BIND",
    "VALUES",
    "AS",
    "ORDER BY",
    "GROUP BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "PREFIX",
    "BASE",
    "FROM",
    "FROM NAMED",
    "NOT EXISTS",
    "EXISTS",
    "NOT IN",
    "IN",
    "ASC",
    "DESC",
    "UNDEF",
    "true",
    "false",
    "BY",
    "DATA",
    "NAMED",
    "USING",
    "INSERT DATA",
    "DELETE DATA",
    "DELETE",
    "INSERT",
    "WITH",
    "CLEAR",
    "DROP",
    "LOAD",
)
FUNCTIONS = (
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "SAMPLE",
    "GROUP_CONCAT",
    "STR",
    "LANG",
    "LANGMATCHES",
    "DATATYPE",
    "BOUND",
    "IRI",
    "URI",
    "BNODE",
    "RAND",
    "ABS",
    "CEIL",
    "FLOOR",
    "ROUND",
    "CONCAT",
    "STRLEN",
    "UCASE",
    "LCASE",
    "ENCODE_FOR_URI",
    "CONTAINS",
    "STRSTARTS",
    "STRENDS",
    "STRBEFORE",
    "STRAFTER",
    "YEAR",
    "MONTH",
    "DAY",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "TIMEZONE",
    "TZ",
    "NOW",
    "UUID",
    "STRUUID",
    "MD5",
    "SHA1",
    "SHA256",
    "SHA384",
    "SHA512",
    "COALESCE",
    "IF",
    "STRLANG",
    "STRDT",
    "sameTerm",
    "isIRI",
    "isURI",
    "isBLANK",
    "isLITERAL",
    "isNUMERIC",
    "REGEX",
    "SUBSTR",
    "REPLACE",
)


@dataclass(frozen=True)
class Term:
    """An ontology class or property: its prefixed name, label and comment."""

    name: str
    label: str = ""
    comment: str = ""


@dataclass(frozen=True)
class EntityName:
    """One name of an entity (its preferred label or an alias) and what to insert."""

    name: str
    insert: str  # prefixed name, or <iri>
    kind: str
    label: str  # the preferred label
    count: int = 0  # documents that mention the entity (more first)


@dataclass(frozen=True)
class Suggestion:
    text: str
    start: int  # negative: how many characters before the cursor it replaces
    display: str = ""
    meta: str = ""


@dataclass(frozen=True)
class CompletionData:
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(PREFIXES))
    classes: tuple[Term, ...] = ()
    properties: tuple[Term, ...] = ()
    predicates: tuple[str, ...] = ()  # prefixed names of predicates used in the data
    entities: tuple[EntityName, ...] = ()
    # command name -> (kind of argument it completes, one-line help)
    commands: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    queries: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # IRI -> label, for \labels on
    triples: int | None = None
    documents: int | None = None
    entity_limit: int = 30
    index: NameIndex | None = None  # built from `entities` when first searched

    def names(self) -> NameIndex:
        """The name index of `entities` (built once; a loaded snapshot comes with it)."""
        if self.index is None:
            object.__setattr__(self, "index", index_of(self.entities))
        assert self.index is not None
        return self.index


def index_of(entities: Iterable[EntityName]) -> NameIndex:
    grouped: dict[str, tuple[Entity, list[str]]] = {}
    for e in entities:
        entry = grouped.setdefault(e.insert, (Entity(e.insert, e.label, e.kind, e.count), []))
        entry[1].append(e.name)
    return NameIndex(grouped.values())


# -- loading ---------------------------------------------------------------------------

_TERMS = """
SELECT ?t ?type (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) WHERE {
  GRAPH graph:ontology {
    ?t a ?type .
    VALUES ?type { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
                   rdf:Property }
    FILTER(isIRI(?t))
    OPTIONAL { ?t rdfs:label ?l }
    OPTIONAL { ?t rdfs:comment ?c }
  }
} GROUP BY ?t ?type ORDER BY ?t
"""
_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
_ENTITIES = """
SELECT ?e ?name (SAMPLE(?pref) AS ?label) (SAMPLE(?cls) AS ?kind) WHERE {
  ?e skos:prefLabel ?pref ; a ?cls .
  FILTER(STRSTARTS(STR(?cls), STR(kg:)))
  { ?e skos:prefLabel ?name } UNION { ?e skos:altLabel ?name }
} GROUP BY ?e ?name
"""
_MENTIONS = "SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d kg:mentions ?e } GROUP BY ?e"
_DOCUMENTS = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document }"


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def load_completion_data(
    store: Any,
    commands: Mapping[str, tuple[str, str]] | None = None,
    queries: tuple[str, ...] = (),
    entity_limit: int = 30,
    prefixes: Mapping[str, str] = PREFIXES,
) -> CompletionData:
    """Query `store` (anything with `.query(sparql)`) for a fresh snapshot."""
    pfx = dict(prefixes)
    classes: list[Term] = []
    properties: list[Term] = []
    labels: dict[str, str] = {}
    for row in store.query(_TERMS):
        iri = row["t"].value
        label = row["label"].value if row["label"] is not None else ""
        comment = " ".join(row["comment"].value.split()) if row["comment"] is not None else ""
        term = Term(short(row["t"], pfx), label, comment)
        (classes if row["type"].value.endswith("#Class") else properties).append(term)
        if label:
            labels[iri] = label
    predicates = sorted({short(r["p"], pfx) for r in store.query(_PREDICATES)})
    entities: list[EntityName] = []
    if callable(getattr(store, "names", None)):
        index = _index_from_names(store.names(), pfx, labels)
    else:
        entities = _entity_names(store, pfx, labels)
        index = index_of(entities)
    documents = next(iter(store.query(_DOCUMENTS)))["n"]
    try:
        triples: int | None = int(getattr(store, "triples", None) or len(store))
    except TypeError:
        triples = None
    return CompletionData(
        prefixes=pfx,
        classes=tuple(classes),
        properties=tuple(properties),
        predicates=tuple(p for p in predicates if not p.startswith("<")),
        entities=tuple(entities),
        index=index,
        commands=dict(commands or {}),
        queries=queries,
        labels=labels,
        triples=triples,
        documents=int(documents.value) if documents is not None else None,
        entity_limit=entity_limit,
    )


def _index_from_names(names: Iterable[Any], pfx: dict[str, str], labels: dict[str, str]) -> Any:
    """The index from the store's name index (`GraphStore.names()`: written with each
    generation, so nothing is queried)."""
    pairs = []
    for name in names:
        labels.setdefault(name.iri, name.label)
        entity = Entity(short(ox.NamedNode(name.iri), pfx), name.label, name.kind, name.documents)
        pairs.append((entity, (name.label, *name.aliases)))
    return NameIndex(pairs)


def _entity_names(store: Any, pfx: dict[str, str], labels: dict[str, str]) -> list[EntityName]:
    """Every name of every entity, queried (for a store without a name index, or a remote
    endpoint)."""
    mentions = {r["e"].value: int(r["n"].value) for r in store.query(_MENTIONS)}
    entities = []
    for row in store.query(_ENTITIES):
        iri, label = row["e"].value, row["label"].value
        labels.setdefault(iri, label)
        entities.append(
            EntityName(
                row["name"].value,
                short(row["e"], pfx),
                _local(row["kind"].value),
                label,
                mentions.get(iri, 0),
            )
        )
    entities.sort(key=lambda e: (e.name.casefold(), e.insert))
    return entities


# -- suggesting ------------------------------------------------------------------------

_WORD = re.compile(r"[?$]?[\w\-.%]*(?::[\w\-.%]*)?$", re.UNICODE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_]\w*)")
# What a command's arguments complete to (`Command.complete` in kg.shell.registry); each
# is handled in `_command`, and a test checks that every command declares one of these.
ARGUMENT_KINDS = (
    "command",
    "entity",
    "export",
    "file",
    "format",
    "on|off",
    "on|off|auto",
    "query",
    "setting",
)
SETTING_NAMES = ("width", "null", "max_rows", "timeout")  # kg.shell.commands.SETTINGS


def suggest(before: str, data: CompletionData) -> list[Suggestion]:
    """Suggestions for the text before the cursor (the whole input so far)."""
    line = before.rsplit("\n", 1)[-1]
    if line.lstrip().startswith("\\") and "\n" not in before.strip():
        return _command(line.lstrip(), data)
    if _in_string_iri_or_comment(line):
        return []
    word = _WORD.search(before)
    text = word.group(0) if word else ""
    if text.startswith(("?", "$")):
        return _variables(before, text)
    if ":" in text:
        return _prefixed(text, before[: len(before) - len(text)], data)
    if not text or text[0].isdigit():
        return []
    return _words(text, before[: len(before) - len(text)], line, data)


def _in_string_iri_or_comment(line: str) -> bool:
    quote = ""
    iri = False
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif iri:
            iri = c != ">"
        elif c in "\"'":
            quote = c
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`]*(>|$)", line[i:]):
            iri = True
        elif c == "#":
            return True
        i += 1
    return bool(quote or iri)


def _variables(before: str, text: str) -> list[Suggestion]:
    seen: dict[str, None] = {}
    body = before[: len(before) - len(text)]
    for name in _VARIABLE.findall(body):
        seen.setdefault(name, None)
    want = text[1:].casefold()
    return [
        Suggestion(text[0] + v, -len(text), meta="variable")
        for v in seen
        if v.casefold().startswith(want) and v != text[1:]
    ]


def _previous_token(head: str) -> str:
    tokens = head.split()
    return tokens[-1] if tokens else ""


def _prefixed(text: str, head: str, data: CompletionData) -> list[Suggestion]:
    prefix, _, local = text.partition(":")
    if prefix not in data.prefixes:
        return []
    want = local.casefold()
    out: list[Suggestion] = []
    want_class = _previous_token(head) in ("a", "rdf:type")
    terms = (data.classes + data.properties) if want_class else (data.properties + data.classes)
    seen = set()
    for term in terms:
        p, _, name = term.name.partition(":")
        if p == prefix and name.casefold().startswith(want) and term.name not in seen:
            seen.add(term.name)
            meta = " — ".join(x for x in (term.label, term.comment) if x)
            out.append(Suggestion(term.name, -len(text), term.name, meta))
    for pred in data.predicates:
        p, _, name = pred.partition(":")
        if p == prefix and name.casefold().startswith(want) and pred not in seen:
            seen.add(pred)
            out.append(Suggestion(pred, -len(text), pred, "predicate"))
    namespace = data.prefixes[prefix]
    if "/id/" in namespace:  # an entity prefix such as person:
        for ent in _entities(local, data, lambda e: e.insert.startswith(prefix + ":")):
            out.append(Suggestion(ent.insert, -len(text), ent.insert, ent.name))
    return out


def _entities(
    typed: str, data: CompletionData, keep: Any = None, fuzzy: bool = True
) -> list[EntityName]:
    """Entities for a typed name, best first (kg.shell.names: name start, word starts,
    contains, then fuzzy; the most mentioned first), one entry per entity."""
    index = data.names()
    if not typed.strip():  # "country:" alone: the most mentioned of that kind
        chosen = (e for e in index.entities if keep is None or keep(e))
        return [EntityName(e.label, e.insert, e.kind, e.label, e.count) for e in chosen][
            : data.entity_limit
        ]
    hits = index.search(typed, data.entity_limit, keep, fuzzy)
    return [_as_name(h) for h in hits]


def _as_name(hit: Hit) -> EntityName:
    e = hit.entity
    return EntityName(hit.name, e.insert, e.kind, e.label, e.count)


# A name being typed may be several words ("lopez ob"): the longest run of up to
# `NAME_WORDS` words before the cursor that names an entity is replaced whole.
NAME_WORDS = 4
_NAME_RUN = re.compile(
    r"(?:[^\W\d][\w'’.\-]*[ \t]+){0,%d}[^\W\d][\w'’.\-]*$" % (NAME_WORDS - 1)  # noqa: UP031
)


def _name_spans(line: str) -> list[str]:
    """The candidate names typed before the cursor, longest first; SPARQL keywords at the
    start of a run are not part of a name ("FILTER lopez" names "lopez")."""
    found = _NAME_RUN.search(line)
    if found is None:
        return []
    words = found.group().split()
    return [
        " ".join(words[start:])
        for start in range(len(words))
        if start == len(words) - 1 or words[start].upper() not in WORDS
    ]


def _words(text: str, head: str, line: str, data: CompletionData) -> list[Suggestion]:
    want = text.casefold()
    allowed = keywords_here(head)
    out = [
        Suggestion(k, -len(text), meta="keyword")
        for k in KEYWORDS
        if k.casefold().startswith(want) and k.casefold() != want and k in allowed
    ]
    if FUNCTION_CONTEXT in allowed:
        out += [
            Suggestion(f, -len(text), meta="function")
            for f in FUNCTIONS
            if f.casefold().startswith(want) and f.casefold() != want
        ]
    out += [
        Suggestion(p + ":", -len(text), meta=ns)
        for p, ns in data.prefixes.items()
        if p.startswith(want)
    ]
    if len(text) >= 2 and NAME_CONTEXT in allowed:
        out += _named(_name_spans(line), line, data)
    return out


def _named(spans: list[str], line: str, data: CompletionData) -> list[Suggestion]:
    """Entities for the longest span of typed words that names one; spelt as typed first,
    then (for none) misspelt."""
    for fuzzy in (False, True):
        for span in spans:
            found = _entities(span, data, fuzzy=fuzzy)
            if found:
                typed = line[len(line) - len(span) :] if line.endswith(span) else span
                return [Suggestion(e.insert, -len(typed), e.name, _entity_meta(e)) for e in found]
    return []


# -- keywords that fit where the cursor is --------------------------------------------------

FUNCTION_CONTEXT = "(functions)"  # markers in the set `keywords_here` returns
NAME_CONTEXT = "(entity names)"
_STARTS = {"PREFIX", "BASE", "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "INSERT DATA"}
_STARTS |= {"DELETE DATA", "DELETE", "INSERT", "WITH", "CLEAR", "DROP", "LOAD"}
_PATTERN = {"FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "BIND", "VALUES"}
_PATTERN |= {"SELECT", "UNDEF", "true", "false", NAME_CONTEXT}
_EXPRESSION = {"AS", "IN", "NOT IN", "EXISTS", "NOT EXISTS", "true", "false", "DISTINCT"}
_EXPRESSION |= {FUNCTION_CONTEXT, NAME_CONTEXT}
_MODIFIERS = {"ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "VALUES"}
_PROJECTION = {"DISTINCT", "REDUCED", "FROM", "FROM NAMED", "WHERE", FUNCTION_CONTEXT}
_AFTER = {
    "ORDER": {"BY"},
    "GROUP": {"BY"},
    "NOT": {"EXISTS", "IN"},
    "FROM": {"NAMED"},
    "INSERT": {"DATA"},
    "DELETE": {"DATA", "WHERE"},
    "FILTER": {"NOT EXISTS", "EXISTS", FUNCTION_CONTEXT, NAME_CONTEXT},
}
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATES = {"INSERT", "DELETE", "WITH", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD"}


def keywords_here(head: str) -> set[str]:
    """The keywords (and the markers for functions and entity names) that can come next
    after `head`, the text before the word being typed: "ORDER B" offers BY, not BIND."""
    toks = [t for t in tokens(head) if t.kind != "comment"]
    words = [t.text.upper() if t.kind == "word" else t.text for t in toks]
    if words and words[-1] in _AFTER:
        return _AFTER[words[-1]]
    braces = parens = 0
    form = ""
    closed_pattern = False
    prologue = True
    skip = 0
    for tok, word in zip(toks, words, strict=True):
        if skip:
            skip -= 1
            continue
        if prologue and word in ("PREFIX", "BASE"):
            skip = 2 if word == "PREFIX" else 1
            continue
        prologue = False
        if tok.kind == "word" and not form and word in _FORMS | _UPDATES:
            form = word
        elif word == "{":
            braces += 1
        elif word == "}":
            braces = max(0, braces - 1)
            closed_pattern = closed_pattern or braces == 0
        elif word == "(":
            parens += 1
        elif word == ")":
            parens = max(0, parens - 1)
    if prologue:
        return _STARTS
    if parens:
        return _EXPRESSION
    if braces:
        return _PATTERN
    if not form:  # a fragment: anything may follow
        return {*KEYWORDS, FUNCTION_CONTEXT, NAME_CONTEXT}
    if form in _UPDATES:
        return {"WHERE", "INSERT", "USING", "DATA", NAME_CONTEXT}
    if closed_pattern:
        modifiers = set(_MODIFIERS)
        if "ORDER" in words:
            modifiers |= {"ASC", "DESC", FUNCTION_CONTEXT}
        return modifiers
    return _PROJECTION


def _entity_meta(ent: EntityName) -> str:
    alias = f"alias of {ent.label}, " if ent.name != ent.label else ""
    return f"{alias}{ent.kind} {ent.insert}"


def _command(line: str, data: CompletionData) -> list[Suggestion]:
    name, space, rest = line[1:].partition(" ")
    if not space:
        return [
            Suggestion("\\" + c, -len(line), meta=data.commands[c][1])
            for c in sorted(data.commands)
            if c.startswith(name) and c != name
        ]
    kind = data.commands.get(name, ("", ""))[0]
    before, word = _last_word(rest)
    position = len(_words_of(before))  # of the argument being typed, from 0
    if kind == "file" or (kind == "export" and position == 1):  # \export FORMAT FILE
        return _paths(word)
    formats: tuple[Format, ...] = ()
    if kind == "format" and position == 0:
        formats = QUERY.formats
    elif kind == "export" and position == 0:
        formats = EXPORT.formats
    if formats:
        return [
            Suggestion(f.name, -len(word), meta=f"{f.summary} ({f.kind.value}, {f.suffix})")
            for f in formats
            if f.name.startswith(word) and f.name != word
        ]
    choices: tuple[str, ...] = ()
    if kind == "on|off":
        choices = ("on", "off")
    elif kind == "on|off|auto":
        choices = ("on", "off", "auto")
    elif kind == "setting" and position == 0:
        choices = SETTING_NAMES
    elif kind == "query":
        choices = data.queries
    elif kind == "command":
        choices = tuple(sorted(data.commands))
    elif kind == "entity" and word:
        if ":" in word:
            return [s for s in _prefixed(word, "", data) if s.meta != "predicate"]
        if name == "describe" or name == "sources" or name == "d":  # one name: all of it
            typed = rest.lstrip()
            return [
                Suggestion(e.insert, -len(typed), e.name, _entity_meta(e))
                for e in _entities(typed, data)
            ]
        return [
            Suggestion(e.insert, -len(word), e.name, _entity_meta(e)) for e in _entities(word, data)
        ]
    return [Suggestion(c, -len(word)) for c in choices if c.startswith(word) and c != word]


# -- file names ------------------------------------------------------------------------

_UNESCAPED_SPACE = re.compile(r"(?<!\\) ")
MAX_PATHS = 200


def _last_word(rest: str) -> tuple[str, str]:
    """The arguments before the one being typed, and that one (a space escaped as "\\ ",
    as the commands read it with shlex, stays inside a word)."""
    cut = [m.end() for m in _UNESCAPED_SPACE.finditer(rest)]
    at = cut[-1] if cut else 0
    return rest[:at], rest[at:]


def _words_of(text: str) -> list[str]:
    return [w for w in _UNESCAPED_SPACE.split(text) if w]


def _paths(word: str) -> list[Suggestion]:
    """The files and folders whose names complete `word`, a path as typed (relative to the
    working folder, or absolute, or starting with ~); folders end with "/". Names starting
    with "." only when the typed name does. Spaces in names are inserted as "\\ "."""
    typed = word.replace("\\ ", " ")
    head, slash, stem = typed.rpartition("/")
    folder = os.path.expanduser(head + slash) if slash else "."
    try:
        with os.scandir(folder) as listing:
            entries = sorted((e for e in listing if e.name.startswith(stem)), key=lambda e: e.name)
    except OSError:  # no such folder, or not readable: nothing to offer
        return []
    out = []
    for entry in entries:
        if entry.name.startswith(".") and not stem.startswith("."):
            continue
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        name = entry.name + ("/" if is_folder else "")
        text = (head + slash + name).replace(" ", "\\ ")
        if text != word:  # a file name typed in full needs nothing more
            out.append(Suggestion(text, -len(word), name, "folder" if is_folder else "file"))
        if len(out) == MAX_PATHS:
            break
    return out
