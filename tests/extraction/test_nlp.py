"""The spaCy pipeline (kg/extraction/nlp.py), its repairs (kg/extraction/repair.py) and the
rules' matcher (kg/extraction/matcher.py), on sentences written for these tests."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from doc_fixture import hand_doc
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


def test_nlp_dependency_matcher_plan_gives_each_token_the_nodes_it_fits() -> None:
    from spacy.vocab import Vocab

    from kg.extraction.matcher import DependencyMatcher

    matcher = DependencyMatcher(Vocab())
    # a value, IN, NOT_IN, IN with NOT_IN on one attribute, two attributes, no constraint
    nodes = {
        "said": {"LEMMA": "say"},
        "verb": {"LEMMA": {"IN": ["say", "tell"]}, "POS": "VERB"},
        "other": {"LEMMA": {"NOT_IN": ["say"]}},
        "both": {"LEMMA": {"IN": ["say", "tell"], "NOT_IN": ["tell"]}},
        "any": {},
    }
    for name, attrs in nodes.items():
        matcher.add(name, [[{"RIGHT_ID": "n", "RIGHT_ATTRS": attrs}]])
    doc = hand_doc(
        matcher.vocab,
        [
            ("She", 1, "nsubj", "PRON", "she", "O"),
            ("said", 1, "ROOT", "VERB", "say", "O"),
            ("and", 1, "cc", "CCONJ", "and", "O"),
            ("told", 1, "conj", "VERB", "tell", "O"),
            ("tell", 1, "conj", "NOUN", "tell", "O"),
        ],
    )
    plan = matcher._compiled()
    assert plan is not None and plan.used == ["LEMMA", "POS"]
    key = {name: matcher._tokens_to_key[matcher.vocab.strings[name]][0][0] for name in nodes}
    fitting = [
        {name for name in nodes if bits >> plan.of[key[name]] & 1} for bits in plan.fits(doc)
    ]
    assert fitting == [
        {"other", "any"},
        {"said", "verb", "both", "any"},
        {"other", "any"},
        {"verb", "other", "any"},
        {"other", "any"},  # a noun: no "verb"
    ]


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


def _before_the_ruler(texts: list[str]) -> list[Doc]:
    nlp = load_pipeline()
    after = nlp.pipe_names[nlp.pipe_names.index("attribute_ruler") :]
    return list(nlp.pipe(texts, disable=after))


def _random_docs(vocab: Any, patterns: list[dict[str, Any]], count: int) -> list[Doc]:
    """Hand-built docs of tokens that fit the patterns (a few rules' tokens, then noise):
    the rare rules ("ai n't", "gon na", "y'all", "There is", white space) fire, and
    overlap with the others."""
    import random

    rng = random.Random(7)
    pool: dict[str, set[str]] = {"LOWER": {"x", "yes"}, "TAG": {"NN", "XX"}, "DEP": {"dep"}}
    for rule in patterns:
        for alternative in rule["patterns"]:
            for token in alternative:
                for attr, value in token.items():
                    values = value.get("IN", []) if isinstance(value, dict) else [value]
                    if attr in pool:
                        pool[attr].update(v for v in values if isinstance(v, str) and v)
    fits = {"^n'?t$": ["n't", "nt"], "^n[ou]thin'$": ["nuthin'"], "^y'?$": ["y'", "y"]}
    spaces = [" ", "\n\n", "  "]

    def value(attr: str, spec: Any) -> str:
        if isinstance(spec, str):
            return spec
        if isinstance(spec, dict) and "IN" in spec:
            return str(rng.choice(spec["IN"]))
        if isinstance(spec, dict) and "REGEX" in spec:
            return rng.choice(fits[spec["REGEX"]])
        banned = spec.get("NOT_IN", []) if isinstance(spec, dict) else []
        return rng.choice(sorted(pool[attr] - set(banned)))

    def token(spec: dict[str, Any]) -> tuple[str, str, str]:
        word = value("LOWER", spec.get("LOWER"))
        if spec.get("IS_SPACE") is True:
            word = rng.choice(spaces)
        elif rng.random() < 0.2:
            word = word.title()
        return word, value("TAG", spec.get("TAG")), value("DEP", spec.get("DEP"))

    docs = []
    for _ in range(count):
        tokens = []
        for _ in range(rng.randint(0, 6)):
            tokens += [token(spec) for spec in rng.choice(rng.choice(patterns)["patterns"])]
            tokens += [token({}) for _ in range(rng.randint(0, 3))]
        if tokens:
            words, tags, deps = (list(column) for column in zip(*tokens, strict=True))
            heads = list(range(len(words)))
            docs.append(Doc(vocab, words=words, tags=tags, deps=deps, heads=heads))
    return docs


def test_nlp_attribute_ruler_sets_what_spacys_sets() -> None:
    from spacy.pipeline import AttributeRuler as SpacyRuler

    from kg.extraction.matcher import AttributeRuler

    nlp = load_pipeline()
    ours = nlp.get_pipe("attribute_ruler")
    assert type(ours) is AttributeRuler and len(ours.patterns) > 100  # the model's
    theirs = SpacyRuler(nlp.vocab)
    theirs.add_patterns(ours.patterns)
    texts = [doc.text for doc in _dev_docs()]
    docs = _before_the_ruler(texts) + _random_docs(nlp.vocab, ours.patterns, 300)
    fired: set[int] = set()
    for doc in docs:
        expected, got = doc.copy(), doc.copy()
        fired.update(rule for rule, *_ in theirs.match(expected))
        theirs(expected)
        ours(got)
        assert got.to_bytes() == expected.to_bytes(), [t.text for t in doc]
    assert ours._rules and len(fired) > 0.9 * len(ours.patterns)


def test_nlp_attribute_ruler_takes_spacys_way_for_what_it_cannot_read() -> None:
    from spacy.pipeline import AttributeRuler as SpacyRuler

    from kg.extraction.matcher import AttributeRuler

    nlp = load_pipeline()
    patterns = [
        *nlp.get_pipe("attribute_ruler").patterns,
        {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na", "OP": "?"}]], "attrs": {"POS": "AUX"}},
    ]
    ours, theirs = AttributeRuler(nlp.vocab), SpacyRuler(nlp.vocab)
    for ruler in (ours, theirs):
        ruler.add_patterns(patterns)
    docs = _before_the_ruler(["They were gon na stay , and gon leave ."])
    for doc in docs + _random_docs(nlp.vocab, patterns, 50):
        expected, got = doc.copy(), doc.copy()
        assert ours(got).to_bytes() == theirs(expected).to_bytes()
    assert ours._rules == []
