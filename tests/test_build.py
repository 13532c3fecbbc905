"""End to end on the development articles: build, export, validate, evidence, determinism."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.build import build
from kg.documents import Document, iter_documents
from kg.errors import KgError
from kg.pipeline import Extractor
from kg.store import open_store, write
from kg.validate import validate

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    store = tmp_path_factory.mktemp("e2e") / "store"
    report = build([ARTICLES], store, extractor=extractor)
    assert not report.problems
    assert len(report.built) == len(list(ARTICLES.glob("*.txt")))
    return store


def test_build_graph_conforms_to_the_shapes(built: Path) -> None:
    result = validate(open_store(built))
    assert result.conforms, result.report


def test_build_every_evidence_sentence_is_in_its_document_at_its_offsets(built: Path) -> None:
    texts = {d.id: d.text for d in iter_documents([ARTICLES]) if isinstance(d, Document)}
    rows = list(open_store(built).query(
        "SELECT ?id ?s ?a ?b WHERE { ?e a kg:Evidence ; kg:document ?d ; kg:sentence ?s ;"
        " kg:sentenceStart ?a ; kg:sentenceEnd ?b . ?d dcterms:identifier ?id }"))
    assert len(rows) > 100
    for row in rows:
        text = texts[row["id"].value]
        start, end = int(row["a"].value), int(row["b"].value)
        assert text[start:end] == row["s"].value


def test_build_every_relation_has_evidence_and_a_pattern(built: Path) -> None:
    store = open_store(built)
    missing = list(store.query(
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } ?p kg:cameoQuadClass|rdfs:domain ?x ."
        " FILTER(STRSTARTS(STR(?p), STR(kg:)) && ?g != graph:ontology)"
        " FILTER NOT EXISTS { GRAPH ?g { ?e rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;"
        " kg:pattern ?pat } } FILTER(?p IN (kg:boycotts, kg:represents, kg:sentLetterTo,"
        " kg:condemns, kg:supports, kg:urges, kg:accuses, kg:denies, kg:attends, kg:hosts,"
        " kg:metWith, kg:signatoryOf, kg:said)) }"))
    assert missing == []


def test_build_turtle_export_is_isomorphic_and_parses_in_oxigraph(built: Path,
                                                                    tmp_path: Path) -> None:
    store = open_store(built)
    out = tmp_path / "graph.ttl"
    store.export("turtle", out)
    parsed = [ox.Triple(q.subject, q.predicate, q.object)
              for q in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)]
    union = {ox.Triple(q.subject, q.predicate, q.object)
             for q in store.ox.quads_for_pattern(None, None, None, None)}
    assert set(parsed) == union
    exported = Graph().parse(out, format="turtle")
    direct = Graph().parse(data=ox.serialize(union, format=ox.RdfFormat.N_TRIPLES).decode(),
                           format="nt")
    assert isomorphic(exported, direct)


def test_build_trig_keeps_one_graph_per_document(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.trig"
    open_store(built).export("trig", out)
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    docs = {f"https://w3id.org/kg-news/graph/{p.stem}" for p in ARTICLES.glob("*.txt")}
    assert docs <= names


def test_build_same_input_gives_byte_identical_sorted_nquads(extractor: Extractor,
                                                             tmp_path: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        store = tmp_path / name
        build([ARTICLES], store, extractor=extractor)
        buf = io.BytesIO()
        open_store(store).export("nquads", buf)
        outputs.append(sorted(buf.getvalue().decode("utf-8").splitlines()))
    assert outputs[0] == outputs[1]


def test_build_rebuild_skips_unchanged_and_replaces_changed(extractor: Extractor,
                                                           tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Canada said it would boycott the 2030 Winter Olympics.\n")
    (corpus / "two.txt").write_text("Norway said it would boycott the 2030 Winter Olympics.\n")
    store = tmp_path / "store"
    first = build([corpus], store, extractor=extractor)
    assert sorted(first.built) == ["one", "two"]
    (corpus / "two.txt").write_text("Sweden said it would boycott the 2030 Winter Olympics.\n")
    second = build([corpus], store, extractor=extractor)
    assert second.built == ["two"] and second.unchanged == ["one"]
    rows = {r["c"].value for r in open_store(store).query(
        "SELECT ?c WHERE { ?x kg:boycotts ?e ; skos:prefLabel ?c }")}
    assert rows == {"Canada", "Sweden"}


def test_build_interrupted_build_leaves_previous_graph(extractor: Extractor,
                                                       tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Canada said it would boycott the 2030 Winter Olympics.\n")
    store = tmp_path / "store"
    build([corpus], store, extractor=extractor)
    before = len(open_store(store))

    class Boom(Exception):
        pass

    with pytest.raises(Boom), write(store) as st:
        st.ox.clear()
        raise Boom
    assert len(open_store(store)) == before
    assert len(list(store.glob("gen-*"))) == 1


def test_build_bad_file_is_reported_and_the_rest_builds(extractor: Extractor,
                                                        tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ARTICLES, corpus, ignore=lambda d, names: [n for n in names
                                                                 if not n.startswith("dev_01")])
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary")
    seen: list[KgError] = []
    report = build([corpus], tmp_path / "store", extractor=extractor, on_problem=seen.append)
    assert [e.code for e in seen] == ["E002"]
    assert report.built == ["dev_01_qatar-world-cup-ministers"]


QUERIES = sorted((ARTICLES.parent / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_build_example_queries_run_on_the_built_graph(built: Path, path: Path) -> None:
    rows = list(open_store(built).query(path.read_text(encoding="utf-8")))
    if path.stem in {"boycotts", "represents", "evidence", "statements_by_person",
                     "most_mentioned", "aliases", "cameo_rollup"}:
        assert rows, f"{path.name} found nothing in the development graph"
