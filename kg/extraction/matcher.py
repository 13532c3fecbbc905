"""spaCy's DependencyMatcher with its node look-ups made fast: the relation rules' matcher."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from spacy.attrs import HEAD, IDS
from spacy.matcher import DependencyMatcher as _DependencyMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

# Attributes whose token value `Doc.to_array` gives as the token Matcher reads it.
INDEXED_ATTRS = {"ORTH", "TEXT", "LOWER", "LEMMA", "POS", "TAG", "DEP", "ENT_TYPE"}
ANNOTATED = {"POS", "TAG", "LEMMA", "DEP"}
# A node's RIGHT_ATTRS as (attribute, allowed value ids) pairs.
Constraints = tuple[tuple[str, bool, frozenset[int]], ...]  # (attr, negated, values)


class DependencyMatcher(_DependencyMatcher):
    """spaCy's DependencyMatcher, with the same matches in the same order, but finding the
    tokens that fit each node from a table of token attributes instead of a token Matcher.

    spaCy runs a `Matcher` with one pattern per node of every rule over the whole document
    and then walks each match to its root: most of the relation stage's time. Here each
    node's constraints (a value or `{"IN": [...]}` per attribute, as the rules use them)
    are a few array look-ups per document (`NOT_IN` too). A node with any other constraint
    (`REGEX`, `OP`, ...) makes the matcher use spaCy's own way for every document."""

    def __init__(self, vocab: Vocab, *, validate: bool = False) -> None:
        super().__init__(vocab, validate=validate)
        self._nodes: dict[int, Constraints] = {}  # node key -> its constraints
        self._spacy_way = False
        self._pattern_keys: list[list[int]] = []  # node keys of each pattern

    def add(self, key: str | int, patterns: list[Any], *, on_match: Any = None) -> None:
        norm = get_string_id(key) if isinstance(key, str) else key
        tokens_to_key = self._spacy._tokens_to_key  # rule -> node keys of each pattern
        before = len(tokens_to_key[norm]) if norm in tokens_to_key else 0
        super().add(key, patterns, on_match=on_match)
        for pattern, keys in zip(patterns, tokens_to_key[norm][before:], strict=True):
            for node, node_key in zip(pattern, keys, strict=True):
                constraints = self._constraints(node.get("RIGHT_ATTRS", {}))
                if constraints is None:
                    self._spacy_way = True
                else:
                    self._nodes[node_key] = constraints
            self._pattern_keys.append(list(keys))

    def remove(self, key: str | int) -> None:
        norm = get_string_id(key) if isinstance(key, str) else key
        for keys in self._spacy._tokens_to_key.get(norm, []):
            for node_key in keys:
                self._nodes.pop(node_key, None)
            self._pattern_keys.remove(keys)
        super().remove(key)

    @property
    def _spacy(self) -> Any:
        """spaCy's own bookkeeping, which its type stubs describe loosely."""
        return self

    def _constraints(self, attrs: dict[str, Any]) -> Constraints | None:
        out = []
        for name, value in attrs.items():
            attr = name.upper()
            if attr not in INDEXED_ATTRS:
                return None
            key = "ORTH" if attr == "TEXT" else attr
            if isinstance(value, dict):  # {"IN": [...]}, {"NOT_IN": [...]} or both: each holds
                if not value or not set(value) <= {"IN", "NOT_IN"}:
                    return None
                for op, listed in value.items():
                    if not all(isinstance(v, (str, int)) for v in listed):
                        return None
                    ids = frozenset(get_string_id(v) for v in listed)
                    out.append((key, op == "NOT_IN", ids))
                continue
            if isinstance(value, str):
                values = [self.vocab.strings.add(value)]
            elif isinstance(value, int) and not isinstance(value, bool):
                values = [value]
            else:
                return None
            out.append((key, False, frozenset(values)))
        return tuple(sorted(out, key=lambda c: (c[0], c[1], sorted(c[2]))))

    def __call__(self, doclike: Doc | Span) -> list[tuple[int, list[int]]]:
        doc = doclike if isinstance(doclike, Doc) else doclike.as_doc(copy_user_data=True)
        maps = self._get_keys_to_position_maps(doc)
        spacy = self._spacy
        matches: list[tuple[int, list[int]]] = []
        cache: dict[Any, Any] = {}
        for key in spacy._patterns:
            for tree, node_keys in zip(spacy._tree[key], spacy._tokens_to_key[key], strict=True):
                # spaCy tries every root; one without a token for some node has no match
                for positions in maps.values():
                    if all(k in positions for k in node_keys):
                        for nodes in spacy._get_matches(cache, doc, tree, node_keys, positions):
                            matches.append((key, nodes))
        for i, (key, _nodes) in enumerate(matches):
            on_match = spacy._callbacks.get(key)
            if on_match is not None:
                on_match(self, doc, i, matches)
        return matches

    def _spacy_maps(self, doc: Doc) -> Any:
        return _DependencyMatcher._get_keys_to_position_maps(self, doc)  # type: ignore[attr-defined]

    def _get_keys_to_position_maps(self, doc: Doc) -> Any:
        """Root -> node key -> the token indices (ascending) in that root's tree that fit
        the node; roots in the order of their first such token (as spaCy builds it)."""
        used = sorted({attr for nodes in self._nodes.values() for attr, _, _ in nodes})
        if (
            self._spacy_way
            or not self._nodes
            or not len(doc)
            or any(attr in ANNOTATED and not doc.has_annotation(attr) for attr in used)
        ):
            return self._spacy_maps(doc)  # and its errors
        roots = _roots(doc)
        if roots is None:
            return self._spacy_maps(doc)
        table = doc.to_array([IDS[a] for a in used]).reshape(len(doc), len(used)).T.tolist()
        index: dict[str, dict[int, list[int]]] = {}
        for attr, column in zip(used, table, strict=True):
            by_value: dict[int, list[int]] = defaultdict(list)
            for i, value in enumerate(column):
                by_value[value].append(i)
            index[attr] = by_value
        # many nodes share their constraints ({"DEP": "pobj"}): each is looked up once
        fitting: dict[Constraints, list[int]] = {}
        for nodes in set(self._nodes.values()):
            fits: set[int] | None = None
            for attr, negated, values in nodes:
                by_value = index[attr]
                if negated:
                    here = {i for v, at in by_value.items() if v not in values for i in at}
                elif len(values) < len(by_value):
                    here = {i for v in values if v in by_value for i in by_value[v]}
                else:
                    here = {i for v, at in by_value.items() if v in values for i in at}
                fits = here if fits is None else fits & here
                if not fits:
                    break
            found = sorted(fits) if fits is not None else list(range(len(doc)))
            if found:
                fitting[nodes] = found
        maps: Any = defaultdict(lambda: defaultdict(list))
        if not fitting:
            return maps
        # only the roots where some pattern has a token for each of its nodes: spaCy's
        # other roots give no match
        trees: dict[Constraints, set[int]] = {}
        wanted: dict[int, set[int]] = {}
        for node_keys in self._pattern_keys:
            need = [self._nodes[k] for k in node_keys]
            if not all(n in fitting for n in need):
                continue
            for n in need:
                if n not in trees:
                    trees[n] = {roots[i] for i in fitting[n]}
            both = set.intersection(*(trees[n] for n in need))
            if both:
                for k in node_keys:
                    wanted[k] = wanted.get(k, set()) | both
        if not wanted:
            return maps
        # roots in the order of their first token that fits any node, as spaCy's
        matched = np.unique(np.concatenate([np.asarray(f) for f in fitting.values()]))
        seen_roots, first = np.unique(np.asarray(roots)[matched], return_index=True)
        keep = set().union(*wanted.values())
        for _, root in sorted(zip(first.tolist(), seen_roots.tolist(), strict=True)):
            if root in keep:
                maps[root]
        for key, allowed in wanted.items():
            for i in fitting[self._nodes[key]]:
                if roots[i] in allowed:
                    maps[roots[i]][key].append(i)
        return maps


def _roots(doc: Doc) -> list[int] | None:
    """The root of each token's tree (the last of `Token.ancestors`), or None for a cycle."""
    heads = np.arange(len(doc)) + doc.to_array([HEAD]).astype(np.int64).reshape(-1)
    for _ in range(len(doc).bit_length() + 1):
        nxt = heads[heads]
        if np.array_equal(nxt, heads):
            return heads.tolist()  # type: ignore[no-any-return]
        heads = nxt
    return None
