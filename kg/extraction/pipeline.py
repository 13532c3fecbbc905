"""The extraction pipeline: documents -> nlp -> mentions -> entities -> relations.

An `Extractor` streams one `DocResult` per document (spaCy's `nlp.pipe` batches the
texts); nothing here touches the store, so `kg extract` and a notebook use the same calls.
With `n_process > 1` every stage, not only spaCy's, runs in worker processes.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
from collections.abc import Iterable, Iterator
from dataclasses import replace

from spacy.tokens import Doc

from kg.extraction.documents import page_lexicon
from kg.extraction.entities import resolve
from kg.extraction.gazetteer import load_gazetteer
from kg.extraction.lexicon import load_lexicon
from kg.extraction.limits import CUT_KEY
from kg.extraction.mentions import find_mentions
from kg.extraction.nlp import DEFAULT_MODEL, load_pipeline
from kg.extraction.reading import story_text, truecase_headlines, unwrap
from kg.extraction.relations import RelationEngine
from kg.model import DocResult, Document, Relation
from kg.parallel import in_processes


class Extractor:
    """Holds the loaded model and compiled rules; call it on documents."""

    def __init__(self, model: str = DEFAULT_MODEL) -> None:
        self.gaz = load_gazetteer()
        self.lexicon = load_lexicon()
        self.nlp = load_pipeline(model)
        self.relations = RelationEngine(self.nlp.vocab, self.gaz, lexicon=self.lexicon)
        self.page = page_lexicon()
        # words a Title-Case headline keeps capitalised: the names kg knows
        self.names = frozenset([*self.gaz.names, *self.gaz.demonyms, *self.gaz.capitals])

    def parse_text(self, document: Document) -> str:
        """What spaCy reads: the document's text with the page around the story blanked out
        and Title-Case headlines in sentence case, hard-wrapped lines joined first (a line cut
        at the margin is no headline) (kg.extraction.reading), offsets kept."""
        text = unwrap(document.text)
        return story_text(truecase_headlines(text, self.names), self.page)

    def __call__(
        self, documents: Iterable[Document], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[DocResult]:
        if n_process > 1 and "fork" in multiprocessing.get_all_start_methods():
            yield from in_processes(self, documents, batch_size, n_process)
            return
        pairs = ((self.parse_text(d), d) for d in documents)
        for doc, document in self.nlp.pipe(
            pairs, as_tuples=True, batch_size=batch_size, n_process=n_process
        ):
            yield self.finish(doc, document)

    def finish(self, doc: Doc, document: Document) -> DocResult:
        """The stages after spaCy: mentions, entities, relations."""
        mentions = find_mentions(doc, self.gaz, self.lexicon)
        res = resolve(doc, mentions, self.gaz, self.lexicon, date=document.date, doc_id=document.id)
        found = self.relations(doc, res, document.id)
        # the entities the rules named by a common noun join stage 4's
        entities = {**res.entities, **found.entities}
        cuts = int(doc.user_data.get(CUT_KEY, 0))  # reported as warning W001
        relations = found.relations
        if doc.text != document.text:  # the evidence quotes the document, not what spaCy read
            relations = [_quoting(r, document.text) for r in relations]
        return DocResult(document, entities, relations, cut_sentences=cuts)


def _quoting(rel: Relation, text: str) -> Relation:
    ev = rel.evidence
    sentence = text[ev.sentence_start : ev.sentence_end]
    return rel if sentence == ev.sentence else replace(rel, evidence=replace(ev, sentence=sentence))


TSV_COLUMNS = [
    "doc",
    "subject",
    "relation",
    "object",
    "confidence",
    "pattern",
    "sentence_start",
    "sentence_end",
    "subject_key",
    "object_key",
    "sentence",
]


def relation_rows(result: DocResult) -> Iterator[dict[str, str]]:
    """The extraction contract's rows (../shared/spec/relations.md) for one document."""
    ents = result.entities
    for rel in result.relations:
        ev = rel.evidence
        subject = ents[rel.subject].label
        obj = rel.object if rel.object_is_text else ents[rel.object].label
        yield {
            "doc": result.document.id,
            "subject": subject,
            "relation": rel.relation,
            "object": obj,
            "confidence": f"{ev.confidence:.2f}",
            "pattern": ev.pattern,
            "sentence_start": str(ev.sentence_start),
            "sentence_end": str(ev.sentence_end),
            "subject_key": rel.subject,
            "object_key": "" if rel.object_is_text else rel.object,
            "sentence": ev.sentence,
        }


def to_tsv(results: Iterable[DocResult]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, TSV_COLUMNS, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL
    )
    writer.writeheader()
    for result in results:
        for row in relation_rows(result):
            writer.writerow({k: " ".join(v.split()) for k, v in row.items()})
    return out.getvalue()
