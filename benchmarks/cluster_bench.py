"""Beyond one machine, measured: `kg build --cluster` with 1 and 2 workers (the scaling
ratio), and `kg push --bulk` (Virtuoso's bulk loader) against `kg push` (Graph Store
Protocol) on the same graph of at least 1M quads.

Each measurement runs in a child process (`python -m benchmarks.cluster_bench TASK JSON`,
one JSON line out, as benchmarks/tasks.py). The cluster is started and every worker has
loaded the model before the clock starts, as the model is loaded before `kg build --jobs`
is timed: the figures are extraction throughput, not start-up. Each load goes into a
fresh Virtuoso (tests/virtuoso.py) so that neither pays for the other's data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
TESTS = ROOT / "tests"


def cluster_build(corpus: str, store: str, model: str, workers: int) -> dict[str, Any]:
    """`kg build --fresh --cluster ADDRESS` on a LocalCluster of `workers` processes (one
    thread each), started and warmed before the clock starts."""
    from distributed import Client, LocalCluster

    from kg.build import build
    from kg.cluster import busy, warm

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster, set_as_default=False)
    try:
        client.wait_for_workers(workers, timeout=120)
        names = list(client.scheduler_info(n_workers=-1)["workers"])
        client.gather([client.submit(warm, model, workers=[w], pure=False) for w in names])
        began, cpu = time.perf_counter(), time.process_time()
        report = build([corpus], store, fresh=True, cluster=cluster.scheduler_address)
        seconds, builder_cpu = time.perf_counter() - began, time.process_time() - cpu
        rss = client.run(_rss_mb)
        work = client.run(busy)
    finally:
        client.close()
        cluster.close()
    return {
        "seconds": seconds,
        "docs": len(report.built),
        "quads": report.triples,
        "problems": len(report.problems),
        "worker_rss_mb": max(rss.values()),
        "builder_rss_mb": _rss_mb(),
        "worker_cpu_seconds": sum(cpu for cpu, _ in work.values()),
        "builder_cpu_seconds": builder_cpu,
        "load_average": os.getloadavg()[0],
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def server_module() -> ModuleType:
    """tests/virtuoso.py, the throwaway Virtuoso the tests use too."""
    sys.path.insert(0, str(TESTS))
    import virtuoso

    return virtuoso


def _server(folder: Path) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    return server_module().start(folder)


def _kg(args: list[str], server: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_ENDPOINT_USER": "dba", "KG_ENDPOINT_PASSWORD": server.password}
    kg = Path(sys.executable).parent / "kg"
    return subprocess.run([str(kg), *args], env=env, capture_output=True, text=True, check=False)


def gsp_push(store: str, folder: str) -> dict[str, Any]:
    """`kg push` (Graph Store Protocol, digest auth) of the whole store into a fresh Virtuoso."""
    server = _server(Path(folder))
    try:
        began = time.perf_counter()
        done = _kg(
            ["push", "--endpoint", server.sparql, "--gsp", server.gsp, "--store", store], server
        )
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            raise SystemExit(f"kg push failed: {done.stderr[-2000:]}")
        return {"seconds": seconds, "quads": _landed(server), "said": done.stdout.strip()}
    finally:
        server.stop()


def bulk_push(store: str, folder: str) -> dict[str, Any]:
    """`kg push --bulk` of the whole store into a fresh Virtuoso (export, ld_dir,
    rdf_loader_run, checkpoint), timed from the command's start to its end."""
    server = _server(Path(folder))
    try:
        began = time.perf_counter()
        done = _kg(["push", *server_module().bulk_args(server), "--store", store], server)
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            raise SystemExit(f"kg push --bulk failed: {done.stderr[-2000:]}")
        return {"seconds": seconds, "quads": _landed(server), "said": done.stdout.strip()}
    finally:
        server.stop()


def _landed(server: Any) -> int:
    from kg.graph.remote import RemoteStore, Retry

    with RemoteStore(server.sparql, retry=Retry(tries=2, timeout=300)) as remote:
        return sum(remote.graph_counts().values())


TASKS = {"cluster_build": cluster_build, "gsp_push": gsp_push, "bulk_push": bulk_push}


if __name__ == "__main__":
    from benchmarks.tasks import run_task

    run_task(TASKS)
