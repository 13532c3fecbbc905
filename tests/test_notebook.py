"""notebooks/walkthrough.ipynb runs top to bottom (nbclient, the venv's python3 kernel) and
shows what it promises: the build, the example queries as tables, the analysis, the view."""

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


@pytest.fixture(scope="module")
def executed() -> list[nbformat.NotebookNode]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    return [c for c in nb.cells if c.cell_type == "code"]


def test_notebook_runs_without_errors(executed: list[nbformat.NotebookNode]) -> None:
    for cell in executed:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_notebook_shows_build_queries_analysis_and_view(executed) -> None:
    build, queries, boycotts = _text(executed[1]), _text(executed[2]), _text(executed[3])
    assert "16 documents" in build
    for name in ("boycotts", "evidence", "cameo_rollup", "aliases"):
        assert name in queries
    assert "<table" in boycotts and "Iceland" in boycotts and "World Cup" in boycotts
    central = _text(executed[6])
    assert "<table" in central and "betweenness" in central
    assert "--boycotts-->" in _text(executed[8])
    view = _text(executed[9])
    assert "<iframe srcdoc=" in view and "kg-nodes" in view and "nodes," in view
