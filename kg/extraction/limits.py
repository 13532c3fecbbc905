"""Bounds on the work one document can cost, so hostile input neither hangs nor exhausts memory.

Files are bounded when read (`kg.extraction.documents`: `max_bytes` per file, `max_chars` per
document).
This module bounds sentences: the relation rules match dependency trees within a sentence,
and their cost grows combinatorially with its length (a 750-token "sentence" took 2 s, a
3,800-token one over 5 minutes). A run of text without a sentence end longer than
`max_tokens` is cut into pieces of `max_tokens` tokens before parsing; the longest sentence
of the development articles has 62 tokens, so real prose is not touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.language import Language as _Language
from spacy.tokens import Doc

if TYPE_CHECKING:
    from spacy.language import Language

MAX_SENTENCE_TOKENS = 200
CUT_KEY = "kg_cut_sentences"


class SentenceCap:
    """Force a sentence start after every `max_tokens` tokens without one."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def __call__(self, doc: Doc) -> Doc:
        run = cuts = 0
        for token in doc:
            if token.is_sent_start:  # set by kg_paragraphs: a line break
                run = 0
            elif run >= self.max_tokens:
                token.is_sent_start = True
                run = 0
                cuts += 1
            run += 1
        if cuts:
            doc.user_data[CUT_KEY] = cuts
        return doc


@_Language.factory(
    "kg_sentence_cap",
    default_config={"max_tokens": MAX_SENTENCE_TOKENS},
    assigns=["token.is_sent_start"],
)
def make_sentence_cap(nlp: Language, name: str, max_tokens: int) -> SentenceCap:
    return SentenceCap(max_tokens)


def cap_sentences(nlp: Language, max_tokens: int = MAX_SENTENCE_TOKENS) -> Language:
    """Add the cap just before the parser (after the paragraph boundaries); idempotent."""
    if "kg_sentence_cap" in nlp.pipe_names:
        cap = nlp.get_pipe("kg_sentence_cap")
        assert isinstance(cap, SentenceCap)
        cap.max_tokens = max_tokens
    elif "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_sentence_cap", before="parser", config={"max_tokens": max_tokens})
    return nlp
