"""The English word lists of kg, one home for all of them: ``kg/resources/lexicon.json``.

The spaCy components, the mentions and entities stages and the relation engine are handed
one `Lexicon`; a relation rule names a list as ``"@lexicon.NAME"``. Each entry of the file
has a ``doc`` and either ``words`` (lower case; a phrase is a verb lemma and its particle,
"rule out") or a ``table`` of words by word (``posting``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from kg.errors import KgError
from kg.resources import read_json

LEXICON_FILE = "lexicon.json"


class LexiconError(KgError):
    """E129: an entry of the lexicon that cannot be used."""

    def __init__(self, entry: str, reason: str) -> None:
        super().__init__("E129", entry=entry, reason=reason)

    @property
    def entry(self) -> str:
        return str(self.fields["entry"])

    def __reduce__(self) -> Any:
        return (LexiconError, (self.fields["entry"], self.fields["reason"]))


class Lexicon(Mapping[str, tuple[str, ...]]):
    """Word lists by name, in file order; `words` gives a list as a set."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._lists: dict[str, tuple[str, ...]] = {}
        self._sets: dict[str, frozenset[str]] = {}
        self._tables: dict[str, dict[str, tuple[str, ...]]] = {}
        for name, entry in data.items():
            if name.startswith("_"):
                continue  # "_doc": a comment
            if not isinstance(entry, dict) or set(entry) not in (
                {"doc", "words"},
                {"doc", "table"},
            ):
                raise LexiconError(name, "an entry is {'doc': ..., 'words': [...] or 'table': {}}")
            if "table" in entry:
                table = entry["table"]
                if not isinstance(table, dict):
                    raise LexiconError(name, "'table' maps a word to a list of words")
                self._tables[name] = {k: _words(name, v) for k, v in table.items()}
            else:
                self._lists[name] = _words(name, entry["words"])
                self._sets[name] = frozenset(self._lists[name])

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return self._lists[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)

    def words(self, name: str) -> frozenset[str]:
        """A word list as a set, for membership tests."""
        return self._sets[name]

    def table(self, name: str) -> dict[str, tuple[str, ...]]:
        """A table of word lists by word: ``table("posting")["envoy"]``."""
        return self._tables[name]

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(self._tables)


def _words(name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise LexiconError(name, "words are a list of non-empty strings")
    upper = [w for w in value if w != w.lower()]
    if upper:
        # rules match on LOWER and LEMMA, and code compares lower-cased text: never a capital
        raise LexiconError(name, f"words are lower case, not {upper[0]!r}")
    if len(set(value)) != len(value):
        twice = next(w for w in value if value.count(w) > 1)
        raise LexiconError(name, f"{twice!r} is listed twice")
    return tuple(value)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon of kg/resources, read once per process."""
    return Lexicon(read_json(LEXICON_FILE))
