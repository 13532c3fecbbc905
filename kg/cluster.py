"""`kg build --cluster`: extraction on a Dask cluster (dask.distributed).

The scheduler hands out chunks of documents; each worker process loads the spaCy pipeline
once (on its first chunk, or when `warm()` asks) and keeps it, runs every stage up to the
RDF mapping, and sends back the chunk's quads as N-Quads bytes with a few counts per
document. The process that runs `kg build` holds the store: it decides what to extract
(content hashes), reads the inputs lazily, keeps a bounded number of chunks in flight, and
writes what comes back into a new store generation, published atomically as any build.

A worker that dies (killed, out of memory, its machine lost) costs the chunks it held:
the scheduler gives them to another worker. A chunk's result is taken once, from the one
future that holds it, so a document is never lost nor written twice. A chunk that kills
`distributed.scheduler.allowed-failures` + 1 workers (3 retries by default) stops the
build (E142) and the store stays as it was.

`--cluster local:N` starts a LocalCluster of N worker processes (one thread each: spaCy's
objects are not shared between threads) for the length of the run. Its workers are
started by `spawn` and do not inherit the store's lock; they end with the run, and end by
themselves when the process that started them is killed (distributed watches the parent).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.errors import KgError
from kg.model import DocResult, Document

if TYPE_CHECKING:
    from distributed import Client

    from kg.extraction.pipeline import Extractor

_LOCAL = re.compile(r"local(?::(\d+))?")
# How long to wait for a scheduler to answer, and for a cluster to have a worker.
CONNECT_SECONDS = 30.0


@dataclass(frozen=True)
class ClusterSpec:
    """Where to run: a scheduler's address, or `local` worker processes on this machine."""

    address: str | None = None
    local: int = 0

    def __str__(self) -> str:
        return f"local:{self.local}" if self.local else str(self.address)


def parse_cluster(text: str) -> ClusterSpec:
    """`local:N` (N >= 1; `local` alone: one worker per CPU) or a scheduler address
    (`tcp://host:8786`, `host:8786`, `tls://...`). Anything else: E141."""
    text = text.strip()
    local = _LOCAL.fullmatch(text)
    if local:
        count = int(local.group(1)) if local.group(1) else (os.cpu_count() or 1)
        if count < 1:
            raise KgError("E141", value=text)
        return ClusterSpec(local=count)
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    host, colon, port = rest.rpartition(":")
    if scheme not in {"tcp", "tls", "ucx", "inproc", "ws", "wss"} or not host or not colon:
        raise KgError("E141", value=text)
    if not port.isdigit() or not 0 < int(port) < 65536 or any(c.isspace() for c in host):
        raise KgError("E141", value=text)
    return ClusterSpec(address=f"{scheme}://{rest}")


# -- on a worker ------------------------------------------------------------------------


@dataclass
class Done:
    """What a document's extraction tells the build besides its quads."""

    doc_id: str
    source: str
    relations: Counter[str]
    entities: Counter[str]
    cut_sentences: int


@dataclass
class ChunkResult:
    nquads: bytes
    quads: int
    done: list[Done] = field(default_factory=list)
    worker: int = 0  # the worker's process id


_EXTRACTORS: dict[str, Extractor] = {}
_LOADS: Counter[str] = Counter()
# One chunk at a time per process: a worker started with several threads shares one
# pipeline, and spaCy's objects are not made for concurrent calls.
_LOCK = threading.Lock()


def _extractor(model: str) -> Extractor:
    if model not in _EXTRACTORS:
        from kg.extraction.pipeline import Extractor

        _EXTRACTORS[model] = Extractor(model)
        _LOADS[model] += 1
    return _EXTRACTORS[model]


def warm(model: str) -> int:
    """Load the pipeline on this worker (once); its process id."""
    with _LOCK:
        _extractor(model)
    return os.getpid()


def loads(model: str) -> tuple[int, int]:
    """(process id, how many times this process loaded `model`): tests check it is once."""
    return os.getpid(), _LOADS[model]


_BUSY: list[float] = [0.0, 0.0]  # CPU seconds in chunks on this worker, documents extracted


def busy() -> tuple[float, int]:
    """(CPU seconds in `extract_chunk`, documents) of this worker: the benchmark's measure
    of work that a busy machine's wall clock hides."""
    return _BUSY[0], int(_BUSY[1])


def extract_chunk(documents: list[Document], model: str, batch_size: int) -> ChunkResult:
    """The task: every stage for `documents`, then their quads as N-Quads bytes."""
    from kg.graph.rdf import document_nquads

    with _LOCK:
        began = time.thread_time()
        results: list[DocResult] = list(_extractor(model)(documents, batch_size))
        data = "".join(map(document_nquads, results)).encode()  # kg build's own writer
        _BUSY[0] += time.thread_time() - began
        _BUSY[1] += len(results)
    done = [
        Done(
            r.document.id,
            r.document.source,
            Counter(rel.relation for rel in r.relations),
            Counter(str(e.kind) for e in r.entities.values()),
            r.cut_sentences,
        )
        for r in results
    ]
    return ChunkResult(data, data.count(b"\n"), done, os.getpid())


# -- in the process that builds ----------------------------------------------------------


class Cluster:
    """A connected Dask client (and the LocalCluster it started, if any)."""

    def __init__(self, client: Client, spec: ClusterSpec) -> None:
        self.client = client
        self.spec = spec

    def workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def threads(self) -> int:
        info = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return sum(int(w.get("nthreads", 1)) for w in info.values()) or 1

    def warm(self, model: str) -> list[int]:
        """Load the pipeline on every worker now, in parallel; their process ids. A worker
        that joins later loads it with its first chunk."""
        self._wait_for_workers()
        workers = list(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        futures = [
            self.client.submit(warm, model, workers=[w], allow_other_workers=True, pure=False)
            for w in workers
        ]
        return [int(pid) for pid in self.client.gather(futures)]

    def _wait_for_workers(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except (TimeoutError, OSError) as exc:
            raise KgError("E143", address=str(self.spec), seconds=CONNECT_SECONDS) from exc

    def map_chunks(
        self, chunks: Iterable[list[Document]], model: str, batch_size: int
    ) -> Iterator[tuple[list[Document], ChunkResult]]:
        """Each chunk's result as it completes (not in input order), with at most twice as
        many chunks in flight as the cluster has threads, so that memory stays bounded
        whatever the corpus."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        stream = iter(chunks)
        window = max(2, 2 * self.threads())
        pending: dict[Any, tuple[list[Document], Any]] = {}
        running = as_completed(loop=self.client.loop)

        def submit() -> bool:
            chunk = next(stream, None)
            if chunk is None:
                return False
            future = self.client.submit(extract_chunk, chunk, model, batch_size, pure=False)
            pending[future.key] = (chunk, future)
            running.add(future)
            return True

        try:
            while len(pending) < window and submit():
                pass
            for future in running:
                chunk, _ = pending.pop(future.key)
                try:
                    result: ChunkResult = future.result()
                except KilledWorker as exc:
                    raise _killed(chunk) from exc
                except (CancelledError, OSError) as exc:  # the scheduler went away
                    raise KgError(
                        "E140", address=str(self.spec), reason=f"lost: {_reason(exc)}"
                    ) from exc
                finally:
                    future.release()
                submit()
                yield chunk, result
        finally:  # stopped early: nothing more is computed for this run
            if pending:
                with contextlib.suppress(Exception):
                    self.client.cancel([future for _, future in pending.values()])


def _killed(chunk: list[Document]) -> KgError:
    first = chunk[0]
    path, _, line = first.source.rpartition(":")
    if path and line.isdigit():
        return KgError("E142", path, int(line), doc_id=first.id, count=len(chunk))
    return KgError("E142", first.source or None, doc_id=first.id, count=len(chunk))


@contextlib.contextmanager
def connect(spec: ClusterSpec) -> Iterator[Cluster]:
    """A client of the cluster `spec` names, closed at the end (and the LocalCluster with
    it). E140 when the scheduler cannot be reached."""

    # A worker's death is the scheduler's business (it retries the chunk); its log lines
    # would only break up the build's own output. Restored when the run ends.
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with _client(spec) as client:
            yield Cluster(client, spec)
    finally:
        quiet.setLevel(level)


def _ignore_interrupts(dask_worker: Any = None) -> None:
    """In a worker of a LocalCluster: Ctrl-C at the terminal reaches every process of the
    group, and the build (which ends the workers) is the one to handle it."""
    with contextlib.suppress(ValueError):  # only possible in a main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while LocalCluster spawns its workers: an ignored signal stays ignored
    across exec, and Python then installs no KeyboardInterrupt handler of its own."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _client(spec: ClusterSpec) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    cluster: Any = None
    try:
        if spec.local:
            with _sigint_ignored():
                cluster = LocalCluster(
                    n_workers=spec.local,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            client = Client(cluster, set_as_default=False)
            # workers the nanny restarts later (after a crash) are spawned with Python's handler
            client.register_worker_callbacks(_ignore_interrupts)
        else:
            client = Client(spec.address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()
        raise KgError("E140", address=str(spec), reason=_reason(exc)) from exc
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
