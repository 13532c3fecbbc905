"""Backslash commands, registered with `@command` in one table; `\\help` is generated
from it, so the help cannot drift from what the commands do.

Each command gets the `Shell` and the rest of its line. Names the user types reach
queries only as bound values (`Shell.select(..., e=...)`), never by string formatting.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.formats import EXPORT, QUERY
from kg.graph.results import Result, short
from kg.resources import queries_folder
from kg.shell.registry import ALIASES, COMMANDS, ShellExit, command, usage
from kg.shell.sparql import read_text, refused

if TYPE_CHECKING:
    from kg.graph.lookup import EntityHit
    from kg.shell.engine import Shell

QUERIES = queries_folder()


def _on_off(value: str, current: bool, name: str) -> bool:
    if not value:
        return not current
    if value.lower() in ("on", "yes", "true", "1"):
        return True
    if value.lower() in ("off", "no", "false", "0"):
        return False
    raise usage(name)


def _split(arg: str) -> list[str]:
    try:
        return shlex.split(arg)
    except ValueError:  # an unbalanced quote, as in O'Brien: words as typed
        return arg.split()


def resolve(shell: Shell, text: str) -> EntityHit:
    """The entity a user means by a name, prefixed name or IRI (the best match)."""
    from kg.graph.lookup import find_entities

    try:
        hits = find_entities(shell.target, text, limit=6)
    except ValueError:  # an IRI-like name that is no IRI: <>, <a b>
        hits = []
    if not hits:
        hits = _forgiving(shell, text)
    if not hits:
        raise KgError("E073", text=text.strip())
    if len(hits) > 1 and hits[0].label.casefold() != text.strip().strip("\"'").casefold():
        others = ", ".join(f"{h.label} ({short(ox.NamedNode(h.iri))})" for h in hits[1:])
        shell.status(f"also matching: {others}")
    return hits[0]


def _forgiving(shell: Shell, text: str) -> list[EntityHit]:
    """Entities the completion index finds for a name the store's lookup does not: accents
    and scripts folded ("lopez obrador"), words in order, one typo ("Guteres")."""
    from kg.graph.lookup import EntityHit, expand

    typed = text.strip().strip("\"'")
    if not typed or typed.startswith("<") or ":" in typed:
        return []
    if not shell.loaded:
        shell.refresh(wait=True)
    hits = []
    for hit in shell.data.names().search(typed, limit=6):
        iri = expand(hit.entity.insert, dict(shell.data.prefixes))
        if iri is not None:
            hits.append(EntityHit(iri, hit.entity.label, hit.entity.kind))
    return hits


def heading(shell: Shell, text: str) -> None:
    """The line above a command's table: part of the result in a table, a status line in
    the other formats (so that json output stays one JSON document)."""
    if shell.fmt == "table" and shell.output_file is None:
        shell.print(text)
    else:
        shell.status(text)


# -- help and settings -------------------------------------------------------------------


@command("help", "[COMMAND]", complete="command", aliases=("?", "h"))
def help_(shell: Shell, arg: str) -> None:
    """List the commands, or show one."""
    names = [ALIASES.get(arg.lstrip("\\"), arg.lstrip("\\"))] if arg else sorted(COMMANDS)
    if arg and names[0] not in COMMANDS:
        raise KgError("E072", command="\\" + arg.lstrip("\\"), hint="")
    rows = [[f"\\{n} {COMMANDS[n].args}".rstrip(), COMMANDS[n].summary] for n in names]
    shell.show(Result.table_of(["command", "what it does"], rows))
    if not arg:
        shell.status(
            "A query runs when it ends with ';' or on an empty line; prefixes are "
            "declared (\\prefixes). Tab completes keywords, prefixed names, variables "
            "and entity names."
        )


@command("q", aliases=("quit", "exit"))
def quit_(shell: Shell, arg: str) -> None:
    """Leave the shell (also Ctrl-D)."""
    raise ShellExit()


@command("timing", "[on|off]", complete="on|off")
def timing(shell: Shell, arg: str) -> None:
    """Print how long each query took."""
    shell.timing = _on_off(arg, shell.timing, "timing")
    shell.status(f"timing is {'on' if shell.timing else 'off'}")


@command("labels", "[on|off]", complete="on|off")
def labels(shell: Shell, arg: str) -> None:
    """Show entities and ontology terms in tables by their labels instead of prefixed names."""
    shell.labels = _on_off(arg, shell.labels, "labels")
    shell.status(f"labels are {'on' if shell.labels else 'off'}")


@command("format", f"[{'|'.join(QUERY.names)}]", complete="format")
def format_(shell: Shell, arg: str) -> None:
    """Set the output format of results, as kg query --format (csv, tsv, json and xml: the
    W3C SPARQL results formats)."""
    if arg:
        shell.fmt = QUERY.get(arg).name
    shell.status(f"output format is {shell.fmt}")


@command("x", "[on|off|auto]", complete="on|off|auto")
def expanded(shell: Shell, arg: str) -> None:
    """Expanded display: one block per row, each value whole (auto: when a table is too
    wide for the terminal)."""
    if not arg:
        value = "off" if shell.expanded == "on" else "on"
    elif arg.lower() in ("on", "off", "auto"):
        value = arg.lower()
    else:
        raise usage("x")
    shell.expanded = value
    shell.status(f"expanded display is {value}")


@command("literals", "[on|off]", complete="on|off")
def literals(shell: Shell, arg: str) -> None:
    """Show literals as Turtle writes them: "chat"@fr, "5"^^xsd:integer, "text"."""
    shell.literals = _on_off(arg, shell.literals, "literals")
    shell.status(f"literals are shown {'typed' if shell.literals else 'plain'}")


# name -> (how to read a value, what it means); \set lists and changes them
SETTINGS: dict[str, tuple[Any, str]] = {
    "width": (int, "a table cell is cut at this many columns (0: never)"),
    "null": (str, "how an unbound value shows"),
    "max_rows": (int, "rows a query or command shows at most (0: all)"),
    "timeout": (float, "seconds before a statement is stopped (0: never)"),
}


@command("set", "[NAME VALUE]", complete="setting")
def set_(shell: Shell, arg: str) -> None:
    """Show the display settings, or change one: width, null, max_rows, timeout."""
    name, _, value = arg.partition(" ")
    if not name:
        rows = [[n, _setting(shell, n), what] for n, (_, what) in SETTINGS.items()]
        shell.show(Result.table_of(["setting", "value", "what it does"], rows))
        return
    if name not in SETTINGS or not value.strip():
        raise usage("set")
    kind = SETTINGS[name][0]
    parsed: Any = value.strip()
    if kind is not str:
        try:
            parsed = kind(parsed)
        except ValueError:
            raise usage("set") from None
        if parsed < 0:
            raise usage("set")
    if name == "timeout":
        shell.timeout = parsed or None
    else:
        setattr(shell, name, parsed)
    shell.status(f"{name} is {_setting(shell, name)}")


def _setting(shell: Shell, name: str) -> str:
    value = getattr(shell, name)
    return "0" if value is None else str(value)


@command("i", "FILE", complete="file")
def include(shell: Shell, arg: str) -> None:
    """Run the queries and commands of FILE (statements end with ';'), as kg shell -f."""
    path = _one_path(arg, "i")
    if path is None:
        raise usage("i")
    if shell.including >= 16:  # a file that includes itself
        raise KgError("E079", reason=f"\\i {path}: files include each other too deep")
    text = read_text(path)
    shell.including += 1
    try:
        if not shell.run_script(text, str(path)) and not shell.interrupted:
            shell.status(f"\\i {path}: some statements failed")
    finally:
        shell.including -= 1


@command("o", "[FILE]", complete="file")
def output(shell: Shell, arg: str) -> None:
    """Write the next result to FILE instead of the screen (no FILE: cancel)."""
    path = _one_path(arg, "o")
    shell.output_file = path
    shell.status(f"the next result goes to {path}" if path else "results go to the screen")


# -- the graph ---------------------------------------------------------------------------


@command("prefixes")
def prefixes(shell: Shell, arg: str) -> None:
    """The declared prefixes: every query may use them without PREFIX lines."""
    shell.show(
        Result.table_of(
            ["prefix", "namespace"], [[f"{p}:", ns] for p, ns in shell.data.prefixes.items()]
        )
    )


_CLASSES = """
SELECT ?class ?label ?comment WHERE { GRAPH graph:ontology {
  ?class a owl:Class . FILTER(isIRI(?class))
  OPTIONAL { ?class rdfs:label ?label } OPTIONAL { ?class rdfs:comment ?comment } } }
ORDER BY ?class
"""
_PROPERTIES = """
SELECT ?property ?label ?domain ?range ?comment WHERE { GRAPH graph:ontology {
  ?property a ?type . VALUES ?type { owl:ObjectProperty owl:DatatypeProperty }
  OPTIONAL { ?property rdfs:label ?label } OPTIONAL { ?property rdfs:comment ?comment }
  OPTIONAL { ?property rdfs:domain ?domain . FILTER(isIRI(?domain)) }
  OPTIONAL { ?property rdfs:range ?range . FILTER(isIRI(?range)) } } }
ORDER BY ?property
"""


@command("classes")
def classes(shell: Shell, arg: str) -> None:
    """The ontology's classes with their labels and comments."""
    shell.show(shell.select(_CLASSES))


@command("properties")
def properties(shell: Shell, arg: str) -> None:
    """The ontology's properties: label, domain, range and comment."""
    shell.show(shell.select(_PROPERTIES))


_DESCRIBE = """
SELECT ?e ?subject ?relation ?object ?document ?sentence WHERE {
  { ?ev rdf:subject ?e } UNION { ?ev rdf:object ?e }
  ?ev a kg:Evidence ; rdf:subject ?subject ; rdf:predicate ?relation ; rdf:object ?object ;
      kg:document ?doc ; kg:sentence ?sentence .
  OPTIONAL { ?doc dcterms:identifier ?document }
} ORDER BY ?document ?relation ?subject ?object
"""
_NAMES = """
SELECT ?e ?kind (GROUP_CONCAT(DISTINCT ?alt; separator=", ") AS ?aliases) WHERE {
  ?e a ?cls . FILTER(STRSTARTS(STR(?cls), STR(kg:)))
  BIND(STRAFTER(STR(?cls), STR(kg:)) AS ?kind)
  OPTIONAL { ?e skos:altLabel ?alt }
} GROUP BY ?e ?kind
"""


@command("describe", "ENTITY", complete="entity", aliases=("d",))
def describe(shell: Shell, arg: str) -> None:
    """Everything known about an entity (name, prefixed name or IRI): each statement with
    its source document and evidence sentence."""
    if not arg:
        raise usage("describe")
    hit = resolve(shell, arg)
    node = ox.NamedNode(hit.iri)
    names = shell.select(_NAMES, e=node)
    kinds = ", ".join(sorted({r[1].value for r in names.rows})) or hit.kind
    aliases = next((r[2].value for r in names.rows if r[2] is not None and r[2].value), "")
    heading(
        shell,
        f"{hit.label}  {short(node)}  ({kinds})" + (f"\nalso called: {aliases}" if aliases else ""),
    )
    result = shell.select(_DESCRIBE, drop=("e",), e=node)
    shell.last = result
    shell.show(result)


_SOURCES = """
SELECT ?e ?document ?title ?date (COUNT(DISTINCT ?ev) AS ?relations) WHERE {
  ?doc kg:mentions ?e ; dcterms:identifier ?document .
  OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc dcterms:date ?date }
  OPTIONAL { ?ev kg:document ?doc . { ?ev rdf:subject ?e } UNION { ?ev rdf:object ?e } }
} GROUP BY ?e ?document ?title ?date ORDER BY DESC(?date) ?document
"""


@command("sources", "ENTITY", complete="entity")
def sources(shell: Shell, arg: str) -> None:
    """The documents that mention an entity, with how many relations each gives it."""
    if not arg:
        raise usage("sources")
    hit = resolve(shell, arg)
    heading(shell, f"{hit.label}  {short(ox.NamedNode(hit.iri))}")
    shell.show(shell.select(_SOURCES, drop=("e",), e=ox.NamedNode(hit.iri)))


_DOCS = """
SELECT ?document ?date ?title (COUNT(DISTINCT ?ev) AS ?relations) WHERE {
  ?doc a kg:Document ; dcterms:identifier ?document .
  OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc dcterms:date ?date }
  OPTIONAL { ?ev kg:document ?doc }
} GROUP BY ?document ?date ?title ORDER BY ?document
"""


@command("docs")
def docs(shell: Shell, arg: str) -> None:
    """The documents in the store: id, date, title, number of relations."""
    shell.show(shell.select(_DOCS))


@command("stats")
def stats(shell: Shell, arg: str) -> None:
    """Documents, entities by class and relations by type."""
    from kg.analysis import SUMMARY_QUERIES

    documents = shell.select(SUMMARY_QUERIES["documents"]).rows[0][0]
    heading(shell, f"triples: {shell.target.triples}  documents: {documents.value}")
    shell.show(shell.select(SUMMARY_QUERIES["entities"]))
    shell.show(shell.select(SUMMARY_QUERIES["relations"]))


# -- saved queries -----------------------------------------------------------------------


def query_names(folder: Path = QUERIES) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in folder.glob("*.rq")))


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# title:"):
            return line.partition(":")[2].strip()
    return ""


@command("queries")
def queries(shell: Shell, arg: str) -> None:
    """The example queries in data/queries/ (run one with \\run NAME)."""
    shell.show(
        Result.table_of(
            ["name", "title"], [[n, _title(QUERIES / f"{n}.rq")] for n in query_names()]
        )
    )


@command("run", "NAME", complete="query")
def run(shell: Shell, arg: str) -> None:
    """Run an example query from data/queries/ by name."""
    if not arg:
        raise usage("run")
    path = QUERIES / f"{arg.removesuffix('.rq')}.rq"
    if arg not in query_names() and not path.is_file():
        raise KgError("E075", name=arg)
    shell.run_sparql(read_text(path))


# -- files -------------------------------------------------------------------------------


def _one_path(arg: str, name: str) -> Path | None:
    """The one file name a command takes (quoted, or with spaces escaped as \\ )."""
    parts = _split(arg)
    if len(parts) > 1:
        raise usage(name)
    return Path(parts[0]).expanduser() if parts else None


@command("export", "FORMAT FILE", complete="export")
def export(shell: Shell, arg: str) -> None:
    """Write the whole store to FILE in any format of kg export (RDF, or a network)."""
    parts = _split(arg)
    if len(parts) != 2:
        raise usage("export")
    fmt = EXPORT.get(parts[0])
    if shell.root is None:
        raise KgError("E034", what="\\export")
    path = Path(parts[1]).expanduser().absolute()
    before = _temporary_files(path)
    try:
        written = shell.request(("export", fmt.name, str(path)))
    except BaseException:
        # A worker killed mid-write (Ctrl-C, --timeout) could not remove its temporary
        # file (kg.files.atomic_file): the shell does, and the target is left as it was.
        for leftover in _temporary_files(path) - before:
            leftover.unlink(missing_ok=True)
        raise
    shell.status(f"wrote {parts[1]} ({written})")


def _temporary_files(path: Path) -> set[Path]:
    try:
        return set(path.parent.glob(f".{glob_escape(path.name)}.*"))
    except OSError:
        return set()


@command("load", "PATHS...", complete="file")
def load(shell: Shell, arg: str) -> None:
    """Extract articles (files or folders) into the store, as kg build does (needs
    --allow-update)."""
    paths = _split(arg)
    if not paths:
        raise usage("load")
    if shell.root is None:
        raise KgError("E034", what="\\load")
    if not shell.allow_update:
        raise refused(
            "\\load writes the store and the shell is read-only; start it with "
            "kg shell --allow-update, or run kg build"
        )
    missing = [p for p in paths if not Path(p).expanduser().exists()]
    if missing:  # nothing to build: publish nothing
        raise KgError("E012", missing[0])
    started = time.perf_counter()
    # kg build in a process of its own: spaCy's memory goes when it ends, Ctrl-C reaches
    # it (it discards the unfinished generation), and a failed build publishes nothing.
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", *paths, "--store", str(shell.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        shell.status(line)
    shell.refresh(reopen=True, wait=True)
    if done.returncode not in (0, 1):  # 1: some inputs had problems, each reported
        raise KgError("E079", reason=f"kg build stopped (exit code {done.returncode})")
    shell.status(f"\\load took {time.perf_counter() - started:.1f} s")


# -- networks ----------------------------------------------------------------------------


def _triples(result: Result | None) -> list[tuple[Any, Any, Any]]:
    if result is None:
        raise KgError("E078", reason="no result yet")
    if result.triples is not None:
        return [(t.subject, t.predicate, t.object) for t in result.triples]
    if len(result.variables) >= 3 and result.rows:
        return [
            (r[0], r[1], r[2])
            for r in result.rows
            if isinstance(r[0], (ox.NamedNode, ox.BlankNode))
            and isinstance(r[1], ox.NamedNode)
            and r[2] is not None
        ]
    raise KgError("E078", reason="the last result has no subject, predicate, object columns")


@command("viz", "[FILE]", complete="file")
def viz(shell: Shell, arg: str) -> None:
    """Draw the last CONSTRUCT result (or SELECT ?s ?p ?o) as a network in an HTML file."""
    from kg.analysis import graph_from_triples
    from kg.viz import write_html

    triples = _triples(shell.last)
    if not triples:
        raise KgError("E078", reason="the last result is empty")
    path = _one_path(arg, "viz") or Path("kg-viz.html")
    graph = graph_from_triples(shell.target, triples)
    write_html(graph, path, title="kg shell")
    shell.status(f"wrote {path} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


@command("path", "A B", complete="entity")
def path(shell: Shell, arg: str) -> None:
    """How two entities are connected: the shortest chains of relations, with evidence."""
    from kg.analysis import relation_graph, shortest_paths

    parts = _split(arg)
    if len(parts) != 2:
        raise usage("path")
    a, b = resolve(shell, parts[0]), resolve(shell, parts[1])
    paths = shortest_paths(relation_graph(shell.target), a.iri, b.iri, limit=5)
    if not paths:
        shell.status(f"no path between {a.label} and {b.label}")
        return
    rows = []
    for number, edges in enumerate(paths, 1):
        for step, edge in enumerate(edges, 1):
            rows.append(
                [
                    f"{number}.{step}",
                    *(
                        edge.get(k)
                        for k in ("subject", "relation", "object", "document", "sentence")
                    ),
                ]
            )
    shell.show(
        Result.table_of(
            ["step", "subject", "relation", "object", "document", "sentence"],
            [[_term(v) for v in row] for row in rows],
        )
    )


def _term(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return ox.NamedNode(value)
    return value
