"""`kg build`: extract documents and write their named graphs into the store, atomically.

Only new or changed documents are processed (their content hash is kept in the graph);
a changed document's named graph is replaced as a whole. Problems with single inputs
are reported through `on_problem` and the rest still builds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg import store as kgstore
from kg.documents import DEFAULT_MAX_BYTES, Document, iter_documents
from kg.errors import KgError
from kg.pipeline import Extractor
from kg.rdf import document_quads, graph_iri
from kg.settings import DEFAULT_MODEL


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[KgError] = field(default_factory=list)
    relations: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)
    triples: int = 0


def build(paths: Iterable[str | Path], store_path: str | Path | None = None,
          model: str = DEFAULT_MODEL, fresh: bool = False, jobs: int = 1,
          max_bytes: int = DEFAULT_MAX_BYTES,
          on_problem: Callable[[KgError], None] | None = None,
          extractor: Extractor | None = None) -> BuildReport:
    report = BuildReport()
    paths = list(paths)

    def problem(err: KgError) -> None:
        report.problems.append(err)
        if on_problem:
            on_problem(err)

    with kgstore.write(store_path, fresh=fresh) as st:
        known = {} if fresh else st.document_hashes()

        def todo() -> Iterator[Document]:
            for item in iter_documents(paths, max_bytes):
                if isinstance(item, KgError):
                    problem(item)
                elif known.get(item.id) == item.content_hash:
                    report.unchanged.append(item.id)
                else:
                    yield item

        ex = extractor or Extractor(model)
        for result in ex(todo(), n_process=jobs):
            st.replace_graph(graph_iri(result.document.id), document_quads(result))
            report.built.append(result.document.id)
            report.relations.update(r.relation for r in result.relations)
            report.entities.update(e.kind for e in result.entities.values())
    report.triples = len(kgstore.open_store(store_path))
    return report


def remove(doc_ids: Iterable[str], store_path: str | Path | None = None) -> list[str]:
    """Drop documents' named graphs; returns the ids that were not in the store."""
    missing = []
    with kgstore.write(store_path) as st:
        for doc_id in doc_ids:
            if not st.remove_graph(graph_iri(doc_id)):
                missing.append(doc_id)
    return missing
