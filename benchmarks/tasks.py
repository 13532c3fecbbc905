"""What `benchmarks/run.py` measures, one task per child process so that each peak RSS is
its own: `python -m benchmarks.tasks NAME '{"json": "args"}'` prints one JSON line with
`seconds` (the timed part only: no interpreter start, no model load) and `peak_rss_mb`.
"""

from __future__ import annotations

import contextlib
import json
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Ten questions an analyst asks, in the project's model (docs/rdf-model.md). The
# generated graph holds these countries: pycountry names every one of them. DISTINCT where
# an entity's labels repeat across document graphs: Oxigraph's union default graph keeps
# one solution per graph, rdflib's merges them.
QUERIES: dict[str, str] = {
    "lookup-label": 'SELECT DISTINCT ?e ?kind WHERE { ?e skos:prefLabel "France" ; a ?kind }',
    "lookup-edges": "SELECT DISTINCT ?p ?o WHERE { country:FRA ?p ?o }",
    "join-boycotts-by-doc": (
        "SELECT ?c ?event ?doc ?date WHERE { ?x rdf:subject ?c ; rdf:predicate kg:boycotts ;"
        " rdf:object ?event ; kg:document ?doc . ?doc dcterms:date ?date }"
    ),
    "join-co-mentions": (
        "SELECT ?doc ?title WHERE { ?doc kg:mentions country:FRA, country:DEU ;"
        " dcterms:title ?title }"
    ),
    "aggregate-relations": (
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?e a kg:Evidence ; rdf:predicate ?p }"
        " GROUP BY ?p ORDER BY DESC(?n)"
    ),
    "aggregate-top-mentioned": (
        "SELECT ?e (COUNT(?d) AS ?n) WHERE { ?d kg:mentions ?e } GROUP BY ?e"
        " ORDER BY DESC(?n) LIMIT 10"
    ),
    "path-support-chain": "SELECT DISTINCT ?x WHERE { country:FRA kg:supports+ ?x }",
    "path-condemned-allies": (
        "SELECT DISTINCT ?x WHERE { country:FRA kg:supports/kg:condemns ?x }"
    ),
    "evidence-of-edges": (
        "SELECT ?o ?sentence ?doc WHERE { ?e rdf:subject country:FRA ;"
        " rdf:predicate kg:condemns ; rdf:object ?o ; kg:sentence ?sentence ;"
        " kg:document ?doc }"
    ),
    "evidence-of-statements": (
        "SELECT ?who ?text ?pattern WHERE { ?who kg:said ?s . ?s kg:text ?text ."
        " ?e rdf:object ?s ; kg:pattern ?pattern ; kg:attributedTo ?by }"
        " ORDER BY ?who LIMIT 100"
    ),
}


def peak_rss_mb() -> float:
    """The largest of this process's peak RSS and its finished children's (spaCy workers)."""
    own = children = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    except OSError:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(max(own, children), 1)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn: Callable[[], object], runs: int, cap_s: float = 2.0) -> float:
    """Median of `runs` runs; one run only when it alone takes longer than `cap_s`."""
    first = timed(fn)
    if first > cap_s or runs <= 1:
        return first
    return statistics.median([first] + [timed(fn) for _ in range(runs - 1)])


# -- 1. build -------------------------------------------------------------------------
def _texts(corpus: str) -> list[str]:
    from kg.extraction.documents import iter_documents
    from kg.model import Document

    return [d.text for d in iter_documents([corpus]) if isinstance(d, Document)]


def spacy_pipe(corpus: str, model: str, kg_pipeline: bool = False) -> dict[str, Any]:
    """spaCy's bare `nlp.pipe` (or with kg's added components) over the corpus texts."""
    import spacy

    from kg.extraction.nlp import load_pipeline

    texts = _texts(corpus)
    nlp = load_pipeline(model) if kg_pipeline else spacy.load(model)
    list(nlp.pipe(texts[:4]))  # warm up
    seconds = timed(lambda: [None for _ in nlp.pipe(texts, batch_size=16)])
    return {"seconds": seconds, "docs": len(texts)}


def kg_build(corpus: str, store: str, model: str, jobs: int) -> dict[str, Any]:
    """`kg build --fresh --jobs N` over the corpus, model loaded beforehand as spaCy's is."""
    from kg.build import build
    from kg.extraction.pipeline import Extractor

    ex = Extractor(model)
    list(ex.nlp.pipe(_texts(corpus)[:4]))  # warm up, as for spaCy
    report: list[Any] = []
    seconds = timed(
        lambda: report.append(build([corpus], store, fresh=True, jobs=jobs, extractor=ex))
    )
    return {
        "seconds": seconds,
        "docs": len(report[0].built),
        "quads": report[0].triples,
        "problems": len(report[0].problems),
    }


# -- 2-3. load, queries, export -----------------------------------------------------------
def make_graph(nquads: str, min_quads: int) -> dict[str, Any]:
    from benchmarks.corpus import write_nquads

    count = write_nquads(Path(nquads), min_quads)
    return {"seconds": 0.0, "quads": count}


def kg_load(nquads: str, store: str) -> dict[str, Any]:
    """Load N-Quads into a kg store (a new generation, published atomically), then dump the
    store as N-Quads (with its ontology graph) for the other engines to load."""
    import pyoxigraph as ox

    from kg.graph.store import open_store, write

    def load() -> None:
        with write(store, fresh=True) as st:
            st.ox.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)

    seconds = timed(load)
    st = open_store(store)
    st.export("nquads", store + ".nq")
    return {"seconds": seconds, "quads": len(st)}


def ox_load(nquads: str, store: str) -> dict[str, Any]:
    import pyoxigraph as ox

    def load() -> None:
        db = ox.Store(store)
        db.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
        db.flush()

    return {"seconds": timed(load)}


def kg_queries(store: str, runs: int) -> dict[str, Any]:
    from kg.graph.store import open_store

    st = open_store(store)
    return _run_queries(lambda q: list(st.query(q)), runs)


def ox_queries(store: str, runs: int) -> dict[str, Any]:
    """The same generation opened with pyoxigraph directly: what kg's wrapper costs."""
    from kg.graph.store import open_store
    from kg.graph.vocab import PREFIXES

    st = open_store(store)
    db, options = st.ox, st.query_options  # the deduplicated default graph, as kg reads it
    return _run_queries(lambda q: list(db.query(q, prefixes=PREFIXES, **options)), runs)


def _run_queries(run: Callable[[str], list[Any]], runs: int) -> dict[str, Any]:
    times, rows = {}, {}
    for name, text in QUERIES.items():
        rows[name] = len(run(text))
        times[name] = median_time(lambda text=text: run(text), runs)  # type: ignore[misc]
    return {"seconds": sum(times.values()), "queries": times, "rows": rows}


def kg_export(store: str, out: str) -> dict[str, Any]:
    from kg.export import export_file

    return {"seconds": timed(lambda: export_file(Path(store), "turtle", Path(out)))}


def rdflib_all(nquads: str, out: str, runs: int) -> dict[str, Any]:
    """rdflib's in-memory Dataset (union default graph): load, the ten queries, Turtle."""
    import warnings

    from rdflib import Dataset

    from kg.graph.vocab import PREFIXES

    warnings.simplefilter("ignore", DeprecationWarning)
    header = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    ds = Dataset(default_union=True)
    load = timed(lambda: ds.parse(nquads, format="nquads"))
    result = _run_queries(lambda q: list(ds.query(header + q)), runs)
    result["load_seconds"] = load
    result["export_seconds"] = timed(lambda: ds.serialize(out, format="turtle"))
    return result


# -- 5. shell --------------------------------------------------------------------------
ANSI_CODE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def start_to_prompt(argv: list[str], prompt: bytes, timeout_s: float = 60.0) -> float | None:
    """Seconds from fork to `prompt` on the child's terminal (a pty); None if it never
    shows (the child exited or `timeout_s` passed). The child is ended either way."""
    import os
    import pty
    import select
    import signal

    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    seen = b""
    found: float | None = None
    try:
        while time.perf_counter() - start < timeout_s:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            # prompt_toolkit draws the prompt between terminal escape codes
            if prompt.strip() in ANSI_CODE.sub(b"", seen):
                found = time.perf_counter() - start
                break
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        os.close(fd)
    return found


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "spacy_pipe": spacy_pipe,
    "kg_build": kg_build,
    "make_graph": make_graph,
    "kg_load": kg_load,
    "ox_load": ox_load,
    "kg_queries": kg_queries,
    "ox_queries": ox_queries,
    "kg_export": kg_export,
    "rdflib_all": rdflib_all,
}


def run_task(tasks: dict[str, Any]) -> None:
    """A child process's entry point: `python -m MODULE NAME JSON-ARGS` runs `tasks[NAME]`
    and writes its result, with the child's peak RSS, as the last line of stdout."""
    name, args = sys.argv[1], json.loads(sys.argv[2])
    result = tasks[name](**args)
    result["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    run_task(TASKS)
