"""The spaCy pipeline's repairs (kg/nlp.py) on sentences written for these tests."""

from __future__ import annotations

from spacy.tokens import Doc

from kg.nlp import load_pipeline, span_repair


def test_nlp_dateline_is_cut_from_a_name_the_model_ran_into_it() -> None:
    # the small model reads "GENEVA - Ana Rivera" as one organisation; pinned on a hand-built
    # Doc so the test holds whatever the model does
    vocab = load_pipeline().vocab
    words = ["GENEVA", "-", "Ana", "Rivera", "said", "the", "talks", "failed", "."]
    doc = Doc(vocab, words=words, spaces=[True] * 8 + [False],
              pos=["PROPN", "PUNCT", "PROPN", "PROPN", "VERB", "DET", "NOUN", "VERB", "PUNCT"],
              ents=["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O", "O", "O", "O"],
              sent_starts=[True] + [False] * 8)
    assert [(e.text, e.label_) for e in span_repair(doc).ents] == [("Ana Rivera", "PERSON")]
    doc = Doc(vocab, words=["VIENNA", "-", "Countries", "met", "."],
              pos=["PROPN", "PUNCT", "PROPN", "VERB", "PUNCT"],
              ents=["B-ORG", "I-ORG", "I-ORG", "O", "O"], sent_starts=[True] + [False] * 4)
    assert list(span_repair(doc).ents) == []


def test_nlp_dateline_before_a_common_noun_makes_no_name() -> None:
    doc = load_pipeline()("VIENNA - Countries that have joined the treaty met on Monday.")
    assert not any("Countries" in e.text for e in doc.ents)


def test_nlp_surname_that_is_a_country_name_stays_in_the_person() -> None:
    doc = load_pipeline()("Former basketball star Michael Jordan visited Chicago.")
    assert ("Michael Jordan", "PERSON") in {(e.text, e.label_) for e in doc.ents}
    # an organisation name ending in a country keeps the country out of any person
    doc = load_pipeline()("Maria Lopez of Burma Campaign UK spoke on Monday.")
    assert not any(e.label_ == "PERSON" and e.text.endswith("UK") for e in doc.ents)
