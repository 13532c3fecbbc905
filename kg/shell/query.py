"""`kg query`: one query, its answer streamed to standard output as it is read, under
Ctrl-C and --timeout.

Oxigraph releases the GIL while it evaluates, so the query runs in a thread and the main
thread stays free to notice Ctrl-C or the deadline; the process then exits, and the query
with it. The answer is written row by row (kg.graph.results.stream), so a million rows
need no more memory than ten. The checks before it are the shell's: an update is answered
with how to run it, SERVICE is refused unless allowed, a misspelt kg: term is warned about,
and a syntax error points at the offending token.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from kg.errors import KgError
from kg.graph.prefixes import PREFIXES
from kg.graph.results import Display, stream
from kg.shell import sparql as text_of
from kg.shell.worker import query_options


def run_query(
    text: str,
    fmt: str,
    out: IO[bytes],
    *,
    store_path: Path | None = None,
    endpoint: str | None = None,
    timeout: float | None = None,
    allow_service: bool = False,
    warn: Callable[[str], None] = lambda line: None,
    display: Display | None = None,
) -> None:
    """Run `text` and write its answer to `out` in `fmt` (a name of `kg.formats.QUERY`).
    Raises `KgError` (E040 with a caret, E071 past the deadline, E077 when `out` cannot be
    written, E079 for what is refused) and lets KeyboardInterrupt through."""
    from kg.shell.engine import syntax_error, term_warnings

    if text_of.is_update(text):
        raise text_of.refused(text_of.UPDATE_IN_QUERY)
    if not allow_service and text_of.uses_service(text):
        raise text_of.refused(text_of.SERVICE_REFUSED)
    for line in term_warnings(text):
        warn(line)
    deadline = time.monotonic() + timeout if timeout else None
    from kg.graph.store import connect

    store = connect(store_path, endpoint)
    box: dict[str, BaseException] = {}

    def work() -> None:
        answer: Any = None
        try:
            if endpoint:
                answer = store.query(text, deadline=deadline)
            else:
                answer = store.ox.query(text, prefixes=PREFIXES, **query_options(store))
            sink = _Output(out)
            stream(answer, fmt, sink, display=display or Display())
            sink.flush()
        except BaseException as exc:  # handed to the main thread
            # without its frames: they hold pyoxigraph objects, which must be dropped on
            # the thread that made them
            for link in (exc, exc.__cause__, exc.__context__):
                if link is not None:
                    link.__traceback__ = None
            box["error"] = exc
        finally:
            answer = None

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.05 if deadline is None else max(0.0, min(0.05, deadline - time.monotonic())))
        if deadline is not None and time.monotonic() >= deadline and worker.is_alive():
            raise KgError("E071", seconds=timeout)
    error = box.get("error")
    if error is None:
        return
    if isinstance(error, SyntaxError):
        raise syntax_error(text, str(error)) from None
    if isinstance(error, OutputFailed):
        cause = error.cause
        if isinstance(cause, BrokenPipeError):
            raise cause
        raise KgError("E077", "<stdout>", reason=cause.strerror or str(cause)) from None
    if isinstance(error, KgError):
        raise error
    raise KgError("E079", reason=f"{type(error).__name__}: {' '.join(str(error).split())}")


class OutputFailed(Exception):
    """Writing the answer failed (a full disk, a closed pipe), as opposed to reading it."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _Output:
    """`out`, with its write errors told apart from the store's."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def write(self, data: bytes) -> int:
        try:
            return self._out.write(data)
        except OSError as exc:
            raise OutputFailed(exc) from exc

    def flush(self) -> None:
        try:
            self._out.flush()
        except OSError as exc:
            raise OutputFailed(exc) from exc
