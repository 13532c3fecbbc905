"""Reliability (issue 7): hostile input, a build killed at random moments, two builds at
once, a full disk and a read-only store. Nothing may crash, hang or lose the previous graph.

Child processes come from a fork server that loaded spaCy once (tests/reliability_child.py),
so each trial costs a store write, not a model load. Figures (time, peak memory, outcomes)
are printed; run with `-s` to see them.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import reliability_child

from kg.build import build
from kg.errors import KgError
from kg.extraction.pipeline import Extractor
from kg.graph.store import open_store

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
KG = Path(sys.executable).parent / "kg"


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["reliability_child"])
    return ctx


CTX = _context()
ERROR_LINE = re.compile(r"^error E\d{3}: .+: .+$")
WARNING_LINE = re.compile(r"^warning W\d{3}: .+: .+$")


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return reliability_child.EXTRACTOR


def digest(store: Path) -> str:
    """The store's content, independent of how it is laid out on disk."""
    st = open_store(store)
    lines = sorted(str(q) for q in st.ox.quads_for_pattern(None, None, None, None))
    del st
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _article(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


# -- hostile input ----------------------------------------------------------------------


def hostile_corpus(root: Path) -> Path:
    """The committed small fixtures plus what is generated: big files, a FIFO, a symlink
    loop, an unreadable file, deeply nested HTML and a sentence without an end."""
    corpus = root / "hostile"
    shutil.copytree(HOSTILE, corpus)
    with (corpus / "fifty-megabytes.txt").open("wb") as big:
        line = b"Canada urged Japan to support the treaty on Monday in Geneva. " * 16 + b"\n"
        for _ in range(50_000_000 // len(line) + 1):
            big.write(line)
    (corpus / "ten-megabyte-line.txt").write_bytes(b"x" * 10_000_000)
    os.mkfifo(corpus / "fifo.txt")
    os.symlink("loop-b.txt", corpus / "loop-a.txt")
    os.symlink("loop-a.txt", corpus / "loop-b.txt")
    os.symlink(".", corpus / "self")
    os.symlink("/dev/zero", corpus / "zeros.txt")
    (corpus / "a-folder.txt").mkdir()  # a directory named like an article
    (corpus / "a-folder.txt" / "inside.txt").write_text(
        "Inside\n\nCanada urged Japan to support the treaty.\n", encoding="utf-8"
    )
    para = "<p>" + "Foreign ministers from Canada and Japan met in Geneva on Monday. " * 3 + "</p>"
    (corpus / "deep.html").write_text(
        f"<html><head><title>Deep</title><script>for(;;){{}}</script></head><body>"
        f"{'<div>' * 5000}{para}{'</div>' * 5000}</body></html>",
        encoding="utf-8",
    )
    sentence = open(ARTICLES / "dev_01_qatar-world-cup-ministers.txt", encoding="utf-8").read()
    endless = " ".join(sentence.replace(".", " and").split())
    # One 3,800-token sentence: extraction took more than five minutes before the cap
    (corpus / "no-full-stop.txt").write_text(
        ("Endless\n\n" + endless * 8)[:20_000], encoding="utf-8"
    )
    return corpus


EXPECTED = {  # file (or file:line) -> error code; everything else must build
    "archive-named-as-article.md": "E002",
    "archive.zip": "E005",
    "blank.md": "E001",
    "empty.txt": "E001",
    "image-named-as-article.txt": "E002",
    "image.png": "E005",
    "latin1.txt": "E003",
    "fifty-megabytes.txt": "E011",
    "ten-megabyte-line.txt": "E110",
    "fifo.txt": "E004",
    "loop-a.txt": "E004",
    "loop-b.txt": "E004",
    "zeros.txt": "E004",
    "feed.jsonl:2": "E007",
    "feed.jsonl:3": "E008",
    "feed.jsonl:4": "E008",
    "feed.jsonl:5": "E008",
    "feed.jsonl:6": "E008",
    "feed.jsonl:7": "E008",
    "feed.jsonl:8": "E013",
    "feed.jsonl:9": "E007",
    "feed.jsonl:10": "E111",
    "feed.jsonl:11": "E007",
    "feed.jsonl:13": "E014",  # "feed_two" has the IRI of "feed two"
    "deep.html": "E009",  # lxml stops at 5,000 levels: no text, a one-line error
}
BUILT = {
    "feed-good",
    "feed two",
    'feed-\u202equote"\\',
    "scripts-and-styles",
    "utf16-bom",
    "utf16-no-bom",
    "\u00dcber die Gespr\u00e4che \u2013 Gen\u00e8ve 2022",
    "inside",
    "no-full-stop",
}


def test_reliability_hostile_corpus_builds_the_rest(tmp_path: Path) -> None:
    corpus = hostile_corpus(tmp_path)
    store = tmp_path / "store"
    started = time.monotonic()
    # the real command, in its own process, reaped by wait4: its own peak memory
    with (tmp_path / "out").open("w") as out_file, (tmp_path / "err").open("w") as err_file:
        proc = subprocess.Popen(
            [str(KG), "build", "--store", str(store), str(corpus)], stdout=out_file, stderr=err_file
        )
        hang = threading.Timer(600, proc.kill)  # a hang fails the test, not the suite
        hang.start()
        _, status, usage = os.wait4(proc.pid, 0)
        hang.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = (tmp_path / "out").read_text(), (tmp_path / "err").read_text()
    seconds = time.monotonic() - started
    print(f"\nhostile corpus: {seconds:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB")

    assert proc.returncode == 1, err  # some inputs had problems, the rest built
    assert "Traceback" not in err
    found, warned = {}, {}
    for line in err.splitlines():
        if WARNING_LINE.match(line):  # built, but the user should know: the sentence cap cut it
            code, where = line[8:12], line[14:].split(": ", 1)[0]
            warned[os.path.relpath(where, corpus)] = code
            continue
        assert ERROR_LINE.match(line), line  # one line each, code, file, what to do
        code, where = line[6:10], line[12:].split(": ", 1)[0]
        found[os.path.relpath(where, corpus)] = code
    assert found == EXPECTED
    assert warned == {"no-full-stop.txt": "W001"}, err
    assert "warning W001: " in err and "document 'no-full-stop': " in err
    rows = open_store(store).query("SELECT ?id WHERE { ?d a kg:Document ; dcterms:identifier ?id }")
    assert {r["id"].value for r in rows} == BUILT
    assert f"built {len(BUILT)} document(s)" in out
    # the page's title and text, not its scripts and styles
    texts = open_store(store).query("SELECT ?s WHERE { ?e kg:sentence ?s }")
    assert not any("MUST_NOT_APPEAR" in r["s"].value for r in texts)


def test_reliability_long_sentence_is_cut_so_extraction_finishes(extractor: Extractor) -> None:
    from kg.extraction.limits import MAX_SENTENCE_TOKENS
    from kg.model import Document

    assert "kg_sentence_cap" in extractor.nlp.pipe_names  # every pipeline user gets the cap
    text = "Canada urged Japan to support the treaty, " * 300 + "and Peru agreed."
    doc = extractor.nlp(text)
    assert max(len(s) for s in doc.sents) <= MAX_SENTENCE_TOKENS
    assert doc.user_data["kg_cut_sentences"] >= len(doc) // MAX_SENTENCE_TOKENS
    result = next(iter(extractor([Document(id="long", text=text)])))
    assert result.relations  # still extracted, within the pieces
    normal = extractor.nlp("Canada urged Japan to support the treaty.")
    assert "kg_cut_sentences" not in normal.user_data


# -- crashes ----------------------------------------------------------------------------


def _versions(corpus: Path) -> Iterator[None]:
    """Two contents of one small corpus (a build keeps documents whose file is gone, so
    the versions differ in what the files say, not in which files there are)."""
    _article(corpus, "b.txt", "Boycott\n\nThe United States boycotts the Games in Beijing.\n")
    while True:
        _article(corpus, "a.txt", "Talks\n\nCanada urged Japan to support the treaty.\n")
        _article(corpus, "c.txt", "Letter\n\nPeru sent a letter to the UN Secretary-General.\n")
        yield
        _article(corpus, "a.txt", "Talks\n\nFrance urged Germany to support the treaty.\n")
        _article(corpus, "c.txt", "Letter\n\nChile sent a letter to the UN Secretary-General.\n")
        yield


def test_reliability_sigkill_at_random_moments(tmp_path: Path, extractor: Extractor) -> None:
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    versions = _versions(corpus)
    digests = []
    for _ in range(2):  # the two contents, each built whole
        next(versions)
        build([corpus], store, extractor=extractor)
        digests.append(digest(store))
    assert digests[0] != digests[1]
    rng = random.Random(7)
    outcomes: Counter[str] = Counter()
    finished, trials = 0, 20
    _child_duration(corpus, tmp_path / "warm-up")  # starts the fork server (loads spaCy)
    duration = _child_duration(corpus, tmp_path / "probe")  # from start() to a whole build
    for trial in range(trials):
        before, after = digests[(trial + 1) % 2], digests[trial % 2]  # B -> A -> B ...
        next(versions)
        child = CTX.Process(target=reliability_child.run_build, args=(corpus, store))
        child.start()
        time.sleep(rng.uniform(0, duration * 1.2))
        with contextlib.suppress(ProcessLookupError):  # it may have finished already
            os.kill(child.pid, signal.SIGKILL)
        child.join(120)
        assert child.exitcode is not None
        finished += child.exitcode == 0
        now = digest(store)  # opens: a damaged store would raise E033 here
        assert now in (before, after), f"trial {trial}: neither the old nor the new graph"
        outcomes["old graph" if now == before else "new graph"] += 1
        build([corpus], store, extractor=extractor)  # re-running finishes the job
        assert digest(store) == after
        assert len(list(store.glob("gen-*"))) == 1  # leftovers were swept
    print(
        f"\nSIGKILL: {trials} trials, {dict(outcomes)}, {finished} builds finished before"
        f" the kill, a full build takes {duration:.2f} s"
    )
    assert outcomes["old graph"] >= 1  # kills did land inside builds (where a kill lands
    # otherwise depends on the machine's speed: no assertion on it)


def _child_duration(corpus: Path, store: Path) -> float:
    """A child left alone finishes its build (the kills are not of a hung process); how long
    it takes, from start() to its exit, sets the window the kills fall in."""
    started = time.monotonic()
    child = CTX.Process(target=reliability_child.run_build, args=(corpus, store))
    child.start()
    child.join(120)
    assert child.exitcode == 0 and (store / "current").exists()
    return time.monotonic() - started


# -- concurrency ------------------------------------------------------------------------


def test_reliability_second_build_is_e031_and_nothing_breaks(
    tmp_path: Path, extractor: Extractor
) -> None:
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    versions = _versions(corpus)
    next(versions)
    build([corpus], store, extractor=extractor)
    next(versions)
    inside, release = CTX.Event(), CTX.Event()
    first = CTX.Process(target=reliability_child.gated_build, args=(corpus, store, inside, release))
    first.start()
    try:
        assert inside.wait(120)
        second = subprocess.run(
            [str(KG), "build", "--store", str(store), str(corpus)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert second.returncode == 2
        assert second.stderr == (
            f"error E031: {store}: store is in use by another kg process; wait for it to finish\n"
        )
        with pytest.raises(KgError) as err:
            build([corpus], store, extractor=extractor)
        assert err.value.code == "E031"
    finally:
        release.set()
        first.join(120)
    assert first.exitcode == 0
    expected = tmp_path / "expected"
    build([corpus], expected, extractor=extractor)
    assert digest(store) == digest(expected)  # the first build's work, whole


# -- full disk and read-only store -------------------------------------------------------


def _in_child(corpus: Path, store: Path, how: str) -> str:
    """Build in a child under a fault; returns the error it printed."""
    answer = CTX.SimpleQueue()
    child = CTX.Process(target=reliability_child.failing_build, args=(corpus, store, how, answer))
    child.start()
    child.join(300)
    return answer.get() if not answer.empty() else f"child died ({child.exitcode})"


def _small_store(tmp_path: Path, extractor: Extractor) -> tuple[Path, Path, str]:
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    versions = _versions(corpus)
    next(versions)
    build([corpus], store, extractor=extractor)
    next(versions)  # the next build has something to write
    return corpus, store, digest(store)


def test_reliability_full_disk_is_e032_and_keeps_the_graph(
    tmp_path: Path, extractor: Extractor
) -> None:
    corpus, store, before = _small_store(tmp_path, extractor)
    message = _in_child(corpus, store, "full disk")  # was an OSError traceback
    assert message.startswith(f"error E032: {store}: cannot write the store ("), message
    assert message.endswith("); the previous graph is unchanged")
    assert digest(store) == before
    assert len(list(store.glob("gen-*"))) == 1
    build([corpus], store, extractor=extractor)  # with space again, it builds
    assert digest(store) != before


@pytest.mark.skipif(os.geteuid() != 0, reason="drops root's privileges")
def test_reliability_store_root_cannot_write_is_e032(tmp_path: Path, extractor: Extractor) -> None:
    tmp_path.chmod(0o755)
    corpus, store, before = _small_store(tmp_path, extractor)
    message = _in_child(corpus, store, "nobody")
    assert message.startswith(f"error E032: {store}: cannot write the store (Permission denied)")
    assert digest(store) == before


def _mount(args: list[str]) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="needs root to mount")
def test_reliability_real_full_and_read_only_filesystem(
    tmp_path: Path, extractor: Extractor
) -> None:
    """A real ENOSPC and a real EROFS, on a small tmpfs (skipped where mounting is denied)."""
    point = tmp_path / "fs"
    point.mkdir()
    if not _mount(["-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)]):
        pytest.skip("mount is not permitted here")
    try:
        corpus, store, before = _small_store(point, extractor)
        filler = point / "filler"
        with filler.open("wb") as fill:  # leave ~200 kB: too little for a new generation
            free = shutil.disk_usage(point).free
            fill.write(b"\0" * max(0, free - 200_000))
        with pytest.raises(KgError) as full:
            build([corpus], store, extractor=extractor)
        assert full.value.code == "E032" and "No space left" in str(full.value), str(full.value)
        assert digest(store) == before
        filler.unlink()
        assert _mount(["-o", "remount,ro", str(point)])
        with pytest.raises(KgError) as read_only:
            build([corpus], store, extractor=extractor)
        assert read_only.value.code == "E032" and "Read-only" in str(read_only.value)
        assert digest(store) == before
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
