"""What the child processes of tests/test_reliability.py run.

They start from a multiprocessing fork server that imported this module, so the spaCy
pipeline is loaded once and shared. Not from the test process itself: it has opened
Oxigraph stores, and a child forked from it inherits RocksDB's state without its background
threads, so its first flush waits forever.
"""

from __future__ import annotations

import os
import resource
import signal
from collections.abc import Iterable, Iterator
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from kg.build import build
from kg.errors import KgError
from kg.extraction.pipeline import Extractor
from kg.model import DocResult

EXTRACTOR = Extractor()


def run_build(corpus: Path, store: Path) -> None:
    build([corpus], store, extractor=EXTRACTOR)


class _Gate:
    """Holds the build (and so the store's lock) until the test releases it."""

    def __init__(self, inside: Event, release: Event) -> None:
        self.nlp = EXTRACTOR.nlp
        self.inside, self.release = inside, release

    def __call__(self, documents: Iterable[Any], **kwargs: Any) -> Iterator[DocResult]:
        self.inside.set()
        self.release.wait(120)
        return EXTRACTOR(documents, **kwargs)


def gated_build(corpus: Path, store: Path, inside: Event, release: Event) -> None:
    build([corpus], store, extractor=_Gate(inside, release))  # type: ignore[arg-type]


def failing_build(corpus: Path, store: Path, how: str, answer: SimpleQueue) -> None:
    """Build under a fault; put the error as the user would see it."""
    try:
        if how == "full disk":  # no file may grow past 64 kB: writes fail with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        elif how == "nobody":  # root writes anywhere; someone else may not
            os.setgid(65534)
            os.setuid(65534)
        build([corpus], store, extractor=EXTRACTOR)
        answer.put("no error")
    except KgError as exc:
        answer.put(str(exc))
    except BaseException as exc:  # noqa: BLE001 - a traceback is the failure looked for
        answer.put(f"not a KgError: {exc!r}")
