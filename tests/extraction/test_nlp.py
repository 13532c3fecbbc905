"""The spaCy pipeline (kg/extraction/nlp.py), its repairs (kg/extraction/repair.py) and the
rules' matcher (kg/extraction/matcher.py), on sentences written for these tests."""

from __future__ import annotations

import copy
from functools import lru_cache

from spacy.tokens import Doc

from kg.extraction.nlp import load_pipeline


def span_repair(doc: Doc) -> Doc:
    return load_pipeline().get_pipe("kg_span_repair")(doc)


def test_nlp_dateline_is_cut_from_a_name_the_model_ran_into_it() -> None:
    # the small model reads "GENEVA - Ana Rivera" as one organisation; pinned on a hand-built
    # Doc so the test holds whatever the model does
    vocab = load_pipeline().vocab
    words = ["GENEVA", "-", "Ana", "Rivera", "said", "the", "talks", "failed", "."]
    doc = Doc(
        vocab,
        words=words,
        spaces=[True] * 8 + [False],
        pos=["PROPN", "PUNCT", "PROPN", "PROPN", "VERB", "DET", "NOUN", "VERB", "PUNCT"],
        ents=["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O", "O", "O", "O"],
        sent_starts=[True] + [False] * 8,
    )
    assert [(e.text, e.label_) for e in span_repair(doc).ents] == [("Ana Rivera", "PERSON")]
    doc = Doc(
        vocab,
        words=["VIENNA", "-", "Countries", "met", "."],
        pos=["PROPN", "PUNCT", "PROPN", "VERB", "PUNCT"],
        ents=["B-ORG", "I-ORG", "I-ORG", "O", "O"],
        sent_starts=[True] + [False] * 4,
    )
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


@lru_cache(maxsize=1)
def _dev_docs() -> list[Doc]:
    from pathlib import Path

    from kg.extraction.documents import iter_documents
    from kg.model import Document

    folder = Path(__file__).resolve().parents[2] / "data" / "articles"
    texts = [d.text for d in iter_documents([folder]) if isinstance(d, Document)]
    return list(load_pipeline().pipe(texts))


def test_nlp_dependency_matcher_gives_spacys_matches_in_spacys_order() -> None:
    from spacy.matcher import DependencyMatcher as SpacyMatcher

    from kg.extraction.gazetteer import load_gazetteer
    from kg.extraction.matcher import DependencyMatcher
    from kg.extraction.relations import load_rules

    vocab = load_pipeline().vocab
    rules, _ = load_rules(load_gazetteer())
    regex = [
        {"RIGHT_ID": "v", "RIGHT_ATTRS": {"LEMMA": {"REGEX": "^con"}, "POS": "VERB"}},
        {"LEFT_ID": "v", "REL_OP": ">", "RIGHT_ID": "s", "RIGHT_ATTRS": {"DEP": "nsubj"}},
    ]
    empty = [
        {"RIGHT_ID": "any", "RIGHT_ATTRS": {}},
        {"LEFT_ID": "any", "REL_OP": ">", "RIGHT_ID": "o", "RIGHT_ATTRS": {"dep": "dobj"}},
    ]
    fast, slow = DependencyMatcher(vocab), SpacyMatcher(vocab)
    fallback, slow_fallback = DependencyMatcher(vocab), SpacyMatcher(vocab)
    for rule in rules:
        for matcher in (fast, slow, fallback, slow_fallback):
            matcher.add(rule.id, [rule.pattern])
    for matcher in (fast, slow):
        matcher.add("any-verb-object", [empty])
    for matcher in (fallback, slow_fallback):
        matcher.add("regex", [regex])  # a constraint kg does not index: spaCy's own way
    for matcher in (fast, slow, fallback, slow_fallback):
        matcher.remove(rules[0].id)
    assert fallback._spacy_way and not fast._spacy_way
    total = 0
    for doc in _dev_docs():
        expected = slow(doc)
        assert fast(doc) == expected
        assert fallback(doc) == slow_fallback(doc)
        total += len(expected)
    assert total > 1000


def test_nlp_sentence_ids_agree_with_token_sent() -> None:
    from kg.extraction.repair import sentence_ids

    for doc in _dev_docs()[:4]:
        ids = sentence_ids(doc)
        for i in range(len(doc) - 3):
            for j in (i + 1, i + 3):
                assert (ids[i] == ids[j]) == (doc[i].sent == doc[j].sent)


def test_nlp_components_declare_what_they_assign_and_require() -> None:
    nlp = load_pipeline()
    ours = [name for name in nlp.pipe_names if name.startswith("kg_")]
    assert ours == [
        "kg_paragraphs",
        "kg_sentence_cap",
        "kg_gazetteer",
        "kg_span_repair",
        "kg_parse_repair",
    ]
    problems = nlp.analyze_pipes(pretty=False)["problems"]
    for name in ours:
        assert nlp.get_pipe_meta(name).assigns, name
        # spaCy's attribute_ruler sets token.pos without declaring it; all else is declared
        assert set(problems[name]) <= {"token.pos"}, (name, problems[name])


def test_nlp_span_repair_reads_the_lexicon_of_its_config() -> None:
    import spacy

    from kg.extraction.lexicon import LEXICON_FILE, Lexicon
    from kg.resources import read_json

    @spacy.registry.misc("test.lexicon.rivera_is_an_org_word")
    def _lexicon() -> Lexicon:
        data = copy.deepcopy(read_json(LEXICON_FILE))
        data["org_words"]["words"].append("rivera")
        return Lexicon(data)

    vocab = load_pipeline().vocab
    nlp = spacy.blank("en", vocab=vocab)
    repair = nlp.add_pipe(
        "kg_span_repair", config={"lexicon": {"@misc": "test.lexicon.rivera_is_an_org_word"}}
    )
    words = ["GENEVA", "-", "Ana", "Rivera", "said", "."]
    doc = Doc(
        vocab,
        words=words,
        pos=["PROPN", "PUNCT", "PROPN", "PROPN", "VERB", "PUNCT"],
        ents=["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O"],
        sent_starts=[True] + [False] * 5,
    )
    # with "rivera" an organisation word, the name after the dateline stays an organisation
    assert [(e.text, e.label_) for e in repair(doc).ents] == [("Ana Rivera", "ORG")]
