"""The one command line: parses arguments and calls library functions, nothing more."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kg import __version__
from kg.errors import KgError, Notice
from kg.formats import EXPORT, EXTRACT, QUERY, Surface
from kg.settings import DEFAULT_MODEL

STORE = click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Store folder (default: $KG_STORE or ./kg-store).",
)
MODEL = click.option(
    "--model",
    default=DEFAULT_MODEL,
    show_default=True,
    help="spaCy pipeline: an installed package name or a path.",
)


def format_option(surface: Surface, default: str, *flags: str) -> Callable[[Any], Any]:
    """--format with the choices of a `kg.formats` surface (names and aliases; the help
    shows the names, grouped by what they are)."""
    kinds: dict[str, list[str]] = {}
    for fmt in surface.formats:
        kinds.setdefault(fmt.kind.value, []).append(fmt.name)
    aliases = [a for fmt in surface.formats for a in fmt.aliases]
    return click.option(
        *flags,
        "fmt",
        type=click.Choice(surface.choices, case_sensitive=False),
        default=default,
        show_default=True,
        metavar=f"[{'|'.join(surface.names)}]",
        help="; ".join(f"{kind}: {', '.join(names)}" for kind, names in kinds.items())
        + (f" (also: {', '.join(aliases)})." if aliases else "."),
    )


def _notify(notice: Notice) -> None:
    """The CLI's end of `kg.errors.Sink`: every problem and warning, one line on stderr."""
    click.echo(str(notice), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """Build an evidence-backed RDF knowledge graph from news articles."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@STORE
@MODEL
@click.option("--fresh", is_flag=True, help="Start from an empty store instead of updating it.")
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes for the extraction, every stage up to the relations "
    "(a progress bar shows on a terminal).",
)
@click.option(
    "--cluster",
    metavar="ADDRESS|local:N",
    default=None,
    help="Extract on a Dask cluster: a running scheduler's address (tcp://host:8786), or "
    "local:N to start N worker processes here. Each worker loads the model once.",
)
@click.option(
    "--chunk-size",
    default=16,
    show_default=True,
    type=click.IntRange(min=1),
    help="Documents per cluster task (a lost worker costs its chunks, which are retried).",
)
@click.option(
    "--checkpoint",
    metavar="MINUTES",
    default=0.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Publish what is built every MINUTES (0: once, at the end): an interrupted run then "
    "keeps it, and a re-run extracts only the rest.",
)
@click.option(
    "--max-bytes",
    default=20_000_000,
    show_default=True,
    help="Skip (with an error) files larger than this.",
)
@click.option(
    "--max-chars",
    default=100_000,
    show_default=True,
    help="Skip (with an error) documents longer than this many characters.",
)
def build(
    paths: tuple[Path, ...],
    store: Path | None,
    model: str,
    fresh: bool,
    jobs: int,
    cluster: str | None,
    chunk_size: int,
    checkpoint: float,
    max_bytes: int,
    max_chars: int,
) -> None:
    """Extract PATHS (files, folders or quoted glob patterns) into the graph store.

    Only new or changed documents are processed; the store is replaced atomically,
    so an interrupted build leaves the previous graph intact."""
    from kg.build import BuildInterrupted
    from kg.build import build as run
    from kg.cluster import parse_cluster

    if cluster is not None and jobs > 1:
        raise click.UsageError("give --jobs or --cluster, not both (a cluster has its workers)")
    try:
        report = run(
            paths,
            store,
            model=model,
            fresh=fresh,
            jobs=jobs,
            max_bytes=max_bytes,
            max_chars=max_chars,
            on_notice=_notify,
            progress=sys.stderr.isatty(),
            cluster=parse_cluster(cluster) if cluster is not None else None,
            chunk_size=chunk_size,
            checkpoint=checkpoint,
        )
    except BuildInterrupted as stop:
        click.echo(_interrupted(stop), err=True)
        sys.exit(130)
    click.echo(report.summary())
    if report.relations:
        click.echo(
            "relations: " + ", ".join(f"{r} {n}" for r, n in sorted(report.relations.items()))
        )
    if report.entities:
        click.echo("entities: " + ", ".join(f"{k} {n}" for k, n in sorted(report.entities.items())))
    if report.problems:
        sys.exit(1)


def _interrupted(stop: Any) -> str:
    """What an interrupted build left in the store, truthfully (a `BuildInterrupted`)."""
    built, early = len(stop.report.built), stop.checkpointed
    if stop.published:
        return (
            "interrupted after the new graph was published: the store holds the "
            f"{built} document(s) this build extracted"
        )
    if early:
        return (
            f"interrupted: the store holds the {early} document(s) published at this build's "
            "last checkpoint, not what was extracted since (run the build again to finish)"
        )
    return (
        "interrupted: nothing was published; the store holds the graph it held before "
        "(run the build again to finish)"
    )


@cli.command()
@click.argument("doc_ids", nargs=-1, required=True)
@STORE
def remove(doc_ids: tuple[str, ...], store: Path | None) -> None:
    """Drop documents (by id, the file stem) from the store."""
    from kg.build import remove as run

    missing = run(doc_ids, store, on_notice=_notify)
    click.echo(f"removed {len(doc_ids) - len(missing)} document(s)")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option(EXTRACT, "tsv", "--format", "-f")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here instead of standard output.",
)
@MODEL
def extract(paths: tuple[Path, ...], fmt: str, output: Path | None, model: str) -> None:
    """Extract relations from PATHS without a store (TSV: the extraction contract)."""
    from kg.build import extract_to

    report = extract_to(paths, fmt, output, model, on_notice=_notify)
    if report.problems:
        sys.exit(1)


@cli.command()
@format_option(EXPORT, "turtle", "--format", "-f")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@STORE
def export(fmt: str, output: Path, store: Path | None) -> None:
    """Write the stored graph to a file (TriG and N-Quads keep one graph per document).

    graphml, gexf and json (node-link, for D3) write the network of entities and relations
    for Gephi, Cytoscape or D3: one edge per evidence, with class, label, relation,
    document and sentence as attributes."""
    from kg.export import export_file

    click.echo(f"wrote {output} ({export_file(store, fmt, output)})")


@cli.command(name="eval")
@click.option(
    "--gold",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Gold TSV: doc, subject, relation, object, status.",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--pred",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score this prediction TSV instead of extracting PATHS.",
)
@click.option(
    "--all-docs",
    is_flag=True,
    help="Also count predictions for documents the gold file does not cover.",
)
@click.option("--verbose", "-v", is_flag=True, help="List false positives and misses.")
@MODEL
def eval_(
    gold: Path,
    paths: tuple[Path, ...],
    pred: Path | None,
    all_docs: bool,
    verbose: bool,
    model: str,
) -> None:
    """Score extraction of PATHS against a gold file (precision, recall, F1).

    Exits with 1 when an input could not be read (it is reported, the rest is scored)."""
    from kg.evaluate import evaluate

    if not paths and pred is None:
        raise click.UsageError("give article PATHS to extract, or --pred FILE")
    result = evaluate(gold, paths, pred, model, all_docs=all_docs, on_notice=_notify)
    click.echo(result.table(verbose))
    if result.problems:
        sys.exit(1)


@cli.command()
@STORE
def validate(store: Path | None) -> None:
    """Check the stored graph against the SHACL shapes in ontology/shapes.ttl."""
    from kg.graph.store import open_store
    from kg.graph.validate import validate as run

    result = run(open_store(store))
    if result.conforms:
        click.echo("conforms: the graph satisfies every shape in ontology/shapes.ttl")
        return
    click.echo(result.report)
    raise KgError("E060", violations=result.violations)


TIMEOUT = click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Stop a query that runs longer than this; with --endpoint, the whole request "
    "(default: never, or the shell's setting).",
)
ALLOW_SERVICE = click.option(
    "--allow-service",
    is_flag=True,
    help="Let SERVICE clauses send parts of a query to other servers (refused otherwise).",
)
ENDPOINT = click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Query this SPARQL 1.1 endpoint instead of the store (credentials: "
    "KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD or ~/.netrc).",
)


@cli.command()
@click.argument("sparql", required=False)
@click.option(
    "--file",
    "-f",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a file.",
)
@format_option(QUERY, "table", "--format")
@STORE
@ENDPOINT
@TIMEOUT
@ALLOW_SERVICE
def query(
    sparql: str | None,
    file: Path | None,
    fmt: str,
    store: Path | None,
    endpoint: str | None,
    timeout: float | None,
    allow_service: bool,
) -> None:
    """Run a SPARQL query (argument, --file, or standard input) on the store.

    Standard prefixes (kg:, rdf:, rdfs:, skos:, dcterms:, schema:, prov: ...) are
    declared for you; queries see the union of all document graphs. The answer is
    written as it is read; Ctrl-C stops it (exit 130)."""
    from kg.shell.query import run_query
    from kg.shell.sparql import read_text

    if file is not None:
        text = read_text(file)
    elif sparql is not None:
        text = sparql
    else:
        text = read_text("<stdin>", sys.stdin.buffer.read())
    run_query(
        text,
        QUERY.get(fmt).name,
        sys.stdout.buffer,
        store_path=store,
        endpoint=endpoint,
        timeout=timeout,
        allow_service=allow_service,
        warn=lambda line: click.echo(line, err=True),
    )


@cli.command()
@STORE
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many central actors and groups to list.",
)
@click.option(
    "--relation",
    "-r",
    "relations",
    multiple=True,
    help="Analyse only these relations (repeatable), e.g. -r boycotts.",
)
def stats(store: Path | None, top: int, relations: tuple[str, ...]) -> None:
    """Documents, entities by class, relations by type, the most central actors
    (degree, betweenness) and the connected groups of actors."""
    from kg.analysis import summary

    click.echo(summary(store, top=top, relations=relations, width=_width()))


@cli.command()
@click.option(
    "--endpoint",
    metavar="URL",
    required=True,
    help="The server's SPARQL query endpoint (used by --prune; also the Graph "
    "Store URL unless --gsp is given).",
)
@click.option(
    "--gsp",
    metavar="URL",
    default=None,
    help="Graph Store Protocol URL, e.g. Virtuoso's .../sparql-graph-crud-auth.",
)
@STORE
@click.option(
    "--batch-size",
    default=20_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="At most this many triples per request; larger graphs are sent in parts.",
)
@click.option(
    "--prune", is_flag=True, help="Also delete the server's kg graphs that the store no longer has."
)
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for each network step.",
)
@click.option(
    "--tries",
    default=4,
    show_default=True,
    type=click.IntRange(min=1),
    help="Attempts per request on transient errors (back-off 0.5 s, doubling).",
)
@click.option(
    "--bulk",
    is_flag=True,
    help="Load with Virtuoso's bulk loader (ld_dir, rdf_loader_run) through isql instead of "
    "the Graph Store Protocol: for large graphs. Needs --load-dir.",
)
@click.option(
    "--load-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --bulk: a folder the server may read (DirsAllowed in virtuoso.ini) where the "
    "N-Quads file is written for the loader, and removed after.",
)
@click.option(
    "--server-dir",
    metavar="PATH",
    default=None,
    help="With --bulk: the --load-dir folder as the server sees it, if its path differs "
    "there (a shared folder mounted elsewhere).",
)
@click.option(
    "--isql",
    "isql_address",
    metavar="HOST:PORT",
    default=None,
    help="With --bulk: Virtuoso's SQL port (default: the endpoint's host, port 1111).",
)
@click.option(
    "--isql-program",
    metavar="PATH",
    default=None,
    help="With --bulk: the isql program (default: isql-vt, isql-v or isql on PATH).",
)
def push(
    endpoint: str,
    gsp: str | None,
    store: Path | None,
    batch_size: int,
    prune: bool,
    timeout: float,
    tries: int,
    bulk: bool,
    load_dir: Path | None,
    server_dir: str | None,
    isql_address: str | None,
    isql_program: str | None,
) -> None:
    """Send every named graph of the store to a SPARQL server (Graph Store Protocol).

    Each graph is replaced, so an interrupted push is finished by running it again.
    With --bulk, Virtuoso's bulk loader loads the store as one N-Quads file (each graph
    replaced too). Credentials: KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD, or ~/.netrc;
    never options."""
    from kg.graph.remote import RemoteStore, Retry
    from kg.graph.remote import push as run
    from kg.graph.store import open_store

    if bulk:
        if load_dir is None:
            raise click.UsageError("--bulk needs --load-dir (a folder the server may read)")
        if prune:
            raise click.UsageError("--prune works with the Graph Store Protocol push, not --bulk")
        _push_bulk(endpoint, store, load_dir, server_dir, isql_address, isql_program, timeout)
        return
    tty = sys.stderr.isatty()

    def progress(number: int, total: int, graph: str, triples: int) -> None:
        line = f"push: {number}/{total} {graph.rsplit('/', 1)[-1]} ({triples} triples)"
        click.echo(("\r" + line.ljust(79)) if tty else line, err=True, nl=not tty)

    graph_store = open_store(store)
    with RemoteStore(
        endpoint, gsp_url=gsp or endpoint, retry=Retry(tries=tries, timeout=timeout)
    ) as remote:
        report = run(graph_store, remote, batch_size=batch_size, prune=prune, progress=progress)
    if tty:
        click.echo(err=True)
    rate = report.triples / report.seconds if report.seconds else 0.0
    click.echo(
        f"pushed {report.graphs} graph(s), {report.triples} triples in "
        f"{report.requests} request(s), {report.seconds:.1f} s ({rate:,.0f} triples/s)"
        + (f"; removed {report.removed} stale graph(s)" if prune else "")
    )


def _push_bulk(
    endpoint: str,
    store: Path | None,
    load_dir: Path,
    server_dir: str | None,
    isql_address: str | None,
    isql_program: str | None,
    timeout: float,
) -> None:
    from urllib.parse import urlsplit

    from kg.graph.bulk import Isql, bulk_load
    from kg.graph.remote import KG_GRAPHS, RemoteStore, Retry, credentials
    from kg.graph.store import open_store

    graph_store = open_store(store)
    user, password = credentials(endpoint) or ("", "")
    address = isql_address or f"{urlsplit(endpoint).hostname or '127.0.0.1'}:1111"
    isql = Isql(address, user, password, program=isql_program)
    click.echo(f"bulk: {len(graph_store)} quads to {address} through {load_dir}", err=True)
    with RemoteStore(endpoint, retry=Retry(tries=2, timeout=timeout)) as remote:
        report = bulk_load(graph_store, remote, isql, load_dir, KG_GRAPHS, server_dir)
    rate = report.quads / report.seconds if report.seconds else 0.0
    click.echo(
        f"bulk-loaded {report.quads} quads in {report.graphs} graph(s) "
        f"(the store has {report.store_quads}); {report.seconds:.1f} s "
        f"(export {report.export_seconds:.1f} s, load {report.load_seconds:.1f} s; "
        f"{rate:,.0f} quads/s)"
        + (f"; replaced {report.cleared} graph(s)" if report.cleared else "")
    )


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("graph.html"),
    show_default=True,
)
@click.option("--around", metavar="NAME", help="Only the network around this entity.")
@click.option(
    "--depth", default=1, show_default=True, type=click.IntRange(min=1), help="Hops from --around."
)
@click.option(
    "--relation",
    "-r",
    "relations",
    multiple=True,
    help="Only these relations (repeatable), e.g. -r boycotts -r condemns.",
)
@click.option("--doc", "docs", multiple=True, help="Only what these documents say (repeatable).")
@click.option(
    "--query",
    "query_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Draw the result of this query: a CONSTRUCT, or a SELECT of ?s ?p ?o.",
)
@click.option("--title", default=None, help="Page title (default: describes the selection).")
@STORE
def viz(
    output: Path,
    around: str | None,
    depth: int,
    relations: tuple[str, ...],
    docs: tuple[str, ...],
    query_file: Path | None,
    title: str | None,
    store: Path | None,
) -> None:
    """Draw the graph as one self-contained HTML page (works offline): nodes coloured by
    class, edges by cooperation or conflict, the evidence sentence on hover."""
    from kg.analysis import select
    from kg.graph.store import open_store
    from kg.viz import write_html

    sparql = query_file.read_text(encoding="utf-8") if query_file else None
    graph, described = select(
        open_store(store), around=around, depth=depth, relations=relations, docs=docs, query=sparql
    )
    write_html(graph, output, title=title or described)
    click.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--limit",
    default=5,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many chains to show, shortest first.",
)
@click.option(
    "--relation", "-r", "relations", multiple=True, help="Follow only these relations (repeatable)."
)
@STORE
def path(a: str, b: str, limit: int, relations: tuple[str, ...], store: Path | None) -> None:
    """The shortest distinct chains of relations between entities A and B (names, aliases
    or prefixed names; an exact name or alias wins), each edge with the document and
    sentence that say it, after a one-line summary."""
    from kg.analysis import path_report
    from kg.graph.store import open_store

    click.echo(
        path_report(open_store(store), a, b, limit=limit, relations=relations, width=_width())
    )


def _width() -> int:
    """Columns to wrap long output at: the terminal's (or $COLUMNS), within 60..160."""
    import shutil

    return max(60, min(160, shutil.get_terminal_size((100, 24)).columns))


@cli.command()
@STORE
@ENDPOINT
@click.option(
    "--allow-update",
    is_flag=True,
    help="Accept SPARQL UPDATE and \\load (each writes a new store generation).",
)
@ALLOW_SERVICE
@TIMEOUT
@click.option(
    "-e",
    "--execute",
    "commands",
    multiple=True,
    metavar="COMMAND",
    help="Run this query or backslash command and exit (repeatable), like psql -c.",
)
@click.option(
    "--file",
    "-f",
    "script",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Run the queries and commands of this file and exit (statements end with ';'). "
    "Piped standard input runs the same way.",
)
def shell(
    store: Path | None,
    endpoint: str | None,
    allow_update: bool,
    allow_service: bool,
    timeout: float | None,
    commands: tuple[str, ...],
    script: Path | None,
) -> None:
    """Interactive SPARQL shell: completion of keywords, prefixes, ontology terms and
    entity names, backslash commands (\\help), results as tables.

    With -e, -f or piped input it runs without the full-screen interface: results on
    standard output, timings and messages on standard error; exit code 1 if any failed."""
    from kg.shell.config import load_config
    from kg.shell.engine import Shell, open_target_soon

    scripted = bool(commands) or script is not None or not sys.stdin.isatty()
    opened = open_target_soon(store, endpoint)
    if not scripted:
        from kg.shell.app import run  # imported while the store opens

    kg_shell = Shell(
        opened(),
        load_config(),
        allow_update=allow_update,
        allow_service=allow_service,
        timeout=timeout,
    )
    if not scripted:
        run(kg_shell)
        return
    from kg.shell.sparql import read_text

    try:
        if commands:
            ok = kg_shell.run_all(commands)
        elif script is not None:
            ok = kg_shell.run_script(read_text(script), str(script))
        else:
            ok = kg_shell.run_script(read_text("<stdin>", sys.stdin.buffer.read()))
    finally:
        kg_shell.close()
    sys.exit(0 if ok else 1)


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
