"""`make bench`, the store part (`benchmarks/run.py --only store`):

1. what the deduplicated default graph costs, on a graph of about 1,000,000 quads: building
   it (the store side of `kg build`: batches of quads added, then publish), loading it,
   the ten analyst queries, an incremental build, a `kg remove`, an update, and the disk;
   each against the store as it was before (format 1: named graphs only, queries over
   Oxigraph's union, which repeats a triple once per graph), measured in the same run
   with that module (`git show BEFORE:kg/graph/store.py`);
2. an entity lookup (`kg.graph.lookup.find_entities`, what `\\describe`, `kg path` and
   `viz --around` run) and the shell's completion data (`load_completion_data`, and
   `GraphStore.names()`, the name index it can read instead) at 1,000 and 5,000 generated
   articles (`benchmarks/corpus.py`), the first against format 1 too where it finishes in
   `--cap` seconds.

Each measurement runs in a child process of its own:
`python -m benchmarks.store_bench TASK '{"json": "args"}'` prints one JSON line.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# the last commit whose store had no deduplicated default graph (format 1)
BEFORE = "6a788e4"
BATCH = 20_000  # quads per rdflib-term `add` (kg build now loads N-Quads text, 50,000 a batch)


def _child(task: str, timeout: float | None = None, **args: Any) -> dict[str, Any]:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.store_bench", task, json.dumps(args)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if proc.returncode != 0:
        raise SystemExit(f"store benchmark task {task} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _store_module(impl: str) -> ModuleType:
    """kg.graph.store as it is ("now"), or as it was at BEFORE ("before")."""
    if impl == "now":
        import kg.graph.store

        return kg.graph.store
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:kg/graph/store.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"kg_store_{BEFORE}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("kg_store_before", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _du_mb(path: Path) -> float:
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return round(total / 1e6, 1)


def _articles(count: int, start: int = 0) -> Iterator[Any]:
    from benchmarks.corpus import generate
    from kg.graph.rdf import document_quads

    for art in generate(count, start=start):
        yield from document_quads(art.truth)


def _quads_for(min_quads: int) -> int:
    """How many generated articles hold at least `min_quads` quads."""
    from benchmarks.corpus import generate
    from kg.graph.rdf import document_quads

    total = 0
    for number, art in enumerate(generate(10**9), 1):
        total += sum(1 for _ in document_quads(art.truth))
        if total >= min_quads:
            return number
    raise AssertionError("unreachable")


# -- tasks (each in its own process) ------------------------------------------------------


def task_articles_for(min_quads: int) -> dict[str, Any]:
    return {"articles": _quads_for(min_quads)}


def task_nquads(articles: int, out: str) -> dict[str, Any]:
    import pyoxigraph as ox

    from kg.graph.terms import to_ox

    count = 0

    def quads() -> Iterator[Any]:
        nonlocal count
        for q in _articles(articles):
            count += 1
            yield ox.Quad(*(to_ox(t) for t in q))

    with open(out, "wb") as handle:
        ox.serialize(quads(), handle, ox.RdfFormat.N_QUADS)
    return {"quads": count}


def task_build(impl: str, store: str, articles: int) -> dict[str, Any]:
    """The store side of `kg build --fresh`: `add` in batches, then publish."""
    module = _store_module(impl)
    adding = 0.0
    started = time.perf_counter()
    with module.write(store, fresh=True) as st:
        batch: list[Any] = []
        for quad in _articles(articles):
            batch.append(quad)
            if len(batch) >= BATCH:
                t = time.perf_counter()
                st.add(batch)
                adding += time.perf_counter() - t
                batch = []
        t = time.perf_counter()
        st.add(batch)
        adding += time.perf_counter() - t
        publish = time.perf_counter()
    done = time.perf_counter()
    gen = (Path(store) / "current").resolve()
    return {
        "seconds": adding + (done - publish),
        "add": adding,
        "publish": done - publish,
        "wall": done - started,
        "disk_mb": _du_mb(gen),
    }


def task_load(impl: str, store: str, nquads: str) -> dict[str, Any]:
    import pyoxigraph as ox

    module = _store_module(impl)
    started = time.perf_counter()
    with module.write(store, fresh=True) as st:
        if impl == "now":
            st.load(nquads)
        else:
            st.ox.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "disk_mb": _du_mb((Path(store) / "current").resolve())}


def task_queries(impl: str, store: str, runs: int) -> dict[str, Any]:
    from benchmarks.tasks import QUERIES, median_time

    st = _store_module(impl).open_store(store)
    times, rows = {}, {}
    queries = dict(QUERIES)
    queries["count-boycotts"] = "SELECT (COUNT(*) AS ?n) WHERE { ?s kg:boycotts ?o }"
    for name, text in queries.items():
        answer = list(st.query(text))
        rows[name] = int(answer[0][0].value) if name.startswith("count") else len(answer)
        times[name] = median_time(lambda text=text: list(st.query(text)), runs)
    return {"seconds": sum(times.values()), "queries": times, "rows": rows}


def task_incremental(impl: str, store: str, start: int, articles: int) -> dict[str, Any]:
    """A build of `articles` new articles into the big store, then `kg remove` of them."""
    from kg.graph.rdf import graph_iri

    module = _store_module(impl)
    started = time.perf_counter()
    with module.write(store) as st:
        st.add(list(_articles(articles, start)))
    added = time.perf_counter() - started
    started = time.perf_counter()
    with module.write(store) as st:
        for number in range(start, start + articles):
            st.remove_graph(graph_iri(f"gen-{number:06d}"))
    return {"seconds": added, "add": added, "remove": time.perf_counter() - started}


def task_update(store: str) -> dict[str, Any]:
    """One triple deleted in one graph, by `GraphStore.update` (its two scans included)."""
    module = _store_module("now")
    st = module.open_store(store)
    row = next(iter(st.query("SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s kg:condemns ?o } } LIMIT 1")))
    triple = f"<{row['s'].value}> kg:condemns <{row['o'].value}>"
    sparql = f"DELETE DATA {{ GRAPH <{row['g'].value}> {{ {triple} }} }}"
    del st
    started = time.perf_counter()
    with module.write(store) as view:
        view.update(sparql)
    return {"seconds": time.perf_counter() - started}


def task_lookup(impl: str, store: str) -> dict[str, Any]:
    from kg.graph.lookup import find_entities
    from kg.shell.completion import load_completion_data

    module = _store_module(impl)
    st = module.open_store(store)
    # the entity most documents mention: where a lookup over the union cost the most
    mentions = st.query(
        "SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d kg:mentions ?e } GROUP BY ?e"
        " ORDER BY DESC(?n) LIMIT 1"
    )
    top = next(iter(mentions))
    label = next(
        iter(st.query("SELECT ?e ?l WHERE { ?e skos:prefLabel ?l } LIMIT 1", {"e": top["e"]}))
    )
    name = label["l"].value
    started = time.perf_counter()
    hits = find_entities(st, name)
    lookup = time.perf_counter() - started
    started = time.perf_counter()
    data = load_completion_data(st)
    completion = time.perf_counter() - started
    result = {
        "seconds": lookup,
        "name": name,
        "documents": int(top["n"].value),
        "hits": len(hits),
        "lookup": lookup,
        "completion": completion,
        "entities": len(data.entities),
    }
    if hasattr(st, "names"):
        started = time.perf_counter()
        result["index_rows"] = sum(1 for _ in st.names())
        result["names"] = time.perf_counter() - started
    return result


def task_format_one(nquads: str, store: str) -> dict[str, Any]:
    """A format-1 store of the same graph, for the lookups before (the old module's load)."""
    return task_load("before", store, nquads)


TASKS = {
    "articles_for": task_articles_for,
    "nquads": task_nquads,
    "build": task_build,
    "load": task_load,
    "queries": task_queries,
    "incremental": task_incremental,
    "update": task_update,
    "lookup": task_lookup,
    "format_one": task_format_one,
}


# -- the report ----------------------------------------------------------------------------


def run(
    tmp: Path, quads: int, sizes: tuple[int, ...], runs: int, cap: float
) -> list[dict[str, Any]]:
    """Measure; print the figures; return rows for benchmarks/run.py's table."""
    from benchmarks.run import row

    rows: list[dict[str, Any]] = []
    articles = _child("articles_for", min_quads=quads)["articles"]
    nq = tmp / "store-bench.nq"
    made = _child("nquads", articles=articles, out=str(nq))
    print(f"  graph: {articles} generated articles, {made['quads']} quads")
    build = {
        impl: _child("build", impl=impl, store=str(tmp / f"build-{impl}"), articles=articles)
        for impl in ("before", "now")
    }
    load = {
        impl: _child("load", impl=impl, store=str(tmp / f"load-{impl}"), nquads=str(nq))
        for impl in ("before", "now")
    }
    query = {
        impl: _child("queries", impl=impl, store=str(tmp / f"load-{impl}"), runs=runs)
        for impl in ("before", "now")
    }
    inc = {
        impl: _child(
            "incremental", impl=impl, store=str(tmp / f"load-{impl}"), start=articles, articles=20
        )
        for impl in ("before", "now")
    }
    update = _child("update", store=str(tmp / "load-now"))
    b, n = build["before"], build["now"]
    print(
        f"  build (store side): before {b['seconds']:.1f} s (add {b['add']:.1f}, publish"
        f" {b['publish']:.1f}), now {n['seconds']:.1f} s (add {n['add']:.1f}, publish"
        f" {n['publish']:.1f}); disk {b['disk_mb']} MB -> {n['disk_mb']} MB"
    )
    print(f"  load: before {load['before']['seconds']:.1f} s, now {load['now']['seconds']:.1f} s")
    print(f"  {'query':26} {'rows before':>11} {'rows now':>9} {'before s':>9} {'now s':>8}")
    for name in query["now"]["queries"]:
        print(
            f"  {name:26} {query['before']['rows'][name]:11d} {query['now']['rows'][name]:9d}"
            f" {query['before']['queries'][name]:9.4f} {query['now']['queries'][name]:8.4f}"
        )
    print(
        f"  20 more articles: before {inc['before']['add']:.1f} s, now {inc['now']['add']:.1f} s;"
        f" removing them: before {inc['before']['remove']:.1f} s, now {inc['now']['remove']:.1f} s;"
        f" an update (one triple, GRAPH) now {update['seconds']:.1f} s"
    )
    import statistics

    ratios = [
        query["now"]["queries"][k] / query["before"]["queries"][k] for k in query["now"]["queries"]
    ]
    counts = query["before"]["rows"]["count-boycotts"], query["now"]["rows"]["count-boycotts"]
    rows += [
        row(
            f"store build, {made['quads']} quads (s)",
            f"before {b['seconds']:.1f}",
            f"{n['seconds']:.1f}",
            n["seconds"] / b["seconds"],
            "report",
            None,
        ),
        row(
            f"load {made['quads']} quads (s)",
            f"before {load['before']['seconds']:.1f}",
            f"{load['now']['seconds']:.1f}",
            load["now"]["seconds"] / load["before"]["seconds"],
            "report",
            None,
        ),
        row(
            "store on disk (MB)",
            f"before {b['disk_mb']}",
            f"{n['disk_mb']}",
            n["disk_mb"] / b["disk_mb"],
            "report",
            None,
        ),
        row(
            "11 queries: median time ratio",
            "before (union)",
            "deduplicated",
            statistics.median(ratios),
            "<= 1",
            statistics.median(ratios) <= 1,
        ),
        row(
            "COUNT of kg:boycotts",
            f"before {counts[0]} (repeats)",
            f"{counts[1]} (distinct)",
            None,
            "distinct",
            counts[1] < counts[0],
        ),
        row(
            "20 more articles (s)",
            f"before {inc['before']['add']:.1f}",
            f"{inc['now']['add']:.1f}",
            inc["now"]["add"] / inc["before"]["add"],
            "report",
            None,
        ),
        row(
            "kg remove of 20 (s)",
            f"before {inc['before']['remove']:.1f}",
            f"{inc['now']['remove']:.1f}",
            inc["now"]["remove"] / inc["before"]["remove"],
            "report",
            None,
        ),
        row("update of one triple (s)", "n/a", f"{update['seconds']:.1f}", None, "report", None),
    ]
    for size in sizes:
        nq = tmp / f"articles-{size}.nq"
        made = _child("nquads", articles=size, out=str(nq))
        _child("load", impl="now", store=str(tmp / f"a{size}-now"), nquads=str(nq))
        now = _child("lookup", impl="now", store=str(tmp / f"a{size}-now"))
        _child("format_one", nquads=str(nq), store=str(tmp / f"a{size}-before"))
        before = _child("lookup", timeout=cap, impl="before", store=str(tmp / f"a{size}-before"))
        shown = (
            f"> {cap:.0f} s (stopped)"
            if "timeout" in before
            else f"lookup {before['lookup']:.2f} s, completion {before['completion']:.2f} s"
        )
        print(
            f"  {size} articles ({made['quads']} quads), {now['name']!r} in {now['documents']}"
            f" documents: lookup {now['lookup']:.3f} s, completion data {now['completion']:.2f} s"
            f" ({now['entities']} names), name index {now['names']:.3f} s; before: {shown}"
        )
        rows += [
            row(
                f"entity lookup, {size} articles (s)",
                "before " + (f"> {cap:.0f}" if "timeout" in before else f"{before['lookup']:.2f}"),
                f"{now['lookup']:.3f}",
                None if "timeout" in before else now["lookup"] / before["lookup"],
                "< 1 s",
                now["lookup"] < 1,
            ),
            row(
                f"shell completion data, {size} articles (s)",
                "before "
                + (f"> {cap:.0f}" if "timeout" in before else f"{before['completion']:.2f}"),
                f"query {now['completion']:.2f}, index {now['names']:.3f}",
                None if "timeout" in before else now["completion"] / before["completion"],
                "< 1 s",
                min(now["completion"], now["names"]) < 1,
            ),
        ]
    return rows


if __name__ == "__main__":
    from benchmarks.tasks import run_task

    run_task(TASKS)
