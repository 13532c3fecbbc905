"""The benchmark corpus generator and helpers (not timings: the machine is noisy)."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import actors, generate, truth_quads, write_corpus  # noqa: E402
from benchmarks.run import child, markdown, row  # noqa: E402
from benchmarks.tasks import QUERIES, start_to_prompt  # noqa: E402
from kg.extraction.documents import iter_documents  # noqa: E402
from kg.graph.rdf import entity_iri  # noqa: E402
from kg.model import Document  # noqa: E402


def test_benchmarks_corpus_is_seeded() -> None:
    first = [a.document for a in generate(5, seed=1)]
    assert first == [a.document for a in generate(5, seed=1)]
    assert [d.text for d in first] != [a.document.text for a in generate(5, seed=2)]
    assert len({d.id for d in first}) == 5


def test_benchmarks_corpus_evidence_points_at_its_sentence() -> None:
    for art in generate(20):
        assert art.truth.relations
        for rel in art.truth.relations:
            ev = rel.evidence
            assert art.document.text[ev.sentence_start : ev.sentence_end] == ev.sentence
            assert rel.subject in art.truth.entities


def test_benchmarks_corpus_varies_actors_and_sentence_forms() -> None:
    text = "\n".join(a.document.text for a in generate(40))
    for marker in (
        "was condemned by",
        "is being boycotted by",  # passive
        "ruled out a boycott",
        "did not urge",  # negation
        '," said',  # quote
        "said that",
        "told reporters that",  # reported speech
        "wrote to the United Nations",
    ):  # UN offices
        assert marker in text, marker
    kinds = {e.kind for a in generate(40) for e in a.truth.entities.values()}
    assert kinds == {"Country", "Person", "Organisation", "UNOffice", "Event"}
    cast = actors()
    assert len(cast.countries) > 200 and ("France", "FR", "FRA") in cast.countries


def test_benchmarks_corpus_countries_get_iso_iris() -> None:
    for art in generate(5):
        for entity in art.truth.entities.values():
            if entity.kind == "Country":
                assert entity_iri(entity).endswith(f"/country/{entity.alpha3}")


def test_benchmarks_written_corpus_reads_back_as_the_same_documents(tmp_path: Path) -> None:
    write_corpus(tmp_path, 4, seed=5)
    read = [d for d in iter_documents([tmp_path]) if isinstance(d, Document)]
    made = [a.document for a in generate(4, seed=5)]
    assert [(d.id, d.title, d.date, d.text) for d in read] == [
        (d.id, d.title, d.date, d.text) for d in made
    ]
    assert [d.content_hash for d in read] == [d.content_hash for d in made]


def test_benchmarks_truth_quads_stop_after_the_requested_size() -> None:
    quads = list(truth_quads(3000))
    assert 3000 <= len(quads) < 3000 + 2000  # at most one more article
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads)


def test_benchmarks_generated_articles_are_extractable(tmp_path: Path) -> None:
    # The corpus must exercise kg's rules like news does, not read as noise to them.
    from kg.extraction.pipeline import Extractor

    arts = list(generate(6, seed=3))
    truth = hit = found = 0
    for art, res in zip(arts, Extractor()([a.document for a in arts]), strict=True):
        want = {
            (r.subject, r.relation, r.object) for r in art.truth.relations if not r.object_is_text
        }
        got = {
            (res.entities[r.subject].label, r.relation, res.entities[r.object].label)
            for r in res.relations
            if not r.object_is_text
        }
        truth, hit, found = truth + len(want), hit + len(want & got), found + len(got)
    assert hit / truth > 0.5 and hit / found > 0.5


def test_benchmarks_prompt_is_found_between_escape_codes() -> None:
    seen = start_to_prompt(
        [sys.executable, "-c", "print('hello'); print('\\x1b[0mkg>\\x1b[0m \\x1b[4C')"], b"kg> "
    )
    assert seen is not None and seen > 0
    assert start_to_prompt([sys.executable, "-c", "print('no prompt')"], b"kg> ") is None


def test_benchmarks_child_task_reports_json_with_peak_memory(tmp_path: Path) -> None:
    out = tmp_path / "g.nq"
    result = child("make_graph", nquads=str(out), min_quads=500)
    assert result["quads"] >= 500 and result["peak_rss_mb"] > 10
    assert len(out.read_bytes().splitlines()) == result["quads"]


def test_benchmarks_queries_parse_in_the_store() -> None:
    from kg.graph.vocab import PREFIXES

    store = ox.Store()
    store.extend(truth_quads(2000))
    for name, text in QUERIES.items():
        store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)  # no SyntaxError
        assert name


@pytest.mark.parametrize("ratio,met", [(1.234, True), (None, None)])
def test_benchmarks_markdown_table_row(ratio: float | None, met: bool | None) -> None:
    table = markdown([row("w", "b", "k", ratio, ">= 1", met)])
    assert table.splitlines()[0] == "| what | baseline | kg | ratio | goal | met |"
    cells = table.splitlines()[2].split(" | ")
    assert cells[3] == ("1.23" if ratio else "n/a") and cells[5].rstrip(" |") == (
        "yes" if met else "n/a"
    )
