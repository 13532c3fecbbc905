"""kg.graph.remote against a small SPARQL server in this test, on 127.0.0.1, that can misbehave.

The server is real HTTP (a threaded `http.server`) backed by an in-memory Oxigraph store, so
queries and Graph Store Protocol requests are answered for real; a test scripts the faults it
injects (401, 500 then 200, slow answers, HTML, a connection dropped mid-body) request by request.
Back-off is 0.01 s and timeouts are fractions of a second, so nothing here waits long.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from rdf_fixture import QUERIES, build_dataset

from kg.errors import KgError
from kg.graph import remote
from kg.graph.lookup import find_entities
from kg.graph.remote import RemoteStore, Retry, prepare, push, shape
from kg.graph.store import GraphStore, connect, open_store, write

# rdflib's N-Quads serialiser still calls its deprecated Dataset API
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.(contexts|default_context) is deprecated:DeprecationWarning"
)

FAST = Retry(tries=3, backoff=0.01, timeout=0.5)
Action = Callable[["Handler"], None]


# -- the server ---------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        self.server.requests.append((self.command, self.path, dict(self.headers), self.body))
        action = self.server.script.pop(0) if self.server.script else serve
        action(self)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def reply(
        self,
        status: int,
        body: bytes = b"",
        media: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.store = ox.Store()
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.script: list[Action] = []
        self.released = threading.Event()  # ends every `slow` answer at teardown
        self.basic_user: tuple[str, str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def counts(self) -> dict[str, int]:
        return dict(Counter(q.graph_name.value for q in self.store))


def serve(h: Handler) -> None:
    """Behave: SPARQL queries on /sparql, the Graph Store Protocol on /gsp."""
    if h.server.basic_user is not None:
        user, password = h.server.basic_user
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        if h.headers.get("Authorization") != f"Basic {token}":
            h.reply(401, b"who are you", headers={"WWW-Authenticate": 'Basic realm="kg"'})
            return
    url = urlsplit(h.path)
    params = parse_qs(url.query)
    if url.path == "/sparql":
        h.reply(200, *answer(h.server.store, parse_qs(h.body.decode("utf-8"))["query"][0]))
        return
    graph = ox.NamedNode(params["graph"][0])
    if h.command in ("PUT", "DELETE") and graph in set(h.server.store.named_graphs()):
        h.server.store.remove_graph(graph)
    if h.command in ("PUT", "POST"):
        h.server.store.load(h.body, format=ox.RdfFormat.TURTLE, to_graph=graph)
    h.reply(201 if h.command == "PUT" else 204)


def answer(store: ox.Store, query: str) -> tuple[bytes, str]:
    # pyoxigraph's answers must not outlive this thread (they are not Send): bytes out only
    result = store.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        return result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"", "application/n-triples"
    return (
        result.serialize(format=ox.QueryResultsFormat.JSON) or b"",
        "application/sparql-results+json",
    )


def status(code: int, body: bytes = b"", media: str = "text/plain") -> Action:
    return lambda h: h.reply(code, body, media)


def slow(h: Handler) -> None:
    h.server.released.wait(5)
    serve(h)


def html(h: Handler) -> None:
    h.reply(
        200,
        b"<!DOCTYPE html><html><body>Log in to continue</body></html>",
        "text/html; charset=utf-8",
    )


def drop_mid_body(h: Handler) -> None:
    """Promise 1000 bytes, send 20, hang up."""
    h.send_response(200)
    h.send_header("Content-Type", "application/sparql-results+json")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b'{"head":{"vars":["x"]')
    h.wfile.flush()
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


def hang_up(h: Handler) -> None:
    """Take the request, answer nothing: a connection dropped mid-push."""
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.released.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The hand-built two-document dataset in a real kg store (with graph:ontology)."""
    path = tmp_path_factory.mktemp("store")
    nquads = build_dataset().serialize(format="nquads").encode("utf-8")
    with write(path) as view:
        view.ox.load(nquads, format=ox.RdfFormat.N_QUADS)
    return open_store(path)


def store_counts(store: GraphStore) -> dict[str, int]:
    """Quads per named graph (a store may also keep their distinct triples in its default
    graph, which is not pushed)."""
    named = (q.graph_name for q in store.ox if isinstance(q.graph_name, ox.NamedNode))
    return dict(Counter(g.value for g in named))


def remote_of(server: FaultServer, retry: Retry = FAST, **kw: object) -> RemoteStore:
    return RemoteStore(server.url + "/sparql", gsp_url=server.url + "/gsp", retry=retry, **kw)  # type: ignore[arg-type]


def rows(answer: object) -> Counter[tuple[str | None, ...]]:
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return Counter(tuple(None if s[n] is None else s[n].value for n in names) for s in answer)


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(remote.ENV_USER, raising=False)
    monkeypatch.delenv(remote.ENV_PASSWORD, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc of the machine's user


# -- queries ------------------------------------------------------------------------------------


def test_remote_prepare_adds_only_undeclared_prefixes_on_the_first_line() -> None:
    text, found = prepare(
        "PREFIX kg: <http://other/#>\nSELECT * WHERE { ?s kg:x ?o }",
        prefixes={"kg": "http://k#", "skos": "http://s#"},
    )
    assert found.form == "SELECT" and found.declared == {"kg"}
    assert text.splitlines()[0] == "PREFIX skos: <http://s#> PREFIX kg: <http://other/#>"
    assert "http://k#" not in text


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "WHERE { VALUES"),
        ("ASK { ?x ?p ?o }", "ASK { VALUES"),
        ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "WHERE { VALUES"),
        ("CONSTRUCT WHERE { ?x ?p ?o } # the end", "the end\n VALUES"),
        ('# a { comment\nSELECT ?x ("{" AS ?b) { ?x <http://e/p> "}" }', "AS ?b) { VALUES"),
        ("DESCRIBE ?x WHERE { ?x ?p ?o }", "WHERE { VALUES"),
    ],
)
def test_remote_prepare_binds_values_at_the_top_of_the_pattern(query: str, where: str) -> None:
    text, _ = prepare(query, {"x": ox.NamedNode("http://e/a")}, prefixes={})
    assert where + " (?x) { (<http://e/a>) }" in text
    assert text.count("VALUES") == 1
    ox.Store().query(text)  # still a valid query


def test_remote_shape_sees_the_form_after_the_prologue() -> None:
    assert shape("PREFIX select: <http://e/> ASK {}").form == "ASK"
    assert shape("INSERT DATA { <a:b> <a:c> <a:d> }").form is None


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.name)
def test_remote_example_queries_answer_as_the_embedded_store(
    path: Path, server: FaultServer, store: GraphStore
) -> None:
    push(store, remote_of(server))
    query = path.read_text(encoding="utf-8")
    expected = rows(store.query(query))
    assert expected
    assert rows(remote_of(server).query(query)) == expected


def test_remote_ask_construct_and_len(server: FaultServer, store: GraphStore) -> None:
    push(store, remote_of(server))
    r = remote_of(server)
    assert isinstance(r.query("ASK { ?s a kg:Evidence }"), ox.QueryBoolean)
    assert bool(r.query("ASK { ?s a kg:Evidence }")) is True
    triples = r.query("CONSTRUCT { ?d a kg:Document } WHERE { ?d a kg:Document }")
    assert isinstance(triples, list) and len(triples) == 2
    assert all(isinstance(t, ox.Triple) for t in triples)
    assert len(r) == len(store)
    assert r.graph_counts() == store_counts(store)


@pytest.mark.parametrize("text", ["O'Brien", 'x"} DROP ALL', "a\\u0022b", "x\ny"])
def test_remote_find_entities_binds_text_as_a_value(
    text: str, server: FaultServer, store: GraphStore
) -> None:
    push(store, remote_of(server))
    r = remote_of(server)
    before = len(server.requests)
    assert find_entities(r, text) == []
    sent = [parse_qs(q[3].decode("utf-8"))["query"][0] for q in server.requests[before:]]
    assert sent and not [q for q in sent if text in q]  # names are matched here, never sent
    # the value went out escaped, and the server read back exactly the text
    echoed = r.query("SELECT ?t WHERE {}", {"t": ox.Literal(text)})
    assert [s["t"].value for s in echoed] == [text]


def test_remote_find_entities_matches_the_embedded_store(
    server: FaultServer, store: GraphStore
) -> None:
    push(store, remote_of(server))
    for text in ("Bachelet", "china", "person:Brian_Leung"):
        assert find_entities(remote_of(server), text) == find_entities(store, text) != []


# -- faults -------------------------------------------------------------------------------------


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(remote.time, "sleep", waited.append)
    return waited


def test_remote_500_then_200_is_retried_with_backoff(
    server: FaultServer, sleeps: list[float]
) -> None:
    server.script = [status(500), status(503), serve]
    assert bool(remote_of(server, Retry(tries=4, backoff=0.25)).query("ASK {}")) is True
    assert len(server.requests) == 3
    assert sleeps == [0.25, 0.5]


def test_remote_500_every_time_is_E093_after_the_tries(
    server: FaultServer, sleeps: list[float]
) -> None:
    server.script = [status(500)] * 5
    with pytest.raises(KgError) as err:
        remote_of(server).query("ASK {}")
    assert (err.value.code, err.value.fields) == (
        "E093",
        {"status": 500, "phrase": "Internal Server Error", "tries": 3},
    )
    assert "(HTTP 500 Internal Server Error, 3 tries)" in str(err.value)
    assert len(server.requests) == 3 and sleeps == [0.01, 0.02]


def test_remote_429_is_retried(server: FaultServer, sleeps: list[float]) -> None:
    server.script = [status(429), serve]
    assert bool(remote_of(server).query("ASK {}")) is True
    assert len(sleeps) == 1


def test_remote_401_is_E092_and_not_retried(server: FaultServer, sleeps: list[float]) -> None:
    server.script = [status(401)] * 3
    with pytest.raises(KgError) as err:
        remote_of(server).query("ASK {}")
    assert (err.value.code, err.value.fields) == ("E092", {"status": 401})
    assert len(server.requests) == 1 and sleeps == []


def test_remote_400_is_E096_with_the_server_message(server: FaultServer) -> None:
    server.script = [status(400, b"Parse error: line 1, column 3\nmore")]
    with pytest.raises(KgError) as err:
        remote_of(server).query("SELEC")
    assert (err.value.code, err.value.fields) == (
        "E096",
        {"status": 400, "phrase": "Bad Request", "said": "Parse error: line 1, column 3"},
    )
    assert str(err.value).endswith("(HTTP 400 Bad Request: Parse error: line 1, column 3)")


def test_remote_delete_of_a_missing_graph_is_fine_other_refusals_are_not(
    server: FaultServer,
) -> None:
    # branched on the answer's status field, not on the words of a message
    server.script = [status(404, b"no such graph")]
    remote_of(server).delete_graph("https://w3id.org/kg-news/graph/gone")
    server.script = [status(400, b"bad graph IRI")]
    with pytest.raises(KgError) as err:
        remote_of(server).delete_graph("https://w3id.org/kg-news/graph/gone")
    assert (err.value.code, err.value.fields["status"]) == ("E096", 400)
    assert [r[0] for r in server.requests] == ["DELETE", "DELETE"]


def test_remote_slow_server_is_E091(server: FaultServer, sleeps: list[float]) -> None:
    server.script = [slow, slow]
    with pytest.raises(KgError) as err:
        remote_of(server, Retry(tries=2, backoff=0.01, timeout=0.2)).query("ASK {}")
    assert (err.value.code, err.value.fields) == ("E091", {"seconds": 0.2})
    assert "within 0.2 s" in str(err.value)
    assert len(server.requests) == 2


def test_remote_html_instead_of_results_is_E094(server: FaultServer) -> None:
    server.script = [html]
    with pytest.raises(KgError) as err:
        remote_of(server).query("SELECT * WHERE { ?s ?p ?o }")
    assert (err.value.code, err.value.fields) == (
        "E094",
        {"sent": "an HTML page where SPARQL results were expected"},
    )


def test_remote_broken_json_is_E094(server: FaultServer) -> None:
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"a"}},{'
    server.script = [status(200, body, "application/sparql-results+json")]
    with pytest.raises(KgError) as err:
        remote_of(server).query("SELECT ?x WHERE { ?x ?p ?o }")
    assert err.value.code == "E094"
    assert err.value.fields["sent"].startswith("unreadable SPARQL results (")


def test_remote_connection_dropped_mid_body_is_retried_then_E095(
    server: FaultServer, sleeps: list[float]
) -> None:
    server.script = [drop_mid_body, serve]
    assert bool(remote_of(server).query("ASK {}")) is True
    server.script = [drop_mid_body] * 3
    with pytest.raises(KgError) as err:
        remote_of(server).query("ASK {}")
    assert err.value.code == "E095" and err.value.fields["reason"]
    assert len(server.requests) == 5


def test_remote_server_down_is_E090(sleeps: list[float]) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(KgError) as err:
        RemoteStore(f"http://127.0.0.1:{port}/sparql", retry=FAST).query("ASK {}")
    assert (err.value.code, err.value.path) == ("E090", f"http://127.0.0.1:{port}/sparql")
    assert err.value.fields["reason"]
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.org/sparql", "E098"),
        ("localhost:8890/sparql", "E098"),
        ("http://dba:secret@127.0.0.1:8890/sparql", "E099"),
    ],
)
def test_remote_bad_urls(url: str, code: str) -> None:
    with pytest.raises(KgError) as err:
        RemoteStore(url)
    assert err.value.code == code
    assert "secret" not in str(err.value)


# -- credentials --------------------------------------------------------------------------------


def test_remote_credentials_from_env_then_netrc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "http://sparql.example.org:8890/sparql"
    assert remote.credentials(url) is None
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine sparql.example.org login alice password from-netrc\n")
    netrc.chmod(0o600)
    assert remote.credentials(url) == ("alice", "from-netrc")
    assert remote.credentials("http://other.example.org/sparql") is None
    monkeypatch.setenv(remote.ENV_USER, "bob")
    monkeypatch.setenv(remote.ENV_PASSWORD, "from-env")
    assert remote.credentials(url) == ("bob", "from-env")


def test_remote_broken_netrc_is_E097_without_its_content(tmp_path: Path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine h login alice password hunter2 bogus\n")
    netrc.chmod(0o600)
    with pytest.raises(KgError) as err:
        remote.credentials("http://h/sparql")
    assert err.value.code == "E097" and "hunter2" not in str(err.value)


def test_remote_basic_auth_when_the_server_asks_for_it(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.basic_user = ("alice", "s3cret")
    monkeypatch.setenv(remote.ENV_USER, "alice")
    monkeypatch.setenv(remote.ENV_PASSWORD, "s3cret")
    r = remote_of(server)
    assert bool(r.query("ASK {}")) is True
    assert bool(r.query("ASK { ?s ?p ?o }")) is False
    # a challenge once, then the credentials go up front
    assert [req[2].get("Authorization") is None for req in server.requests] == [True, False, False]
    assert "s3cret" not in repr(r) + repr(r.client.auth)


# -- push ---------------------------------------------------------------------------------------


def test_push_sends_each_graph_by_put(server: FaultServer, store: GraphStore) -> None:
    seen: list[tuple[int, int, str, int]] = []
    report = push(store, remote_of(server), progress=lambda *a: seen.append(a))
    assert server.counts() == store_counts(store)
    assert report.graphs == len(store_counts(store)) == 3
    assert report.triples == len(store)
    assert [(req[0], req[1].split("?")[0]) for req in server.requests] == [("PUT", "/gsp")] * 3
    assert [s[:2] for s in seen] == [(1, 3), (2, 3), (3, 3)]
    # a re-run replaces, it does not add
    push(store, remote_of(server))
    assert server.counts() == store_counts(store)


def test_push_batches_a_large_graph_put_then_post(server: FaultServer, store: GraphStore) -> None:
    report = push(store, remote_of(server), batch_size=40)
    counts = store_counts(store)
    ontology = "https://w3id.org/kg-news/graph/ontology"
    # the ontology has blank nodes, so it goes whole; the documents in parts of 40
    expected = 1 + sum(-(-n // 40) for g, n in counts.items() if g != ontology)
    assert report.requests == expected
    methods = Counter(req[0] for req in server.requests)
    assert methods["PUT"] == 3 and methods["POST"] == expected - 3
    assert server.counts() == counts


def test_push_interrupted_then_rerun_holds_exactly_the_store(
    server: FaultServer, store: GraphStore, sleeps: list[float]
) -> None:
    # the server already holds an old version of a document graph and a graph kg removed since
    stale = "https://w3id.org/kg-news/graph/removed_doc"
    first = sorted(store_counts(store))[0]
    old = b"<http://e/old> <http://e/p> <http://e/o> .\n"
    server.store.load(old, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(stale))
    server.store.load(old, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(first))
    # two parts of the first graph arrive, then the connection drops on every try
    server.script = [serve, serve] + [hang_up] * FAST.tries
    with pytest.raises(KgError) as err:
        push(store, remote_of(server), batch_size=40)
    assert err.value.code == "E095" and "run the command again" in str(err.value)
    assert server.counts() != store_counts(store)
    push(store, remote_of(server), batch_size=40, prune=True)
    assert server.counts() == store_counts(store)


def test_push_cli_progress_summary_and_no_secret(server: FaultServer, store: GraphStore) -> None:
    env = {**os.environ, remote.ENV_USER: "alice", remote.ENV_PASSWORD: "pw-do-not-print"}
    cmd = [
        sys.executable,
        "-m",
        "kg",
        "push",
        "--endpoint",
        server.url + "/sparql",
        "--gsp",
        server.url + "/gsp",
        "--store",
        str(store.path),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "push: 3/3 ontology" in done.stderr
    assert done.stdout.startswith(f"pushed 3 graph(s), {len(store)} triples in 3 request(s)")
    server.script = [status(401)] * 2
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("error E092: ") and len(done.stderr.splitlines()) == 1
    assert "pw-do-not-print" not in done.stderr + done.stdout


def test_remote_query_cli_on_an_endpoint(server: FaultServer, store: GraphStore) -> None:
    push(store, remote_of(server))
    cmd = [
        sys.executable,
        "-m",
        "kg",
        "query",
        "--endpoint",
        server.url + "/sparql",
        "--format",
        "csv",
        "SELECT ?id WHERE { ?d dcterms:identifier ?id } ORDER BY ?id",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["id", "000_55bbdad625445dff", "001_3c8e6a1f0b7d2e94"]


def test_remote_connect_picks_the_store(store: GraphStore) -> None:
    assert isinstance(connect(endpoint="http://127.0.0.1:9/sparql"), RemoteStore)
    assert isinstance(connect(store.path), GraphStore)


# -- hostile and broken servers ---------------------------------------------------------------


def trickle(h: Handler) -> None:
    """Valid results, one byte at a time, a byte every 0.1 s: each read is quick, the whole
    answer is not."""
    body = b'{"head":{},"boolean":true}'
    h.send_response(200)
    h.send_header("Content-Type", "application/sparql-results+json")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    for byte in body:
        if h.server.released.wait(0.1):
            return
        h.wfile.write(bytes([byte]))
        h.wfile.flush()


def test_remote_a_trickling_server_meets_the_total_deadline(
    server: FaultServer, sleeps: list[float]
) -> None:
    server.script = [trickle, trickle]
    started = time.monotonic()
    with pytest.raises(KgError) as err:
        remote_of(server, Retry(tries=2, backoff=0.01, timeout=0.5)).query("ASK {}")
    assert err.value.code == "E091"
    assert time.monotonic() - started < 2.5  # 2 attempts of 0.5 s, not 26 reads of 0.1 s


def test_remote_query_deadline_bounds_every_try(server: FaultServer) -> None:
    server.script = [slow] * 10
    started = time.monotonic()
    with pytest.raises(KgError) as err:
        remote_of(server, Retry(tries=10, backoff=0.05, timeout=5)).query(
            "ASK {}", deadline=time.monotonic() + 0.6
        )
    assert err.value.code == "E091"
    assert time.monotonic() - started < 2


def test_remote_a_huge_answer_is_refused_not_held(server: FaultServer) -> None:
    server.script = [status(200, b"x" * 300_000, "application/sparql-results+json")]
    small = Retry(tries=1, backoff=0.01, timeout=5, max_bytes=100_000)
    with pytest.raises(KgError) as err:
        remote_of(server, small).query("ASK {}")
    assert err.value.code == "E094" and "(the limit)" in err.value.fields["sent"]


def test_remote_back_off_is_capped(server: FaultServer, sleeps: list[float]) -> None:
    server.script = [status(503)] * 6
    with pytest.raises(KgError):
        remote_of(server, Retry(tries=6, backoff=1.0, timeout=1, max_backoff=3.0)).query("ASK {}")
    assert sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


def redirect(to: str | None, code: int = 302) -> Action:
    def act(h: Handler) -> None:
        h.reply(code, b"", headers={"Location": to} if to is not None else {})

    return act


def test_remote_redirect_loop_and_redirects_that_are_no_answer(server: FaultServer) -> None:
    server.script = [redirect("/sparql")] * 30
    with pytest.raises(KgError) as err:
        remote_of(server).query("ASK {}")
    assert (err.value.code, err.value.fields) == (
        "E094",
        {"sent": "redirects that never end (a redirect loop)"},
    )
    for act, said in (
        (redirect(None), "a redirect (HTTP 302 Found) without saying where to"),
        (redirect("/elsewhere", 300), "a redirect (HTTP 300 Multiple Choices)"),
    ):
        server.script = [act]
        with pytest.raises(KgError) as err:
            remote_of(server).put_graph("https://w3id.org/kg-news/graph/x", [])
        assert err.value.code == "E094" and err.value.fields["sent"].startswith(said), err.value
    # a redirect followed to a real answer is fine
    server.script = [redirect("/sparql", 307), serve]
    assert bool(remote_of(server).query("ASK {}")) is True


def test_remote_bad_gzip_and_empty_answers(server: FaultServer) -> None:
    def bad_gzip(h: Handler) -> None:
        h.reply(
            200,
            b"this is not gzip",
            "application/sparql-results+json",
            headers={"Content-Encoding": "gzip"},
        )

    server.script = [bad_gzip]
    with pytest.raises(KgError) as err:
        remote_of(server).query("ASK {}")
    assert (err.value.code, err.value.fields) == (
        "E094",
        {"sent": "a compressed answer that does not decompress"},
    )
    for media in ("application/sparql-results+json", "text/plain"):
        server.script = [status(200, b"", media)]
        with pytest.raises(KgError) as err:
            remote_of(server).query("ASK {}")
        assert err.value.fields == {"sent": "an empty answer where SPARQL results were expected"}


def test_remote_server_text_cannot_drive_the_terminal(server: FaultServer) -> None:
    server.script = [status(400, b"\x1b]0;pwned\x07\x1b[2J bad query")]
    with pytest.raises(KgError) as err:
        remote_of(server).query("ASK {}")
    assert "\x1b" not in str(err.value) and "\x07" not in str(err.value)
    assert err.value.fields["said"] == "\\x1b]0;pwned\\x07\\x1b[2J bad query"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/sparql",
        "http://127.0.0.1:99999/sparql",
        "http://exa mple.org/sparql",
        "http://",
    ],
)
def test_remote_malformed_urls_are_E098(url: str) -> None:
    with pytest.raises(KgError) as err:
        RemoteStore(url)
    assert err.value.code == "E098"


def test_remote_kg_query_timeout_reaches_the_endpoint(
    server: FaultServer, store: GraphStore
) -> None:
    server.script = [slow] * 8
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "query",
            "--endpoint",
            server.url + "/sparql",
            "--timeout",
            "1",
            "ASK {}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # stopped by kg query's own deadline (E071) or by the request's (E091), whichever first
    assert run.returncode == 2 and run.stderr.startswith(("error E071", "error E091")), run.stderr
    assert time.monotonic() - started < 15
