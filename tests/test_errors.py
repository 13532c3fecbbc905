"""Coded errors and warnings (kg/errors.py): named fields, one code per message, every raise
site in step with its message, one sink."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest

from kg.errors import MESSAGES, WARNINGS, KgError, KgWarning, Notice, Sink, fields_of

KG = Path(__file__).resolve().parents[1] / "kg"


def test_errors_codes_are_well_formed_and_each_message_has_one_code() -> None:
    assert all(re.fullmatch(r"E\d{3}", code) for code in MESSAGES)
    assert all(re.fullmatch(r"W\d{3}", code) for code in WARNINGS)
    for table in (MESSAGES, WARNINGS):
        duplicates = {m for m in table.values() if list(table.values()).count(m) > 1}
        assert duplicates == set()
    # merged: "no entity matches" is E073 only, "cannot write the output file" E077 only
    assert "E082" not in MESSAGES and "E083" not in MESSAGES


def test_errors_message_fields_are_named_and_filled() -> None:
    err = KgError("E011", "big.txt", limit=100)
    assert (err.code, err.path, err.line, err.fields) == ("E011", "big.txt", None, {"limit": 100})
    assert err.message == (
        "file is larger than the limit of 100 bytes; split it or raise --max-bytes"
    )
    assert str(err) == f"error E011: big.txt: {err.message}"
    assert str(KgError("E007", "feed.jsonl", 3, reason="not an object")).startswith(
        "error E007: feed.jsonl:3: malformed JSON line (not an object); "
    )
    assert str(KgError("E071", seconds=2.5)).startswith("error E071: query stopped after 2.5 s ")
    assert fields_of(MESSAGES["E093"]) == {"status", "phrase", "tries"}


def test_errors_a_raise_out_of_step_with_its_message_is_a_bug() -> None:
    with pytest.raises(TypeError, match=r"E011 takes the fields \['limit'\]"):
        KgError("E011", "big.txt", detail="100")
    with pytest.raises(TypeError):
        KgError("E011", "big.txt")  # a field missing
    with pytest.raises(ValueError, match="no error code 'E999'"):
        KgError("E999")
    with pytest.raises(ValueError, match="no warning code 'E011'"):
        KgWarning("E011", limit=1)


def test_errors_survive_pickling_for_worker_processes() -> None:
    err = KgError("E010", "feed.jsonl", 4, doc_id="a")
    copy = pickle.loads(pickle.dumps(err))
    assert copy == err and str(copy) == str(err) and copy.fields == {"doc_id": "a"}


def test_errors_warnings_read_like_errors() -> None:
    warning = KgWarning("W002", "kg-store", doc_id="x")
    assert (
        str(warning)
        == "warning W002: kg-store: no document 'x' in the store; nothing removed for it"
    )
    assert not isinstance(warning, Exception)


def test_errors_sink_keeps_each_notice_and_passes_it_on() -> None:
    seen: list[Notice] = []
    sink = Sink(seen.append)
    problem = KgError("E001", "empty.txt")
    sink.problem(problem)
    warning = sink.warn("W002", "kg-store", doc_id="x")
    assert seen == [problem, warning]
    assert (sink.problems, sink.warnings) == ([problem], [warning])
    quiet = Sink()
    quiet.warn("W002", doc_id="y")
    assert [w.fields for w in quiet.warnings] == [{"doc_id": "y"}]


# -- every raise site in kg/, read from the source ------------------------------------------


def _call_sites() -> list[tuple[str, str, set[str]]]:
    """(where, code, keyword names) of every `KgError("E...", ...)`, `KgWarning("W...")` and
    `<sink>.warn("W...", ...)` call with a literal code."""
    sites = []
    for path in sorted(KG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = node.args[0]
            if name not in ("KgError", "KgWarning", "warn") or not (
                isinstance(first, ast.Constant) and isinstance(first.value, str)
            ):
                continue
            keywords = {k.arg for k in node.keywords if k.arg not in (None, "path", "line")}
            where = f"{path.relative_to(KG.parent)}:{node.lineno}"
            sites.append((where, first.value, keywords))
    return sites


SITES = _call_sites()


@pytest.mark.parametrize(("where", "code", "keywords"), SITES, ids=[s[0] for s in SITES])
def test_errors_every_raise_site_passes_the_fields_of_its_message(
    where: str, code: str, keywords: set[str]
) -> None:
    table = WARNINGS if code.startswith("W") else MESSAGES
    assert code in table, f"{where}: {code} has no message"
    assert keywords == fields_of(table[code]), f"{where}: {code} {table[code]!r}"


def _codes_passed_to_any_call() -> set[str]:
    """Codes given as the first argument of any call in kg/: the rule loader raises its
    errors through a helper (`RuleError`, `_error("E121", ...)`), the lexicon through
    `LexiconError`, whose fields `tests/extraction/test_rules.py` checks case by case."""
    codes = set()
    for path in sorted(KG.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    if first.value[:1] in ("E", "W") and first.value[1:].isdigit():
                        codes.add(first.value)
    return codes


def test_errors_every_code_is_raised_somewhere() -> None:
    used = {code for _, code, _ in SITES} | _codes_passed_to_any_call()
    assert set(MESSAGES) | set(WARNINGS) <= used
