"""Tree walks every rule shares, as small functions over spaCy tokens: the subjects of a
verb (through passives, relative clauses, "X is due to visit", coordination), its patients,
who does what a noun names, coordination and group nouns, negation within the clause, role
titles, pronoun antecedents. Each reads only the tokens and the `Words` it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span, Token

from kg.extraction.entities import Resolution
from kg.extraction.gazetteer import Gazetteer, title_heads, title_words
from kg.extraction.lexicon import Lexicon
from kg.model import Entity, Kind

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


@dataclass(frozen=True)
class Words:
    """The word sets the walks read: the lexicon's lists and the gazetteer's titles."""

    speech: frozenset[str]
    saying: frozenset[str]  # speech and denial: the verbs whose subject says something
    refusal: frozenset[str]
    hypothetical: frozenset[str]
    modals: frozenset[str]
    reported_pronouns: frozenset[str]
    proxy_nouns: frozenset[str]
    both_nouns: frozenset[str]
    letter_nouns: frozenset[str]
    agent_governors: frozenset[str]
    former_markers: frozenset[str]
    event_nouns: frozenset[str]
    signable: frozenset[str]  # 'statement', 'treaty': what one signs
    intent_nouns: frozenset[str]  # 'Japan's decision to send no one': Japan sends none
    send_nouns: frozenset[str]  # 'officials', 'diplomats': who a country sends
    event_anaphors: frozenset[str]  # 'this year's event': the story's event
    event_parts: frozenset[str]  # 'sessions at the G7 summit': the summit
    spokes_nouns: frozenset[str]  # 'a spokesman for the ministry': the ministry's
    charging: frozenset[str]  # 'accused X of doing': a charge, not a fact
    posting: Mapping[str, tuple[str, ...]]
    title_words: frozenset[str]  # every word of a title: "foreign", "minister"
    title_heads: frozenset[str]  # the last: "minister"
    group_nouns: frozenset[str]
    known: Mapping[str, Any]  # the gazetteer's entities by key
    people: Mapping[str, str] = field(default_factory=dict)  # office holder -> their body
    own_things: frozenset[str] = frozenset()  # "report": a thing, not its owner
    done_to: frozenset[str] = frozenset()  # "invasion": its "of" is the victim, not the doer
    issued_nouns: frozenset[str] = frozenset()  # 'the statement said': its issuer speaks
    first_person: frozenset[str] = frozenset()  # 'we' in a quotation: who is quoted
    letter_verbs: frozenset[str] = frozenset()  # 'sent a letter to X'
    capitals: Mapping[str, str] = field(default_factory=dict)  # "Beijing" -> country:CHN

    @classmethod
    def build(cls, lexicon: Lexicon, gazetteer: Gazetteer) -> Words:
        speech = lexicon.words("speech")
        return cls(
            speech=speech,
            saying=speech | lexicon.words("deny"),
            refusal=lexicon.words("refusal"),
            hypothetical=lexicon.words("hypothetical"),
            modals=lexicon.words("hypothetical_modals"),
            reported_pronouns=lexicon.words("reported_pronouns"),
            proxy_nouns=lexicon.words("proxy_nouns"),
            both_nouns=lexicon.words("both_nouns"),
            letter_nouns=lexicon.words("letter_nouns"),
            issued_nouns=lexicon.words("issued_nouns"),
            first_person=lexicon.words("first_person"),
            letter_verbs=lexicon.words("letter_verbs"),
            agent_governors=lexicon.words("agent_governors"),
            former_markers=lexicon.words("former_markers"),
            event_nouns=lexicon.words("event_nouns"),
            signable=lexicon.words("signable_nouns"),
            intent_nouns=lexicon.words("intent_nouns"),
            send_nouns=lexicon.words("send_nouns"),
            event_anaphors=lexicon.words("event_anaphors"),
            event_parts=lexicon.words("event_parts"),
            spokes_nouns=lexicon.words("spokes_nouns"),
            charging=lexicon.words("charging_verbs"),
            posting=lexicon.table("posting"),
            title_words=title_words(gazetteer),
            title_heads=title_heads(gazetteer),
            group_nouns=gazetteer.group_nouns,
            known=gazetteer.known,
            people=gazetteer.people,
            own_things=lexicon.words("own_things"),
            done_to=lexicon.words("done_to_nouns"),
            capitals=gazetteer.capitals,
        )


def subjects(verb: Token, words: Words) -> list[Token]:
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
        if not subj and token.i == verb.i:
            intent = _intent_object(token, words)
            if intent is not None:  # "Russia vetoed a bid to condemn X": not Russia's act
                return noun_agents(intent, words)
            subj = _torn_relative_subject(token)
        if (
            token.i == verb.i
            and token.dep_ == "ccomp"
            and not subj
            and any(c.dep_ == "nsubjpass" for c in token.children)
        ):
            return []  # "X was appalled that the bill had been signed": by someone else
        if token.i != verb.i and not subj:  # "X is expected to hold talks"
            subj = [c for c in token.children if c.dep_ == "nsubjpass"]
        if subj and _destination(token, subj[0]):
            token = token.head  # "left for Washington to attend": who left, not Washington
            continue
        if subj:
            if subj[0].tag_ in {"WDT", "WP"} and token.dep_ == "relcl":
                return [token.head]
            if subj[0].lower_ in words.reported_pronouns and token.dep_ == "ccomp":
                # "Canada and Brazil confirmed they would attend": the reporters
                return subjects(token.head, words) or subj
            return subj
        if token.dep_ == "relcl":  # "a deal Iran signed": subject inside; "France, which..."
            return [token.head]
        if token.dep_ in {"acl"} and token.tag_ in {"VBG", "VBN", "VB"}:
            if token.head.lemma_.lower() in words.intent_nouns:
                # "Japan's decision to send no delegation", "Chile made an effort to ...":
                # the act of whoever owns the intent
                owner = noun_agents(token.head, words)
                if owner:
                    return owner
            return [token.head]  # "governments following suit", "the city to stage"
        if token.dep_ == "pcomp" and token.head.lower_ == "in" and token.head.head.lemma_ == "join":
            # "A joined B in condemning X": both condemn it
            joined = token.head.head
            return [c for c in joined.children if c.dep_ in {"nsubj", "dobj"}]
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


def _intent_object(clause: Token, words: Words) -> Token | None:
    """The noun of intent an infinitive belongs to when the parser hangs it on the verb:
    "vetoed a bid to condemn X" -> "bid" (the bid condemns, not who vetoed it)."""
    if clause.dep_ != "advcl" or not any(
        c.dep_ == "aux" and c.lower_ == "to" for c in clause.children
    ):
        return None
    for c in clause.head.children:
        if c.dep_ == "dobj" and c.i < clause.i and c.lemma_.lower() in words.intent_nouns:
            return c
    return None


MOTION_VERBS = frozenset({"leave", "depart", "head", "fly", "travel", "set", "return"})


def _destination(verb: Token, subj: Token) -> bool:
    """ "X left for Washington to attend the summit": the parser reads "for Washington to
    attend" as a clause whose subject is Washington; it is where X went."""
    return (
        subj.ent_type_ in {"GPE", "LOC", "FAC"}
        and any(c.dep_ == "mark" and c.lower_ == "for" for c in verb.children)
        and verb.dep_ == "advcl"
        and verb.head.lemma_.lower() in MOTION_VERBS
    )


def _torn_relative_subject(verb: Token) -> list[Token]:
    """ "X, who was so invested in the Games that ..., said": a long relative clause the
    parser takes for the reported clause, with X as its subject. X is the subject of a
    clause before the verb, right before ", who"."""
    for clause in verb.children:
        if clause.dep_ != "ccomp" or clause.i > verb.i:
            continue
        for subj in clause.children:
            nxt = subj.doc[subj.i + 1 : subj.i + 3]
            if (
                subj.dep_ in {"nsubj", "nsubjpass"}
                and len(nxt) == 2
                and nxt[0].text == ","
                and nxt[1].tag_ in {"WP", "WDT"}
            ):
                return [subj]
    return []


def noun_agents(noun: Token, words: Words) -> list[Token]:
    """Who does what a noun names: "Canada's boycott", "a Chinese letter", "a letter
    from X", "a letter written by X", "X announced a boycott", "a boycott backed by X"."""
    strong = [c for c in noun.children if c.dep_ == "poss"]
    if strong and all(c.tag_ == "PRP$" for c in strong) and noun.dep_ == "dobj":
        # "X reaffirmed its support": a possessive pronoun in the object is the subject's
        strong = subjects(noun.head, words) or strong
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
    governors = words.agent_governors
    if noun.dep_ in {"nsubjpass", "dobj"} and head.lemma_.lower() in governors:
        return weak + subjects(head, words)
    if noun.dep_ == "pobj" and head.head.lemma_.lower() in governors:
        return weak + subjects(head.head, words)
    if noun.dep_ == "pobj" and head.lower_ == "in" and head.head.lemma_.lower() in words.saying:
        return weak + subjects(head.head, words)  # "X said in a letter to Y that ..."
    return weak


def patients(verb: Token) -> list[Token]:
    """What a verb acts on: its object, or its passive subject."""
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
        return patients(verb.head)
    for conj in verb.children:
        # "strongly condemns and firmly rejects the move": the first verb shares the object
        # of its conjunct when that has no subject of its own
        if conj.dep_ == "conj" and conj.pos_ == "VERB" and conj.i > verb.i:
            if not any(c.dep_ in {"nsubj", "nsubjpass"} for c in conj.children):
                shared = [c for c in conj.children if c.dep_ in {"dobj", "obj"}]
                if shared:
                    return shared
    return []


def reporter(verb: Token, words: Words) -> list[Token]:
    """ "X said the reforms had failed and called on Y to act": the parser often hangs the
    second verb on the reported clause, whose subject is no actor; the act is the
    reporter's. Used only when the clause's own subject names no actor."""
    if verb.dep_ != "conj" or verb.head.i == verb.i:
        return []  # the first verb of the clause has its own subject
    if any(c.dep_ == "auxpass" for c in verb.children):
        return []  # "said X was arrested and charged": a passive shares its patient
    return clause_speaker(verb, words)


def clause_speaker(verb: Token, words: Words) -> list[Token]:
    """Who reports the clause `verb` heads: "Blinken said Beijing is committing genocide"
    gives Blinken for "committing" (also its conjuncts: "said A attacked B and killed C");
    [] for a clause nobody is reported to say."""
    token = verb
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    if token.dep_ != "ccomp" or token.head.lemma_.lower() not in words.speech:
        return []
    return subjects(token.head, words)


def expand(tokens: Iterable[Token], words: Words) -> list[Token]:
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
            if member.lower_ in words.group_nouns or plural_title(member, words):
                # "G7 foreign ministers", "EU leaders": the body or country a plural title
                # names before it ("EU countries" are its members, not the EU)
                out.extend(
                    c
                    for c in member.children
                    if c.dep_ in {"compound", "nmod"}
                    and c.ent_type_ in {"GPE", "ORG", "NORP"}
                    and plural_title(member, words)
                    and member.lemma_.lower() not in {"member", "representative", "state"}
                    and c.text not in {"UN", "U.N.", "United Nations"}  # envoys to the UN
                    and c not in out
                )
                for prep in member.children:
                    if prep.dep_ == "prep" and prep.lower_ in {
                        "in",
                        "of",
                        "from",
                        "including",
                        "like",
                        "such",
                    }:
                        for pobj in _listed(prep):
                            # "of Mali and Burkina Faso": the parser may make Mali a modifier
                            torn = pobj.dep_ == "nmod" and any(
                                c.dep_ == "cc" for c in pobj.children
                            )
                            if (pobj.dep_ in {"pobj", "conj", "appos"} or torn) and not _hosted(
                                pobj, prep
                            ):
                                out.append(pobj)
                                # "the ministers of the G7 group": the group's name
                                out.extend(
                                    c
                                    for c in pobj.children
                                    if pobj.pos_ == "NOUN"
                                    and c.dep_ == "compound"
                                    and c.pos_ == "PROPN"
                                )
                for appos in member.children:
                    if appos.dep_ == "appos":
                        out.extend([appos, *appos.conjuncts])
                # "More than 50 countries, with Brazil and Chile among them, signed": the
                # parser hangs "among them" on the group or on the first member
                named = [
                    p
                    for c in member.children
                    if c.dep_ == "prep" and c.lower_ == "with"
                    for p in c.children
                    if p.dep_ == "pobj"
                ]
                among = [member, *named]
                if any(c.dep_ == "prep" and c.lower_ == "among" for t in among for c in t.children):
                    out.extend(t for p in named for t in (p, *p.conjuncts))
            # "Peru's president, Ana Soto, and Chile's Luis Rojas": the parser hangs the
            # second member on the apposition
            out.extend(
                c for a in member.children if a.dep_ == "appos" for c in a.conjuncts if c not in out
            )
            # "Austria, the Netherlands and Poland": a country is no apposition to another
            # country, nor a person to a person; the parser mistakes the list for one
            if member.ent_type_ in {"GPE", "PERSON"}:
                out.extend(
                    a
                    for a in member.children
                    if a.dep_ == "appos" and a.ent_type_ == member.ent_type_ and a not in out
                )
    # "the countries that signed it are (or include) A, B and C"; "A and B are among (or
    # are two of) the countries that signed it": the names a group is said to hold
    for member in list(out):
        if member.pos_ == "NOUN":
            named = [t for t in group_members(member, words) if t not in out]
            out.extend(t for t in expand(named, words) if t not in out)
    # "Denmark Lithuania and New Zealand": a missing comma makes one country a compound of
    # the next, but each begins a name of its own ("New" of "New Zealand" does not)
    for member in list(out):
        if member.ent_type_ == "GPE" and member.ent_iob_ == "B":
            out.extend(
                c
                for c in member.children
                if c.dep_ == "compound"
                and c.ent_type_ == "GPE"
                and c.ent_iob_ == "B"
                and c not in out
            )
    # "met several delegates on the sidelines of the summit, including A and B": the
    # parser hangs the list on the nearest noun, a singular one that cannot hold it
    for member in list(out):
        if member.tag_ == "NNS" and member.dep_ in {"dobj", "nsubj", "nsubjpass", "pobj"}:
            out.extend(t for t in misplaced_list(member) if t not in out)
    # "attended by Prime Minister of India A, President of Peru B and President of Chile
    # C": a title before each name, the parser hangs the next titles on the first name and
    # each name inside its title's "of" phrase
    for member in list(out):
        if member.ent_type_ == "PERSON":
            out.extend(t for t in titled_names(member, words) if t not in out)
            # "A, B and committee chief C": the parser makes B a modifier of C's title
            out.extend(
                t
                for t in member.subtree
                if t.dep_ == "nmod"
                and t.ent_type_ == "PERSON"
                and any(c.dep_ == "cc" for c in t.children)
                and t not in out
            )
    # "The ministers also urged ...": a bare plural group named before with its members
    for member in list(out):
        out.extend(t for t in group_antecedent(member, words) if t not in out)
    return out


def misplaced_list(plural: Token) -> list[Token]:
    """The names of an "including" list that follows a plural noun in its clause but hangs
    on its verb or a later singular noun: "met delegates on the sidelines of the summit,
    including A and B" -> [A, B]."""
    clause = plural.head
    for prep in clause.subtree:
        if (
            prep.i > plural.i
            and prep.dep_ == "prep"
            and prep.lower_ == "including"
            and (prep.head == clause or prep.head.tag_ in {"NN", "NNP"} and prep.head.i > plural.i)
        ):
            named = [p for p in prep.children if p.dep_ == "pobj"]
            return [t for p in named for t in (p, *p.conjuncts) if t.ent_type_]
    return []


def titled_names(person: Token, words: Words) -> list[Token]:
    """The names that follow a person's name in a list of "title of place name" ("A,
    President of Peru B, President of Chile C"): the last word of the person's name inside
    each title the parser makes an apposition or conjunct of A (or of another title)."""
    out: list[Token] = []
    todo = [c for c in person.children if c.dep_ in {"appos", "conj"}]
    while todo:
        title = todo.pop()
        if title.lower_ not in words.title_heads or title.ent_type_ == "PERSON":
            continue
        todo.extend(c for c in title.children if c.dep_ in {"appos", "conj"})
        of = [c for c in title.children if c.dep_ == "prep" and c.lower_ == "of"]
        names = [
            t
            for p in of[:1]  # "President of Peru B", not "an adviser to Prime Minister B"
            for t in p.subtree
            if t.ent_type_ == "PERSON"
            and t.dep_ in {"pobj", "conj"}
            and not _inner_title(t, title, words)
        ]
        out.extend(names[:1])
    return sorted(out, key=lambda t: t.i)


def _inner_title(name: Token, title: Token, words: Words) -> bool:
    """Whether a name inside a title's phrase belongs to a later title nested in it."""
    return any(
        a.dep_ in {"appos", "conj"} and a.lower_ in words.title_heads
        for a in name.ancestors
        if a.i > title.i
    )


QUOTE_MARKS = frozenset({'"', "“", "”"})
MEMBER_PREPS = frozenset({"of", "from"})
LIST_DEPS = frozenset(
    {"pobj", "conj", "appos", "cc", "punct", "compound", "prep", "det", "amod", "nmod"}
)


def _listed(prep: Token) -> list[Token]:
    """The words of the list a preposition governs, not of a clause inside it: "the
    governments of A and B, which are suspended from C": A and B, not C."""
    out: list[Token] = []
    todo = list(prep.children)
    while todo:
        token = todo.pop()
        if token.dep_ not in LIST_DEPS:
            continue
        out.append(token)
        todo.extend(token.children)
    return sorted(out, key=lambda t: t.i)


def group_members(group: Token, words: Words) -> list[Token]:
    """The names a sentence says a common noun holds: "the countries that signed it are
    A and B" -> [A], and of a group noun "... include A and B" too; "A and B are among the
    countries that signed it", "A is one of the countries ...", "A and B are the other
    countries not attending" -> [A] (their conjuncts are `expand`'s). Only names: "the
    countries that signed include some of the richest" says nothing of whom."""
    head = group.head
    grouped = group.lower_ in words.group_nouns or plural_title(group, words)
    if grouped:  # "his counterparts, which included A and B"
        held = [
            c
            for r in group.children
            if r.dep_ == "relcl" and r.lemma_ in HOLDING
            for c in r.children
            if c.dep_ == "dobj" and c.pos_ == "PROPN"
        ]
        if held:
            return held
    if group.dep_ == "nsubj" and (head.lemma_ == "be" or (grouped and head.lemma_ in HOLDING)):
        return [c for c in head.children if c.dep_ in {"attr", "dobj"} and c.pos_ == "PROPN"]
    if group.dep_ == "attr" and grouped and head.lemma_ == "be":  # "A and B are the countries"
        return [c for c in head.children if c.dep_ == "nsubj" and c.pos_ == "PROPN"]
    if grouped and group.dep_ == "nsubj" and head.dep_ == "ccomp" and head.head.lemma_ == "be":
        # "A and B are the countries not attending": the parser makes it a clause
        return [c for c in head.head.children if c.dep_ == "nsubj" and c.pos_ == "PROPN"]
    if group.dep_ != "pobj" or not grouped:
        return []
    verb = head.head
    if head.lower_ == "of" and verb.lower_ in FEW and verb.dep_ == "attr":
        verb = verb.head  # "A is one of the countries": the copula of "one"
    elif head.lower_ != "among":
        return []
    if verb.lemma_ != "be":
        return []
    return [c for c in verb.children if c.dep_ == "nsubj" and c.pos_ == "PROPN"]


HOLDING = frozenset({"include", "comprise"})
FEW = frozenset({"one", "two", "three", "four", "five", "some"})


HOST_PREPS = frozenset({"to", "at", "on", "for", "with", "against", "over"})


def _hosted(token: Token, prep: Token) -> bool:
    """ "ambassadors from 50 countries to the UN": the UN hosts the members, it is none."""
    return any(
        a.dep_ == "prep" and a.lower_ in HOST_PREPS
        for a in token.ancestors
        if a.i != prep.i and prep in a.ancestors
    )


def plural_title(token: Token, words: Words) -> bool:
    """ "ministers", and "Ministers" capitalised, which the tagger takes for a plural name
    and leaves unlemmatised."""
    if token.tag_ == "NNS":
        return token.lemma_.lower() in words.title_heads
    return (
        token.tag_ in {"NNP", "NNPS"}
        and token.lower_.endswith("s")
        and token.lower_[:-1] in words.title_heads
    )


def _plural_group(token: Token, words: Words) -> bool:
    return (token.tag_ == "NNS" and token.lower_ in words.group_nouns) or plural_title(token, words)


def group_antecedent(token: Token, words: Words, back: int = 3) -> list[Token]:
    """ "The foreign ministers of Chile, Peru and Ecuador met. The ministers also urged X":
    a bare "the ministers" (no owner, no members of its own) stands for the members of the
    same group named in one of the `back` sentences before; [] otherwise."""
    if not _plural_group(token, words):
        return []
    own = [c for c in token.children if c.dep_ not in {"det", "amod", "punct"}]
    dets = [c.lower_ for c in token.children if c.dep_ == "det"]
    if own or dets != ["the"]:
        return []
    doc = token.doc
    previous = token.sent
    for _ in range(back):
        if previous.start == 0:
            break
        previous = doc[previous.start - 1].sent
        for group in previous:
            if group.lemma_ != token.lemma_ or not _plural_group(group, words):
                continue
            members = [
                m
                for prep in group.children
                if prep.dep_ == "prep" and prep.lower_ in MEMBER_PREPS
                for pobj in prep.children
                if pobj.dep_ == "pobj"
                for m in (pobj, *pobj.conjuncts)
            ]
            if members:
                return members
    return []


def negated(trigger: Token, words: Words) -> bool:
    """Negation, refusal or a hypothetical governs the trigger within its clause:
    "did not join the boycott", "ruled out a boycott", "could consider a boycott"."""
    token = trigger
    for _ in range(8):
        for child in token.children:
            if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
                return True
            if child.dep_ in {"nsubj", "nsubjpass"} and any(
                (g.dep_ in {"preconj", "det"} and g.lower_ == "neither")
                or (g.dep_ == "cc" and g.lower_ == "nor")
                for g in child.children
            ):
                return True  # "Neither A nor B plans to attend"
            if child.dep_ == "mark" and child.lower_ in {"if", "unless", "whether"}:
                return True
            if token.i == trigger.i and child.dep_ == "advcl" and child.i > token.i:
                # "Peru would boycott the Games if asked": a condition the act waits on
                if any(g.dep_ == "mark" and g.lower_ in {"if", "unless"} for g in child.children):
                    return True
            if child.dep_ == "aux" and child.lower_ in words.modals:
                return True
        if token.i == trigger.i and any(
            c.dep_ in {"dobj", "obj", "nsubj"}
            and any(d.dep_ == "det" and d.lower_ == "no" for d in c.children)
            for c in token.children
        ):
            return True  # "decided to send no ministers to the Games"; "no minister will go"
        if (
            token.dep_ == "pcomp"
            and token.head.lower_ == "of"
            and token.head.head.lemma_.lower() in words.charging
        ):
            return True  # "accused Qatar of backing terrorism": a charge, not a fact
        if token.i != trigger.i:
            lemma = token.lemma_.lower()
            particles = [c.lower_ for c in token.children if c.dep_ == "prt"]
            phrases = {lemma, *(f"{lemma} {p}" for p in particles)}
            if phrases & (words.refusal | words.hypothetical):
                return True
        intent = token.dep_ == "acl" and token.head.lemma_.lower() in words.intent_nouns
        if (token.dep_ not in CLAUSE_INTERNAL and not intent) or token.head.i == token.i:
            return False  # "announced no plans to attend": the intent's clause too
        token = token.head
    return False


def former(title: Token, words: Words) -> bool:
    """The title is no longer held: "former Kenyan President X"."""
    return any(
        c.lower_ in words.former_markers
        for c in title.children
        if c.dep_ in {"amod", "advmod"} or c.i < title.i
    )


def posting(title: Token, obj: Token, words: Words, entity: Entity | None = None) -> bool:
    """True when `obj` is where the title holder is posted ("U.N. ambassador", "envoy
    for Yemen"), not whom they represent. A country before an ambassador's title is the
    sender ("U.S. Ambassador X"); an organisation there is the posting."""
    marks = words.posting.get(title.lemma_.lower())
    if not marks:
        return False
    premod = "compound" in marks and not (entity is not None and entity.kind == Kind.COUNTRY)
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


def role(title: Token, named: Mapping[int, str]) -> str:
    """The role title around a title noun, without the entity words (`named`: the tokens
    that belong to an entity): "executive director"."""
    words = [
        c
        for c in title.lefts
        if c.dep_ in {"compound", "amod"}
        and c.i not in named
        and c.pos_ in {"NOUN", "PROPN", "ADJ"}
    ]
    start = min([w.i for w in words] + [title.i])
    tokens = [t for t in title.doc[start : title.i + 1] if t.i not in named]
    return " ".join(t.lower_ for t in tokens if t.pos_ != "DET")


def titled(token: Token, words: Words) -> bool:
    """A country inside someone's title ("Israeli Prime Minister X", "Bahrain's foreign
    minister, Y") is that person's country, not the paragraph's."""
    step = token
    for _ in range(3):
        if step.head.i == step.i or step.dep_ not in {"amod", "compound", "poss", "nmod"}:
            return False
        step = step.head
        if step.lower_ in words.title_words or step.ent_type_ == "PERSON":
            return True
    return False


def antecedent(
    token: Token, res: Resolution, kinds: tuple[Kind, ...], window: int | None = None
) -> Entity | None:
    """The entity of those kinds named most recently before a pronoun (within `window`
    sentences when given)."""
    first = 0
    if window is not None:
        sents = [s for s in token.doc.sents if s.start <= token.i]
        first = sents[max(0, len(sents) - window)].start
    starts = [s.start for s in token.doc.sents if s.start <= token.i]
    near = starts[max(0, len(starts) - 3)]  # this sentence and the two before it
    quoted = _quoted_before(token)
    fallback = None
    for i in range(token.i - 1, first - 1, -1):
        entity = res.entities.get(res.token_key.get(i, ""))
        if entity is None or entity.kind not in kinds or i in quoted:
            continue
        if (
            kinds == (Kind.PERSON,)
            and i < starts[-1]
            and i >= near
            and not subject_like(token.doc[i])
        ):
            # "X signed it in St George's Hall. He said": he is the subject, X
            fallback = fallback or entity
            continue
        return fallback if fallback is not None and i < near else entity
    return fallback


def _quoted_before(token: Token) -> frozenset[int]:
    """The tokens of the pronoun's sentence inside a quotation that closes before it:
    in "'We condemn any deal that helps X,' she said", she is not X."""
    sent = token.sent
    marks = [t.i for t in sent if t.i < token.i and t.text in QUOTE_MARKS]
    if len(marks) < 2:
        return frozenset()
    inside: set[int] = set()
    for open_, close in zip(marks[::2], marks[1::2], strict=False):
        inside.update(range(open_ + 1, close))
    return frozenset(inside) if token.i not in inside else frozenset()


def nominal(token: Token) -> bool:
    """A noun, or a gerund the small model tags as a verb where it heads a noun phrase:
    "boycotted a high-level meeting"."""
    if token.pos_ == "NOUN":
        return True
    return (
        token.tag_ == "VBG"
        and token.dep_ in {"dobj", "pobj", "nsubj", "nsubjpass"}
        and any(c.dep_ in {"det", "poss"} for c in token.children)
    )


def main_subject(token: Token) -> bool:
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


def subject_like(token: Token) -> bool:
    """A name that is (in apposition to) a clause subject."""
    for _ in range(4):
        if token.dep_ not in {"compound", "flat", "appos"} or token.head.i == token.i:
            break
        token = token.head
    return token.dep_ in {"nsubj", "nsubjpass"}


#: The token attributes `attrs_match` reads, as RIGHT_ATTRS names them.
CHILD_ATTRS = ("DEP", "LOWER", "LEMMA", "POS")


def attrs_match(token: Token, want: Mapping[str, Any]) -> bool:
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


def noun_phrase(token: Token, named_of: bool = True) -> str:
    """A common noun with its left modifiers and an "of" complement, without determiners:
    "the first meeting of states parties" -> "first meeting of states parties". Without
    `named_of`, an "of" complement that is a name is left to the name's own entity: "the
    diplomatic boycott of Beijing 2022" -> "diplomatic boycott"."""
    left = [
        c
        for c in token.lefts
        if c.dep_ in {"amod", "compound", "nummod", "nmod", "poss"} and c.tag_ != "PRP$"
    ]  # "his speech" is the speech: a pronoun names no one
    start = min([c.left_edge.i for c in left] + [token.i])
    end = token.i + 1
    for child in token.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            pobj = [c for c in child.children if c.dep_ == "pobj"]
            if not named_of and pobj and pobj[0].ent_iob_ != "O":
                break
            end = child.right_edge.i + 1
            last = token.doc[end - 1]
            if last.ent_iob_ != "O" and end < len(token.doc):  # a name the parser split up
                end = next((e.end for e in token.doc.ents if e.start < end <= e.end), end)
            # "... in Europe (OSCE)": the acronym in brackets is no part of the phrase, nor is
            # a relative clause ("the release of the report, which it said ignores ...")
            # ... nor where it took place ("the 79th session of the Assembly in New York")
            stops = [
                t
                for t in token.doc[child.i + 1 : end]
                if t.text in {"(", "[", ")", "]"} or t.dep_ == "relcl" or _place_phrase(t)
            ]
            if stops:
                end = stops[0].left_edge.i if stops[0].dep_ == "relcl" else stops[0].i
            while end > child.i + 1 and token.doc[end - 1].is_punct:
                end -= 1  # the comma before the clause
            break
    # determiners go before the head only: "council of the Organization for ..." keeps its own
    words = [t for t in token.doc[start:end] if t.dep_ != "det" or t.i > token.i]
    text = "".join(t.text + (t.whitespace_ if t.i + 1 < end else "") for t in words)
    return " ".join(text.split())


def _place_phrase(token: Token) -> bool:
    """ "in New York", "at Geneva": a preposition of place before a place's name."""
    return (
        token.dep_ == "prep"
        and token.lower_ in {"in", "at"}
        and any(c.dep_ == "pobj" and c.ent_type_ in {"GPE", "LOC", "FAC"} for c in token.children)
    )


def stripped(sent: Span) -> tuple[str, int]:
    """A sentence's text without surrounding white space, and its start offset."""
    text = sent.text
    return text.strip(), sent.start_char + len(text) - len(text.lstrip())


def phrase(token: Token) -> str:
    """The words that name an argument, as evidence: the entity around the token, or a
    proper noun's subtree."""
    sub = list(token.subtree) if token.pos_ in {"PROPN"} else [token]
    if token.ent_iob_ in {"B", "I"}:
        ent = entity_around(token)
        if ent is not None:
            return ent.text
    return token.doc[sub[0].i : sub[-1].i + 1].text if sub else token.text


def entity_around(token: Token) -> Span | None:
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
