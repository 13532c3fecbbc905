"""Stage 3: spaCy entity spans -> `Mention`s with a provisional entity key and class.

Keys are ``kind-prefix:canonical name`` (``country:CHN``, ``person:Wang Yi``). The entities
stage then merges short forms, acronyms, metonyms and generic event references.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from kg.extraction.gazetteer import Gazetteer, title_heads, title_words
from kg.extraction.lexicon import Lexicon, load_lexicon
from kg.model import Kind, Mention, entity_key

# The entity labels of spaCy's English models that name something kg keeps.
LABEL_KIND = {
    "PERSON": Kind.PERSON,
    "ORG": Kind.ORGANISATION,
    "GPE": Kind.COUNTRY,
    "NORP": Kind.COUNTRY,
    "EVENT": Kind.EVENT,
    "LAW": Kind.AGREEMENT,
    "FAC": Kind.ORGANISATION,
}
_YEAR = re.compile(r"^(19|20)\d\d$")


def clean_name(span: Span) -> tuple[int, int, str]:
    """Drop a leading 'the' and a trailing possessive from an entity span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end - 1 and doc[start].lower_ in {"the", "a", "an"}:
        start += 1
    while end > start + 1 and doc[end - 1].tag_ == "POS" or doc[end - 1].text in {"'s", "’s", "'"}:
        end -= 1
        if end <= start:
            return span.start, span.end, span.text
    text = doc[start:end].text
    text = re.sub(r"[’']s$", "", text).strip(' ,.;:"“”')
    return start, end, _unbracketed(text)


def _unbracketed(text: str) -> str:
    """ "[Thomas] Bach" -> "Thomas Bach": a name an editor completed in brackets."""
    return re.sub(r"\s*[\[\]]\s*", " ", text).strip() if "[" in text or "]" in text else text


def find_mentions(doc: Doc, gaz: Gazetteer, lexicon: Lexicon | None = None) -> list[Mention]:
    lexicon = lexicon if lexicon is not None else load_lexicon()
    honorifics = lexicon.words("honorifics")
    event_heads = lexicon.words("event_name_heads")
    common = lexicon.words("proxy_nouns") | gaz.group_nouns
    heads = title_heads(gaz)
    out: list[Mention] = []
    for ent in doc.ents:
        kind = LABEL_KIND.get(ent.label_)
        if kind is None:
            continue
        start, end, text = clean_name(ent)
        if not text or not any(c.isalpha() for c in text):
            continue
        known = ent.ent_id_ or gaz.lookup(text)
        if (
            ent.label_ in {"PERSON", "ORG"}
            and doc[end - 1].lower_.removesuffix("s") in heads
            and _titles_only(doc, start, end, gaz)
        ):
            continue  # "Permanent Representative", "the High Representative": an office
        if ent.label_ == "PERSON":
            text = _strip_titles(doc, start, end, gaz, honorifics)
            if not text:
                continue
            if known and known in gaz.known:  # "Jordan" the person is not Jordan the country
                known = None
            out.append(Mention(start, end, text, Kind.PERSON, entity_key(Kind.PERSON, text)))
        elif _inside_title(doc, start, end, gaz):
            continue  # "Secretary of State": part of a title, not an organisation
        elif ent.label_ in {"ORG", "LAW", "EVENT"} and doc[end - 1].lower_ in gaz.agreement_heads:
            # "the Chicago Convention", "the Minsk Protocol": NER may call them events
            out.append(_mention(start, end, text, Kind.AGREEMENT))
        elif known and known in gaz.known:
            entry = gaz.known[known]
            out.append(Mention(start, end, text, entry.kind, known, demonym=ent.label_ == "NORP"))
        elif ent.label_ == "NORP":
            country = gaz.demonyms.get(text)
            if country:
                out.append(Mention(start, end, text, Kind.COUNTRY, country, demonym=True))
        elif ent.label_ == "GPE" or (ent.label_ == "ORG" and text in gaz.capitals):
            capital = gaz.capitals.get(text)
            out.append(_mention(start, end, text, Kind.CITY, capital=capital))
        elif ent.label_ == "EVENT":
            out.append(_mention(start, end, text, Kind.EVENT))
        elif ent.label_ == "LAW" and not _titles_only(doc, start, end, gaz):
            out.append(_mention(start, end, text, Kind.AGREEMENT))
        elif ent.label_ in {"ORG", "FAC"}:
            if ent.label_ == "FAC" and text not in gaz.seats:
                continue
            key = gaz.seats.get(text)
            if key:
                out.append(Mention(start, end, text, Kind.COUNTRY, key))
            elif end - start == 1 and doc[start].lemma_.lower() in common:
                continue  # "Governments in A and B", "the Ministry": common nouns, not names
            elif doc[start:end].root.lemma_.lower() in event_heads:
                out.append(_mention(start, end, text, Kind.EVENT))  # "World Conference on X"
            elif not _YEAR.match(text):
                out.append(_mention(start, end, text, Kind.ORGANISATION))
    out.extend(_agreement_phrases(doc, gaz, {m.root for m in out}))
    return sorted(out, key=lambda m: m.start)


def _mention(start: int, end: int, text: str, kind: Kind, capital: str | None = None) -> Mention:
    """A mention whose provisional key is its kind and text: ``org:Amnesty International``."""
    return Mention(start, end, text, kind, entity_key(kind, text), capital=capital)


def _titles_only(doc: Doc, start: int, end: int, gaz: Gazetteer) -> bool:
    """ "the Foreign Ministers of", which the model may tag as a law: title words, no name."""
    words = title_words(gaz)

    def title(t: Token) -> bool:
        return t.lower_ in words or t.lower_.removesuffix("s") in words

    span = doc[start:end]
    return any(title(t) for t in span) and all(title(t) or t.is_stop or t.is_punct for t in span)


def _inside_title(doc: Doc, start: int, end: int, gaz: Gazetteer) -> bool:
    for width in (2, 3):
        if start - width >= 0 and doc[start - width : end].text.lower() in gaz.titles:
            return True
    return False


def _strip_titles(
    doc: Doc, start: int, end: int, gaz: Gazetteer, honorifics: frozenset[str]
) -> str:
    """The name without leading titles: "President Emmanuel Macron" -> "Emmanuel Macron"."""

    def title(word: str) -> bool:  # "MPs Ana Soto and Luis Rojas": plural titles too
        return (
            word in gaz.titles or word in honorifics or word[-1:] == "s" and word[:-1] in gaz.titles
        )

    while end - start > 1:
        # the longest title the name starts with: "Chargé d’Affaires Ana Ruiz"
        width = next(
            (
                w
                for w in (4, 3, 2, 1)
                if end - start > w
                and title(" ".join(t.lower_ for t in doc[start : start + w]).replace("’", "'"))
            ),
            0,
        )
        if not width:
            break
        start += width
    return _unbracketed(doc[start:end].text.strip(' ,.;:"“”'))


def _agreement_phrases(doc: Doc, gaz: Gazetteer, taken: set[int]) -> list[Mention]:
    """Noun phrases headed by deal/treaty/accord...: '2015 nuclear deal' is an Agreement."""
    out = []
    for token in doc:
        if token.lemma_.lower() not in gaz.agreement_heads or token.pos_ != "NOUN":
            continue
        if token.i in taken:
            continue
        mods = [c for c in token.lefts if c.dep_ in {"amod", "compound", "nummod", "nmod"}]
        if not mods:
            continue  # a bare "the deal" refers back; resolved as the salient agreement
        start = min(m.left_edge.i for m in mods)
        text = doc[start : token.i + 1].text.strip()
        out.append(_mention(start, token.i + 1, text, Kind.AGREEMENT))
    return out
