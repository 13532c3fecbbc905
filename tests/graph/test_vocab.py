"""kg.graph.vocab against ontology/kg.ttl, and ontology/shapes.ttl against hand-built graphs."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from rdf_fixture import (
    BACHELET,
    CHN,
    EV_LEUNG_SAID,
    EV_US_BOYCOTTS,
    HKDC,
    LETTER_DOC,
    LEUNG,
    LEUNG_STATEMENT,
    OHCHR,
    OLYMPICS_DOC,
    ONTOLOGY,
    SHAPES,
    USA,
    build_dataset,
    shacl_report,
)
from rdflib import OWL, RDF, RDFS, SH, Dataset, Graph, Literal, Node, URIRef

# XSD is reached through its module: pytest probes test-module globals, and XSD warns on them
from rdflib import namespace as ns
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SKOS

from kg.graph.vocab import DOC, ENT, EV, GRAPH, KG, PREFIXES, RELATIONS, SCHEMA, STMT, term

EXPECTED_CAMEO = {
    "boycotts": ("163", "16", "material conflict"),
    "sentLetterTo": ("010", "01", "verbal cooperation"),
    "condemns": ("111", "11", "verbal conflict"),
    "supports": ("051", "05", "verbal cooperation"),
    "urges": ("020", "02", "verbal cooperation"),
    "accuses": ("112", "11", "verbal conflict"),
    "denies": ("016", "01", "verbal cooperation"),
    "attends": ("042", "04", "verbal cooperation"),
    "hosts": ("043", "04", "verbal cooperation"),
    "metWith": ("040", "04", "verbal cooperation"),
    "signatoryOf": ("057", "05", "verbal cooperation"),
    "said": ("010", "01", "verbal cooperation"),
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def _vocab_terms() -> set[URIRef]:
    return {term(name) for name in KG.__annotations__}


def _ontology_terms(ontology: Graph) -> set[Node]:
    ns = str(KG._NS)
    return {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(ns)}


def test_vocab_every_term_is_in_the_ontology(ontology: Graph) -> None:
    missing = _vocab_terms() - _ontology_terms(ontology)
    assert not missing, (
        f"in kg/graph/vocab.py but not declared in ontology/kg.ttl: {sorted(missing)}"
    )


def test_vocab_every_ontology_term_is_in_the_vocab(ontology: Graph) -> None:
    missing = sorted(map(str, _ontology_terms(ontology) - _vocab_terms()))
    assert not missing, f"declared in ontology/kg.ttl but not in kg/graph/vocab.py: {missing}"


def test_vocab_every_term_has_label_and_comment(ontology: Graph) -> None:
    for uri in _vocab_terms():
        assert ontology.value(uri, RDFS.label) is not None, uri
        assert ontology.value(uri, RDFS.comment) is not None, uri


def test_vocab_every_kg_iri_used_in_the_ontology_is_a_term(ontology: Graph) -> None:
    ns = str(KG._NS)
    used = {t for triple in ontology for t in triple if isinstance(t, URIRef)}
    assert {t for t in used if str(t).startswith(ns)} <= _vocab_terms()


def test_vocab_unknown_term_raises() -> None:
    with pytest.raises(AttributeError):
        _ = KG.nonexistent
    with pytest.raises(AttributeError):
        _ = KG.boycots
    with pytest.raises(AttributeError):
        term("boycots")
    assert term("boycotts") == KG.boycotts == URIRef(PREFIXES["kg"] + "boycotts")


def test_vocab_relations_follow_the_spec_order() -> None:
    assert RELATIONS == (
        "boycotts",
        "represents",
        "sentLetterTo",
        "condemns",
        "supports",
        "urges",
        "accuses",
        "denies",
        "attends",
        "hosts",
        "metWith",
        "signatoryOf",
        "said",
    )
    assert all(name in KG for name in RELATIONS)


@pytest.mark.parametrize("name", RELATIONS)
def test_vocab_relation_is_a_documented_object_property(ontology: Graph, name: str) -> None:
    prop = term(name)
    assert (prop, RDF.type, OWL.ObjectProperty) in ontology
    for annotation in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
        assert ontology.value(prop, annotation) is not None, f"{name} lacks {annotation}"


def test_vocab_relation_domains_and_ranges_follow_the_spec(ontology: Graph) -> None:
    def classes(prop: URIRef, which: URIRef) -> set[Node | None]:
        node = ontology.value(prop, which)
        union = ontology.value(node, OWL.unionOf)
        return set(Collection(ontology, union)) if union is not None else {node}

    assert classes(KG.boycotts, RDFS.domain) == {KG.Country, KG.Organisation}
    assert classes(KG.boycotts, RDFS.range) == {KG.Event}
    assert classes(KG.represents, RDFS.domain) == {KG.Person}
    assert classes(KG.represents, RDFS.range) == {KG.Organisation, KG.Country}
    assert classes(KG.sentLetterTo, RDFS.range) == {KG.Organisation, KG.Person}
    assert classes(KG.hosts, RDFS.domain) == {KG.Country, KG.City}
    assert classes(KG.signatoryOf, RDFS.range) == {KG.Agreement, KG.Document}
    assert classes(KG.condemns, RDFS.range) == {OWL.Thing}
    assert classes(KG.supports, RDFS.range) == {OWL.Thing}
    assert classes(KG.said, RDFS.range) == {KG.Statement}
    assert classes(KG.denies, RDFS.range) == {KG.Claim}
    assert (KG.metWith, RDF.type, OWL.SymmetricProperty) in ontology


def test_vocab_relation_labels_are_plain_english(ontology: Graph) -> None:
    assert str(ontology.value(KG.boycotts, RDFS.label)) == "boycotts"
    assert str(ontology.value(KG.sentLetterTo, RDFS.label)) == "sent letter to"
    assert str(ontology.value(KG.metWith, RDFS.label)) == "met with"


@pytest.mark.parametrize("name", sorted(EXPECTED_CAMEO))
def test_vocab_event_relation_has_its_cameo_code(ontology: Graph, name: str) -> None:
    code, root, quad = EXPECTED_CAMEO[name]
    prop = term(name)
    assert list(ontology.objects(prop, KG.cameoCode)) == [Literal(code)]
    assert list(ontology.objects(prop, KG.cameoRoot)) == [Literal(root)]
    assert list(ontology.objects(prop, KG.cameoQuadClass)) == [Literal(quad)]
    assert code.startswith(root)


def test_vocab_represents_has_no_cameo_code(ontology: Graph) -> None:
    assert set(EXPECTED_CAMEO) | {"represents"} == set(RELATIONS)
    assert ontology.value(KG.represents, KG.cameoCode) is None
    assert ontology.value(KG.represents, KG.cameoRoot) is None


def test_vocab_provenance_properties_refine_prov(ontology: Graph) -> None:
    prov = PREFIXES["prov"]
    assert (KG.document, RDFS.subPropertyOf, URIRef(prov + "wasDerivedFrom")) in ontology
    assert (KG.attributedTo, RDFS.subPropertyOf, URIRef(prov + "wasAttributedTo")) in ontology
    assert (KG.Evidence, RDFS.subClassOf, RDF.Statement) in ontology
    assert (KG.Evidence, RDFS.subClassOf, URIRef(prov + "Entity")) in ontology


def test_vocab_datatype_property_ranges(ontology: Graph) -> None:
    assert ontology.value(KG.confidence, RDFS.range) == ns.XSD.decimal
    assert ontology.value(KG.sentenceStart, RDFS.range) == ns.XSD.integer
    assert ontology.value(KG.direct, RDFS.range) == ns.XSD.boolean
    for name in ("sentence", "pattern", "text", "contentHash", "iso3166Alpha3", "role"):
        assert (term(name), RDF.type, OWL.DatatypeProperty) in ontology, name
        assert ontology.value(term(name), RDFS.range) == ns.XSD.string, name


def test_vocab_prefixes_match_the_namespaces() -> None:
    assert set(PREFIXES) == {
        "kg",
        "ent",
        "doc",
        "graph",
        "ev",
        "stmt",
        "rdf",
        "rdfs",
        "owl",
        "xsd",
        "skos",
        "dcterms",
        "schema",
        "prov",
        "foaf",
        "sh",
        "country",
        "person",
        "org",
        "unoffice",
        "city",
        "event",
        "agreement",
        "topic",
    }
    for kind in ("country", "person", "unoffice", "city", "event", "agreement", "topic"):
        assert PREFIXES[kind] == f"https://w3id.org/kg-news/id/{kind}/"
    assert PREFIXES["org"] == "https://w3id.org/kg-news/id/organisation/"
    assert PREFIXES["kg"] == "https://w3id.org/kg-news/ontology#"
    assert PREFIXES["ent"] == str(ENT) == "https://w3id.org/kg-news/id/"
    assert PREFIXES["doc"] == str(DOC) == "https://w3id.org/kg-news/doc/"
    assert PREFIXES["graph"] == str(GRAPH) == "https://w3id.org/kg-news/graph/"
    assert PREFIXES["ev"] == str(EV) == "https://w3id.org/kg-news/evidence/"
    assert PREFIXES["stmt"] == str(STMT) == "https://w3id.org/kg-news/statement/"
    assert PREFIXES["schema"] == str(SCHEMA) == "https://schema.org/"
    assert PREFIXES["rdf"] == str(RDF) and PREFIXES["skos"] == str(SKOS)
    assert PREFIXES["dcterms"] == str(DCTERMS) and PREFIXES["sh"] == str(SH)


def test_shapes_evidence_predicates_are_the_relations(shapes: Graph) -> None:
    lists = [
        list(Collection(shapes, node))
        for prop in shapes.subjects(SH.path, RDF.predicate)
        for node in shapes.objects(prop, SH["in"])
    ]
    assert lists == [[term(name) for name in RELATIONS]]


def test_shapes_accept_the_hand_built_dataset() -> None:
    conforms, _, text = shacl_report(build_dataset())
    assert conforms, text


# Each case breaks the conforming dataset in one way and names the (focus node, path) that
# the report must point at; path None is a constraint on the node itself.
Mutation = Callable[[Dataset], None]


def _olympics(ds: Dataset) -> Graph:
    return ds.graph(GRAPH[OLYMPICS_DOC])


def _letter(ds: Dataset) -> Graph:
    return ds.graph(GRAPH[LETTER_DOC])


def _drop_sentence(ds: Dataset) -> None:
    _olympics(ds).remove((EV_US_BOYCOTTS, KG.sentence, None))


def _boycott_a_person(ds: Dataset) -> None:
    _olympics(ds).add((USA, KG.boycotts, LEUNG))


def _confidence_above_one(ds: Dataset) -> None:
    g = _olympics(ds)
    g.set((EV_US_BOYCOTTS, KG.confidence, Literal(Decimal("1.5"))))


def _confidence_as_double(ds: Dataset) -> None:
    g = _olympics(ds)
    g.set((EV_US_BOYCOTTS, KG.confidence, Literal(0.9)))


def _offsets_reversed(ds: Dataset) -> None:
    g = _olympics(ds)
    g.set((EV_US_BOYCOTTS, KG.sentenceStart, Literal(500)))


def _unknown_predicate(ds: Dataset) -> None:
    g = _olympics(ds)
    g.set((EV_US_BOYCOTTS, RDF.predicate, KG.partOf))
    g.add((USA, KG.partOf, ENT["event/Beijing_2022_Winter_Olympics"]))


def _evidence_without_triple(ds: Dataset) -> None:
    _olympics(ds).remove((USA, KG.boycotts, None))


def _lowercase_iso(ds: Dataset) -> None:
    _letter(ds).set((CHN, KG.iso3166Alpha3, Literal("chn")))


def _two_pref_labels(ds: Dataset) -> None:
    _letter(ds).add((CHN, SKOS.prefLabel, Literal("People's Republic of China")))


def _statement_without_text(ds: Dataset) -> None:
    _olympics(ds).remove((LEUNG_STATEMENT, KG.text, None))


def _document_with_two_ids(ds: Dataset) -> None:
    _olympics(ds).add((DOC[OLYMPICS_DOC], DCTERMS.identifier, Literal("another")))


def _document_date_as_string(ds: Dataset) -> None:
    _olympics(ds).set((DOC[OLYMPICS_DOC], DCTERMS.date, Literal("3 February 2022")))


def _organisation_represents(ds: Dataset) -> None:
    _olympics(ds).add((HKDC, KG.represents, USA))


def _represents_an_event(ds: Dataset) -> None:
    _olympics(ds).add((LEUNG, KG.represents, ENT["event/Beijing_2022_Winter_Olympics"]))


def _letter_from_a_statement(ds: Dataset) -> None:
    _letter(ds).add((LEUNG_STATEMENT, KG.sentLetterTo, OHCHR))


def _said_an_entity(ds: Dataset) -> None:
    _olympics(ds).add((LEUNG, KG.said, HKDC))


def _evidence_without_document(ds: Dataset) -> None:
    _olympics(ds).remove((EV_LEUNG_SAID, KG.document, None))


VIOLATIONS: dict[str, tuple[Mutation, URIRef, URIRef | None]] = {
    "evidence without sentence": (_drop_sentence, EV_US_BOYCOTTS, KG.sentence),
    "boycotts a person": (_boycott_a_person, USA, KG.boycotts),
    "confidence above 1": (_confidence_above_one, EV_US_BOYCOTTS, KG.confidence),
    "confidence as xsd:double": (_confidence_as_double, EV_US_BOYCOTTS, KG.confidence),
    "sentence start after end": (_offsets_reversed, EV_US_BOYCOTTS, KG.sentenceStart),
    "predicate not a relation": (_unknown_predicate, EV_US_BOYCOTTS, RDF.predicate),
    "evidence without its triple": (_evidence_without_triple, EV_US_BOYCOTTS, None),
    "lower-case ISO code": (_lowercase_iso, CHN, KG.iso3166Alpha3),
    "two preferred labels": (_two_pref_labels, CHN, SKOS.prefLabel),
    "statement without text": (_statement_without_text, LEUNG_STATEMENT, KG.text),
    "document with two ids": (_document_with_two_ids, DOC[OLYMPICS_DOC], DCTERMS.identifier),
    "date not an xsd:date": (_document_date_as_string, DOC[OLYMPICS_DOC], DCTERMS.date),
    "organisation represents": (_organisation_represents, HKDC, None),
    "represents an event": (_represents_an_event, LEUNG, KG.represents),
    "letter from a statement": (_letter_from_a_statement, LEUNG_STATEMENT, None),
    "said an organisation": (_said_an_entity, LEUNG, KG.said),
    "evidence without document": (_evidence_without_document, EV_LEUNG_SAID, KG.document),
}


def _results(report: Graph) -> set[tuple[Node | None, Node | None]]:
    return {
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_shapes_reject_a_broken_dataset(case: str) -> None:
    mutate, focus, path = VIOLATIONS[case]
    ds = build_dataset()
    mutate(ds)
    conforms, report, text = shacl_report(ds)
    assert not conforms
    assert (focus, path) in _results(report), text


def test_shapes_reject_several_faults_at_once() -> None:
    ds = build_dataset()
    _drop_sentence(ds)
    _boycott_a_person(ds)
    conforms, report, text = shacl_report(ds)
    assert not conforms
    assert {(EV_US_BOYCOTTS, KG.sentence), (USA, KG.boycotts)} <= _results(report), text
    assert BACHELET not in {focus for focus, _ in _results(report)}


def test_vocab_every_rule_uses_terms_of_the_ontology() -> None:
    """Each relation and class named by a rule in ontology/patterns/relations.json exists."""
    from kg.extraction.gazetteer import load_gazetteer
    from kg.extraction.relations import load_rules

    rules, _ = load_rules(load_gazetteer())
    ontology = Graph().parse(ONTOLOGY, format="turtle")
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    assert rules
    for rule in rules:
        assert rule.relation in RELATIONS, rule.id
        assert (KG[rule.relation], RDF.type, OWL.ObjectProperty) in ontology, rule.id
        for kind in (*rule.domain, *rule.range, *([rule.adhoc] if rule.adhoc else [])):
            assert KG[kind] in classes, f"{rule.id}: class {kind} not in ontology/kg.ttl"
