"""`make bench`: kg's speed and memory, each as a ratio against a baseline measured in the
same run, each measured in a child process of its own (benchmarks/tasks.py).

1. build throughput on a generated corpus (benchmarks/corpus.py) vs spaCy's bare
   `nlp.pipe` over the same texts with the same model; `--jobs 2` vs `--jobs 1`;
2. ten analyst queries over a 1,000,000-quad graph: kg's store vs rdflib's in-memory
   Dataset and vs raw pyoxigraph on the same data;
3. load and Turtle export of that graph, vs rdflib;
4. peak RSS of each child;
5. `kg shell` start-up to its prompt vs `python -c "import rdflib"`;
6. `kg build --cluster` with 2 workers vs 1 (benchmarks/cluster_bench.py), and
   `kg push --bulk` (Virtuoso's bulk loader) vs `kg push` on the same >= 1M-quad graph;
7. the store's deduplicated default graph at 1M quads against the store before it, and
   entity lookups and the shell's completion data at 1,000 and 5,000 generated articles
   (benchmarks/store_bench.py);
8. completion per keystroke at 100,000 and 1,000,000 names vs the scan it replaced, and
   `kg query`'s peak memory for a million rows, streamed vs read whole
   (`benchmarks/shell_bench.py`);
and `benchmarks/viz_bench.py:run()` when it exists.

The machine may be busy: read the ratios, not the seconds. `--quick` runs small sizes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import write_corpus  # noqa: E402
from benchmarks.tasks import QUERIES, start_to_prompt  # noqa: E402
from kg.settings import DEFAULT_MODEL  # noqa: E402


def child(task: str, module: str = "benchmarks.tasks", **args: Any) -> dict[str, Any]:
    """Run one task of benchmarks/tasks.py (or `module`) in a fresh interpreter; its JSON
    result."""
    proc = subprocess.run(
        [sys.executable, "-m", module, task, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark task {task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def row(
    what: str, baseline: str, kg: str, ratio: float | None, goal: str, met: bool | None
) -> dict[str, Any]:
    return {
        "what": what,
        "baseline": baseline,
        "kg": kg,
        "ratio": "n/a" if ratio is None else f"{ratio:.2f}",
        "goal": goal,
        "met": "n/a" if met is None else ("yes" if met else "no"),
    }


def bench_build(tmp: Path, docs: int, model: str) -> list[dict[str, Any]]:
    corpus = tmp / "corpus"
    write_corpus(corpus, docs)
    bare = child("spacy_pipe", corpus=str(corpus), model=model)
    own = child("spacy_pipe", corpus=str(corpus), model=model, kg_pipeline=True)
    one = child("kg_build", corpus=str(corpus), store=str(tmp / "b1"), model=model, jobs=1)
    two = child("kg_build", corpus=str(corpus), store=str(tmp / "b2"), model=model, jobs=2)
    if one["problems"] or one["docs"] != docs:
        raise SystemExit(f"kg build of the generated corpus went wrong: {one}")
    rate = {
        k: r["docs"] / r["seconds"]
        for k, r in {"bare": bare, "own": own, "one": one, "two": two}.items()
    }
    print(f"  corpus: {docs} generated articles; kg build wrote {one['quads']} quads")
    print(f"  spaCy bare nlp.pipe       {rate['bare']:7.1f} docs/s  peak {bare['peak_rss_mb']} MB")
    print(f"  spaCy + kg components     {rate['own']:7.1f} docs/s  peak {own['peak_rss_mb']} MB")
    print(f"  kg build --jobs 1         {rate['one']:7.1f} docs/s  peak {one['peak_rss_mb']} MB")
    print(f"  kg build --jobs 2         {rate['two']:7.1f} docs/s  peak {two['peak_rss_mb']} MB")
    return [
        row(
            f"build throughput, {docs} articles (docs/s)",
            f"spaCy nlp.pipe {rate['bare']:.1f}",
            f"kg build {rate['one']:.1f}",
            rate["one"] / rate["bare"],
            ">= 0.8",
            rate["one"] / rate["bare"] >= 0.8,
        ),
        row(
            "build --jobs 2 vs --jobs 1 (docs/s)",
            f"--jobs 1: {rate['one']:.1f}",
            f"--jobs 2: {rate['two']:.1f}",
            rate["two"] / rate["one"],
            "> 1 (2 cores)",
            rate["two"] > rate["one"],
        ),
        row(
            "build peak RSS (MB)",
            f"spaCy {bare['peak_rss_mb']:.0f}",
            f"--jobs 1 {one['peak_rss_mb']:.0f}, --jobs 2 {two['peak_rss_mb']:.0f}",
            one["peak_rss_mb"] / bare["peak_rss_mb"],
            "report",
            None,
        ),
    ]


def bench_graph(tmp: Path, quads: int, runs: int) -> list[dict[str, Any]]:
    nq = tmp / "graph.nq"
    made = child("make_graph", nquads=str(nq), min_quads=quads)
    store = tmp / "kgstore"
    kg_load = child("kg_load", nquads=str(nq), store=str(store))
    ox_load = child("ox_load", nquads=str(nq), store=str(tmp / "oxstore"))
    kg_q = child("kg_queries", store=str(store), runs=runs)
    ox_q = child("ox_queries", store=str(store), runs=runs)
    kg_x = child("kg_export", store=str(store), out=str(tmp / "kg.ttl"))
    rdf = child("rdflib_all", nquads=str(store) + ".nq", out=str(tmp / "rdflib.ttl"), runs=runs)
    print(f"  graph: {made['quads']} generated quads + ontology = {kg_load['quads']} in the store")
    print(
        f"  {'query':26} {'rows':>6} {'rdflib s':>9} {'oxigraph s':>10} {'kg s':>8} "
        f"{'vs rdflib':>9} {'vs ox':>6}"
    )
    vs_rdflib, vs_ox = [], []
    for name in QUERIES:
        if not kg_q["rows"][name] == ox_q["rows"][name] == rdf["rows"][name]:
            raise SystemExit(
                f"engines disagree on {name}: kg {kg_q['rows'][name]}, "
                f"oxigraph {ox_q['rows'][name]}, rdflib {rdf['rows'][name]}"
            )
        k, o, r = kg_q["queries"][name], ox_q["queries"][name], rdf["queries"][name]
        vs_rdflib.append(r / k)
        vs_ox.append(k / o)
        print(
            f"  {name:26} {kg_q['rows'][name]:6d} {r:9.4f} {o:10.4f} {k:8.4f} "
            f"{r / k:8.1f}x {k / o:5.2f}x"
        )
    speedup, overhead = statistics.median(vs_rdflib), statistics.median(vs_ox)
    print(
        f"  load: kg {kg_load['seconds']:.1f} s, pyoxigraph {ox_load['seconds']:.1f} s, "
        f"rdflib {rdf['load_seconds']:.1f} s; Turtle export: kg {kg_x['seconds']:.1f} s, "
        f"rdflib {rdf['export_seconds']:.1f} s"
    )
    mb = {
        k: v["peak_rss_mb"]
        for k, v in {
            "kg_load": kg_load,
            "ox_load": ox_load,
            "kg_q": kg_q,
            "ox_q": ox_q,
            "kg_x": kg_x,
            "rdflib": rdf,
        }.items()
    }
    print("  peak RSS MB: " + ", ".join(f"{k} {v:.0f}" for k, v in mb.items()))
    n = kg_load["quads"]
    return [
        row(
            f"10 queries, {n} quads: median speed-up",
            "rdflib Dataset",
            "kg store",
            speedup,
            ">= 10x",
            speedup >= 10,
        ),
        row(
            f"10 queries, {n} quads: median time ratio",
            "raw pyoxigraph",
            "kg store",
            overhead,
            "<= 1.5",
            overhead <= 1.5,
        ),
        row(
            f"load {n} quads (s)",
            f"rdflib {rdf['load_seconds']:.1f}",
            f"kg {kg_load['seconds']:.1f} (pyoxigraph {ox_load['seconds']:.1f})",
            rdf["load_seconds"] / kg_load["seconds"],
            "speed-up, report",
            None,
        ),
        row(
            f"Turtle export of {n} quads (s)",
            f"rdflib {rdf['export_seconds']:.1f}",
            f"kg {kg_x['seconds']:.1f}",
            rdf["export_seconds"] / kg_x["seconds"],
            "speed-up, report",
            None,
        ),
        row(
            "peak RSS: load + queries (MB)",
            f"rdflib {mb['rdflib']:.0f}",
            f"kg load {mb['kg_load']:.0f}, queries {mb['kg_q']:.0f}",
            mb["rdflib"] / max(mb["kg_load"], mb["kg_q"]),
            "report",
            None,
        ),
        row(
            "peak RSS: Turtle export (MB)",
            f"rdflib {mb['rdflib']:.0f} (all in one)",
            f"kg {mb['kg_x']:.0f}",
            mb["rdflib"] / mb["kg_x"],
            "report",
            None,
        ),
    ]


def bench_shell(store: Path, runs: int) -> list[dict[str, Any]]:
    kg = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
    starts = [start_to_prompt([kg, "shell", "--store", str(store)], b"kg> ") for _ in range(runs)]
    base = [
        start_to_prompt([sys.executable, "-c", "import rdflib; print('kg> ')"], b"kg> ")
        for _ in range(runs)
    ]
    if any(s is None for s in starts) or any(b is None for b in base):
        print("  kg shell: no 'kg> ' prompt appeared; not measured")
        return [
            row(
                "kg shell start-up to prompt",
                "python -c 'import rdflib'",
                "not measured",
                None,
                "< 2x",
                None,
            )
        ]
    shell, rdflib = statistics.median(starts), statistics.median(base)  # type: ignore[type-var]
    print(f"  kg shell to prompt {shell:.2f} s; python -c 'import rdflib' {rdflib:.2f} s")
    return [
        row(
            "kg shell start-up to prompt (s)",
            f"import rdflib {rdflib:.2f}",
            f"{shell:.2f}",
            shell / rdflib,
            "< 2x",
            shell / rdflib < 2,
        )
    ]


QUICK = False  # --quick: the viz benchmark at 1,000 and 2,000 nodes


def bench_cluster(tmp: Path, docs: int, model: str) -> list[dict[str, Any]]:
    corpus = tmp / "corpus"
    if not corpus.exists():
        write_corpus(corpus, docs)
    runs = {
        n: child(
            "cluster_build",
            module="benchmarks.cluster_bench",
            corpus=str(corpus),
            store=str(tmp / f"cluster{n}"),
            model=model,
            workers=n,
        )
        for n in (1, 2)
    }
    for n, r in runs.items():
        if r["problems"] or r["docs"] != docs:
            raise SystemExit(f"kg build --cluster local:{n} went wrong: {r}")
    rate = {n: r["docs"] / r["seconds"] for n, r in runs.items()}
    for n, r in runs.items():
        print(
            f"  kg build --cluster, {n} worker(s) {rate[n]:7.1f} docs/s  worker peak "
            f"{r['worker_rss_mb']} MB, builder peak {r['builder_rss_mb']} MB; CPU per "
            f"document: workers {1000 * r['worker_cpu_seconds'] / r['docs']:.0f} ms, builder "
            f"{1000 * r['builder_cpu_seconds'] / r['docs']:.0f} ms; load average "
            f"{r['load_average']:.1f}"
        )
    # What the wall clock of a busy machine hides: the CPU each document costs a worker. With
    # a free core per worker, N workers run at N / (worker CPU per document), until the
    # builder's CPU per document is the limit.
    cpu = {n: r["worker_cpu_seconds"] / r["docs"] for n, r in runs.items()}
    return [
        row(
            f"build --cluster, 2 workers vs 1, {docs} articles (docs/s)",
            f"1 worker: {rate[1]:.1f}",
            f"2 workers: {rate[2]:.1f}",
            rate[2] / rate[1],
            ">= 1.7 (2 cores)",
            rate[2] / rate[1] >= 1.7,
        ),
        row(
            "build --cluster, worker CPU per document (ms)",
            f"1 worker: {1000 * cpu[1]:.0f}",
            f"2 workers: {1000 * cpu[2]:.0f}",
            cpu[1] / cpu[2],
            "~1 (no work added)",
            None,
        ),
        row(
            "build --cluster peak RSS (MB)",
            f"builder {runs[2]['builder_rss_mb']:.0f}",
            f"per worker {runs[2]['worker_rss_mb']:.0f}",
            None,
            "report",
            None,
        ),
    ]


def bench_bulk(tmp: Path, quads: int) -> list[dict[str, Any]]:
    if shutil.which("virtuoso-t") is None:
        print("  virtuoso-t is not installed; bulk load not measured")
        return []
    # Its own graph, 2% larger than asked: the generator's quads include a few duplicates
    # and the store's own graphs, so that at least `quads` quads land in the server.
    store = tmp / "bulkstore"
    nq = tmp / "bulk.nq"
    child("make_graph", nquads=str(nq), min_quads=quads + quads // 50)
    child("kg_load", nquads=str(nq), store=str(store))
    nq.unlink()
    gsp = child(
        "gsp_push", module="benchmarks.cluster_bench", store=str(store), folder=str(tmp / "vgsp")
    )
    bulk = child(
        "bulk_push", module="benchmarks.cluster_bench", store=str(store), folder=str(tmp / "vbulk")
    )
    for name, r in (("kg push", gsp), ("kg push --bulk", bulk)):
        print(f"  {name:15} {r['quads']} quads landed in {r['seconds']:.1f} s: {r['said']}")
    if gsp["quads"] != bulk["quads"]:
        raise SystemExit(f"the two loads disagree: {gsp['quads']} vs {bulk['quads']} quads")
    if bulk["quads"] < quads:
        print(f"  only {bulk['quads']} quads landed, fewer than the {quads} asked for")
    rate = {"gsp": gsp["quads"] / gsp["seconds"], "bulk": bulk["quads"] / bulk["seconds"]}
    return [
        row(
            f"load {bulk['quads']} quads into Virtuoso (quads/s)",
            f"kg push {rate['gsp']:,.0f}",
            f"kg push --bulk {rate['bulk']:,.0f}",
            rate["bulk"] / rate["gsp"],
            "speed-up, report",
            None,
        )
    ]


def bench_viz() -> list[dict[str, Any]]:
    path = ROOT / "benchmarks" / "viz_bench.py"
    if not path.exists():
        print("  benchmarks/viz_bench.py not present; skipped")
        return []
    spec = importlib.util.spec_from_file_location("viz_bench", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.run(1000, 2000) if QUICK else module.run()
    for key, value in (figures or {}).items():
        print(f"  {key}: {value}")
    return module.rows(figures, row) if hasattr(module, "rows") else []


def bench_completion(quick: bool) -> list[dict[str, Any]]:
    from benchmarks.shell_bench import run as shell_figures

    figures = shell_figures(quick=quick)
    rows = []
    for key, fig in figures.items():
        if not key.startswith("completion_"):
            continue
        names = fig["names"]
        rows.append(
            row(
                f"completion per keystroke, {names:,} names (ms)",
                f"scan: median {fig['baseline_median_ms']}",
                f"median {fig['median_ms']}, p95 {fig['p95_ms']}, max {fig['max_ms']}"
                f" (index built in {fig['build_s']} s)",
                fig["baseline_median_ms"] / fig["median_ms"] if fig["median_ms"] else None,
                "p95 < 50 ms",
                fig["p95_ms"] < 50,
            )
        )
    q = figures["kg_query_rows"]
    for fmt in ("csv", "table"):
        f = q[fmt]
        rows.append(
            row(
                f"kg query, {q['rows']:,} rows as {fmt}: peak RSS (MB)",
                f"read whole: {f['whole_peak_mb']} ({f['whole_s']} s)",
                f"streamed: {f['streamed_peak_mb']} ({f['streamed_s']} s)",
                f["whole_peak_mb"] / f["streamed_peak_mb"],
                "bounded, report",
                None,
            )
        )
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    head = ["what", "baseline", "kg", "ratio", "goal", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes (100 articles, 100,000 quads), for a smoke run",
    )
    parser.add_argument("--docs", type=int, default=None, help="articles to build (1000)")
    parser.add_argument("--quads", type=int, default=None, help="graph size (1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument(
        "--only",
        choices=["build", "graph", "shell", "viz", "cluster", "bulk", "store", "completion"],
        action="append",
        help="run only these parts (repeatable)",
    )
    parser.add_argument(
        "--cap", type=float, default=300, help="seconds a lookup on the old store may take"
    )
    args = parser.parse_args()
    global QUICK
    QUICK = args.quick
    docs = args.docs or (100 if args.quick else 1000)
    quads = args.quads or (100_000 if args.quick else 1_000_000)
    parts = args.only or [
        "build",
        "graph",
        "shell",
        "viz",
        "cluster",
        "bulk",
        "store",
        "completion",
    ]
    print(f"kg benchmarks on {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as name:
        tmp = Path(name)
        if "build" in parts:
            print("1. build")
            rows += bench_build(tmp, docs, args.model)
        if "graph" in parts:
            print("2-4. queries, load, export, memory")
            rows += bench_graph(tmp, quads, args.runs)
        if "shell" in parts:
            print("5. kg shell")
            store = tmp / "b1" if (tmp / "b1").exists() else tmp / "kgstore"
            if not store.exists():
                child(
                    "kg_build",
                    corpus=str(ROOT / "data" / "articles"),
                    store=str(store),
                    model=args.model,
                    jobs=1,
                )
            rows += bench_shell(store, args.runs)
        if "viz" in parts:
            print("viz")
            rows += bench_viz()
        if "cluster" in parts:
            print("6. kg build --cluster")
            rows += bench_cluster(tmp, docs, args.model)
        if "bulk" in parts:
            print("6. kg push --bulk vs kg push")
            rows += bench_bulk(tmp, quads)
        if "store" in parts:
            from benchmarks.store_bench import run as bench_store

            print("7. the store: deduplicated default graph, lookups, completion data")
            sizes = (100, 500) if args.quick else (1000, 5000)
            rows += bench_store(tmp, quads, sizes, args.runs, args.cap)
        if "completion" in parts:
            print("8. completion and kg query streaming")
            rows += bench_completion(args.quick)
    print(f"\n{markdown(rows)}\n\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
