"""Parses built by hand (words, heads, deps, tags, entities), for tests that pin a rule or a
repair on the tree as the small parser gets it, not on what the model happens to give."""

from __future__ import annotations

from spacy.tokens import Doc
from spacy.vocab import Vocab


def hand_doc(vocab: Vocab, rows: list[tuple[str, int, str, str, str, str]]) -> Doc:
    """rows: (word, head index, dep, pos, lemma, entity IOB tag like 'B-GPE' or 'O')."""
    words = [r[0] for r in rows]
    return Doc(
        vocab,
        words=words,
        spaces=[True] * (len(words) - 1) + [False],
        heads=[r[1] for r in rows],
        deps=[r[2] for r in rows],
        pos=[r[3] for r in rows],
        lemmas=[r[4] for r in rows],
        ents=[r[5] for r in rows],
        sent_starts=[True] + [False] * (len(words) - 1),
    )
