"""Queries run in a worker process, so Ctrl-C and --timeout can stop them.

pyoxigraph cannot interrupt a query running in a thread; killing a process can. The worker
opens the store read-only (many readers may share it) and follows `current` to the newest
generation; answers come back serialised (SPARQL JSON results, or N-Triples), which the
shell parses into the same pyoxigraph objects a direct query returns. The worker imports
only pyoxigraph, so it starts in a fraction of the shell's own start-up.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import pyoxigraph as ox

Answer = Any  # pyoxigraph QuerySolutions | QueryBoolean | QueryTriples


def serialise(answer: Answer) -> tuple[str, bytes]:
    out = io.BytesIO()
    if isinstance(answer, list):  # a remote CONSTRUCT (kg.graph.remote) gives a list of triples
        ox.serialize(answer, out, ox.RdfFormat.N_TRIPLES)
        return "triples", out.getvalue()
    if isinstance(answer, ox.QueryTriples):
        answer.serialize(out, ox.RdfFormat.N_TRIPLES)
        return "triples", out.getvalue()
    answer.serialize(out, ox.QueryResultsFormat.JSON)
    return "results", out.getvalue()


def deserialise(kind: str, data: bytes) -> Answer:
    if kind == "triples":
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        ]
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)


def _send(stream: IO[bytes], message: tuple[str, bytes]) -> None:
    data = pickle.dumps(message)
    stream.write(struct.pack("!I", len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(4)
    if len(head) < 4:
        raise EOFError("the other side closed the pipe")
    (size,) = struct.unpack("!I", head)
    return pickle.loads(stream.read(size))


def serve(root: str, prefixes: dict[str, str], inp: IO[bytes], out: IO[bytes]) -> None:
    """The worker's loop: one query in, one ("results"|"triples"|"syntax"|"error", data) out."""
    store: ox.Store | None = None
    generation = ""
    while True:
        try:
            _, sparql = _receive(inp)
        except (EOFError, KeyboardInterrupt):
            return
        try:
            current = os.path.realpath(os.path.join(root, "current"))
            if store is None or current != generation:
                store, generation = None, current
                store = ox.Store.read_only(current)
            answer = store.query(
                sparql.decode(), prefixes=prefixes, use_default_graph_as_union=True
            )
            _send(out, serialise(answer))
        except SyntaxError as exc:
            _send(out, ("syntax", str(exc).encode()))
        except KeyboardInterrupt:
            return
        except Exception as exc:  # any engine failure goes back as a message, the loop lives
            _send(out, ("error", f"{type(exc).__name__}: {exc}".encode()))


class Stopped(Exception):
    """The query ran past its timeout and its worker was killed."""


class ProcessRunner:
    """Runs queries on an embedded store in a child process that can be killed.

    The child is `python -m kg.shell.worker` on pipes (not multiprocessing), so it starts
    the same from a script, a notebook or stdin, and inherits no threads or open store."""

    def __init__(self, root: str, prefixes: dict[str, str]) -> None:
        self.root = root
        self.prefixes = prefixes
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "kg.shell.worker", self.root, json.dumps(self.prefixes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # its own session: Ctrl-C at the terminal reaches the shell, which decides
            start_new_session=True,
        )

    def kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait(5)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()

    close = kill

    def query(self, sparql: str, timeout: float | None = None) -> tuple[str, bytes]:
        """Send a query, wait for its answer; kill the worker on timeout or Ctrl-C."""
        self.start()
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        deadline = time.monotonic() + timeout if timeout else None
        try:
            _send(proc.stdin, ("query", sparql.encode()))
            while True:
                wait = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
                if wait <= 0:
                    self.kill()
                    raise Stopped()
                ready, _, _ = select.select([proc.stdout], [], [], wait)
                if ready:
                    kind, data = _receive(proc.stdout)
                    return str(kind), bytes(data)
                if proc.poll() is not None:
                    self.kill()
                    return "error", b"the query worker stopped"
        except KeyboardInterrupt:
            self.kill()
            raise
        except (EOFError, OSError) as exc:
            self.kill()
            return "error", f"the query worker stopped ({exc})".encode()


class InlineRunner:
    """Runs queries in this process: for remote endpoints (the HTTP client has its own
    timeout and Ctrl-C interrupts its socket read)."""

    def __init__(self, query: Callable[[str], Answer]) -> None:
        self._query = query

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def query(self, sparql: str, timeout: float | None = None) -> tuple[str, bytes]:
        from kg.errors import KgError

        try:
            return serialise(self._query(sparql))
        except KgError as exc:
            if exc.code == "E040":
                return "syntax", str(exc.fields["message"]).encode()
            return "error", exc.message.encode()
        except SyntaxError as exc:
            return "syntax", str(exc).encode()


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]), sys.stdin.buffer, sys.stdout.buffer)
