"""End to end on the development articles: build, export, validate, evidence, determinism."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg import build as kgbuild
from kg.build import build, count_documents, expand, extract_to, remove
from kg.errors import KgError, KgWarning, Notice
from kg.evaluate import evaluate
from kg.extraction.documents import iter_documents
from kg.extraction.limits import MAX_SENTENCE_TOKENS
from kg.extraction.pipeline import Extractor
from kg.graph.store import GraphStore, open_store, write
from kg.graph.validate import validate
from kg.model import Document

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
    rows = list(
        open_store(built).query(
            "SELECT ?id ?s ?a ?b WHERE { ?e a kg:Evidence ; kg:document ?d ; kg:sentence ?s ;"
            " kg:sentenceStart ?a ; kg:sentenceEnd ?b . ?d dcterms:identifier ?id }"
        )
    )
    assert len(rows) > 100
    for row in rows:
        text = texts[row["id"].value]
        start, end = int(row["a"].value), int(row["b"].value)
        assert text[start:end] == row["s"].value


def test_build_every_relation_has_evidence_and_a_pattern(built: Path) -> None:
    store = open_store(built)
    missing = list(
        store.query(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } ?p kg:cameoQuadClass|rdfs:domain ?x ."
            " FILTER(STRSTARTS(STR(?p), STR(kg:)) && ?g != graph:ontology)"
            " FILTER NOT EXISTS { GRAPH ?g { ?e rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;"
            " kg:pattern ?pat } } FILTER(?p IN (kg:boycotts, kg:represents, kg:sentLetterTo,"
            " kg:condemns, kg:supports, kg:urges, kg:accuses, kg:denies, kg:attends, kg:hosts,"
            " kg:metWith, kg:signatoryOf, kg:said)) }"
        )
    )
    assert missing == []


def test_build_turtle_export_is_isomorphic_and_parses_in_oxigraph(
    built: Path, tmp_path: Path
) -> None:
    store = open_store(built)
    out = tmp_path / "graph.ttl"
    store.export("turtle", out)
    parsed = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)
    ]
    union = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.ox.quads_for_pattern(None, None, None, None)
    }
    assert set(parsed) == union
    exported = Graph().parse(out, format="turtle")
    direct = Graph().parse(
        data=ox.serialize(union, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt"
    )
    assert isomorphic(exported, direct)


def test_build_trig_keeps_one_graph_per_document(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.trig"
    open_store(built).export("trig", out)
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    docs = {f"https://w3id.org/kg-news/graph/{p.stem}" for p in ARTICLES.glob("*.txt")}
    assert docs <= names


def test_build_same_input_gives_byte_identical_sorted_nquads(
    extractor: Extractor, tmp_path: Path
) -> None:
    outputs = []
    for name in ("a", "b"):
        store = tmp_path / name
        build([ARTICLES], store, extractor=extractor)
        buf = io.BytesIO()
        open_store(store).export("nquads", buf)
        outputs.append(sorted(buf.getvalue().decode("utf-8").splitlines()))
    assert outputs[0] == outputs[1]


def test_build_rebuild_skips_unchanged_and_replaces_changed(
    extractor: Extractor, tmp_path: Path
) -> None:
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
    rows = {
        r["c"].value
        for r in open_store(store).query(
            "SELECT ?c WHERE { ?x kg:boycotts ?e ; skos:prefLabel ?c }"
        )
    }
    assert rows == {"Canada", "Sweden"}


def test_build_interrupted_build_leaves_previous_graph(
    extractor: Extractor, tmp_path: Path
) -> None:
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


def test_build_bad_file_is_reported_and_the_rest_builds(
    extractor: Extractor, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(
        ARTICLES, corpus, ignore=lambda d, names: [n for n in names if not n.startswith("dev_01")]
    )
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary")
    seen: list[Notice] = []
    report = build([corpus], tmp_path / "store", extractor=extractor, on_notice=seen.append)
    assert (
        seen
        == report.problems
        == [KgError("E002", str(corpus / "broken.txt"), reason="it contains NUL bytes")]
    )
    assert report.built == ["dev_01_qatar-world-cup-ministers"] and report.warnings == []


class _Cut:
    """An extractor whose results say the sentence cap cut every document twice."""

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor

    def __call__(self, documents: Any, n_process: int = 1) -> Any:
        for result in self.extractor(documents):
            result.cut_sentences = 2
            yield result


def test_build_extract_and_eval_warn_w001_per_cut_document(
    extractor: Extractor, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"id": "one", "text": "Canada urged Japan to act."}\n'
        '{"id": "two", "text": "Peru backed Chile."}\n',
        encoding="utf-8",
    )
    seen: list[Notice] = []
    report = build([feed], tmp_path / "store", extractor=_Cut(extractor), on_notice=seen.append)  # type: ignore[arg-type]
    expected = [
        KgWarning("W001", str(feed), number, doc_id=doc_id, cuts=2, tokens=MAX_SENTENCE_TOKENS)
        for number, doc_id in ((1, "one"), (2, "two"))
    ]
    assert seen == report.warnings == expected  # named by file and line, as errors are
    assert report.problems == []
    assert report.summary().startswith("built 2 document(s), 0 unchanged, 0 problem(s), 2 warn")
    assert str(expected[0]).startswith(f"warning W001: {feed}:1: document 'one': 2 sentence ")
    sink = extract_to([feed], "tsv", tmp_path / "out.tsv", extractor=_Cut(extractor))  # type: ignore[arg-type]
    assert sink.warnings == expected and sink.problems == []
    gold = tmp_path / "gold.tsv"
    gold.write_text("one\tCanada\turges\tJapan\tgold\n", encoding="utf-8")
    score = evaluate(gold, [feed], None, "unused", extractor=_Cut(extractor))  # type: ignore[arg-type]
    assert score.warnings == expected and score.problems == []


def test_build_remove_warns_w002_for_an_unknown_document(built: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(built, store, symlinks=True)
    seen: list[Notice] = []
    assert remove(["nope"], store, on_notice=seen.append) == ["nope"]
    assert seen == [KgWarning("W002", str(store), doc_id="nope")]


QUERIES = sorted((ARTICLES.parent / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_build_example_queries_run_on_the_built_graph(built: Path, path: Path) -> None:
    rows = list(open_store(built).query(path.read_text(encoding="utf-8")))
    if path.stem in {
        "boycotts",
        "represents",
        "evidence",
        "statements_by_person",
        "most_mentioned",
        "aliases",
        "cameo_rollup",
    }:
        assert rows, f"{path.name} found nothing in the development graph"


# -- incremental, parallel, streaming ---------------------------------------------------


def _nquads(store: Path) -> list[str]:
    buf = io.BytesIO()
    open_store(store).export("nquads", buf)
    return sorted(buf.getvalue().decode("utf-8").splitlines())


def _labels(store: Path, iri: str) -> set[str]:
    return {
        r["l"].value
        for r in open_store(store).query(
            f"SELECT DISTINCT ?l WHERE {{ <{iri}> skos:prefLabel|skos:altLabel ?l }}"
        )
    }


def _mentioned_by(store: Path, iri: str) -> set[str]:
    return {
        r["id"].value
        for r in open_store(store).query(
            f"SELECT ?id WHERE {{ ?d kg:mentions <{iri}> ; dcterms:identifier ?id }}"
        )
    }


CANADA = "https://w3id.org/kg-news/id/country/CAN"


def test_build_changed_document_keeps_entities_that_other_documents_mention(
    extractor: Extractor, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Canada said it would boycott the 2030 Winter Olympics.\n")
    (corpus / "two.txt").write_text(
        "Ottawa condemned Russia over the missile test.\n"
        "Canada urged Russia to return to the talks.\n"
    )
    store = tmp_path / "store"
    build([corpus], store, extractor=extractor)
    assert _mentioned_by(store, CANADA) == {"one", "two"}
    assert _labels(store, CANADA) >= {"Canada", "Ottawa"}

    (corpus / "two.txt").write_text("Sweden urged Russia to return to the talks.\n")
    report = build([corpus], store, extractor=extractor)
    assert report.built == ["two"] and report.unchanged == ["one"]
    # Canada's node, type and name survive through the unchanged document; the alias only
    # the changed document used goes with its graph.
    assert _mentioned_by(store, CANADA) == {"one"}
    assert _labels(store, CANADA) == {"Canada"}
    assert bool(open_store(store).query(f"ASK {{ <{CANADA}> a kg:Country ; kg:boycotts ?e }}"))

    build([corpus], store, extractor=extractor)  # nothing changed: nothing rebuilt
    assert _mentioned_by(store, CANADA) == {"one"}
    assert remove(["one"], store) == []
    assert _mentioned_by(store, CANADA) == set() and _labels(store, CANADA) == set()
    assert not bool(open_store(store).query(f"ASK {{ <{CANADA}> ?p ?o }}"))


def test_build_jobs_2_gives_the_same_graph_as_jobs_1(extractor: Extractor, tmp_path: Path) -> None:
    # spaCy's worker processes must have kg's components (ruler, repairs) registered,
    # or their parses, and so the graph, would differ.
    corpus = tmp_path / "corpus"
    shutil.copytree(
        ARTICLES,
        corpus,
        ignore=lambda d, names: [
            n for n in names if not n.startswith(("dev_01", "dev_02", "dev_03", "dev_04"))
        ],
    )
    build([corpus], tmp_path / "one", extractor=extractor, jobs=1)
    two = build([corpus], tmp_path / "two", extractor=extractor, jobs=2)
    assert len(two.built) == 4 and not two.problems
    assert _nquads(tmp_path / "one") == _nquads(tmp_path / "two")


def test_build_writes_quads_in_batches_with_the_same_result(
    extractor: Extractor, built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = GraphStore.add_nquads

    def spy(self: GraphStore, nquads: str) -> None:
        calls.append(nquads.count("\n"))
        original(self, nquads)

    monkeypatch.setattr(kgbuild, "BATCH_QUADS", 1000)
    monkeypatch.setattr(GraphStore, "add_nquads", spy)
    build([ARTICLES], tmp_path / "store", extractor=extractor)
    assert len(calls) > 3  # many small writes, never the whole corpus at once
    assert max(calls) < 1000 + 2000  # a batch overshoots by at most one document's quads
    assert _nquads(tmp_path / "store") == _nquads(built)


def test_build_progress_bar_counts_documents_on_stderr(
    extractor: Extractor, built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built, store, symlinks=True)
    build([ARTICLES], store, extractor=extractor, progress=True)  # all unchanged: fast
    err = capsys.readouterr().err
    total = len(list(ARTICLES.glob("*.txt")))
    assert f"{total}/{total}" in err and "doc/s" in err
    build([ARTICLES], store, extractor=extractor)
    assert capsys.readouterr().err == ""


def test_build_count_documents_counts_jsonl_lines_and_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title\nText.\n")
    (tmp_path / "b.jsonl").write_text('{"text": "x"}\n\n{"text": "y"}\n{"text": "z"}\n')
    (tmp_path / "c.pdf").write_text("not an article")
    assert count_documents([tmp_path]) == 4
    assert count_documents([tmp_path / "missing"]) == 0


def test_build_cli_draws_no_progress_bar_in_a_pipe(built: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(built, store, symlinks=True)
    proc = subprocess.run(
        [sys.executable, "-m", "kg", "build", "--store", str(store), str(ARTICLES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "built 0 document(s), 16 unchanged" in proc.stdout
    assert proc.stderr == ""


def test_build_jobs_must_be_positive(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "build",
            "--jobs",
            "0",
            "--store",
            str(tmp_path / "s"),
            str(ARTICLES),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "--jobs" in proc.stderr and "Traceback" not in proc.stderr


# -- inputs at scale, the bar's count, Ctrl-C -------------------------------------------------


def test_build_count_documents_is_bounded_on_a_fifo_and_dev_zero(tmp_path: Path) -> None:
    """Counting for the progress bar opens only regular files, and reads at most --max-bytes
    of each: a FIFO named .jsonl would block forever, /dev/zero never ends."""
    os.mkfifo(tmp_path / "fifo.jsonl")
    os.symlink("/dev/zero", tmp_path / "zeros.jsonl")
    (tmp_path / "big.jsonl").write_text('{"text": "x"}\n' * 1000)
    (tmp_path / "ok.jsonl").write_text('{"text": "x"}\n{"text": "y"}')  # no final newline
    counted: list[int] = []
    worker = threading.Thread(
        target=lambda: counted.append(count_documents([tmp_path], max_bytes=1000)), daemon=True
    )
    worker.start()
    worker.join(20)
    assert counted == [1 + 1 + 1 + 2]  # each bad or oversized file one (reported) document


def test_build_progress_bar_does_not_hang_on_a_fifo(
    extractor: Extractor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.mkfifo(corpus / "feed.jsonl")
    (corpus / "one.txt").write_text("Canada said it would boycott the 2030 Winter Olympics.\n")
    done: list[Any] = []
    worker = threading.Thread(
        target=lambda: done.append(
            build([corpus], tmp_path / "store", extractor=extractor, progress=True)
        ),
        daemon=True,
    )
    worker.start()
    worker.join(120)
    assert done, "the build hung"
    assert done[0].built == ["one"] and [p.code for p in done[0].problems] == ["E004"]


def test_build_takes_quoted_glob_patterns(extractor: Extractor, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "a").mkdir(parents=True)
    (corpus / "a" / "one.txt").write_text("Canada urged Japan to act.\n")
    (corpus / "two.txt").write_text("Peru backed Chile.\n")
    (corpus / "skip.md").write_text("Norway backed Chile.\n")
    assert [str(p) for p in expand([str(corpus / "**" / "*.txt")])] == [
        str(corpus / "a" / "one.txt"),
        str(corpus / "two.txt"),
    ]
    assert count_documents([str(corpus / "**" / "*.txt")]) == 2
    report = build([str(corpus / "**" / "*.txt")], tmp_path / "store", extractor=extractor)
    assert sorted(report.built) == ["one", "two"]
    nothing = build([str(corpus / "*.pdf")], tmp_path / "store", extractor=extractor)
    assert [p.code for p in nothing.problems] == ["E012", "E006"]


class _Interrupt:
    """An extractor that raises KeyboardInterrupt (Ctrl-C) after `after` documents."""

    def __init__(self, extractor: Extractor, after: int) -> None:
        self.extractor, self.after = extractor, after

    def __call__(self, documents: Any, n_process: int = 1) -> Any:
        for number, result in enumerate(self.extractor(documents), 1):
            if number > self.after:
                raise KeyboardInterrupt
            yield result


def test_build_ctrl_c_before_the_swap_says_nothing_was_published(
    extractor: Extractor, built: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built, store, symlinks=True)
    before = _nquads(store)
    (tmp_path / "new.txt").write_text("Sweden urged Russia to return to the talks.\n")
    with pytest.raises(kgbuild.BuildInterrupted) as stop:
        build([ARTICLES, tmp_path / "new.txt"], store, extractor=_Interrupt(extractor, 0))  # type: ignore[arg-type]
    assert stop.value.published is False
    assert _nquads(store) == before


def test_build_ctrl_c_after_the_swap_says_the_graph_was_published(
    extractor: Extractor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the old generation is removed (after the atomic swap): the new graph
    is there, and the build must say so rather than "aborted"."""
    import kg.graph.store as store_module

    (tmp_path / "one.txt").write_text("Canada said it would boycott the 2030 Winter Olympics.\n")
    store = tmp_path / "store"
    build([tmp_path / "one.txt"], store, extractor=extractor)
    (tmp_path / "two.txt").write_text("Norway said it would boycott the 2030 Winter Olympics.\n")
    real = store_module.shutil.rmtree

    def interrupted(path: Any, *args: Any, **kwargs: Any) -> None:
        real(path, *args, **kwargs)
        if (store / "current").resolve() != Path(path).resolve():
            raise KeyboardInterrupt

    monkeypatch.setattr(store_module.shutil, "rmtree", interrupted)
    with pytest.raises(kgbuild.BuildInterrupted) as stop:
        build([tmp_path / "one.txt", tmp_path / "two.txt"], store, extractor=extractor)
    monkeypatch.setattr(store_module.shutil, "rmtree", real)
    assert stop.value.published is True and stop.value.report.built == ["two"]
    assert sorted(open_store(store).document_hashes()) == ["one", "two"]


def test_build_cli_ctrl_c_reports_what_is_in_the_store(tmp_path: Path) -> None:
    store, corpus = tmp_path / "store", tmp_path / "corpus"
    corpus.mkdir()
    # 128 documents: far more than one second's work, so the Ctrl-C lands mid-build (the 16
    # articles alone could all be built in the second the test waits); none is built.
    for copy in range(8):
        for article in ARTICLES.glob("*.txt"):
            shutil.copy(article, corpus / f"{copy}_{article.name}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", "--store", str(store), str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (store / "lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        "interrupted: nothing was published; the store holds the graph it held before "
        "(run the build again to finish)"
    )
    assert "aborted" not in err and "Traceback" not in err


class _InterruptAfter:
    """Ctrl-C once `after` documents were extracted, over all the calls of a build."""

    def __init__(self, extractor: Extractor, after: int) -> None:
        self.extractor, self.after, self.done = extractor, after, 0

    def __call__(self, documents: Any, n_process: int = 1) -> Any:
        for result in self.extractor(documents):
            if self.done == self.after:
                raise KeyboardInterrupt
            self.done += 1
            yield result


def test_build_checkpoints_publish_as_they_go_and_a_rerun_finishes(
    extractor: Extractor, tmp_path: Path
) -> None:
    corpus = _small_corpus(tmp_path / "corpus", 5)
    whole = tmp_path / "whole"
    build([corpus], whole, extractor=extractor)
    store = tmp_path / "store"
    # a deadline that passes at once: every document is published in its own generation
    with pytest.raises(kgbuild.BuildInterrupted) as stop:
        build([corpus], store, extractor=_InterruptAfter(extractor, 3), checkpoint=1e-9)  # type: ignore[arg-type]
    assert stop.value.checkpointed == 3 and stop.value.published is False
    assert len(open_store(store).document_hashes()) == 3
    rest = build([corpus], store, extractor=extractor, checkpoint=1e-9)
    assert len(rest.built) == 2 and len(rest.unchanged) == 3
    assert _nquads(store) == _nquads(whole)
    assert len(list(store.glob("gen-*"))) == 1


def _small_corpus(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        (folder / f"doc{number}.txt").write_text(
            f"Title {number}\n\nCanada urged Japan to support treaty number {number}.\n"
        )
    return folder
