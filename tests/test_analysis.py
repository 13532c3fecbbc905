"""kg.analysis on the hand-written dataset of rdf_fixture: every expected value below is
worked out from that file (two documents, ten evidence nodes), not read from the program."""

import networkx as nx
import pyoxigraph as ox
import pytest
from rdf_fixture import (
    BACHELET,
    BEIJING,
    CHARGES_CLAIM,
    EV_US_BOYCOTTS,
    GBR,
    HKDC,
    LETTER_DOC,
    LEUNG,
    LEUNG_STATEMENT,
    OHCHR,
    OLYMPICS,
    OLYMPICS_DOC,
    OLYMPICS_TITLE,
    USA,
    WUC,
)
from rdf_fixture import CHN as CHN_REF
from viz_fixture import HOSTILE_IRI, HOSTILE_NAME, WARNINGS, memory_store

from kg import analysis
from kg.errors import KgError

pytestmark = pytest.mark.filterwarnings(*WARNINGS)

CHN, USA_, GBR_, OLY = str(CHN_REF), str(USA), str(GBR), str(OLYMPICS)


@pytest.fixture(scope="module")
def store():
    return memory_store()


@pytest.fixture(scope="module")
def graph(store) -> nx.MultiDiGraph:
    return analysis.relation_graph(store)


def test_analysis_relation_graph_has_one_edge_per_evidence(graph) -> None:
    # 12 nodes: 10 entities, Leung's statement and China's denied claim
    assert graph.number_of_nodes() == 12
    assert graph.number_of_edges() == 10
    assert {graph.nodes[n]["kind"] for n in graph} == {
        "Country",
        "Event",
        "City",
        "Person",
        "Organisation",
        "Statement",
        "Claim",
        "UNOffice",
    }
    assert graph.nodes[str(CHARGES_CLAIM)]["kind"] == "Claim"


def test_analysis_relation_graph_node_attributes(graph) -> None:
    china = graph.nodes[CHN]
    # China is called "Chinese" in one document and "Beijing" in the other
    assert china == {"label": "China", "kind": "Country", "aliases": ["Beijing", "Chinese"]}
    assert graph.nodes[str(BACHELET)]["aliases"] == ["Madame High Commissioner"]
    statement = graph.nodes[str(LEUNG_STATEMENT)]
    assert statement["label"] == statement["text"] == "Athletes should not be used as props"


def test_analysis_relation_graph_edge_attributes(graph) -> None:
    edge = graph.edges[USA_, OLY, str(EV_US_BOYCOTTS)]
    assert edge["relation"] == "boycotts"
    assert edge["label"] == "boycotts"
    assert edge["kind"] == "conflict"  # CAMEO 163, quad class "material conflict"
    assert edge["document"] == OLYMPICS_DOC
    assert edge["title"] == OLYMPICS_TITLE
    assert edge["date"] == "2022-02-03"
    assert edge["sentence"].startswith("The US has led the diplomatic boycott")
    assert edge["pattern"] == "boycotts.lead-boycott"
    assert edge["confidence"] == pytest.approx(0.9)


def test_analysis_edge_kind_comes_from_the_ontology(graph) -> None:
    kinds = {data["relation"]: data["kind"] for _, _, data in graph.edges(data=True)}
    assert kinds == {
        "boycotts": "conflict",
        "accuses": "conflict",
        "hosts": "cooperation",
        "said": "cooperation",
        "sentLetterTo": "cooperation",
        "urges": "cooperation",
        "denies": "cooperation",
        "represents": "neutral",
    }  # represents has no CAMEO code
    labels = {data["relation"]: data["label"] for _, _, data in graph.edges(data=True)}
    assert labels["sentLetterTo"] == "sent letter to"


def test_analysis_relation_graph_filters_by_relation_and_document(store) -> None:
    boycotts = analysis.relation_graph(store, relations=["boycotts"])
    assert sorted(boycotts.edges()) == sorted([(USA_, OLY), (GBR_, OLY)])
    letter = analysis.relation_graph(store, docs=[LETTER_DOC])
    assert letter.number_of_edges() == 5
    both = analysis.relation_graph(
        store, relations=["kg:represents", "urges"], docs=[LETTER_DOC, OLYMPICS_DOC]
    )
    assert sorted(d["relation"] for *_, d in both.edges(data=True)) == [
        "represents",
        "represents",
        "urges",
    ]


def test_analysis_unknown_relation_or_document_is_a_user_error(store) -> None:
    with pytest.raises(KgError) as err:
        analysis.relation_graph(store, relations=["boycot"])
    assert (err.value.code, err.value.fields["name"]) == ("E080", "boycot")
    assert "boycotts" in err.value.fields["known"].split(", ")
    with pytest.raises(KgError) as err:
        analysis.relation_graph(store, docs=[LETTER_DOC[:-2]])
    assert (err.value.code, err.value.fields["doc_id"]) == ("E081", LETTER_DOC[:-2])
    assert LETTER_DOC in err.value.fields["hint"]  # suggested


def test_analysis_parallel_evidence_gives_parallel_edges() -> None:
    graph = analysis.relation_graph(memory_store(hostile=True), docs=["hostile_01"])
    assert graph.number_of_edges(HOSTILE_IRI, CHN) == 2
    assert graph.nodes[HOSTILE_IRI]["label"] == HOSTILE_NAME


def test_analysis_ego(graph) -> None:
    around = analysis.ego(graph, CHN, 1)
    assert set(around) == {CHN, str(OHCHR), str(BACHELET), str(WUC), str(CHARGES_CLAIM)}
    assert around.number_of_edges() == 5  # includes Bachelet represents OHCHR
    assert set(analysis.ego(graph, str(LEUNG), 2)) == {str(LEUNG), str(HKDC), str(LEUNG_STATEMENT)}
    assert analysis.ego(graph, "https://example.org/none", 2).number_of_nodes() == 0


def test_analysis_shortest_paths_follow_edges_either_way(graph) -> None:
    chains = analysis.shortest_paths(graph, USA_, GBR_)
    assert len(chains) == 1  # the only chain: both boycott the Olympics
    assert [(e["subject"], e["relation"], e["object"]) for e in chains[0]] == [
        (USA_, "boycotts", OLY),
        (GBR_, "boycotts", OLY),
    ]
    assert chains[0][0]["document"] == OLYMPICS_DOC
    assert chains[0][0]["sentence"].startswith("The US has led")


def test_analysis_shortest_paths_shortest_first_and_limited(graph) -> None:
    chains = analysis.shortest_paths(graph, str(WUC), str(OHCHR))
    assert [[e["relation"] for e in c] for c in chains] == [
        ["accuses", "sentLetterTo"],
        ["accuses", "urges", "represents"],
    ]
    assert len(analysis.shortest_paths(graph, str(WUC), str(OHCHR), limit=1)) == 1
    assert analysis.shortest_paths(graph, USA_, CHN) == []  # different components


def test_analysis_centrality(graph) -> None:
    top = analysis.centrality(graph, top=3)
    # degree 3 each; the Olympics lie between 3 pairs of 36, China between 2 (WUC to the
    # office and to Bachelet); statements are not actors and do not count
    assert [(c.label, c.degree) for c in top[:2]] == [
        ("Beijing 2022 Winter Olympics", 3),
        ("China", 3),
    ]
    assert top[0].betweenness == pytest.approx(3 / 36, abs=1e-4)
    assert top[1].betweenness == pytest.approx(2 / 36, abs=1e-4)
    assert top[1].relations == 3
    assert len(analysis.centrality(graph, top=None)) == 10


def test_analysis_groups(graph) -> None:
    groups = analysis.groups(graph)
    assert [set(g) for g in groups] == [
        {USA_, GBR_, OLY, str(BEIJING)},
        {CHN, str(OHCHR), str(BACHELET), str(WUC)},
        {str(LEUNG), str(HKDC)},
    ]
    assert groups[0][0] == OLY and groups[1][0] == CHN  # most connected first


def test_analysis_graph_from_construct_keeps_evidence(store) -> None:
    triples = store.query(
        "CONSTRUCT { ?s kg:boycotts ?o . ?s skos:prefLabel ?l } "
        "WHERE { ?s kg:boycotts ?o ; skos:prefLabel ?l }"
    )
    graph = analysis.graph_from_triples(store, triples)
    assert set(graph) == {USA_, GBR_, OLY}  # literal objects are not drawn
    assert graph.number_of_edges() == 2
    assert {d["pattern"] for *_, d in graph.edges(data=True)} == {
        "boycotts.lead-boycott",
        "boycotts.follow-suit",
    }
    assert graph.nodes[OLY]["label"] == "Beijing 2022 Winter Olympics"


def test_analysis_graph_from_triples_without_evidence(store) -> None:
    mentions = ox.NamedNode("https://w3id.org/kg-news/ontology#mentions")
    doc = ox.NamedNode(f"https://w3id.org/kg-news/doc/{LETTER_DOC}")
    graph = analysis.graph_from_triples(store, [(doc, mentions, ox.NamedNode(CHN))])
    ((_, _, data),) = graph.edges(data=True)
    assert data["relation"] == "mentions" and data["label"] == "mentions"
    assert data["sentence"] == "" and data["kind"] == "neutral"


def test_analysis_select_subsets_and_errors(store) -> None:
    graph, title = analysis.select(store, around="Michelle Bachelet", depth=1)
    assert set(graph) == {str(BACHELET), str(OHCHR), CHN}
    assert "around Michelle Bachelet" in title
    graph, _ = analysis.select(
        store,
        query="SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(?p = kg:boycotts) }",
        relations=["boycotts"],
    )
    assert graph.number_of_edges() == 2
    with pytest.raises(KgError) as err:
        analysis.select(store, query="SELECT ?x WHERE { ?x a kg:Country }")
    assert (err.value.code, err.value.fields) == ("E085", {"reason": "it selects ?x"})
    with pytest.raises(KgError) as err:
        analysis.select(store, around="Brian Leung", relations=["boycotts"])
    assert (err.value.code, err.value.fields) == (
        "E086",
        {"reason": "Brian Leung has no relations in this selection"},
    )


def test_analysis_resolve_entity(store) -> None:
    assert analysis.resolve_entity(store, "bachelet").iri == str(BACHELET)
    assert analysis.resolve_entity(store, "person:Michelle_Bachelet").iri == str(BACHELET)
    with pytest.raises(KgError) as err:
        analysis.resolve_entity(store, "Nobody Atall")
    assert (err.value.code, err.value.fields) == ("E073", {"text": "Nobody Atall"})  # as \\describe
    with pytest.raises(KgError) as err:
        analysis.resolve_entity(store, "United")  # United States, United Kingdom
    assert (err.value.code, err.value.fields["text"], err.value.fields["count"]) == (
        "E084",
        "United",
        2,
    )
    assert "country:USA" in err.value.fields["listed"] and "country:GBR" in str(err.value)


def test_analysis_describe_paths(graph) -> None:
    text = analysis.describe_paths(analysis.shortest_paths(graph, USA_, GBR_))
    assert text.splitlines()[0] == "chain 1 (2 steps):"
    assert "  United States --boycotts--> Beijing 2022 Winter Olympics" in text
    assert f"{OLYMPICS_DOC} (2022-02-03) {OLYMPICS_TITLE}" in text
