"""`kg build` and `kg extract`: documents through extraction into the store, or into a file.

`kg build` writes each document's named graph into the store, atomically.

Only new or changed documents are processed (their content hash is kept in the graph);
a changed document's named graph is replaced as a whole. Problems with single inputs
are reported through `on_problem` and the rest still builds.

Memory stays flat as the corpus grows: documents stream from disk through the extraction
(in `jobs` processes) and their quads reach the store in batches of `BATCH_QUADS`, one
batch written while the next is extracted.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.extraction.documents import DEFAULT_MAX_BYTES, DEFAULT_MAX_CHARS, _files, iter_documents
from kg.extraction.pipeline import Extractor, to_tsv
from kg.files import write_atomic
from kg.graph import store as kgstore
from kg.graph.rdf import document_quads, graph_iri
from kg.model import DocResult, Document
from kg.settings import DEFAULT_MODEL

# Big enough that Oxigraph writes efficiently, small enough to be a few MB of Python terms.
BATCH_QUADS = 20_000


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[KgError] = field(default_factory=list)
    relations: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)
    triples: int = 0


def build(
    paths: Iterable[str | Path],
    store_path: str | Path | None = None,
    model: str = DEFAULT_MODEL,
    fresh: bool = False,
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_problem: Callable[[KgError], None] | None = None,
    extractor: Extractor | None = None,
    progress: bool = False,
) -> BuildReport:
    """Build `paths` into the store; `progress` draws a bar (documents/s, ETA) on stderr."""
    report = BuildReport()
    paths = list(paths)
    bar = _progress_bar(paths) if progress else None

    def problem(err: KgError) -> None:
        report.problems.append(err)
        if on_problem:
            on_problem(err)

    with kgstore.write(store_path, fresh=fresh) as st:
        known = {} if fresh else st.document_hashes()

        def todo() -> Iterator[Document]:
            for item in iter_documents(paths, max_bytes, max_chars):
                if isinstance(item, KgError):
                    problem(item)
                elif known.get(item.id) == item.content_hash:
                    report.unchanged.append(item.id)
                    if bar is not None:
                        bar.update()
                else:
                    if item.id in known:  # changed: its old graph goes before new quads come
                        st.remove_graph(graph_iri(item.id))
                    yield item

        ex = extractor or Extractor(model)
        batch: list[DocResult] = []
        size = 0
        # One batch is mapped to RDF and written in a thread while the next is extracted:
        # Oxigraph writes outside the GIL, and so does spaCy much of the time. Waiting for
        # a write before handing over the next batch keeps memory flat.
        writer = ThreadPoolExecutor(1, thread_name_prefix="kg-store")
        writing: Future[None] | None = None

        def write(results: list[DocResult]) -> None:
            st.add(q for r in results for q in document_quads(r))

        try:
            for result in ex(todo(), n_process=jobs):
                batch.append(result)
                size += _quads_about(result)
                if size >= BATCH_QUADS:
                    if writing is not None:
                        writing.result()
                    writing, batch, size = writer.submit(write, batch), [], 0
                report.built.append(result.document.id)
                report.relations.update(r.relation for r in result.relations)
                report.entities.update(e.kind for e in result.entities.values())
                if bar is not None:
                    bar.update()
            if writing is not None:
                writing.result()
            write(batch)
        finally:
            writer.shutdown(wait=True)  # never leave the store while a write runs
            if bar is not None:
                bar.close()
    report.triples = len(kgstore.open_store(store_path))
    return report


def _quads_about(result: DocResult) -> int:
    """About how many quads `document_quads` makes of a result (an evidenced relation 15,
    an entity 6), to cut batches before they are mapped."""
    return 8 + 15 * len(result.relations) + 6 * len(result.entities)


def count_documents(paths: Iterable[str | Path]) -> int:
    """How many documents `paths` hold, without parsing them (for the progress bar's ETA):
    one per file, one per non-blank line of a .jsonl file."""
    total = 0
    for file in _files(paths):
        if isinstance(file, KgError):
            continue
        if file.suffix.lower() == ".jsonl":
            try:
                with file.open("rb") as lines:
                    total += sum(1 for line in lines if line.strip())
            except OSError:
                total += 1  # iter_documents reports it
        else:
            total += 1
    return total


def _progress_bar(paths: list[str | Path]) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=count_documents(paths),
        unit="doc",
        desc="build",
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )


def remove(doc_ids: Iterable[str], store_path: str | Path | None = None) -> list[str]:
    """Drop documents' named graphs; returns the ids that were not in the store."""
    missing = []
    with kgstore.write(store_path) as st:
        for doc_id in doc_ids:
            if not st.remove_graph(graph_iri(doc_id)):
                missing.append(doc_id)
    return missing


# -- kg extract: extraction without a store ---------------------------------------

Problem = Callable[[KgError], None]


def documents(
    paths: Iterable[str | Path], problems: list[KgError], on_problem: Problem | None = None
) -> Iterator[Document]:
    for item in iter_documents(paths):
        if isinstance(item, KgError):
            problems.append(item)
            if on_problem:
                on_problem(item)
        else:
            yield item


def extract_to(
    paths: Iterable[str | Path],
    fmt: str,
    output: Path | None,
    model: str,
    on_problem: Problem | None = None,
) -> list[KgError]:
    """Write the extraction of `paths` as TSV (the contract) or RDF to `output` or stdout."""
    problems: list[KgError] = []
    results = _extractor(model)(documents(paths, problems, on_problem))
    if fmt == "tsv":
        text = to_tsv(results).encode("utf-8")
    else:
        text = _rdf(results, fmt)
    if output is None:
        import sys

        sys.stdout.buffer.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)
    return problems


def _rdf(results: Iterable[DocResult], fmt: str) -> bytes:
    import pyoxigraph as ox

    from kg.graph.rdf import document_quads
    from kg.graph.store import FORMATS
    from kg.graph.terms import to_ox
    from kg.graph.vocab import PREFIXES

    quads = [ox.Quad(*(to_ox(t) for t in q)) for r in results for q in document_quads(r)]
    rdf_format = FORMATS[fmt]
    if rdf_format in {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}:
        data = ox.serialize(
            sorted(quads, key=str), format=rdf_format, prefixes=PREFIXES if fmt == "trig" else None
        )
    else:
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
        data = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)
    return data or b""


def _extractor(model: str) -> Extractor:
    return Extractor(model)
