"""The one module that touches the store's files: an Oxigraph store with atomic generations.

Layout of a store folder::

    kg-store/
      kg-store.txt              # says the folder is a kg store: kg writes only into such a folder
      lock                      # held (flock) by the one process that writes
      current -> gen-000003     # symlink, replaced atomically (os.replace)
      gen-000003/               # an Oxigraph (RocksDB) database, and beside its files:
        kg-generation.json      #   what the generation holds: format, quads, triples
        kg-names.tsv            #   the name index: each entity, its labels, class, documents

Each document has its named graph. The default graph holds every distinct triple of the
named graphs once (the ontology's too), kept in step by every write of this module, so a
query without GRAPH counts each triple once however many documents state it, and GRAPH ?g
still tells which documents state it. (Oxigraph's union default graph repeats a triple once
per graph: COUNT over-counted and joins over entity labels grew with the cube of the
documents that mention an entity.)

A write copies the current generation (Oxigraph's backup: hard links, cheap), changes the
copy, brings the default graph in step, writes the name index, flushes, fsyncs, then swaps
`current` and fsyncs the folder before the old generation goes. A crash at any moment leaves
`current` pointing at the last complete generation; the next write removes the leftovers,
and only what kg made: a folder that is not a kg store is refused, never cleaned.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.files import atomic_file
from kg.formats import RDF, Kind
from kg.graph.prefixes import KG_NS, PREFIXES
from kg.graph.prefixes import ONTOLOGY_GRAPH as ONTOLOGY_GRAPH_IRI
from kg.graph.terms import converter, to_ox
from kg.resources import ontology_path

if TYPE_CHECKING:
    from rdflib import URIRef

DEFAULT_STORE = "kg-store"
ONTOLOGY = ontology_path("kg.ttl")
ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY_GRAPH_IRI)
DEFAULT_GRAPH = ox.DefaultGraph()
_OUTSIDE = ox.NamedNode("urn:x-kg:outside-any-graph")  # where `load` puts what has no graph

#: The generation format this module writes: 2 has the deduplicated default graph and the
#: name index. A generation without `kg-generation.json` (format 1) is read over Oxigraph's
#: union and brought to format 2 by its next write.
FORMAT = 2
MARKER = "kg-store.txt"
META = "kg-generation.json"
NAMES = "kg-names.tsv"
_MARKER_TEXT = (
    "This folder is a kg graph store, written by `kg build`. `current` names the\n"
    "generation in use; kg removes only generations it made. Keep other files elsewhere.\n"
)
_GENERATION = re.compile(r"gen-(\d{6})")
# what an interrupted write can leave: a generation, RocksDB's checkpoint folder of one,
# the snapshot an update diffs against, a half-made link
_LEFTOVER = re.compile(r"gen-\d{6}(\.tmp|\.before|\.before\.tmp)?")
_LINK = re.compile(r"\.current-\d+")
# the files RocksDB keeps in a database folder (and Oxigraph's bulk loader its SST files,
# left behind when a write is killed mid-batch); a folder of only these (and kg's own) is one
_ROCKSDB_FILE = re.compile(
    r"CURRENT|IDENTITY|LOCK|LOG(\.old\.\d+)?|MANIFEST-\d+|OPTIONS-\d+(\.dbtmp)?"
    r"|\d+\.(sst|log|blob|dbtmp)|bulk-\d+\.sst|\.?kg-(generation\.json|names\.tsv)(\.tmp|\.\w+)?"
)
# A write keeps the triples of the graphs it removed, to drop from the default graph those
# no other graph holds; past this many it recomputes the default graph instead.
MAX_PENDING_TRIPLES = 500_000


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE", DEFAULT_STORE))


@dataclass(frozen=True)
class Name:
    """One row of the name index: an entity as a user looks it up."""

    iri: str
    label: str  # its preferred label (the one most documents give)
    kind: str  # local name of its class in the ontology, e.g. "Person"
    documents: int  # how many documents mention it
    aliases: tuple[str, ...] = ()  # its other labels (skos:altLabel), sorted


@dataclass(frozen=True)
class UpdateReport:
    """What `GraphStore.update` changed, in quads of the named graphs."""

    before: int
    after: int
    removed_everywhere: int  # triples deleted without GRAPH, taken from every graph holding them


class GraphStore:
    """A read view on one generation, or (from `write()`) a writable new generation."""

    def __init__(
        self,
        store: ox.Store,
        path: Path,
        generation: Path | None = None,
        meta: dict[str, Any] | None = None,
        writable: bool = False,
    ) -> None:
        self._db = store
        # what callers may use directly: the store itself, or for a write the `_Writing`
        # guard that keeps the default graph in step with writes made on it
        self.ox: ox.Store = store if not writable else _Writing(self)  # type: ignore[assignment]
        self.path = path
        self.generation = generation
        self.meta = meta
        self.writable = writable
        # A generation of format 1 has no deduplicated default graph: read it as the union.
        self.union = meta is None and not writable
        self._names_file: IO[str] | None = None
        self._pending: list[tuple[Any, Any, Any]] | None = []  # None: recompute all
        self._recompute = False

    # -- queries --------------------------------------------------------------------
    @property
    def query_options(self) -> dict[str, Any]:
        """What pyoxigraph's `Store.query` needs to read this generation as kg does
        (`store.ox.query(sparql, prefixes=PREFIXES, **store.query_options)`)."""
        return {"use_default_graph_as_union": self.union}

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Any:
        subs = {
            ox.Variable(k): v
            if isinstance(v, (ox.NamedNode, ox.Literal, ox.BlankNode))
            else to_ox(v)
            for k, v in (substitutions or {}).items()
        }
        try:
            return self._db.query(
                sparql, prefixes=PREFIXES, substitutions=subs or None, **self.query_options
            )
        except SyntaxError as exc:
            raise KgError("E040", message=str(exc)) from exc
        except (OSError, RuntimeError) as exc:
            if isinstance(exc, RuntimeError) and not _storage_error(exc):
                raise  # the query's own problem (an unprojected bound variable...), not the disk
            raise self._read_error(exc) from exc

    def __len__(self) -> int:
        """How many quads the named graphs hold (the default graph's copies not counted)."""
        if self.meta is not None and not self.writable:
            return int(self.meta["quads"])
        if self.union:
            return len(self._db)
        return len(self._db) - self.triples

    @property
    def triples(self) -> int:
        """How many distinct triples the graph holds: what a query without GRAPH sees."""
        if self.meta is not None and not self.writable:
            return int(self.meta["triples"])
        if self.union:
            return _count(self._db, "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        return _count(self._db, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")

    def document_hashes(self) -> dict[str, str]:
        rows = self.query(
            "SELECT ?id ?h WHERE { ?d a kg:Document ; dcterms:identifier ?id ; kg:contentHash ?h }"
        )
        return {r["id"].value: r["h"].value for r in rows}

    def is_current(self) -> bool:
        """Whether this is still the generation `current` names (a build in another process
        may have published a newer one)."""
        if self.generation is None:
            return True
        return os.path.realpath(self.path / "current") == str(self.generation)

    def reopened(self) -> GraphStore:
        """This view if it is current, else a view on the generation now current."""
        return self if self.is_current() else open_store(self.path)

    def names(self) -> Iterator[Name]:
        """The name index, one `Name` per entity, sorted by IRI: read from the file the
        generation was published with (no query), or computed for a format-1 generation."""
        if self._names_file is None:
            yield from _compute_names(self)
            return
        self._names_file.seek(0)
        for line in self._names_file:
            if line.startswith("#"):
                continue
            fields = [_unescape(f) for f in line.rstrip("\n").split("\t")]
            yield Name(fields[0], fields[1], fields[2], int(fields[3]), tuple(fields[4:]))

    def export(self, fmt: str, output: IO[bytes] | str | Path) -> None:
        """Serialise the whole store in an RDF format of `kg.formats` (a name or alias);
        dataset formats keep every named graph, graph formats get each distinct triple once."""
        registered = RDF.get(fmt)
        rdf_format: ox.RdfFormat = registered.load()
        prefixes = prefixes_for(rdf_format)
        if registered.kind is Kind.QUADS:
            ox.serialize(self._named_quads(), output, rdf_format, prefixes=prefixes)
            return
        if self.union:
            rows: ox.QuerySolutions = self._db.query(  # type: ignore[assignment]
                "SELECT DISTINCT ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            )
            triples: Iterable[Any] = (ox.Triple(r[0], r[1], r[2]) for r in rows)
        else:
            # The default graph holds each triple once, in index order, which depends only
            # on the content: the same graph gives the same bytes.
            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in self._db.quads_for_pattern(None, None, None, DEFAULT_GRAPH)
            )
        ox.serialize(triples, output, rdf_format, prefixes=prefixes)

    def _named_quads(self) -> Iterator[ox.Quad]:
        for graph in self._db.named_graphs():
            yield from self._db.quads_for_pattern(None, None, None, graph)

    def _read_error(self, exc: Exception) -> KgError:
        """A read failed: E033 if the store is damaged, but not when a writer in another
        process published a new generation and removed this one meanwhile."""
        if not self.writable and not self.is_current():
            return KgError("E035", str(self.path))
        return KgError("E033", str(self.path), reason=str(exc))

    # -- writes (only on a generation opened by `write()`) ------------------------------
    def replace_graph(self, graph: URIRef, quads: Iterable[tuple[Any, Any, Any, Any]]) -> None:
        self.remove_graph(graph)
        self._db.extend(_doubled((to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in quads))

    def add(self, quads: Iterable[tuple[Any, Any, Any, Any]]) -> None:
        """Add rdflib quads in one write (callers batch them: see `kg.build`)."""
        # bulk_extend skips Oxigraph's transaction (whose buffer grew RSS to ~1.2 GB on a
        # 1.4M-quad build): safe here because the generation being written is private and
        # published only after a flush, by one atomic rename. Each quad's triple goes to
        # the default graph too (writing it again when another graph has it costs a key).
        conv = converter()
        self._db.bulk_extend(_doubled((conv(s), conv(p), conv(o), conv(g)) for s, p, o, g in quads))

    def add_nquads(self, data: str) -> None:
        """Add N-Quads of named graphs in one write, one quad a line as
        `kg.graph.rdf.document_nquads` writes them. Oxigraph parses and loads them outside
        the GIL (`add`'s bulk_extend holds it throughout, stopping every other thread);
        as with `add`, each quad's triple goes to the default graph too."""
        doubled: list[str] = []
        # "\n" alone ends a line: a literal may hold U+2028 or U+0085 as they are
        for line in data.split("\n"):
            if line:  # the graph is the line's last term, an IRI: '<s> <p> "o <x>" <g> .'
                doubled += (line, line[: line.rindex(" <")] + " .")
        doubled.append("")
        self._db.bulk_load("\n".join(doubled), format=ox.RdfFormat.N_QUADS)

    def load(self, path: str | Path, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        """Bulk-load a file of named graphs (N-Quads, TriG) in Oxigraph's own loader; the
        default graph is recomputed at publish. A triple outside any named graph is refused
        (ValueError, nothing kept): no document states it."""
        self._db.bulk_load(path=str(path), format=fmt, to_graph=_OUTSIDE)
        outside = sum(1 for _ in self._db.quads_for_pattern(None, None, None, _OUTSIDE))
        self._recompute = True
        if outside:
            self._db.remove_graph(_OUTSIDE)
            raise ValueError(f"{path}: {outside} triple(s) outside any named graph")

    def remove_graph(self, graph: URIRef | ox.NamedNode) -> bool:
        g = graph if isinstance(graph, ox.NamedNode) else to_ox(graph)
        if not self._db.contains_named_graph(g):
            return False
        if self._pending is not None:
            self._pending.extend(
                (q.subject, q.predicate, q.object)
                for q in self._db.quads_for_pattern(None, None, None, g)
            )
            if len(self._pending) > MAX_PENDING_TRIPLES:
                self._pending = None
        self._db.remove_graph(g)
        return True

    def update(self, sparql: str, prefixes: dict[str, str] | None = None) -> UpdateReport:
        """Run a SPARQL UPDATE. Inside GRAPH it changes the document graphs and the default
        graph follows. Without GRAPH it means the graph a query sees: a triple deleted there
        is deleted from every graph that holds it; a triple inserted there belongs to no
        document, so the update is refused (E036) and nothing is published."""
        self.sync()
        before = len(self)
        snapshot = self.generation.with_name(self.generation.name + ".before")  # type: ignore[union-attr]
        shutil.rmtree(snapshot, ignore_errors=True)
        self._db.flush()
        self._db.backup(str(snapshot))
        try:
            self._db.update(sparql, prefixes=PREFIXES if prefixes is None else prefixes)
            removed = _follow_update(self._db, ox.Store.read_only(str(snapshot)))
        finally:
            gc.collect()  # the snapshot's read-only handle
            shutil.rmtree(snapshot, ignore_errors=True)
        return UpdateReport(before, len(self), removed)

    def sync(self) -> None:
        """Bring the default graph in step with the named graphs: drop the triples of
        removed graphs that no graph holds any more, or recompute it whole."""
        if self._recompute or self._pending is None:
            self._db.clear_graph(DEFAULT_GRAPH)
            rows = self._db.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
            self._db.bulk_extend(ox.Quad(r[0], r[1], r[2]) for r in rows)  # type: ignore[union-attr]
        else:
            orphans = [t for t in set(self._pending) if not _in_named_graph(self._db, *t)]
            for s, p, o in orphans:
                self._db.remove(ox.Quad(s, p, o, DEFAULT_GRAPH))
        self._pending, self._recompute = [], False

    def load_ontology(self, path: Path = ONTOLOGY) -> None:
        self.remove_graph(ONTOLOGY_GRAPH)
        # Name the ontology's blank nodes by parse order: the same input then gives a
        # byte-identical export (Oxigraph would otherwise draw random ids).
        names: dict[str, ox.BlankNode] = {}

        def stable(term: Any) -> Any:
            if isinstance(term, ox.BlankNode):
                return names.setdefault(term.value, ox.BlankNode(f"ontology{len(names)}"))
            return term

        self._db.extend(
            _doubled(
                (stable(q.subject), q.predicate, stable(q.object), ONTOLOGY_GRAPH)
                for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            )
        )


class _Writing:
    """A writable generation's `ox`, as callers see it: reads pass to the store; a write
    made on it directly (not through `GraphStore`'s methods) has the default graph
    recomputed at publish, and an update runs as `GraphStore.update` does."""

    _WRITES = frozenset(
        {"add", "extend", "bulk_extend", "load", "bulk_load", "remove", "remove_graph", "clear"}
        | {"clear_graph", "add_graph"}
    )

    def __init__(self, view: GraphStore) -> None:
        self._view = view

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._view._db, name)
        if name not in self._WRITES:
            return attr

        def written(*args: Any, **kwargs: Any) -> Any:
            self._view._recompute = True
            return attr(*args, **kwargs)

        return written

    def update(self, update: str, prefixes: dict[str, str] | None = None, **_: Any) -> None:
        self._view.update(update, prefixes)

    def __len__(self) -> int:
        return len(self._view._db)

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self._view._db)

    def __contains__(self, quad: ox.Quad) -> bool:
        return quad in self._view._db


def _doubled(quads: Iterable[tuple[Any, Any, Any, Any]]) -> Iterator[ox.Quad]:
    """Each quad, and its triple in the default graph."""
    for s, p, o, g in quads:
        yield ox.Quad(s, p, o, g)
        yield ox.Quad(s, p, o, DEFAULT_GRAPH)


def _select(store: ox.Store, sparql: str) -> ox.QuerySolutions:
    """A SELECT of this module's own, over the store's real default graph."""
    rows = store.query(sparql, prefixes=PREFIXES)
    assert isinstance(rows, ox.QuerySolutions)
    return rows


def _count(store: ox.Store, select: str) -> int:
    return int(next(iter(_select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {select} }}")))[0].value)


def _in_named_graph(store: ox.Store, s: Any, p: Any, o: Any) -> bool:
    return any(
        not isinstance(q.graph_name, ox.DefaultGraph) for q in store.quads_for_pattern(s, p, o)
    )


def _in_default_graph(store: ox.Store, s: Any, p: Any, o: Any) -> bool:
    return next(iter(store.quads_for_pattern(s, p, o, DEFAULT_GRAPH)), None) is not None


def _follow_update(store: ox.Store, before: ox.Store) -> int:
    """After an update, bring the default graph in step, telling what the update did to
    the default graph itself from what it did to the named graphs by the state `before`
    (where the default graph was the distinct union). Returns how many triples deleted
    without GRAPH were deleted from the named graphs too."""
    unheld = _select(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o MINUS { GRAPH ?g { ?s ?p ?o } } }")
    inserted = []
    for s, p, o in list(unheld):
        if _in_default_graph(before, s, p, o):  # its last graph lost it: follow
            store.remove(ox.Quad(s, p, o, DEFAULT_GRAPH))
        else:
            inserted.append((s, p, o))
    if inserted:
        raise KgError("E036", None, count=len(inserted))
    missing = _select(
        store,
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } MINUS { ?s ?p ?o } }",
    )
    removed = 0
    for s, p, o in list(missing):
        if _in_default_graph(before, s, p, o):  # deleted without GRAPH: from every graph
            for quad in list(store.quads_for_pattern(s, p, o)):
                store.remove(quad)
            removed += 1
        else:  # inserted into a named graph: the default graph gets it
            store.add(ox.Quad(s, p, o, DEFAULT_GRAPH))
    return removed


def prefixes_for(fmt: ox.RdfFormat) -> dict[str, str] | None:
    """The prefixes to declare in `fmt`: None for the line formats, which have no prefixes."""
    return (
        dict(PREFIXES)
        if fmt in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3}
        else None
    )


# -- opening ---------------------------------------------------------------------------


def _current(root: Path) -> Path | None:
    """The generation `current` names; None when there is none yet. A `current` that is
    not a link to a generation, or names one that is missing, is E033: the store's last
    state is unknown, so nothing may be written over it."""
    link = root / "current"
    if not link.is_symlink():
        if link.exists():
            raise KgError("E033", str(root), reason="'current' is not a link to a generation")
        return None
    target = os.readlink(link)
    gen = root / target
    if not _GENERATION.fullmatch(target) or not gen.is_dir():
        left = sorted(p.name for p in _generations(root))
        hint = (
            f"{left[-1]} is the newest generation left: point 'current' at it "
            f"(ln -sfn {left[-1]} current, in the store folder) or move the folder away and "
            "build again"
            if left
            else "no generation is left: move the folder away and build again"
        )
        raise KgError(
            "E033", str(root), reason=f"'current' names {target!r}, which is missing; {hint}"
        )
    return Path(os.path.realpath(gen))


def _generations(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if _GENERATION.fullmatch(p.name) and p.is_dir()]


def _read_meta(gen: Path) -> dict[str, Any] | None:
    try:
        with open(gen / META, encoding="utf-8") as handle:
            meta: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{META} is not of format {FORMAT}")
    return meta


def open_store(path: str | Path | None = None) -> GraphStore:
    """Open the current generation read-only (many readers may share it). A writer in
    another process may publish a new generation and remove this one while it opens: then
    it opens the new one, and reports damage (E033) only for the generation still current."""
    root = Path(path) if path is not None else default_store_path()
    for _ in range(10):
        gen = _current(root)
        if gen is None:
            raise KgError("E030", str(root))
        try:
            store = ox.Store.read_only(str(gen))
            meta = _read_meta(gen)
            names = open(gen / NAMES, encoding="utf-8") if meta is not None else None
        except (OSError, RuntimeError, ValueError) as exc:
            if os.path.realpath(root / "current") != str(gen):
                continue  # published and removed meanwhile: open the new one
            raise KgError("E033", str(root), reason=str(exc)) from exc
        view = GraphStore(store, root, gen, meta)
        view._names_file = names
        return view
    raise KgError("E035", str(root))


def connect(store_path: str | Path | None = None, endpoint: str | None = None) -> Any:
    """The store to query: a `kg.graph.remote.RemoteStore` for an endpoint URL (the HTTP client is
    imported only then), else the embedded store. `kg query` and the shell open through this."""
    if endpoint:
        from kg.graph.remote import RemoteStore

        return RemoteStore(endpoint)
    return open_store(store_path)


# -- writing ---------------------------------------------------------------------------


def _claim(root: Path) -> None:
    """Make `root` a store, or check that it is one: kg writes into a new or empty folder,
    a kg store, or a store of kg's first format (only kg's names in it), never elsewhere."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        if (root / MARKER).is_file():
            return
        foreign = sorted(n for n in os.listdir(root) if not _kg_name(n))
        if foreign:
            raise KgError(
                "E033",
                str(root),
                reason=f"the folder holds {foreign[0]!r}, which kg did not make; give --store "
                "a new or empty folder",
            )
        _write_file(root / MARKER, _MARKER_TEXT.encode("utf-8"))
    except OSError as exc:
        raise KgError("E032", str(root), reason=exc.strerror or str(exc)) from exc


def _kg_name(name: str) -> bool:
    return bool(
        name in {"lock", "current", MARKER}
        or _LEFTOVER.fullmatch(name)
        or _LINK.fullmatch(name)
        or name.startswith(f".{MARKER}.")
    )


def _made_by_kg(folder: Path) -> bool:
    """A generation kg made (or began to): RocksDB's files and kg's own, nothing else."""
    try:
        return all(_ROCKSDB_FILE.fullmatch(name) for name in os.listdir(folder))
    except OSError:
        return False


def _sweep(root: Path, keep: Path | None) -> None:
    """Remove what an interrupted write left: generations kg made that are not current,
    half-made links. Anything else stays."""
    for entry in os.scandir(root):
        path = Path(entry.path)
        if _LINK.fullmatch(entry.name) and entry.is_symlink():
            path.unlink(missing_ok=True)
        elif (
            _LEFTOVER.fullmatch(entry.name)
            and entry.is_dir(follow_symlinks=False)
            and (keep is None or os.path.realpath(path) != str(keep))
            and _made_by_kg(path)
        ):
            shutil.rmtree(path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (kg.files: a temporary file, fsynced, renamed)."""
    with _atomic(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[IO[bytes]]:
    """kg.files.atomic_file, its failure an OSError: the caller says E032, naming the store."""
    try:
        with atomic_file(path) as handle:
            yield handle
    except KgError as exc:
        if exc.code != "E077":
            raise
        raise OSError(exc.fields["reason"]) from exc


def _storage_error(exc: BaseException) -> bool:
    """Whether a RuntimeError came from RocksDB (its status names the kind of failure),
    not from the caller's code."""
    return isinstance(exc, RuntimeError) and str(exc).startswith(
        ("Corruption:", "IO error:", "Invalid argument:", "Not implemented:", "Incomplete:")
    )


@contextlib.contextmanager
def write(path: str | Path | None = None, fresh: bool = False) -> Iterator[GraphStore]:
    """A writable copy of the current generation, published only if the block succeeds."""
    root = Path(path) if path is not None else default_store_path()
    _claim(root)
    try:
        lock = open(root / "lock", "a+")
    except OSError as exc:
        raise KgError("E032", str(root), reason=exc.strerror or str(exc)) from exc
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise KgError("E031", str(root)) from exc
        old = _current(root)
        _sweep(root, keep=old)
        number = 1 + max(
            [int(m.group(1)) for p in root.iterdir() if (m := _GENERATION.match(p.name))],
            default=0,
        )
        new = root / f"gen-{number:06d}"
        view = _open_new(root, old, new, fresh)
        store = view._db
        failed = True
        try:
            yield view
            view.load_ontology()
            view.sync()
            store.flush()
            store.optimize()
            triples = view.triples
            meta = {"format": FORMAT, "quads": len(store) - triples, "triples": triples}
            _write_names(new / NAMES, _compute_names(view))
            _write_file(new / META, json.dumps(meta, indent=1).encode("utf-8") + b"\n")
            failed = False
        except OSError as exc:  # RocksDB's "No space left", "File too large", "Read-only"
            raise KgError("E032", str(root), reason=exc.strerror or str(exc)) from exc
        except RuntimeError as exc:
            if not _storage_error(exc):
                raise
            if str(exc).startswith("Corruption:"):
                raise KgError("E033", str(root), reason=str(exc)) from exc
            raise KgError("E032", str(root), reason=str(exc)) from exc  # "IO error: ..."
        finally:
            # Close the database before publishing or removing it: neither the caller's
            # `view` nor a kept exception may hold RocksDB open (and compacting).
            view.ox = view._db = None  # type: ignore[assignment]
            del view, store
            gc.collect()
            if failed:
                shutil.rmtree(new, ignore_errors=True)
        _publish(root, new, number)
        if old is not None and _made_by_kg(old):
            shutil.rmtree(old, ignore_errors=True)


def _open_new(root: Path, old: Path | None, new: Path, fresh: bool) -> GraphStore:
    """The new generation, a copy of `old` (unless `fresh`), open for writing."""
    legacy = False
    try:
        if old is not None and not fresh:
            legacy = _read_meta(old) is None
            source = ox.Store.read_only(str(old))
            source.backup(str(new))
            del source
        store = ox.Store(str(new))
    except (RuntimeError, ValueError) as exc:  # the current generation is damaged
        shutil.rmtree(new, ignore_errors=True)
        if isinstance(exc, RuntimeError) and str(exc).startswith("IO error:"):
            raise KgError("E032", str(root), reason=str(exc)) from exc
        raise KgError("E033", str(root), reason=str(exc)) from exc
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise KgError("E032", str(root), reason=exc.strerror or str(exc)) from exc
    view = GraphStore(store, root, new, meta=None, writable=True)
    if legacy:  # format 1: the default graph is computed once, before anything reads it
        view._recompute = True
        view.sync()
    return view


def _publish(root: Path, new: Path, number: int) -> None:
    """Make `new` current: its files reach the disk, then the link, then the folder's entry,
    before anything old may go (else a power cut could leave `current` naming nothing)."""
    try:
        _fsync_dir(new)
        link = root / f".current-{number}"
        if link.is_symlink():
            link.unlink()
        os.symlink(new.name, link)
        os.replace(link, root / "current")  # the atomic step
        _fsync_dir(root)
    except OSError as exc:
        if os.path.realpath(root / "current") != str(new.resolve()):
            shutil.rmtree(new, ignore_errors=True)
            raise KgError("E032", str(root), reason=exc.strerror or str(exc)) from exc
        # published, but the folder's fsync failed: the new graph is in use; say so plainly
        raise KgError("E032", str(root), reason=f"{exc.strerror or exc} after publishing") from exc


# -- the name index ----------------------------------------------------------------------

_LABELS = """
SELECT ?e ?label (COUNT(?g) AS ?n) WHERE { GRAPH ?g { ?e skos:prefLabel ?label } }
GROUP BY ?e ?label
"""
_KINDS = f"""
SELECT DISTINCT ?e ?cls WHERE {{
  ?e skos:prefLabel ?any ; a ?cls . FILTER(STRSTARTS(STR(?cls), "{KG_NS}"))
}}
"""
_ALIASES = "SELECT DISTINCT ?e ?alias WHERE { ?e skos:prefLabel ?any ; skos:altLabel ?alias }"
_MENTIONS = "SELECT ?e (COUNT(?d) AS ?n) WHERE { ?d kg:mentions ?e } GROUP BY ?e"


def _compute_names(store: GraphStore) -> Iterator[Name]:
    """Entities (a skos:prefLabel and a class of the ontology) with what the index keeps."""
    labels: dict[str, tuple[int, str]] = {}
    for row in store.query(_LABELS):
        iri, label, n = row["e"].value, row["label"].value, int(row["n"].value)
        best = labels.get(iri)
        if best is None or (-n, label) < (-best[0], best[1]):
            labels[iri] = (n, label)
    kinds: dict[str, str] = {}
    for row in store.query(_KINDS):
        kind = row["cls"].value[len(KG_NS) :]
        iri = row["e"].value
        kinds[iri] = min(kind, kinds.get(iri, kind))
    aliases: dict[str, set[str]] = {}
    for row in store.query(_ALIASES):
        aliases.setdefault(row["e"].value, set()).add(row["alias"].value)
    mentions = {row["e"].value: int(row["n"].value) for row in store.query(_MENTIONS)}
    for iri in sorted(kinds.keys() & labels.keys()):
        label = labels[iri][1]
        yield Name(
            iri,
            label,
            kinds[iri],
            mentions.get(iri, 0),
            tuple(sorted(aliases.get(iri, set()) - {label})),
        )


_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ESCAPED = re.compile(r"\\(.)")


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in text) if re.search(r"[\\\t\n\r]", text) else text


def _unescape(text: str) -> str:
    return (
        _ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text)
        if "\\" in text
        else text
    )


def _write_names(path: Path, names: Iterable[Name]) -> None:
    with _atomic(path) as out:
        out.write(b"# kg name index: iri, label, class, documents, aliases...\n")
        for name in names:
            fields = [name.iri, name.label, name.kind, str(name.documents), *name.aliases]
            out.write(("\t".join(_escape(f) for f in fields) + "\n").encode("utf-8"))
