"""notebooks/walkthrough.ipynb keeps its outputs committed (a repository page shows its tables
and its picture) and runs top to bottom from a folder outside the checkout (nbclient, the
venv's python3 kernel), showing what it promises: the build, the boycotts with their
articles, who said what, letters, the central actors, a chain and the picture."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "walkthrough.ipynb"


def _text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out["text"])
        elif "data" in out:
            parts.append(out["data"].get("text/html", "") + out["data"].get("text/plain", ""))
    return "".join(parts)


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _check(cells: list[nbformat.NotebookNode]) -> None:
    """What a reader must see, in the committed outputs and in a fresh run alike."""
    for cell in cells[1:]:  # the first one only sets up
        assert cell.outputs, f"a cell without output: {cell.source[:60]!r}"
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
    text = [_text(c) for c in cells]
    built = re.search(r"(\d+) documents", text[1])
    assert built and int(built.group(1)) > 0, text[1]
    assert "<table" in text[2] and "document" in text[2] and "World Cup" in text[2]
    assert "<table" in text[3] and "statements by" in text[3]
    assert "<table" in text[5] and "sender" in text[5]
    assert "<table" in text[6] and "betweenness" in text[6] and "United States" in text[6]
    assert "United States and Russia:" in text[8] and "shortest first" in text[8]
    assert any("image/png" in o.get("data", {}) for o in cells[9].outputs), "no picture"
    assert "<iframe srcdoc=" in text[10] and "kg-graph" in text[10]
    assert str(NOTEBOOK.parents[1]) not in "".join(text), "a local path in the outputs"


def test_notebook_outputs_are_committed() -> None:
    _check(_code(nbformat.read(NOTEBOOK, as_version=4)))


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> list[nbformat.NotebookNode]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in _code(nb):
        cell.outputs = []
    elsewhere = tmp_path_factory.mktemp("elsewhere")  # not the checkout, not notebooks/
    NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(elsewhere)}}
    ).execute()
    return _code(nb)


def test_notebook_runs_from_any_folder(executed: list[nbformat.NotebookNode]) -> None:
    _check(executed)
