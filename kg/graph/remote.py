"""A SPARQL 1.1 server as a store: query it like the embedded one, push the store's graphs to it.

`RemoteStore.query` answers with the same objects as `GraphStore.query` (pyoxigraph
`QuerySolutions` / `QueryBoolean`, a list of `Triple` for CONSTRUCT and DESCRIBE), so the shell,
`kg query` and `kg.graph.lookup` work unchanged on either. `push` sends every named graph of a
store by
the Graph Store Protocol: an HTTP PUT per graph replaces it, so an interrupted push is simply run
again.

Credentials come from `KG_ENDPOINT_USER` / `KG_ENDPOINT_PASSWORD` or `~/.netrc`, never from the
command line, and never appear in messages. Transient failures (connection errors, timeouts, HTTP
5xx and 429) are retried with exponential back-off, a bounded number of times.
"""

from __future__ import annotations

import netrc
import os
import re
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kg.errors import KgError
from kg.graph.prefixes import GRAPH_NS, PREFIXES
from kg.graph.results import printable
from kg.graph.terms import to_ox

ENV_USER = "KG_ENDPOINT_USER"
ENV_PASSWORD = "KG_ENDPOINT_PASSWORD"
KG_GRAPHS = GRAPH_NS

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
}
# XML first: Virtuoso's JSON writes an xsd:boolean as "1"/"0", its XML as "true"/"false".
ACCEPT_RESULTS = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
ACCEPT_TRIPLES = "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"
MAX_REDIRECTS = 10
# N-Triples is a subset of Turtle; `text/turtle` is the type every GSP server accepts.
GRAPH_BODY_TYPE = "text/turtle; charset=utf-8"


@dataclass(frozen=True)
class Retry:
    """How hard to try: `tries` attempts per request, waiting `backoff`, 2x`backoff`, ... (at
    most `max_backoff`) between them; each attempt, from connecting to the last byte of the
    answer, has `timeout` seconds in all (a server that sends a byte a second cannot hold
    it longer), and an answer larger than `max_bytes` is refused."""

    tries: int = 4
    backoff: float = 0.5
    timeout: float = 60.0
    max_backoff: float = 10.0
    max_bytes: int = 512 * 2**20


# -- credentials ----------------------------------------------------------------------------------


def credentials(url: str) -> tuple[str, str] | None:
    """(user, password) from the environment, else from ~/.netrc for the URL's host, else None."""
    user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
    if user and password is not None:
        return user, password
    host = urlsplit(url).hostname or ""
    path = Path.home() / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        # The parser's message may quote a token of the file, that is, a password: keep it out.
        raise KgError("E097", str(path), getattr(exc, "lineno", None)) from None
    if entry is None:
        return None
    login, _, secret = entry
    return (login, secret or "") if login else None


class ChallengeAuth(httpx.Auth):
    """Basic or Digest, whichever the server's 401 asks for; once known, sent up front."""

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._use_basic = False

    def __repr__(self) -> str:  # never show the password, even in a debugger
        return "ChallengeAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._use_basic:
            yield from self._basic.auth_flow(request)
            return
        digest = self._digest.auth_flow(request)
        response = yield next(digest)
        challenges = [c.lower() for c in response.headers.get_list("www-authenticate")]
        if (
            response.status_code == 401
            and challenges
            and not any(c.startswith("digest") for c in challenges)
            and any(c.startswith("basic") for c in challenges)
        ):
            self._use_basic = True
            yield from self._basic.auth_flow(request)
            return
        try:
            retry = digest.send(response)
        except StopIteration:
            return
        yield retry


# -- requests -------------------------------------------------------------------------------------


def _public(url: str) -> str:
    """The URL as it may appear in a message: no query string, no credentials, no control
    characters."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        try:
            host += f":{parts.port}" if parts.port else ""
        except ValueError:
            pass
        shown = urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:  # not even a URL: "http://[::1"
        shown = url.split("?", 1)[0].rsplit("@", 1)[-1]
    return printable(shown)


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError as exc:
        raise KgError("E098", reason=f"{_public(url)!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError("E098", reason=f"{_public(url)!r} is not an http(s) URL")
    if not port_ok:
        raise KgError("E098", reason=f"{_public(url)!r} has no valid port")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise KgError("E098", reason=f"{_public(url)!r} holds spaces or control characters")
    if parts.username or parts.password:
        # Said without echoing the URL: it holds a secret.
        raise KgError("E099", f"{parts.scheme}://{parts.hostname}")
    return url


def _first_line(text: str, limit: int = 200) -> str:
    """The first line of a server's text, safe to print: escape sequences and other control
    characters a hostile server may send are shown escaped, never passed to the terminal."""
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return printable(line[:limit])


class Answer:
    """A response read in full within the deadline and the size cap."""

    def __init__(self, response: httpx.Response, content: bytes) -> None:
        self.response = response
        self.content = content
        self.status_code = response.status_code
        self.headers = response.headers
        self.reason_phrase = response.reason_phrase

    @property
    def text(self) -> str:
        return self.content.decode(self.response.encoding or "utf-8", errors="replace")


def send(
    client: httpx.Client,
    method: str,
    url: str,
    retry: Retry,
    deadline: float | None = None,
    **kwargs: Any,
) -> Answer:
    """One request with retries on transient failures; every failure becomes a `KgError`
    (those about an HTTP answer carry its `status` field, an int). Each attempt has
    `retry.timeout` seconds in all; `deadline` (time.monotonic()) bounds every attempt
    and back-off together (kg query --timeout)."""
    where = _public(url)
    failure = KgError("E090", where, reason="no attempt made")
    for attempt in range(1, retry.tries + 1):
        budget = retry.timeout
        if deadline is not None:
            budget = min(budget, deadline - time.monotonic())
            if budget <= 0:
                raise KgError("E091", where, seconds=_seconds(retry, 0.0))
        try:
            answer = _attempt(client, method, url, budget, retry.max_bytes, where, **kwargs)
        except _Slow:
            failure = KgError("E091", where, seconds=_seconds(retry, budget))
        except httpx.TimeoutException:
            failure = KgError("E091", where, seconds=_seconds(retry, budget))
        except httpx.TooManyRedirects:
            raise KgError(
                "E094", where, sent="redirects that never end (a redirect loop)"
            ) from None
        except httpx.DecodingError:
            raise KgError(
                "E094", where, sent="a compressed answer that does not decompress"
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise KgError("E098", where, reason=_first_line(str(exc)) or "a bad URL") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            failure = KgError("E095", where, reason=_first_line(str(exc)) or type(exc).__name__)
        except httpx.TransportError as exc:
            failure = KgError("E090", where, reason=_first_line(str(exc)) or type(exc).__name__)
        else:
            status = answer.status_code
            if status in (401, 403):
                raise KgError("E092", where, status=status)
            if status == 429 or status >= 500:
                failure = KgError(
                    "E093", where, status=status, phrase=_phrase(answer), tries=retry.tries
                )
            elif status >= 400:
                said = "" if "html" in _media_type(answer) else _first_line(answer.text)
                raise KgError(
                    "E096",
                    where,
                    status=status,
                    phrase=_phrase(answer),
                    said=said or "no readable message",
                )
            elif status >= 300:  # a redirect that could not be followed is no answer
                place = "without saying where to" if "location" not in answer.headers else ""
                raise KgError(
                    "E094",
                    where,
                    sent=f"a redirect (HTTP {status} {_phrase(answer)}) {place}".rstrip()
                    + " instead of an answer",
                )
            else:
                return answer
        if attempt < retry.tries:
            pause = min(retry.backoff * 2 ** (attempt - 1), retry.max_backoff)
            if deadline is not None:
                pause = min(pause, max(0.0, deadline - time.monotonic()))
            time.sleep(pause)
    raise failure


class _Slow(Exception):
    """The answer did not arrive whole within the attempt's time."""


def _seconds(retry: Retry, budget: float) -> float:
    """The time an attempt had, for E091: the per-attempt timeout, or what the deadline
    left of it."""
    return retry.timeout if budget >= retry.timeout else (round(budget, 1) or 0.1)


def _attempt(
    client: httpx.Client,
    method: str,
    url: str,
    budget: float,
    max_bytes: int,
    where: str,
    **kwargs: Any,
) -> Answer:
    """One request, read to its end within `budget` seconds and `max_bytes` bytes."""
    ends = time.monotonic() + budget
    with client.stream(method, url, timeout=httpx.Timeout(max(budget, 0.001)), **kwargs) as r:
        chunks: list[bytes] = []
        size = 0
        for chunk in r.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise KgError(
                    "E094",
                    where,
                    sent=f"more than {max_bytes // 2**20} MB (the limit); ask for less, "
                    "e.g. with a LIMIT,",
                )
            chunks.append(chunk)
            if time.monotonic() > ends:
                raise _Slow()
        if time.monotonic() > ends:
            raise _Slow()
        return Answer(r, b"".join(chunks))


def _phrase(response: Answer) -> str:
    """The reason phrase the server gave (made printable), else the standard one."""
    if response.reason_phrase:
        return printable(response.reason_phrase[:100])
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return "(no reason given)"


# -- queries --------------------------------------------------------------------------------------

_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<word>[\w:][\w\-.:%]*)
  | (?P<open>\{)
  | (?P<other>.)
""",
    re.VERBOSE | re.DOTALL,
)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class QueryShape:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE (None: not a query)
    declared: frozenset[str]  # prefixes the query declares itself
    pattern_start: int | None  # offset just inside the brace that opens the WHERE pattern
    short_construct: bool = False  # CONSTRUCT WHERE { triples }: the pattern is the template


def shape(sparql: str) -> QueryShape:
    """Read just enough of a query to place prefixes and bindings (strings, IRIs and comments
    skipped, so a brace or keyword inside them is never taken for syntax)."""
    form: str | None = None
    declared: set[str] = set()
    start: int | None = None
    previous = ""
    expect_prefix = False
    short = False
    for match in _TOKENS.finditer(sparql):
        kind, text = match.lastgroup, match.group()
        if kind == "comment" or text.isspace():
            continue
        if kind == "word":
            upper = text.upper()
            if expect_prefix:
                declared.add(text.rstrip(":"))
            expect_prefix = form is None and upper == "PREFIX"
            if form is None and upper in _FORMS:
                form = upper
        if kind == "word" and text.upper() == "WHERE" and previous == "CONSTRUCT":
            short = True
        elif kind == "open" and start is None and (form != "CONSTRUCT" or previous == "WHERE"):
            # CONSTRUCT's first brace opens its template; the pattern follows WHERE. In the
            # other forms the first brace opens the pattern (a sub-SELECT comes later).
            start = match.end()
        previous = text.upper() if kind == "word" else text
    return QueryShape(form, frozenset(declared), start, short)


def sparql_term(value: Any) -> str:
    """A bound value as SPARQL text: the N-Triples serialisation of a pyoxigraph term, which
    escapes quotes, backslashes and newlines, so user text is only ever a literal."""

    term = value if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)) else to_ox(value)
    if isinstance(term, ox.BlankNode):
        raise KgError("E098", reason="a blank node cannot be bound in a remote query")
    return str(term)


def prepare(
    sparql: str, substitutions: dict[str, Any] | None = None, prefixes: dict[str, str] = PREFIXES
) -> tuple[str, QueryShape]:
    """The query as sent: the project's prefixes it does not declare itself, and each
    substitution as a `VALUES` row at the top of its WHERE pattern."""
    found = shape(sparql)
    text = sparql
    if substitutions:
        if found.pattern_start is None:
            raise KgError("E098", reason="values can only be bound in a query with a WHERE pattern")
        names = " ".join(f"?{name}" for name in substitutions)
        row = " ".join(sparql_term(v) for v in substitutions.values())
        values = f" VALUES ({names}) {{ ({row}) }} "
        if found.short_construct:
            # Only triples may stand in that pattern; a trailing VALUES binds it just the same.
            text = f"{text}\n{values}"
        else:
            text = text[: found.pattern_start] + values + text[found.pattern_start :]
    # All on the query's first line, so the server's error positions keep their line numbers.
    head = "".join(
        f"PREFIX {name}: <{iri}> " for name, iri in prefixes.items() if name not in found.declared
    )
    return head + text, found


def _media_type(response: Answer) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _not_results(where: str, response: Answer, expected: str) -> KgError:
    if not response.content.strip():
        return KgError("E094", where, sent=f"an empty answer where {expected} were expected")
    media = printable(_media_type(response)[:80]) or "no content type"
    what = (
        "an HTML page"
        if "html" in media
        or response.text.lstrip()[:1] == "<"
        and ("<html" in response.text[:500].lower())
        else media
    )
    return KgError("E094", where, sent=f"{what} where {expected} were expected")


def parse_results(response: Answer, where: str) -> Any:
    """SPARQL JSON/XML results -> `QuerySolutions` or `QueryBoolean`, checked in full."""
    fmt = RESULT_TYPES.get(_media_type(response))
    if fmt is None or not response.content.strip():
        raise _not_results(where, response, "SPARQL results")
    problem = _unreadable(response.content, fmt)
    if problem:
        raise KgError("E094", where, sent=f"unreadable SPARQL results ({_first_line(problem)})")
    return ox.parse_query_results(response.content, fmt)


def _unreadable(content: bytes, fmt: ox.QueryResultsFormat) -> str:
    """Why the results do not parse ('' if they do). pyoxigraph parses lazily, so read them
    all now rather than fail half-way through a caller's loop. No parser object may outlive
    this call in a traceback: pyoxigraph's must be dropped on the thread that made them."""
    try:
        answer = ox.parse_query_results(content, fmt)
        if isinstance(answer, ox.QuerySolutions):  # a boolean is parsed in full already
            for _ in answer:
                pass
        del answer
    except (SyntaxError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    return ""


def parse_triples(response: Answer, where: str) -> list[ox.Triple]:
    media = _media_type(response)
    try:
        fmt = ox.RdfFormat.from_media_type(media) if media else None
    except ValueError:
        fmt = None
    if fmt is None or media == "text/html":
        raise _not_results(where, response, "RDF triples")
    try:
        return [
            ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, fmt)
        ]
    except (SyntaxError, ValueError) as exc:
        raise KgError("E094", where, sent=f"unreadable RDF ({_first_line(str(exc))})") from None


class RemoteStore:
    """A SPARQL 1.1 endpoint that answers like `kg.graph.store.GraphStore`."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        retry: Retry | None = None,
    ) -> None:
        self.query_url = _check_url(query_url)
        self.update_url = _check_url(update_url) if update_url else None
        self.gsp_url = _check_url(gsp_url) if gsp_url else None
        self.retry = retry or Retry()
        if auth is None:
            found = credentials(self.gsp_url or query_url)
            auth = ChallengeAuth(*found) if found else None
        elif isinstance(auth, tuple):
            auth = ChallengeAuth(*auth)
        self.client = httpx.Client(
            auth=auth,
            timeout=self.retry.timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": "kg"},
        )

    def __repr__(self) -> str:
        return f"RemoteStore({_public(self.query_url)!r})"

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    # -- queries ------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        substitutions: dict[str, Any] | None = None,
        deadline: float | None = None,
    ) -> Any:
        """The server's answer to a query; `deadline` (time.monotonic()) bounds the whole
        request, retries included."""
        text, found = prepare(sparql, substitutions)
        triples = found.form in ("CONSTRUCT", "DESCRIBE")
        response = send(
            self.client,
            "POST",
            self.query_url,
            self.retry,
            deadline,
            data={"query": text},
            headers={"Accept": ACCEPT_TRIPLES if triples else ACCEPT_RESULTS},
        )
        where = _public(self.query_url)
        return parse_triples(response, where) if triples else parse_results(response, where)

    def update(self, sparql: str) -> None:
        if self.update_url is None:
            raise KgError("E098", _public(self.query_url), reason="no update URL is configured")
        text, _ = prepare(sparql)
        send(self.client, "POST", self.update_url, self.retry, data={"update": text})

    def graph_counts(self, namespace: str = KG_GRAPHS) -> dict[str, int]:
        """Triples per named graph whose IRI starts with `namespace` (kg's graphs by default;
        a server such as Virtuoso keeps graphs of its own)."""
        rows = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(STRSTARTS(STR(?g), STR(?ns))) } GROUP BY ?g",
            {"ns": ox.Literal(namespace)},
        )
        return {r["g"].value: int(r["n"].value) for r in rows}

    def __len__(self) -> int:
        """Triples in kg's named graphs, as `len()` of the embedded store counts its quads."""
        rows = list(
            self.query(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                "FILTER(STRSTARTS(STR(?g), STR(?ns))) }",
                {"ns": ox.Literal(KG_GRAPHS)},
            )
        )
        return int(rows[0]["n"].value) if rows else 0

    # -- Graph Store Protocol -----------------------------------------------------------------
    def _gsp(self) -> str:
        if self.gsp_url is None:
            raise KgError(
                "E098", _public(self.query_url), reason="no Graph Store URL is configured"
            )
        return self.gsp_url

    def put_graph(self, graph: str, triples: Iterable[ox.Triple], append: bool = False) -> None:
        """Replace (PUT) or add to (POST) one named graph."""
        body = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
        send(
            self.client,
            "POST" if append else "PUT",
            self._gsp(),
            self.retry,
            params={"graph": graph},
            content=body,
            headers={"Content-Type": GRAPH_BODY_TYPE},
        )

    def delete_graph(self, graph: str) -> None:
        try:
            send(self.client, "DELETE", self._gsp(), self.retry, params={"graph": graph})
        except KgError as exc:
            if exc.fields.get("status") != 404:  # already gone is what we wanted
                raise


# -- push -----------------------------------------------------------------------------------------

Progress = Callable[[int, int, str, int], None]


@dataclass
class PushReport:
    graphs: int = 0
    triples: int = 0
    requests: int = 0
    removed: int = 0
    seconds: float = 0.0


def _chunks(triples: list[ox.Triple], size: int) -> list[list[ox.Triple]]:
    # Blank node labels are scoped to one request, so a graph that has any goes in one piece.
    if len(triples) <= size or any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        return [triples]
    return [triples[i : i + size] for i in range(0, len(triples), size)]


def push(
    store: Any,
    remote: RemoteStore,
    *,
    batch_size: int = 20_000,
    prune: bool = False,
    progress: Progress | None = None,
) -> PushReport:
    """Send every named graph of `store` (a `GraphStore`) to `remote` by the Graph Store
    Protocol. Each graph is replaced (PUT; a graph larger than `batch_size` triples is PUT in
    its first batch and POSTed in the rest), so running it again after an interruption ends
    with the server holding the store's graphs. `prune` also deletes graphs in kg's namespace
    that the store no longer has (after `kg remove`)."""
    if batch_size < 1:
        raise KgError("E098", reason="the batch size must be at least 1")
    started = time.perf_counter()
    report = PushReport()
    graphs = sorted(g.value for g in store.ox.named_graphs())
    for number, graph in enumerate(graphs, 1):
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        ]
        for index, chunk in enumerate(_chunks(triples, batch_size)):
            remote.put_graph(graph, chunk, append=index > 0)
            report.requests += 1
        report.graphs += 1
        report.triples += len(triples)
        if progress is not None:
            progress(number, len(graphs), graph, len(triples))
    if prune:
        keep = set(graphs)
        for graph in sorted(set(remote.graph_counts()) - keep):
            remote.delete_graph(graph)
            report.removed += 1
            report.requests += 1
    report.seconds = time.perf_counter() - started
    return report
