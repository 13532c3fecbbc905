"""The relation rules as data: the `Rule` record, reading ``ontology/patterns/relations.json``
with its macros, and the schema every rule is checked against when it is read.

A rule that cannot work is a coded `RuleError` naming the rule and the key, at load time,
not a traceback when it first fires: an unknown key, an unknown ``@macro`` or ``@spec``, a
node the pattern lacks, a relation or class the ontology does not define, or a domain or
range wider than the ontology's (a rule's domain and range default to the ontology's and
may only narrow them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from kg.errors import MESSAGES, KgError, fields_of
from kg.extraction.gazetteer import Gazetteer, title_heads
from kg.extraction.lexicon import Lexicon, load_lexicon
from kg.extraction.relations.arguments import SPECS
from kg.extraction.relations.syntax import CHILD_ATTRS  # what `attrs_match` reads
from kg.model import Kind
from kg.resources import ontology_path, rules_path

PATTERNS = rules_path()


class RuleError(KgError):
    """A rule that cannot work (E120-E128): the code, the rule id, the key, and the file and
    line of the rule; the messages are in kg/errors.py with the others."""

    def __init__(
        self,
        code: str,
        rule: str | None = None,
        key: str | None = None,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        **fields: Any,
    ) -> None:
        self.rule = rule
        self.key = key
        named = fields_of(MESSAGES[code])  # E120 names neither rule nor key, E128 no key
        place = {k: v for k, v in (("rule", rule), ("key", key)) if k in named}
        super().__init__(code, str(path) if path is not None else None, line, **place, **fields)

    def __reduce__(self) -> Any:
        return (_rule_error, (self.code, self.rule, self.key, self.path, self.line, self.extra))

    @property
    def extra(self) -> dict[str, Any]:
        return {k: v for k, v in self.fields.items() if k not in ("rule", "key")}


def plural(noun: str) -> str:
    """The regular English plural of a lower-case noun: "minister" -> "ministers",
    "secretary" -> "secretaries", "mp" -> "mps", "envoy" -> "envoys"."""
    if noun.endswith("y") and noun[-2:-1] not in set("aeiou"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


def _rule_error(
    code: str,
    rule: str | None,
    key: str | None,
    path: str | None,
    line: int | None,
    fields: dict[str, Any],
) -> RuleError:
    return RuleError(code, rule, key, path=path, line=line, **fields)


@dataclass
class Rule:
    """One rule: a pattern (spaCy's DependencyMatcher format, macros expanded), the
    relation it gives, where its subject and object are, and what they may be."""

    id: str
    relation: str
    pattern: list[dict[str, Any]]
    subject: str = "@auto"
    object: str = "object"
    domain: tuple[Kind, ...] = ()  # () in the file: the relation's domain in the ontology
    range: tuple[Kind, ...] = ()  # likewise its range; () for a text object (a statement)
    confidence: float = 0.8
    role: str | None = None  # the node of the role title, kept on the evidence
    negation: str = "drop"  # drop | require (for "did not send officials to") | ignore
    sentence_needs: tuple[str, ...] = ()  # lemmas one of which the sentence must have
    document_needs: tuple[str, ...] = ()  # ... or the document: what the story is about
    cosubjects: bool = False  # "signed with the US, China..." adds signatories
    adhoc: Kind | None = None  # class of an object named by a common noun ("the resolution")
    adhoc_heads: tuple[str, ...] = ()  # if set, only nouns with these lemmas
    adhoc_exclude: tuple[str, ...] = ()  # never these nouns (backing a boycott is `boycotts`)
    acting_for_country: bool = False  # a head of state's act is their country's
    # ... and is also the person's own: "signed by Chilean Foreign Minister X" (X and Chile)
    with_country: bool = False
    coordinate: bool = True  # one relation per member of "A, B and C" (not for titles)
    # the rule stays silent when the trigger or its direct object has a child like one of
    # these (token attributes as in RIGHT_ATTRS): "welcomed the leaders to the summit" is
    # hospitality, not support; "held talks with X" is a meeting, not hosting
    unless_child: tuple[dict[str, Any], ...] = ()
    # fine-grained tags a node must have, checked after matching (a TAG in the pattern would
    # make spaCy refuse documents without a tagger): {"comp": ["VB"]}
    node_tags: dict[str, list[str]] = field(default_factory=dict)


class RuleSet(NamedTuple):
    rules: list[Rule]
    macros: dict[str, Any]  # every macro a rule may name, expanded


# -- the ontology's terms --------------------------------------------------------------------
@dataclass(frozen=True)
class Signature:
    """A relation's domain and range as the entity classes they admit (subclasses too)."""

    domain: tuple[Kind, ...]
    range: tuple[Kind, ...]  # () when the object is no entity: kg:Statement, kg:Claim


@dataclass(frozen=True)
class Ontology:
    classes: frozenset[str]  # local names of the ontology's classes
    relations: Mapping[str, Signature]  # local names of its object properties


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"


@lru_cache(maxsize=4)
def read_ontology(path: Path | None = None) -> Ontology:
    """The classes and object properties of ontology/kg.ttl, each property with the entity
    classes of its domain and range (a union, owl:Thing and subclasses resolved)."""
    path = path or ontology_path()
    triples = [
        (q.subject, q.predicate.value, q.object)
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    ]
    by: dict[tuple[Any, str], list[Any]] = {}
    for s, p, o in triples:
        by.setdefault((s, p), []).append(o)
    typed = [(s, o) for s, p, o in triples if p == _RDF + "type"]
    (ontology,) = [s for s, o in typed if o.value == _OWL + "Ontology"]
    namespace = ontology.value + "#"

    def local(node: Any) -> str | None:
        if isinstance(node, ox.NamedNode) and node.value.startswith(namespace):
            return node.value[len(namespace) :]
        return None

    supers: dict[str, set[str]] = {}
    for s, p, o in triples:
        if p == _RDFS + "subClassOf" and local(s) and local(o):
            supers.setdefault(local(s) or "", set()).add(local(o) or "")

    def ancestors(name: str) -> set[str]:
        seen, todo = {name}, [name]
        while todo:
            for up in supers.get(todo.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        return seen

    def members(node: Any) -> Iterator[Any]:  # an RDF list
        while node.value != _RDF + "nil":
            yield by[(node, _RDF + "first")][0]
            node = by[(node, _RDF + "rest")][0]

    def kinds(node: Any) -> set[Kind]:
        if node.value == _OWL + "Thing":
            return set(Kind)
        if isinstance(node, ox.BlankNode):
            return {k for m in members(by[(node, _OWL + "unionOf")][0]) for k in kinds(m)}
        name = local(node)
        return {k for k in Kind if name is not None and name in ancestors(k.value)}

    def ordered(found: set[Kind]) -> tuple[Kind, ...]:
        return tuple(k for k in Kind if k in found)

    classes = frozenset(local(s) or "" for s, o in typed if o.value == _OWL + "Class" and local(s))
    relations = {}
    for s, o in typed:
        name = local(s)
        if o.value == _OWL + "ObjectProperty" and name:
            domain = by.get((s, _RDFS + "domain"), [])
            range_ = by.get((s, _RDFS + "range"), [])
            relations[name] = Signature(
                ordered({k for d in domain for k in kinds(d)}),
                ordered({k for r in range_ for k in kinds(r)}),
            )
    return Ontology(classes, relations)


# -- reading and checking the rules ----------------------------------------------------------
RULE_KEYS = tuple(f.name for f in fields(Rule))
REQUIRED = ("id", "relation", "pattern")
NEGATION = ("drop", "require", "ignore")
FLAGS = ("cosubjects", "acting_for_country", "with_country", "coordinate")
WORD_LISTS = ("sentence_needs", "document_needs", "adhoc_heads", "adhoc_exclude")
EXPANDED = ("pattern", "domain", "range", *WORD_LISTS, "unless_child")  # keys macros reach
NODE_KEYS = {"RIGHT_ID", "RIGHT_ATTRS", "LEFT_ID", "REL_OP"}
# spaCy's DependencyMatcher operators
REL_OPS = {
    ">", "<", ">>", "<<", ".", ".*", ";", ";*", "$+", "$-", "$++", "$--",
    ">+", ">-", ">++", ">--", "<+", "<-", "<++", "<--",
}  # fmt: skip


def load_rules(
    gaz: Gazetteer,
    path: Path = PATTERNS,
    lexicon: Lexicon | None = None,
    ontology: Ontology | None = None,
) -> RuleSet:
    """Read and check the rule file, expanding ``@name`` macros from the file, the lexicon
    (``@lexicon.NAME``) and the gazetteer (``@gazetteer.title_heads``)."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    ontology = ontology if ontology is not None else read_ontology()
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError("E120", path=path, reason=f"cannot read it ({exc})") from exc
    except json.JSONDecodeError as exc:
        reason = f"it is not JSON ({exc.msg}, column {exc.colno})"
        raise RuleError("E120", path=path, line=exc.lineno, reason=reason) from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        reason = "its top level is no object with a list of 'rules'"
        raise RuleError("E120", path=path, reason=reason)
    for key in data:
        if key not in {"rules", "macros"} and not key.startswith("_"):
            reason = f"unknown key {key!r} at its top level, which holds 'macros' and 'rules'"
            raise RuleError("E120", key=key, path=path, reason=reason)
    if not isinstance(data.get("macros", {}), dict):
        reason = "its 'macros' are no object of named lists"
        raise RuleError("E120", key="macros", path=path, reason=reason)
    macros: dict[str, Any] = {}
    for name, value in data.get("macros", {}).items():
        if name.startswith("_"):
            continue
        if not isinstance(value, list) or "." in name:
            reason = f"macro {name!r} is no list, or has a '.' in its name (kept for lexicon.NAME)"
            raise RuleError("E120", key=name, path=path, reason=reason)
        macros[name] = value
    for name, words in lexicon.items():
        # a token attribute holds one word: a pattern takes the list's one-word entries
        macros["lexicon." + name] = [w for w in words if " " not in w]
        # a proper noun's lemma keeps its capital ("Summit" of "the Summit"): NAME.cased
        # adds the capitalised words
        macros["lexicon." + name + ".cased"] = sorted(
            {*macros["lexicon." + name], *(w.capitalize() for w in macros["lexicon." + name])}
        )
    macros["gazetteer.title_heads"] = sorted(title_heads(gaz))
    # "MPs", "ministers", "secretaries": a title before several names
    macros["gazetteer.plural_title_heads"] = sorted(plural(h) for h in title_heads(gaz))
    macros["gazetteer.group_nouns"] = sorted(gaz.group_nouns)
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["rules"], 1):
        rule = _rule(raw, n, macros, ontology, _Where(path, text))
        if rule.id in seen:
            raise RuleError("E128", rule.id, "id", path=path, line=_line(text, rule.id, 2))
        seen.add(rule.id)
        rules.append(rule)
    return RuleSet(rules, macros)


@dataclass(frozen=True)
class _Where:
    path: Path
    text: str


def _line(text: str, rule_id: str, nth: int = 1) -> int | None:
    """The line of the `nth` rule with this id in the file's text."""
    found = [m.start() for m in re.finditer(r'"id"\s*:\s*' + re.escape(json.dumps(rule_id)), text)]
    return text.count("\n", 0, found[nth - 1]) + 1 if len(found) >= nth else None


Fail = Callable[..., RuleError]  # (code, key, **fields) -> the error of this rule


def _rule(raw: Any, n: int, macros: dict[str, Any], onto: Ontology, where: _Where) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError("E120", path=where.path, reason=f"its rule number {n} is no object")
    rid = raw.get("id")
    name = rid if isinstance(rid, str) and rid else f"number {n}"
    line = _line(where.text, name)

    def fail(code: str, key: str | None, **fields: Any) -> RuleError:
        return RuleError(code, name, key, path=where.path, line=line, **fields)

    for key in raw:
        if key not in RULE_KEYS and not key.startswith("_"):  # "_doc": a comment
            raise fail("E121", key, allowed=", ".join(RULE_KEYS))
    for key in REQUIRED:
        if key not in raw:
            raise fail(
                "E122", key, reason="missing; every rule has an id, a relation and a pattern"
            )
    values = {k: v for k, v in raw.items() if not k.startswith("_")}
    _check_types(values, fail)
    for key in EXPANDED:
        if key in values:
            values[key] = _expand(values[key], macros, key, fail)
    nodes = _check_pattern(values["pattern"], lambda why: fail("E127", "pattern", reason=why))
    for i, want in enumerate(values.get("unless_child", [])):
        if not isinstance(want, dict) or not all(
            k in CHILD_ATTRS and _attr_value(v) for k, v in want.items()
        ):
            reason = f"entry {i + 1} constrains only {', '.join(CHILD_ATTRS)} (a value or IN)"
            raise fail("E122", "unless_child", reason=reason)
    signature = _signature(values["relation"], onto, fail)
    _check_classes(values, onto, signature, fail)
    _check_arguments(values, nodes, signature, fail)
    for key in (*WORD_LISTS, "unless_child"):
        if key in values:
            values[key] = tuple(values[key])
    return Rule(**values)


def _expand(value: Any, macros: dict[str, Any], key: str, fail: Fail) -> Any:
    """Macros replaced by their lists; a macro that is an item of a list is spliced in."""
    if isinstance(value, str) and value.startswith("@"):
        if value[1:] not in macros:
            raise fail("E123", key, macro=value)
        return macros[value[1:]]
    if isinstance(value, dict):
        return {k: _expand(v, macros, key, fail) for k, v in value.items()}
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            got = _expand(item, macros, key, fail)
            if isinstance(item, str) and isinstance(got, list):
                out.extend(got)
            else:
                out.append(got)
        return out
    return value


def _relations_between_entities(onto: Ontology) -> str:
    return ", ".join(sorted(r for r, s in onto.relations.items() if s.domain))


def _signature(relation: str, onto: Ontology, fail: Fail) -> Signature:
    signature = onto.relations.get(relation)
    if signature is None:
        known = _relations_between_entities(onto)
        raise fail("E125", "relation", term=relation, what="relation", known=known)
    if not signature.domain:  # kg:document, kg:mentions: about documents and evidence
        known = _relations_between_entities(onto)
        raise fail("E125", "relation", term=relation, what="relation of entities", known=known)
    return signature


def _check_classes(
    values: dict[str, Any], onto: Ontology, signature: Signature, fail: Fail
) -> None:
    """Class names to `Kind`s, the domain and range defaulting to the ontology's; each may
    only narrow the ontology's (an object named by a common noun too)."""
    relation = values["relation"]

    def classes(key: str) -> tuple[Kind, ...]:
        names = values[key]
        out = []
        for cls in [names] if isinstance(names, str) else names:
            if cls not in {k.value for k in Kind} or cls not in onto.classes:
                known = ", ".join(sorted(k.value for k in Kind))
                raise fail("E125", key, term=cls, what="entity class", known=known)
            out.append(Kind(cls))
        return tuple(out)

    def narrow(key: str, got: tuple[Kind, ...], allowed: tuple[Kind, ...], what: str) -> None:
        wider = [k.value for k in got if k not in allowed]
        if wider:
            named = ", ".join(wider) + (" is" if len(wider) == 1 else " are")
            shown = ", ".join(k.value for k in allowed) or "no entity class: a text"
            raise fail("E126", key, classes=named, what=what, relation=relation, allowed=shown)

    domain = classes("domain") if "domain" in values else signature.domain
    range_ = classes("range") if "range" in values else signature.range
    narrow("domain", domain, signature.domain, "domain")
    narrow("range", range_, signature.range, "range")
    values.update(domain=domain, range=range_)
    if "adhoc" in values:
        values["adhoc"] = classes("adhoc")[0]
        narrow("adhoc", (values["adhoc"],), signature.range, "range")
    for flag in ("acting_for_country", "with_country"):
        if values.get(flag):  # the subject becomes, or takes along, a country
            narrow(flag, (Kind.COUNTRY,), signature.domain, "domain")
    if values.get("object") == "@pairs":  # each subject is the object of another
        narrow("domain", domain, signature.range, "range (a pair's members are objects too)")


def _check_arguments(
    values: dict[str, Any], nodes: list[str], signature: Signature, fail: Fail
) -> None:
    """Subject and object are nodes of the pattern or registered specs that fit there; the
    role and the tagged nodes are nodes of the pattern."""
    for place in ("subject", "object"):
        spec = values.get(place, "@auto" if place == "subject" else "object")
        reason = _spec_problem(spec, place, nodes, signature)
        if reason:
            raise fail("E124", place, spec=spec, reason=reason)
    role = values.get("role")
    if role is not None and role not in nodes:
        raise fail("E124", "role", spec=role, reason=_no_node(nodes))
    for node in values.get("node_tags", {}):
        if node not in nodes:
            raise fail("E124", "node_tags", spec=node, reason=_no_node(nodes))


def _no_node(nodes: list[str]) -> str:
    return f"the pattern has no such node; its nodes are {', '.join(nodes)}"


def _spec_problem(spec: str, place: str, nodes: list[str], signature: Signature) -> str:
    """What is wrong with a subject or object spec, or ""."""
    gives = "entities"
    if spec.startswith("@"):
        if spec not in SPECS:
            specs = ", ".join(sorted(s for s, d in SPECS.items() if place in d.places))
            return f"no such spec; a {place} is a node of the pattern or one of {specs}"
        registered = SPECS[spec]
        if place not in registered.places:
            return f"it can be the {' or '.join(sorted(registered.places))} only"
        missing = [n for n in registered.needs if n not in nodes]
        if missing:
            return f"it reads the node {missing[0]!r}, which the pattern lacks"
        gives = registered.gives
    elif spec not in nodes:
        return _no_node(nodes)
    if place == "object" and (gives == "text") != (not signature.range):
        if signature.range:
            return "it gives a text, but the relation's object is an entity"
        return "the relation's object is a text: @statement or @claim"
    return ""


def _attr_value(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return (
        isinstance(value, dict)
        and set(value) == {"IN"}
        and isinstance(value["IN"], list)
        and all(isinstance(v, str) for v in value["IN"])
    )


def _check_types(values: dict[str, Any], fail: Fail) -> None:
    def bad(key: str, reason: str) -> RuleError:
        return fail("E122", key, reason=reason)

    def strings(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    for key, value in values.items():
        if key in {"id", "relation", "subject", "object", "role", "adhoc"}:
            if not isinstance(value, str) or not value:
                raise bad(key, "a non-empty string")
        elif key == "pattern":
            if not isinstance(value, list) or not value:
                raise bad(key, "a non-empty list of nodes")
        elif key in {"domain", "range"}:
            if not strings(value):
                raise bad(key, "a list of class names or macros")
        elif key in WORD_LISTS:
            if not strings(value):
                raise bad(key, "a list of words or macros")
        elif key == "confidence":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise bad(key, "a number above 0 and at most 1")
        elif key == "negation":
            if value not in NEGATION:
                raise bad(key, f"one of {', '.join(NEGATION)}")
        elif key in FLAGS:
            if not isinstance(value, bool):
                raise bad(key, "true or false")
        elif key == "unless_child":
            if not isinstance(value, list):
                raise bad(key, "a list of token constraints")
        elif key == "node_tags":
            if not isinstance(value, dict) or not all(strings(v) for v in value.values()):
                raise bad(key, "an object of node names and lists of tags")


def _check_pattern(pattern: list[Any], fail: Callable[[str], RuleError]) -> list[str]:
    """The node names of a DependencyMatcher pattern, after checking its shape."""
    names: list[str] = []
    for i, node in enumerate(pattern):
        if not isinstance(node, dict):
            raise fail(f"node {i + 1} is no object")
        unknown = sorted(set(node) - NODE_KEYS)
        if unknown:
            raise fail(f"node {i + 1} has the unknown key {unknown[0]!r}")
        name = node.get("RIGHT_ID")
        if not isinstance(name, str) or not name:
            raise fail(f"node {i + 1} has no RIGHT_ID")
        if name in names:
            raise fail(f"two nodes are named {name!r}")
        if not isinstance(node.get("RIGHT_ATTRS", {}), dict):
            raise fail(f"the RIGHT_ATTRS of {name!r} are no object")
        if i == 0:
            if "LEFT_ID" in node or "REL_OP" in node:
                raise fail(f"the first node, {name!r}, is the anchor: no LEFT_ID or REL_OP")
        else:
            if node.get("LEFT_ID") not in names:
                raise fail(f"the LEFT_ID of {name!r} names no earlier node")
            if node.get("REL_OP") not in REL_OPS:
                raise fail(f"the REL_OP of {name!r} is no operator of spaCy's DependencyMatcher")
        names.append(name)
    return names
