"""The real prompt_toolkit application, typed into through a pipe (prompt_toolkit's own
test approach): queries, multi-line input, completion with Tab, commands, Ctrl-C, Ctrl-D."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shell_fixture import distinct_triples, fill_store

from kg.graph.store import open_store
from kg.shell.app import CONTINUATION, PROMPT, make_session, ready, run
from kg.shell.config import Config
from kg.shell.engine import Shell

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fill_store(tmp_path_factory.mktemp("shell-app") / "kg-store")


@pytest.fixture(autouse=True)
def _dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path / "data"))


BANNER = re.compile(r"kg shell on .*: \\help lists the commands, Ctrl-D quits\.\n")


def _session(store_path: Path, keys: str) -> tuple[str, str]:
    """What the session wrote on stdout and on stderr (less the banner, which goes there)."""
    out, err = io.StringIO(), io.StringIO()
    shell = Shell(open_store(store_path), Config(timing=False), out=out, err=err)
    with create_pipe_input() as inp:
        inp.send_text(keys)
        run(shell, input=inp, output=DummyOutput())
    return out.getvalue(), BANNER.sub("", err.getvalue(), count=1)


def test_shell_app_runs_a_query_ended_by_semicolon_then_quits(store_path: Path) -> None:
    out, err = _session(store_path, "SELECT ?s WHERE { ?s kg:boycotts ?o } ORDER BY ?s;\r\\q\r")
    assert err == ""
    assert "country:GBR\ncountry:USA\n(2 rows)" in out


def test_shell_app_multi_line_query_runs_on_an_empty_line(store_path: Path) -> None:
    out, _ = _session(store_path, "SELECT ?s\rWHERE { ?s kg:boycotts ?o }\rORDER BY ?s\r\r\\q\r")
    assert "country:GBR\ncountry:USA\n(2 rows)" in out


def test_shell_app_tab_completes_an_entity_name(store_path: Path) -> None:
    # "Bache" + Tab becomes Michelle Bachelet's prefixed name, which \describe then finds
    out, err = _session(store_path, "\\describe Bache\t\r\\q\r")
    assert err == ""
    assert out.splitlines()[0].startswith("Michelle Bachelet  person:Michelle_Bachelet")


def test_shell_app_completer_offers_file_names(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the session's own completer, asked as Tab asks it (typing into the pipe would race
    # the completion task against the keys that follow)
    (tmp_path / "results-of-today.txt").write_text("")
    monkeypatch.chdir(tmp_path)
    shell = Shell(open_store(store_path), Config(timing=False))
    try:
        completer = make_session(shell, output=DummyOutput()).completer
        assert completer is not None
        found = list(completer.get_completions(Document("\\o resul"), CompleteEvent()))
        assert [(c.text, c.start_position, c.display_meta_text) for c in found] == [
            ("results-of-today.txt", -5, "file")
        ]
    finally:
        shell.close()


def test_shell_app_ctrl_c_drops_the_input_and_ctrl_d_leaves(store_path: Path) -> None:
    out, err = _session(store_path, "SELECT nonsense\x03\\docs\r\x04")
    assert err == ""  # the half-typed query never ran
    assert "000_55bbdad625445dff" in out and "(2 rows)" in out


def test_shell_app_errors_keep_the_shell(store_path: Path) -> None:
    out, err = _session(store_path, "SELECT ?x WHERE { ?x ?y };\r\\nope\r\\prefixes\r\\q\r")
    assert "error E040" in err and "^" in err
    assert "error E072: unknown command \\nope" in err
    assert re.search(r"^kg: +\| https://w3id.org/kg-news/ontology#$", out, re.M)


def test_shell_app_history_is_kept_on_disk(store_path: Path, tmp_path: Path) -> None:
    _session(store_path, "\\docs\r\\q\r")
    assert "\\docs" in (tmp_path / "data" / "history").read_text()


def test_shell_app_prompt_toolbar_and_enter_rule(store_path: Path) -> None:
    assert (PROMPT, CONTINUATION) == ("kg> ", "...> ")
    assert ready("\\docs") and ready("SELECT * {};") and ready("SELECT *\n{}\n") and ready("")
    assert not ready("SELECT *") and not ready("SELECT * WHERE {\n  ?s ?p ?o")
    shell = Shell(open_store(store_path), Config())
    shell.refresh(wait=True)
    with create_pipe_input() as inp:
        session = make_session(shell, input=inp, output=DummyOutput())
        bar = session.bottom_toolbar() if callable(session.bottom_toolbar) else ""
    assert f"{distinct_triples(store_path)} triples" in bar and "3 documents" in bar
    assert "format table" in bar and "read-only" in bar


def test_shell_start_up_does_not_import_spacy(store_path: Path) -> None:
    probe = (
        "import sys\n"
        "from prompt_toolkit.input import create_pipe_input\n"
        "from prompt_toolkit.output import DummyOutput\n"
        "from kg.shell.app import make_session\n"
        "from kg.shell.config import load_config\n"
        "from kg.shell.engine import Shell\n"
        "from kg.graph.store import connect\n"
        f"shell = Shell(connect({str(store_path)!r}, None), load_config())\n"
        "shell.start(wait=True)\n"
        "with create_pipe_input() as inp:\n"
        "    make_session(shell, input=inp, output=DummyOutput())\n"
        "shell.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')))\n"
    )
    run_ = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert run_.returncode == 0, run_.stderr
    assert run_.stdout.strip() == "[]"


def test_shell_app_highlights_sparql_once_the_prompt_is_drawn(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SPARQL lexer is installed after the first draw (it is costly to compile); from
    then on a keyword is styled as one."""
    from prompt_toolkit.document import Document

    import kg.shell.app as app

    sessions = []

    def capture(*args: object, **kw: object) -> object:
        sessions.append(make_session(*args, **kw))  # type: ignore[arg-type]
        return sessions[-1]

    monkeypatch.setattr(app, "make_session", capture)
    _session(store_path, "\\q\r")
    lexer = sessions[0].lexer
    assert isinstance(lexer, app.LateLexer) and lexer.lexer is not None
    line = lexer.lex_document(Document("SELECT ?s WHERE { }"))(0)
    assert ("class:pygments.keyword", "SELECT") in line, line
    assert app.LateLexer().lex_document(Document("SELECT"))(0) == [("", "SELECT")]
