"""The extraction pipeline (kg/extraction/pipeline.py): worker processes give what one
process gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.extraction.documents import iter_documents
from kg.extraction.pipeline import Extractor, to_tsv
from kg.model import DocResult, Document

ARTICLES = Path(__file__).resolve().parents[2] / "data" / "articles"


def test_pipeline_worker_processes_run_every_stage_with_the_same_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ex = Extractor()
    docs = [d for d in iter_documents([ARTICLES]) if isinstance(d, Document)][:6]
    one = list(ex(docs, batch_size=2))
    parent = os.getpid()
    finished_here: list[str] = []
    finish = Extractor.finish

    def spy(self: Extractor, doc: object, document: Document) -> DocResult:
        if os.getpid() == parent:
            finished_here.append(document.id)
        return finish(self, doc, document)  # type: ignore[arg-type]

    monkeypatch.setattr(Extractor, "finish", spy)
    two = list(ex(docs, batch_size=2, n_process=2))
    assert finished_here == []  # mentions, entities and rules ran in the workers
    assert [r.document.id for r in two] == [d.id for d in docs]
    assert sum(len(r.relations) for r in one) > 50
    assert to_tsv(two) == to_tsv(one)
    assert [r.entities for r in two] == [r.entities for r in one]
