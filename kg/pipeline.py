"""The extraction pipeline: documents -> nlp -> mentions -> entities -> relations.

`extract()` streams one `DocResult` per document (spaCy's `nlp.pipe` batches the texts);
nothing here touches the store, so `kg extract` and a notebook use the same calls.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kg.documents import Document
from kg.entities import Entity, resolve
from kg.gazetteer import load_gazetteer
from kg.mentions import find_mentions
from kg.nlp import DEFAULT_MODEL, load_pipeline
from kg.relations import Relation, RelationExtractor


@dataclass
class DocResult:
    document: Document
    entities: dict[str, Entity]
    relations: list[Relation]


class Extractor:
    """Holds the loaded model and compiled rules; call it on documents."""

    def __init__(self, model: str = DEFAULT_MODEL) -> None:
        self.gaz = load_gazetteer()
        self.nlp = load_pipeline(model)
        self.rules = RelationExtractor(self.nlp.vocab, self.gaz)

    def __call__(self, documents: Iterable[Document], batch_size: int = 16,
                 n_process: int = 1) -> Iterator[DocResult]:
        pairs = ((d.text, d) for d in documents)
        for doc, document in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size,
                                           n_process=n_process):
            mentions = find_mentions(doc, self.gaz)
            res = resolve(doc, mentions, self.gaz)
            relations = self.rules(doc, res, document.id)
            yield DocResult(document, res.entities, relations)


TSV_COLUMNS = ["doc", "subject", "relation", "object", "confidence", "pattern",
               "sentence_start", "sentence_end", "subject_key", "object_key", "sentence"]


def relation_rows(result: DocResult) -> Iterator[dict[str, str]]:
    """The extraction contract's rows (../shared/spec/relations.md) for one document."""
    ents = result.entities
    for rel in result.relations:
        ev = rel.evidence
        subject = ents[rel.subject].label
        obj = rel.object if rel.object_is_text else ents[rel.object].label
        yield {
            "doc": result.document.id, "subject": subject, "relation": rel.relation,
            "object": obj, "confidence": f"{ev.confidence:.2f}", "pattern": ev.pattern,
            "sentence_start": str(ev.sentence_start), "sentence_end": str(ev.sentence_end),
            "subject_key": rel.subject, "object_key": "" if rel.object_is_text else rel.object,
            "sentence": ev.sentence,
        }


def to_tsv(results: Iterable[DocResult]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, TSV_COLUMNS, delimiter="\t", lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for result in results:
        for row in relation_rows(result):
            writer.writerow({k: " ".join(v.split()) for k, v in row.items()})
    return out.getvalue()
