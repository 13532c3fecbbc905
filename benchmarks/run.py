"""`make bench`: speed figures as ratios against a baseline measured in the same run.

1. Relation stage overhead: the whole extraction (spaCy + mentions + entities + rules)
   against spaCy's own `nlp.pipe` over the same texts with the same pipeline.
2. Store load and Turtle export: kg's Oxigraph store against rdflib's in-memory Graph on
   the graph built from the same corpus.

Timings are medians of several runs; the machine is noisy, so read the ratios.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.documents import Document, iter_documents  # noqa: E402
from kg.pipeline import Extractor  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def corpus(copies: int) -> list[Document]:
    docs = [d for d in iter_documents([ROOT / "data" / "articles"]) if isinstance(d, Document)]
    return [Document(id=f"{d.id}-{i}", text=d.text, title=d.title, date=d.date)
            for i in range(copies) for d in docs]


def relation_overhead(docs: list[Document], runs: int) -> dict[str, float]:
    ex = Extractor()
    texts = [d.text for d in docs]
    ex.nlp.pipe(texts[:2])  # warm up
    base = timed(lambda: list(ex.nlp.pipe(texts, batch_size=16)), runs)
    full = timed(lambda: list(ex(docs, batch_size=16)), runs)
    return {"spacy_s": base, "kg_extract_s": full, "overhead": full / base - 1,
            "docs_per_s": len(docs) / full}


def store_vs_rdflib(docs: list[Document], runs: int) -> dict[str, float]:
    import pyoxigraph as ox
    from rdflib import Dataset

    from kg.build import build
    from kg.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        build([ROOT / "data" / "articles"], Path(tmp) / "s")
        store = open_store(Path(tmp) / "s")
        buf = io.BytesIO()
        store.export("nquads", buf)
        data = buf.getvalue()
        quads = len(data.splitlines())

        def ox_load() -> None:
            s = ox.Store()
            s.load(data, format=ox.RdfFormat.N_QUADS)

        def rdflib_load() -> None:
            Dataset().parse(data=data.decode(), format="nquads")

        def ox_turtle() -> None:
            store.export("turtle", io.BytesIO())

        graph = Dataset()
        graph.parse(data=data.decode(), format="nquads")

        def rdflib_turtle() -> None:
            graph.serialize(format="trig")

        return {"quads": quads,
                "load_speedup": timed(rdflib_load, runs) / timed(ox_load, runs),
                "export_speedup": timed(rdflib_turtle, runs) / timed(ox_turtle, runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=5, help="copies of data/articles")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    docs = corpus(args.copies)
    rel = relation_overhead(docs, args.runs)
    print(f"corpus: {len(docs)} documents ({args.copies} copies of data/articles)")
    print(f"spaCy nlp.pipe            {rel['spacy_s']:.2f} s (baseline)")
    print(f"kg extraction             {rel['kg_extract_s']:.2f} s  "
          f"({rel['docs_per_s']:.1f} docs/s)")
    print(f"relation-stage overhead   {rel['overhead'] * 100:.1f}% of spaCy's time "
          f"(target <= 25%)")
    st = store_vs_rdflib(docs, args.runs)
    print(f"store: {st['quads']} quads; load speed-up vs rdflib {st['load_speedup']:.1f}x; "
          f"export speed-up vs rdflib {st['export_speedup']:.1f}x")


if __name__ == "__main__":
    main()
