"""The rule file's schema (kg/extraction/relations/rules.py): every way a rule can be wrong
is a coded error naming the rule and the key when the file is read, and a rule's domain and
range come from the ontology unless the rule narrows them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from spacy.vocab import Vocab

from kg.extraction.gazetteer import load_gazetteer
from kg.extraction.lexicon import LEXICON_FILE, Lexicon, LexiconError, load_lexicon
from kg.extraction.relations import RelationEngine, RuleError, load_rules, read_ontology
from kg.extraction.relations.arguments import SPECS
from kg.extraction.relations.rules import plural
from kg.model import Kind
from kg.resources import read_json, rules_path

BOYCOTT: dict[str, Any] = {
    "id": "boycotts.test",
    "relation": "boycotts",
    "domain": ["Country"],
    "range": ["@events_kinds"],
    "subject": "@auto",
    "object": "@patient",
    "adhoc": "Event",
    "adhoc_heads": ["@lexicon.event_nouns"],
    "pattern": [{"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"LEMMA": "boycott", "POS": "VERB"}}],
}
LETTER: dict[str, Any] = {
    "id": "sentLetterTo.test",
    "relation": "sentLetterTo",
    "subject": "@auto",
    "object": "object",
    "pattern": [
        {"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"LEMMA": "write"}},
        {"LEFT_ID": "trigger", "REL_OP": ">", "RIGHT_ID": "to", "RIGHT_ATTRS": {"LOWER": "to"}},
        {"LEFT_ID": "to", "REL_OP": ">", "RIGHT_ID": "object", "RIGHT_ATTRS": {"DEP": "pobj"}},
    ],
}
SAID: dict[str, Any] = {
    "id": "said.test",
    "relation": "said",
    "subject": "@auto",
    "object": "@statement",
    "pattern": [{"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"LEMMA": {"IN": "@lexicon.speech"}}}],
}


def write(tmp_path: Path, *rules: dict[str, Any], **top: Any) -> Path:
    data = {"macros": {"events_kinds": ["Event"]}, "rules": list(rules), **top}
    path = tmp_path / "relations.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def load(path: Path) -> list[Any]:
    return load_rules(load_gazetteer(), path).rules


def changed(rule: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(rule)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def fails(tmp_path: Path, *rules: dict[str, Any], **top: Any) -> RuleError:
    with pytest.raises(RuleError) as caught:
        load(write(tmp_path, *rules, **top))
    return caught.value


def test_rules_bundled_file_loads_and_every_relation_is_the_ontologys() -> None:
    rules = load_rules(load_gazetteer()).rules
    onto = read_ontology()
    assert len(rules) > 60
    for rule in rules:
        signature = onto.relations[rule.relation]
        assert set(rule.domain) <= set(signature.domain), rule.id
        assert set(rule.range) <= set(signature.range), rule.id


def test_rules_ontology_signatures_resolve_unions_subclasses_and_thing() -> None:
    onto = read_ontology()
    boycotts, letters = onto.relations["boycotts"], onto.relations["sentLetterTo"]
    # Country or Organisation; a UN office is an organisation
    assert boycotts.domain == (Kind.COUNTRY, Kind.ORGANISATION, Kind.UN_OFFICE)
    assert boycotts.range == (Kind.EVENT,)
    assert letters.range == (Kind.PERSON, Kind.ORGANISATION, Kind.UN_OFFICE)
    assert onto.relations["condemns"].range == tuple(Kind)  # owl:Thing
    assert onto.relations["said"].range == ()  # a kg:Statement is a text, no entity
    assert {k.value for k in Kind} <= onto.classes


def test_rules_domain_and_range_default_to_the_ontologys(tmp_path: Path) -> None:
    (rule,) = load(write(tmp_path, LETTER))
    assert rule.domain == (Kind.COUNTRY, Kind.PERSON, Kind.ORGANISATION, Kind.UN_OFFICE)
    assert rule.range == (Kind.PERSON, Kind.ORGANISATION, Kind.UN_OFFICE)
    (rule,) = load(write(tmp_path, BOYCOTT))
    assert rule.domain == (Kind.COUNTRY,) and rule.range == (Kind.EVENT,)
    assert rule.adhoc is Kind.EVENT and "summit" in rule.adhoc_heads


def test_rules_error_names_file_line_rule_and_key(tmp_path: Path) -> None:
    err = fails(tmp_path, SAID, changed(BOYCOTT, symetric=True))
    assert (err.code, err.rule, err.key) == ("E121", "boycotts.test", "symetric")
    text = (tmp_path / "relations.json").read_text()
    line = text[: text.index('"boycotts.test"')].count("\n") + 1
    assert err.line == line
    assert str(err).startswith(f"error E121: {tmp_path / 'relations.json'}:{line}: rule ")
    assert "'boycotts.test': unknown key 'symetric'" in str(err)


@pytest.mark.parametrize(
    "text,top,reason",
    [
        ("{not json", None, "not JSON"),
        (None, {"rules": [], "rule": []}, "unknown key 'rule'"),
        (None, {"rules": {}}, "no object with a list of 'rules'"),
        (None, {"rules": ["boycotts.verb"]}, "rule number 1 is no object"),
        (None, {"rules": [], "macros": {"kinds": "Event"}}, "macro 'kinds' is no list"),
    ],
)
def test_rules_file_shape_is_e120(tmp_path: Path, text: str | None, top: Any, reason: str) -> None:
    path = tmp_path / "relations.json"
    path.write_text(text if text is not None else json.dumps(top), encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load(path)
    assert caught.value.code == "E120"
    assert reason in str(caught.value)


def test_rules_unknown_key_is_e121(tmp_path: Path) -> None:
    err = fails(tmp_path, changed(BOYCOTT, range_=["Event"]))
    assert (err.code, err.rule, err.key) == ("E121", "boycotts.test", "range_")
    # the dead fields are gone: a rule saying it is symmetric is told so
    err = fails(tmp_path, changed(BOYCOTT, symmetric=True))
    assert (err.code, err.key) == ("E121", "symmetric")


@pytest.mark.parametrize(
    "changes,key",
    [
        ({"relation": None}, "relation"),
        ({"pattern": []}, "pattern"),
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": True}, "confidence"),
        ({"negation": "maybe"}, "negation"),
        ({"coordinate": "yes"}, "coordinate"),
        ({"domain": "Country"}, "domain"),
        ({"adhoc_heads": "summit"}, "adhoc_heads"),
        ({"unless_child": [{"TAG": "VB"}]}, "unless_child"),
        ({"node_tags": {"trigger": "VB"}}, "node_tags"),
    ],
)
def test_rules_missing_or_mistyped_value_is_e122(
    tmp_path: Path, changes: dict[str, Any], key: str
) -> None:
    err = fails(tmp_path, changed(BOYCOTT, **changes))
    assert (err.code, err.rule, err.key) == ("E122", "boycotts.test", key)


def test_rules_rule_without_id_is_named_by_its_number(tmp_path: Path) -> None:
    err = fails(tmp_path, SAID, changed(BOYCOTT, id=None))
    assert (err.code, err.rule, err.key) == ("E122", "number 2", "id")


@pytest.mark.parametrize(
    "changes,key,macro",
    [
        ({"adhoc_heads": ["@lexicon.event_noun"]}, "adhoc_heads", "@lexicon.event_noun"),
        ({"range": ["@event_kinds"]}, "range", "@event_kinds"),
        (
            {"pattern": [{"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"LOWER": {"IN": "@boycot"}}}]},
            "pattern",
            "@boycot",
        ),
        # a table of the lexicon is no word list
        ({"sentence_needs": ["@lexicon.posting"]}, "sentence_needs", "@lexicon.posting"),
    ],
)
def test_rules_unknown_macro_is_e123_not_a_literal(
    tmp_path: Path, changes: dict[str, Any], key: str, macro: str
) -> None:
    err = fails(tmp_path, changed(BOYCOTT, **changes))
    assert (err.code, err.rule, err.key) == ("E123", "boycotts.test", key)
    assert err.fields["macro"] == macro


@pytest.mark.parametrize(
    "rule,changes,key,why",
    [
        (BOYCOTT, {"subject": "@subject"}, "subject", "no such spec"),
        (BOYCOTT, {"object": "@patients"}, "object", "no such spec"),
        (LETTER, {"object": "objekt"}, "object", "no such node"),
        (BOYCOTT, {"subject": "@statement"}, "subject", "object only"),
        (BOYCOTT, {"subject": "@salient_event"}, "subject", "object only"),
        (LETTER, {"relation": "represents", "object": "@context_country"}, "object", "'subject'"),
        (SAID, {"object": "@patient"}, "object", "object is a text"),
        (LETTER, {"object": "@statement"}, "object", "object is an entity"),
        (LETTER, {"role": "title"}, "role", "no such node"),
        (LETTER, {"node_tags": {"comp": ["VB"]}}, "node_tags", "no such node"),
    ],
)
def test_rules_bad_argument_spec_is_e124(
    tmp_path: Path, rule: dict[str, Any], changes: dict[str, Any], key: str, why: str
) -> None:
    err = fails(tmp_path, changed(rule, **changes))
    assert (err.code, err.rule, err.key) == ("E124", rule["id"], key)
    assert why in err.message


def test_rules_argument_specs_are_the_registry_of_resolvers() -> None:
    specs = {
        spec for rule in load_rules(load_gazetteer()).rules for spec in (rule.subject, rule.object)
    }
    assert {s for s in specs if s.startswith("@")} <= set(SPECS)
    assert {"@auto", "@patient", "@agents", "@statement", "@claim", "@pairs"} <= set(SPECS)
    assert SPECS["@statement"].gives == "text" and SPECS["@pairs"].gives == "pairs"


@pytest.mark.parametrize(
    "rule,changes,key,term",
    [
        (BOYCOTT, {"relation": "boycots"}, "relation", "boycots"),
        (LETTER, {"relation": "document"}, "relation", "document"),  # Evidence -> Document
        (BOYCOTT, {"domain": ["Countri"]}, "domain", "Countri"),
        (LETTER, {"range": ["Actor"]}, "range", "Actor"),  # a class, but no entity's class
        (BOYCOTT, {"adhoc": "Topik"}, "adhoc", "Topik"),
    ],
)
def test_rules_unknown_ontology_term_is_e125(
    tmp_path: Path, rule: dict[str, Any], changes: dict[str, Any], key: str, term: str
) -> None:
    err = fails(tmp_path, changed(rule, **changes))
    assert (err.code, err.rule, err.key) == ("E125", rule["id"], key)
    assert err.fields["term"] == term


@pytest.mark.parametrize(
    "rule,changes,key",
    [
        # the five sentLetterTo rules took a Country addressee, which the ontology forbids
        (LETTER, {"range": ["Organisation", "UNOffice", "Person", "Country"]}, "range"),
        (BOYCOTT, {"domain": ["Country", "Person"]}, "domain"),
        (BOYCOTT, {"adhoc": "Topic"}, "adhoc"),
        (SAID, {"range": ["Organisation"]}, "range"),  # a statement's object is a text
        (LETTER, {"relation": "represents", "acting_for_country": True},
         "acting_for_country"),
        (LETTER, {"relation": "represents", "object": "@pairs"}, "domain"),
    ],
)  # fmt: skip
def test_rules_domain_or_range_wider_than_the_ontologys_is_e126(
    tmp_path: Path, rule: dict[str, Any], changes: dict[str, Any], key: str
) -> None:
    err = fails(tmp_path, changed(rule, **changes))
    assert (err.code, err.rule, err.key) == ("E126", rule["id"], key)


@pytest.mark.parametrize(
    "node,why",
    [
        ({"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "x", "RIGHT_ATTRS": {}}, "no earlier node"),
        ({"LEFT_ID": "trigger", "REL_OP": "->", "RIGHT_ID": "x", "RIGHT_ATTRS": {}}, "REL_OP"),
        ({"LEFT_ID": "trigger", "REL_OP": ">", "RIGHT_ID": "trigger"}, "two nodes"),
        ({"LEFT_ID": "trigger", "REL_OP": ">", "RIGHT_ID": "x", "ATTRS": {}}, "'ATTRS'"),
    ],
)
def test_rules_bad_pattern_is_e127(tmp_path: Path, node: dict[str, Any], why: str) -> None:
    rule = changed(BOYCOTT, pattern=[*BOYCOTT["pattern"], node])
    err = fails(tmp_path, rule)
    assert (err.code, err.rule, err.key) == ("E127", "boycotts.test", "pattern")
    assert why in err.message


def test_rules_pattern_spacy_refuses_is_e127(tmp_path: Path) -> None:
    # an attribute spaCy's matcher does not know: the engine reports it as the rule's error
    node = {"RIGHT_ID": "trigger", "RIGHT_ATTRS": {"LEMMA": "boycott", "FLAVOUR": "x"}}
    path = write(tmp_path, changed(BOYCOTT, pattern=[node]))
    with pytest.raises(RuleError) as caught:
        RelationEngine(Vocab(), load_gazetteer(), path)
    err = caught.value
    assert (err.code, err.rule, err.key) == ("E127", "boycotts.test", "pattern")


def test_rules_duplicate_id_is_e128(tmp_path: Path) -> None:
    err = fails(tmp_path, BOYCOTT, SAID, changed(BOYCOTT, confidence=0.5))
    assert (err.code, err.rule, err.key) == ("E128", "boycotts.test", "id")
    text = (tmp_path / "relations.json").read_text()
    assert err.line == text[: text.rindex('"boycotts.test"')].count("\n") + 1


def test_rules_lexicon_entry_in_upper_case_is_e129() -> None:
    data = copy.deepcopy(read_json(LEXICON_FILE))
    data["event_nouns"]["words"].append("Summit")
    with pytest.raises(LexiconError) as caught:
        Lexicon(data)
    assert (caught.value.code, caught.value.entry) == ("E129", "event_nouns")
    data = copy.deepcopy(read_json(LEXICON_FILE))
    data["speech"] = ["say"]  # an entry is {"doc": ..., "words": [...]}
    with pytest.raises(LexiconError) as caught:
        Lexicon(data)
    assert caught.value.entry == "speech"


def test_rules_every_lexicon_list_is_read_by_a_rule_or_the_code() -> None:
    """A word list nothing reads is a trap: editing it changes nothing."""
    root = Path(__file__).resolve().parents[2]
    code = "\n".join(p.read_text() for p in (root / "kg" / "extraction").rglob("*.py"))
    rules = rules_path().read_text()
    lexicon = load_lexicon()
    for name in [*lexicon, *lexicon.tables]:
        read = (f'"@lexicon.{name}"', f'"@lexicon.{name}.cased"')  # .cased: with capitals
        assert f'"{name}"' in code or any(r in rules for r in read), name


def test_rules_plural_title_heads_are_regular_english_plurals() -> None:
    assert [plural(w) for w in ("minister", "secretary", "mp", "envoy", "boss")] == [
        "ministers",
        "secretaries",
        "mps",
        "envoys",
        "bosses",
    ]
    macros = load_rules(load_gazetteer()).macros
    assert "ministers" in macros["gazetteer.plural_title_heads"]
