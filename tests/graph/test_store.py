"""The store: atomic generations on disk, one writer, SPARQL over the union, every export format.

The store is filled by hand through `write()` and `replace_graph()` with rdflib terms, so these
tests pin the store alone, not the extractor.
"""

import io
import os
import shutil
import subprocess
import sys
import textwrap
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, SKOS, BNode, Dataset, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS

from kg.errors import KgError
from kg.formats import RDF as RDF_FORMATS
from kg.formats import Kind
from kg.graph.rdf import graph_iri
from kg.graph.store import ONTOLOGY, GraphStore, open_store, write
from kg.graph.terms import to_ox
from kg.graph.vocab import DOC, ENT, EV, GRAPH, KG

# rdflib's TriG/N-Quads parsers still call its deprecated Dataset API
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.(contexts|default_context) is deprecated:DeprecationWarning",
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
)

Quad = tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal, URIRef]

CAN = ENT["country/CAN"]
AUS = ENT["country/AUS"]
OLYMPICS = ENT["event/2030_Winter_Olympics"]
ROE = ENT["person/Jane_Roe"]
AMNESTY = ENT["organisation/Amnesty_International"]
OBRIEN = ENT["person/Pat_O'Brien"]
FOAF_NAME = URIRef("http://xmlns.com/foaf/0.1/name")

RDFLIB_FORMAT = {
    ox.RdfFormat.TURTLE: "turtle",
    ox.RdfFormat.TRIG: "trig",
    ox.RdfFormat.N_QUADS: "nquads",
    ox.RdfFormat.N_TRIPLES: "nt",
    ox.RdfFormat.JSON_LD: "json-ld",
    ox.RdfFormat.RDF_XML: "xml",
}


def _boycott_quads() -> list[Quad]:
    g = graph_iri("olympics_boycott")
    d = DOC["olympics_boycott"]
    ev = EV["olympics_boycott/0a1b2c3d4e5f"]
    quote = BNode()
    return [
        (d, RDF.type, KG.Document, g),
        (d, DCTERMS.identifier, Literal("olympics_boycott"), g),
        (d, DCTERMS.title, Literal("Canada to boycott the 2030 Winter Olympics"), g),
        (d, DCTERMS.date, Literal("2024-03-02", datatype=ns.XSD.date), g),
        (d, KG.contentHash, Literal("aa" * 32), g),
        (d, KG.charCount, Literal(152), g),
        (CAN, RDF.type, KG.Country, g),
        (CAN, SKOS.prefLabel, Literal("Canada"), g),
        (CAN, SKOS.altLabel, Literal("Canadá", lang="es"), g),
        (CAN, KG.boycotts, OLYMPICS, g),
        (AUS, KG.boycotts, OLYMPICS, g),
        (OLYMPICS, RDF.type, KG.Event, g),
        (ev, RDF.type, KG.Evidence, g),
        (ev, RDF.subject, CAN, g),
        (ev, RDF.predicate, KG.boycotts, g),
        (ev, RDF.object, OLYMPICS, g),
        (ev, KG.sentence, Literal('Canada said: "We will not go."\nAustralia agreed.'), g),
        (ev, KG.sentenceStart, Literal(44), g),
        (ev, KG.confidence, Literal(Decimal("0.85")), g),
        (ev, KG.attributedTo, quote, g),
        (quote, RDFS.label, Literal("an unnamed official"), g),
    ]


def _amnesty_quads() -> list[Quad]:
    g = graph_iri("amnesty_statement")
    d = DOC["amnesty_statement"]
    return [
        (d, RDF.type, KG.Document, g),
        (d, DCTERMS.identifier, Literal("amnesty_statement"), g),
        (d, KG.contentHash, Literal("bb" * 32), g),
        (ROE, RDF.type, KG.Person, g),
        (ROE, KG.represents, AMNESTY, g),
        (AMNESTY, KG.boycotts, OLYMPICS, g),
        (OLYMPICS, RDF.type, KG.Event, g),  # also in the other graph: one triple in the union
        (OBRIEN, FOAF_NAME, Literal("O'Brien"), g),
        (ENT["person/Pat_OBrien"], FOAF_NAME, Literal("OBrien"), g),
    ]


def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def _fill(path: Path) -> None:
    with write(path) as st:
        st.replace_graph(graph_iri("olympics_boycott"), _boycott_quads())
        st.replace_graph(graph_iri("amnesty_statement"), _amnesty_quads())


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "kg-store"
    _fill(path)
    return path


@pytest.fixture(scope="module")
def store(store_path: Path) -> GraphStore:
    return open_store(store_path)


def _term(term: object) -> object:
    """pyoxigraph term -> rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(ns.XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(term)


def _graphs_in_store(store: GraphStore) -> dict[URIRef, Graph]:
    """The store content read directly, one rdflib Graph per named graph."""
    graphs: dict[URIRef, Graph] = defaultdict(Graph)
    for q in store.ox.quads_for_pattern(None, None, None, None):
        if isinstance(q.graph_name, ox.DefaultGraph):  # each distinct triple once: see below
            continue
        graphs[_term(q.graph_name)].add((_term(q.subject), _term(q.predicate), _term(q.object)))
    return dict(graphs)


def _graphs_of(quads: list[Quad]) -> dict[URIRef, Graph]:
    graphs: dict[URIRef, Graph] = defaultdict(Graph)
    for s, p, o, g in quads:
        graphs[g].add((s, p, o))
    return dict(graphs)


def _union(graphs: dict[URIRef, Graph]) -> Graph:
    union = Graph()
    for graph in graphs.values():
        for triple in graph:
            union.add(triple)
    return union


def _assert_isomorphic(expected: Graph, actual: Graph, what: str) -> None:
    if isomorphic(expected, actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lost = sorted(only_expected.serialize(format="nt").splitlines())[:20]
    extra = sorted(only_actual.serialize(format="nt").splitlines())[:20]
    pytest.fail(
        f"{what} differs\nmissing:\n" + "\n".join(lost) + "\nunexpected:\n" + "\n".join(extra)
    )


# -- write and read back -----------------------------------------------------------------


def test_store_reads_back_what_was_written(store: GraphStore) -> None:
    ontology = _ontology()
    assert len(ontology) > 100
    distinct = len(_boycott_quads()) + len(_amnesty_quads())
    assert len(store) == distinct + len(ontology)
    graphs = _graphs_in_store(store)
    assert set(graphs) == {
        graph_iri("olympics_boycott"),
        graph_iri("amnesty_statement"),
        GRAPH["ontology"],
    }
    for name, expected in _graphs_of(_boycott_quads() + _amnesty_quads()).items():
        _assert_isomorphic(expected, graphs[name], str(name))
    _assert_isomorphic(ontology, graphs[GRAPH["ontology"]], "graph:ontology")


def test_store_graph_iri_is_the_documented_one() -> None:
    assert str(graph_iri("olympics_boycott")) == "https://w3id.org/kg-news/graph/olympics_boycott"


def test_store_layout_is_one_generation_behind_current(store_path: Path) -> None:
    current = store_path / "current"
    assert current.is_symlink()
    gens = sorted(p.name for p in store_path.glob("gen-*"))
    assert gens == [current.resolve().name]
    assert not list(store_path.glob(".current-*"))


def test_store_document_hashes(store: GraphStore) -> None:
    assert store.document_hashes() == {
        "olympics_boycott": "aa" * 32,
        "amnesty_statement": "bb" * 32,
    }


def _write(path: Path, graphs: dict[str, list[Quad]], fresh: bool = False) -> None:
    """One write in its own frame, so the yielded view is gone when the block ends."""
    with write(path, fresh=fresh) as st:
        for doc_id, quads in graphs.items():
            st.replace_graph(graph_iri(doc_id), quads)


def _remove(path: Path, *doc_ids: str) -> list[bool]:
    with write(path) as st:
        return [st.remove_graph(graph_iri(doc_id)) for doc_id in doc_ids]


def test_store_replace_graph_replaces_only_that_graph(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    g = graph_iri("amnesty_statement")
    _write(path, {"amnesty_statement": [(ROE, KG.represents, ENT["organisation/Oxfam"], g)]})
    graphs = _graphs_in_store(open_store(path))
    assert set(graphs[g]) == {(ROE, KG.represents, ENT["organisation/Oxfam"])}
    assert len(graphs[graph_iri("olympics_boycott")]) == len(_boycott_quads())


def test_store_remove_graph(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    assert _remove(path, "amnesty_statement", "never_built") == [True, False]
    assert set(_graphs_in_store(open_store(path))) == {
        graph_iri("olympics_boycott"),
        GRAPH["ontology"],
    }


def test_store_fresh_write_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {"amnesty_statement": _amnesty_quads()}, fresh=True)
    assert set(_graphs_in_store(open_store(path))) == {
        graph_iri("amnesty_statement"),
        GRAPH["ontology"],
    }


# -- failures ----------------------------------------------------------------------------


def _crash(path: Path) -> None:
    with write(path) as st:
        st.remove_graph(graph_iri("olympics_boycott"))
        g = graph_iri("half_done")
        st.replace_graph(g, [(CAN, KG.boycotts, OLYMPICS, g)])
        raise RuntimeError("extractor crashed")


def test_store_failed_write_keeps_previous_generation(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    before = _graphs_in_store(open_store(path))
    first_gen = (path / "current").resolve()

    with pytest.raises(RuntimeError, match="extractor crashed"):
        _crash(path)

    assert (path / "current").resolve() == first_gen
    after = _graphs_in_store(open_store(path))
    assert set(after) == set(before)
    for name in before:
        _assert_isomorphic(before[name], after[name], str(name))

    # a crash that left a generation and a half-made link behind: the next write sweeps them
    (path / "gen-000077").mkdir()
    (path / ".current-77").symlink_to("gen-000077")
    g = graph_iri("summit_talks")
    _write(
        path,
        {
            "summit_talks": [
                (ENT["person/Emmanuel_Macron"], KG.metWith, ENT["person/Olaf_Scholz"], g)
            ]
        },
    )
    current = (path / "current").resolve()
    assert current != first_gen
    assert sorted(p.name for p in path.glob("gen-*")) == [current.name]
    assert not list(path.glob(".current-*"))
    assert set(_graphs_in_store(open_store(path))) == set(before) | {g}


def test_store_write_after_a_kept_failure(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    try:
        _crash(path)
    except RuntimeError as exc:
        kept = exc  # as sys.last_value keeps it in an interactive session
    _write(path, {"summit_talks": []})
    assert kept.args == ("extractor crashed",)


def test_store_write_block_closes_the_generation(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    with write(path) as st:
        st.replace_graph(graph_iri("amnesty_statement"), _amnesty_quads())
    # only possible once no Store in this process holds the generation's RocksDB lock; a
    # writer left open keeps compacting and readers then miss .sst files ("Corruption")
    reopened = ox.Store(str((path / "current").resolve()))
    # each quad, and its triple once more in the default graph
    assert len(reopened) == 2 * (len(_amnesty_quads()) + len(_ontology()))


def _second_writer(path: Path) -> tuple[str, str]:
    with write(path) as st:
        with pytest.raises(KgError) as info:
            with write(path):
                pass
        st.replace_graph(graph_iri("amnesty_statement"), _amnesty_quads())
        return info.value.code, str(info.value)


def test_store_second_writer_in_same_process_is_e031(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    code, message = _second_writer(path)
    assert code == "E031"
    assert message.startswith(f"error E031: {path}: ")
    # the first writer was not disturbed
    assert graph_iri("amnesty_statement") in _graphs_in_store(open_store(path))


def test_store_second_writer_process_is_e031(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    holder = textwrap.dedent(f"""
        import sys
        from kg.graph.store import write
        with write({str(path)!r}):
            print("holding", flush=True)
            sys.stdin.readline()
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "holding\n"
        with pytest.raises(KgError) as info:
            with write(path):
                pass
        assert info.value.code == "E031"
    finally:
        proc.communicate("go\n", timeout=30)
    assert proc.returncode == 0
    _write(path, {})  # released once the other process is done
    assert (path / "current").is_symlink()


def test_store_open_without_store_is_e030(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "not-created"):
        with pytest.raises(KgError) as info:
            open_store(path)
        assert (info.value.code, info.value.path, info.value.fields) == ("E030", str(path), {})
        assert str(info.value).startswith(f"error E030: {path}: ")


def test_store_open_current_that_is_no_database_is_e033(tmp_path: Path) -> None:
    (tmp_path / "gen-000001").mkdir()
    (tmp_path / "current").symlink_to("gen-000001")
    with pytest.raises(KgError) as info:
        open_store(tmp_path)
    assert info.value.code == "E033" and info.value.fields["reason"]


def test_store_open_corrupt_database_is_e033(tmp_path: Path) -> None:
    (tmp_path / "gen-000001").mkdir()
    (tmp_path / "gen-000001" / "CURRENT").write_text("junk\n")
    (tmp_path / "current").symlink_to("gen-000001")
    with pytest.raises(KgError) as info:
        open_store(tmp_path)
    assert info.value.code == "E033"


# -- queries ---------------------------------------------------------------------------


def _values(answer: object, name: str) -> set[str]:
    return {row[name].value for row in answer}  # type: ignore[attr-defined]


def test_store_query_sees_the_union_of_graphs_with_prefixes(store: GraphStore) -> None:
    # no PREFIX line: kg: comes from PREFIXES; no GRAPH clause: the union default graph
    answer = store.query("SELECT ?s WHERE { ?s kg:boycotts ?e }")
    assert _values(answer, "s") == {str(CAN), str(AUS), str(AMNESTY)}
    # a join whose two triples sit in different named graphs only works over the union
    joined = store.query(
        "SELECT ?p WHERE { ?p kg:represents ?o . ?o kg:boycotts ?e . "
        '?c kg:boycotts ?e ; skos:prefLabel "Canada" }'
    )
    assert _values(joined, "p") == {str(ROE)}
    graphs = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s kg:boycotts ?e } }")
    assert _values(graphs, "g") == {
        str(graph_iri("olympics_boycott")),
        str(graph_iri("amnesty_statement")),
    }


def test_store_query_ontology_is_in_its_graph(store: GraphStore) -> None:
    answer = store.query("ASK { GRAPH graph:ontology { kg:boycotts a owl:ObjectProperty } }")
    assert bool(answer) is True
    answer = store.query("ASK { GRAPH graph:ontology { ?s kg:boycotts ?o } }")
    assert bool(answer) is False


def test_store_query_syntax_error_is_e040(store: GraphStore) -> None:
    with pytest.raises(KgError) as info:
        store.query("SELEC ?s WHERE { ?s ?p ?o }")
    assert info.value.code == "E040"
    assert str(info.value).startswith("error E040: SPARQL syntax error: ")


def test_store_query_substitution_binds_a_quote_safely(store: GraphStore) -> None:
    query = "SELECT ?p ?name WHERE { ?p foaf:name ?name }"
    answer = store.query(query, {"name": ox.Literal("O'Brien")})
    assert _values(answer, "p") == {str(OBRIEN)}
    assert len(list(store.query(query))) == 2


def test_store_query_substitution_takes_rdflib_terms(store: GraphStore) -> None:
    answer = store.query(
        "SELECT ?p ?name WHERE { ?p foaf:name ?name }", {"name": Literal("O'Brien")}
    )
    assert _values(answer, "p") == {str(OBRIEN)}


# -- export ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", RDF_FORMATS.choices)  # every name and alias
def test_store_export_round_trips(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"export{RDF_FORMATS.get(fmt).suffix}"
    store.export(fmt, out)
    rdf_format = RDF_FORMATS.get(fmt).load()
    expected = _graphs_in_store(store)
    if RDF_FORMATS.get(fmt).kind is Kind.QUADS:
        dataset = Dataset()
        dataset.parse(out, format=RDFLIB_FORMAT[rdf_format])
        parsed = {g.identifier: g for g in dataset.graphs() if len(g)}
        assert set(parsed) == set(expected)
        for name, graph in expected.items():
            _assert_isomorphic(graph, parsed[name], f"{fmt} graph {name}")
    else:
        parsed_graph = Graph().parse(out, format=RDFLIB_FORMAT[rdf_format])
        _assert_isomorphic(_union(expected), parsed_graph, f"{fmt} export")


def test_store_export_triple_formats_write_each_triple_once(store: GraphStore) -> None:
    out = io.BytesIO()
    store.export("ntriples", out)
    lines = [line for line in out.getvalue().decode("utf-8").splitlines() if line.strip()]
    # kg:Event typing of the Olympics is in two document graphs but one triple of the union
    assert len(lines) == len(set(lines)) == len(store) - 1


def test_store_export_unknown_format_is_e041(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(KgError) as info:
        store.export("csv", tmp_path / "x.csv")
    assert (info.value.code, info.value.fields) == (
        "E041",
        {"kind": "RDF", "name": "csv", "known": "turtle, trig, nquads, ntriples, json-ld, xml"},
    )


# -- counts that mean what they say: the deduplicated default graph ----------------------

SAME_EDGE = "canada_again"  # a third document stating what olympics_boycott states


def _same_edge_quads() -> list[Quad]:
    g = graph_iri(SAME_EDGE)
    return [
        (DOC[SAME_EDGE], RDF.type, KG.Document, g),
        (CAN, RDF.type, KG.Country, g),
        (CAN, SKOS.prefLabel, Literal("Canada"), g),
        (CAN, SKOS.altLabel, Literal("Kanada", lang="de"), g),
        (CAN, KG.boycotts, OLYMPICS, g),
        (DOC[SAME_EDGE], KG.mentions, CAN, g),
    ]


def _default_graph(store: GraphStore) -> set[tuple[object, ...]]:
    return {
        (q.subject, q.predicate, q.object)
        for q in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }


def _named_union(store: GraphStore) -> set[tuple[object, ...]]:
    return {
        (q.subject, q.predicate, q.object)
        for q in store.ox.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    }


def _count(store: GraphStore, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)


def test_store_counts_distinct_triples_hand_counted(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    st = open_store(path)
    # by hand: CAN, AUS and AMNESTY boycott the Olympics; CAN's edge is in two documents
    assert _count(st, "SELECT (COUNT(*) AS ?n) WHERE { ?s kg:boycotts ?o }") == 3
    edges = _count(st, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s kg:boycotts ?o } }")
    assert edges == 4  # GRAPH ?g still tells each document that says it
    says = st.query("SELECT ?g WHERE { GRAPH ?g { country:CAN kg:boycotts ?o } }")
    assert _values(says, "g") == {str(graph_iri("olympics_boycott")), str(graph_iri(SAME_EDGE))}
    # rdf:type kg:Event of the Olympics in two graphs, rdf:type kg:Country of CAN in two
    types = [r["t"].value for r in st.query("SELECT ?t WHERE { country:CAN a ?t }")]
    assert types == [str(KG.Country)]
    describe = list(st.query("DESCRIBE country:CAN"))
    assert len(describe) == len({(t.subject, t.predicate, t.object) for t in describe})
    assert _default_graph(st) == _named_union(st)
    assert st.triples == len(_default_graph(st)) < len(st)


def test_store_default_graph_follows_removals_and_replacements(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    boycotts = "SELECT (COUNT(*) AS ?n) WHERE { country:CAN kg:boycotts ?o }"
    _remove(path, "olympics_boycott")  # CAN's edge is still stated by the third document
    st = open_store(path)
    assert _count(st, boycotts) == 1
    assert _default_graph(st) == _named_union(st)
    _write(path, {SAME_EDGE: _same_edge_quads()[:2]})  # replaced: it no longer says it
    st = open_store(path)
    assert _count(st, boycotts) == 0
    assert _default_graph(st) == _named_union(st)
    assert not st.query("ASK { ?s skos:altLabel ?alias FILTER(LANG(?alias) = 'de') }")


def test_store_default_graph_is_the_union_after_any_writes(tmp_path: Path) -> None:
    """Seeded random sequences of replaces and removes over graphs sharing triples."""
    import random

    rng = random.Random(3)
    pool = [(ENT[f"person/P{i}"], KG.metWith, ENT[f"person/P{i % 4}"]) for i in range(12)]
    path = tmp_path / "kg-store"
    for step in range(12):
        with write(path, fresh=step == 0) as st:
            for _ in range(rng.randint(1, 3)):
                doc = f"d{rng.randrange(5)}"
                if rng.random() < 0.3:
                    st.remove_graph(graph_iri(doc))
                else:
                    g = graph_iri(doc)
                    st.replace_graph(g, [(*t, g) for t in rng.sample(pool, rng.randint(1, 6))])
        st = open_store(path)
        assert _default_graph(st) == _named_union(st), f"step {step}"


def test_store_add_nquads_stores_what_add_stores(tmp_path: Path) -> None:
    """The N-Quads way (`kg build`'s) and the rdflib way give the same generation, default
    graph included; a literal that holds what looks like a graph IRI stays whole."""
    g = graph_iri("odd")
    odd = [
        (ROE, FOAF_NAME, Literal('Jane "J." Roe <https://x.org/g> .'), g),
        (ROE, RDFS.label, Literal("back\\slash\nnew line\r\ttab \x00 \u2028 \x85 \x0c"), g),
        (OLYMPICS, RDF.type, KG.Event, g),  # in another graph too: one default-graph triple
    ]
    quads = [q for q in _boycott_quads() if BNode not in map(type, q)] + odd
    nquads = "".join(
        ox.serialize([ox.Quad(*(to_ox(t) for t in q))], format=ox.RdfFormat.N_QUADS).decode()
        for q in quads
    )
    with write(tmp_path / "a", fresh=True) as st:
        st.add(quads)
    with write(tmp_path / "b", fresh=True) as st:
        st.add_nquads(nquads)
    a, b = open_store(tmp_path / "a"), open_store(tmp_path / "b")
    assert sorted(map(str, a.ox)) == sorted(map(str, b.ox))
    assert _default_graph(b) == _named_union(b)
    assert Literal('Jane "J." Roe <https://x.org/g> .') in {_term(q.object) for q in b.ox}


def test_store_too_many_removed_triples_recompute_the_default_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.graph.store as kgstore

    monkeypatch.setattr(kgstore, "MAX_PENDING_TRIPLES", 3)
    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    _remove(path, "olympics_boycott", "amnesty_statement")
    st = open_store(path)
    assert _default_graph(st) == _named_union(st)
    assert _count(st, "SELECT (COUNT(*) AS ?n) WHERE { ?s kg:boycotts ?o }") == 1


def test_store_graph_exports_are_the_default_graph_dataset_exports_the_named_graphs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    st = open_store(path)
    nquads, ntriples = io.BytesIO(), io.BytesIO()
    st.export("nquads", nquads)
    st.export("ntriples", ntriples)
    quads = nquads.getvalue().decode().splitlines()
    assert len(quads) == len(st)  # no default-graph copies in a dataset export
    assert all(line.rstrip(" .").endswith(">") for line in quads)  # each names its graph
    assert len(ntriples.getvalue().decode().splitlines()) == st.triples


# -- updates --------------------------------------------------------------------------


def _update(path: Path, sparql: str) -> object:
    with write(path) as st:
        return st.update(sparql)


def test_store_update_in_a_graph_is_followed_by_the_default_graph(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    report = _update(
        path, "INSERT DATA { GRAPH graph:notes { country:AUS kg:condemns country:CAN } }"
    )
    assert (report.after - report.before, report.removed_everywhere) == (1, 0)  # type: ignore[attr-defined]
    st = open_store(path)
    assert st.query("ASK { country:AUS kg:condemns country:CAN }")
    # deleted in one of the two documents that say it: still said
    _update(
        path,
        f"DELETE DATA {{ GRAPH <{graph_iri(SAME_EDGE)}> "
        "{ country:CAN kg:boycotts event:2030_Winter_Olympics } }",
    )
    st = open_store(path)
    assert st.query("ASK { country:CAN kg:boycotts event:2030_Winter_Olympics }")
    _update(path, "DELETE WHERE { GRAPH ?g { country:CAN kg:boycotts ?o } }")
    st = open_store(path)
    assert not st.query("ASK { country:CAN kg:boycotts ?o }")
    assert _default_graph(st) == _named_union(st)


def test_store_delete_without_graph_deletes_from_every_graph(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    report = _update(path, "DELETE WHERE { ?s kg:boycotts ?o }")
    assert report.removed_everywhere == 3  # type: ignore[attr-defined]
    assert report.before - report.after == 4  # type: ignore[attr-defined]
    st = open_store(path)
    assert not st.query("ASK { GRAPH ?g { ?s kg:boycotts ?o } }")
    assert st.query("ASK { ?e rdf:predicate kg:boycotts }")  # the evidence was not asked for
    assert _default_graph(st) == _named_union(st)


def test_store_insert_without_graph_is_refused_and_nothing_published(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    before = (path / "current").resolve()
    with pytest.raises(KgError) as info:
        _update(
            path, "INSERT DATA { country:AUS kg:condemns country:CAN . country:CAN a kg:Country }"
        )
    # CAN's typing is already stated by a document: only the new edge belongs to none
    assert (info.value.code, info.value.fields) == ("E036", {"count": 1})
    assert "GRAPH graph:notes" in str(info.value)
    assert (path / "current").resolve() == before
    assert sorted(p.name for p in path.glob("gen-*")) == [before.name]
    assert not open_store(path).query("ASK { country:AUS kg:condemns ?x }")


def test_store_update_syntax_error_publishes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    before = (path / "current").resolve()
    with pytest.raises(SyntaxError):
        _update(path, "DELETE WHRE { ?s ?p ?o }")
    assert (path / "current").resolve() == before
    assert sorted(p.name for p in path.iterdir()) == sorted(
        ["current", "lock", "kg-store.txt", before.name]
    )


# -- the name index ----------------------------------------------------------------------


def test_store_names_index_rows(tmp_path: Path) -> None:
    from kg.graph.store import Name

    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    st = open_store(path)
    names = list(st.names())
    assert names == [Name(str(CAN), "Canada", "Country", 1, ("Canadá", "Kanada"))]
    assert (st.generation / "kg-names.tsv").is_file()  # type: ignore[operator]


def test_store_names_survive_tabs_newlines_and_backslashes(tmp_path: Path) -> None:
    from kg.graph.store import Name

    path = tmp_path / "kg-store"
    g = graph_iri("odd")
    odd = ENT["person/Odd"]
    label = 'Odd\tName\\n "quoted"\nnext'
    _write(
        path,
        {
            "odd": [
                (odd, RDF.type, KG.Person, g),
                (odd, SKOS.prefLabel, Literal(label), g),
                (odd, SKOS.altLabel, Literal("\\"), g),
                (odd, SKOS.altLabel, Literal("a\rb"), g),
                (DOC["odd"], KG.mentions, odd, g),
            ]
        },
    )
    assert list(open_store(path).names()) == [Name(str(odd), label, "Person", 1, ("\\", "a\rb"))]


def test_store_names_count_documents_and_take_the_most_given_label(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    graphs = {}
    for i, label in enumerate(["Wang Yi", "Wang Yi", "Mr Wang"]):
        g = graph_iri(f"d{i}")
        who = ENT["person/Wang_Yi"]
        graphs[f"d{i}"] = [
            (who, RDF.type, KG.Person, g),
            (who, SKOS.prefLabel, Literal(label), g),
            (DOC[f"d{i}"], KG.mentions, who, g),
        ]
    _write(path, graphs)
    (name,) = open_store(path).names()
    assert (name.label, name.documents, name.aliases) == ("Wang Yi", 3, ())


def test_store_names_stay_readable_after_the_generation_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    st = open_store(path)
    old = st.generation
    _remove(path, SAME_EDGE)  # publishes a new generation and removes the old one
    assert old is not None and not old.exists()
    assert not st.is_current()
    assert [n.aliases for n in st.names()] == [("Canadá", "Kanada")]  # the file it opened
    # the new generation: the German alias went with the document that gave it
    assert [n.aliases for n in st.reopened().names()] == [("Canadá",)]
    assert st.reopened().is_current()


# -- format 1 (no deduplicated default graph) ---------------------------------------------


def _format_one(path: Path) -> None:
    """A store as kg wrote it before format 2: named graphs only, no META, no names."""
    gen = path / "gen-000001"
    db = ox.Store(str(gen))
    for quads in (_boycott_quads(), _amnesty_quads()):
        for s, p, o, g in quads:
            from kg.graph.terms import to_ox

            db.add(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)))
    db.flush()
    del db
    (path / "lock").touch()
    (path / "current").symlink_to("gen-000001")


def test_store_format_one_is_read_as_the_union_then_brought_to_format_two(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kg-store"
    path.mkdir()
    _format_one(path)
    st = open_store(path)
    assert st.union and st.meta is None
    assert _values(st.query("SELECT ?s WHERE { ?s kg:boycotts ?e }"), "s") == {
        str(CAN),
        str(AUS),
        str(AMNESTY),
    }
    assert [n.iri for n in st.names()] == [str(CAN)]  # computed: no index file yet
    _write(path, {})
    st = open_store(path)
    assert not st.union and st.meta is not None and st.meta["format"] == 2
    assert _default_graph(st) == _named_union(st)
    assert (path / "kg-store.txt").is_file()


# -- what a write may touch ---------------------------------------------------------------


def test_store_dangling_current_is_e033_and_nothing_is_deleted(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    (path / "current").unlink()
    (path / "current").symlink_to("gen-000002")  # a power cut before the data reached disk
    gens = sorted(p.name for p in path.glob("gen-*"))
    with pytest.raises(KgError) as info:
        _write(path, {SAME_EDGE: _same_edge_quads()})
    assert info.value.code == "E033"
    assert "'gen-000002', which is missing" in str(info.value)
    assert f"ln -sfn {gens[-1]} current" in str(info.value)
    assert sorted(p.name for p in path.glob("gen-*")) == gens  # the real graph is still there
    with pytest.raises(KgError) as read:
        open_store(path)
    assert read.value.code == "E033"
    (path / "current").unlink()
    (path / "current").symlink_to(gens[-1])  # what the message says to do
    assert open_store(path).document_hashes()


def test_store_refuses_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "my-files"
    (folder / "gen-2019-holidays").mkdir(parents=True)
    (folder / "gen-000001").mkdir()
    (folder / "gen-000001" / "photo.jpg").write_bytes(b"\xff\xd8")
    (folder / "notes.txt").write_text("mine\n")
    with pytest.raises(KgError) as info:
        _write(folder, {"amnesty_statement": _amnesty_quads()})
    assert info.value.code == "E033"
    assert "'gen-2019-holidays', which kg did not make" in str(info.value)
    assert sorted(p.name for p in folder.iterdir()) == [
        "gen-000001",
        "gen-2019-holidays",
        "notes.txt",
    ]
    assert (folder / "gen-000001" / "photo.jpg").exists()


def test_store_empty_folder_becomes_a_store(tmp_path: Path) -> None:
    _write(tmp_path, {"amnesty_statement": _amnesty_quads()})
    assert (tmp_path / "kg-store.txt").is_file()
    assert open_store(tmp_path).document_hashes() == {"amnesty_statement": "bb" * 32}


def test_store_sweep_leaves_what_kg_did_not_make(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    (path / "gen-000050").mkdir()
    (path / "gen-000050" / "thesis.tex").write_text("mine\n")  # a folder a user put there
    (path / "gen-000051.tmp").mkdir()  # RocksDB's checkpoint folder of a killed write
    (path / "gen-000051.tmp" / "CURRENT").write_text("MANIFEST-000005\n")
    _write(path, {SAME_EDGE: _same_edge_quads()})
    assert (path / "gen-000050" / "thesis.tex").exists()
    assert not (path / "gen-000051.tmp").exists()


def test_store_sweep_removes_a_generation_killed_in_a_bulk_write(tmp_path: Path) -> None:
    # a write killed inside Oxigraph's bulk loader leaves its temporary SST files (seen in
    # the SIGKILL trials of tests/test_reliability.py): the generation is kg's, and goes
    path = tmp_path / "kg-store"
    _fill(path)
    killed = path / "gen-000060"
    killed.mkdir()
    (killed / "000040.sst").write_bytes(b"")
    (killed / "bulk-317429755012126792018237843040088337803.sst").write_bytes(b"")
    _write(path, {SAME_EDGE: _same_edge_quads()})
    assert not killed.exists()
    assert [p.name for p in path.glob("gen-*")] == [(path / "current").resolve().name]


def test_store_publish_fsyncs_before_the_old_generation_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.graph.store as kgstore

    path = tmp_path / "kg-store"
    _fill(path)
    old = (path / "current").resolve()
    events: list[str] = []
    real_fsync, real_replace, real_rmtree = os.fsync, os.replace, shutil.rmtree

    def fsync(fd: int) -> None:
        events.append(f"fsync {os.readlink(f'/proc/self/fd/{fd}')}")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(f"replace {Path(dst).name}")
        real_replace(src, dst)

    def rmtree(target: str | Path, **kwargs: object) -> None:
        events.append(f"rmtree {target}")
        real_rmtree(target, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kgstore.os, "fsync", fsync)
    monkeypatch.setattr(kgstore.os, "replace", replace)
    monkeypatch.setattr(kgstore.shutil, "rmtree", rmtree)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    new = (path / "current").resolve()
    publish = events.index("replace current")
    assert f"fsync {new}" in events[:publish]  # the generation's folder, then the swap
    assert events[publish + 1] == f"fsync {path.resolve()}"  # then the store folder
    assert events[publish + 2 :] == [f"rmtree {old}"]  # only then the old generation


def test_store_read_of_a_generation_removed_meanwhile_is_e035_not_e033(tmp_path: Path) -> None:
    path = tmp_path / "kg-store"
    _fill(path)
    st = open_store(path)
    _write(path, {SAME_EDGE: _same_edge_quads()})
    err = st._read_error(RuntimeError("IO error: No such file or directory"))
    assert err.code == "E035"
    assert open_store(path)._read_error(RuntimeError("Corruption: bad block")).code == "E033"


def test_store_load_reads_named_graphs_and_refuses_triples_outside_them(tmp_path: Path) -> None:
    nquads = tmp_path / "in.nq"
    g = graph_iri("loaded")
    ox.serialize(
        [
            ox.Quad(
                ox.NamedNode(str(CAN)),
                ox.NamedNode(str(KG.boycotts)),
                ox.NamedNode(str(OLYMPICS)),
                ox.NamedNode(str(g)),
            )
        ],
        str(nquads),
        ox.RdfFormat.N_QUADS,
    )
    path = tmp_path / "kg-store"
    with write(path) as st:
        st.load(nquads)
    st = open_store(path)
    assert st.query("ASK { country:CAN kg:boycotts ?o }")
    assert _default_graph(st) == _named_union(st)
    nquads.write_text(nquads.read_text() + f"<{CAN}> <{KG.boycotts}> <{AUS}> .\n")
    with pytest.raises(ValueError, match="1 triple\\(s\\) outside any named graph"):
        with write(path) as st:
            st.load(nquads)
    assert not open_store(path).query("ASK { ?s kg:boycotts country:AUS }")
