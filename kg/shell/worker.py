"""Everything the shell asks of an embedded store runs in a worker process, so Ctrl-C and
--timeout can stop it: queries, the queries of backslash commands, counts and exports.

pyoxigraph cannot interrupt a query running in a thread; killing a process can. The worker
opens the store read-only (many readers may share it) and follows `current` to the newest
generation at each request, so a build in another terminal is seen at once. Requests and
answers are pickled tuples on pipes; pyoxigraph terms pickle as themselves. A row limit is
applied in the worker, so a command that matches 100,000 rows sends only the rows shown.

The worker dies with the shell: it asks the kernel for SIGKILL when its parent ends
(Linux's PR_SET_PDEATHSIG), and a thread also watches for the parent's end, so closing the
terminal during a query leaves no process behind. It imports pyoxigraph and the store
module only (no rdflib, no spaCy).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

PR_SET_PDEATHSIG = 1


class Stopped(Exception):
    """The request ran past its deadline and its worker was killed."""


# -- the worker's side -----------------------------------------------------------------------


def _answer(view: Any, request: tuple[Any, ...], prefixes: dict[str, str]) -> tuple[Any, ...]:
    _, sparql, substitutions, limit = request
    subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
    answer = view.ox.query(
        sparql, prefixes=prefixes, substitutions=subs or None, **query_options(view)
    )
    if isinstance(answer, ox.QueryBoolean):
        return ("boolean", bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows: list[list[Any]] = []
        for row in answer:
            if limit and len(rows) == limit:
                return ("rows", names, rows, True)
            rows.append([row[i] for i in range(len(names))])
        return ("rows", names, rows, False)
    triples: list[Any] = []
    for triple in answer:
        if limit and len(triples) == limit:
            return ("triples", triples, True)
        triples.append(triple)
    return ("triples", triples, False)


def query_options(view: Any) -> dict[str, Any]:
    """How to query a generation as kg does: a store that keeps each distinct triple once
    in its default graph says so (`GraphStore.query_options`); an older one is read as the
    union of its document graphs."""
    return dict(getattr(view, "query_options", {"use_default_graph_as_union": True}))


def triples_of(view: Any) -> int:
    """Distinct triples (what a query without GRAPH sees) where the store counts them,
    else its quads."""
    return int(getattr(view, "triples", len(view)))


def _export(root: str, fmt: str, path: str) -> tuple[Any, ...]:
    from kg.export import export_file

    return ("value", export_file(Path(root), fmt, Path(path)))


def serve(root: str, prefixes: dict[str, str], inp: IO[bytes], out: IO[bytes]) -> None:
    """The worker's loop: one request in, one answer out, until the pipe closes. It opens
    the store as every kg command does (`kg.graph.store.open_store`), again whenever
    `current` names another generation."""
    from kg.graph.store import open_store

    view: Any = None
    generation = ""
    while True:
        try:
            request = _receive(inp)
        except (EOFError, KeyboardInterrupt):
            return
        try:
            current = os.path.realpath(os.path.join(root, "current"))
            if request[0] == "export":
                reply = _export(root, request[1], request[2])
            else:
                if view is None or current != generation:
                    view, generation = None, current
                    view = open_store(root)
                if request[0] == "len":
                    reply = ("value", len(view))
                elif request[0] == "triples":
                    reply = ("value", triples_of(view))
                else:
                    reply = _answer(view, request, prefixes)
        except SyntaxError as exc:
            reply = ("syntax", str(exc))
        except KeyboardInterrupt:
            return
        except Exception as exc:  # any failure goes back as a message; the loop lives
            from kg.errors import KgError

            if isinstance(exc, KgError):
                reply = ("kgerror", exc)
            else:
                reply = ("error", f"{type(exc).__name__}: {' '.join(str(exc).split())}")
        _send(out, reply)


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when `parent` ends: by the kernel where it can (Linux), and by a
    thread that checks the parent is still there in any case."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="kg-worker-watch").start()


def _send(stream: IO[bytes], message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("!Q", len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = _read(stream, 8)
    (size,) = struct.unpack("!Q", head)
    return pickle.loads(_read(stream, size))


def _read(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# -- the shell's side ------------------------------------------------------------------------


class ProcessRunner:
    """Runs requests on an embedded store in a child process that can be killed.

    The child is `python -m kg.shell.worker` on pipes (not multiprocessing), so it starts
    the same from a script, a notebook or stdin, and inherits no threads or open store. It
    has a session of its own: Ctrl-C at the terminal reaches the shell, which decides."""

    def __init__(self, root: str, prefixes: dict[str, str]) -> None:
        self.root = root
        self.prefixes = prefixes
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg.shell.worker",
                self.root,
                json.dumps(self.prefixes),
                str(os.getpid()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )

    def kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()

    close = kill

    def request(self, message: tuple[Any, ...], deadline: float | None = None) -> tuple[Any, ...]:
        """Send one request and wait for its answer until `deadline` (time.monotonic());
        past it, or on Ctrl-C, the worker is killed (and started again on the next call)."""
        self.start()
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        try:
            _send(proc.stdin, message)
            while True:
                wait = 0.25 if deadline is None else min(0.25, deadline - time.monotonic())
                if wait <= 0:
                    self.kill()
                    raise Stopped()
                ready, _, _ = select.select([proc.stdout], [], [], wait)
                if ready:
                    return tuple(_receive(proc.stdout))
                if proc.poll() is not None:
                    self.kill()
                    return ("error", "the query worker stopped")
        except KeyboardInterrupt:
            self.kill()
            raise
        except (EOFError, OSError) as exc:
            self.kill()
            return ("error", f"the query worker stopped ({exc})")


if __name__ == "__main__":
    die_with_parent(int(sys.argv[3]))
    serve(sys.argv[1], json.loads(sys.argv[2]), sys.stdin.buffer, sys.stdout.buffer)
