"""kg.extraction.repair: the parse repairs, on trees built by hand as the small parser
gets them wrong."""

from __future__ import annotations

from doc_fixture import hand_doc
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.extraction.repair import _repair_parse


def _doc(rows: list[tuple[str, int, str, str, str]]) -> Doc:
    """rows: (word, head index, dep, pos, entity IOB tag); the lemma is the word."""
    return hand_doc(Vocab(), [(w, h, d, p, w.lower(), e) for w, h, d, p, e in rows])


def test_repair_a_name_torn_out_of_a_list_is_its_next_member() -> None:
    # "The ministers of Chile, Peru, Brunei Darussalam, Ghana and Fiji rejected the plan."
    # as the parser reads long lists: "Darussalam" the verb's subject, the rest hung on it
    doc = _doc(
        [
            ("The", 1, "det", "DET", "O"),
            ("ministers", 15, "nsubj", "NOUN", "O"),
            ("of", 1, "prep", "ADP", "O"),
            ("Chile", 2, "pobj", "PROPN", "B-GPE"),
            (",", 3, "punct", "PUNCT", "O"),
            ("Peru", 3, "conj", "PROPN", "B-GPE"),
            (",", 3, "punct", "PUNCT", "O"),
            ("Brunei", 8, "compound", "PROPN", "B-GPE"),
            ("Darussalam", 15, "nsubj", "PROPN", "I-GPE"),
            (",", 8, "punct", "PUNCT", "O"),
            ("Ghana", 8, "appos", "PROPN", "B-GPE"),
            ("and", 10, "cc", "CCONJ", "O"),
            ("Fiji", 10, "conj", "PROPN", "B-GPE"),
            (",", 8, "punct", "PUNCT", "O"),
            ("then", 15, "advmod", "ADV", "O"),
            ("rejected", 15, "ROOT", "VERB", "O"),
            ("the", 17, "det", "DET", "O"),
            ("plan", 15, "dobj", "NOUN", "O"),
        ]
    )
    _repair_parse(doc, frozenset())
    assert (doc[8].head.text, doc[8].dep_) == ("Peru", "conj")
    assert doc[10].dep_ == "conj" and doc[10].head.text == "Darussalam"
    # Fiji hangs on Ghana as before; every member is now in the list under "of"
    assert {t.text for t in doc[3].conjuncts} == {"Peru", "Darussalam", "Ghana", "Fiji"}


def test_repair_leaves_a_place_after_a_place_alone() -> None:
    # "In Lima, Peru, the ministers met.": no list, nothing moves
    doc = _doc(
        [
            ("In", 6, "prep", "ADP", "O"),
            ("Lima", 0, "pobj", "PROPN", "B-GPE"),
            (",", 1, "punct", "PUNCT", "O"),
            ("Peru", 1, "appos", "PROPN", "B-GPE"),
            (",", 6, "punct", "PUNCT", "O"),
            ("the", 6, "det", "DET", "O"),
            ("ministers", 7, "nsubj", "NOUN", "O"),
            ("met", 7, "ROOT", "VERB", "O"),
        ]
    )
    before = [(t.head.i, t.dep_) for t in doc]
    _repair_parse(doc, frozenset())
    assert [(t.head.i, t.dep_) for t in doc] == before
