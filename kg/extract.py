"""`kg extract` and `kg eval`: extraction without a store."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg.documents import Document, iter_documents
from kg.errors import KgError
from kg.evaluate import Pred, Score, load_gold, score
from kg.pipeline import DocResult, Extractor, relation_rows, to_tsv

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

    from kg.rdf import document_quads
    from kg.store import FORMATS, to_ox
    from kg.vocab import PREFIXES

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


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_predictions(path: Path) -> list[Pred]:
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
        if line.strip() and not line.startswith("#")
    ]
    reader = csv.DictReader(lines, delimiter="\t")
    need = {"doc", "subject", "relation", "object"}
    if not reader.fieldnames or not need <= set(reader.fieldnames):
        raise KgError("E051", str(path))
    return [(r["doc"], r["subject"], r["relation"], r["object"]) for r in reader]


def evaluate(
    gold_path: Path,
    paths: Iterable[str | Path],
    pred_path: Path | None,
    model: str,
    all_docs: bool = False,
    on_problem: Problem | None = None,
) -> Score:
    """Score predictions (extracted now, or read from `pred_path`) against a gold file.

    By default only documents that the gold file covers are scored, so a folder holding
    other articles too can be evaluated against one gold file. Gold documents that are
    not among the inputs are reported (their rows count as misses)."""
    gold = load_gold(gold_path)
    read: set[str] = set()
    if pred_path is not None:
        preds = read_predictions(pred_path)
        read = {p[0] for p in preds}
    else:
        problems: list[KgError] = []
        preds = []
        for doc_result in _extractor(model)(documents(paths, problems, on_problem)):
            read.add(doc_result.document.id)
            for row in relation_rows(doc_result):
                preds.append(
                    (
                        row["doc"],
                        " ".join(row["subject"].split()),
                        row["relation"],
                        " ".join(row["object"].split()),
                    )
                )
    docs = None if all_docs else {g.doc for g in gold}
    result = score(gold, preds, docs)
    if pred_path is None:
        result.missing_docs = sorted({g.doc for g in gold} - read)
    return result
