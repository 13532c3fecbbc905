"""The store: atomic generations on disk, one writer, SPARQL over the union, every export format.

The store is filled by hand through `write()` and `replace_graph()` with rdflib terms, so these
tests pin the store alone, not the extractor.
"""

import io
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
    assert len(reopened) == len(_amnesty_quads()) + len(_ontology())


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
