"""Argument resolvers: from a rule's match to the entities that are its subject or object.

A rule names its subject and object by a node of its pattern (``"object"``) or by a spec
(``"@patient"``) registered here with `argument`; the rule schema
(`kg.extraction.relations.rules`) knows the valid specs from this registry. Resolvers read
the per-call `Call` and the `Match`, never state of the engine, and create no entity of
stage 4: an object named only by a common noun ("condemned the annexation") is a new entity
of the call (`Call.scoped`), which the pipeline adds to the document's entities.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import takewhile
from typing import Any

from spacy.tokens import Doc, Span, Token

from kg.extraction.entities import Resolution
from kg.extraction.relations.speech import documents, issuers, quote_speaker, statement
from kg.extraction.relations.syntax import (
    QUOTE_MARKS,
    Words,
    antecedent,
    clause_speaker,
    expand,
    main_subject,
    negated,
    nominal,
    noun_agents,
    noun_phrase,
    patients,
    phrase,
    reporter,
    stripped,
    subject_like,
    subjects,
    titled,
)
from kg.model import ACTORS, KEY_PREFIX, Entity, Evidence, Kind, entity_key, key_kind_prefix

Named = list[tuple[Token, Entity]]  # each entity with the token that names it
COUNTRY_NOUNS = frozenset({"country", "nation", "kingdom"})  # "the country" refers back

# Pronouns that refer back to an entity of these kinds.
PRONOUNS: dict[str, tuple[Kind, ...]] = {
    "he": (Kind.PERSON,),
    "she": (Kind.PERSON,),
    "him": (Kind.PERSON,),
    "her": (Kind.PERSON,),
    "its": (Kind.ORGANISATION, Kind.UN_OFFICE, Kind.COUNTRY),  # "the IOC and its president, X"
}


@dataclass
class Call:
    """One application of the rules to one document: what the resolvers read (the parse,
    stage 4's resolution, the document id, the engine's words) and the entities the call
    creates (things named only by a common noun; stage 4's entities are never changed)."""

    doc: Doc
    res: Resolution
    doc_id: str
    words: Words
    created: dict[str, Entity] = field(default_factory=dict)
    counted: set[str] = field(default_factory=set)  # keys of counted groups (counted_group)
    # set while a rule whose act is a country's reads its subject: "US diplomats will stay
    # home" is the US staying away; "US diplomats said" is no statement of the US
    acting: bool = False
    _lemmas: frozenset[str] | None = None
    _sentence_lemmas: dict[tuple[int, int], frozenset[str]] = field(default_factory=dict)
    _negated: dict[int, bool] = field(default_factory=dict)
    _stripped: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)
    _phrases: dict[int, str] = field(default_factory=dict)

    def lemmas(self) -> frozenset[str]:
        """The document's lowercased lemmas (read once, when a rule first asks)."""
        if self._lemmas is None:
            self._lemmas = frozenset(t.lemma_.lower() for t in self.doc)
        return self._lemmas

    def sentence_lemmas(self, sent: Span) -> frozenset[str]:
        """A sentence's lowercased lemmas (read once per sentence, for all rules)."""
        bounds = (sent.start, sent.end)
        found = self._sentence_lemmas.get(bounds)
        if found is None:
            found = self._sentence_lemmas[bounds] = frozenset(t.lemma_.lower() for t in sent)
        return found

    def negated(self, trigger: Token) -> bool:
        """`syntax.negated` of a trigger, read once for all rules that match at it."""
        found = self._negated.get(trigger.i)
        if found is None:
            found = self._negated[trigger.i] = negated(trigger, self.words)
        return found

    def stripped(self, sent: Span) -> tuple[str, int]:
        """`syntax.stripped` of a sentence, read once for all its relations."""
        bounds = (sent.start, sent.end)
        found = self._stripped.get(bounds)
        if found is None:
            found = self._stripped[bounds] = stripped(sent)
        return found

    def phrase(self, token: Token) -> str:
        """`syntax.phrase` of an argument's token, read once for all its relations."""
        found = self._phrases.get(token.i)
        if found is None:
            found = self._phrases[token.i] = phrase(token)
        return found

    def entity_at(self, token: Token) -> Entity | None:
        return self.res.entity_at(token)

    def known(self, key: str) -> Entity:
        """The gazetteer's entity with this key, as the document's (new to it if unnamed)."""
        entity = self.res.entities.get(key) or self.created.get(key)
        if entity is None:
            gazetted = self.words.known[key]
            entity = self.created[key] = Entity(
                key, gazetted.kind, gazetted.label, alpha2=gazetted.alpha2, alpha3=gazetted.alpha3
            )
        return entity

    def scoped(self, kind: Kind, label: str) -> Entity:
        """The entity of this document named by a common noun phrase: ``event:<doc>/summit``."""
        key = entity_key(kind, label, scope=self.doc_id)
        entity = self.res.entities.get(key)
        if entity is None:
            entity = self.created.get(key)
        if entity is None:
            # "the joint statement" after "the joint statement on the Sahel": the one named
            # in full before
            entity = next(
                (
                    e
                    for e in self.created.values()
                    if e.kind == kind and e.scope == self.doc_id and e.label.startswith(label + " ")
                ),
                None,
            )
        if entity is None:
            entity = self.created[key] = Entity(key, kind, label, scope=self.doc_id)
        return entity


def sentence_evidence(
    call: Call,
    sent: Span,
    subject_text: str,
    object_text: str,
    pattern: str,
    confidence: float,
    role: str | None = None,
) -> Evidence:
    """The evidence of a relation read in sentence `sent` of the call's document."""
    sentence, start = call.stripped(sent)
    return Evidence(
        doc_id=call.doc_id,
        sentence=sentence,
        sentence_start=start,
        sentence_end=start + len(sentence),
        subject_text=subject_text,
        object_text=object_text,
        pattern=pattern,
        confidence=confidence,
        role=role,
    )


@dataclass(frozen=True)
class Match:
    """One match of a rule's pattern: its nodes by name, and the trigger."""

    nodes: dict[str, Token]
    trigger: Token


@dataclass(frozen=True)
class Spec:
    """A registered argument spec: where a rule may use it, the nodes its pattern must name,
    and what it gives: entities, a text (a statement), or pairs of the subjects."""

    name: str
    resolve: Callable[..., Any]
    places: frozenset[str]
    needs: tuple[str, ...] = ()
    gives: str = "entities"  # entities | text | pairs


SPECS: dict[str, Spec] = {}
PLACES = frozenset({"subject", "object"})
# "one of the groups", "some of the countries": a part of a group, not something it owns
PARTS_OF_GROUPS = frozenset({"one", "some", "several", "many", "most", "each", "all", "any"})
MAX_DEPTH = 6  # how far entity_for follows owners and proxies before it gives up


def argument(
    name: str,
    *,
    places: Iterable[str] = PLACES,
    needs: tuple[str, ...] = (),
    gives: str = "entities",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a resolver as the spec `name` ("@patient") of rules' subject or object."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        SPECS[name] = Spec(name, fn, frozenset(places), needs, gives)
        return fn

    return register


def resolve(
    call: Call,
    match: Match,
    spec: str,
    kinds: tuple[Kind, ...],
    subject: bool,
    coordinate: bool = True,
) -> Named:
    """The entities a rule's subject or object spec names in a match (a node, or a
    registered spec that gives entities)."""
    if spec in SPECS:
        found: Named = SPECS[spec].resolve(call, match, kinds, subject, coordinate)
        return found
    return entities(call, [match.nodes[spec]], kinds, descend=not subject, coordinate=coordinate)


# -- the registered specs ------------------------------------------------------------------
@argument("@speaker")
def speaker(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """Who reports the trigger's clause: "X said Y attacked Z" gives X for "attacked"."""
    tokens = clause_speaker(match.trigger, call.words)
    return entities(call, tokens, kinds, descend=False, coordinate=coordinate)


@argument("@title_object", places=("object",))
def title_object(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """What the node "object" (a title's "of" phrase) names, unless the phrase holds a
    person's name of its own: in "A, President of the Republic of B C, ..." the title is
    C's, not A's."""
    obj = match.nodes["object"]
    end = obj.i + 1
    while end < len(obj.doc) and obj.doc[end].ent_iob_ == "I":
        end += 1
    if end < len(obj.doc) and obj.doc[end].ent_type_ == "PERSON":
        return []  # "President of Chile Luis Rojas": the name right after is the title's
    prep = obj.head
    for t in prep.subtree:  # a name in the phrase itself, not in a list after it
        if t.i > obj.i and t.ent_type_ == "PERSON":
            path = [t, *takewhile(lambda a: a != prep, t.ancestors)]
            if not any(a.dep_ in {"conj", "appos"} for a in path):
                return []
    return entities(call, [obj], kinds, descend=not subject, coordinate=coordinate)


@argument("@capital_named", needs=("place",))
def capital_named(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """The country whose capital the words from the node "place" name, inside a name the
    parser reads as one (an event "... in Beijing"): the gazetteer's capitals."""
    place = match.nodes["place"]
    run = [place]
    for token in place.doc[place.i + 1 : place.i + 4]:
        if token.pos_ != "PROPN" or token.ent_type_ != place.ent_type_:
            break
        run.append(token)
    for end in range(len(run), 0, -1):
        key = call.words.capitals.get(" ".join(t.text for t in run[:end]))
        if key is not None and key in call.words.known:
            entity = call.known(key)
            return [(place, entity)] if entity.kind in kinds else []
    return []


@argument("@auto")
def auto(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """The grammatical subject of the trigger (passive agents, relative clauses, "X is due
    to visit", coordination); else the reporter of the clause; else who signed the letter
    that is the subject ("the letter, signed by A, accuses X")."""
    words, trigger = call.words, match.trigger
    tokens = subjects(trigger, words)
    if subject and trigger.lemma_.lower() in words.saying:
        # "X said that A was ... and denied that ...": the parser hangs the second act of
        # saying inside the first one's clause; it is still X's
        reporters = reporter(trigger, words)
        if entities(call, reporters, kinds, descend=False):
            tokens = reporters
    found = entities(call, tokens, kinds, descend=not subject, coordinate=coordinate)
    if not found and subject and not _relative_to_noun(trigger, tokens):
        found = entities(
            call, reporter(trigger, words), kinds, descend=False, coordinate=coordinate
        )
    if not found and subject:
        # "the letter, signed by A, accuses X"; "It accuses X" after such a letter; "the
        # ministry's statement added"; "the letter said" after "China circulated a letter"
        found = entities(
            call,
            [a for document in documents(tokens, words) for a in issuers(document, words)],
            kinds,
            descend=False,
            coordinate=coordinate,
        )
    return found


def _relative_to_noun(trigger: Token, tokens: list[Token]) -> bool:
    """Whether the trigger is in a relative clause on a common noun ("the countries that
    voted in favour"): who is reported saying so did not do it."""
    return any(
        t.pos_ == "NOUN" and any(c.dep_ == "relcl" and trigger in c.subtree for c in t.children)
        for t in tokens
    )


@argument("@patient")
def patient(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """What the trigger acts on: its object, or its passive subject."""
    tokens = patients(match.trigger)
    return entities(call, tokens, kinds, descend=not subject, coordinate=coordinate)


@argument("@agents")
def agents(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """Who does what the trigger noun names: "Canada's boycott", "a letter from X"."""
    tokens = noun_agents(match.trigger, call.words)
    return entities(call, tokens, kinds, descend=not subject, coordinate=coordinate)


@argument("@salient_event", places={"object"})
def salient_event(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """The event the document is most about; with none named, the meeting last named by a
    common noun before the trigger."""
    entity = call.res.entities.get(call.res.salient_event or "")
    if entity is None and Kind.EVENT in kinds:
        return recent_event(call, match.trigger)
    return [(match.trigger, entity)] if entity and entity.kind in kinds else []


@argument("@patient_or_salient", places={"object"})
def patient_or_salient(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """The trigger's patient, or the salient event when it has none ("also attended")."""
    tokens = patients(match.trigger)
    if not tokens:
        return salient_event(call, match, kinds, subject, True)
    return entities(call, tokens, kinds, descend=not subject, coordinate=coordinate)


@argument("@context_country", places={"object"}, needs=("subject",))
def context_country(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """The country a national title with no country in it serves ("Foreign Minister X"):
    the one general knowledge gives for a known office holder, else the country the
    paragraph is about."""
    person = match.nodes["subject"]
    known = known_office(call, person)
    if known:
        return [(person, e) for e in known if e.kind in kinds]
    return country_of_paragraph(call, person)


@argument("@known_office", places={"object"}, needs=("subject",))
def office_of_known_person(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """The country or body a known office holder serves (kg/resources/people.json), for a
    person the text gives a title: "Secretary-General Antonio Guterres"."""
    person = match.nodes["subject"]
    return [(person, e) for e in known_office(call, person) if e.kind in kinds]


@argument("@office_title", places={"object"}, needs=("subject",))
def office_by_title(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """The body whose office title comes right before the person's name: "UN High
    Commissioner for Human Rights Ana Ruiz" serves the UN human rights office."""
    person = match.nodes["subject"]
    key = call.res.offices.get(person.i)
    return [(person, e) for e in ([call.known(key)] if key else []) if e.kind in kinds]


TITLE_PREPS = frozenset({"to", "at", "in", "for", "of", "on"})  # "Ambassador to the UN X"


@argument("@title_before", places={"object"}, needs=("subject",))
def title_before(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """The owner of a title that ends in a place or body right before a name, which the
    parser folds into that place: "Chilean Ambassador to the UN Ana Ruiz", "President of
    Peru Luis Soto", "Kenya's envoy to the talks, John Otieno". The owner is the country or
    body before the title ("Chilean", "Kenya's"), else the one after "of"; the one after
    "to", "at" or "in" is where the person serves, never the owner."""
    person = match.nodes["subject"]
    doc, res = call.doc, call.res
    key = res.token_key.get(person.i)
    if key is None or res.token_key.get(person.i - 1) == key:
        return []  # one answer per name: from its first word
    i = person.i - 1
    if i >= 0 and doc[i].text == ",":
        i -= 1
    of_owner: Named = []
    phrases = 0
    while i >= 0 and phrases < 2:  # "Minister of Defence of the Russian Federation"
        j = i
        while j >= 0 and (
            doc[j].lower_ == "the"
            or (doc[j].lower_ in call.words.title_words and doc[j].lower_ not in TITLE_PREPS)
            # a portfolio: "Foreign Affairs"
            or (doc[j].pos_ == "PROPN" and doc[j].is_title and doc[j].ent_type_ != "PERSON")
            or (res.entity_at(doc[j]) is not None and doc[j].ent_type_ != "PERSON")
        ):
            j -= 1
        if j == i or j < 0 or doc[j].lower_ not in TITLE_PREPS:
            break
        if any(t.lower_ in call.words.title_heads for t in doc[j + 1 : i + 1]):
            return []  # "to UN Secretary-General X": the name has a title of its own
        if doc[j].lower_ == "of" and not of_owner:
            of_owner = [
                (t, e)
                for t in doc[j + 1 : i + 1]
                if (e := res.entity_at(t)) is not None and not portfolio(call, t)
            ][:1]
        i, phrases = j - 1, phrases + 1
    if not phrases or i < 0 or doc[i].lower_ not in call.words.title_heads:
        return []
    while (
        i > 0 and doc[i - 1].lower_ in call.words.title_words and res.entity_at(doc[i - 1]) is None
    ):
        i -= 1  # "Deputy Foreign Minister", "Permanent Representative"
    owner: Named = []
    k = i - 1
    if k >= 0 and doc[k].tag_ == "POS":
        k -= 1
    if k >= 0 and doc[k].ent_type_ != "PERSON":
        entity = entity_for(call, doc[k])
        if entity is not None and not portfolio(call, doc[k]):
            owner = [(doc[k], entity)]
    return [(t, e) for t, e in (owner or of_owner) if e.kind in kinds]


def known_office(call: Call, person: Token) -> list[Entity]:
    """The body general knowledge says this person serves, as an entity of the call."""
    entity = call.entity_at(person)
    if entity is None or entity.kind != Kind.PERSON:
        return []
    keys = {call.words.people[n] for n in (entity.label, *entity.aliases) if n in call.words.people}
    if len(keys) != 1:
        return []
    return [call.known(keys.pop())]


@argument("@statement", places={"object"}, gives="text")
def said_text(call: Call, match: Match) -> tuple[str, bool]:
    """What the subject said: a quote, or the reported clause."""
    return statement(match.trigger, claim=False)


@argument("@claim", places={"object"}, gives="text")
def claim_text(call: Call, match: Match) -> tuple[str, bool]:
    """The claim the subject denies: the trigger's object or clause."""
    return statement(match.trigger, claim=True)


@argument("@pairs", places={"object"}, gives="pairs")
def pairs(found: Named) -> list[tuple[tuple[Token, Entity], tuple[Token, Entity]]]:
    """Each pair of the subjects: "A and B met"; "talks between A and B"."""
    return [(one, other) for i, one in enumerate(found) for other in found[i + 1 :]]


# -- from tokens to entities ---------------------------------------------------------------
def entities(
    call: Call,
    tokens: Iterable[Token],
    kinds: tuple[Kind, ...],
    descend: bool = True,
    coordinate: bool = True,
) -> Named:
    """The entities of those kinds that tokens name, with their coordinated members
    (unless `coordinate` is off), each once."""
    out: Named = []
    seen: set[str] = set()
    for token in expand(tokens, call.words) if coordinate else list(tokens):
        entity = entity_for(call, token, descend)
        both = [entity] if entity is not None else both_parties(call, token)
        for entity in both:
            if entity.kind not in kinds or entity.key in seen:
                continue
            seen.add(entity.key)
            out.append((token, entity))
    return out


def entity_for(call: Call, token: Token, descend: bool = True, depth: int = 0) -> Entity | None:
    """The entity a token names, directly or through a relative pronoun, a pronoun, an
    apposition, a proxy noun ("the Saudi government") or (with `descend`) an owner ("China's
    record", "the authorities in Kabul")."""
    res = call.res
    entity = res.entity_at(token)
    if entity is not None:
        if entity.kind == Kind.ORGANISATION and bare_ministry(call, entity.label):
            return ministry_country(call, token, entity)
        return entity
    if depth > MAX_DEPTH:  # "the governments of the countries of ...": a bounded search
        return None
    if token.tag_ == "WP$":  # "Austria, whose foreign minister, X": Austria
        clause = token
        while clause.dep_ not in {"relcl", "appos"} and clause.head.i != clause.i:
            clause = clause.head
        return res.entity_at(clause.head) if clause.dep_ in {"relcl", "appos"} else None
    if token.tag_ in {"WDT", "WP"} and token.dep_ in {"nsubj", "nsubjpass"}:
        if token.head.dep_ == "relcl":  # "Lebanon, which voted in favour": Lebanon
            return entity_for(call, token.head.head, descend, depth + 1)
    if (
        token.dep_ == "pobj"
        and token.head.lower_ == "of"
        and token.tag_ == "NNS"
        and (token.head.head.pos_ == "NUM" or token.head.head.lower_ in PARTS_OF_GROUPS)
    ):
        token = token.head.head  # "Oxfam, one of the groups that signed": Oxfam
    if token.lower_ == "one" and token.dep_ == "appos":
        return res.entity_at(token.head)
    if token.lower_ in call.words.first_person:
        # "We strongly urge ...", the letter said: who is quoted (inside a quotation only)
        speaker = quote_speaker(token, call.words)
        return entity_for(call, speaker, descend=False) if speaker is not None else None
    if token.lower_ in COUNTRY_NOUNS and [
        c.lower_ for c in token.children if c.dep_ not in {"punct", "case"}
    ] == ["the"]:
        return country_referred(call, token)
    addressed = addressee_pronoun(token)
    if addressed is not None:  # "sent a letter to the council urging it to act"
        return entity_for(call, addressed, descend, depth + 1)
    if token.lower_ in PRONOUNS:
        kinds = PRONOUNS[token.lower_]
        if token.lower_ == "its":  # "UNICEF ... in Yemen. Its executive director": UNICEF
            return antecedent(
                token, res, (Kind.ORGANISATION, Kind.UN_OFFICE), window=2
            ) or antecedent(token, res, kinds, window=2)
        return antecedent(token, res, kinds)
    for child in token.children:  # "his Ethiopian counterpart Demeke Mekonnen"
        if child.dep_ == "appos":
            got = res.entity_at(child)
            if got is not None and got.kind in ACTORS:
                return got
    folded = folded_name(call, token) or titled_antecedent(call, token)
    if folded is not None:
        return folded
    counted = counted_group(call, token)
    if counted is not None:
        return counted
    proxy = token.lemma_.lower() in call.words.proxy_nouns or (
        call.acting and token.lower_ in call.words.send_nouns
    )
    if not descend:
        if not proxy:
            return None
        # "the Saudi government said": a country or a known body, not "the Biden
        # administration" (a person's name standing for the state)
        got = entity_for(call, token, True, depth=max(depth, 2))
        return (
            got
            if got is not None and (got.kind == Kind.COUNTRY or got.key in call.words.known)
            else None
        )
    for child in token.children:  # "the United States-led boycott": the leader's
        if child.dep_ == "amod" and child.lemma_ == "lead" and child.tag_ == "VBN":
            for leader in child.children:
                got = res.entity_at(leader)
                if (
                    got is not None
                    and got.kind in ACTORS
                    and leader.dep_ in {"npadvmod", "compound", "nmod", "amod"}
                ):
                    return got
    if token.lemma_.lower() in call.words.event_anaphors and any(
        c.dep_ in {"det", "poss"} for c in token.children
    ):  # "boycotting this year's event": the one the story is about
        return call.res.entities.get(call.res.salient_event or "")
    if token.lemma_.lower() in call.words.event_parts:  # "sessions at the G7 summit": the summit
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ in {"at", "of"}:
                for pobj in prep.children:
                    part_of = res.entity_at(pobj)
                    if pobj.dep_ == "pobj" and part_of is not None and part_of.kind == Kind.EVENT:
                        return part_of
    if token.lemma_.lower() in call.words.own_things:
        return None  # "a UN report", "the 20th anniversary of the conference": a thing itself
    # "behavior of the US Administration", "China's record": the owner stands for it
    for child in token.children:
        if child.dep_ == "poss" or (
            child.dep_ in {"amod", "compound", "nmod"} and res.entity_at(child) is not None
        ):
            got = res.entity_at(child)
            if got is not None and got.kind in ACTORS:
                return got
        if child.dep_ == "compound" and child.lemma_.lower() in call.words.proxy_nouns:
            got = entity_for(call, child, True, depth + 1)  # "Kenya's government officials"
            if got is not None and got.kind in ACTORS:
                return got
    # "the authorities in Kabul", "the government in Tehran"
    owners = {"of", "by", "in"} if proxy else {"of", "by"}
    if token.lemma_.lower() in call.words.spokes_nouns:
        owners.add("for")  # "a spokesman for the foreign ministry"
    if token.lemma_.lower() in call.words.done_to or token.lower_ in call.words.done_to:
        owners = {"by"}  # "the invasion of Ukraine" is no act of Ukraine's
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in owners:
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    got = entity_for(call, pobj, descend=depth < 2, depth=depth + 1)
                    if got is not None:
                        return got
    return None


def addressee_pronoun(token: Token) -> Token | None:
    """Who an object pronoun of a participle stands for when the clause it modifies says
    whom it addresses: "sent a letter to the council urging it to act", "wrote to the prime
    minister, urging him to ban it" -> the council, the prime minister."""
    head = token.head
    if token.lower_ not in {"it", "him", "her", "them"} or token.dep_ != "dobj":
        return None
    if head.tag_ != "VBG" or head.dep_ not in {"advcl", "acl", "xcomp"}:
        return None
    holders = [head.head, *(c for c in head.head.children if c.dep_ == "dobj")]
    if head.head.dep_ in {"dobj", "nsubjpass"}:  # "sent a letter to X urging it": the sending
        holders.append(head.head.head)
    for holder in holders:
        for prep in holder.children:
            if prep.dep_ in {"prep", "dative"} and prep.lower_ == "to" and prep.i < token.i:
                for pobj in prep.children:
                    if pobj.dep_ == "pobj":
                        return pobj
    return None


def country_referred(call: Call, token: Token) -> Entity | None:
    """ "Officials from the country", "the UK summoned the Israeli envoy to deliver the
    country's condemnation": the country that is (the owner of) a subject in this sentence
    or the one before, the nearest first; else the one country named there; else None."""
    doc, res = call.doc, call.res
    first = token.sent.start
    if first > 0:
        first = doc[first - 1].sent.start
    named: list[Entity] = []
    for i in range(token.i - 1, first - 1, -1):
        entity = res.entity_at(doc[i])
        if entity is None or entity.kind != Kind.COUNTRY:
            continue
        step = doc[i]
        while step.dep_ == "poss" and step.head.i != step.i:
            step = step.head  # "Peru's foreign minister said"
        if subject_like(step):
            return entity
        named.append(entity)
    return named[0] if len({e.key for e in named}) == 1 else None


def folded_name(call: Call, token: Token) -> Entity | None:
    """The person a title names when the parser folds the name into the title's last
    phrase: "Adviser on Foreign Affairs [Ali Khan]", "Ambassador to the UN [Ana Ruiz]" (the
    name is the phrase's head, after words of the place or the portfolio)."""
    if token.lower_ not in call.words.title_heads or token.ent_type_ == "PERSON":
        return None
    step = token
    for _ in range(3):  # "Minister of Foreign Affairs of Latvia [Ana Ruiz]"
        pobjs = [
            p
            for prep in step.children
            if prep.dep_ == "prep" and prep.lower_ in TITLE_PREPS
            for p in prep.children
            if p.dep_ == "pobj"
        ]
        if not pobjs:
            return None
        step = pobjs[-1]
        got = call.res.entity_at(step)
        if got is not None and got.kind == Kind.PERSON:
            lefts = [c for c in step.lefts if c.dep_ == "compound"]
            return got if any(call.res.entity_at(c) != got for c in lefts) else None
    return None


def titled_antecedent(call: Call, token: Token, back: int = 3) -> Entity | None:
    """ "Foreign Minister Ana Soto wrote to the council. In her letter, the foreign minister
    urged ...": a definite title with no name is the person named last, in one of the
    `back` sentences before, when the text gave them that title. Not when someone else was
    named since ("Trump said President Obama ... it was Putin ... the president") or in the
    same sentence ("Putin met the president"), nor "the Chilean president" (a country of
    its own), nor "a minister"."""
    words = call.words
    if token.lower_ not in words.title_heads or token.tag_ not in {"NN", "NNP"}:
        return None
    mods = [c for c in token.children if c.dep_ not in {"punct"} and c.i < token.i]
    if [c.lower_ for c in mods if c.dep_ == "det"] != ["the"] or any(
        c.dep_ != "det" and (c.lower_ not in words.title_words or call.res.entity_at(c))
        for c in mods
    ):
        return None
    wanted = {c.lower_ for c in mods if c.dep_ != "det"} | {token.lower_}
    doc, res = call.doc, call.res
    first = token.sent.start
    for _ in range(back):
        if first == 0:
            break
        first = doc[first - 1].sent.start
    nearest: Entity | None = None  # the person named last: the one it can refer to
    for i in range(token.i - 1, -1, -1):
        key = res.token_key.get(i)
        if key is None or res.token_key.get(i - 1) == key:
            continue
        entity = res.entity_at(doc[i])
        if entity is None or entity.kind != Kind.PERSON:
            continue
        if nearest is None:
            if i < first or i >= token.sent.start:
                return None  # "Putin met the president": someone else in the same sentence
            nearest = entity
        if entity.key != nearest.key:
            continue
        title = {t.lower_ for t in doc[max(0, i - 4) : i]}
        appos = {t.lower_ for c in doc[i].head.children if c.dep_ == "appos" for t in c.subtree}
        if wanted <= title or wanted <= appos:
            return entity  # named with that title, here or earlier
    return None


def counted_group(call: Call, token: Token) -> Entity | None:
    """A group the article counts but does not name: "more than 40 countries signed the
    letter", "263 organisations sent it" -- one actor of this document, labelled as the
    article says it ("more than 40 countries"); the engine lets it act only in GROUP_ACTS
    (a coalition writes a letter; what else a count does, its members do). None for an
    uncounted plural, and for a
    group whose members the text lists (those are the actors: kg.extraction.relations.syntax
    expands them)."""
    if token.tag_ != "NNS" or token.lower_ not in call.words.group_nouns:
        return None
    numbers = [c for c in token.children if c.dep_ == "nummod" and c.like_num]
    if not numbers:
        return None
    start = min(c.left_edge.i for c in numbers)
    label = " ".join(call.doc[start : token.i + 1].text.split())
    entity = call.scoped(Kind.ORGANISATION, label)
    call.counted.add(entity.key)
    return entity


def both_parties(call: Call, token: Token) -> list[Entity]:
    """ "both sides", "both governments": the two countries the article names most, other
    than the clause's own subject, when each is named at least three times and no third
    country is named as often as the second (else the parties are unclear)."""
    res = call.res
    verb = token.head.head if token.dep_ == "pobj" else token.head
    if (
        token.lemma_.lower() not in call.words.both_nouns
        or token.tag_ != "NNS"
        or not any(c.lower_ == "both" and c.dep_ in {"det", "predet"} for c in token.children)
        or verb.pos_ not in {"VERB", "AUX"}
    ):  # not "groups in both countries"
        return []
    speakers: set[str] = set()  # "U.S. envoy X urged both sides": not the U.S.
    for subject in subjects(verb, call.words):
        entity = entity_for(call, subject, False)
        if entity is not None:
            speakers |= {entity.key, country_of(call, subject, entity)[1].key}
    counts: dict[str, int] = {}
    for i, key in sorted(res.token_key.items()):
        if _country(key) and res.token_key.get(i - 1) != key and key not in speakers:
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.values(), reverse=True) + [0, 0, 0]
    if ranked[1] < 3 or ranked[2] == ranked[1]:
        return []
    return [res.entities[k] for k in sorted(counts) if counts[k] >= ranked[1]]


def _country(key: str) -> bool:
    return key_kind_prefix(key) == KEY_PREFIX[Kind.COUNTRY]


def country_of(call: Call, token: Token, entity: Entity) -> tuple[Token, Entity]:
    """A head of state or government acting ("President X joined the boycott") acts
    for the country named in their title, when the sentence names it."""
    if entity.kind != Kind.PERSON:
        return token, entity
    for child in token.subtree:
        got = call.res.entity_at(child)
        if got is not None and got.kind == Kind.COUNTRY and child.i < token.i:
            return child, got
    return token, entity


MINISTRY_WORDS = frozenset({"ministry", "office", "department"})


def bare_ministry(call: Call, label: str) -> bool:
    """ "Foreign Ministry", "Ministry of Foreign Affairs", "Foreign Office": a ministry that
    names no country, which every government has (each article's is its own country's)."""
    words = label.lower().replace("-", " ").split()
    return any(w in MINISTRY_WORDS for w in words) and all(
        w in call.words.title_words or w in MINISTRY_WORDS or w in {"affairs", "of", "the"}
        for w in words
    )


def ministry_country(call: Call, token: Token, ministry: Entity) -> Entity:
    """The country whose bare ministry this is: the one its phrase names ("Russia's Foreign
    Ministry", "the Ministry of Foreign Affairs of Peru"), else the one the paragraph is
    about; the ministry itself when neither is known."""
    span = [t for t in token.subtree if call.res.entity_at(t) == ministry] or [token]
    for t in span:
        for child in t.children:
            if child.dep_ in {"poss", "amod", "compound", "nmod", "prep"}:
                for named in [child, *(p for p in child.children if p.dep_ == "pobj")]:
                    got = call.res.entity_at(named)
                    if got is not None and got.kind == Kind.COUNTRY:
                        return got
    found = paragraph_country(call, token, span[0].i, story=True)
    return found[0][1] if found else ministry


def portfolio(call: Call, token: Token) -> bool:
    """An office word that the small model tags as an organisation ("Justice" in "Justice
    Minister X", "Cabinet" in "Chief Cabinet Secretary X") names the portfolio, not an
    organisation the person serves."""
    entity = call.res.entity_at(token)
    title_words = call.words.title_words
    return (
        entity is not None
        and entity.kind == Kind.ORGANISATION
        and all(w in title_words for w in entity.label.lower().replace("-", " ").split())
    )


def country_of_paragraph(call: Call, person: Token) -> Named:
    """ "Foreign Minister X" with no country in the title serves the country the text is
    about: the last country earlier in the paragraph that is (the owner of) a main
    clause's subject ("Quito rejected it", not "talks with Moscow" or "the war in
    Ukraine"), else a country that is a subject later in the sentence ("spokesman X said
    India protests")."""
    res = call.res
    mods = [
        t
        for c in person.lefts
        if c.dep_ in {"compound", "amod", "nmod"}
        for t in c.subtree
        if res.entity_at(t) is None or t.ent_type_ != "PERSON"
    ]
    words = [t for t in mods if t.pos_ not in {"PUNCT", "DET"}]
    if any(  # "King X of Cambodia": the country is named after the name
        p.dep_ == "pobj" and (e := res.entity_at(p)) is not None and e.kind == Kind.COUNTRY
        for c in person.rights
        if c.dep_ == "prep" and c.lower_ in {"of", "from"}
        for p in c.children
    ):
        return []
    if not words or any(
        (res.entity_at(t) is not None and not portfolio(call, t))
        or t.lower_ not in call.words.title_words
        for t in words
    ):
        return []  # a named office ("Commission President X") or a country is there
    return paragraph_country(call, person, min(t.i for t in words))


def paragraph_country(call: Call, token: Token, before: int, story: bool = False) -> Named:
    """The country the paragraph is about, for a title or an office (`token`) whose phrase
    starts at token `before` (see country_of_paragraph); with `story` (a bare ministry), a
    paragraph that opens with it is the story's country's."""
    res = call.res
    person = token
    for anc in [person, *person.ancestors]:  # "Hungary, whose prime minister X, ..."
        if anc.dep_ in {"relcl", "appos"}:
            owner = res.entity_at(anc.head)
            if owner is not None and owner.kind == Kind.COUNTRY:
                return [(anc.head, owner)]
            break
    named: Named = []  # countries of the paragraph, any role
    quotes = 0
    i = before
    for i in range(before - 1, -1, -1):
        token = person.doc[i]
        if "\n" in token.text_with_ws:
            break  # the paragraph starts after this token
        quotes += token.text in QUOTE_MARKS
        entity = res.entity_at(token)
        if entity is None or entity.kind != Kind.COUNTRY or titled(token, call.words) or quotes % 2:
            continue  # a country inside a quotation is what someone said, not the topic
        if main_subject(token):
            return [(token, entity)]
        named.append((token, entity))
    top = _top_country(res)
    if story and not named:  # the paragraph opens with "Foreign Office spokesperson X":
        # the story's country, if the paragraph before has it as a subject ("ISLAMABAD:
        # Pakistan rejected ...")
        for j in range(i, max(i - 80, -1), -1):
            token = person.doc[j]
            entity = res.entity_at(token)
            if entity is not None and entity.key == top and main_subject(token):
                return [(token, entity)]
    for token in person.sent[person.i - person.sent.start + 1 :]:
        entity = res.entity_at(token)
        if (
            entity is not None
            and entity.kind == Kind.COUNTRY
            and token.dep_ in {"nsubj", "nsubjpass"}
        ):
            return [(token, entity)]
    # no subject to go by: the country the article is most about, if the paragraph names it
    return [(t, e) for t, e in named if e.key == top][:1]


def _top_country(res: Resolution) -> str | None:
    """The country the article names most often."""
    counts: dict[str, int] = {}
    for i, key in res.token_key.items():
        if _country(key) and res.token_key.get(i - 1) != key:
            counts[key] = counts.get(key, 0) + 1
    return max(sorted(counts), key=lambda k: counts[k], default=None)


def adhoc(
    call: Call,
    match: Match,
    spec: str,
    kind: Kind,
    heads: tuple[str, ...],
    exclude: tuple[str, ...],
) -> Named:
    """Objects named by a common noun phrase: "condemned the annexation", "signed a
    joint statement", "attended the first meeting of states parties"; only nouns with
    `heads` as lemma or word when given, never those in `exclude`."""
    if spec in {"@patient", "@patient_or_salient"}:
        tokens = patients(match.trigger)
    elif spec in match.nodes:
        tokens = [match.nodes[spec]]
    else:
        return []
    out: Named = []
    for token in expand(tokens, call.words):
        # a capitalised head noun counts when the rule names its heads: "signed a
        # Memorandum of Understanding", "attended the Summit"
        if not (nominal(token) or (heads and token.pos_ == "PROPN")):
            continue
        if token.i in call.res.token_key:
            continue
        if heads and token.lemma_.lower() not in heads and token.lower_ not in heads:
            continue
        if token.lower_ in exclude or token.lemma_.lower() in exclude:
            continue
        out.append((token, call.scoped(kind, noun_phrase(token, named_of=kind != Kind.TOPIC))))
    return out


@argument("@recent_document", places={"object"})
def recent_document(
    call: Call, match: Match, kinds: tuple[Kind, ...], subject: bool, coordinate: bool
) -> Named:
    """ "Forty countries signed a statement. The signatories include A and B": the
    document a quotation around the trigger is from, else the one last named before the
    trigger, by its name or by a common noun, in this sentence or one of the three before."""
    trigger = match.trigger
    doc = trigger.doc
    for token in doc[trigger.i + 1 : trigger.sent.end]:  # "'We, the ministers of ...,' the
        # statement said": the document a quotation is from
        if token.dep_ == "nsubj" and _document_noun(call, token):
            return [(token, call.scoped(Kind.AGREEMENT, noun_phrase(token)))]
    sents = [s for s in doc.sents if s.start <= trigger.i][-4:]
    for token in reversed(doc[sents[0].start : trigger.i]):
        entity = call.entity_at(token)
        if entity is not None:
            if entity.kind == Kind.AGREEMENT and entity.kind in kinds:
                return [(token, entity)]
            continue
        if _document_noun(call, token):
            return [(token, call.scoped(Kind.AGREEMENT, noun_phrase(token)))]
    return []


def _document_noun(call: Call, token: Token) -> bool:
    """A common noun that names something one signs: "the statement", "a letter"."""
    return nominal(token) and token.lemma_.lower() in call.words.signable


def recent_event(call: Call, trigger: Token, back: int = 4) -> Named:
    """With no named event in the text, "also attended" and "joined the boycott" refer to
    the meeting last named by a common noun: in this sentence before the trigger, else in
    one of the `back` sentences before it."""
    heads = call.words.event_nouns
    doc = trigger.doc
    sents = [s for s in doc.sents if s.start <= trigger.i][-(back + 1) :]
    candidates = [
        t
        for t in reversed(doc[sents[0].start : trigger.i])
        if t.i not in call.res.token_key
        and nominal(t)
        and (t.lemma_.lower() in heads or t.lower_ in heads)
    ]
    # the meeting someone attended, boycotted or hosted, before one a clause is about,
    # before one named in passing ("... since the 2001 conference")
    rank = {"dobj": 0, "nsubj": 1, "nsubjpass": 1}
    # the meeting the story keeps naming ("summit") before a "speech" named in passing
    often = Counter(t.lemma_.lower() for t in doc if t.lemma_.lower() in heads)
    candidates.sort(key=lambda t: (rank.get(t.dep_, 2), -often[t.lemma_.lower()]))
    for token in candidates[:1]:
        # the key `adhoc` gives the same phrase
        return [(token, call.scoped(Kind.EVENT, noun_phrase(token)))]
    return []
