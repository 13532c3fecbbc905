"""Every backslash command, run through `Shell.execute` on a small hand-made store."""

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdf_fixture import LETTER_DOC, OLYMPICS_DOC
from rdflib import Graph, URIRef
from shell_fixture import ShellRun, distinct_triples, fill_store

from kg.errors import KgError
from kg.formats import EXPORT, QUERY
from kg.graph.store import open_store
from kg.graph.vocab import ENT, KG
from kg.shell.commands import COMMANDS, resolve
from kg.shell.config import Config
from kg.shell.engine import Shell, ShellExit
from kg.shell.registry import run_command

BACHELET = "person:Michelle_Bachelet"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_store(tmp_path_factory.mktemp("shell-commands") / "kg-store")


class Run(ShellRun):
    def __init__(self, store_path: Path, **kwargs: object) -> None:
        super().__init__(store_path, refresh=True, **kwargs)


@pytest.fixture
def run(store_path: Path) -> Iterator[Run]:
    r = Run(store_path)
    yield r
    r.shell.close()


def test_shell_help_lists_every_command_from_the_table(run: Run) -> None:
    out, err = run("\\help")
    assert err.startswith("A query runs when it ends with ';'")  # a note, on stderr
    for name, cmd in COMMANDS.items():
        assert f"\\{name} {cmd.args}".rstrip() in out
    one, _ = run("\\help describe")
    assert "\\describe ENTITY" in one and "\\docs" not in one


def test_shell_unknown_command_suggests_the_nearest(run: Run) -> None:
    _, err = run("\\descibe Bachelet")
    assert err.strip() == (
        "error E072: unknown command \\descibe (did you mean \\describe?); "
        "\\help lists the commands"
    )
    with pytest.raises(KgError) as info:
        run_command(run.shell, "\\descibe Bachelet")
    assert info.value.fields == {"command": "\\descibe", "hint": " (did you mean \\describe?)"}
    with pytest.raises(KgError) as info:
        run_command(run.shell, "\\help zzz")
    assert (info.value.code, info.value.fields) == ("E072", {"command": "\\zzz", "hint": ""})


def test_shell_prefixes_classes_properties(run: Run) -> None:
    out, _ = run("\\prefixes")
    assert re.search(r"^skos: +\| http://www\.w3\.org/2004/02/skos/core#$", out, re.M)
    out, _ = run("\\classes")
    assert "kg:Evidence" in out and "kg:Person" in out
    out, _ = run("\\properties")
    line = next(x for x in out.splitlines() if x.startswith("kg:boycotts "))
    assert "| kg:Event " in line and "boycott" in line  # range and comment (kg.ttl)


def test_shell_describe_gives_statements_with_document_and_sentence(run: Run) -> None:
    out, err = run("\\describe Bachelet")
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"Michelle Bachelet  {BACHELET}  (Person)")
    represents = next(x for x in lines if "kg:represents" in x)
    assert represents.startswith(BACHELET) and LETTER_DOC in represents
    assert "Michelle Bachelet, the UN High Commissioner" in represents
    urges = next(x for x in lines if "kg:urges" in x)  # she is also the object of a relation
    assert urges.startswith("country:CHN")
    assert "(2 rows)" in out
    # by prefixed name and by full IRI: the same entity
    assert run(f"\\describe {BACHELET}")[0].splitlines()[0] == lines[0]
    assert run(f"\\describe <{ENT['person/Michelle_Bachelet']}>")[0].splitlines()[0] == lines[0]


def test_shell_names_are_bound_never_pasted(run: Run, store_path: Path) -> None:
    before = len(open_store(store_path))
    out, err = run('\\describe "O\'Brien"')
    assert err == "" and out.startswith("Pat O'Brien  person:Pat_O%27Brien")
    _, err = run('\\describe "} DROP ALL ; SELECT * {"', '\\sources x" } UNION { ?s ?p ?o')
    assert err.count("error E073") == 2
    assert len(open_store(store_path)) == before
    with pytest.raises(KgError) as info:
        resolve(run.shell, ' "} DROP ALL ; SELECT * {" ')
    assert (info.value.code, info.value.fields) == ("E073", {"text": '"} DROP ALL ; SELECT * {"'})


def test_shell_sources_and_docs(run: Run) -> None:
    out, _ = run("\\sources Beijing 2022 Winter Olympics")
    assert OLYMPICS_DOC in out and LETTER_DOC not in out
    out, _ = run("\\docs")
    assert OLYMPICS_DOC in out and LETTER_DOC in out and "(2 rows)" in out


def test_shell_queries_and_run(run: Run) -> None:
    out, _ = run("\\queries")
    assert "boycotts" in out and "Who boycotts what" in out
    out, err = run("\\run boycotts")
    assert err == "" and "United States" in out and OLYMPICS_DOC in out
    _, err = run("\\run nope")
    assert "error E075" in err
    with pytest.raises(KgError) as info:
        run_command(run.shell, "\\run nope")
    assert (info.value.code, info.value.fields) == ("E075", {"name": "nope"})


def test_shell_format_timing_labels(run: Run) -> None:
    query = "SELECT ?s ?o WHERE { ?s kg:boycotts ?o } ORDER BY ?s"
    out, _ = run("\\format csv", query)
    rows = list(csv.reader(io.StringIO(out)))  # results alone on stdout
    assert rows[0] == ["s", "o"]
    assert rows[1] == [str(ENT["country/GBR"]), str(ENT["event/Beijing_2022_Winter_Olympics"])]
    out, _ = run("\\format json", query)
    body = json.loads(out)
    assert body["head"]["vars"] == ["s", "o"] and len(body["results"]["bindings"]) == 2
    out, _ = run("\\format table", "\\labels on", query)
    assert "United Kingdom | Beijing 2022 Winter Olympics" in out
    out, err = run("\\labels off", "\\timing on", query)
    assert "country:GBR | event:Beijing_2022_Winter_Olympics" in out
    assert err.rstrip().splitlines()[-1].startswith("time ")  # status lines on stderr
    assert "time " not in out
    _, err = run("\\format xls")
    assert err.startswith("error E041: unknown result format 'xls'; the formats are table, csv")
    with pytest.raises(KgError) as info:
        run_command(run.shell, "\\format xls")
    assert info.value.fields == {"kind": "result", "name": "xls", "known": ", ".join(QUERY.names)}


def test_shell_format_takes_what_kg_query_takes(run: Run) -> None:
    assert COMMANDS["format"].args == f"[{'|'.join(QUERY.names)}]"
    for name in QUERY.choices:  # every name and alias of the registry, and nothing else
        out, err = run(f"\\format {name}")
        assert out == "" and err.strip() == f"output format is {QUERY.get(name).name}"
    out, _ = run("\\format xml", "SELECT ?s WHERE { ?s kg:boycotts ?o }")
    assert "<sparql xmlns=" in out


def test_shell_o_writes_the_next_result_only(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "out" / "boycotts.tsv"
    out, err = run(f"\\o {target}", "\\format tsv", "SELECT ?s WHERE { ?s kg:boycotts ?o }")
    assert f"wrote {target}" in err and out == ""
    lines = target.read_text().splitlines()
    assert lines[0] == "?s" and sorted(lines[1:]) == [
        f"<{ENT['country/GBR']}>",
        f"<{ENT['country/USA']}>",
    ]
    out, _ = run("SELECT ?s WHERE { ?s kg:boycotts ?o }")
    assert f"<{ENT['country/USA']}>" in out  # the screen again
    assert target.stat().st_mode & 0o777 == 0o644  # as every file kg writes (kg.files)


def test_shell_o_takes_a_quoted_or_escaped_name(run: Run, tmp_path: Path) -> None:
    quoted, escaped = tmp_path / "my result.txt", tmp_path / "my other.txt"
    run(f"\\o '{quoted}'", "ASK { ?s kg:boycotts ?o }")
    run(f"\\o {str(escaped).replace(' ', chr(92) + ' ')}", "ASK { ?s kg:boycotts ?o }")
    assert quoted.read_text() == escaped.read_text() == "yes\n"
    _, err = run(f"\\o {tmp_path}/a b")
    assert err.startswith("error E074: usage: \\o [FILE]")


def test_shell_construct_is_turtle_and_ask_is_yes_no(run: Run) -> None:
    out, _ = run("CONSTRUCT { ?s kg:boycotts ?o } WHERE { ?s kg:boycotts ?o }")
    graph = Graph().parse(data=out, format="turtle")
    assert len(graph) == 2 and (URIRef(ENT["country/USA"]), KG.boycotts, None) in graph
    out, _ = run("ASK { ?s kg:boycotts ?o }", "ASK { ?s kg:boycotts ?s }")
    assert out.split() == ["yes", "no"]


def test_shell_export_stats_and_quit(run: Run, tmp_path: Path, store_path: Path) -> None:
    target = tmp_path / "all.nt"
    out, err = run(f"\\export ntriples {target}")
    assert (
        out == "" and f"wrote {target} (ntriples, {len(open_store(store_path))} statements)" in err
    )
    assert len(Graph().parse(target, format="nt")) > 100
    out, _ = run("\\stats")
    assert f"triples: {distinct_triples(store_path)}  documents: 3" in out
    assert "boycotts     | 2" in out
    with pytest.raises(ShellExit):
        run("\\q")


def test_shell_export_takes_every_kg_export_format(run: Run, tmp_path: Path) -> None:
    for name in EXPORT.choices:  # every name and alias of the registry
        fmt = EXPORT.get(name)
        target = tmp_path / f"{name}{fmt.suffix}"
        out, err = run(f"\\export {name} {target}")
        assert out == "" and err.startswith(f"wrote {target} ({fmt.name}, "), (name, err)
        assert target.stat().st_size > 100 and target.stat().st_mode & 0o777 == 0o644
    assert "<graphml" in (tmp_path / "graphml.graphml").read_text()
    _, err = run(f"\\export xls {tmp_path / 'x.xls'}")
    assert err.startswith("error E041: unknown export format 'xls'; the formats are turtle, ")
    assert not (tmp_path / "x.xls").exists()
    _, err = run("\\export turtle")
    assert err.startswith("error E074: usage: \\export FORMAT FILE")


class _Endpoint:
    """Stands for a SPARQL endpoint: it answers queries but is no embedded store."""

    def query(self, sparql: str, substitutions: object = None) -> object:
        raise KgError("E090", "http://example.org/sparql", reason="not reachable in a test")


def test_shell_file_commands_need_an_embedded_store(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    shell = Shell(_Endpoint(), Config(timing=False), out=out, err=err)
    try:
        for line in (f"\\export turtle {tmp_path / 'x.ttl'}", f"\\load {tmp_path}"):
            with pytest.raises(KgError) as info:
                run_command(shell, line)
            assert (info.value.code, info.value.fields) == ("E034", {"what": line.split()[0]})
        assert str(info.value) == (
            "error E034: \\load works on an embedded store (--store), not on a SPARQL endpoint"
        )
    finally:
        shell.close()


def test_shell_viz_and_path(run: Run, tmp_path: Path) -> None:
    _, err = run("\\viz")
    assert "error E078" in err  # nothing to draw yet
    with pytest.raises(KgError) as info:
        run_command(run.shell, "\\viz")
    assert info.value.fields == {"reason": "no result yet"}
    target = tmp_path / "v.html"
    run(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . ?p a owl:ObjectProperty . "
        "FILTER(?p != kg:mentions) }"
    )
    out, err = run(f"\\viz {target}")
    assert out == "" and f"wrote {target}" in err
    assert "Michelle Bachelet" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o644
    out, err = run('\\path Bachelet "World Uyghur Congress"')
    assert err == ""
    first = [x for x in out.splitlines() if x.startswith("1.")]
    assert len(first) == 2  # Bachelet <-urges- China <-accuses- World Uyghur Congress
    assert "Rights groups such as the World Uyghur Congress" in first[1]


def test_shell_load_builds_and_refreshes_completion(tmp_path: Path) -> None:
    spacy_before = "spacy" in sys.modules  # another test of the run may have imported it
    store = fill_store(tmp_path / "kg-store")
    article = tmp_path / "talks.txt"
    article.write_text("Leaders hold talks\n\nEmmanuel Macron met Olaf Scholz in Berlin.\n")
    read_only = Run(store)
    try:  # a read-only shell refuses, and publishes nothing
        before = (store / "current").readlink()
        _, err = read_only(f"\\load {article}")
        assert "\\load writes the store and the shell is read-only" in err
        assert (store / "current").readlink() == before
    finally:
        read_only.shell.close()
    r = Run(store, allow_update=True)
    try:
        _, err = r(f"\\load {tmp_path / 'missing.txt'}")  # nothing to build: nothing published
        assert err.startswith("error E012: ") and (store / "current").readlink() == before
        out, err = r(f"\\load {article}")
        assert out == "" and "built 1 document(s)" in err
        assert "Olaf Scholz" in {h.name for h in r.shell.data.names().search("Olaf Scholz")}
        out, _ = r("SELECT ?b WHERE { person:Emmanuel_Macron kg:metWith ?b }")
        assert "person:Olaf_Scholz" in out
    finally:
        r.shell.close()
    assert spacy_before or "spacy" not in sys.modules  # \load builds in a process of its own
