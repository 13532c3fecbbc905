"""Speech: what a speaker said (a quote, a quote opened in an earlier sentence, the reported
clause), quotes that continue over paragraphs, relations read inside a quote (the speaker's
claim, not the document's), and letters as subjects ("the letter, signed by A, accuses X").
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from kg.extraction.relations.syntax import Words, patients, stripped
from kg.model import Evidence, Relation

QUOTE = re.compile(r"[\"“]([^\"“”]{2,}?)[\"”]")
QUOTE_MARKS = {'"', "“", "”"}
SAID = "said"  # the relation of statements
QUOTE_PARAGRAPH = "said.quote-paragraph"  # the id of relations from a paragraph-long quote


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


def letters(tokens: list[Token], words: Words) -> list[Token]:
    """Letter nouns among subject tokens, or the letter an "it" subject refers back to
    (the subject of one of the two sentences before)."""
    nouns = words.letter_nouns
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
