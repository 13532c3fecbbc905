"""The shell without a terminal: state (format, timing, labels, \\o file) and `execute()`,
which runs one SPARQL query or backslash command and prints its result. The prompt_toolkit
loop (app.py), `kg shell -e` and the tests all drive this one object.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from kg.errors import KgError
from kg.files import write_atomic
from kg.graph.prefixes import PREFIXES
from kg.graph.results import Result, format_result
from kg.shell.completion import CompletionData, load_completion_data
from kg.shell.config import Config
from kg.shell.registry import ShellExit, run_command
from kg.shell.worker import InlineRunner, ProcessRunner, Stopped, deserialise

# An update starts, after its prologue (PREFIX/BASE) and comments, with one of these.
_PROLOGUE = re.compile(r"(\s+|#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.I)
_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


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


def is_update(sparql: str) -> bool:
    pos = 0
    while match := _PROLOGUE.match(sparql, pos):
        if match.end() == pos:
            break
        pos = match.end()
    return bool(_UPDATE.match(sparql, pos))


def syntax_report(sparql: str, message: str) -> str:
    """pyoxigraph's "error at LINE:COL: expected ..." as a one-line error, the query line
    and a caret under the column."""
    match = _POSITION.match(message.strip())
    if match is None:
        return str(KgError("E040", message=" ".join(message.split())))
    line_no, col = int(match.group(1)), int(match.group(2))
    expected = " ".join(match.group(3).split())
    if "Prefix not found" in expected:
        expected = "a prefix that is not declared (\\prefixes lists the declared ones)"
    elif "[" in expected:  # drop the parser's character classes, keep the words
        expected = expected[: expected.index("[")].rstrip(", ")
        expected = (
            expected if expected not in ("expected", "expected one of") else "unexpected input"
        )
    lines = sparql.split("\n")
    text = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    col = max(1, min(col, len(text) + 1))
    head = str(KgError("E040", message=f"line {line_no}, column {col}: {expected}"))
    gutter = f"{line_no:>4} | "
    return f"{head}\n{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * (col - 1)}^"


class Shell:
    def __init__(
        self,
        store: Any,
        config: Config | None = None,
        *,
        allow_update: bool = False,
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
        self.timeout = timeout if timeout is not None else (self.config.timeout or None)
        self.allow_update = allow_update
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.output_file: Path | None = None
        self.last: Result | None = None
        self.commands = {c.name: (c.complete, c.summary) for c in COMMANDS.values()}
        self.data = CompletionData(
            commands=self.commands,
            queries=query_names(),
            entity_limit=self.config.entity_suggestions,
        )
        self.runner: ProcessRunner | InlineRunner
        if self.root is not None:
            self.runner = ProcessRunner(str(self.root), dict(PREFIXES))
        else:
            self.runner = InlineRunner(store.query)
        self.generation = self._generation()
        self._refresher: threading.Thread | None = None
        self._again = False

    # -- life cycle ----------------------------------------------------------------------
    def start(self, wait: bool = False) -> None:
        """Start the query worker and the first completion load, both in the background."""
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
        """A build (here or in another process) published a new generation: reload."""
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
            except Exception:  # keep the old snapshot; the next refresh tries again
                pass
            if not self._again:
                return
            reopen = True

    # -- running ---------------------------------------------------------------------------
    def run_all(self, texts: Any) -> bool:
        """`kg shell -e`: run each query or command in turn; stops at \\q. True if all ran."""
        self.runner.start()
        self.refresh(wait=True)
        ok = True
        try:
            for text in texts:
                ok = self.execute(text) and ok
        except ShellExit:
            pass
        finally:
            self.close()
        return ok

    def execute(self, text: str) -> bool:
        """Run one query or backslash command; print its result or error. False on error."""
        text = text.strip()
        if not text.startswith("\\"):
            text = text.rstrip(";").rstrip()
        if not text:
            return True
        try:
            if text.startswith("\\"):
                run_command(self, text)
            else:
                self.run_sparql(text)
            return True
        except KgError as exc:
            self.error(str(exc))
        except SyntaxProblem as exc:
            self.error(exc.report)
        except KeyboardInterrupt:
            self.error("cancelled")
        return False

    def run_sparql(self, sparql: str) -> None:
        if is_update(sparql):
            self.update(sparql)
            return
        self.check_generation()
        started = time.perf_counter()
        try:
            kind, data = self.runner.query(sparql, self.timeout)
        except Stopped:
            raise KgError("E071", seconds=self.timeout) from None
        elapsed = time.perf_counter() - started
        if kind == "syntax":
            raise SyntaxProblem(syntax_report(sparql, data.decode()))
        if kind == "error":
            raise KgError("E079", reason=data.decode())
        answer = deserialise(kind, data)
        result = Result(triples=answer) if kind == "triples" else Result.of(answer)
        if kind == "results":
            result.raw = data
        self.last = result
        self.show(result, elapsed)

    def update(self, sparql: str) -> None:
        if not self.allow_update:
            raise KgError("E070")
        if self.root is None:
            raise KgError("E034", what="SPARQL UPDATE")
        from kg.graph import store as kgstore

        started = time.perf_counter()
        with kgstore.write(self.root) as st:
            before = len(st)
            try:
                st.ox.update(sparql, prefixes=PREFIXES)
            except SyntaxError as exc:
                raise SyntaxProblem(syntax_report(sparql, str(exc))) from None
            after = len(st)
        self.refresh(reopen=True, wait=True)
        self.print(
            f"update done: {after - before:+d} quads, new generation "
            f"{self.generation}" + self._took(time.perf_counter() - started)
        )

    def select(self, sparql: str, drop: tuple[str, ...] = (), **bind: Any) -> Result:
        """A query of a command, in this process, with user values bound (never pasted);
        pyoxigraph wants bound variables projected, so `drop` removes them afterwards."""
        result = Result.of(self.store.query(sparql, substitutions=bind or None))
        if drop:
            keep = [i for i, v in enumerate(result.variables) if v not in drop]
            result = Result(
                [result.variables[i] for i in keep], [[row[i] for i in keep] for row in result.rows]
            )
        return result

    # -- printing --------------------------------------------------------------------------
    def show(self, result: Result, elapsed: float | None = None) -> None:
        labels = self.data.labels if self.labels else None
        text = format_result(result, self.fmt, labels=labels).rstrip("\n")
        if self.output_file is not None:
            self.write_file(self.output_file, text + "\n")
            return
        if elapsed is not None and self.timing and self.fmt == "table":
            text += "\n" + self._took(elapsed).strip(" ,")
        self.page(text)

    def _took(self, seconds: float) -> str:
        return f", time {seconds * 1000:.0f} ms" if self.timing else ""

    def write_file(self, path: Path, text: str) -> None:
        self.output_file = None
        write_atomic(path, text.encode("utf-8"))
        self.print(f"wrote {path}")

    def page(self, text: str) -> None:
        """Print, through the pager when the output is a terminal and taller than it."""
        rows = shutil.get_terminal_size().lines
        if self.config.pager and _isatty(self.out) and text.count("\n") + 2 > rows:
            try:
                subprocess.run(shlex.split(self.config.pager), input=text, text=True, check=False)
                return
            except OSError:
                pass
        self.print(text)

    def print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def error(self, text: str) -> None:
        print(text, file=self.err, flush=True)

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


class SyntaxProblem(Exception):
    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
