"""The shell as a script runner: piped input, -f FILE, \\i FILE and -e, with results alone on
stdout (byte-clean, no escape codes), status and errors on stderr, statements split on
`;`, and query files that are not UTF-8 refused with a coded error naming them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shell_fixture import fill_store

from kg.graph.store import open_store
from kg.shell import engine
from kg.shell.config import Config
from kg.shell.engine import Shell, script_items

ROOT = Path(__file__).resolve().parents[2]
BOYCOTTS = "SELECT ?s WHERE { ?s kg:boycotts ?o } ORDER BY ?s"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_store(tmp_path_factory.mktemp("shell-scripts") / "kg-store")


def kg(*args: str, stdin: bytes | None = None, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "KG_CONFIG_DIR": str(tmp), "KG_DATA_DIR": str(tmp)}
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_shell_scripts_piped_input_is_byte_clean(store_path: Path, tmp_path: Path) -> None:
    script = f"# two statements on one line, then a command\n{BOYCOTTS}; ASK {{ ?s ?p ?o }};\n"
    script += "\\format csv\n" + BOYCOTTS + "\n"  # the last statement ends with the input
    run = kg("shell", "--store", str(store_path), stdin=script.encode(), tmp=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        b"s\n-----------\ncountry:GBR\ncountry:USA\n(2 rows)\nyes\n"
        b"s\r\nhttps://w3id.org/kg-news/id/country/GBR\r\n"
        b"https://w3id.org/kg-news/id/country/USA\r\n"
    )
    assert b"\x1b" not in run.stdout + run.stderr  # no full-screen UI, no escape codes
    assert b"output format is csv" in run.stderr and b"time " in run.stderr


def test_shell_scripts_file_errors_go_to_stderr_and_set_the_exit_code(
    store_path: Path, tmp_path: Path
) -> None:
    script = tmp_path / "report.kgsql"
    script.write_text(f"SELEC nothing;\n\\format json\n{BOYCOTTS};\n", encoding="utf-8")
    run = kg("shell", "--store", str(store_path), "-f", str(script), tmp=tmp_path)
    assert run.returncode == 1  # one statement failed, the others ran
    assert run.stderr.startswith(b"error E040: SPARQL syntax error: line 1, column 1: 'SELEC'")
    body = json.loads(run.stdout)  # stdout is the JSON document and nothing else
    assert [b["s"]["value"].rsplit("/", 1)[1] for b in body["results"]["bindings"]] == [
        "GBR",
        "USA",
    ]


def test_shell_scripts_i_runs_a_file_and_e_a_command(store_path: Path, tmp_path: Path) -> None:
    (tmp_path / "inner.rq").write_text(f"{BOYCOTTS}\n", encoding="utf-8")
    run = kg(
        "shell",
        "--store",
        str(store_path),
        "-e",
        f"\\i {tmp_path / 'inner.rq'}",
        "-e",
        "ASK { ?s kg:boycotts ?o }",
        tmp=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode().split() == ["s", "-----------", "country:GBR", "country:USA"] + [
        "(2",
        "rows)",
        "yes",
    ]


@pytest.mark.parametrize("how", ["query-file", "query-stdin", "shell-file", "shell-i"])
def test_shell_scripts_non_utf8_query_files_are_E003(
    how: str, store_path: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "latin1.rq"
    bad.write_bytes('SELECT * WHERE { ?s ?p "Genève" }'.encode("latin-1"))
    args = {
        "query-file": ["query", "-f", str(bad)],
        "query-stdin": ["query"],
        "shell-file": ["shell", "-f", str(bad)],
        "shell-i": ["shell", "-e", f"\\i {bad}"],
    }[how]
    stdin = bad.read_bytes() if how == "query-stdin" else None
    run = kg(*args, "--store", str(store_path), stdin=stdin, tmp=tmp_path)
    where = "<stdin>" if how == "query-stdin" else str(bad)
    assert run.returncode in (1, 2)
    assert f"error E003: {where}: file is not valid UTF-8 (byte 27)".encode() in run.stderr
    assert b"Traceback" not in run.stderr


def test_shell_scripts_statement_splitting() -> None:
    text = (
        "SELECT ?s WHERE { ?s a kg:Country ; skos:prefLabel ?l } ;\n"  # ; inside a pattern
        "# a comment; with a semicolon\n"
        'SELECT (GROUP_CONCAT(?l; separator=";") AS ?all) WHERE { ?s skos:prefLabel ?l }\n'
        ";\n\\docs\n"
        "ASK { ?s ?p 'it;s' }"  # the end of the input ends the last statement
    )
    assert script_items(text) == [
        ("sparql", "SELECT ?s WHERE { ?s a kg:Country ; skos:prefLabel ?l }"),
        (
            "sparql",
            "# a comment; with a semicolon\n"
            'SELECT (GROUP_CONCAT(?l; separator=";") AS ?all) WHERE { ?s skos:prefLabel ?l }',
        ),
        ("command", "\\docs"),
        ("sparql", "ASK { ?s ?p 'it;s' }"),
    ]


def test_shell_scripts_e_does_not_wait_for_completion_data(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[bool] = []
    monkeypatch.setattr(engine, "load_completion_data", lambda *a, **k: loaded.append(True))
    out = io.StringIO()
    shell = Shell(open_store(store_path), Config(timing=False), out=out, err=io.StringIO())
    assert shell.run_all(["ASK { ?s kg:boycotts ?o }"])
    assert out.getvalue() == "yes\n" and loaded == []


def test_shell_scripts_full_disk_on_stdout_is_one_line(store_path: Path, tmp_path: Path) -> None:
    for args in (["shell", "-e", BOYCOTTS, "-e", "ASK {}"], ["query", BOYCOTTS]):
        with open("/dev/full", "wb") as full:
            env = {**os.environ, "KG_CONFIG_DIR": str(tmp_path), "KG_DATA_DIR": str(tmp_path)}
            run = subprocess.run(
                [sys.executable, "-m", "kg", *args, "--store", str(store_path)],
                stdout=full,
                stderr=subprocess.PIPE,
                cwd=ROOT,
                env=env,
                timeout=60,
            )
        lines = run.stderr.decode().splitlines()
        assert run.returncode in (1, 2), run.stderr
        errors = [x for x in lines if x.startswith("error ")]
        assert errors and all(
            x == "error E077: <stdout>: cannot write the output file (No space left on device)"
            for x in errors
        ), lines
        assert "Traceback" not in run.stderr.decode()
