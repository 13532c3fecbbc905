"""The data kg's spaCy components receive through their config.

A component's config names its data with a registered function, spaCy's own way of
handing a component an object (``{"@misc": "kg.gazetteer.v1"}``); a caller can name
another function in ``nlp.add_pipe(..., config=...)``. No component reaches for the data
itself.
"""

from __future__ import annotations

from typing import Any

from spacy.util import registry

from kg.extraction.gazetteer import Gazetteer, load_gazetteer
from kg.extraction.lexicon import Lexicon, load_lexicon

#: Config values: the bundled gazetteer and lexicon (each read once per process).
GAZETTEER: dict[str, Any] = {"@misc": "kg.gazetteer.v1"}
LEXICON: dict[str, Any] = {"@misc": "kg.lexicon.v1"}


@registry.misc("kg.gazetteer.v1")
def bundled_gazetteer() -> Gazetteer:
    return load_gazetteer()


@registry.misc("kg.lexicon.v1")
def bundled_lexicon() -> Lexicon:
    return load_lexicon()
