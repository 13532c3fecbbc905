"""Entity names for completion, searched in a few milliseconds among a million.

What a user types is folded as the names are (anyascii: Sørensen, Łódź, Straße and 北京
become sorensen, lodz, strasse and beijing; then case-folded), and matched in this order:

1. names that start with it ("bach" -> Bachmann);
2. names whose words start with its words, in order ("lopez ob" -> Andrés Manuel López
   Obrador; "bach" -> Thomas Bach);
3. names that contain it, on indexes small enough to scan (under `SCAN_LIMIT` names);
4. names with a word at one or two edits from a typed word ("Guteres" -> António
   Guterres, "Bachlet" -> Michelle Bachelet): fuzzy, as pgcli's completion is.

Within each, entities that more documents mention come first. The index is sorted arrays
searched with `bisect`: folded names (for 1), distinct folded words with the names that
use each (for 2 and 4), so a keystroke costs a few binary searches and a merge of the best
candidates, not a scan (`make bench` measures it at 100,000 and 1,000,000 names).
"""

from __future__ import annotations

import heapq
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

SCAN_LIMIT = 50_000  # names; above this, "contains" matching is left out (it scans them all)
VERIFY_LIMIT = 5_000  # candidates checked for the other typed words of a multi-word name
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_HIGH = "\U0010ffff"


def fold(text: str) -> str:
    """Case-, accent- and script-insensitive form: "Sørensen", "SORENSEN" and "sorensen"
    compare equal; "Straße" is "strasse"."""
    if not text.isascii():
        text = anyascii(text)
    return text.casefold()


def words_of(folded: str) -> list[str]:
    return _WORD.findall(folded)


@dataclass(frozen=True)
class Entity:
    insert: str  # what completion inserts: a prefixed name or <iri>
    label: str  # the preferred label
    kind: str  # local name of its class
    count: int  # documents that mention it


@dataclass(frozen=True)
class Hit:
    entity: Entity
    name: str  # the name that matched (the label or an alias)
    quality: int  # 0 name start, 1 word starts, 2 contains, 3 fuzzy


class NameIndex:
    """Built once from (entity, names) pairs; searched on every keystroke."""

    def __init__(self, entries: Iterable[tuple[Entity, Iterable[str]]]) -> None:
        ranked = sorted(
            ((e, tuple(dict.fromkeys(n for n in names if n.strip()))) for e, names in entries),
            key=lambda item: (-item[0].count, item[0].label.casefold(), item[0].insert),
        )
        self.entities = [e for e, _ in ranked]
        folded: dict[str, str] = {}  # a word folds once, however many names use it

        def fold_name(name: str) -> str:
            out = []
            for word in name.split():
                f = folded.get(word)
                if f is None:
                    f = folded[word] = fold(word)
                out.append(f)
            return " ".join(out)

        rows: list[tuple[str, int, str]] = []
        for number, (_, names) in enumerate(ranked):
            for name in names:
                rows.append((fold_name(name), number, name))
        rows.sort()
        self.keys = [r[0] for r in rows]
        self.key_entity = array("i", (r[1] for r in rows))
        self.key_name = [r[2] for r in rows]
        del rows
        # positions visited most mentioned first: each word's list comes out in that order
        postings: dict[str, array[int]] = {}
        for position in sorted(range(len(self.keys)), key=self.key_entity.__getitem__):
            for word in set(_WORD.findall(self.keys[position])):
                found = postings.get(word)
                if found is None:
                    found = postings[word] = array("i")
                found.append(position)
        self.words = sorted(postings)
        self._postings = [postings[w] for w in self.words]
        del postings
        self._blocks: dict[tuple[int, int, int], list[str]] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def search(
        self,
        typed: str,
        limit: int = 30,
        keep: Callable[[Entity], bool] | None = None,
        fuzzy: bool = True,
    ) -> list[Hit]:
        """The best `limit` entities for `typed`, one hit each, best first; misspelt
        names (with `fuzzy`) only when nothing matches as typed."""
        want = " ".join(fold(typed.replace("_", " ")).split())
        if not want:
            return []
        found: dict[int, Hit] = {}

        def take(positions: Iterable[int], quality: int) -> None:
            for position in positions:
                number = self.key_entity[position]
                if number in found:
                    continue
                entity = self.entities[number]
                if keep is not None and not keep(entity):
                    continue
                found[number] = Hit(entity, self.key_name[position], quality)
                if len(found) >= limit:
                    return

        tiers: list[Callable[[], Iterable[int]]] = [
            lambda: self._starting(want, limit),
            lambda: self._word_starts(want),
        ]
        if len(want) >= 3 and len(self.keys) <= SCAN_LIMIT:
            tiers.append(lambda: (p for p, k in enumerate(self.keys) if want in k))
        for quality, tier in enumerate(tiers):
            take(_best_first(tier(), self.key_entity, limit * 4), quality)
            if len(found) >= limit:
                break
        if fuzzy and not found:
            take(self._fuzzy(want, limit * 4), 3)
        return sorted(
            found.values(), key=lambda h: (h.quality, -h.entity.count, len(h.name), h.name)
        )[:limit]

    # -- the tiers ---------------------------------------------------------------------------
    def _range(self, items: list[str], prefix: str) -> tuple[int, int]:
        return bisect_left(items, prefix), bisect_left(items, prefix + _HIGH)

    def _starting(self, want: str, limit: int) -> Iterable[int]:
        lo, hi = self._range(self.keys, want)
        if hi - lo <= limit * 4:
            return range(lo, hi)
        # the most mentioned entities of a large range: smallest entity numbers
        chosen = heapq.nsmallest(limit * 4, range(lo, hi), key=self.key_entity.__getitem__)
        return chosen

    def _postings_of(self, prefix: str) -> list[array[int]]:
        lo, hi = self._range(self.words, prefix)
        return self._postings[lo:hi]

    def _word_starts(self, want: str) -> Iterable[int]:
        typed = words_of(want)
        if not typed:
            return ()
        lists = {w: self._postings_of(w) for w in typed}
        rarest = min(typed, key=lambda w: sum(len(p) for p in lists[w]))
        merged = heapq.merge(*lists[rarest], key=self.key_entity.__getitem__)
        if len(typed) == 1:
            return merged
        return (p for p in islice(merged, VERIFY_LIMIT) if _in_order(typed, words_of(self.keys[p])))

    def _fuzzy(self, want: str, limit: int) -> Iterable[int]:
        typed = words_of(want)
        if not typed or len(typed[-1]) < 4:
            return ()
        last = typed[-1]
        close = self._close_words(last)
        if not close:
            return ()
        merged = heapq.merge(*(self._postings[i] for i in close), key=self.key_entity.__getitem__)
        if len(typed) == 1:
            return merged
        head = typed[:-1]
        return (
            p for p in islice(merged, VERIFY_LIMIT) if _in_order(head, words_of(self.keys[p])[:-1])
        )

    def _close_words(self, word: str) -> list[int]:
        """Indexes of the vocabulary words at one or two edits (by length) from `word`, or
        whose start is: the typo may be in a word still being typed. The first letter is
        taken as typed (that narrows the search to one block of the sorted words)."""
        edits = 1 if len(word) < 7 else 2
        lo, hi = self._range(self.words, word[0])
        out: set[int] = set()
        for length in (len(word) - 1, len(word), len(word) + 1):
            block = self._block(lo, hi, length)
            for _, _, index in process.extract(
                word, block, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
            ):
                out.add(lo + index)
        return sorted(out)

    def _block(self, lo: int, hi: int, length: int) -> list[str]:
        """The words of `words[lo:hi]` cut to `length` characters, kept for the next
        keystroke (a user types on in the same block)."""
        key = (lo, hi, length)
        block = self._blocks.get(key)
        if block is None:
            if len(self._blocks) > 64:
                self._blocks.clear()
            block = self._blocks[key] = [w[:length] for w in self.words[lo:hi]]
        return block


def _in_order(typed: list[str], name_words: list[str]) -> bool:
    """Whether each typed word starts a word of the name, in order."""
    at = 0
    for want in typed:
        while at < len(name_words) and not name_words[at].startswith(want):
            at += 1
        if at == len(name_words):
            return False
        at += 1
    return True


def _best_first(positions: Iterable[int], key_entity: array[int], limit: int) -> list[int]:
    """At most `limit` positions, of the most mentioned entities (already in that order for
    the merged tiers; sorted here for the others)."""
    taken = list(islice(positions, limit))
    taken.sort(key=key_entity.__getitem__)
    return taken
