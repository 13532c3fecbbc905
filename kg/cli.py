"""The one command line: parses arguments and calls library functions, nothing more."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import __version__
from kg.errors import KgError
from kg.settings import DEFAULT_MODEL

STORE = click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Store folder (default: $KG_STORE or ./kg-store).")
MODEL = click.option("--model", default=DEFAULT_MODEL, show_default=True,
                     help="spaCy pipeline: an installed package name or a path.")


def _problem(err: KgError) -> None:
    click.echo(str(err), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """Build an evidence-backed RDF knowledge graph from news articles."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@STORE
@MODEL
@click.option("--fresh", is_flag=True, help="Start from an empty store instead of updating it.")
@click.option("--jobs", "-j", default=1, show_default=True, help="Worker processes for spaCy.")
@click.option("--max-bytes", default=20_000_000, show_default=True,
              help="Skip (with an error) files larger than this.")
def build(paths: tuple[Path, ...], store: Path | None, model: str, fresh: bool, jobs: int,
          max_bytes: int) -> None:
    """Extract PATHS (files or folders) into the graph store.

    Only new or changed documents are processed; the store is replaced atomically,
    so an interrupted build leaves the previous graph intact."""
    from kg.build import build as run

    report = run(paths, store, model=model, fresh=fresh, jobs=jobs, max_bytes=max_bytes,
                 on_problem=_problem)
    click.echo(f"built {len(report.built)} document(s), {len(report.unchanged)} unchanged, "
               f"{len(report.problems)} problem(s); store holds {report.triples} quads")
    if report.relations:
        click.echo("relations: " + ", ".join(f"{r} {n}" for r, n in
                                             sorted(report.relations.items())))
    if report.entities:
        click.echo("entities: " + ", ".join(f"{k} {n}" for k, n in sorted(report.entities.items())))
    if report.problems:
        sys.exit(1)


@cli.command()
@click.argument("doc_ids", nargs=-1, required=True)
@STORE
def remove(doc_ids: tuple[str, ...], store: Path | None) -> None:
    """Drop documents (by id, the file stem) from the store."""
    from kg.build import remove as run

    missing = run(doc_ids, store)
    for doc_id in missing:
        click.echo(f"warning: no document {doc_id!r} in the store", err=True)
    click.echo(f"removed {len(doc_ids) - len(missing)} document(s)")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["tsv", "nquads", "trig", "turtle"]),
              default="tsv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
@MODEL
def extract(paths: tuple[Path, ...], fmt: str, output: Path | None, model: str) -> None:
    """Extract relations from PATHS without a store (TSV: the extraction contract)."""
    from kg.extract import extract_to

    problems = extract_to(paths, fmt, output, model, on_problem=_problem)
    if problems:
        sys.exit(1)


@cli.command()
@click.option("--format", "-f", "fmt", default="turtle", show_default=True,
              type=click.Choice(["turtle", "trig", "nquads", "ntriples", "json-ld", "xml"]))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@STORE
def export(fmt: str, output: Path, store: Path | None) -> None:
    """Write the stored graph to a file (TriG and N-Quads keep one graph per document)."""
    from kg.export import export_file

    count = export_file(store, fmt, output)
    click.echo(f"wrote {output} ({fmt}, {count} statements)")


@cli.command(name="eval")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Gold TSV: doc, subject, relation, object, status.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--pred", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score this prediction TSV instead of extracting PATHS.")
@click.option("--all-docs", is_flag=True,
              help="Also count predictions for documents the gold file does not cover.")
@click.option("--verbose", "-v", is_flag=True, help="List false positives and misses.")
@MODEL
def eval_(gold: Path, paths: tuple[Path, ...], pred: Path | None, all_docs: bool,
          verbose: bool, model: str) -> None:
    """Score extraction of PATHS against a gold file (precision, recall, F1)."""
    from kg.extract import evaluate

    if not paths and pred is None:
        raise click.UsageError("give article PATHS to extract, or --pred FILE")
    result = evaluate(gold, paths, pred, model, all_docs=all_docs, on_problem=_problem)
    click.echo(result.table(verbose))


@cli.command()
@STORE
def validate(store: Path | None) -> None:
    """Check the stored graph against the SHACL shapes in ontology/shapes.ttl."""
    from kg.store import open_store
    from kg.validate import validate as run

    result = run(open_store(store))
    if result.conforms:
        click.echo("conforms: the graph satisfies every shape in ontology/shapes.ttl")
        return
    click.echo(result.report)
    raise KgError("E060", detail=str(result.violations))


@cli.command()
@click.argument("sparql", required=False)
@click.option("--file", "-f", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a file.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
              default="table", show_default=True)
@STORE
def query(sparql: str | None, file: Path | None, fmt: str, store: Path | None) -> None:
    """Run a SPARQL query (argument, --file, or standard input) on the store.

    Standard prefixes (kg:, rdf:, rdfs:, skos:, dcterms:, schema:, prov: ...) are
    declared for you; queries see the union of all document graphs."""
    from kg.results import Result, render, serialize_answer
    from kg.store import open_store

    text = file.read_text(encoding="utf-8") if file else sparql
    if text is None:
        text = sys.stdin.read()
    answer = open_store(store).query(text)
    if fmt == "table":
        click.echo(render(Result.of(answer)))
    else:
        click.echo(serialize_answer(answer, fmt), nl=False)


@cli.command()
@STORE
def stats(store: Path | None) -> None:
    """Documents, entities by class and relations by type in the store."""
    from kg.export import summary

    click.echo(summary(store))


def main() -> None:
    try:
        cli(standalone_mode=False)
    except KgError as err:
        click.echo(str(err), err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)


