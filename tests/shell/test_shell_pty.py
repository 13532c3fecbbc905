"""The real `kg shell` and `kg query` in a pseudo-terminal, typed into as a person would:
Ctrl-C and --timeout on a backslash command and on kg query, no worker left behind when
the terminal closes, two statements in one input, \\x, carets and prefix messages, and
Tab completing multi-word and misspelt names."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdf_fixture import OLYMPICS, USA
from rdflib import RDF
from shell_fixture import fill_store

from kg.graph import store as kgstore
from kg.graph.vocab import DOC, GRAPH, KG

ROOT = Path(__file__).resolve().parents[2]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")


class Terminal:
    """A program on a pty of 180x50, as in a terminal emulator."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the program, with the pty as its terminal
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "kg", *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 180, 0, 0))
        self.seen = b""

    def read_until(self, pattern: bytes, timeout: float = 30.0, since: int = 0) -> bytes:
        """Everything read (from byte `since`) until `pattern` shows, escape codes removed;
        fails on timeout."""
        ends = time.monotonic() + timeout
        while pattern not in self.text(since):
            left = ends - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{pattern!r} never came; the screen had:\n{self.text()!r}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the program ended
                    chunk = b""
                if not chunk:
                    if pattern not in self.text(since):
                        raise AssertionError(f"{pattern!r} never came:\n{self.text()!r}")
                    break
                self.seen += chunk
        return self.text(since)

    def text(self, since: int = 0) -> bytes:
        return ANSI.sub(b"", self.seen[since:])

    def send(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def wait(self, timeout: float = 20.0) -> int:
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            with_status = os.waitpid(self.pid, os.WNOHANG)
            if with_status[0]:
                return os.waitstatus_to_exitcode(with_status[1])
            try:  # keep the pty drained, or the program blocks on a full buffer
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if ready:
                    self.seen += os.read(self.fd, 65536)
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"still running; the screen had:\n{self.text()!r}")

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_store(tmp_path_factory.mktemp("shell-pty") / "kg-store")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KG_CONFIG_DIR": str(tmp_path / "config"),
        "KG_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm",
        "PAGER": "",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "COLUMNS": "180",
        "LINES": "50",
    }


@pytest.fixture
def shell(store_path: Path, env: dict[str, str]) -> Iterator[Terminal]:
    (Path(env["KG_CONFIG_DIR"])).mkdir(parents=True)
    (Path(env["KG_CONFIG_DIR"]) / "shellrc").write_text("[main]\npager =\ntiming = off\n")
    term = Terminal(["shell", "--store", str(store_path)], env)
    term.read_until(b"kg> ")
    yield term
    term.close()


def _children(pid: int) -> set[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return set()
    return {int(p) for p in found}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _worker_of(term: Terminal) -> int:
    """The shell's query worker (a child running kg.shell.worker)."""
    ends = time.monotonic() + 20
    while time.monotonic() < ends:
        for child in _children(term.pid):
            try:
                if b"kg.shell.worker" in Path(f"/proc/{child}/cmdline").read_bytes():
                    return child
            except OSError:
                continue
        time.sleep(0.1)
    raise AssertionError("the shell started no worker")


def test_shell_pty_ctrl_c_stops_a_backslash_command(shell: Terminal, tmp_path: Path) -> None:
    script = tmp_path / "slow.rq"
    script.write_text(RUNAWAY + ";\n")
    shell.send(f"\\i {script}\r")
    worker = _worker_of(shell)
    time.sleep(1.0)  # the cross product is running in the worker
    started = time.monotonic()
    shell.send("\x03")
    shell.read_until(b"cancelled", timeout=10)
    assert time.monotonic() - started < 5
    assert not _alive(worker)  # killed, not left computing
    shell.send("ASK { ?s kg:boycotts ?o };\r")  # the shell goes on, with a new worker
    shell.read_until(b"yes")


def test_shell_pty_timeout_stops_a_backslash_command(
    store_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    term = Terminal(["shell", "--store", str(store_path), "--timeout", "1.5"], env)
    try:
        term.read_until(b"kg> ")
        script = tmp_path / "slow.rq"
        script.write_text(RUNAWAY + ";\n")
        started = time.monotonic()
        term.send(f"\\i {script}\r")
        term.read_until(b"error E071: query stopped after 1.5 s", timeout=20)
        assert time.monotonic() - started < 10
        term.send("\\describe Bachelet\r")  # a command on a fresh worker, within the limit
        term.read_until(b"Michelle Bachelet  person:Michelle_Bachelet")
    finally:
        term.close()


def test_shell_pty_closing_the_terminal_leaves_no_worker(shell: Terminal) -> None:
    shell.send(RUNAWAY + ";\r")
    worker = _worker_of(shell)
    time.sleep(1.0)
    assert _alive(worker)
    os.close(shell.fd)  # the terminal window closes: SIGHUP to the shell
    ends = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < ends:
        time.sleep(0.1)
    assert not _alive(worker), "the query worker outlived its terminal"
    shell.fd = -1


def test_shell_pty_two_statements_in_one_input_and_expanded_mode(shell: Terminal) -> None:
    shell.send("ASK { ?s kg:boycotts ?o } ; ASK { ?s kg:boycotts ?s };\r")
    screen = shell.read_until(b"no\n")
    assert re.search(rb"yes\n(.*\n)?no\n", screen), screen
    shell.send("\\x\r")
    shell.read_until(b"expanded display is on")
    shell.send("SELECT ?s ?o WHERE { ?s kg:boycotts ?o } ORDER BY ?s;\r")
    screen = shell.read_until(b"(2 rows)")
    assert b"-[ row 1 ]" in screen and b"s | country:GBR" in screen


def test_shell_pty_caret_and_undeclared_prefix(shell: Terminal) -> None:
    shell.send("SELECT * WHERE { ?s ?p ?o } LIMT 5;\r")
    # The message and the caret come in separate writes: wait for both.
    shell.read_until(b"did you mean LIMIT?")
    shell.read_until(
        b"   1 | SELECT * WHERE { ?s ?p ?o } LIMT 5\n     |                             ^"
    )
    mark = len(shell.seen)
    shell.send("SELECT * WHERE { ?s foo:bar ?o };\r")
    # The message and the caret under foo: come in separate writes: wait for the caret.
    caret = b"\n     |                     ^"
    screen = shell.read_until(caret, since=mark)
    assert b"the prefix foo: is not declared" in screen, screen
    assert screen.index(b"foo: is not declared") < screen.rindex(caret), screen


def test_shell_pty_tab_completes_multi_word_and_misspelt_names(shell: Terminal) -> None:
    # Typed as is, these queries are syntax errors (bare words); completed, they run.
    # "michelle bach" is two words of one name: Tab replaces both with the prefixed name.
    # "Bachlet" is one edit from Bachelet.
    for typed in ("michelle bach", "Bachlet"):
        mark = len(shell.seen)
        shell.send(f"SELECT ?r WHERE {{ {typed}")
        time.sleep(0.5)  # the completer runs in a thread, as typing goes on
        shell.send("\t")
        time.sleep(0.5)
        shell.send(" ?r ?o } ORDER BY ?r;\r")
        screen = shell.read_until(b"rows)", since=mark)
        assert b"error E040" not in screen, screen
        assert b"kg:represents" in screen, screen


def test_query_pty_ctrl_c_stops_kg_query(store_path: Path, env: dict[str, str]) -> None:
    term = Terminal(["query", "--store", str(store_path), RUNAWAY], env)
    try:
        time.sleep(2.0)  # the store is open and the query running
        started = time.monotonic()
        term.send("\x03")
        assert term.wait() == 130
        assert time.monotonic() - started < 5
    finally:
        term.close()


def test_query_pty_timeout_stops_kg_query(store_path: Path, env: dict[str, str]) -> None:
    started = time.monotonic()
    term = Terminal(["query", "--store", str(store_path), "--timeout", "1", RUNAWAY], env)
    try:
        assert term.wait() == 2
        assert time.monotonic() - started < 10
        assert b"error E071: query stopped after 1 s (--timeout)" in term.text()
    finally:
        term.close()


DEDUPLICATED = hasattr(kgstore.GraphStore, "query_options")


@pytest.mark.skipif(
    not DEDUPLICATED,
    reason="needs the store's deduplicated default graph (issue 15, kg/graph/store.py)",
)
def test_shell_pty_count_is_distinct_edges(tmp_path: Path, env: dict[str, str]) -> None:
    # Hand-counted: USA boycotts the Olympics in two documents, GBR in one: three quads,
    # two distinct edges. Without GRAPH, COUNT counts edges; GRAPH ?g still tells who says it.
    path = fill_store(tmp_path / "kg-store")
    g = GRAPH["second_report"]
    with kgstore.write(path) as st:
        st.replace_graph(
            g, [(USA, KG.boycotts, OLYMPICS, g), (DOC.second_report, RDF.type, KG.Document, g)]
        )
    (Path(env["KG_CONFIG_DIR"])).mkdir(parents=True)
    (Path(env["KG_CONFIG_DIR"]) / "shellrc").write_text("[main]\npager =\ntiming = off\n")
    term = Terminal(["shell", "--store", str(path)], env)
    try:
        term.read_until(b"kg> ")
        mark = len(term.seen)
        term.send("SELECT (COUNT(*) AS ?edges) WHERE { ?s kg:boycotts ?o };\r")
        screen = term.read_until(b"(1 row)", since=mark)
        assert re.search(rb"edges\n-+\n2\n\(1 row\)", screen), screen
        mark = len(term.seen)
        term.send("SELECT (COUNT(*) AS ?said) WHERE { GRAPH ?g { ?s kg:boycotts ?o } };\r")
        screen = term.read_until(b"(1 row)", since=mark)
        assert re.search(rb"said\n-+\n3\n\(1 row\)", screen), screen
    finally:
        term.close()
