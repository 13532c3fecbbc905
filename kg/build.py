"""`kg build` and `kg extract`: documents through extraction into the store, or into a file.

`kg build` writes each document's named graph into the store, atomically.

Only new or changed documents are processed (their content hash is kept in the graph);
a changed document's named graph is replaced as a whole. Problems with single inputs (a
`KgError` each) and warnings (W001: sentences cut by the sentence cap) leave a run through
one `kg.errors.Sink`: kept in the run's report and handed to `on_notice` as they happen;
the rest still builds.

Memory stays flat as the corpus grows: documents stream from disk through the extraction
(in this process, in `jobs` forked processes, or on a Dask cluster: `kg.parallel`,
`kg.cluster`) and their quads reach the store in batches of `BATCH_QUADS`, one batch
written while the next is extracted.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from kg.cluster import ClusterSpec, parse_cluster
from kg.errors import KgError, KgWarning, Notice, Sink
from kg.extraction import documents
from kg.extraction.documents import DEFAULT_MAX_BYTES, DEFAULT_MAX_CHARS, iter_documents
from kg.extraction.limits import MAX_SENTENCE_TOKENS
from kg.extraction.pipeline import Extractor
from kg.files import write_atomic
from kg.formats import EXTRACT, Format, Kind
from kg.graph import store as kgstore
from kg.graph.rdf import document_nquads, graph_iri
from kg.model import DocResult, Document
from kg.settings import DEFAULT_MODEL

OnNotice = Callable[[Notice], None]

# Big enough that Oxigraph writes efficiently (its bulk loader took a fifth less time a
# quad in batches of 50,000 than of 20,000), small enough to be ~10 MB of N-Quads text.
BATCH_QUADS = 50_000
# Documents per task on a cluster: spaCy's batch, and small enough that a lost worker
# costs a few seconds of work.
CHUNK_DOCUMENTS = 16


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[KgError] = field(default_factory=list)
    warnings: list[KgWarning] = field(default_factory=list)
    relations: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)
    triples: int = 0
    workers: int = 0  # the cluster's workers (`cluster=`), else 0

    def summary(self) -> str:
        warned = f", {len(self.warnings)} warning(s)" if self.warnings else ""
        return (
            f"built {len(self.built)} document(s), {len(self.unchanged)} unchanged, "
            f"{len(self.problems)} problem(s){warned}; store holds {self.triples} quads"
        )


class BuildInterrupted(KeyboardInterrupt):
    """Ctrl-C during a build, with what it left: `published` tells whether the store holds
    this run's last generation (the interrupt came after the atomic swap) or the one before;
    `checkpointed` documents were published at earlier checkpoints of the run (`checkpoint`)
    and are in the store either way."""

    def __init__(self, report: BuildReport, published: bool, checkpointed: int = 0) -> None:
        super().__init__()
        self.report = report
        self.published = published
        self.checkpointed = checkpointed


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
    cluster: str | ClusterSpec | None = None,
    chunk_size: int = CHUNK_DOCUMENTS,
    checkpoint: float = 0.0,
) -> BuildReport:
    """Build `paths` (files, folders, glob patterns) into the store; `progress` draws a bar
    (documents/s, ETA) on stderr. With `cluster` (`local:N` or a scheduler address, see
    `kg.cluster`) the extraction runs on a Dask cluster in chunks of `chunk_size`
    documents, and this process only reads, decides and writes.

    `checkpoint` (minutes; 0: never) publishes a generation that often during the run, so
    that an interrupted run keeps what it published and a re-run extracts only the rest.
    Ctrl-C raises `BuildInterrupted`, which says what the store holds."""
    sink = Sink(on_notice)
    report = BuildReport(problems=sink.problems, warnings=sink.warnings)
    paths = list(expand(paths))
    spec = parse_cluster(cluster) if isinstance(cluster, str) else cluster

    def reading_warning(w: KgWarning) -> None:  # W004: an encoding detected, not UTF-8
        sink.warn(w.code, w.path, w.line, **w.fields)

    documents = iter_documents(paths, max_bytes, max_chars, on_warning=reading_warning)
    inputs = _Inputs(iter(documents), report, sink)
    known: dict[str, str] | None = None  # id -> content hash, as the store has it
    expected: dict[str, str] = {}  # the same for what the generation being written adds
    checkpointed = 0
    with contextlib.ExitStack() as resources:
        bar = inputs.bar = _ProgressBar(paths, max_bytes) if progress else None
        if bar is not None:
            resources.callback(bar.close)
        engine: _Engine | None = None
        more = True
        try:
            while more:
                with kgstore.write(store_path, fresh=fresh and known is None) as st:
                    if known is None:
                        known = {} if fresh else st.document_hashes()
                    deadline = time.monotonic() + 60 * checkpoint if checkpoint > 0 else None
                    todo = inputs.todo(st, known, expected, deadline)
                    if engine is None:
                        engine = _Engine.start(
                            spec, extractor, model, jobs, chunk_size, resources, report, bar
                        )
                    engine.run(st, todo, report, sink, bar)
                more = inputs.more
                known.update(expected)
                checkpointed += len(expected)
                expected.clear()
        except KeyboardInterrupt as exc:
            published = _published(store_path, expected)
            raise BuildInterrupted(report, published, checkpointed) from exc
    try:
        report.triples = len(kgstore.open_store(store_path))
    except KeyboardInterrupt as exc:
        raise BuildInterrupted(report, True, checkpointed) from exc
    return report


@dataclass
class _Inputs:
    """The documents of a build, read once across its generations: problems to the sink,
    unchanged documents counted, the rest handed out until a checkpoint's deadline."""

    source: Iterator[Document | KgError]
    report: BuildReport
    sink: Sink
    bar: _ProgressBar | None = None
    more: bool = False  # the deadline came before the inputs ended

    def todo(
        self,
        st: kgstore.GraphStore,
        stored: dict[str, str],
        expected: dict[str, str],
        deadline: float | None,
    ) -> Iterator[Document]:
        self.more = False
        for item in self.source:
            if isinstance(item, KgError):
                self.sink.problem(item)
            elif stored.get(item.id) == item.content_hash:
                self.report.unchanged.append(item.id)
                if self.bar is not None:
                    self.bar.update()
            else:
                if item.id in stored:  # changed: its old graph goes before new quads come
                    st.remove_graph(graph_iri(item.id))
                expected[item.id] = item.content_hash
                yield item
                if deadline is not None and time.monotonic() > deadline:
                    self.more = True  # publish what is in flight, then go on
                    return


@dataclass
class _Engine:
    """Where extraction runs for the length of a build: this process (or `jobs` forked
    ones), or a Dask cluster, connected and warmed once for every generation of the run."""

    extractor: Extractor | None = None
    jobs: int = 1
    cluster: Any = None
    model: str = DEFAULT_MODEL
    chunk_size: int = CHUNK_DOCUMENTS

    @classmethod
    def start(
        cls,
        spec: ClusterSpec | None,
        extractor: Extractor | None,
        model: str,
        jobs: int,
        chunk_size: int,
        resources: contextlib.ExitStack,
        report: BuildReport,
        bar: _ProgressBar | None,
    ) -> _Engine:
        if spec is None:
            return cls(extractor=extractor or make_extractor(model), jobs=jobs)
        from kg.cluster import connect

        cluster = resources.enter_context(connect(spec))
        if bar is not None:
            bar.set_description(f"build (loading the model on {spec})")
        report.workers = len(set(cluster.warm(model)))
        if bar is not None:  # the rate from here on is the cluster's, not its start-up's
            bar.restart("build")
            bar.workers(cluster.workers)
        return cls(cluster=cluster, model=model, chunk_size=chunk_size)

    def run(
        self,
        st: kgstore.GraphStore,
        documents: Iterator[Document],
        report: BuildReport,
        sink: Sink,
        bar: _ProgressBar | None,
    ) -> None:
        if self.cluster is not None:
            _extract_on(self.cluster, st, documents, self.model, self.chunk_size, report, sink, bar)
        else:
            assert self.extractor is not None
            _extract_here(st, documents, self.extractor, self.jobs, report, sink, bar)


def _extract_here(
    st: kgstore.GraphStore,
    documents: Iterator[Document],
    ex: Extractor,
    jobs: int,
    report: BuildReport,
    sink: Sink,
    bar: _ProgressBar | None,
) -> None:
    """Extraction in this process, or in `jobs` forked processes (kg.parallel)."""
    # A result's quads are written as N-Quads text here, a few per cent of its extraction;
    # the writer thread only hands the text to Oxigraph, which parses and stores it
    # outside the GIL, so spaCy runs on meanwhile.
    batch: list[str] = []
    size = 0

    def write(parts: list[str]) -> None:
        st.add_nquads("".join(parts))

    with _Writer() as writer:
        for result in ex(documents, n_process=jobs):
            nquads = document_nquads(result)
            batch.append(nquads)
            size += nquads.count("\n")
            if size >= BATCH_QUADS:
                writer.submit(write, batch)
                batch, size = [], 0
            report.built.append(result.document.id)
            warn_about_cuts(result, sink)
            report.relations.update(r.relation for r in result.relations)
            report.entities.update(e.kind for e in result.entities.values())
            if bar is not None:
                bar.update()
        writer.submit(write, batch)


def _extract_on(
    cluster: Any,
    st: kgstore.GraphStore,
    documents: Iterator[Document],
    model: str,
    chunk_size: int,
    report: BuildReport,
    sink: Sink,
    bar: _ProgressBar | None,
) -> None:
    """Extraction on a Dask cluster (a `kg.cluster.Cluster`): chunks go out, N-Quads come
    back."""
    with _Writer() as writer:
        batch: list[bytes] = []
        size = 0
        chunks = iter(lambda: list(islice(documents, chunk_size)), [])
        for _, result in cluster.map_chunks(chunks, model, chunk_size):
            batch.append(result.nquads)
            size += result.quads
            if size >= BATCH_QUADS:
                writer.submit(_load_nquads, st, batch)
                batch, size = [], 0
            for done in result.done:
                report.built.append(done.doc_id)
                _warn_about(done.source, done.doc_id, done.cut_sentences, sink)
                report.relations.update(done.relations)
                report.entities.update(done.entities)
                if bar is not None:
                    bar.update()
        writer.submit(_load_nquads, st, batch)


def _load_nquads(st: kgstore.GraphStore, parts: list[bytes]) -> None:
    import pyoxigraph as ox

    data = b"".join(parts)
    if data:
        # Oxigraph's bulk loader, fed the workers' N-Quads directly (as
        # `GraphStore.add_nquads` is, but without its default-graph copies: a cluster build
        # recomputes the default graph at publish, as `GraphStore.load` does).
        st.ox.bulk_load(data, format=ox.RdfFormat.N_QUADS)


class _Writer:
    """One batch is written to the store in a thread while the next is extracted: Oxigraph
    writes outside the GIL, and so does spaCy much of the time. Waiting for a write before
    handing over the next batch keeps memory flat. Leaving the block waits for the last
    write, also on an error: the store is never left while a write runs."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="kg-store")
        self.writing: Future[None] | None = None

    def __enter__(self) -> _Writer:
        return self

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        if self.writing is not None:
            self.writing.result()
        self.writing = self.pool.submit(fn, *args)

    def __exit__(self, *exc: object) -> None:
        try:
            if self.writing is not None and exc[0] is None:
                self.writing.result()
        finally:
            self.pool.shutdown(wait=True)


def _published(store_path: str | Path | None, expected: dict[str, str]) -> bool:
    """Whether the store now holds what this run built: an interrupt may land after the
    atomic swap (while the old generation is removed). A document is built only when its
    hash differs from the store's, so the new hashes are in the new generation only."""
    if not expected:
        return False
    try:
        hashes = kgstore.open_store(store_path).document_hashes()
    except KgError:
        return False
    return all(hashes.get(doc_id) == digest for doc_id, digest in expected.items())


_GLOB = frozenset("*?[")


def expand(paths: Iterable[str | Path]) -> Iterator[str | Path]:
    """Paths as given, and glob patterns (`'corpus/*.jsonl'`, `'archive/**/*.txt'`, quoted so
    that the shell leaves them: a million names do not fit on a command line) as the
    sorted files they match. A pattern that matches nothing stays as it is (E012)."""
    for path in paths:
        text = str(path)
        if _GLOB.isdisjoint(text) or os.path.lexists(text):
            yield path
            continue
        matches: list[str | Path] = [*sorted(glob.glob(text, recursive=True))]
        yield from matches or [path]


def count_documents(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """How many documents `paths` (globs expanded) hold, for the progress bar's ETA."""
    return documents.count_documents(expand(paths), max_bytes)


class _ProgressBar:
    """tqdm on stderr: documents/s (the whole cluster's, with `--cluster`) and an ETA. The
    total is counted in a thread, so the first documents need not wait for a walk of a
    large corpus; until then the bar counts without an ETA."""

    def __init__(self, paths: list[str | Path], max_bytes: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=None,
            unit="doc",
            desc="build",
            file=sys.stderr,
            dynamic_ncols=True,
            smoothing=0.1,
        )
        self.total: Future[int] = ThreadPoolExecutor(1).submit(count_documents, paths, max_bytes)
        self._workers: Callable[[], int] | None = None

    def set_description(self, text: str) -> None:
        self.bar.set_description(text)

    def restart(self, text: str) -> None:
        self.bar.reset(total=self.bar.total)
        self.bar.set_description(text)

    def workers(self, count: Callable[[], int]) -> None:
        self._workers = count
        self.bar.set_postfix(workers=count())

    def update(self) -> None:
        if self.bar.total is None and self.total.done() and self.total.exception() is None:
            self.bar.total = self.total.result()
        if self._workers is not None and self.bar.n % 64 == 0:
            self.bar.set_postfix(workers=self._workers(), refresh=False)
        self.bar.update()

    def close(self) -> None:
        if self.bar.total is None and self.total.done() and self.total.exception() is None:
            self.bar.total = self.total.result()
        self.bar.close()


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
    _warn_about(result.document.source, result.document.id, result.cut_sentences, sink)


def _warn_about(source: str, doc_id: str, cuts: int, sink: Sink) -> None:
    if cuts:
        path, line = _place(source)
        sink.warn("W001", path, line, doc_id=doc_id, cuts=cuts, tokens=MAX_SENTENCE_TOKENS)


def _place(source: str) -> tuple[str | None, int | None]:
    """Where a document was read: its file, and the line of a .jsonl record ("feed.jsonl:3")."""
    path, _, line = source.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return source or None, None


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

    rdf_format: ox.RdfFormat = fmt.load()
    quads = [q for r in results for q in ox.parse(document_nquads(r), format=ox.RdfFormat.N_QUADS)]
    items: list[Any] = (
        sorted(quads, key=str)
        if fmt.kind is Kind.QUADS
        else sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    )
    return ox.serialize(items, format=rdf_format, prefixes=prefixes_for(rdf_format)) or b""
