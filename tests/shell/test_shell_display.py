"""What the shell shows and refuses: row limits said when hit, unbound values unlike "",
typed literals on request, widths by Unicode rules, expanded rows, the deadline on every
request of a command, warnings for misspelt kg: terms, refusals that say how, and IRI-like
names and full disks that end in one line, not in a traceback."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from shell_fixture import ShellRun, fill_store

from kg.graph.results import Display, Result, clip, render, width_of, wrap
from kg.graph.store import open_store

QUERY = "SELECT ?s WHERE { ?s kg:boycotts ?o } ORDER BY ?s"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_store(tmp_path_factory.mktemp("shell-display") / "kg-store")


@pytest.fixture
def run(store_path: Path) -> Iterator[ShellRun]:
    r = ShellRun(store_path)
    yield r
    r.shell.close()


def test_shell_display_row_limit_is_said_when_hit(run: ShellRun) -> None:
    out, _ = run("\\set max_rows 1", QUERY)
    assert out.splitlines()[2:] == [
        "country:GBR",
        "(1 row)",
        "(the first 1 rows are shown: the answer has more; add a LIMIT)",
    ]
    out, _ = run("\\describe Bachelet")  # commands too
    assert "(the first 1 rows are shown" in out
    out, _ = run("\\set max_rows 0", QUERY)
    assert "(2 rows)" in out and "first" not in out


def test_shell_display_unbound_is_not_the_empty_string(run: ShellRun) -> None:
    out, _ = run(
        'SELECT ?empty ?missing WHERE { BIND("" AS ?empty) OPTIONAL { ?x kg:nothing ?missing } }'
    )
    assert out.splitlines()[2].split("|")[1].strip() == "∅"
    assert out.splitlines()[2].split("|")[0].strip() == ""
    out, _ = run("\\set null NULL", "SELECT ?m WHERE { OPTIONAL { ?x kg:nothing ?m } }")
    assert out.splitlines()[2] == "NULL"


def test_shell_display_literals_typed_when_asked(run: ShellRun) -> None:
    sparql = 'SELECT ?a ?b ?c WHERE { BIND("chat"@fr AS ?a) BIND(5 AS ?b) BIND("x" AS ?c) }'
    out, _ = run(sparql)
    assert out.splitlines()[2].split(" | ") == ["chat", "5", "x"]
    out, err = run("\\literals on", sparql)
    assert err.strip() == "literals are shown typed"
    assert out.splitlines()[2].split(" | ") == ['"chat"@fr', '"5"^^xsd:integer', '"x"']


def test_shell_display_widths_follow_unicode() -> None:
    result = Result.table_of(["name", "n"], [["北京", 1], ["Zürich", 2], ["Ame\u0301lie", 3]])
    lines = render(result).splitlines()
    # every "|" sits in the same display column, whatever the script
    columns = {width_of(line.split("|")[0]) for line in lines[:1] + lines[2:5]}
    assert len(columns) == 1, lines
    assert width_of("北京") == 4 and width_of("Ame\u0301lie") == 6
    assert clip("北京北京", 5) == "北京…" and width_of(clip("北京北京", 5)) == 5
    assert wrap("one two three four", 9) == ["one two", "three", "four"]


def test_shell_display_cell_width_and_expanded_rows(run: ShellRun) -> None:
    long_text = "word " * 40
    result = Result.table_of(["id", "sentence"], [["a", long_text]])
    narrow = render(result, display=Display(width=20)).splitlines()
    assert narrow[2].endswith("…") and width_of(narrow[2]) == len("a  | ") + 20
    whole = render(result, display=Display(width=0)).splitlines()[2]
    assert whole.endswith("word")
    expanded = render(result, display=Display(expanded=True, columns=60)).splitlines()
    assert expanded[0].startswith("-[ row 1 ]---")
    assert expanded[1] == "id       | a"
    assert all(width_of(line) <= 60 for line in expanded)
    assert " ".join(x.split("| ", 1)[1] for x in expanded[2:-1]) == long_text.strip()
    out, err = run("\\x", QUERY)
    assert err.strip() == "expanded display is on"
    assert out.splitlines()[:3] == [
        "-[ row 1 ]" + "-" * 30,
        "s | country:GBR",
        "-[ row 2 ]" + "-" * 30,
    ]


def test_shell_display_control_characters_are_escaped() -> None:
    result = Result.table_of(["text"], [["bad\x1b[31mred\x07"]])
    assert render(result).splitlines()[2] == "bad\\x1b[31mred\\x07"


class Recorder:
    """Stands in for the worker: records each request and the deadline it came with."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.deadlines: list[float | None] = []

    def start(self) -> None:
        self.real.start()

    def close(self) -> None:
        self.real.close()

    def request(self, message: tuple[Any, ...], deadline: float | None = None) -> Any:
        self.deadlines.append(deadline)
        return self.real.request(message, deadline)


def test_shell_display_every_request_of_a_command_has_the_deadline(store_path: Path) -> None:
    r = ShellRun(store_path, timeout=30.0)
    recorder = Recorder(r.shell.runner)
    r.shell.runner = recorder  # type: ignore[assignment]
    try:
        for line in ("\\describe Bachelet", "\\sources Bachelet", "\\stats", "\\docs"):
            recorder.deadlines.clear()
            r(line)
            assert recorder.deadlines and all(d is not None for d in recorder.deadlines), line
            # one deadline for the whole command: its lookups and queries share it
            assert len(set(recorder.deadlines)) == 1, line
    finally:
        r.shell.close()


def test_shell_display_misspelt_kg_term_warns_and_runs(run: ShellRun) -> None:
    out, err = run("SELECT ?s WHERE { ?s kg:boycott ?o }")
    assert err.strip() == (
        "warning: kg:boycott is not a term of the ontology, so it matches nothing; "
        "did you mean kg:boycotts?"
    )
    assert "(0 rows)" in out  # the query still ran
    _, err = run("PREFIX kg: <http://example.org/> SELECT ?s WHERE { ?s kg:boycott ?o }")
    assert "warning" not in err  # kg: means something else in that query


def test_shell_display_service_is_refused_unless_allowed(run: ShellRun) -> None:
    _, err = run("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert err.startswith("error E079: the query failed (SERVICE sends part of the query")
    assert "--allow-service" in err
    _, err = run(r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert "SERVICE sends part of the query" in err


def test_shell_display_update_without_graph_says_how(tmp_path: Path) -> None:
    path = fill_store(tmp_path / "kg-store")
    before = os.readlink(path / "current")
    r = ShellRun(path, allow_update=True)
    try:
        _, err = r("DELETE WHERE { ?s kg:boycotts ?o }")
        store = open_store(path)
        if hasattr(store, "query_options"):  # the store follows updates without GRAPH
            assert "error" not in err
        else:
            assert "name the graphs, e.g. DELETE WHERE { GRAPH ?g { ?s kg:boycotts ?o } }" in err
            assert os.readlink(path / "current") == before  # nothing published
    finally:
        r.shell.close()


def test_shell_display_iri_like_names_do_not_end_the_shell(run: ShellRun) -> None:
    for name in ("<>", "<a b>", "<", "<<>>"):
        _, err = run(f"\\describe {name}")
        assert err.startswith("error E073: no entity matches"), (name, err)
    out, _ = run("ASK { ?s kg:boycotts ?o }")
    assert out.strip() == "yes"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KB tmpfs (root can mount one; elsewhere the test is skipped)."""
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_shell_display_full_disk_leaves_no_temporary_file(run: ShellRun, full_disk: Path) -> None:
    (full_disk / "keep.txt").write_text("the old content\n")
    _, err = run(f"\\o {full_disk / 'keep.txt'}", "SELECT * WHERE { ?s ?p ?o }")
    assert "error E077: " in err and "No space left on device" in err
    _, err = run(f"\\export nquads {full_disk / 'all.nq'}")
    assert err.startswith("error E077: ") and "No space left on device" in err
    assert sorted(p.name for p in full_disk.iterdir()) == ["keep.txt"]  # no .keep.txt.* left
    assert (full_disk / "keep.txt").read_text() == "the old content\n"
    out, _ = run("ASK { ?s kg:boycotts ?o }")  # and the shell goes on
    assert out.strip() == "yes"


def test_shell_display_export_stopped_leaves_no_temporary_file(
    store_path: Path, tmp_path: Path
) -> None:
    r = ShellRun(store_path, timeout=0.001)  # stopped before the worker has even started
    try:
        _, err = r(f"\\export nquads {tmp_path / 'all.nq'}")
        assert err.startswith("error E071: query stopped after 0.001 s")
        assert list(tmp_path.iterdir()) == []
    finally:
        r.shell.close()


def test_shell_display_unknown_pyoxigraph_term_kinds_still_render() -> None:
    triple = ox.Triple(ox.NamedNode("http://a"), ox.NamedNode("http://b"), ox.Literal("c"))
    text = render(Result(triples=[triple], more=True))
    assert '<http://a> <http://b> "c" .' in text and "the first 1 triples" in text
