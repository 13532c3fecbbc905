"""A throwaway Virtuoso (Debian's virtuoso-opensource) on free loopback ports, for the tests.

`start(folder)` writes a `virtuoso.ini` into `folder` (database, log and lock files live there
too), runs `virtuoso-t +foreground +configfile virtuoso.ini`, waits until its SPARQL endpoint
answers, and sets the `dba` password with `isql-vt` (a new database starts with dba/dba, and
the ini has no setting for it). `Virtuoso.stop()` ends the process and waits for it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql-v")
USER = "dba"

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 4
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 1

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 4
ServerThreads = 4
Charset = UTF-8

[SPARQL]
; the default (10000) would cut long answers short without saying so
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Virtuoso:
    folder: Path
    http_port: int
    sql_port: int
    password: str
    process: subprocess.Popen[bytes]
    started_in: float = 0.0

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def gsp(self) -> str:
        """The Graph Store Protocol endpoint that takes digest auth."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # Virtuoso checkpoints and exits on SIGTERM
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def module_server(tmp_path_factory: Any) -> Iterator[Virtuoso]:
    """The body of a test module's `virtuoso` fixture: a server for the module, stopped at
    its end; skipped when virtuoso-t is missing, except under CI=true (a failure there)."""
    import pytest

    if VIRTUOSO is None or ISQL is None:
        reason = "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI must install it")
        pytest.skip(reason)
    server = start(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        server.stop()


def bulk_args(server: Virtuoso) -> list[str]:
    """`kg push --bulk` options for `server`: its SPARQL endpoint, isql port and load folder."""
    return [
        "--bulk",
        "--endpoint",
        server.sparql,
        "--isql",
        f"127.0.0.1:{server.sql_port}",
        "--load-dir",
        str(server.folder / "load"),
    ]


def start(folder: Path, password: str = "kgTestSecret42", timeout: float = 90.0) -> Virtuoso:
    if VIRTUOSO is None or ISQL is None:
        raise FileNotFoundError("virtuoso-t or isql-vt is not installed")
    folder = folder.resolve()
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(folder=folder, http_port=http_port, sql_port=sql_port))
    began = time.monotonic()
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Virtuoso(folder, http_port, sql_port, password, process)
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited ({process.returncode}):\n{server.log()}")
            if time.monotonic() - began > timeout:
                raise TimeoutError(f"virtuoso-t did not answer in {timeout} s:\n{server.log()}")
            try:
                if httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        done = subprocess.run(
            [
                ISQL,
                f"127.0.0.1:{sql_port}",
                USER,
                "dba",
                f"exec=USER_SET_PASSWORD('{USER}', '{password}');",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode != 0 or "Error" in done.stdout + done.stderr:  # isql exits 0 anyway
            raise RuntimeError(f"isql could not set the password: {done.stdout}{done.stderr}")
    except BaseException:
        server.stop()
        raise
    server.started_in = time.monotonic() - began
    return server
