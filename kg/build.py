"""`kg build` and `kg extract`: documents through extraction into the store, or into a file.

`kg build` writes each document's named graph into the store, atomically.

Only new or changed documents are processed (their content hash is kept in the graph);
a changed document's named graph is replaced as a whole. Problems with single inputs (a
`KgError` each) and warnings (W001: sentences cut by the sentence cap) leave a run through
one `kg.errors.Sink`: kept in the run's report and handed to `on_notice` as they happen;
the rest still builds.

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

from kg.errors import KgError, KgWarning, Notice, Sink
from kg.extraction.documents import DEFAULT_MAX_BYTES, DEFAULT_MAX_CHARS, _files, iter_documents
from kg.extraction.limits import MAX_SENTENCE_TOKENS
from kg.extraction.pipeline import Extractor
from kg.files import write_atomic
from kg.formats import EXTRACT, Format, Kind
from kg.graph import store as kgstore
from kg.graph.rdf import document_quads, graph_iri
from kg.model import DocResult, Document
from kg.settings import DEFAULT_MODEL

OnNotice = Callable[[Notice], None]

# Big enough that Oxigraph writes efficiently, small enough to be a few MB of Python terms.
BATCH_QUADS = 20_000


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[KgError] = field(default_factory=list)
    warnings: list[KgWarning] = field(default_factory=list)
    relations: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)
    triples: int = 0

    def summary(self) -> str:
        warned = f", {len(self.warnings)} warning(s)" if self.warnings else ""
        return (
            f"built {len(self.built)} document(s), {len(self.unchanged)} unchanged, "
            f"{len(self.problems)} problem(s){warned}; store holds {self.triples} quads"
        )


def build(
    paths: Iterable[str | Path],
    store_path: str | Path | None = None,
    model: str = DEFAULT_MODEL,
    fresh: bool = False,
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_notice: OnNotice | None = None,
    extractor: Extractor | None = None,
    progress: bool = False,
) -> BuildReport:
    """Build `paths` into the store; `progress` draws a bar (documents/s, ETA) on stderr."""
    sink = Sink(on_notice)
    report = BuildReport(problems=sink.problems, warnings=sink.warnings)
    paths = list(paths)
    bar = _progress_bar(paths) if progress else None

    with kgstore.write(store_path, fresh=fresh) as st:
        known = {} if fresh else st.document_hashes()

        def todo() -> Iterator[Document]:
            for item in iter_documents(paths, max_bytes, max_chars):
                if isinstance(item, KgError):
                    sink.problem(item)
                elif known.get(item.id) == item.content_hash:
                    report.unchanged.append(item.id)
                    if bar is not None:
                        bar.update()
                else:
                    if item.id in known:  # changed: its old graph goes before new quads come
                        st.remove_graph(graph_iri(item.id))
                    yield item

        ex = extractor or make_extractor(model)
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
                warn_about_cuts(result, sink)
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


def remove(
    doc_ids: Iterable[str], store_path: str | Path | None = None, on_notice: OnNotice | None = None
) -> list[str]:
    """Drop documents' named graphs; returns the ids that were not in the store (each a
    warning W002)."""
    sink = Sink(on_notice)
    missing = []
    with kgstore.write(store_path) as st:
        for doc_id in doc_ids:
            if not st.remove_graph(graph_iri(doc_id)):
                missing.append(doc_id)
                sink.warn("W002", str(st.path), doc_id=doc_id)
    return missing


def make_extractor(model: str = DEFAULT_MODEL) -> Extractor:
    """The extraction pipeline every command that extracts runs (spaCy loads here)."""
    return Extractor(model)


def warn_about_cuts(result: DocResult, sink: Sink) -> None:
    """W001 when the sentence cap cut a document's text (a relation across a cut is lost)."""
    if result.cut_sentences:
        path, line = _place(result.document)
        sink.warn(
            "W001",
            path,
            line,
            doc_id=result.document.id,
            cuts=result.cut_sentences,
            tokens=MAX_SENTENCE_TOKENS,
        )


def _place(document: Document) -> tuple[str | None, int | None]:
    """Where a document was read: its file, and the line of a .jsonl record ("feed.jsonl:3")."""
    path, _, line = document.source.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return document.source or None, None


# -- kg extract and kg eval: extraction without a store ------------------------------


def extracted(paths: Iterable[str | Path], sink: Sink, extractor: Extractor) -> Iterator[DocResult]:
    """The extraction of every document under `paths`; problems and warnings go to `sink`."""

    def documents() -> Iterator[Document]:
        for item in iter_documents(paths):
            if isinstance(item, KgError):
                sink.problem(item)
            else:
                yield item

    for result in extractor(documents()):
        warn_about_cuts(result, sink)
        yield result


def extract_to(
    paths: Iterable[str | Path],
    fmt: str,
    output: Path | None,
    model: str = DEFAULT_MODEL,
    on_notice: OnNotice | None = None,
    extractor: Extractor | None = None,
) -> Sink:
    """Write the extraction of `paths` to `output` (or stdout) in an `EXTRACT` format of
    `kg.formats`: the TSV contract or RDF. Returns the run's problems and warnings."""
    chosen = EXTRACT.get(fmt)
    sink = Sink(on_notice)
    results = extracted(paths, sink, extractor or make_extractor(model))
    if chosen.kind is Kind.EXTRACTION:
        data = chosen.load()(results).encode("utf-8")
    else:
        data = _rdf(results, chosen)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(output, data)
    return sink


def _rdf(results: Iterable[DocResult], fmt: Format) -> bytes:
    """Sorted quads (dataset formats) or sorted distinct triples, so a run is reproducible."""
    import pyoxigraph as ox

    from kg.graph.store import prefixes_for
    from kg.graph.terms import to_ox

    rdf_format: ox.RdfFormat = fmt.load()
    quads = [ox.Quad(*(to_ox(t) for t in q)) for r in results for q in document_quads(r)]
    items: list[Any] = (
        sorted(quads, key=str)
        if fmt.kind is Kind.QUADS
        else sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    )
    return ox.serialize(items, format=rdf_format, prefixes=prefixes_for(rdf_format)) or b""
