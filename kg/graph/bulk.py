"""`kg push --bulk`: the store into Virtuoso with its own bulk loader, for large graphs.

The Graph Store Protocol push (`kg.graph.remote.push`) sends each graph as an HTTP request
that Virtuoso parses and commits one at a time; its bulk loader reads files from its own
disk, without transactions, several times faster. So:

1. the store is exported as one N-Quads file into `load_dir`, a folder the server can read
   (listed in `DirsAllowed` of its virtuoso.ini; on another machine, a shared folder);
   N-Quads carry their graph, so each document keeps its own named graph;
2. the server's kg graphs that the store also has are emptied first (SQL on RDF_QUAD), so
   that a re-run replaces graphs as `kg push` does instead of doubling them (the ontology's
   blank nodes would be doubled otherwise);
3. `ld_dir` registers the file, `rdf_loader_run()` loads it, `checkpoint` makes it durable;
   the loader's `ll_error` for the file is read back: a failure is E147;
4. the kg graphs on the server are counted over SPARQL: how many quads landed.

isql (Debian's `isql-vt`) is the channel. It takes the password only on its command line
(asked for on standard input, it first tries an empty one, and Virtuoso locks the client's
address out for 60 s after 4 failed logins), so other users of this machine can see it with
`ps` while the load runs: use an account for loading, or a machine of your own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KgError

ISQL_NAMES = ("isql-vt", "isql-v", "isql")
# Graph IRIs the store writes are percent-encoded path segments (an apostrophe stays, and
# is doubled in SQL); what could end an isql statement is refused, not escaped.
_SAFE_IRI = re.compile(r"[^\s;\\\x00-\x1f]+")
_MARK = "KG-OUT:"


@dataclass
class BulkReport:
    graphs: int  # the kg graphs the server holds after the load
    quads: int  # the quads in them: what landed
    store_quads: int
    cleared: int  # graphs emptied before loading (a re-run replaces, never doubles)
    file: Path
    export_seconds: float
    load_seconds: float

    @property
    def seconds(self) -> float:
        return self.export_seconds + self.load_seconds


def find_isql(program: str | None = None) -> str:
    """The isql program: `program` (a name or path), else the first of ISQL_NAMES on PATH."""
    for name in [program] if program else ISQL_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise KgError("E144", reason=f"{program or ' / '.join(ISQL_NAMES)} not found on PATH")


class Isql:
    """Runs SQL scripts through isql on `address` (HOST:PORT) as `user`."""

    def __init__(self, address: str, user: str, password: str, program: str | None = None):
        self.address = address
        self.user = user
        self._password = password
        self.program = find_isql(program)

    def __repr__(self) -> str:  # never show the password
        return f"Isql({self.address!r}, {self.user!r})"

    def run(self, script: str, timeout: float | None = None) -> list[str]:
        """Run `script`; the lines it printed with `SELECT 'KG-OUT:' || ...`. An error (isql
        goes on after one, and exits 0 anyway) is E145, or E146 for a folder the server may
        not read."""
        try:
            done = subprocess.run(
                [self.program, self.address, self.user, self._password],
                input=f"{script}\nEXIT;\n",
                capture_output=True,
                text=True,
                errors="replace",
                timeout=timeout,
                env={**os.environ, "LANG": "C"},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise KgError("E144", reason=str(exc)) from exc
        out = done.stdout + done.stderr
        errors = _errors(out)
        if errors:
            if any("FA003" in e or "DirsAllowed" in e or "access control" in e for e in errors):
                raise KgError("E146", said=errors[0])
            raise KgError("E145", address=self.address, said=errors[0])
        return [
            line.strip()[len(_MARK) :].strip()
            for line in out.splitlines()
            if line.strip().startswith(_MARK)
        ]


def _errors(text: str) -> list[str]:
    lines = text.splitlines()
    return [
        " ".join(" ".join(lines[i : i + 2]).replace("***", "").split())[:300]
        for i, line in enumerate(lines)
        if line.startswith("*** Error")
    ]


def _sql_string(text: str) -> str:
    if not _SAFE_IRI.fullmatch(text):
        raise KgError("E098", reason=f"this IRI cannot go into an isql script: {text[:80]!r}")
    return "'" + text.replace("'", "''") + "'"


def bulk_load(
    store: Any,
    remote: Any,
    isql: Isql,
    load_dir: Path,
    namespace: str,
    server_dir: str | None = None,
) -> BulkReport:
    """Load the kg store `store` (a `GraphStore`) into the Virtuoso behind `remote` (a
    `RemoteStore` on its SPARQL endpoint, for counting) and `isql`. `load_dir` is where
    this process writes the file; `server_dir` is the same folder as the server sees it
    (default: the same path). The file is removed after a successful load."""
    load_dir = Path(load_dir)
    try:
        load_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KgError("E077", reason=f"{load_dir}: {exc.strerror or exc}") from exc
    name = f"kg-bulk-{os.getpid()}-{time.time_ns()}.nq"
    local_file = load_dir / name
    began = time.perf_counter()
    try:
        with local_file.open("wb") as out:
            store.export("nquads", out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(local_file, 0o644)  # the server may run as another user
    except OSError as exc:
        local_file.unlink(missing_ok=True)
        raise KgError("E077", reason=f"{local_file}: {exc.strerror or exc}") from exc
    exported = time.perf_counter() - began
    folder = (server_dir or str(load_dir.resolve())).rstrip("/") or "/"
    try:
        ours = set(_graphs(store))
        present = [g for g in remote.graph_counts(namespace) if g in ours]
        began = time.perf_counter()
        target = _sql_string(f"{folder}/{name}")
        # First what can fail without changing the server's data much: empty the graphs
        # that will be replaced, register the file; only then load.
        prepare = ["log_enable(3, 1);"]
        prepare += [
            f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id({_sql_string(g)}, 0);"
            for g in present
        ]
        prepare += [
            f"DELETE FROM DB.DBA.load_list WHERE ll_file = {target};",
            f"ld_dir({_sql_string(folder)}, {_sql_string(name)}, {_sql_string(namespace)});",
            f"SELECT '{_MARK}' || cast(COUNT(*) AS varchar) FROM DB.DBA.load_list"
            f" WHERE ll_file = {target};",
        ]
        registered = isql.run("\n".join(prepare))
        if registered != ["1"]:
            raise KgError("E146", said=f"ld_dir registered no file {folder}/{name}")
        said = isql.run(
            "\n".join(
                [
                    "rdf_loader_run();",
                    "checkpoint;",
                    f"SELECT '{_MARK}' || 'error ' || ll_error FROM DB.DBA.load_list"
                    f" WHERE ll_file = {target} AND ll_error IS NOT NULL;",
                    f"DELETE FROM DB.DBA.load_list WHERE ll_file = {target};",
                ]
            )
        )
        loaded = time.perf_counter() - began
        failures = [line[len("error ") :] for line in said if line.startswith("error ")]
        if failures:
            raise KgError("E147", f"{folder}/{name}", said=failures[0])
        counts = remote.graph_counts(namespace)
    finally:
        local_file.unlink(missing_ok=True)
    landed = {g: n for g, n in counts.items() if g in ours}
    return BulkReport(
        graphs=len(landed),
        quads=sum(landed.values()),
        store_quads=len(store),
        cleared=len(present),
        file=local_file,
        export_seconds=exported,
        load_seconds=loaded,
    )


def _graphs(store: Any) -> list[str]:
    return [g.value for g in store.ox.named_graphs()]
