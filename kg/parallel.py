"""Extraction in worker processes on this machine (`kg build --jobs N`).

Chunks of documents go to forked workers that inherit the parent's loaded `Extractor`
(fork: the model is shared, not loaded again) and run every stage; results come back in
input order. Standard library and kg.model only: `kg.extraction.pipeline` imports this.

A worker never outlives the parent. It is forked while the parent holds the store's lock
(the lock is an open file, and a forked child holds it too), so a worker left behind by a
parent killed with SIGKILL would keep every later build out (E031). Each worker asks the
kernel to kill it when its parent dies (Linux `PR_SET_PDEATHSIG`), and exits at once if the
parent is already gone; workers ignore Ctrl-C, which the parent handles by ending them.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING, Any

from kg.model import DocResult, Document, Entity, Relation

if TYPE_CHECKING:
    from kg.extraction.pipeline import Extractor

_PR_SET_PDEATHSIG = 1

# The extractor of a worker process, inherited from the parent when it forks.
_WORKER: Any = None

Extracted = tuple[dict[str, Entity], list[Relation], int]


def die_with_parent(parent: int) -> None:
    """Make this process end when `parent` does (SIGKILL from the kernel on Linux; elsewhere
    nothing is promised), and end now if it already has."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _start_worker(extractor: Extractor, parent: int) -> None:
    global _WORKER
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the run
    _WORKER = extractor


def _extract_chunk(documents: list[Document], batch_size: int) -> list[Extracted]:
    assert _WORKER is not None
    return [(r.entities, r.relations, r.cut_sentences) for r in _WORKER(documents, batch_size)]


def in_processes(
    extractor: Extractor, documents: Iterable[Document], batch_size: int, n_process: int
) -> Iterator[DocResult]:
    """Chunks of `batch_size` documents go to `n_process` forked workers, each running
    every stage, a few chunks ahead; results come back in input order. A worker's batches
    are the ones `n_process=1` makes, so the results are the same."""
    context = multiprocessing.get_context("fork")  # workers share the loaded model
    stream = iter(documents)
    pending: deque[tuple[list[Document], Future[list[Extracted]]]] = deque()
    pool = ProcessPoolExecutor(
        n_process,
        mp_context=context,
        initializer=_start_worker,
        initargs=(extractor, os.getpid()),
    )
    finished = False
    try:
        while True:
            while len(pending) < 2 * n_process:
                chunk = list(islice(stream, batch_size))
                if not chunk:
                    break
                pending.append((chunk, pool.submit(_extract_chunk, chunk, batch_size)))
            if not pending:
                finished = True
                return
            chunk, future = pending.popleft()
            for document, (entities, relations, cuts) in zip(chunk, future.result(), strict=True):
                yield DocResult(document, entities, relations, cut_sentences=cuts)
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # stopped (Ctrl-C, an error, the consumer gave up): end the workers now
            _end(pool, [future.cancel for _, future in pending])


def _end(pool: ProcessPoolExecutor, cancels: list[Callable[[], bool]]) -> None:
    for cancel in cancels:
        cancel()
    processes = list(getattr(pool, "_processes", {}).values())  # CPython keeps them here
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)
