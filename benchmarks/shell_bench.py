"""Completion latency per keystroke at 100,000 and 1,000,000 names, and `kg query`'s memory
for a million rows (`make bench`; `benchmarks/run.py --only completion`).

Completion: synthetic entity names with a realistic vocabulary (words made of syllables,
some with accents, most names two or three words, mention counts Zipf-like), typed one
character at a time through the shell's own `suggest()`, exact and with typos; each
keystroke timed. The baseline is the scan that completion did before (every name folded
and compared at each keystroke), measured on the same names in the same run.

kg query: a million rows of a cross product, written as CSV and as a table to /dev/null,
peak RSS of the process; the baseline is the same query read whole into a `Result` and
formatted, as kg query did before.
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.shell.completion import CompletionData, suggest  # noqa: E402
from kg.shell.names import Entity, NameIndex  # noqa: E402

SYLLABLES = (
    "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no "
    "nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu an en in "
    "on ar er ir or el al il ol ст ös ül ça ñe ør łu ße é è ë"
).split()
KINDS = ("Person", "Organisation", "Country", "City", "Event")


def synthetic_names(count: int, seed: int = 11) -> list[tuple[Entity, list[str]]]:
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        for _ in range(max(2_000, count // 4))
    ]
    out = []
    for number in range(count):
        words = [rng.choice(vocabulary) for _ in range(rng.choice((2, 2, 3, 3, 4)))]
        label = " ".join(words)
        kind = rng.choice(KINDS)
        insert = f"{kind.lower()}:{'_'.join(words)}_{number}"
        mentions = int(1 + 1000 / (1 + rng.paretovariate(1.2) * 10))
        names = [label] + ([" ".join(words[-2:])] if rng.random() < 0.2 else [])
        out.append((Entity(insert, label, kind, mentions), names))
    return out


def _old_fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()


def old_scan(typed: str, names: list[tuple[str, str]], limit: int = 30) -> list[str]:
    """Completion before: every name folded and compared at each keystroke."""
    want = _old_fold(typed.replace("_", " "))
    ranked = []
    for name, insert in names:
        folded = _old_fold(name)
        if folded.startswith(want):
            rank = 0
        elif any(w.startswith(want) for w in re.split(r"[\s\-_'’]+", folded)):
            rank = 1
        elif len(want) >= 3 and want in folded:
            rank = 2
        else:
            continue
        ranked.append((rank, len(name), name, insert))
    ranked.sort()
    return [r[3] for r in ranked[:limit]]


def _typing(targets: list[str], rng: random.Random) -> list[str]:
    """What a user types on the way to each target: every prefix of a name, and the same
    with one letter left out (a typo)."""
    out = []
    for label in targets:
        out += [label[:n] for n in range(1, len(label) + 1)]
        words = label.split()
        word = words[-1]
        if len(word) > 4:
            cut = rng.randint(1, len(word) - 2)
            typo = " ".join(words[:-1] + [word[:cut] + word[cut + 1 :]])
            out += [typo[:n] for n in range(len(typo) - 2, len(typo) + 1)]
    return out


def completion(count: int, keystrokes: int = 600, baseline_keystrokes: int = 0) -> dict[str, Any]:
    """Per-keystroke times of `suggest()` on `count` names; the scan it replaced is timed on
    fewer keystrokes (it takes seconds each at a million names)."""
    baseline_keystrokes = baseline_keystrokes or (30 if count <= 100_000 else 5)
    entries = synthetic_names(count)
    gc.collect()
    started = time.perf_counter()
    index = NameIndex(entries)
    built = time.perf_counter() - started
    data = CompletionData(index=index)
    rng = random.Random(5)
    targets = [e.label for e, _ in rng.sample(entries, 60)]
    typed = _typing(targets, rng)[:keystrokes]
    head = "SELECT ?p WHERE { ?s ?p "
    times = []
    for text in typed:
        t0 = time.perf_counter()
        suggest(head + text, data)
        times.append(time.perf_counter() - t0)
    flat = [(n, e.insert) for e, names in entries for n in names]
    base = []
    for text in typed[:baseline_keystrokes]:
        t0 = time.perf_counter()
        old_scan(text, flat)
        base.append(time.perf_counter() - t0)
    found = sum(
        1 for label in targets if any(s.display == label for s in suggest(head + label, data)[:30])
    )
    ordered = sorted(times)
    return {
        "names": len(index),
        "build_s": round(built, 1),
        "keystrokes": len(times),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "baseline_median_ms": round(statistics.median(base) * 1000, 1),
        "targets_found": f"{found}/{len(targets)}",
    }


# -- kg query: a million rows in bounded memory -------------------------------------------------

CROSS = "SELECT ?a ?b WHERE { ?a kg:n ?x . ?b kg:n ?y }"


def _store(folder: Path, side: int) -> Path:
    import pyoxigraph as ox

    from kg.graph import store as kgstore

    path = folder / "kgstore"
    with kgstore.write(path) as st:
        graph = ox.NamedNode("https://w3id.org/kg-news/graph/bench")
        st.ox.extend(
            ox.Quad(
                ox.NamedNode(f"https://w3id.org/kg-news/id/person/P{i}"),
                ox.NamedNode("https://w3id.org/kg-news/ontology#n"),
                ox.Literal(str(i)),
                graph,
            )
            for i in range(side)
        )
    return path


# Each child reports its own peak (VmHWM) as it exits: ru_maxrss from wait4() would also
# count the pages it shared with this process before exec, which holds the name indexes.
_REPORT_PEAK = """
import atexit, sys
def _report_peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("\\nkg-bench-peak-kb " + line.split()[1] + "\\n")
atexit.register(_report_peak)
"""
_KG = (
    _REPORT_PEAK
    + """
import runpy
sys.argv = ["kg", *sys.argv[1:]]
runpy.run_module("kg", run_name="__main__", alter_sys=True)
"""
)


def _peak(args: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of a child process writing to /dev/null."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        done = subprocess.run(args, stdout=sink, stderr=subprocess.PIPE, cwd=ROOT)
    seconds = time.perf_counter() - started
    err = done.stderr.decode(errors="replace")
    if done.returncode != 0:
        raise SystemExit(f"{args} failed: {err[-2000:]}")
    peak = re.findall(r"kg-bench-peak-kb (\d+)", err)
    if not peak:
        raise SystemExit(f"{args} reported no peak: {err[-2000:]}")
    return seconds, int(peak[-1]) / 1024


_WHOLE = (
    _REPORT_PEAK
    + """
from kg.graph.results import Result, format_result
from kg.graph.store import open_store
answer = open_store(sys.argv[1]).query(sys.argv[2])
sys.stdout.write(format_result(Result.of(answer), sys.argv[3]))
"""
)


def query_memory(side: int = 1000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kg-bench-query-") as name:
        store = _store(Path(name), side)
        out: dict[str, Any] = {"rows": side * side}
        for fmt in ("csv", "table"):
            seconds, peak = _peak(
                [sys.executable, "-c", _KG, "query", "--store", str(store), "--format", fmt, CROSS]
            )
            whole_s, whole_peak = _peak([sys.executable, "-c", _WHOLE, str(store), CROSS, fmt])
            out[fmt] = {
                "streamed_s": round(seconds, 1),
                "streamed_peak_mb": round(peak),
                "whole_s": round(whole_s, 1),
                "whole_peak_mb": round(whole_peak),
            }
        return out


def run(quick: bool = False) -> dict[str, Any]:
    sizes = (10_000, 100_000) if quick else (100_000, 1_000_000)
    figures: dict[str, Any] = {}
    for size in sizes:
        figures[f"completion_{size}"] = completion(size)
        print(f"  completion, {size:,} names: {json.dumps(figures[f'completion_{size}'])}")
        gc.collect()
    figures["kg_query_rows"] = query_memory(300 if quick else 1000)
    print(f"  kg query, streamed vs whole: {json.dumps(figures['kg_query_rows'])}")
    return figures


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
