"""The shell without a terminal: state (format, display, labels, \\o file) and `execute()`,
which runs SPARQL statements and backslash commands and prints their results. The
prompt_toolkit loop (app.py), scripts (`-f`, `\\i`, piped input), `kg shell -e` and the
tests all drive this one object.

Everything that reads an embedded store goes through the worker process (worker.py): user
queries, the queries of the commands (`Shell.select`, and lookups through `Shell.target`),
counts and exports, each under Ctrl-C and one deadline per statement (--timeout). Results go
to `out` (stdout), everything else (timings, notices, errors) to `err` (stderr), so a
script's results pipe into another program untouched.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from kg.errors import KgError
from kg.files import write_atomic
from kg.graph.prefixes import KG_NS, PREFIXES
from kg.graph.results import Display, Result, Solutions, format_result, printable_lines, width_of
from kg.shell import sparql as text_of
from kg.shell.completion import CompletionData, load_completion_data
from kg.shell.config import Config
from kg.shell.registry import ShellExit, run_command
from kg.shell.worker import ProcessRunner, Stopped


def open_target_soon(store_path: Path | None, endpoint: str | None) -> Callable[[], Any]:
    """Start opening the store in a thread and return a function that waits for it.

    Opening RocksDB takes tens of milliseconds and releases the GIL, so it overlaps with
    importing prompt_toolkit: the prompt appears sooner. An error is raised by the getter."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            from kg.graph.store import connect

            box["store"] = connect(store_path, endpoint)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="kg-shell-open", daemon=True)
    thread.start()

    def get() -> Any:
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["store"]

    return get


is_update = text_of.is_update
read_text = text_of.read_text
refused = text_of.refused


def syntax_error(sparql: str, message: str) -> KgError:
    """The parser's refusal as E040 that says what is wrong where, followed by the query
    line and a caret under the offending token (see kg.shell.sparql.diagnose)."""
    found = text_of.diagnose(sparql, message, PREFIXES)
    line, column = text_of.position_of(sparql, found.offset)
    return KgError(
        "E040",
        message=f"line {line}, column {column}: {found.message}\n"
        + text_of.caret(sparql, found.offset),
    )


def syntax_report(sparql: str, message: str) -> str:
    return str(syntax_error(sparql, message))


_GRAPH_WORDS = frozenset({"GRAPH", "WITH", "USING", "INTO", "CLEAR", "DROP", "CREATE", "LOAD"})
_GRAPH_WORDS |= frozenset({"COPY", "MOVE", "ADD"})


def names_graphs(update: str) -> bool:
    """Whether an update says which graphs it changes (GRAPH, WITH, USING, or an operation
    on whole graphs)."""
    return any(t.kind == "word" and t.text.upper() in _GRAPH_WORDS for t in text_of.tokens(update))


_ONTOLOGY_TERMS: set[str] | None = None


def ontology_terms() -> set[str]:
    """Local names of the kg: terms the ontology defines (read once from kg.ttl)."""
    global _ONTOLOGY_TERMS
    if _ONTOLOGY_TERMS is None:
        import pyoxigraph as ox

        from kg.resources import ontology_path

        terms = set()
        for quad in ox.parse(path=str(ontology_path("kg.ttl")), format=ox.RdfFormat.TURTLE):
            for term in (quad.subject, quad.predicate, quad.object):
                if isinstance(term, ox.NamedNode) and term.value.startswith(KG_NS):
                    terms.add(term.value[len(KG_NS) :])
        _ONTOLOGY_TERMS = terms
    return _ONTOLOGY_TERMS


def term_warnings(sparql: str) -> list[str]:
    """A warning for each kg: term the ontology does not define, with the closest one (the
    query still runs: a misspelt term matches nothing, silently)."""
    out = []
    for term, close in text_of.unknown_terms(sparql, "kg", ontology_terms()):
        hint = f"; did you mean {close}?" if close else "; \\properties and \\classes list them"
        out.append(f"warning: {term} is not a term of the ontology, so it matches nothing{hint}")
    return out


class InlineRunner:
    """Runs requests in this process: for remote endpoints, whose HTTP client keeps the
    deadline itself (and Ctrl-C interrupts its socket reads)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.pid = None

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def request(self, message: tuple[Any, ...], deadline: float | None = None) -> tuple[Any, ...]:
        if message[0] == "len":
            return ("value", len(self.store))
        if message[0] == "export":
            raise KgError("E034", what="\\export")
        _, sparql, substitutions, limit = message
        try:
            answer = self.store.query(sparql, substitutions, deadline=deadline)
        except KgError as exc:
            if exc.code == "E040":
                return ("syntax", str(exc.fields["message"]))
            return ("kgerror", exc)
        result = Result.of(answer, limit)
        if result.boolean is not None:
            return ("boolean", result.boolean)
        if result.triples is not None:
            return ("triples", result.triples, result.more)
        return ("rows", result.variables, result.rows, result.more)


class Target:
    """What the commands query: the store through the shell's worker, under the deadline of
    the running statement. Answers like `GraphStore` (`query(sparql, substitutions)`), so
    `kg.graph.lookup` and `kg.analysis` take it as a store."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.path = shell.root

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Any:
        result = self.shell.fetch(sparql, substitutions)
        if result.boolean is not None:
            return result.boolean
        if result.triples is not None:
            return result.triples
        return Solutions(result.variables, result.rows)

    def __len__(self) -> int:
        return int(self.shell.request(("len",)))

    @property
    def triples(self) -> int:
        """Distinct triples: what a query without GRAPH sees."""
        return int(self.shell.request(("triples",)))


class Shell:
    def __init__(
        self,
        store: Any,
        config: Config | None = None,
        *,
        allow_update: bool = False,
        allow_service: bool = False,
        timeout: float | None = None,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        from kg.shell.commands import COMMANDS, query_names

        self.config = config or Config()
        self.store = store
        self.root: Path | None = getattr(store, "path", None) if hasattr(store, "ox") else None
        self.fmt = self.config.format
        self.timing = self.config.timing
        self.labels = self.config.labels
        self.width = self.config.width
        self.null = self.config.null
        self.literals = self.config.literals
        self.expanded = self.config.expanded  # on, off or auto
        self.max_rows = self.config.max_rows
        self.timeout = timeout if timeout is not None else (self.config.timeout or None)
        self.allow_update = allow_update
        self.allow_service = allow_service
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.interactive = False  # the prompt_toolkit loop sets it: the pager may be used
        self.output_file: Path | None = None
        self.including = 0  # how deep \\i files run inside each other
        self.interrupted = False  # Ctrl-C during the running input
        self.last: Result | None = None
        self.commands = {c.name: (c.complete, c.summary) for c in COMMANDS.values()}
        self.data = CompletionData(
            commands=self.commands,
            queries=query_names(),
            entity_limit=self.config.entity_suggestions,
        )
        self.loaded = False  # the completion data came from the store
        self.runner: ProcessRunner | InlineRunner
        if self.root is not None:
            self.runner = ProcessRunner(str(self.root), dict(PREFIXES))
        else:
            self.runner = InlineRunner(store)
        self.target = Target(self)
        self.deadline: float | None = None
        self.generation = self._generation()
        self._refresher: threading.Thread | None = None
        self._again = False

    # -- life cycle ----------------------------------------------------------------------
    def start(self, wait: bool = False) -> None:
        """Start the worker and the first completion load, both in the background."""
        self.runner.start()
        self.refresh(wait=wait)

    def close(self) -> None:
        self.runner.close()

    def _generation(self) -> str:
        if self.root is None:
            return ""
        try:
            return os.readlink(self.root / "current")
        except OSError:
            return ""

    def check_generation(self) -> None:
        """A build (here or in another process) published a new generation: reload the
        completion data (the worker follows `current` by itself)."""
        if self.root is not None and self._generation() != self.generation:
            self.refresh(reopen=True)

    def refresh(self, wait: bool = False, reopen: bool = False) -> None:
        """Reload the completion data (and reopen the store) without blocking the prompt."""
        if self._refresher is not None and self._refresher.is_alive():
            self._again = True
        else:
            self._refresher = threading.Thread(
                target=self._load, args=(reopen,), daemon=True, name="kg-shell-refresh"
            )
            self._refresher.start()
        if wait and self._refresher is not None:
            self._refresher.join()

    def _load(self, reopen: bool) -> None:
        from kg.shell.commands import query_names

        while True:
            self._again = False
            try:
                if reopen and self.root is not None:
                    from kg.graph.store import open_store

                    generation = self._generation()
                    self.store = open_store(self.root)
                    self.generation = generation
                self.data = load_completion_data(
                    self.store, self.commands, query_names(), self.config.entity_suggestions
                )
                self.loaded = True
            except Exception:  # keep the old snapshot; the next refresh tries again
                pass
            if not self._again:
                return
            reopen = True

    # -- running ---------------------------------------------------------------------------
    def run_all(self, texts: Iterable[str]) -> bool:
        """`kg shell -e`: run each query or command in turn; stops at \\q. True if all ran.
        The completion data is not loaded: nothing here completes."""
        ok = True
        try:
            for text in texts:
                ok = self.execute(text) and ok
        except ShellExit:
            pass
        finally:
            self.close()
        return ok

    def run_script(self, text: str, source: str = "<stdin>") -> bool:
        """Run a script: SPARQL statements ended by `;` (or by the end of the text), and
        backslash commands, each on a line of its own. Returns True if every one ran."""
        ok = True
        for kind, item in script_items(text):
            ok = (self._command(item) if kind == "command" else self._statement(item)) and ok
            if self.interrupted:  # Ctrl-C stops the whole script, not one statement
                break
        return ok

    def execute(self, text: str) -> bool:
        """Run what was typed: a backslash command, or one or more SPARQL statements
        separated by `;`. Prints results and errors; False if anything failed."""
        text = text.strip()
        if not text:
            return True
        if text.startswith("\\"):
            return self._command(text)
        ok = True
        for statement in text_of.split_statements(text):
            ok = self._statement(statement) and ok
        return ok

    def _command(self, line: str) -> bool:
        return self._guarded(lambda: run_command(self, line))

    def _statement(self, sparql: str) -> bool:
        return self._guarded(lambda: self.run_sparql(sparql))

    def _guarded(self, work: Callable[[], None]) -> bool:
        self.deadline = time.monotonic() + self.timeout if self.timeout else None
        if not self.including:
            self.interrupted = False
        try:
            work()
            return True
        except KgError as exc:
            self.error(str(exc))
        except KeyboardInterrupt:
            if not self.interrupted:
                self.error("cancelled")
            self.interrupted = True
        finally:
            self.deadline = None
        return False

    def _deadline(self) -> float | None:
        """The running statement's deadline, or one for this request alone."""
        if self.deadline is not None or not self.timeout:
            return self.deadline
        return time.monotonic() + self.timeout

    def request(self, message: tuple[Any, ...]) -> Any:
        """One request to the worker under the running statement's deadline; its value."""
        try:
            reply = self.runner.request(message, self._deadline())
        except Stopped:
            raise KgError("E071", seconds=self.timeout) from None
        if reply[0] == "kgerror":
            raise reply[1]
        if reply[0] == "error":
            raise KgError("E079", reason=reply[1])
        return reply[1]

    def fetch(
        self, sparql: str, substitutions: dict[str, Any] | None = None, limit: int | None = None
    ) -> Result:
        """A query's answer as a `Result` (at most `limit` rows, `more` set if cut)."""
        try:
            reply = self.runner.request(("query", sparql, substitutions, limit), self._deadline())
        except Stopped:
            raise KgError("E071", seconds=self.timeout) from None
        kind = reply[0]
        if kind == "syntax":
            raise syntax_error(sparql, reply[1])
        if kind == "kgerror":
            raise reply[1]
        if kind == "error":
            raise KgError("E079", reason=reply[1])
        if kind == "boolean":
            return Result(boolean=reply[1])
        if kind == "triples":
            return Result(triples=reply[1], more=reply[2])
        return Result(list(reply[1]), reply[2], more=reply[3])

    def run_sparql(self, sparql: str) -> None:
        if text_of.is_update(sparql):
            self.update(sparql)
            return
        if not self.allow_service and text_of.uses_service(sparql):
            raise refused(text_of.SERVICE_REFUSED)
        for warning in term_warnings(sparql):
            self.error(warning)
        self.check_generation()
        started = time.perf_counter()
        limit = None if self.output_file is not None else (self.max_rows or None)
        result = self.fetch(sparql, limit=limit)
        self.last = result
        self.show(result, time.perf_counter() - started)

    def update(self, sparql: str) -> None:
        if not self.allow_update:
            raise KgError("E070")
        if self.root is None:
            raise KgError("E034", what="SPARQL UPDATE")
        from kg.graph import store as kgstore

        started = time.perf_counter()
        with kgstore.write(self.root) as st:
            follows = hasattr(st, "update")  # the store keeps its default graph in step
            if not follows and not names_graphs(sparql):
                raise refused(text_of.DEFAULT_GRAPH_UPDATE)
            before = len(st)
            try:
                if follows:
                    st.update(sparql)  # type: ignore[attr-defined]
                else:
                    st.ox.update(sparql, prefixes=PREFIXES)
            except SyntaxError as exc:
                raise syntax_error(sparql, str(exc)) from None
            after = len(st)
        self.refresh(reopen=True, wait=True)
        self.status(
            f"update done: {after - before:+d} quads, new generation "
            f"{self.generation}" + self._took(time.perf_counter() - started)
        )

    def select(self, sparql: str, drop: tuple[str, ...] = (), **bind: Any) -> Result:
        """A query of a command, run by the worker, with user values bound (never pasted),
        at most `max_rows` rows. pyoxigraph wants bound variables projected, so `drop`
        removes them afterwards."""
        result = self.fetch(sparql, bind or None, limit=self.max_rows or None)
        if drop:
            keep = [i for i, v in enumerate(result.variables) if v not in drop]
            result = Result(
                [result.variables[i] for i in keep],
                [[row[i] for i in keep] for row in result.rows],
                more=result.more,
            )
        return result

    # -- printing --------------------------------------------------------------------------
    def display(self, columns: int | None = None) -> Display:
        return Display(
            width=self.width,
            null=self.null,
            literals=self.literals,
            expanded=self.expanded == "on",
            columns=columns if columns is not None else self.columns(),
        )

    def columns(self) -> int:
        return shutil.get_terminal_size().columns if self.interactive else 0

    def labels_map(self) -> dict[str, str] | None:
        if not self.labels:
            return None
        if not self.loaded:
            self.refresh(wait=True)
        return dict(self.data.labels)

    def show(self, result: Result, elapsed: float | None = None) -> None:
        labels = self.labels_map()
        if self.output_file is not None:
            text = format_result(result, self.fmt, labels=labels, display=self.display(0))
            self.write_file(self.output_file, text.rstrip("\n") + "\n")
            return
        display = self.display()
        text = format_result(result, self.fmt, labels=labels, display=display).rstrip("\n")
        if (
            self.fmt == "table"
            and self.expanded == "auto"
            and result.rows
            and display.columns
            and _widest(text) > display.columns
        ):
            text = format_result(
                result, "table", labels=labels, display=replace(display, expanded=True)
            ).rstrip("\n")
        self.page(text)
        if elapsed is not None and self.timing:
            self.status(self._took(elapsed).strip(" ,"))

    def _took(self, seconds: float) -> str:
        return f", time {seconds * 1000:.0f} ms" if self.timing else ""

    def write_file(self, path: Path, text: str) -> None:
        self.output_file = None
        write_atomic(path, text.encode("utf-8"))
        self.status(f"wrote {path}")

    def page(self, text: str) -> None:
        """Print; through the pager when the output is a terminal and the text is taller or
        wider than it (the default pager, less -S, scrolls sideways)."""
        size = shutil.get_terminal_size()
        if (
            self.interactive
            and self.config.pager
            and _isatty(self.out)
            and (text.count("\n") + 2 > size.lines or _widest(text) > size.columns)
        ):
            try:
                subprocess.run(shlex.split(self.config.pager), input=text, text=True, check=False)
                return
            except OSError:
                pass
        self.print(text)

    def print(self, text: str) -> None:
        """A result, on `out`; a full disk or a closed pipe is E077, not a traceback."""
        try:
            print(text, file=self.out, flush=True)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise KgError("E077", "<stdout>", reason=exc.strerror or str(exc)) from None

    def status(self, text: str) -> None:
        """A line about what happened (not a result), on `err`."""
        self.error(text)

    def error(self, text: str) -> None:
        try:
            print(printable_lines(text), file=self.err, flush=True)
        except OSError:
            pass

    def toolbar(self) -> str:
        data = self.data
        where = (
            str(self.root)
            if self.root is not None
            else str(getattr(self.store, "endpoint", "endpoint"))
        )
        triples = f"{data.triples:,}" if data.triples is not None else "…"
        docs = f"{data.documents:,}" if data.documents is not None else "…"
        mode = "read-write" if self.allow_update else "read-only"
        return (
            f" {where} │ {triples} triples │ {docs} documents │ format {self.fmt} │ {mode}"
            " │ \\help  Ctrl-D quits"
        )


def _widest(text: str) -> int:
    return max((width_of(line) for line in text.split("\n")), default=0)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def script_items(text: str) -> list[tuple[str, str]]:
    """A script as ("command", line) and ("sparql", statement) items, in order: a line that
    starts with a backslash where no statement is open is a command; SPARQL runs to each
    `;` outside strings, IRIs, comments, braces and parentheses, or to the end."""
    items: list[tuple[str, str]] = []
    buffer = ""
    for line in text.splitlines(keepends=True):
        if not _has_code(buffer) and line.lstrip().startswith("\\"):
            items.append(("command", line.strip()))
            buffer = ""
            continue
        buffer += line
        pieces = text_of.split_statements(buffer)
        if pieces and _ends_statement(buffer):
            items += [("sparql", p) for p in pieces]
            buffer = ""
        elif len(pieces) > 1:  # complete statements, then one still open
            items += [("sparql", p) for p in pieces[:-1]]
            buffer = pieces[-1] + "\n"
    if _has_code(buffer):
        items += [("sparql", p) for p in text_of.split_statements(buffer)]
    return items


def _has_code(text: str) -> bool:
    return any(t.kind != "comment" for t in text_of.tokens(text))


def _ends_statement(text: str) -> bool:
    """Whether the last token outside comments is a `;` outside braces and parentheses."""
    depth = 0
    last = ""
    for tok in text_of.tokens(text):
        if tok.kind == "comment":
            continue
        if tok.kind == "other" and tok.text in "{(":
            depth += 1
        elif tok.kind == "other" and tok.text in "})":
            depth = max(0, depth - 1)
        last = tok.text if depth == 0 and tok.kind == "other" else ""
    return last == ";"


__all__ = ["Shell", "ShellExit", "read_text", "syntax_error", "syntax_report"]
