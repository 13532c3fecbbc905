"""The one format registry (kg/formats.py): every surface that takes a format (the CLI's
options, the shell's commands, its settings file and completion) offers exactly what the
registry says, and every registered format has a working implementation."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import click
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import formats
from kg.cli import cli
from kg.errors import KgError
from kg.formats import EXPORT, EXTRACT, QUERY, RDF, SURFACES, Format, Kind, Surface
from kg.shell.commands import COMMANDS
from kg.shell.completion import CompletionData, suggest
from kg.shell.config import DEFAULTS

# command -> (its format option, the surface it must offer, its default)
CLI = {
    "export": (EXPORT, "turtle"),
    "extract": (EXTRACT, "tsv"),
    "query": (QUERY, "table"),
}


def _format_option(command: str) -> click.Option:
    (option,) = [p for p in cli.commands[command].params if p.name == "fmt"]
    assert isinstance(option, click.Option)
    return option


@pytest.mark.parametrize("command", sorted(CLI))
def test_formats_cli_options_offer_the_registry(command: str) -> None:
    surface, default = CLI[command]
    option = _format_option(command)
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == surface.choices  # names and aliases, nothing else
    assert option.default == default and default in surface.names
    help_text = CliRunner().invoke(cli, [command, "--help"]).output
    assert f"[{'|'.join(surface.names)}]" in " ".join(help_text.split())


def test_formats_every_command_that_takes_a_format_reads_the_registry() -> None:
    taking = sorted(
        name
        for name, command in cli.commands.items()
        if any(p.name == "fmt" for p in command.params)
    )
    assert taking == sorted(CLI)


def test_formats_the_shell_offers_what_kg_query_and_kg_export_offer() -> None:
    assert COMMANDS["format"].args == f"[{'|'.join(QUERY.names)}]"
    assert COMMANDS["export"].complete == "export" and COMMANDS["format"].complete == "format"
    data = CompletionData(commands={c.name: (c.complete, c.summary) for c in COMMANDS.values()})
    assert [s.text for s in suggest("\\format ", data)] == list(QUERY.names)
    assert [s.text for s in suggest("\\export ", data)] == list(EXPORT.names)
    # the settings file's comment names the same formats
    line = next(x for x in DEFAULTS.read_text(encoding="utf-8").splitlines() if "table," in x)
    listed = line.split(":", 1)[1].split("(")[0].replace(" or ", ", ").replace(",", " ").split()
    assert tuple(listed) == QUERY.names


def test_formats_names_and_aliases_mean_one_format_per_surface() -> None:
    for surface in SURFACES:
        assert len(surface.choices) == len(set(surface.choices)), surface
    assert EXPORT.get("json").kind is Kind.NETWORK  # the same name, two surfaces, two formats
    assert QUERY.get("json").kind is Kind.RESULTS
    assert EXPORT.get(" TTL ").name == "turtle" and EXTRACT.get("nq").name == "nquads"
    assert QUERY.get("turtle").name == "table"  # CONSTRUCT results print as Turtle in a table
    with pytest.raises(KgError) as info:
        EXPORT.get("dot")
    assert (info.value.code, info.value.fields) == (
        "E041",
        {"kind": "export", "name": "dot", "known": ", ".join(EXPORT.names)},
    )


def test_formats_register_refuses_a_name_taken_on_a_surface() -> None:
    before = EXPORT.formats
    with pytest.raises(ValueError, match="ttl"):
        formats.register(Format("ttl", Kind.NETWORK, ".ttl", "kg.export:write_gexf"))
    assert EXPORT.formats == before
    # a surface is its kinds: a new kind is on no surface until one lists it
    assert Surface("x", ()).names == ()


def test_formats_each_implementation_loads_and_matches_its_suffix() -> None:
    for fmt in (f for surface in SURFACES for f in surface.formats):
        impl = fmt.load()
        if fmt.kind in RDF.kinds:
            assert isinstance(impl, ox.RdfFormat) and fmt.suffix == f".{impl.file_extension}"
        elif fmt.kind is Kind.RESULTS and fmt.name != "table":
            assert isinstance(impl, ox.QueryResultsFormat)
            assert fmt.suffix == f".{impl.file_extension}"
        else:
            assert callable(impl), fmt
    assert EXPORT.names == (
        "turtle",
        "trig",
        "nquads",
        "ntriples",
        "json-ld",
        "xml",
        "graphml",
        "gexf",
        "json",
    )
    assert EXTRACT.names == ("tsv", "turtle", "trig", "nquads", "ntriples", "json-ld", "xml")
    assert QUERY.names == ("table", "csv", "tsv", "json", "xml")


def test_formats_module_needs_only_the_standard_library() -> None:
    tree = ast.parse(Path(formats.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    outside = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names and name not in ("kg.errors",)
    }
    assert outside == set()
