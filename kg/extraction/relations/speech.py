"""Speech: what a speaker said (a quote, a quote opened in an earlier sentence, the reported
clause), quotes that continue over paragraphs, relations read inside a quote (the speaker's
claim, not the document's), and letters as subjects ("the letter, signed by A, accuses X").
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from kg.extraction.relations.syntax import Words, noun_agents, patients, stripped, subjects
from kg.model import Entity, Evidence, Kind, Relation

QUOTE = re.compile(r"[\"“]([^\"“”]{2,}?)[\"”]")
SAID = "said"  # the relation of statements
QUOTE_PARAGRAPH = "said.quote-paragraph"  # the id of relations from a paragraph-long quote


def _clause(quote: str) -> bool:
    """Whether a quotation is long enough to be a statement: three words or more."""
    return len(quote.split()) >= 3


def statement(trigger: Token, claim: bool) -> tuple[str, bool]:
    """The text said, and whether it is a direct quote: a quote in the sentence, else the
    reported clause, else the sentence; for a claim, the trigger's object or clause."""
    sent = trigger.sent
    if claim:
        objs = patients(trigger) or [c for c in trigger.children if c.dep_ == "ccomp"]
        if objs:
            sub = list(objs[0].subtree)
            return trigger.doc[sub[0].i : sub[-1].i + 1].text, False
        return "", False
    # a statement is a clause: a scare-quoted word or phrase ("'fanfare'", "'resolute
    # countermeasures'") is no quotation of what someone said
    quotes = [q for q in (m.group(1).strip() for m in QUOTE.finditer(sent.text)) if _clause(q)]
    if quotes:
        return " ... ".join(quotes), True
    opened = open_quote(sent, trigger)
    if opened:
        return opened, True
    # the reported clause follows the verb, or leads the sentence: "X met Y, Z said"
    # (a finite clause: "pledged to publish the report" states an intention, not a fact)
    clauses = [c for c in trigger.children if c.dep_ == "ccomp"]
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


def quote_paragraphs(doc: Doc, doc_id: str, relations: list[Relation]) -> list[Relation]:
    """A paragraph that is only a quote continues the previous paragraph's speaker."""
    said = {r.evidence.sentence_start: r for r in relations if r.relation == SAID}
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
                QUOTE_PARAGRAPH,
                0.7,
            )
            out.append(Relation(last.subject, SAID, quote, ev, True, True))
        elif starts_paragraph:
            last = None
    return out


def attribute(relations: list[Relation]) -> list[Relation]:
    """A relation inside a quote is the speaker's claim, not the document's."""
    speakers: list[tuple[int, int, str]] = []
    for rel in relations:
        if rel.relation == SAID and rel.direct:
            speakers.append((rel.evidence.sentence_start, rel.evidence.sentence_end, rel.subject))
    out = []
    for rel in relations:
        ev = rel.evidence
        who = None
        if rel.relation != SAID:
            for start, _end, speaker in speakers:
                if start == ev.sentence_start and speaker != rel.subject:
                    quotes = [m.span() for m in QUOTE.finditer(ev.sentence)]
                    if quotes and any(ev.subject_text in ev.sentence[a:b] for a, b in quotes):
                        who = speaker
        out.append(replace(rel, evidence=replace(ev, attributed_to=who)) if who else rel)
    return out


def documents(tokens: list[Token], words: Words) -> list[Token]:
    """Issued documents among subject tokens ("the letter", "the ministry's statement"), or
    the document an "it" subject refers back to (the subject of one of the two sentences
    before)."""
    nouns = words.issued_nouns
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


def issuers(document: Token, words: Words) -> list[Token]:
    """Who issued a document: named with it ("the ministry's statement", "a letter signed
    by A"), else the last issuer of a document of the same kind earlier in the article
    ("China circulated a letter ... the letter said")."""
    found = noun_agents(document, words)
    if found:
        return found
    for token in reversed(document.doc[: document.i]):
        if token.lemma_.lower() == document.lemma_.lower() and token.pos_ == "NOUN":
            earlier = noun_agents(token, words)
            if earlier:
                return earlier
    return []


def quote_spans(sent: Span) -> list[tuple[int, int]]:
    """Character spans (document offsets) of the quotations of a sentence."""
    base = sent.start_char
    return [(base + m.start(), base + m.end()) for m in QUOTE.finditer(sent.text)]


def quote_speaker(token: Token, words: Words) -> Token | None:
    """Who is quoted when `token` stands inside a quotation: the subject of the sentence's
    speech verb outside the quotation ('"We urge ...," the minister said'), and for a
    document that speaks ('"...," the letter was stated to read') the document's issuer."""
    sent = token.sent
    spans = quote_spans(sent)
    if not any(a <= token.idx < b for a, b in spans):
        return None
    outside = [t for t in sent if not any(a <= t.idx < b for a, b in spans)]
    for verb in outside:
        if verb.lemma_.lower() not in words.speech or verb.pos_ not in {"VERB", "AUX"}:
            continue
        found = subjects(verb, words) or [
            c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}
        ]
        while not found and verb.dep_ in {"xcomp", "conj"} and verb.head.i != verb.i:
            verb = verb.head  # "the letter was stated to read"
            found = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
        for subject in found:
            if subject.lower_ in words.issued_nouns:
                named = issuers(subject, words)
                return named[0] if named else None
            return subject
    return None


ADDRESSEES = (Kind.ORGANISATION, Kind.UN_OFFICE, Kind.PERSON)


def letter_requests(
    doc: Doc, relations: list[Relation], words: Words, entities: dict[str, Entity]
) -> list[Relation]:
    """What a letter urges, it urges on whom it is written to: '"We urge the High
    Commissioner not to publish," the letter said' is a letter to the High Commissioner
    (an office or a person; a letter to a country is not `sentLetterTo`)."""
    out = []
    for rel in relations:
        if rel.relation != "urges" or rel.object_is_text:
            continue
        target = entities.get(rel.object)
        if target is None or target.kind not in ADDRESSEES:
            continue
        sent = doc.char_span(
            rel.evidence.sentence_start, rel.evidence.sentence_end, alignment_mode="expand"
        )
        if sent is None or not _spoken_by_letter(sent, words):
            continue
        evidence = replace(rel.evidence, pattern="sentLetterTo.letter-urges", confidence=0.75)
        out.append(Relation(rel.subject, "sentLetterTo", rel.object, evidence))
    return out


def _spoken_by_letter(sent: Span, words: Words) -> bool:
    spans = quote_spans(sent)
    return any(
        t.lower_ in words.letter_nouns
        and t.dep_ in {"nsubj", "nsubjpass"}
        and not any(a <= t.idx < b for a, b in spans)
        for t in sent
    )
