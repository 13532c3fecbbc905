"""Stage 5: rules as data -> `Relation`s, each with its `Evidence`.

The rules live in ``ontology/patterns/relations.json`` in spaCy's DependencyMatcher
format. A rule anchors a trigger and names the nodes that are the subject and object;
``@auto``/``@patient``/``@statement``... ask this engine for the grammatical argument
(passive agents, relative clauses, "X is due to visit", coordination, "governments in
A, B and C"). Each relation carries the id of the rule that produced it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from kg.extraction.entities import Resolution
from kg.extraction.gazetteer import Gazetteer, title_heads
from kg.extraction.lexicon import Lexicon, load_lexicon
from kg.extraction.matcher import DependencyMatcher  # spaCy's, with its node look-ups made fast
from kg.model import Entity, Evidence, Relation
from kg.resources import rules_path

PATTERNS = rules_path()
ACTORS = ("Country", "Person", "Organisation", "UNOffice")
# Attachments that stay inside one clause: negation and refusal reach through them.
CLAUSE_INTERNAL = {
    "xcomp",
    "dobj",
    "pobj",
    "prep",
    "pcomp",
    "acomp",
    "attr",
    "nsubjpass",
    "nsubj",
    "amod",
    "compound",
    "oprd",
    "dative",
    "agent",
    "appos",
    "npadvmod",
}
PRONOUNS: dict[str, tuple[str, ...]] = {
    "he": ("Person",),
    "she": ("Person",),
    "him": ("Person",),
    "her": ("Person",),
    "its": ("Organisation", "UNOffice", "Country"),  # "the IOC and its president, X"
}
QUOTE = re.compile(r"[\"“]([^\"“”]{2,}?)[\"”]")
QUOTE_MARKS = {'"', "“", "”"}


@dataclass
class Rule:
    id: str
    relation: str
    pattern: list[dict[str, Any]]
    subject: str = "@auto"
    object: str = "object"
    domain: tuple[str, ...] = ACTORS
    range: tuple[str, ...] = ACTORS
    confidence: float = 0.8
    role: str | None = None
    negation: str = "drop"  # drop | require (for "did not send officials to")
    sentence_needs: tuple[str, ...] = ()
    cosubjects: bool = False  # "signed with the US, China..." adds signatories
    symmetric: bool = False
    adhoc: str | None = None  # class of an object named by a common noun ("the resolution")
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
    extra: dict[str, Any] = field(default_factory=dict)


def load_rules(
    gaz: Gazetteer, path: Path = PATTERNS, lexicon: Lexicon | None = None
) -> tuple[list[Rule], dict[str, Any]]:
    """Read the rule file, expanding ``@name`` macros from the file, the lexicon
    (``@lexicon.NAME``) and the gazetteer (``@gazetteer.title_heads``)."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    data = json.loads(path.read_text(encoding="utf-8"))
    macros: dict[str, Any] = {
        k: v for k, v in data.get("macros", {}).items() if not k.startswith("_")
    }
    for name, words in lexicon.items():
        # a token attribute holds one word: a pattern takes the list's one-word entries
        macros.setdefault("lexicon." + name, [w for w in words if " " not in w])
    macros.setdefault("gazetteer.title_heads", sorted(title_heads(gaz)))
    macros.setdefault("gazetteer.group_nouns", sorted(gaz.group_nouns))

    def expand(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@") and value[1:] in macros:
            return macros[value[1:]]
        if isinstance(value, dict):
            return {k: expand(v) for k, v in value.items()}
        if isinstance(value, list):
            out: list[Any] = []
            for item in value:
                got = expand(item)
                if isinstance(item, str) and isinstance(got, list):
                    out.extend(got)
                else:
                    out.append(got)
            return out
        return value

    rules = []
    for raw in data["rules"]:
        raw = {k: v for k, v in raw.items() if not k.startswith("_")}  # "_doc": a comment
        raw["pattern"] = expand(raw["pattern"])
        for key in (
            "domain",
            "range",
            "sentence_needs",
            "adhoc_heads",
            "adhoc_exclude",
            "unless_child",
        ):
            if key in raw:
                raw[key] = tuple(expand(raw[key]))
        rules.append(Rule(**raw))
    return rules, macros


class RelationExtractor:
    """Apply every rule to a parsed document; return relations with evidence."""

    def __init__(
        self, vocab: Vocab, gaz: Gazetteer, path: Path = PATTERNS, lexicon: Lexicon | None = None
    ) -> None:
        self.gaz = gaz
        self.lexicon = lexicon = lexicon if lexicon is not None else load_lexicon()
        self.rules, self.macros = load_rules(gaz, path, lexicon)
        self.by_id = {r.id: r for r in self.rules}
        self.title_heads = title_heads(gaz)
        self.title_words = {w for t in gaz.titles for w in t.replace("-", " ").split()} | {
            "ministry",
            "-",
        }
        self.matcher = DependencyMatcher(vocab)
        for rule in self.rules:
            self.matcher.add(rule.id, [rule.pattern])
        self.refusal = lexicon.words("refusal")
        self.hypothetical = lexicon.words("hypothetical")
        self.modals = lexicon.words("hypothetical_modals")
        self.speech = lexicon.words("speech")
        self.saying = self.speech | lexicon.words("deny")
        self.reported_pronouns = lexicon.words("reported_pronouns")
        self.proxy_nouns = lexicon.words("proxy_nouns")
        self.both_nouns = lexicon.words("both_nouns")
        self.letter_nouns = lexicon.words("letter_nouns")
        self.agent_governors = lexicon.words("agent_governors")
        self.former_markers = lexicon.words("former_markers")
        self.event_nouns = lexicon.words("event_nouns")
        self.postings = lexicon.table("posting")
        self._doc_id = ""  # the document being read, for event entities named by a noun

    # -- matching -----------------------------------------------------------------
    def __call__(self, doc: Doc, res: Resolution, doc_id: str) -> list[Relation]:
        found: dict[tuple[Any, ...], Relation] = {}
        self._doc_id = doc_id
        for match_id, token_ids in self.matcher(doc):
            rule = self.by_id[doc.vocab.strings[match_id]]
            nodes = {rule.pattern[i]["RIGHT_ID"]: doc[t] for i, t in enumerate(token_ids)}
            for rel in self._apply(rule, nodes, doc, res, doc_id):
                key = (rel.subject, rel.relation, rel.object, rel.evidence.sentence_start)
                if key not in found or found[key].evidence.confidence < rel.evidence.confidence:
                    found[key] = rel
        relations = list(found.values())
        relations += self._quote_paragraphs(doc, res, doc_id, relations)
        return _attribute(sorted(relations, key=_order), doc)

    def _apply(
        self, rule: Rule, nodes: dict[str, Token], doc: Doc, res: Resolution, doc_id: str
    ) -> Iterator[Relation]:
        trigger = nodes.get("trigger") or next(iter(nodes.values()))
        if any(nodes[n].tag_ not in tags for n, tags in rule.node_tags.items()):
            return
        sent = trigger.sent
        if rule.sentence_needs and not any(t.lemma_.lower() in rule.sentence_needs for t in sent):
            return
        near = [
            *trigger.children,
            *(g for c in trigger.children if c.dep_ == "dobj" for g in c.children),
        ]
        if any(_attrs_match(c, want) for c in near for want in rule.unless_child):
            return
        negated = self.negated(trigger)
        if (rule.negation == "drop" and negated) or (rule.negation == "require" and not negated):
            return
        domain = (*rule.domain, "Person") if rule.acting_for_country else rule.domain
        subjects = self._arguments(rule.subject, nodes, trigger, res, domain, True, rule.coordinate)
        if rule.cosubjects:
            subjects += self._entities(
                [
                    p
                    for c in trigger.children
                    if c.dep_ == "prep" and c.lower_ == "with"
                    for p in c.children
                    if p.dep_ == "pobj"
                ],
                res,
                rule.domain,
            )
        if not subjects:
            return
        title = nodes.get(rule.role) if rule.role else None
        role = self.role(title, res) if title is not None else None
        if title is not None and self.former(title):
            return  # "former Kenyan President X" no longer holds the office
        if rule.object in {"@statement", "@claim"}:
            text, direct = self.statement(trigger, rule.object == "@claim")
            if not text:
                return
            for subj_token, subj in subjects:
                yield self._relation(
                    rule, subj, text, subj_token, None, sent, doc_id, role, text=True, direct=direct
                )
            return
        if rule.object == "@pairs":  # "A and B met"; "talks between A and B"
            for i, (t1, e1) in enumerate(subjects):
                for t2, e2 in subjects[i + 1 :]:
                    yield self._relation(rule, e1, e2.key, t1, t2, sent, doc_id, None)
            return
        objects = self._arguments(
            rule.object, nodes, trigger, res, rule.range, False, rule.coordinate
        )
        if not objects and rule.adhoc:
            objects = self._adhoc(rule, nodes, trigger, res, doc_id)
        if rule.acting_for_country:
            subjects = [
                (t, e)
                for t, e in (self._country_of(t, e, res) for t, e in subjects)
                if e.kind != "Person"
            ]
        elif rule.with_country:
            countries = [self._country_of(t, e, res) for t, e in subjects if e.kind == "Person"]
            subjects += [
                (t, e)
                for t, e in countries
                if e.kind == "Country" and e.key not in {s.key for _, s in subjects}
            ]
        if title is not None:
            objects = [
                (t, o)
                for t, o in objects
                if not self.posting(title, t, o) and not (t.i < title.i and self.portfolio(t, res))
            ]
        for subj_token, subj in subjects:
            for obj_token, obj in objects:
                if obj.key == subj.key:
                    continue
                yield self._relation(rule, subj, obj.key, subj_token, obj_token, sent, doc_id, role)

    def _relation(
        self,
        rule: Rule,
        subj: Entity,
        obj: str,
        subj_token: Token,
        obj_token: Token | None,
        sent: Span,
        doc_id: str,
        role: str | None,
        text: bool = False,
        direct: bool = False,
    ) -> Relation:
        sentence, start = stripped(sent)
        evidence = Evidence(
            doc_id=doc_id,
            sentence=sentence,
            sentence_start=start,
            sentence_end=start + len(sentence),
            subject_text=_phrase(subj_token),
            object_text=_phrase(obj_token) if obj_token is not None else obj,
            pattern=rule.id,
            confidence=rule.confidence,
            role=role,
        )
        return Relation(subj.key, rule.relation, obj, evidence, object_is_text=text, direct=direct)

    # -- arguments ------------------------------------------------------------------
    def _arguments(
        self,
        spec: str,
        nodes: dict[str, Token],
        trigger: Token,
        res: Resolution,
        kinds: tuple[str, ...],
        subject: bool,
        coordinate: bool = True,
    ) -> list[tuple[Token, Entity]]:
        if spec == "@salient_event":
            entity = res.entities.get(res.salient_event or "")
            if entity is None and "Event" in kinds:
                return self.recent_event(trigger, res, self._doc_id)
            return [(trigger, entity)] if entity and entity.kind in kinds else []
        if spec == "@context_country":
            return self.context_country(nodes["subject"], res)
        if spec == "@auto":
            tokens = self.subjects(trigger)
            if subject and trigger.lemma_.lower() in self.saying:
                # "X said that A was ... and denied that ...": the parser hangs the second
                # act of saying inside the first one's clause; it is still X's
                reporters = self.reporter(trigger)
                if self._entities(reporters, res, kinds, descend=False):
                    tokens = reporters
        elif spec == "@patient_or_salient":
            tokens = self.patients(trigger)
            if not tokens:
                return self._arguments("@salient_event", nodes, trigger, res, kinds, subject)
        elif spec == "@agents":
            tokens = self.noun_agents(trigger)
        elif spec == "@patient":
            tokens = self.patients(trigger)
        elif spec in nodes:
            tokens = [nodes[spec]]
        else:
            raise ValueError(f"rule argument {spec!r} names no node")
        found = self._entities(tokens, res, kinds, descend=not subject, coordinate=coordinate)
        if not found and spec == "@auto" and subject:
            found = self._entities(
                self.reporter(trigger), res, kinds, descend=False, coordinate=coordinate
            )
        if not found and spec == "@auto" and subject:
            # "the letter, signed by A, accuses X"; "It accuses X" after such a letter
            found = self._entities(
                [a for letter in self.letters(tokens) for a in self.noun_agents(letter)],
                res,
                kinds,
                descend=False,
                coordinate=coordinate,
            )
        return found

    def letters(self, tokens: list[Token]) -> list[Token]:
        """Letter nouns among subject tokens, or the letter an "it" subject refers back to
        (the subject of one of the two sentences before)."""
        nouns = self.letter_nouns
        found = [t for t in tokens if t.lower_ in nouns]
        for token in tokens:
            if token.lower_ != "it" or found:
                continue
            sents = [s for s in token.doc.sents if s.start <= token.i][-3:-1]
            found = [
                t
                for s in reversed(sents)
                for t in s
                if t.lower_ in nouns and t.dep_ in {"nsubj", "nsubjpass"}
            ][:1]
        return found

    def context_country(self, person: Token, res: Resolution) -> list[tuple[Token, Entity]]:
        """ "Foreign Minister X" with no country in the title serves the country the text is
        about: the last country earlier in the paragraph that is (the owner of) a main
        clause's subject ("Quito rejected it", not "talks with Moscow" or "the war in
        Ukraine"), else a country that is a subject later in the sentence ("spokesman X said
        India protests")."""
        mods = [
            t
            for c in person.lefts
            if c.dep_ in {"compound", "amod", "nmod"}
            for t in c.subtree
            if res.entity_at(t) is None or t.ent_type_ != "PERSON"
        ]
        words = [t for t in mods if t.pos_ not in {"PUNCT", "DET"}]
        if not words or any(
            (res.entity_at(t) is not None and not self.portfolio(t, res))
            or t.lower_ not in self.title_words
            for t in words
        ):
            return []  # a named office ("Commission President X") or a country is there
        for anc in [person, *person.ancestors]:  # "Hungary, whose prime minister X, ..."
            if anc.dep_ in {"relcl", "appos"}:
                owner = res.entity_at(anc.head)
                if owner is not None and owner.kind == "Country":
                    return [(anc.head, owner)]
                break
        named: list[tuple[Token, Entity]] = []  # countries of the paragraph, any role
        quotes = 0
        for i in range(min(t.i for t in words) - 1, -1, -1):
            token = person.doc[i]
            if "\n" in token.text_with_ws:
                break  # the paragraph starts after this token
            quotes += token.text in QUOTE_MARKS
            entity = res.entity_at(token)
            if entity is None or entity.kind != "Country" or self._titled(token) or quotes % 2:
                continue  # a country inside a quotation is what someone said, not the topic
            if _main_subject(token):
                return [(token, entity)]
            named.append((token, entity))
        for token in person.sent[person.i - person.sent.start + 1 :]:
            entity = res.entity_at(token)
            if (
                entity is not None
                and entity.kind == "Country"
                and token.dep_ in {"nsubj", "nsubjpass"}
            ):
                return [(token, entity)]
        # no subject to go by: the country the article is most about, if the paragraph names it
        counts: dict[str, int] = {}
        for i, key in res.token_key.items():
            if key.startswith("country:") and res.token_key.get(i - 1) != key:
                counts[key] = counts.get(key, 0) + 1
        top = max(sorted(counts), key=lambda k: counts[k], default=None)
        return [(t, e) for t, e in named if e.key == top][:1]

    def _titled(self, token: Token) -> bool:
        """A country inside someone's title ("Israeli Prime Minister X", "Bahrain's foreign
        minister, Y") is that person's country, not the paragraph's."""
        step = token
        for _ in range(3):
            if step.head.i == step.i or step.dep_ not in {"amod", "compound", "poss", "nmod"}:
                return False
            step = step.head
            if step.lower_ in self.title_words or step.ent_type_ == "PERSON":
                return True
        return False

    def reporter(self, verb: Token) -> list[Token]:
        """ "X said the reforms had failed and called on Y to act": the parser often hangs the
        second verb on the reported clause, whose subject is no actor; the act is the
        reporter's. Used only when the clause's own subject names no actor."""
        token = verb
        while token.dep_ == "conj" and token.head.i != token.i:
            token = token.head
        if (
            token.i == verb.i
            or token.dep_ != "ccomp"
            or token.head.lemma_.lower() not in self.speech
        ):
            return []
        if any(c.dep_ == "auxpass" for c in verb.children):
            return []  # "said X was arrested and charged": a passive shares its patient
        return self.subjects(token.head)

    def _adhoc(
        self, rule: Rule, nodes: dict[str, Token], trigger: Token, res: Resolution, doc_id: str
    ) -> list[tuple[Token, Entity]]:
        """Objects named by a common noun phrase: "condemned the annexation", "signed a
        joint statement", "attended the first meeting of states parties"."""
        if rule.object in {"@patient", "@patient_or_salient"}:
            tokens = self.patients(trigger)
        elif rule.object in nodes:
            tokens = [nodes[rule.object]]
        else:
            return []
        out = []
        for token in self.expand(tokens):
            if not _nominal(token) or token.i in res.token_key:
                continue
            if (
                rule.adhoc_heads
                and token.lemma_.lower() not in rule.adhoc_heads
                and token.lower_ not in rule.adhoc_heads
            ):
                continue
            if token.lower_ in rule.adhoc_exclude or token.lemma_.lower() in rule.adhoc_exclude:
                continue
            label = noun_phrase(token)
            kind = rule.adhoc or "Topic"
            key = f"{kind.lower()}:{doc_id}/{label}"
            entity = res.entities.setdefault(key, Entity(key, kind, label, scope=doc_id))
            out.append((token, entity))
        return out

    def recent_event(
        self, trigger: Token, res: Resolution, doc_id: str, back: int = 4
    ) -> list[tuple[Token, Entity]]:
        """With no named event in the text, "also attended" and "joined the boycott" refer to
        the meeting last named by a common noun: in this sentence before the trigger, else in
        one of the `back` sentences before it."""
        heads = self.event_nouns
        doc = trigger.doc
        sents = [s for s in doc.sents if s.start <= trigger.i][-(back + 1) :]
        candidates = [
            t
            for t in reversed(doc[sents[0].start : trigger.i])
            if t.i not in res.token_key
            and _nominal(t)
            and (t.lemma_.lower() in heads or t.lower_ in heads)
        ]
        # the meeting someone attended, boycotted or hosted, before one a clause is about,
        # before one named in passing ("... since the 2001 conference")
        rank = {"dobj": 0, "nsubj": 1, "nsubjpass": 1}
        candidates.sort(key=lambda t: rank.get(t.dep_, 2))
        for token in candidates[:1]:
            label = noun_phrase(token)
            key = f"event:{doc_id}/{label}"  # the key `_adhoc` gives the same phrase
            entity = res.entities.setdefault(key, Entity(key, "Event", label, scope=doc_id))
            return [(token, entity)]
        return []

    def _country_of(self, token: Token, entity: Entity, res: Resolution) -> tuple[Token, Entity]:
        """A head of state or government acting ("President X joined the boycott") acts
        for the country named in their title, when the sentence names it."""
        if entity.kind != "Person":
            return token, entity
        for child in token.subtree:
            got = res.entity_at(child)
            if got is not None and got.kind == "Country" and child.i < token.i:
                return child, got
        return token, entity

    def _entities(
        self,
        tokens: Iterable[Token],
        res: Resolution,
        kinds: tuple[str, ...],
        descend: bool = True,
        coordinate: bool = True,
    ) -> list[tuple[Token, Entity]]:
        out: list[tuple[Token, Entity]] = []
        seen: set[str] = set()
        for token in self.expand(tokens) if coordinate else list(tokens):
            entity = self.entity_for(token, res, descend)
            both = [entity] if entity is not None else self.both(token, res)
            for entity in both:
                if entity.kind not in kinds or entity.key in seen:
                    continue
                seen.add(entity.key)
                out.append((token, entity))
        return out

    def both(self, token: Token, res: Resolution) -> list[Entity]:
        """ "both sides", "both governments": the two countries the article names most, other
        than the clause's own subject, when each is named at least three times and no third
        country is named as often as the second (else the parties are unclear)."""
        verb = token.head.head if token.dep_ == "pobj" else token.head
        if (
            token.lemma_.lower() not in self.both_nouns
            or token.tag_ != "NNS"
            or not any(c.lower_ == "both" and c.dep_ in {"det", "predet"} for c in token.children)
            or verb.pos_ not in {"VERB", "AUX"}
        ):  # not "groups in both countries"
            return []
        speakers: set[str] = set()  # "U.S. envoy X urged both sides": not the U.S.
        for subject in self.subjects(verb):
            entity = self.entity_for(subject, res, False)
            if entity is not None:
                speakers |= {entity.key, self._country_of(subject, entity, res)[1].key}
        counts: dict[str, int] = {}
        for i, key in sorted(res.token_key.items()):
            if (
                key.startswith("country:")
                and res.token_key.get(i - 1) != key
                and key not in speakers
            ):
                counts[key] = counts.get(key, 0) + 1
        ranked = sorted(counts.values(), reverse=True) + [0, 0, 0]
        if ranked[1] < 3 or ranked[2] == ranked[1]:
            return []
        return [res.entities[k] for k in sorted(counts) if counts[k] >= ranked[1]]

    def expand(self, tokens: Iterable[Token]) -> list[Token]:
        """Coordination and group nouns: "the US, Canada and Britain"; "governments in A, B"."""
        out: list[Token] = []
        tokens = list(tokens)
        for token in list(tokens):
            if token.dep_ == "pobj" and token.head.dep_ in {"prep", "conj"}:
                # "wrote to A and to B": the second preposition is a conjunct of the first
                tokens += [
                    p
                    for c in token.head.conjuncts
                    if c.lower_ == token.head.lower_
                    for p in c.children
                    if p.dep_ == "pobj"
                ]
        for token in tokens:
            for member in [token, *token.conjuncts]:
                out.append(member)
                if member.lower_ in self.gaz.group_nouns or (
                    member.tag_ == "NNS" and member.lemma_.lower() in self.title_heads
                ):
                    for prep in member.children:
                        if prep.dep_ == "prep" and prep.lower_ in {
                            "in",
                            "of",
                            "from",
                            "including",
                            "like",
                            "such",
                        }:
                            for pobj in prep.subtree:
                                if pobj.dep_ in {"pobj", "conj", "appos"}:
                                    out.append(pobj)
                    for appos in member.children:
                        if appos.dep_ == "appos":
                            out.extend([appos, *appos.conjuncts])
                # "Peru's president, Ana Soto, and Chile's Luis Rojas": the parser hangs the
                # second member on the apposition
                out.extend(
                    c
                    for a in member.children
                    if a.dep_ == "appos"
                    for c in a.conjuncts
                    if c not in out
                )
                # "Austria, the Netherlands and Poland": a country is no apposition to another
                # country; the parser mistakes the list for one
                if member.ent_type_ == "GPE":
                    out.extend(
                        a
                        for a in member.children
                        if a.dep_ == "appos" and a.ent_type_ == "GPE" and a not in out
                    )
        return out

    def entity_for(
        self, token: Token, res: Resolution, descend: bool = True, depth: int = 0
    ) -> Entity | None:
        entity = res.entity_at(token)
        if entity is not None:
            return entity
        if token.tag_ == "WP$":  # "Austria, whose foreign minister, X": Austria
            clause = token
            while clause.dep_ not in {"relcl", "appos"} and clause.head.i != clause.i:
                clause = clause.head
            return res.entity_at(clause.head) if clause.dep_ in {"relcl", "appos"} else None
        if token.dep_ == "pobj" and token.head.lower_ == "of" and token.tag_ == "NNS":
            token = token.head.head  # "Oxfam, one of the groups that signed": Oxfam
        if token.lower_ == "one" and token.dep_ == "appos":
            return res.entity_at(token.head)
        if token.lower_ in PRONOUNS:
            kinds = PRONOUNS[token.lower_]
            if token.lower_ == "its":  # "UNICEF ... in Yemen. Its executive director": UNICEF
                return self.antecedent(
                    token, res, ("Organisation", "UNOffice"), window=2
                ) or self.antecedent(token, res, kinds, window=2)
            return self.antecedent(token, res, kinds)
        for child in token.children:  # "his Ethiopian counterpart Demeke Mekonnen"
            if child.dep_ == "appos":
                got = res.entity_at(child)
                if got is not None and got.kind in ACTORS:
                    return got
        if not descend:
            if token.lemma_.lower() not in self.proxy_nouns:
                return None
            # "the Saudi government said": a country or a known body, not "the Biden
            # administration" (a person's name standing for the state)
            got = self.entity_for(token, res, True, depth=2)
            return (
                got
                if got is not None and (got.kind == "Country" or got.key in self.gaz.known)
                else None
            )
        # "behavior of the US Administration", "China's record": the owner stands for it
        for child in token.children:
            if child.dep_ == "poss" or (
                child.dep_ in {"amod", "compound"} and res.entity_at(child)
            ):
                got = res.entity_at(child)
                if got is not None and got.kind in ACTORS:
                    return got
        # "the authorities in Kabul", "the government in Tehran"
        owners = {"of", "by", "in"} if token.lemma_.lower() in self.proxy_nouns else {"of", "by"}
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in owners:
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        got = self.entity_for(pobj, res, descend=depth < 2, depth=depth + 1)
                        if got is not None:
                            return got
        return None

    def antecedent(
        self, token: Token, res: Resolution, kinds: tuple[str, ...], window: int | None = None
    ) -> Entity | None:
        """The entity of those kinds named most recently before a pronoun (within `window`
        sentences when given)."""
        first = 0
        if window is not None:
            sents = [s for s in token.doc.sents if s.start <= token.i]
            first = sents[max(0, len(sents) - window)].start
        starts = [s.start for s in token.doc.sents if s.start <= token.i]
        near = starts[max(0, len(starts) - 3)]  # this sentence and the two before it
        fallback = None
        for i in range(token.i - 1, first - 1, -1):
            entity = res.entities.get(res.token_key.get(i, ""))
            if entity is None or entity.kind not in kinds:
                continue
            if (
                kinds == ("Person",)
                and i < starts[-1]
                and i >= near
                and not _subject_like(token.doc[i])
            ):
                # "X signed it in St George's Hall. He said": he is the subject, X
                fallback = fallback or entity
                continue
            return fallback if fallback is not None and i < near else entity
        return fallback

    def subjects(self, verb: Token) -> list[Token]:
        """Grammatical subjects of a verb or noun trigger, following the clause structure."""
        token = verb
        for _ in range(6):
            # only a participle has an agent: "spoke by telephone" is no passive
            by = [c for c in token.children if c.dep_ == "agent" and token.tag_ == "VBN"]
            # "attended by A, and by B": the second "by" is a conjunct of the first or the verb
            by += [
                c
                for b in list(by) + [token]
                for c in b.children
                if by and c.dep_ == "conj" and c.lower_ == "by"
            ]
            agents = [p for c in by for p in c.children if p.dep_ == "pobj"]
            if agents:
                # "signed by A, an adviser to B, and C": the parser may hang C on the verb
                return agents + [
                    c
                    for c in token.children
                    if c.dep_ == "conj" and c.pos_ == "PROPN" and c.i > agents[-1].i
                ]
            subj = [c for c in token.children if c.dep_ in {"nsubj", "csubj"}]
            if (
                token.i == verb.i
                and token.dep_ == "ccomp"
                and not subj
                and any(c.dep_ == "nsubjpass" for c in token.children)
            ):
                return []  # "X was appalled that the bill had been signed": by someone else
            if token.i != verb.i and not subj:  # "X is expected to hold talks"
                subj = [c for c in token.children if c.dep_ == "nsubjpass"]
            if subj:
                if subj[0].tag_ in {"WDT", "WP"} and token.dep_ == "relcl":
                    return [token.head]
                if subj[0].lower_ in self.reported_pronouns and token.dep_ == "ccomp":
                    # "Canada and Brazil confirmed they would attend": the reporters
                    return self.subjects(token.head) or subj
                return subj
            if token.dep_ == "relcl":  # "a deal Iran signed": subject inside; "France, which..."
                return [token.head]
            if token.dep_ in {"acl"} and token.tag_ in {"VBG", "VBN", "VB"}:
                return [token.head]  # "governments following suit", "the city to stage"
            if token.dep_ in {"attr", "oprd"} and token.head.lemma_ == "be":
                pass
            if (
                token.dep_
                in {
                    "xcomp",
                    "acomp",
                    "conj",
                    "advcl",
                    "ccomp",
                    "attr",
                    "dobj",
                    "pobj",
                    "prep",
                    "pcomp",
                    "oprd",
                    "nsubjpass",
                }
                and token.head.i != token.i
            ):
                if token.dep_ in {
                    "dobj",
                    "pobj",
                    "prep",
                    "pcomp",
                    "nsubjpass",
                    "attr",
                } and token.pos_ in {"NOUN", "PROPN"}:
                    return []  # a noun argument's subject is the rule's business (@agents)
                token = token.head
                continue
            break
        return []

    def noun_agents(self, noun: Token) -> list[Token]:
        """Who does what a noun names: "Canada's boycott", "a Chinese letter", "a letter
        from X", "a letter written by X", "X announced a boycott", "a boycott backed by X"."""
        strong = [c for c in noun.children if c.dep_ == "poss"]
        if strong and all(c.tag_ == "PRP$" for c in strong) and noun.dep_ == "dobj":
            # "X reaffirmed its support": a possessive pronoun in the object is the subject's
            strong = self.subjects(noun.head) or strong
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ in {"from", "by"}:
                strong += [p for p in child.children if p.dep_ == "pobj"]
            if child.dep_ == "acl":
                strong += [
                    p
                    for a in child.children
                    if a.dep_ == "agent"
                    for p in a.children
                    if p.dep_ == "pobj"
                ]
        if strong:
            return strong
        weak = [c for c in noun.children if c.dep_ in {"amod", "compound", "nmod"}]
        head = noun.head
        governors = self.agent_governors
        if noun.dep_ in {"nsubjpass", "dobj"} and head.lemma_.lower() in governors:
            return weak + self.subjects(head)
        if noun.dep_ == "pobj" and head.head.lemma_.lower() in governors:
            return weak + self.subjects(head.head)
        if noun.dep_ == "pobj" and head.lower_ == "in" and head.head.lemma_.lower() in self.saying:
            return weak + self.subjects(head.head)  # "X said in a letter to Y that ..."
        return weak

    def patients(self, verb: Token) -> list[Token]:
        passive = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if passive:
            return passive
        obj = [c for c in verb.children if c.dep_ in {"dobj", "obj"}]
        if obj and obj[0].tag_ in {"WDT", "WP"} and verb.dep_ == "relcl":
            return [verb.head]  # "the accord, which Peru signed": the accord
        if obj:
            return obj
        if verb.dep_ in {"relcl", "acl"}:
            return [verb.head]
        if verb.dep_ == "conj" and verb.pos_ == "VERB" and verb.head.pos_ == "VERB":
            # coordinated verbs share their object: "drafted by Mexico and backed by Chile"
            return self.patients(verb.head)
        return []

    # -- negation, roles, statements ----------------------------------------------------
    def negated(self, trigger: Token) -> bool:
        """Negation, refusal or a hypothetical governs the trigger within its clause:
        "did not join the boycott", "ruled out a boycott", "could consider a boycott"."""
        token = trigger
        for _ in range(8):
            for child in token.children:
                if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
                    return True
                if child.dep_ == "mark" and child.lower_ in {"if", "unless", "whether"}:
                    return True
                if child.dep_ == "aux" and child.lower_ in self.modals:
                    return True
            if token.i != trigger.i:
                lemma = token.lemma_.lower()
                particles = [c.lower_ for c in token.children if c.dep_ == "prt"]
                phrases = {lemma, *(f"{lemma} {p}" for p in particles)}
                if phrases & (self.refusal | self.hypothetical):
                    return True
            if token.dep_ not in CLAUSE_INTERNAL or token.head.i == token.i:
                return False
            token = token.head
        return False

    def former(self, title: Token) -> bool:
        markers = self.former_markers
        return any(
            c.lower_ in markers
            for c in title.children
            if c.dep_ in {"amod", "advmod"} or c.i < title.i
        )

    def portfolio(self, token: Token, res: Resolution) -> bool:
        """An office word that the small model tags as an organisation ("Justice" in "Justice
        Minister X", "Cabinet" in "Chief Cabinet Secretary X") names the portfolio, not an
        organisation the person serves."""
        entity = res.entity_at(token)
        return (
            entity is not None
            and entity.kind == "Organisation"
            and all(w in self.title_words for w in entity.label.lower().replace("-", " ").split())
        )

    def posting(self, title: Token, obj: Token, entity: Entity | None = None) -> bool:
        """True when `obj` is where the title holder is posted ("U.N. ambassador", "envoy
        for Yemen"), not whom they represent. A country before an ambassador's title is the
        sender ("U.S. Ambassador X"); an organisation there is the posting."""
        marks = self.postings.get(title.lemma_.lower())
        if not marks:
            return False
        premod = "compound" in marks and not (entity is not None and entity.kind == "Country")
        if obj.head.i == title.head.i and obj.i < title.i and obj.dep_ in {"compound", "nmod"}:
            return premod  # "UN envoy Ana Soto": flat names make the two siblings
        step = obj
        while step.head.i != title.i and step.head.i != step.i:
            step = step.head
        if step.head.i != title.i:
            return False
        if step.dep_ == "prep":
            return step.lower_ in marks
        return step.dep_ in {"compound", "nmod"} and premod

    def role(self, title: Token, res: Resolution) -> str:
        """The role title around a title noun, without the entity words: "executive director"."""
        words = [
            c
            for c in title.lefts
            if c.dep_ in {"compound", "amod"}
            and c.i not in res.token_key
            and c.pos_ in {"NOUN", "PROPN", "ADJ"}
        ]
        start = min([w.i for w in words] + [title.i])
        tokens = [t for t in title.doc[start : title.i + 1] if t.i not in res.token_key]
        return " ".join(t.lower_ for t in tokens if t.pos_ != "DET")

    def statement(self, trigger: Token, claim: bool) -> tuple[str, bool]:
        """The text said: a quote in the sentence, else the reported clause, else the sentence."""
        sent = trigger.sent
        if claim:
            objs = self.patients(trigger) or [c for c in trigger.children if c.dep_ == "ccomp"]
            if objs:
                sub = list(objs[0].subtree)
                return trigger.doc[sub[0].i : sub[-1].i + 1].text, False
            return "", False
        quotes = [q.group(1).strip() for q in QUOTE.finditer(sent.text)]
        if quotes:
            return " ... ".join(quotes), True
        opened = open_quote(sent, trigger)
        if opened:
            return opened, True
        # the reported clause follows the verb, or leads the sentence: "X met Y, Z said"
        clauses = [c for c in trigger.children if c.dep_ in {"ccomp", "xcomp"}]
        for child in sorted(clauses, key=lambda c: c.i < trigger.i):
            sub = list(child.subtree)
            return trigger.doc[sub[0].i : sub[-1].i + 1].text, False
        as_phrase = [c for c in trigger.children if c.dep_ == "prep" and c.lower_ == "as"]
        what = [c for c in trigger.children if c.dep_ == "dobj"]
        if as_phrase and what:  # "described the sanctions as unlawful"
            return trigger.doc[what[0].left_edge.i : as_phrase[0].right_edge.i + 1].text, False
        if trigger.lower_ == "according":  # the sentence without "according to X"
            drop = {t.i for t in trigger.subtree}
            words = [t.text_with_ws for t in sent if t.i not in drop]
            return "".join(words).strip(" ,.") + ".", False
        return "", False  # "responded to the deployment" says nothing quotable

    def _quote_paragraphs(
        self, doc: Doc, res: Resolution, doc_id: str, relations: list[Relation]
    ) -> list[Relation]:
        """A paragraph that is only a quote continues the previous paragraph's speaker."""
        said = {r.evidence.sentence_start: r for r in relations if r.relation == "said"}
        out: list[Relation] = []
        last: Relation | None = None
        for sent in doc.sents:
            text, start = stripped(sent)
            if start in said:
                last = said[start]
                continue
            starts_paragraph = sent.start == 0 or "\n" in doc[sent.start - 1].text_with_ws
            if last is not None and starts_paragraph and text[:1] in {'"', "“"}:
                found = QUOTE.search(text)
                quote = found.group(1).strip() if found else text.strip('"“” ')
                ev = Evidence(
                    doc_id,
                    text,
                    start,
                    start + len(text),
                    last.evidence.subject_text,
                    quote,
                    "said.quote-paragraph",
                    0.7,
                )
                out.append(Relation(last.subject, "said", quote, ev, True, True))
            elif starts_paragraph:
                last = None
        return out


def open_quote(sent: Span, trigger: Token) -> str:
    """A quote that began in an earlier sentence of the paragraph and closes before the
    speech verb: '"We agreed. It is done," she said.' The sentence splitter cuts such quotes."""
    doc = sent.doc
    closing = [t for t in sent if t.i < trigger.i and t.text in {'"', "”"}]
    if not closing or any(t.text in {'"', "“"} for t in doc[sent.start : closing[-1].i]):
        return ""
    end = closing[-1].idx
    para = doc.text[doc.text.rfind("\n", 0, end) + 1 : end]
    if closing[-1].text == '"':
        if para.count('"') % 2 == 0:
            return ""  # the mark closes nothing: it opens a quote of its own
        start = para.rfind('"')
    else:
        start = para.rfind("“")
        if start < 0 or "”" in para[start:]:
            return ""
    return para[start + 1 :].strip(" ,") if start >= 0 else ""


def _nominal(token: Token) -> bool:
    """A noun, or a gerund the small model tags as a verb where it heads a noun phrase:
    "boycotted a high-level meeting"."""
    if token.pos_ == "NOUN":
        return True
    return (
        token.tag_ == "VBG"
        and token.dep_ in {"dobj", "pobj", "nsubj", "nsubjpass"}
        and any(c.dep_ in {"det", "poss"} for c in token.children)
    )


def _main_subject(token: Token) -> bool:
    """The token names (the owner of) the subject of a main clause: "Peru and Chile
    rejected", "Peru's foreign ministry said"; not a subject inside reported speech."""
    for _ in range(4):
        if token.dep_ in {"conj", "poss", "compound", "amod"} and token.head.i != token.i:
            token = token.head
        else:
            break
    if token.dep_ not in {"nsubj", "nsubjpass"}:
        return False
    verb = token.head
    while verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    return verb.dep_ == "ROOT"


def _subject_like(token: Token) -> bool:
    """A name that is (in apposition to) a clause subject."""
    for _ in range(4):
        if token.dep_ not in {"compound", "flat", "appos"} or token.head.i == token.i:
            break
        token = token.head
    return token.dep_ in {"nsubj", "nsubjpass"}


def _attrs_match(token: Token, want: dict[str, Any]) -> bool:
    """A token against RIGHT_ATTRS-style constraints (DEP, LOWER, LEMMA, POS; value or IN)."""
    have = {
        "DEP": token.dep_,
        "LOWER": token.lower_,
        "LEMMA": token.lemma_.lower(),
        "POS": token.pos_,
    }
    for key, value in want.items():
        allowed = value["IN"] if isinstance(value, dict) else [value]
        if have[key] not in allowed:
            return False
    return True


def stripped(sent: Span) -> tuple[str, int]:
    """A sentence's text without surrounding white space, and its start offset."""
    text = sent.text
    return text.strip(), sent.start_char + len(text) - len(text.lstrip())


def noun_phrase(token: Token) -> str:
    """A common noun with its left modifiers and an "of" complement, without determiners:
    "the first meeting of states parties" -> "first meeting of states parties"."""
    left = [c for c in token.lefts if c.dep_ in {"amod", "compound", "nummod", "nmod", "poss"}]
    start = min([c.left_edge.i for c in left] + [token.i])
    end = token.i + 1
    for child in token.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            end = child.right_edge.i + 1
            last = token.doc[end - 1]
            if last.ent_iob_ != "O" and end < len(token.doc):  # a name the parser split up
                end = next((e.end for e in token.doc.ents if e.start < end <= e.end), end)
            # "... in Europe (OSCE)": the acronym in brackets is no part of the phrase
            end = next((t.i for t in token.doc[child.i : end] if t.text == "("), end)
            break
    # determiners go before the head only: "council of the Organization for ..." keeps its own
    words = [t for t in token.doc[start:end] if t.dep_ != "det" or t.i > token.i]
    text = "".join(t.text + (t.whitespace_ if t.i + 1 < end else "") for t in words)
    return " ".join(text.split())


def _phrase(token: Token) -> str:
    sub = list(token.subtree) if token.pos_ in {"PROPN"} else [token]
    if token.ent_iob_ in {"B", "I"}:
        ent = _entity_around(token)
        if ent is not None:
            return ent.text
    return token.doc[sub[0].i : sub[-1].i + 1].text if sub else token.text


def _entity_around(token: Token) -> Span | None:
    """The entity of `token.sent.ents` that holds `token`, read from the IOB tags around it
    (`ents` builds a Span for every entity of the document, at each call)."""
    doc = token.doc
    start, end = token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    sent = token.sent
    if (
        doc[start].ent_iob_ != "B"
        or not doc[start].ent_type
        or start < sent.start
        or end > sent.end
    ):
        return None
    return doc[start:end]


def _order(rel: Relation) -> tuple[Any, ...]:
    return (rel.evidence.sentence_start, rel.relation, rel.subject, rel.object)


def _attribute(relations: list[Relation], doc: Doc) -> list[Relation]:
    """A relation inside a quote is the speaker's claim, not the document's."""
    speakers: list[tuple[int, int, str]] = []
    for rel in relations:
        if rel.relation == "said" and rel.direct:
            speakers.append((rel.evidence.sentence_start, rel.evidence.sentence_end, rel.subject))
    out = []
    for rel in relations:
        ev = rel.evidence
        who = None
        if rel.relation != "said":
            for start, _end, speaker in speakers:
                if start == ev.sentence_start and speaker != rel.subject:
                    quotes = [m.span() for m in QUOTE.finditer(ev.sentence)]
                    if quotes and any(ev.subject_text in ev.sentence[a:b] for a, b in quotes):
                        who = speaker
        out.append(
            Relation(
                rel.subject,
                rel.relation,
                rel.object,
                _replace(ev, attributed_to=who),
                rel.object_is_text,
                rel.direct,
            )
            if who
            else rel
        )
    return out


def _replace(ev: Evidence, **changes: Any) -> Evidence:
    from dataclasses import replace

    return replace(ev, **changes)


def statement_id(doc_id: str, text: str) -> str:
    return hashlib.sha1(f"{doc_id}\x00{text}".encode()).hexdigest()[:12]
