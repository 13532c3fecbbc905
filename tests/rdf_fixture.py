"""A small dataset written by hand, exactly per docs/rdf-model.md, for the vocab and query tests.

It does not use the builder: it pins what the builder must produce. Two documents, each in its
own named graph, plus the ontology in graph:ontology. Offsets, hashes and lengths are computed
from the texts below so the dataset is self-consistent.
"""

import hashlib
from decimal import Decimal
from pathlib import Path

import pyoxigraph
from pyshacl import validate
from rdflib import RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.graph.vocab import DOC, ENT, EV, GRAPH, KG, SCHEMA, STMT

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "kg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
QUERIES = ROOT / "data" / "queries"

OLYMPICS_DOC = "000_55bbdad625445dff"
OLYMPICS_TITLE = "Beijing Winter Olympics: US leads diplomatic boycott"
OLYMPICS_TEXT = (
    OLYMPICS_TITLE + "\n\n"
    "The US has led the diplomatic boycott of the Winter Olympics, with Governments in "
    "Australia, Belgium, Canada and the UK following suit. "
    "Beijing is set to become the first city to stage both the summer and winter Games. "
    '"Athletes should not be used as props," said Brian Leung, executive director of the '
    "Hong Kong Democracy Council. "
    "Chinese officials called the boycott a farce."
)

LETTER_DOC = "001_3c8e6a1f0b7d2e94"
LETTER_TITLE = "China urges UN rights chief not to publish Xinjiang report"
LETTER_TEXT = (
    LETTER_TITLE + "\n\n"
    "Beijing has circulated a letter to the Office of the High Commissioner for Human Rights "
    "asking it not to release the report. "
    '"We strongly urge Madame High Commissioner not to publish the report," the letter said. '
    "Michelle Bachelet, the UN High Commissioner for Human Rights, is due to leave office at "
    "the end of August. "
    "Rights groups such as the World Uyghur Congress accuse Beijing of abuses against Uyghurs. "
    "Beijing denies the charges laid against it."
)

USA = ENT["country/USA"]
GBR = ENT["country/GBR"]
CHN = ENT["country/CHN"]
BEIJING = ENT["city/Beijing"]
OLYMPICS = ENT["event/Beijing_2022_Winter_Olympics"]
LEUNG = ENT["person/Brian_Leung"]
HKDC = ENT["organisation/Hong_Kong_Democracy_Council"]
BACHELET = ENT["person/Michelle_Bachelet"]
WUC = ENT["organisation/World_Uyghur_Congress"]
OHCHR = ENT["unoffice/Office_of_the_High_Commissioner_for_Human_Rights"]

LEUNG_STATEMENT = STMT[f"{OLYMPICS_DOC}/5e1f0c2d9a3b"]
CHARGES_CLAIM = STMT[f"{LETTER_DOC}/7c4d2e9f1a0b"]

EV_US_BOYCOTTS = EV[f"{OLYMPICS_DOC}/0a1b2c3d4e5f"]
EV_UK_BOYCOTTS = EV[f"{OLYMPICS_DOC}/1b2c3d4e5f60"]
EV_BEIJING_HOSTS = EV[f"{OLYMPICS_DOC}/2c3d4e5f6071"]
EV_LEUNG_REPRESENTS = EV[f"{OLYMPICS_DOC}/3d4e5f607182"]
EV_LEUNG_SAID = EV[f"{OLYMPICS_DOC}/4e5f60718293"]
EV_LETTER = EV[f"{LETTER_DOC}/5f60718293a4"]
EV_URGES = EV[f"{LETTER_DOC}/60718293a4b5"]
EV_BACHELET_REPRESENTS = EV[f"{LETTER_DOC}/718293a4b5c6"]
EV_ACCUSES = EV[f"{LETTER_DOC}/8293a4b5c6d7"]
EV_DENIES = EV[f"{LETTER_DOC}/93a4b5c6d7e8"]

ALL_EVIDENCE = (
    EV_US_BOYCOTTS,
    EV_UK_BOYCOTTS,
    EV_BEIJING_HOSTS,
    EV_LEUNG_REPRESENTS,
    EV_LEUNG_SAID,
    EV_LETTER,
    EV_URGES,
    EV_BACHELET_REPRESENTS,
    EV_ACCUSES,
    EV_DENIES,
)


def _document(g: Graph, doc_id: str, title: str, text: str, date: str, url: str | None) -> URIRef:
    doc = DOC[doc_id]
    g.add((doc, RDF.type, KG.Document))
    g.add((doc, DCTERMS.identifier, Literal(doc_id)))
    g.add((doc, DCTERMS.title, Literal(title)))
    g.add((doc, DCTERMS.date, Literal(date, datatype=XSD.date)))
    if url is not None:
        g.add((doc, SCHEMA.url, Literal(url)))
    g.add((doc, KG.contentHash, Literal(hashlib.sha256(text.encode("utf-8")).hexdigest())))
    g.add((doc, KG.charCount, Literal(len(text))))
    return doc


def _entity(g: Graph, doc: URIRef, entity: URIRef, cls: URIRef, label: str, *aliases: str) -> None:
    g.add((entity, RDF.type, cls))
    g.add((entity, SKOS.prefLabel, Literal(label)))
    g.add((entity, RDFS.label, Literal(label)))
    for alias in aliases:
        g.add((entity, SKOS.altLabel, Literal(alias)))
    g.add((doc, KG.mentions, entity))


def _country(g: Graph, doc: URIRef, alpha2: str, alpha3: str, label: str, *aliases: str) -> None:
    country = ENT[f"country/{alpha3}"]
    _entity(g, doc, country, KG.Country, label, *aliases)
    g.add((country, KG.iso3166Alpha2, Literal(alpha2)))
    g.add((country, KG.iso3166Alpha3, Literal(alpha3)))


def _relation(
    g: Graph,
    evidence: URIRef,
    triple: tuple[URIRef, URIRef, URIRef],
    doc: URIRef,
    text: str,
    sentence: str,
    subject_text: str,
    object_text: str,
    pattern: str,
    confidence: str,
    attributed_to: URIRef | None = None,
    role: str | None = None,
) -> None:
    subject, predicate, obj = triple
    start = text.index(sentence)
    g.add(triple)
    g.add((evidence, RDF.type, KG.Evidence))
    g.add((evidence, RDF.subject, subject))
    g.add((evidence, RDF.predicate, predicate))
    g.add((evidence, RDF.object, obj))
    g.add((evidence, KG.document, doc))
    g.add((evidence, KG.sentence, Literal(sentence)))
    g.add((evidence, KG.sentenceStart, Literal(start)))
    g.add((evidence, KG.sentenceEnd, Literal(start + len(sentence))))
    g.add((evidence, KG.subjectText, Literal(subject_text)))
    g.add((evidence, KG.objectText, Literal(object_text)))
    g.add((evidence, KG.pattern, Literal(pattern)))
    g.add((evidence, KG.confidence, Literal(Decimal(confidence))))
    g.add((evidence, KG.attributedTo, attributed_to if attributed_to is not None else doc))
    if role is not None:
        g.add((evidence, KG.role, Literal(role)))


def _olympics(g: Graph) -> None:
    text = OLYMPICS_TEXT
    doc = _document(
        g, OLYMPICS_DOC, OLYMPICS_TITLE, text, "2022-02-03", "https://example.org/olympics"
    )
    _country(g, doc, "US", "USA", "United States", "The US")
    _country(g, doc, "GB", "GBR", "United Kingdom", "the UK")
    _country(g, doc, "CN", "CHN", "China", "Chinese")
    _entity(g, doc, BEIJING, KG.City, "Beijing")
    _entity(g, doc, OLYMPICS, KG.Event, "Beijing 2022 Winter Olympics", "the Winter Olympics")
    _entity(g, doc, LEUNG, KG.Person, "Brian Leung")
    _entity(g, doc, HKDC, KG.Organisation, "Hong Kong Democracy Council")

    boycott = (
        "The US has led the diplomatic boycott of the Winter Olympics, with Governments in "
        "Australia, Belgium, Canada and the UK following suit."
    )
    _relation(
        g,
        EV_US_BOYCOTTS,
        (USA, KG.boycotts, OLYMPICS),
        doc,
        text,
        boycott,
        "The US",
        "the Winter Olympics",
        "boycotts.lead-boycott",
        "0.9",
    )
    _relation(
        g,
        EV_UK_BOYCOTTS,
        (GBR, KG.boycotts, OLYMPICS),
        doc,
        text,
        boycott,
        "the UK",
        "the Winter Olympics",
        "boycotts.follow-suit",
        "0.7",
    )
    _relation(
        g,
        EV_BEIJING_HOSTS,
        (BEIJING, KG.hosts, OLYMPICS),
        doc,
        text,
        "Beijing is set to become the first city to stage both the summer and winter Games.",
        "Beijing",
        "winter Games",
        "hosts.stage",
        "0.6",
    )

    quote = (
        '"Athletes should not be used as props," said Brian Leung, executive director of the '
        "Hong Kong Democracy Council."
    )
    _relation(
        g,
        EV_LEUNG_REPRESENTS,
        (LEUNG, KG.represents, HKDC),
        doc,
        text,
        quote,
        "Brian Leung",
        "the Hong Kong Democracy Council",
        "represents.appos-title",
        "0.95",
        role="executive director",
    )
    g.add((LEUNG_STATEMENT, RDF.type, KG.Statement))
    g.add((LEUNG_STATEMENT, KG.text, Literal("Athletes should not be used as props")))
    g.add((LEUNG_STATEMENT, KG.direct, Literal(True)))
    _relation(
        g,
        EV_LEUNG_SAID,
        (LEUNG, KG.said, LEUNG_STATEMENT),
        doc,
        text,
        quote,
        "Brian Leung",
        "Athletes should not be used as props",
        "said.quote-said",
        "0.9",
    )


def _letter(g: Graph) -> None:
    text = LETTER_TEXT
    doc = _document(g, LETTER_DOC, LETTER_TITLE, text, "2022-07-20", None)
    _country(g, doc, "CN", "CHN", "China", "Beijing")
    _entity(g, doc, OHCHR, KG.UNOffice, "Office of the High Commissioner for Human Rights")
    _entity(g, doc, BACHELET, KG.Person, "Michelle Bachelet", "Madame High Commissioner")
    _entity(g, doc, WUC, KG.Organisation, "World Uyghur Congress")

    _relation(
        g,
        EV_LETTER,
        (CHN, KG.sentLetterTo, OHCHR),
        doc,
        text,
        "Beijing has circulated a letter to the Office of the High Commissioner for Human "
        "Rights asking it not to release the report.",
        "Beijing",
        "the Office of the High Commissioner for Human Rights",
        "sentLetterTo.circulate-letter",
        "0.85",
    )
    # inside the letter's quote, so the claim is China's, not the newspaper's
    _relation(
        g,
        EV_URGES,
        (CHN, KG.urges, BACHELET),
        doc,
        text,
        '"We strongly urge Madame High Commissioner not to publish the report," the letter said.',
        "We",
        "Madame High Commissioner",
        "urges.urge-object",
        "0.8",
        attributed_to=CHN,
    )
    _relation(
        g,
        EV_BACHELET_REPRESENTS,
        (BACHELET, KG.represents, OHCHR),
        doc,
        text,
        "Michelle Bachelet, the UN High Commissioner for Human Rights, is due to leave "
        "office at the end of August.",
        "Michelle Bachelet",
        "the UN High Commissioner for Human Rights",
        "represents.appos-title",
        "0.9",
        role="UN High Commissioner for Human Rights",
    )
    _relation(
        g,
        EV_ACCUSES,
        (WUC, KG.accuses, CHN),
        doc,
        text,
        "Rights groups such as the World Uyghur Congress accuse Beijing of abuses against Uyghurs.",
        "the World Uyghur Congress",
        "Beijing",
        "accuses.accuse-of",
        "0.8",
    )
    g.add((CHARGES_CLAIM, RDF.type, KG.Claim))
    g.add((CHARGES_CLAIM, KG.text, Literal("the charges laid against it")))
    g.add((CHARGES_CLAIM, KG.direct, Literal(False)))
    _relation(
        g,
        EV_DENIES,
        (CHN, KG.denies, CHARGES_CLAIM),
        doc,
        text,
        "Beijing denies the charges laid against it.",
        "Beijing",
        "the charges laid against it",
        "denies.deny-object",
        "0.85",
    )


def build_dataset() -> Dataset:
    """The conforming dataset: graph:ontology plus one named graph per document."""
    ds = Dataset()
    ds.graph(GRAPH.ontology).parse(ONTOLOGY, format="turtle")
    _olympics(ds.graph(GRAPH[OLYMPICS_DOC]))
    _letter(ds.graph(GRAPH[LETTER_DOC]))
    return ds


def union_graph(ds: Dataset) -> Graph:
    """All triples of all graphs in one graph, as validation and union queries see them."""
    union = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def shacl_report(ds: Dataset) -> tuple[bool, Graph, str]:
    """Validate the union of the dataset (ontology included) against ontology/shapes.ttl."""
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, results, text = validate(
        union_graph(ds), shacl_graph=shapes, inference="none", advanced=False
    )
    return bool(conforms), results, str(text)


def oxigraph_store(ds: Dataset) -> pyoxigraph.Store:
    """The dataset in an in-memory Oxigraph store, the engine the product queries with."""
    store = pyoxigraph.Store()
    store.load(ds.serialize(format="nquads").encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store
