"""`kg validate` (the real entry point) over every bundled set built into one store.

Entities shared across sets must keep one skos:prefLabel: before labels were white-space
normalised, org:Indo-Pacific got "Indo-Pacific" from one article and "Indo-Pacific\\n\\n"
from another, and the store did not conform (E060). The seed articles are included when
../shared/seeds exists next to the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
BUNDLED = [
    ROOT / "data" / name for name in ("articles", *(f"heldout{n}" for n in ("", 2, 3, 4, 5)))
]
INPUTS = [*BUNDLED, *([SEEDS] if SEEDS.is_dir() else [])]

# a label with white space at either end, a line break or a tab, or a run of spaces
UNNORMALISED = (
    "SELECT DISTINCT ?label WHERE { ?e skos:prefLabel|skos:altLabel ?label "
    'FILTER(REGEX(STR(?label), "^\\\\s|\\\\s$|[\\\\n\\\\r\\\\t]|  ")) }'
)


def kg(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_STORE": str(cwd / "no-default-store"), "KG_CONFIG_DIR": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=900,
    )


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("validate-all")
    run = kg("build", *INPUTS, "--store", root / "store", cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    documents = sum(len(list(folder.glob("*.txt"))) for folder in INPUTS)
    assert run.stdout.startswith(f"built {documents} document(s), 0 unchanged, 0 problem(s)")
    return root


def test_validate_every_bundled_set_built_together_conforms(everything: Path) -> None:
    assert all(folder.is_dir() for folder in BUNDLED)
    run = kg("validate", "--store", everything / "store", cwd=everything)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    assert run.stdout.startswith("conforms")


def test_validate_labels_are_white_space_normalised(everything: Path) -> None:
    run = kg(
        "query", "--store", everything / "store", "--format", "csv", UNNORMALISED, cwd=everything
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["label"], run.stdout


def test_validate_two_labels_for_one_entity_fail_with_e060(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    name = "dev_16_russia-world-cup-boycott.txt"
    (articles / name).write_bytes((ROOT / "data" / "articles" / name).read_bytes())
    store = tmp_path / "store"
    assert kg("build", articles, "--store", store, cwd=tmp_path).returncode == 0
    update = 'INSERT DATA { GRAPH graph:other { country:RUS skos:prefLabel "Russia\\n\\n" } }'
    run = kg("shell", "--store", store, "--allow-update", "-e", update, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr

    run = kg("validate", "--store", store, cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.startswith("error E060: "), run.stderr
    assert "country/RUS" in run.stdout
    assert "exactly one skos:prefLabel" in run.stdout
