"""The one module that touches disk: an Oxigraph store with atomic generations.

Layout of a store folder::

    kg-store/
      current -> gen-000003     # symlink, replaced atomically (os.replace)
      gen-000003/               # an Oxigraph (RocksDB) database
      lock                      # held (flock) by the one process that writes

A write copies the current generation (Oxigraph's backup: hard links, cheap), changes the
copy, flushes it, then swaps `current`. A crash at any moment leaves `current` pointing at
the last complete generation; leftovers are removed by the next write.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.formats import RDF, Kind
from kg.graph.prefixes import ONTOLOGY_GRAPH as ONTOLOGY_GRAPH_IRI
from kg.graph.prefixes import PREFIXES
from kg.graph.terms import to_ox
from kg.resources import ontology_path

if TYPE_CHECKING:
    from rdflib import URIRef

DEFAULT_STORE = "kg-store"
ONTOLOGY = ontology_path("kg.ttl")
ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY_GRAPH_IRI)

UNION_TRIPLES = "SELECT DISTINCT ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE", DEFAULT_STORE))


class GraphStore:
    """A read view on the current generation, or a writable new generation."""

    def __init__(self, store: ox.Store, path: Path) -> None:
        self.ox = store
        self.path = path

    # -- queries --------------------------------------------------------------------
    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Any:
        subs = {
            ox.Variable(k): v
            if isinstance(v, (ox.NamedNode, ox.Literal, ox.BlankNode))
            else to_ox(v)
            for k, v in (substitutions or {}).items()
        }
        try:
            return self.ox.query(
                sparql,
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
                substitutions=subs or None,
            )
        except SyntaxError as exc:
            raise KgError("E040", message=str(exc)) from exc

    def __len__(self) -> int:
        return len(self.ox)

    def document_hashes(self) -> dict[str, str]:
        rows = self.query(
            "SELECT ?id ?h WHERE { ?d a kg:Document ; dcterms:identifier ?id ; kg:contentHash ?h }"
        )
        return {r["id"].value: r["h"].value for r in rows}

    def export(self, fmt: str, output: IO[bytes] | str | Path) -> None:
        """Serialise the whole store in an RDF format of `kg.formats` (a name or alias);
        dataset formats keep every named graph, graph formats get their union."""
        registered = RDF.get(fmt)
        rdf_format: ox.RdfFormat = registered.load()
        if registered.kind is Kind.QUADS:
            quads: Iterable[Any] = self.ox.quads_for_pattern(None, None, None, None)
            ox.serialize(quads, output, rdf_format, prefixes=prefixes_for(rdf_format))
            return
        # Oxigraph removes duplicates (a triple in several document graphs) in Rust and
        # streams the rest in index order, which depends only on the content: the same
        # graph gives the same bytes. A Python set + sort took 3x the memory and 1.7x the
        # time for 1M triples (benchmarks/README.md).
        rows: ox.QuerySolutions = self.ox.query(UNION_TRIPLES)  # type: ignore[assignment]
        ox.serialize(
            (ox.Triple(r[0], r[1], r[2]) for r in rows),
            output,
            rdf_format,
            prefixes=prefixes_for(rdf_format),
        )

    # -- writes (only on a generation opened by `write()`) ------------------------------
    def replace_graph(self, graph: URIRef, quads: Iterable[tuple[Any, Any, Any, Any]]) -> None:
        g = to_ox(graph)
        if self.ox.contains_named_graph(g):
            self.ox.remove_graph(g)
        self.ox.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(q)) for s, p, o, q in quads])

    def add(self, quads: Iterable[tuple[Any, Any, Any, Any]]) -> None:
        """Add rdflib quads in one write (callers batch them: see `kg.build`)."""
        # bulk_extend skips Oxigraph's transaction (whose buffer grew RSS to ~1.2 GB on a
        # 1.4M-quad build): safe here because the generation being written is private and
        # published only after a flush, by one atomic rename.
        self.ox.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(q)) for s, p, o, q in quads)

    def remove_graph(self, graph: URIRef) -> bool:
        g = to_ox(graph)
        if self.ox.contains_named_graph(g):
            self.ox.remove_graph(g)
            return True
        return False

    def load_ontology(self, path: Path = ONTOLOGY) -> None:
        if self.ox.contains_named_graph(ONTOLOGY_GRAPH):
            self.ox.remove_graph(ONTOLOGY_GRAPH)
        # Name the ontology's blank nodes by parse order: the same input then gives a
        # byte-identical export (Oxigraph would otherwise draw random ids).
        names: dict[str, ox.BlankNode] = {}

        def stable(term: Any) -> Any:
            if isinstance(term, ox.BlankNode):
                return names.setdefault(term.value, ox.BlankNode(f"ontology{len(names)}"))
            return term

        self.ox.extend(
            ox.Quad(stable(q.subject), q.predicate, stable(q.object), ONTOLOGY_GRAPH)
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        )


def prefixes_for(fmt: ox.RdfFormat) -> dict[str, str] | None:
    """The prefixes to declare in `fmt`: None for the line formats, which have no prefixes."""
    return (
        dict(PREFIXES)
        if fmt in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3}
        else None
    )


def open_store(path: str | Path | None = None) -> GraphStore:
    """Open the current generation read-only (many readers may share it)."""
    root = Path(path) if path is not None else default_store_path()
    current = root / "current"
    if not current.exists():
        raise KgError("E030", str(root))
    try:
        return GraphStore(ox.Store.read_only(str(current.resolve())), root)
    except (OSError, RuntimeError) as exc:
        raise KgError("E033", str(root), reason=str(exc)) from exc


def connect(store_path: str | Path | None = None, endpoint: str | None = None) -> Any:
    """The store to query: a `kg.graph.remote.RemoteStore` for an endpoint URL (the HTTP client is
    imported only then), else the embedded store. `kg query` and the shell open through this."""
    if endpoint:
        from kg.graph.remote import RemoteStore

        return RemoteStore(endpoint)
    return open_store(store_path)


@contextlib.contextmanager
def write(path: str | Path | None = None, fresh: bool = False) -> Iterator[GraphStore]:
    """A writable copy of the current generation, published only if the block succeeds."""
    root = Path(path) if path is not None else default_store_path()
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / "lock", "a+")
    except OSError as exc:
        raise KgError("E032", str(root), reason=exc.strerror or str(exc)) from exc
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise KgError("E031", str(root)) from exc
        current = root / "current"
        old = current.resolve() if current.exists() else None
        _sweep(root, keep=old)
        number = 1 + max(
            [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()], default=0
        )
        new = root / f"gen-{number:06d}"
        try:
            if old is not None and not fresh:
                ox.Store.read_only(str(old)).backup(str(new))
            store = ox.Store(str(new))
        except OSError as exc:
            shutil.rmtree(new, ignore_errors=True)
            raise KgError("E032", str(root), reason=str(exc)) from exc
        view = GraphStore(store, root)
        failed = True
        try:
            yield view
            view.load_ontology()
            store.flush()
            store.optimize()
            failed = False
        except OSError as exc:  # RocksDB's "No space left", "File too large", "Read-only"
            raise KgError("E032", str(root), reason=exc.strerror or str(exc)) from exc
        finally:
            # Close the database before publishing or removing it: neither the caller's
            # `view` nor a kept exception may hold RocksDB open (and compacting).
            view.ox = None  # type: ignore[assignment]
            del view, store
            gc.collect()
            if failed:
                shutil.rmtree(new, ignore_errors=True)
        try:
            link = root / f".current-{number}"
            if link.is_symlink():
                link.unlink()
            os.symlink(new.name, link)
            os.replace(link, current)  # the atomic step
        except OSError as exc:
            shutil.rmtree(new, ignore_errors=True)
            raise KgError("E032", str(root), reason=exc.strerror or str(exc)) from exc
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _sweep(root: Path, keep: Path | None) -> None:
    """Remove generations left by an interrupted write."""
    for gen in root.glob("gen-*"):
        if keep is None or gen.resolve() != keep:
            shutil.rmtree(gen, ignore_errors=True)
    for link in root.glob(".current-*"):
        link.unlink(missing_ok=True)
