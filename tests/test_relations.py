"""Relation rules. Unit tests pin a rule on a hand-built parse (words, heads, deps), so
they test the rule and not the statistical model; construction tests run the real model
on sentences written for these tests (not copied from the sample articles)."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from kg.documents import Document
from kg.entities import resolve
from kg.gazetteer import load_gazetteer
from kg.mentions import find_mentions
from kg.nlp import load_pipeline
from kg.pipeline import Extractor, relation_rows
from kg.relations import RelationExtractor


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def hand_doc(vocab, rows: list[tuple[str, int, str, str, str, str]]) -> Doc:
    """rows: (word, head index, dep, pos, lemma, entity IOB tag like 'B-GPE' or 'O')."""
    words = [r[0] for r in rows]
    doc = Doc(vocab, words=words, spaces=[True] * (len(words) - 1) + [False],
              heads=[r[1] for r in rows], deps=[r[2] for r in rows], pos=[r[3] for r in rows],
              lemmas=[r[4] for r in rows], ents=[r[5] for r in rows],
              sent_starts=[True] + [False] * (len(words) - 1))
    return doc


def run_rules(doc: Doc) -> set[tuple[str, str, str]]:
    gaz = load_gazetteer()
    rules = RelationExtractor(load_pipeline().vocab, gaz)
    res = resolve(doc, find_mentions(doc, gaz), gaz)
    out = set()
    for rel in rules(doc, res, "t"):
        obj = rel.object if rel.object_is_text else res.entities[rel.object].label
        out.add((res.entities[rel.subject].label, rel.relation, obj))
    return out


def test_relations_boycott_verb_gives_one_relation_per_conjunct() -> None:
    vocab = load_pipeline().vocab
    doc = hand_doc(vocab, [
        ("Canada", 3, "nsubj", "PROPN", "Canada", "B-GPE"),
        ("and", 0, "cc", "CCONJ", "and", "O"),
        ("Norway", 0, "conj", "PROPN", "Norway", "B-GPE"),
        ("boycott", 3, "ROOT", "VERB", "boycott", "O"),
        ("the", 6, "det", "DET", "the", "O"),
        ("Winter", 6, "compound", "PROPN", "Winter", "B-EVENT"),
        ("Olympics", 3, "dobj", "PROPN", "Olympics", "I-EVENT"),
    ])
    assert run_rules(doc) == {("Canada", "boycotts", "Winter Olympics"),
                              ("Norway", "boycotts", "Winter Olympics")}


def test_relations_negated_boycott_gives_nothing() -> None:
    vocab = load_pipeline().vocab
    doc = hand_doc(vocab, [
        ("Canada", 3, "nsubj", "PROPN", "Canada", "B-GPE"),
        ("will", 3, "aux", "AUX", "will", "O"),
        ("not", 3, "neg", "PART", "not", "O"),
        ("boycott", 3, "ROOT", "VERB", "boycott", "O"),
        ("the", 6, "det", "DET", "the", "O"),
        ("Winter", 6, "compound", "PROPN", "Winter", "B-EVENT"),
        ("Olympics", 3, "dobj", "PROPN", "Olympics", "I-EVENT"),
    ])
    assert not {r for r in run_rules(doc) if r[1] == "boycotts"}


def test_relations_refusal_governing_boycott_noun_gives_nothing() -> None:
    vocab = load_pipeline().vocab
    # "Italy ruled out a boycott of the Winter Olympics"
    doc = hand_doc(vocab, [
        ("Italy", 1, "nsubj", "PROPN", "Italy", "B-GPE"),
        ("ruled", 1, "ROOT", "VERB", "rule", "O"),
        ("out", 1, "prt", "ADP", "out", "O"),
        ("a", 4, "det", "DET", "a", "O"),
        ("boycott", 1, "dobj", "NOUN", "boycott", "O"),
        ("of", 4, "prep", "ADP", "of", "O"),
        ("the", 8, "det", "DET", "the", "O"),
        ("Winter", 8, "compound", "PROPN", "Winter", "B-EVENT"),
        ("Olympics", 5, "pobj", "PROPN", "Olympics", "I-EVENT"),
    ])
    assert not {r for r in run_rules(doc) if r[1] == "boycotts"}


def test_relations_represents_apposition_keeps_role() -> None:
    vocab = load_pipeline().vocab
    # "Jane Roe, executive director of Amnesty International, spoke."
    doc = hand_doc(vocab, [
        ("Jane", 1, "compound", "PROPN", "Jane", "B-PERSON"),
        ("Roe", 9, "nsubj", "PROPN", "Roe", "I-PERSON"),
        (",", 1, "punct", "PUNCT", ",", "O"),
        ("executive", 4, "amod", "ADJ", "executive", "O"),
        ("director", 1, "appos", "NOUN", "director", "O"),
        ("of", 4, "prep", "ADP", "of", "O"),
        ("Amnesty", 7, "compound", "PROPN", "Amnesty", "B-ORG"),
        ("International", 5, "pobj", "PROPN", "International", "I-ORG"),
        (",", 1, "punct", "PUNCT", ",", "O"),
        ("spoke", 9, "ROOT", "VERB", "speak", "O"),
    ])
    gaz = load_gazetteer()
    rules = RelationExtractor(vocab, gaz)
    res = resolve(doc, find_mentions(doc, gaz), gaz)
    rels = [r for r in rules(doc, res, "t") if r.relation == "represents"]
    assert [(res.entities[r.subject].label, res.entities[r.object].label) for r in rels] == [
        ("Jane Roe", "Amnesty International")]
    assert rels[0].evidence.role == "executive director"
    assert rels[0].evidence.pattern == "represents.appos-prep"


CONSTRUCTIONS = [
    # coordination after "with governments in ... following suit"
    ("The United States has led the diplomatic boycott of the Tokyo 2030 Winter Olympics, "
     "with governments in Canada, Denmark and Japan following suit.",
     {("United States", "boycotts", "Tokyo 2030 Winter Olympics"),
      ("Canada", "boycotts", "Tokyo 2030 Winter Olympics"),
      ("Denmark", "boycotts", "Tokyo 2030 Winter Olympics"),
      ("Japan", "boycotts", "Tokyo 2030 Winter Olympics")}),
    # passive voice with a list of agents
    ("A diplomatic boycott of Paris 2030 has so far been backed by Brazil, Chile, Peru and Mexico.",
     {("Brazil", "boycotts", "Paris 2030"), ("Chile", "boycotts", "Paris 2030"),
      ("Peru", "boycotts", "Paris 2030"), ("Mexico", "boycotts", "Paris 2030")}),
    # refusal in a relative clause
    ("Italy, which has ruled out a boycott of the 2030 Winter Olympics, will send a minister.",
     set()),
    # premodifying title with a demonym; counterpart apposition; a phone call is a meeting
    ("Kenyan Foreign Minister Alfred Mutua has held a phone call with his Ethiopian "
     "counterpart Demeke Mekonnen.",
     {("Alfred Mutua", "represents", "Kenya"), ("Demeke Mekonnen", "represents", "Ethiopia"),
      ("Alfred Mutua", "metWith", "Demeke Mekonnen")}),
    # hedged future counts
    ("UN Secretary-General António Guterres is due to visit the Paris 2024 Summer Olympics.",
     {("António Guterres", "represents", "United Nations"),
      ("António Guterres", "attends", "Paris 2024 Summer Olympics")}),
    # relative clause with co-signatories
    ("Talks on a 2015 nuclear deal Iran signed with the US, China and Germany resumed.",
     {("Iran", "signatoryOf", "2015 nuclear deal"),
      ("United States", "signatoryOf", "2015 nuclear deal"),
      ("China", "signatoryOf", "2015 nuclear deal"),
      ("Germany", "signatoryOf", "2015 nuclear deal")}),
    # apposition with a possessive organisation; "did not say" is no statement
    ("Zhang Wei, a spokesperson for China's diplomatic mission in Geneva, did not say whether "
     "the letter had been sent.",
     {("Zhang Wei", "represents", "China")}),
    ("Egypt sent a letter to the UN human rights office.",
     {("Egypt", "sentLetterTo", "Office of the United Nations High Commissioner for Human Rights")}),
    # possessive title and apposition; reported speech
    ("Japan's prime minister, Fumio Kishida, said the talks had failed.",
     {("Fumio Kishida", "represents", "Japan"),
      ("Fumio Kishida", "said", "the talks had failed")}),
    # capital as metonym when it acts
    ("Moscow will host the 2032 Summer Olympics.",
     {("Russia", "hosts", "2032 Summer Olympics")}),
    ("Iran condemned the behaviour of the US administration.",
     {("Iran", "condemns", "United States")}),
]


@pytest.mark.parametrize("text,expected", CONSTRUCTIONS, ids=[c[0][:40] for c in CONSTRUCTIONS])
def test_relations_constructions(extractor: Extractor, text: str, expected: set) -> None:
    (result,) = extractor([Document(id="t", text=text)])
    got = {(r["subject"], r["relation"], r["object"]) for r in relation_rows(result)}
    assert got == expected
