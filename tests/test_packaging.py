"""kg as a user gets it: the wheel built from this checkout, installed (not editable) into a
fresh venv outside the checkout, run from a folder where the checkout's kg/ cannot be
imported: build an article, extract, export Turtle, validate, list the shell's queries.

Re-installing spaCy and every other dependency would take minutes, so the fresh venv gets
the dependencies of the interpreter running the tests through a .pth file that appends its
site-packages to sys.path. A plain path line does not run that folder's own .pth files, so
its editable-install finder for the checkout's kg stays off; a test checks that `kg` and
its data resolve inside the fresh venv, not in the checkout.

Building the wheel needs setuptools from the package registry (pip's build isolation).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph

from kg.graph.vocab import KG

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "data" / "articles" / "dev_16_russia-world-cup-boycott.txt"

# what the build must not see: caches, stores, environments, the tests' hostile inputs
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".*_cache",
    "kg-store",
    "out",
    ".ipynb_checkpoints",
    "tests",
    "notebooks",
    "benchmarks",
)


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600):
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # a copy, so that the build's build/ and egg-info never land in the checkout
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE, symlinks=True)
    out = work / "dist"
    run = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, source, cwd=work)
    assert run.returncode == 0, run.stdout + run.stderr
    (built,) = out.glob("kg-*.whl")
    return built


def _expected_wheel_files() -> set[str]:
    """Every file of kg/ and of the folders pyproject.toml maps into kg (ontology/,
    data/queries/), under the name it has in the wheel."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    folders = {"kg": "kg", **config["tool"]["setuptools"].get("package-dir", {})}
    expected = set()
    for package, folder in folders.items():
        for path in (ROOT / folder).rglob("*"):
            relative = path.relative_to(ROOT / folder)
            if path.is_file() and "__pycache__" not in relative.parts:
                expected.add(f"{package.replace('.', '/')}/{relative.as_posix()}")
    return expected


def test_packaging_wheel_holds_the_data_kg_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "kg/ontology/kg.ttl",
        "kg/ontology/shapes.ttl",
        "kg/ontology/patterns/relations.json",
        "kg/shell/shellrc",
        "kg/py.typed",
        "kg/resources/viz/network.js",
    ):
        assert required in names, required
    queries = {p.name for p in (ROOT / "data" / "queries").glob("*.rq")}
    resources = {p.name for p in (ROOT / "kg" / "resources").glob("*.json")}
    viz = {p.name for p in (ROOT / "kg" / "resources" / "viz").iterdir() if p.is_file()}
    assert queries and resources and viz
    assert {f"kg/queries/{q}" for q in queries} <= names
    assert {f"kg/resources/{r}" for r in resources} <= names
    assert {f"kg/resources/viz/{v}" for v in viz} <= names


def test_packaging_wheel_matches_the_source_tree(wheel: Path) -> None:
    # A subpackage or data file missing from pyproject.toml's lists fails here, not in a
    # user's traceback.
    shipped = {
        name
        for name in zipfile.ZipFile(wheel).namelist()
        if not name.split("/")[0].endswith(".dist-info")
    }
    expected = _expected_wheel_files()
    assert "kg/ontology/patterns/relations.json" in expected
    missing, extra = sorted(expected - shipped), sorted(shipped - expected)
    assert not missing and not extra, (
        f"not in the wheel (add them to [tool.setuptools] in pyproject.toml): {missing}; "
        f"in the wheel but not in the source: {extra}"
    )


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("installed")
    venv = base / "venv"
    run = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base)
    assert run.returncode == 0, run.stderr
    python = venv / "bin" / "python"
    run = _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "-q",
        wheel,
        cwd=base,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    probe = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run(python, "-c", probe, cwd=base).stdout.strip())
    assert site.is_dir() and base in site.parents
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_kg_test_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in sorted(ours)), encoding="utf-8"
    )
    work = base / "work"  # outside the checkout: `import kg` cannot find its kg/
    work.mkdir()
    (work / "articles").mkdir()
    shutil.copy(ARTICLE, work / "articles" / ARTICLE.name)
    return {"venv": venv, "site": site, "work": work}


def _env(installed: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    work = installed["work"]
    env.update(
        VIRTUAL_ENV=str(installed["venv"]),
        PATH=f"{installed['venv'] / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        KG_STORE=str(work / "no-default-store"),
        KG_CONFIG_DIR=str(work / "config"),
        KG_DATA_DIR=str(work / "data"),
    )
    return env


def test_packaging_installed_kg_is_the_wheel_not_the_checkout(installed: dict[str, Path]) -> None:
    probe = (
        "import kg, spacy\n"
        "from kg.resources import ontology_path, queries_folder, resource_path, rules_path\n"
        "for path in (kg.__file__, ontology_path('shapes.ttl'), rules_path(), "
        "queries_folder(), resource_path('viz'), spacy.__file__):\n"
        "    print(path)\n"
    )
    run = _run(installed["venv"] / "bin" / "python", "-c", probe, cwd=installed["work"])
    assert run.returncode == 0, run.stderr
    *ours, spacy_file = [Path(line) for line in run.stdout.splitlines()]
    for path in ours:
        assert installed["site"] in path.parents, f"{path} is not in the fresh venv"
        assert ROOT not in path.parents, f"{path} comes from the checkout"
        assert path.exists(), path
    # the dependencies come from the .pth line, i.e. the test setup is what it claims
    assert installed["site"] not in spacy_file.parents


def test_packaging_installed_kg_builds_exports_validates_and_queries(
    installed: dict[str, Path],
) -> None:
    kg, work, env = installed["venv"] / "bin" / "kg", installed["work"], _env(installed)
    store = work / "store"

    run = _run(kg, "build", "articles", "--store", store, cwd=work, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("built 1 document(s), 0 unchanged, 0 problem(s)")
    assert "boycotts" in run.stdout

    run = _run(kg, "extract", "articles", cwd=work, env=env)
    assert run.returncode == 0, run.stderr
    checkout = _run(sys.executable, "-m", "kg", "extract", work / "articles", cwd=ROOT)
    assert checkout.returncode == 0, checkout.stderr
    assert run.stdout == checkout.stdout  # same rules, gazetteers and word lists
    assert len(run.stdout.splitlines()) > 10

    run = _run(kg, "export", "--store", store, "-f", "turtle", "-o", "graph.ttl", cwd=work, env=env)
    assert run.returncode == 0, run.stderr
    graph = Graph().parse(work / "graph.ttl", format="turtle")
    assert len(list(graph.triples((None, KG.boycotts, None)))) >= 5

    run = _run(kg, "validate", "--store", store, cwd=work, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("conforms")

    run = _run(kg, "shell", "--store", store, "-e", "\\queries", cwd=work, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    listed = {line.split("|")[0].strip() for line in run.stdout.splitlines()}
    assert {p.stem for p in (ROOT / "data" / "queries").glob("*.rq")} <= listed
    assert "Traceback" not in run.stderr
