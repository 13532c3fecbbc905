"""Execution without a terminal: read-only updates, syntax errors with a caret, --timeout
stopping a runaway query, fuzzed input never raising, settings, and `kg shell -e`."""

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shell_fixture import fill_store

from kg.errors import KgError
from kg.graph.store import open_store
from kg.shell.config import Config, load_config
from kg.shell.engine import Shell, is_update, syntax_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_store(tmp_path_factory.mktemp("shell-engine") / "kg-store")


def _shell(store_path: Path, **kwargs: object) -> tuple[Shell, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    shell = Shell(open_store(store_path), Config(timing=False), out=out, err=err, **kwargs)  # type: ignore[arg-type]
    return shell, out, err


def test_shell_engine_recognises_updates() -> None:
    assert is_update("INSERT DATA { <a:b> <a:c> <a:d> }")
    assert is_update("PREFIX x: <http://x#>\n# a comment\n  delete where { ?s ?p ?o }")
    assert is_update("WITH <g:x> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert not is_update("PREFIX del: <http://x#> SELECT * WHERE { ?s ?p ?o }")
    assert not is_update("# INSERT DATA\nASK { }")


def test_shell_engine_update_refused_unless_allowed(tmp_path: Path) -> None:
    path = fill_store(tmp_path / "kg-store")
    before = os.readlink(path / "current")
    insert = "INSERT DATA { GRAPH graph:x { person:Nobody a kg:Person } }"
    shell, out, err = _shell(path)
    assert shell.execute(insert) is False
    assert err.getvalue().startswith("error E070: SPARQL UPDATE refused")
    assert os.readlink(path / "current") == before
    shell.close()
    shell, out, err = _shell(path, allow_update=True)
    assert shell.execute(insert), err.getvalue()
    assert "update done: +1 quads" in err.getvalue()
    assert os.readlink(path / "current") != before  # a new generation, published atomically
    shell.execute("ASK { person:Nobody a kg:Person }")
    assert out.getvalue().split()[-1] == "yes"
    shell.close()


def test_shell_engine_syntax_error_has_line_column_and_caret(store_path: Path) -> None:
    shell, _, err = _shell(store_path)
    assert shell.execute("SELECT ?x\nWHERE { ?x ?y }") is False
    head, line, caret = err.getvalue().rstrip("\n").split("\n")
    assert head.startswith("error E040: SPARQL syntax error: line 2, column ")
    column = int(head.split("column ")[1].split(":")[0])
    assert line == "   2 | WHERE { ?x ?y }"
    assert caret.index("^") == len("   2 | ") + column - 1
    assert shell.execute("ASK { ?s ?p ?o }")  # the shell carries on
    shell.close()


def test_shell_engine_syntax_report_names_the_undeclared_prefix_under_a_caret() -> None:
    report = syntax_report(
        "SELECT * WHERE { ?s nope:x ?o }", "error at 1:99: expected one of Prefix not found, ['%']"
    )
    assert "line 1, column 21: the prefix nope: is not declared" in report
    assert report.splitlines()[-1] == "     | " + " " * 20 + "^"


def test_shell_engine_timeout_stops_a_runaway_query(store_path: Path) -> None:
    shell, out, err = _shell(store_path, timeout=1.0)
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    assert shell.execute(runaway) is False
    assert err.getvalue().startswith("error E071: query stopped after 1 s (--timeout)")
    with pytest.raises(KgError) as info:
        shell.run_sparql(runaway)
    assert (info.value.code, info.value.fields) == ("E071", {"seconds": 1.0})
    assert shell.execute("SELECT ?s WHERE { ?s kg:boycotts ?o }"), err.getvalue()
    assert "(2 rows)" in out.getvalue()
    shell.close()


TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "?s",
    "?p",
    "?o",
    ".",
    ";",
    ",",
    "kg:boycotts",
    "nope:x",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "LIMIT",
    "1",
    '"a',
    '"b"',
    "<http://x>",
    "<broken",
    "*",
    "=",
    "COUNT",
    "GROUP BY",
    "a",
    "kg:Person",
    "\n",
    "#",
    "'",
    "\\",
    "PREFIX",
    "BIND",
    "AS",
    "VALUES",
]


@pytest.fixture(scope="module")
def fuzz_shell(store_path: Path) -> Iterator[tuple[Shell, io.StringIO]]:
    shell, _, err = _shell(store_path, timeout=5.0)
    yield shell, err
    shell.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join), st.text(max_size=40))
)
def test_shell_engine_fuzzed_input_never_raises(
    fuzz_shell: tuple[Shell, io.StringIO], text: str
) -> None:
    shell, err = fuzz_shell
    err.seek(0)
    err.truncate()
    ok = shell.execute(text)
    assert isinstance(ok, bool)
    for message in err.getvalue().split("error ")[1:]:
        if message.startswith("E040"):
            assert ", column " in message and "^" in message, message


def test_shell_config_defaults_user_file_and_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PAGER", raising=False)
    default = load_config()
    assert (default.format, default.timing, default.labels, default.timeout) == (
        "table",
        True,
        False,
        0.0,
    )
    assert default.history_file == tmp_path / "data" / "history"
    (tmp_path / "shellrc").write_text("[main]\nformat = csv\nlabels = on\n")
    user = load_config()
    assert (user.format, user.labels, user.timing) == ("csv", True, True)
    (tmp_path / "shellrc").write_text("[main]\nformat = turtle\n")  # an alias of table
    assert load_config().format == "table"
    (tmp_path / "shellrc").write_text("[main]\nformat = xls\n")
    with pytest.raises(KgError) as info:
        load_config()
    assert (info.value.code, info.value.path, info.value.fields) == (
        "E076",
        str(tmp_path / "shellrc"),
        {"reason": "unknown result format 'xls'; the formats are table, csv, tsv, json, xml"},
    )


def test_shell_cli_execute_option(store_path: Path, tmp_path: Path) -> None:
    env = {**os.environ, "KG_CONFIG_DIR": str(tmp_path), "KG_DATA_DIR": str(tmp_path)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "shell",
            "--store",
            str(store_path),
            "-e",
            "\\timing off",
            "-e",
            "SELECT ?s WHERE { ?s kg:boycotts ?o } ORDER BY ?s",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-3:] == ["country:GBR", "country:USA", "(2 rows)"]
    run = subprocess.run(
        [sys.executable, "-m", "kg", "shell", "--store", str(store_path), "-e", "SELEC"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr.startswith("error E040") and "Traceback" not in run.stderr
