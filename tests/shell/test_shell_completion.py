"""Completion as a pure function of the text before the cursor and a data snapshot; and
the snapshot as loaded from a store."""

from pathlib import Path

import pytest
from shell_fixture import distinct_triples, fill_store

from kg.formats import EXPORT, QUERY
from kg.graph.store import open_store
from kg.shell.commands import COMMANDS
from kg.shell.completion import (
    ARGUMENT_KINDS,
    CompletionData,
    EntityName,
    Term,
    load_completion_data,
    suggest,
)

DATA = CompletionData(
    classes=(Term("kg:Person", "person", "A human being."), Term("kg:Country", "country")),
    properties=(
        Term("kg:boycotts", "boycotts", "Refuses to take part in."),
        Term("kg:Person_like", "odd property"),
    ),
    predicates=("skos:prefLabel", "skos:altLabel", "kg:boycotts"),
    entities=(
        EntityName("Michelle Bachelet", "person:Michelle_Bachelet", "Person", "Michelle Bachelet"),
        EntityName(
            "Madame High Commissioner", "person:Michelle_Bachelet", "Person", "Michelle Bachelet"
        ),
        EntityName("Thomas Bach", "person:Thomas_Bach", "Person", "Thomas Bach"),
        EntityName("Bachmann", "person:Bachmann", "Person", "Bachmann"),
        EntityName("Côte d'Ivoire", "country:CIV", "Country", "Côte d'Ivoire"),
    ),
    commands={
        "describe": ("entity", "Everything about an entity"),
        "docs": ("", "The documents"),
        "format": ("format", "Output format"),
    },
    queries=("boycotts", "evidence"),
)


def texts(before: str, data: CompletionData = DATA) -> list[str]:
    return [s.text for s in suggest(before, data)]


def test_shell_completion_entity_name_inserts_prefixed_name() -> None:
    found = suggest("SELECT * WHERE { ?s ?p Bache", DATA)
    assert found[0].text == "person:Michelle_Bachelet"
    assert found[0].display == "Michelle Bachelet"
    assert found[0].start == -len("Bache")
    assert "Person person:Michelle_Bachelet" in found[0].meta


def test_shell_completion_entities_rank_name_start_then_word_start() -> None:
    # "Bach" starts "Bachmann" (the whole name) before it starts a word of "Thomas Bach"
    entity_texts = [t for t in texts("?x ?y Bach") if ":" in t]
    assert entity_texts[:3] == ["person:Bachmann", "person:Thomas_Bach", "person:Michelle_Bachelet"]


def test_shell_completion_entity_by_alias_and_accents() -> None:
    alias = suggest("{ ?s ?p madame", DATA)[0]
    assert alias.text == "person:Michelle_Bachelet"
    assert "alias of Michelle Bachelet" in alias.meta
    assert texts("{ ?s ?p cote") == ["country:CIV"]


def test_shell_completion_keywords_functions_and_prefixes() -> None:
    assert "SELECT" in texts("sel")
    assert "STRSTARTS" in texts("FILTER(strs")
    assert texts("sko") == ["skos:"]


def test_shell_completion_kg_properties_with_label_and_comment() -> None:
    found = suggest("SELECT ?c WHERE { ?c kg:boy", DATA)
    assert [s.text for s in found] == ["kg:boycotts"]
    assert found[0].meta == "boycotts — Refuses to take part in."


def test_shell_completion_after_a_offers_classes_first() -> None:
    assert texts("?x a kg:")[:2] == ["kg:Person", "kg:Country"]
    assert texts("?x kg:")[0] == "kg:boycotts"  # in predicate position, properties first
    assert texts("?x a kg:pers") == ["kg:Person", "kg:Person_like"]


def test_shell_completion_entity_prefix_offers_that_kind_only() -> None:
    # the typed local part matches the start of any word of a name, as without a prefix
    assert texts("?x ?y person:Ba") == [
        "person:Bachmann",
        "person:Thomas_Bach",
        "person:Michelle_Bachelet",
    ]
    assert texts("?x ?y country:") == ["country:CIV"]


def test_shell_completion_variables_of_the_query() -> None:
    before = "SELECT ?actor ?event WHERE {\n  ?actor kg:boycotts ?e"
    assert texts(before) == ["?event"]
    assert texts("SELECT ?a ?b WHERE { ?a ?p ?") == ["?a", "?b", "?p"]


def test_shell_completion_nothing_inside_strings_iris_and_comments() -> None:
    assert texts('FILTER(?l = "Bache') == []
    assert texts("?s ?p <https://w3id.org/kg-news/id/person/Bache") == []
    assert texts("# who boycotts Bache") == []
    assert texts("?s ?p 12") == []
    # ...but after a closed string completion is back
    assert "person:Michelle_Bachelet" in texts('FILTER(?l = "x") ?s ?p Bache')


def test_shell_completion_backslash_commands_and_their_arguments() -> None:
    assert texts("\\d") == ["\\describe", "\\docs"]
    assert texts("\\format c") == ["csv"]
    assert texts("\\describe Bache")[0] == "person:Michelle_Bachelet"
    assert texts("\\describe person:Mi") == ["person:Michelle_Bachelet"]


# the real command table: what \\o, \\load, \\viz and \\export declare is what completes
COMMAND_DATA = CompletionData(commands={c.name: (c.complete, c.summary) for c in COMMANDS.values()})


def test_shell_completion_every_declared_argument_kind_is_handled() -> None:
    kinds = {c.name: c.complete for c in COMMANDS.values()}
    assert {k for k in kinds.values() if k} <= set(ARGUMENT_KINDS)
    assert kinds["o"] == kinds["load"] == kinds["viz"] == "file"


def test_shell_completion_formats_come_from_the_registry() -> None:
    assert texts("\\format ", COMMAND_DATA) == list(QUERY.names)
    assert texts("\\export ", COMMAND_DATA) == list(EXPORT.names)
    assert texts("\\export g", COMMAND_DATA) == ["graphml", "gexf"]
    meta = {s.text: s.meta for s in suggest("\\export ", COMMAND_DATA)}
    assert meta["nquads"] == "N-Quads, one graph per document (RDF dataset, .nq)"
    assert texts("\\format table ", COMMAND_DATA) == []  # one argument only


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "graph data").mkdir()
    (tmp_path / "graph data" / "inner.ttl").write_text("")
    for name in ("graph.ttl", "notes.txt", ".hidden"):
        (tmp_path / name).write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_shell_completion_file_names_for_file_arguments(folder: Path) -> None:
    def files(before: str) -> list[str]:
        return texts(before, COMMAND_DATA)

    # relative to the working folder; folders end with "/", a space is escaped as shlex reads it
    assert files("\\o gr") == ["graph\\ data/", "graph.ttl"]
    assert files("\\o ") == ["graph\\ data/", "graph.ttl", "notes.txt"]  # no hidden files
    assert files("\\o .h") == [".hidden"]
    assert files("\\viz graph\\ d") == ["graph\\ data/"]
    assert files("\\viz graph\\ data/") == ["graph\\ data/inner.ttl"]
    # absolute, and from the home folder (what was typed is kept)
    assert files(f"\\load {folder}/no") == [f"{folder}/notes.txt"]
    assert files("\\load ~/no") == ["~/notes.txt"]
    # \\load takes several paths: each completes; \\export FORMAT FILE: the second does
    assert files("\\load notes.txt gr") == ["graph\\ data/", "graph.ttl"]
    assert files("\\export turtle gr") == ["graph\\ data/", "graph.ttl"]
    # a name typed in full, or a folder that does not exist: nothing to offer
    assert files("\\o notes.txt") == []
    assert files("\\o missing/x") == []
    found = suggest("\\o gr", COMMAND_DATA)
    assert [(s.start, s.display, s.meta) for s in found] == [
        (-2, "graph data/", "folder"),
        (-2, "graph.ttl", "file"),
    ]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_store(tmp_path_factory.mktemp("shell-completion") / "kg-store")


def test_shell_completion_data_loaded_from_the_store(store_path: Path) -> None:
    data = load_completion_data(open_store(store_path))
    classes = {t.name: t for t in data.classes}
    assert classes["kg:Person"].label.lower() == "person" and classes["kg:Person"].comment
    props = {t.name for t in data.properties}
    assert {"kg:boycotts", "kg:sentence", "kg:cameoCode"} <= props
    assert "skos:prefLabel" in data.predicates and "kg:Person" not in props
    for name, insert in [
        ("Michelle Bachelet", "person:Michelle_Bachelet"),
        ("Pat O'Brien", "person:Pat_O%27Brien"),
    ]:  # from the store's name index when it writes one, else queried
        assert (name, insert) in {(h.name, h.entity.insert) for h in data.names().search(name)}
    assert data.documents == 3
    assert data.triples == distinct_triples(store_path)
    assert data.labels["https://w3id.org/kg-news/id/country/USA"] == "United States"
    # the pure function works on the loaded data as on the hand-made one
    assert suggest("?s ?p Bache", data)[0].text == "person:Michelle_Bachelet"
