"""`kg push --bulk` (kg/graph/bulk.py) against Debian's Virtuoso, started for this module on
loopback ports (tests/virtuoso.py): the bulk loader's graphs equal the store's, a re-run
replaces instead of doubling, failures are one coded line. Without `virtuoso-t` the module
is skipped, except under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import virtuoso as vt

from kg.build import build
from kg.errors import KgError
from kg.graph.bulk import Isql, _sql_string, find_isql
from kg.graph.remote import ENV_PASSWORD, ENV_USER, RemoteStore, Retry
from kg.graph.store import open_store

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "data" / "articles"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[vt.Virtuoso]:
    yield from vt.module_server(tmp_path_factory)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus")
    for path in sorted(ARTICLES.glob("*.txt"))[:3]:
        (corpus / path.name).write_bytes(path.read_bytes())
    path = tmp_path_factory.mktemp("store") / "kg-store"
    assert not build([corpus], path).problems
    return path


def kg(*args: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, ENV_USER: vt.USER, ENV_PASSWORD: password}
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], env=env, capture_output=True, text=True, timeout=300
    )


def bulk(server: vt.Virtuoso, store: Path, *extra: str, password: str | None = None):  # type: ignore[no-untyped-def]
    return kg(
        "push",
        *vt.bulk_args(server),
        "--store",
        str(store),
        *extra,
        password=password or server.password,
    )


def counts(server: vt.Virtuoso) -> dict[str, int]:
    with RemoteStore(server.sparql, retry=Retry(tries=2, backoff=0.1, timeout=30)) as remote:
        return remote.graph_counts()


def test_bulk_loads_every_graph_of_the_store_and_a_rerun_replaces(
    virtuoso: vt.Virtuoso, store: Path
) -> None:
    # the named graphs (the store's deduplicated default graph is no document's and stays home)
    expected = dict(
        Counter(
            q.graph_name.value
            for q in open_store(store).ox
            if isinstance(q.graph_name, ox.NamedNode)
        )
    )
    total = sum(expected.values())
    first = bulk(virtuoso, store)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(
        f"bulk-loaded {total} quads in {len(expected)} graph(s) (the store has {total}); "
    )
    assert counts(virtuoso) == expected  # one named graph per document, and the ontology
    again = bulk(virtuoso, store)
    assert again.returncode == 0, again.stderr
    assert f"replaced {len(expected)} graph(s)" in again.stdout
    assert counts(virtuoso) == expected  # replaced, not doubled (blank nodes included)
    assert list((virtuoso.folder / "load").iterdir()) == []  # the file is removed


def test_bulk_wrong_password_is_one_coded_line(virtuoso: vt.Virtuoso, store: Path) -> None:
    done = bulk(virtuoso, store, password="not-the-password")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith(
        f"error E145: Virtuoso's isql at 127.0.0.1:{virtuoso.sql_port} failed: "
    )
    assert "Bad login" in done.stderr and "Traceback" not in done.stderr
    assert "not-the-password" not in done.stderr + done.stdout
    assert list((virtuoso.folder / "load").iterdir()) == []


def test_bulk_needs_a_load_dir_and_an_isql(tmp_path: Path, store: Path) -> None:
    done = kg("push", "--bulk", "--endpoint", "http://127.0.0.1:9/sparql", password="x")
    assert done.returncode == 2 and "--bulk needs --load-dir" in done.stderr
    with pytest.raises(KgError) as err:
        find_isql("no-such-isql-program")
    assert err.value.code == "E144" and "--isql-program" in str(err.value)
    with pytest.raises(KgError) as err:
        Isql("127.0.0.1:1", "dba", "pw", program="no-such-isql-program")
    assert err.value.code == "E144"


def test_bulk_refuses_iris_that_could_break_out_of_the_script() -> None:
    assert _sql_string("https://w3id.org/kg-news/graph/O'Brien") == (
        "'https://w3id.org/kg-news/graph/O''Brien'"
    )
    for bad in ("a';DROP TABLE x;--", "a b", "x\ny", "g;h"):
        with pytest.raises(KgError) as err:
            _sql_string(bad)
        assert err.value.code == "E098"
    assert _sql_string("https://w3id.org/kg-news/graph/dev_01") == (
        "'https://w3id.org/kg-news/graph/dev_01'"
    )
