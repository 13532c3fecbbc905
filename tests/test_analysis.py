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
    assert edge["kind"] == "material conflict"  # CAMEO 163
    assert edge["cameo"] == "163"
    assert edge["url"] == "https://example.org/olympics"
    assert edge["document"] == OLYMPICS_DOC
    assert edge["title"] == OLYMPICS_TITLE
    assert edge["date"] == "2022-02-03"
    assert edge["sentence"].startswith("The US has led the diplomatic boycott")
    assert edge["pattern"] == "boycotts.lead-boycott"
    assert edge["confidence"] == pytest.approx(0.9)


def test_analysis_edge_kind_comes_from_the_ontology(graph) -> None:
    kinds = {data["relation"]: data["kind"] for _, _, data in graph.edges(data=True)}
    assert kinds == {
        "boycotts": "material conflict",  # 163
        "accuses": "verbal conflict",  # 112
        "hosts": "verbal cooperation",  # 043
        "said": "statement",  # 010: CAMEO's quad class says "verbal cooperation"
        "sentLetterTo": "statement",  # 010
        "urges": "verbal cooperation",  # 020
        "denies": "denial",  # 016: "China denies the charges" is no cooperation
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


def test_analysis_resolve_entity_exact_name_or_alias_wins(store) -> None:
    # "Beijing": a city's name and one of China's aliases; the name wins
    assert analysis.resolve_entity(store, "Beijing").iri == str(BEIJING)
    # an alias wins over the names that only contain it
    assert analysis.resolve_entity(store, "the winter olympics").iri == OLY
    # the gazetteer's country names count as aliases of the countries in the store
    for text in ("US", "U.S", "America"):
        assert analysis.resolve_entity(store, text).iri == USA_, text


def test_analysis_resolve_entity_lists_candidates_ranked(store, monkeypatch) -> None:
    with pytest.raises(KgError) as err:
        analysis.resolve_entity(store, "High")  # a word of an alias, and of a name
    assert err.value.fields["listed"] == (
        "Michelle Bachelet (Person, person:Michelle_Bachelet); Office of the High Commissioner "
        "for Human Rights (UNOffice, unoffice:Office_of_the_High_Commissioner_for_Human_Rights)"
    )
    monkeypatch.setattr(analysis, "MAX_CANDIDATES", 2)
    with pytest.raises(KgError) as err:
        analysis.resolve_entity(store, "u")  # six entities have a "u" in a name
    assert err.value.fields["count"] == 6
    assert err.value.fields["listed"].startswith("United States (Country, country:USA); ")
    assert err.value.fields["listed"].count(";") == 1 and " and 4 more" in str(err.value)


@pytest.mark.parametrize("text", ["<>", "<a b>", "<http://x y>"])
def test_analysis_resolve_entity_iri_like_text_is_no_match(store, text: str) -> None:
    with pytest.raises(KgError) as err:
        analysis.resolve_entity(store, text)
    assert (err.value.code, err.value.fields) == ("E073", {"text": text})


def test_analysis_describe_paths(graph) -> None:
    text = analysis.describe_paths(analysis.shortest_paths(graph, USA_, GBR_))
    lines = text.splitlines()
    assert lines[0] == "United States and United Kingdom: 1 chain (1 of 2 steps), shortest first"
    assert lines[2] == (
        "1. United States --boycotts--> Beijing 2022 Winter Olympics <--boycotts-- United Kingdom"
    )
    assert "   United States --boycotts--> Beijing 2022 Winter Olympics" in lines
    assert f"     {OLYMPICS_DOC} (2022-02-03) {OLYMPICS_TITLE}" in lines
    assert all(len(line) <= 100 for line in lines)  # wrapped, and no word cut
    words = " ".join(line.strip() for line in lines).split()
    assert "diplomatic" in words and not any(w.endswith("…") for w in words)


def test_analysis_describe_paths_wraps_between_steps_never_inside_a_name(graph) -> None:
    chains = analysis.shortest_paths(graph, str(WUC), str(OHCHR))
    text = analysis.describe_paths(chains, width=40)
    lines = text.splitlines()
    assert lines[0].startswith("World Uyghur Congress and Office of the High Commissioner")
    route = lines[2:4]
    assert route[0] == "1. World Uyghur Congress"  # the next step would pass 40 characters
    assert route[1].startswith("     --accuses--> China")
    labels = [graph.nodes[n]["label"] for n in graph]
    for line in lines[2 : lines.index("   World Uyghur Congress --accuses--> China")]:
        for label in labels:  # a label is on one line or not at all: never cut in two
            head = label.split()[0]
            if line.rstrip().endswith(" " + head) and len(label.split()) > 1:
                assert line.rstrip().endswith(label), (line, label)


def test_analysis_shortest_paths_are_distinct_routes() -> None:
    import networkx as nx

    graph = nx.MultiDiGraph()
    routes = [["a", "p", "q", m, "b"] for m in ("m1", "m2", "m3", "m4")] + [
        ["a", "r", "s", "t", "b"]
    ]
    for route in routes:
        for u, v in zip(route, route[1:], strict=False):
            graph.add_edge(u, v, relation="r", label="r", confidence=1.0)
    for n in graph:
        graph.nodes[n]["label"] = n
    chains = analysis.shortest_paths(graph, "a", "b", limit=5)
    stops = [[e["object"] for e in chain][:-1] for chain in chains]
    # a -p-q-m2- b is a -p-q-m1- b with one stop swapped: left out, as m3 and m4
    assert stops == [["p", "q", "m1"], ["r", "s", "t"]]


def test_analysis_path_report(store) -> None:
    text = analysis.path_report(store, "US", "the UK")
    assert text.splitlines()[0].startswith("United States and United Kingdom: 1 chain")
    assert analysis.path_report(store, "US", "China") == (
        "no chain of relations links United States and China"
    )
    with pytest.raises(KgError) as err:
        analysis.path_report(store, "China", "Chinese")  # one entity, two of its names
    assert err.value.code == "E074"
    assert "'China' and 'Chinese' are both China (country:CHN)" in str(err.value)
