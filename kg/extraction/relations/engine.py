"""Stage 5: the relation engine. It matches every rule's pattern, asks the argument
resolvers for each match's subjects and objects, and gives `Relation`s with their
`Evidence` (each carries the id of its rule), plus the entities the rules named by a
common noun ("condemned the annexation"). All state of one document lives in its `Call`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from kg.extraction.entities import Resolution
from kg.extraction.gazetteer import Gazetteer
from kg.extraction.lexicon import Lexicon, load_lexicon
from kg.extraction.matcher import DependencyMatcher  # spaCy's, with its node look-ups made fast
from kg.extraction.relations.arguments import (
    SPECS,
    Call,
    Match,
    Named,
    adhoc,
    country_of,
    entities,
    portfolio,
    resolve,
    sentence_evidence,
)
from kg.extraction.relations.lists import attendance_lists
from kg.extraction.relations.rules import PATTERNS, Rule, RuleError, load_rules
from kg.extraction.relations.speech import attribute, letter_requests, quote_paragraphs
from kg.extraction.relations.syntax import (
    Words,
    attrs_match,
    former,
    posting,
    role,
)
from kg.model import Entity, Kind, Relation

# relations a counted group of unnamed members may hold as subject ("more than 40 countries
# wrote to the council"); any other act of theirs is their members' (arguments.counted_group)
GROUP_ACTS = frozenset({"sentLetterTo"})


@dataclass
class Found:
    """What the rules found in one document: the relations, and the entities they name
    that stage 4 did not make (things named only by a common noun, scoped to the document)."""

    relations: list[Relation]
    entities: dict[str, Entity]


class RelationEngine:
    """The rules, compiled once; call it on each parsed document."""

    def __init__(
        self, vocab: Vocab, gaz: Gazetteer, path: Path = PATTERNS, lexicon: Lexicon | None = None
    ) -> None:
        lexicon = lexicon if lexicon is not None else load_lexicon()
        self.rules = load_rules(gaz, path, lexicon).rules
        self.by_id = {r.id: r for r in self.rules}
        self.words = Words.build(lexicon, gaz)
        self.headings = (lexicon.words("attending_headings"), lexicon.words("absent_headings"))
        self.matcher = DependencyMatcher(vocab)
        for rule in self.rules:
            try:
                self.matcher.add(rule.id, [rule.pattern])
            except ValueError as exc:  # spaCy's own checks of the pattern
                raise RuleError("E127", rule.id, "pattern", path=path, reason=str(exc)) from exc

    def __call__(self, doc: Doc, res: Resolution, doc_id: str) -> Found:
        call = Call(doc, res, doc_id, self.words)
        found: dict[tuple[Any, ...], Relation] = {}
        for match_id, token_ids in self.matcher(doc):
            rule = self.by_id[doc.vocab.strings[match_id]]
            nodes = {rule.pattern[i]["RIGHT_ID"]: doc[t] for i, t in enumerate(token_ids)}
            trigger = nodes["trigger"] if "trigger" in nodes else doc[token_ids[0]]
            for rel in self._apply(call, rule, Match(nodes, trigger)):
                key = (rel.subject, rel.relation, rel.object, rel.evidence.sentence_start)
                if key not in found or found[key].evidence.confidence < rel.evidence.confidence:
                    found[key] = rel
        relations = list(found.values())
        relations += quote_paragraphs(doc, doc_id, relations)
        relations += letter_requests(doc, relations, self.words, {**res.entities, **call.created})
        relations += _signed_letters(call, relations)
        have = {(r.subject, r.object) for r in relations if r.relation == "attends"}
        relations += [
            r for r in attendance_lists(call, *self.headings) if (r.subject, r.object) not in have
        ]
        return Found(attribute(sorted(relations, key=_order)), call.created)

    def _apply(self, call: Call, rule: Rule, match: Match) -> Iterator[Relation]:
        nodes, trigger, words = match.nodes, match.trigger, self.words
        if any(nodes[n].tag_ not in tags for n, tags in rule.node_tags.items()):
            return
        sent = trigger.sent
        if rule.sentence_needs and call.sentence_lemmas(sent).isdisjoint(rule.sentence_needs):
            return
        if rule.document_needs and not call.lemmas().intersection(rule.document_needs):
            return
        near = [
            *trigger.children,
            *(g for c in trigger.children if c.dep_ == "dobj" for g in c.children),
        ]
        if any(attrs_match(c, want) for c in near for want in rule.unless_child):
            return
        denied = call.negated(trigger)
        if (rule.negation == "drop" and denied) or (rule.negation == "require" and not denied):
            return
        # a head of state acting stands for the country: look for people too
        domain = (*rule.domain, Kind.PERSON) if rule.acting_for_country else rule.domain
        call.acting = rule.acting_for_country
        try:
            subjects = resolve(call, match, rule.subject, domain, True, rule.coordinate)
        finally:
            call.acting = False
        if rule.cosubjects:
            subjects += entities(
                call,
                [
                    p
                    for c in trigger.children
                    if c.dep_ == "prep" and c.lower_ == "with"
                    for p in c.children
                    if p.dep_ == "pobj"
                ],
                rule.domain,
            )
        if rule.relation not in GROUP_ACTS:
            subjects = [(t, e) for t, e in subjects if e.key not in call.counted]
        if not subjects:
            return
        title = nodes.get(rule.role) if rule.role else None
        held = role(title, call.res.token_key) if title is not None else None
        if title is not None and former(title, words):
            return  # "former Kenyan President X" no longer holds the office
        spec = SPECS.get(rule.object)
        if spec is not None and spec.gives == "text":  # @statement, @claim
            text, direct = spec.resolve(call, match)
            if not text:
                return
            for subj_token, subj in subjects:
                yield _relation(rule, subj, text, subj_token, None, sent, call, held, True, direct)
            return
        if spec is not None and spec.gives == "pairs":  # "A and B met"
            for (t1, e1), (t2, e2) in spec.resolve(subjects):
                yield _relation(rule, e1, e2.key, t1, t2, sent, call, None)
            return
        objects = resolve(call, match, rule.object, rule.range, False, rule.coordinate)
        if not objects and rule.adhoc:
            objects = adhoc(
                call, match, rule.object, rule.adhoc, rule.adhoc_heads, rule.adhoc_exclude
            )
        if rule.acting_for_country:
            subjects = [
                (t, e)
                for t, e in (country_of(call, t, e) for t, e in subjects)
                if e.kind != Kind.PERSON
            ]
        elif rule.with_country:
            countries = [country_of(call, t, e) for t, e in subjects if e.kind == Kind.PERSON]
            subjects += [
                (t, e)
                for t, e in countries
                if e.kind == Kind.COUNTRY and e.key not in {s.key for _, s in subjects}
            ]
        if title is not None:
            objects = [
                (t, o)
                for t, o in objects
                if not posting(title, t, words, o) and not (t.i < title.i and portfolio(call, t))
            ]
        for subj_token, subj in subjects:
            for obj_token, obj in objects:
                if obj.key == subj.key or _listed_together(subj_token, obj_token):
                    continue  # "the ministers of A, B and C urged X": B is no object of A
                yield _relation(rule, subj, obj.key, subj_token, obj_token, sent, call, held)


def _listed_together(one: Token, other: Token) -> bool:
    """Two members of one coordination ("A, B and C"), which act together, not on each
    other."""
    if one.i == other.i or one.dep_ not in {"conj", "appos", "pobj", "nsubj", "compound"}:
        return one.i != other.i and other in one.conjuncts
    return other in one.conjuncts


def _relation(
    rule: Rule,
    subj: Entity,
    obj: str,
    subj_token: Token,
    obj_token: Token | None,
    sent: Span,
    call: Call,
    held: str | None,
    text: bool = False,
    direct: bool = False,
) -> Relation:
    evidence = sentence_evidence(
        call,
        sent,
        call.phrase(subj_token),
        call.phrase(obj_token) if obj_token is not None else obj,
        rule.id,
        rule.confidence,
        role=held,
    )
    return Relation(subj.key, rule.relation, obj, evidence, object_is_text=text, direct=direct)


def _order(rel: Relation) -> tuple[Any, ...]:
    return (rel.evidence.sentence_start, rel.relation, rel.subject, rel.object)


def _letter_addressees(call: Call) -> list[tuple[int, Named]]:
    """Each letter of the article with whom it is written to: "a letter to A and B", "a
    letter addressed to A", "sent a joint letter to A" (offices and people)."""
    out = []
    for token in call.doc:
        if token.lemma_.lower() not in {"letter", "missive"} or token.pos_ != "NOUN":
            continue
        # "a letter by representatives to the UN": a "to" after the writers is their post's
        by = min(
            (c.i for c in token.children if c.dep_ == "prep" and c.lower_ in {"by", "from"}),
            default=len(call.doc),
        )
        targets = [
            p
            for holder in [token, *(c for c in token.children if c.dep_ == "acl")]
            for c in holder.children
            if c.dep_ == "prep" and c.lower_ == "to" and c.i < by
            for p in c.children
            if p.dep_ == "pobj"
        ]
        if token.dep_ == "dobj" and token.head.lemma_.lower() in call.words.letter_verbs:
            targets += [
                p
                for c in token.head.children
                if c.dep_ in {"prep", "dative"} and c.lower_ == "to"
                for p in c.children
                if p.dep_ == "pobj"
            ]
        found = entities(call, targets, (Kind.ORGANISATION, Kind.UN_OFFICE, Kind.PERSON))
        if found:
            out.append((token.i, found))
    return out


def _signed_letters(call: Call, relations: list[Relation]) -> list[Relation]:
    """Whoever signs a letter sends it to whom it is written to ("A and B signed the
    letter" after "a letter to the High Commissioner"): the letter the article named
    last before (else next after) the signing."""
    letters = _letter_addressees(call)
    if not letters:
        return []
    entities = {**call.res.entities, **call.created}
    have = {(r.subject, r.object) for r in relations if r.relation == "sentLetterTo"}
    out = []
    for rel in relations:
        if rel.relation != "signatoryOf" or rel.object_is_text:
            continue
        signed = entities.get(rel.object)
        if signed is None or signed.label.lower().split()[-1] not in {"letter", "letters"}:
            continue
        at = rel.evidence.sentence_start
        before = [found for i, found in letters if call.doc[i].idx < rel.evidence.sentence_end]
        after = [found for i, found in letters if call.doc[i].idx >= at]
        chosen = before[-1] if before else after[0]
        for _, addressee in chosen:
            if addressee.key != rel.subject and (rel.subject, addressee.key) not in have:
                have.add((rel.subject, addressee.key))
                evidence = replace(
                    rel.evidence, pattern="sentLetterTo.signed-letter", confidence=0.7
                )
                out.append(Relation(rel.subject, "sentLetterTo", addressee.key, evidence))
    return out
