"""`kg eval`: score extracted relations against a gold TSV, as ../shared/spec/relations.md
says (the referee is ../shared/eval/score.py; a test checks that both agree).

Per document: labels compare after Unicode folding, lower-casing, dropping a leading
"the", full stops and quotes. A prediction matching an unmatched `gold` row is a true
positive; one matching only an `optional` row, or an already matched row, is ignored;
anything else is a false positive. Unmatched `gold` rows are false negatives.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError, KgWarning, Notice, Sink

if TYPE_CHECKING:
    from kg.extraction.pipeline import Extractor

SYMMETRIC = {"metWith"}
Pred = tuple[str, str, str, str]  # doc, subject, relation, object


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("\u2019", "'").lower().strip()
    text = re.sub(r"^the\s+", "", text)
    text = text.replace(".", "")
    text = re.sub(r"[\"“”]", "", text)
    return re.sub(r"\s+", " ", text).strip(" ,;:'-")


@dataclass
class GoldRow:
    doc: str
    subjects: list[str]
    relation: str
    objects: list[str]
    status: str
    raw: tuple[str, str]

    def matches(self, subject: str, obj: str) -> bool:
        if _fits(self.subjects, subject) and _fits(self.objects, obj):
            return True
        return (
            self.relation in SYMMETRIC
            and _fits(self.subjects, obj)
            and _fits(self.objects, subject)
        )


def _fits(aliases: list[str], label: str) -> bool:
    if aliases == ["*"]:
        return True
    n = norm(label)
    return any(norm(a) == n for a in aliases)


# Byte-order marks a spreadsheet may write (Excel's "Unicode text" is UTF-16 with one);
# UTF-32's little-endian mark begins with UTF-16's, so it goes first
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


def read_tsv(path: str | Path) -> str:
    """The text of a gold or prediction file: UTF-8 (or UTF-16/32 with a byte-order mark);
    anything else is E003 naming the byte, a file that cannot be read E004."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise KgError("E004", str(path), reason=exc.strerror or str(exc)) from exc
    codec, name = next(
        ((codec, name) for bom, codec, name in _BOMS if data.startswith(bom)),
        ("utf-8-sig", "UTF-8"),
    )
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise KgError("E003", str(path), encoding=name, offset=exc.start) from exc


def load_gold(path: str | Path) -> list[GoldRow]:
    rows = []
    lines = read_tsv(path).splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 5:
            raise KgError("E050", str(path), number, count=len(parts))
        if parts[4] not in {"gold", "optional"}:
            raise KgError("E052", str(path), number, status=parts[4])
        doc, s, r, o, status = parts
        rows.append(
            GoldRow(
                doc,
                [a.strip() for a in s.split("|")],
                r,
                [a.strip() for a in o.split("|")],
                status,
                (s, o),
            )
        )
    return rows


@dataclass
class Score:
    tp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fn: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    false_positives: list[Pred] = field(default_factory=list)
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)
    missing_docs: list[str] = field(default_factory=list)  # gold documents not among inputs
    problems: list[KgError] = field(default_factory=list)  # inputs that could not be read
    warnings: list[KgWarning] = field(default_factory=list)

    def prf(self, relation: str | None = None) -> tuple[float, float, float]:
        if relation is None:
            t, f, n = (sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        else:
            t, f, n = self.tp[relation], self.fp[relation], self.fn[relation]
        p = t / (t + f) if t + f else 0.0
        r = t / (t + n) if t + n else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def relations(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))

    def table(self, verbose: bool = False) -> str:
        lines = [f"{'relation':14} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}"]
        for r in self.relations():
            p, rc, f1 = self.prf(r)
            lines.append(
                f"{r:14} {self.tp[r]:4} {self.fp[r]:4} {self.fn[r]:4} {p:6.2f} {rc:6.2f} {f1:6.2f}"
            )
        if verbose:
            lines += ["FP\t" + "\t".join(x) for x in self.false_positives]
            lines += ["FN\t" + "\t".join(x) for x in self.misses]
        p, rc, f1 = self.prf()
        t, f, n = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        lines.append(f"micro P={p:.3f} R={rc:.3f} F1={f1:.3f} (tp={t} fp={f} fn={n})")
        return "\n".join(lines)


def score(gold: list[GoldRow], preds: Iterable[Pred], docs: set[str] | None = None) -> Score:
    """Score predictions; with `docs`, only those documents count (both sides)."""
    if docs is not None:
        gold = [g for g in gold if g.doc in docs]
        preds = [p for p in preds if p[0] in docs]
    by_key: dict[tuple[str, str], list[GoldRow]] = defaultdict(list)
    for g in gold:
        by_key[(g.doc, g.relation)].append(g)
    result = Score()
    matched: set[int] = set()
    for doc, s, r, o in sorted(set(preds)):
        candidates = [g for g in by_key[(doc, r)] if g.matches(s, o)]
        new = [g for g in candidates if g.status == "gold" and id(g) not in matched]
        if new:
            matched.add(id(new[0]))
            result.tp[r] += 1
        elif not candidates:
            result.fp[r] += 1
            result.false_positives.append((doc, s, r, o))
    for g in gold:
        if g.status == "gold" and id(g) not in matched:
            result.fn[g.relation] += 1
            result.misses.append((g.doc, g.raw[0], g.relation, g.raw[1]))
    return result


def read_predictions(path: Path) -> list[Pred]:
    lines = [
        line
        for line in read_tsv(path).splitlines(keepends=True)
        if line.strip() and not line.startswith("#")
    ]
    reader = csv.DictReader(lines, delimiter="\t")
    need = {"doc", "subject", "relation", "object"}
    if not reader.fieldnames or not need <= set(reader.fieldnames):
        raise KgError("E051", str(path))
    return [(r["doc"], r["subject"], r["relation"], r["object"]) for r in reader]


def evaluate(
    gold_path: Path,
    paths: Iterable[str | Path],
    pred_path: Path | None,
    model: str,
    all_docs: bool = False,
    on_notice: Callable[[Notice], None] | None = None,
    extractor: Extractor | None = None,
) -> Score:
    """Score predictions (extracted now, or read from `pred_path`) against a gold file.

    By default only documents that the gold file covers are scored, so a folder holding
    other articles too can be evaluated against one gold file. Gold documents that are
    not among the inputs are a warning (W003; their rows count as misses). Inputs that
    cannot be read are problems, as in `kg build`; both go to `on_notice` and the score."""
    gold = load_gold(gold_path)
    sink = Sink(on_notice)
    read: set[str] = set()
    if pred_path is not None:
        preds = read_predictions(pred_path)
        read = {p[0] for p in preds}
    else:
        preds = []
        from kg.build import extracted, make_extractor
        from kg.extraction.pipeline import relation_rows

        for doc_result in extracted(paths, sink, extractor or make_extractor(model)):
            read.add(doc_result.document.id)
            for row in relation_rows(doc_result):
                preds.append(
                    (
                        row["doc"],
                        " ".join(row["subject"].split()),
                        row["relation"],
                        " ".join(row["object"].split()),
                    )
                )
    docs = None if all_docs else {g.doc for g in gold}
    result = score(gold, preds, docs)
    if pred_path is None:
        result.missing_docs = sorted({g.doc for g in gold} - read)
        if result.missing_docs:
            sink.warn(
                "W003",
                str(gold_path),
                count=len(result.missing_docs),
                docs=", ".join(result.missing_docs),
            )
    result.problems, result.warnings = sink.problems, sink.warnings
    return result
