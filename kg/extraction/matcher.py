"""spaCy's matchers made fast, with the same results: the DependencyMatcher of the relation
rules (its node look-ups) and the AttributeRuler of the model (its token patterns)."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import reduce
from operator import or_
from typing import Any

import numpy as np
from spacy.attrs import HEAD, IDS
from spacy.matcher import DependencyMatcher as _DependencyMatcher
from spacy.pipeline import AttributeRuler as _AttributeRuler
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
        self._plan: _Plan | None = None  # compiled on first use

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
        self._plan = None

    def remove(self, key: str | int) -> None:
        norm = get_string_id(key) if isinstance(key, str) else key
        for keys in self._spacy._tokens_to_key.get(norm, []):
            for node_key in keys:
                self._nodes.pop(node_key, None)
            self._pattern_keys.remove(keys)
        self._plan = None
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
        # spaCy tries every root; one without a token for some node has no match, so a
        # pattern goes only to the roots (in spaCy's order) that have a token for each
        order = list(maps.values())
        having: dict[int, set[int]] = defaultdict(set)  # node key -> those roots, by place
        for place, positions in enumerate(order):
            for k in positions:
                having[k].add(place)
        for key in spacy._patterns:
            for tree, node_keys in zip(spacy._tree[key], spacy._tokens_to_key[key], strict=True):
                if node_keys[0] not in having:  # most patterns, at the first node
                    continue
                places = set.intersection(*(having.get(k, set()) for k in node_keys))
                for place in sorted(places):
                    positions = order[place]
                    for nodes in spacy._get_matches(cache, doc, tree, node_keys, positions):
                        matches.append((key, nodes))
        for i, (key, _nodes) in enumerate(matches):
            on_match = spacy._callbacks.get(key)
            if on_match is not None:
                on_match(self, doc, i, matches)
        return matches

    def _spacy_maps(self, doc: Doc) -> Any:
        return _DependencyMatcher._get_keys_to_position_maps(self, doc)  # type: ignore[attr-defined]

    def _compiled(self) -> _Plan | None:
        """The nodes compiled for look-ups, or None when spaCy's own way is needed."""
        if self._spacy_way or not self._nodes:
            return None
        if self._plan is None:
            self._plan = _Plan(self._nodes, self._pattern_keys)
        return self._plan

    def _get_keys_to_position_maps(self, doc: Doc) -> Any:
        """Root -> node key -> the token indices (ascending) in that root's tree that fit
        the node; roots in the order of their first such token (as spaCy builds it)."""
        plan = self._compiled()
        if (
            plan is None
            or not len(doc)
            or any(attr in ANNOTATED and not doc.has_annotation(attr) for attr in plan.used)
        ):
            return self._spacy_maps(doc)  # and its errors
        roots = _roots(doc)
        if roots is None:
            return self._spacy_maps(doc)
        maps: Any = defaultdict(lambda: defaultdict(list))
        fits = plan.fits(doc)  # per token, the constraints it fits (bit c: plan.constraints[c])
        present = reduce(or_, fits, 0)
        # only the patterns with a token for each of their nodes, and of those only the
        # roots where each node has one: spaCy's other roots give no match
        viable = [p for p in plan.patterns if p[0] & present == p[0]]
        if not viable:
            return maps
        needed = reduce(or_, (p[0] for p in viable))
        fitting: dict[int, list[int]] = {}  # constraint -> the tokens that fit it
        for i, bits in enumerate(fits):
            bits &= needed
            while bits:
                low = bits & -bits
                fitting.setdefault(low.bit_length() - 1, []).append(i)
                bits ^= low
        trees: dict[int, set[int]] = {}
        wanted: dict[int, set[int]] = {}
        for _, node_keys, need in viable:
            for c in need:
                if c not in trees:
                    trees[c] = {roots[i] for i in fitting[c]}
            both = set.intersection(*(trees[c] for c in need))
            if both:
                for k in node_keys:
                    wanted[k] = wanted.get(k, set()) | both
        if not wanted:
            return maps
        # roots in the order of their first token that fits any node, as spaCy's
        keep = set().union(*wanted.values())
        for i, bits in enumerate(fits):
            if bits and roots[i] in keep and roots[i] not in maps:
                maps[roots[i]]
        of = plan.of
        for key, allowed in wanted.items():
            for i in fitting[of[key]]:
                if roots[i] in allowed:
                    maps[roots[i]][key].append(i)
        return maps


class _Plan:
    """The matcher's nodes compiled for `_get_keys_to_position_maps`: each distinct
    constraint is a bit, and a token's attribute values look up the bits they allow, so
    one AND per attribute and token says which nodes a token fits."""

    def __init__(self, nodes: dict[int, Constraints], pattern_keys: list[list[int]]) -> None:
        self.constraints = list(dict.fromkeys(nodes.values()))
        bit = {c: n for n, c in enumerate(self.constraints)}
        self.of = {k: bit[c] for k, c in nodes.items()}  # node key -> its constraint's bit
        self.used = sorted({attr for c in self.constraints for attr, _, _ in c})
        self.ids = [IDS[a] for a in self.used]
        # per attribute: value -> bits of the constraints its tests allow; `other` for a
        # value no test names (only NOT_IN tests, and no test, allow it)
        self.tables: list[tuple[dict[int, int], int]] = []
        for attr in self.used:
            tests = [[(neg, vs) for a, neg, vs in c if a == attr] for c in self.constraints]
            other = sum(1 << n for n, own in enumerate(tests) if all(neg for neg, _ in own))
            table: dict[int, int] = {}
            for n, own in enumerate(tests):  # a value this constraint names: its own tests
                for v in {v for _, vs in own for v in vs}:
                    allowed = all((v in vs) != neg for neg, vs in own)
                    was = table.get(v, other)
                    table[v] = was | 1 << n if allowed else was & ~(1 << n)
            self.tables.append((table, other))
        # per pattern: the bits of its nodes, its node keys, the bit of each node
        self.patterns = []
        for keys in pattern_keys:
            need = [self.of[k] for k in keys]
            self.patterns.append((sum(1 << c for c in set(need)), keys, need))

    def fits(self, doc: Doc) -> list[int]:
        n, width = len(doc), len(self.used)
        if not width:  # nodes without constraints: every token fits each
            return [(1 << len(self.constraints)) - 1] * n
        columns = doc.to_array(self.ids).reshape(n, width).T.tolist()
        fits: list[int] | None = None
        for column, (table, other) in zip(columns, self.tables, strict=True):
            get = table.get
            if fits is None:
                fits = [get(v, other) for v in column]
            else:
                fits = [f & get(v, other) for f, v in zip(fits, column, strict=True)]
        return fits  # type: ignore[return-value]


def _roots(doc: Doc) -> list[int] | None:
    """The root of each token's tree (the last of `Token.ancestors`), or None for a cycle."""
    heads = np.arange(len(doc)) + doc.to_array([HEAD]).astype(np.int64).reshape(-1)
    for _ in range(len(doc).bit_length() + 1):
        nxt = heads[heads]
        if np.array_equal(nxt, heads):
            return heads.tolist()  # type: ignore[no-any-return]
        heads = nxt
    return None


# -- the attribute ruler -------------------------------------------------------------------

# What a token pattern may read: attributes `Doc.to_array` gives as the Matcher reads them
# (flags such as IS_SPACE come from the lexeme, 0 or 1, in both).
_READABLE = {"ORTH", "LOWER", "NORM", "TAG", "POS", "DEP", "LEMMA", "ENT_TYPE"}
# What a rule may write: attributes of the token alone. spaCy's `set_token_attrs` writes
# the lexeme too, which `Doc.from_array` would not do for LOWER, NORM, flags...
_WRITABLE = {IDS[a] for a in ("LEMMA", "POS", "TAG", "MORPH", "DEP")}
# (attribute, operator, values): "==" one id, "IN" / "NOT_IN" ids, "REGEX" a pattern
Predicate = tuple[int, str, Any]


class AttributeRuler(_AttributeRuler):
    """spaCy's AttributeRuler with the same result, its patterns matched over a table of
    token attributes (`Doc.to_array`) and written back with one `Doc.from_array`.

    spaCy runs a token Matcher with every pattern of the model's tag map and exceptions
    (180 rules in en_core_web_sm) and sets each match's attributes token by token: a
    seventh of the pipeline's time. Here a rule is a few array comparisons, and only for
    rules whose anchoring value (a TAG or LOWER it requires) is in the document. As in
    spaCy, every rule matches the document as it came in, and where rules set the same
    attribute of a token, the later rule wins. A rule this cannot read or write so (an
    operator, another predicate, an extension or lexeme attribute, a target outside
    its match) makes the ruler use spaCy's own way for every document."""

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler", **kwargs: Any) -> None:
        super().__init__(vocab, name, **kwargs)
        self._rules: list[_Rule] | None = None  # compiled on first use
        self._read: list[int] = []  # the attributes the rules read
        self._regex_cache: dict[tuple[str, int], bool] = {}

    def add(self, patterns: Any, attrs: dict[Any, Any], index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._rules = None

    def clear(self) -> None:
        super().clear()
        self._rules = None

    def __call__(self, doc: Doc) -> Doc:
        if self._rules is None:
            self._rules = _compile(self)
            self._read = sorted({attr for rule in self._rules for attr in rule.reads()})
        if not self._rules or not len(doc):  # [] also when spaCy's way is needed
            return super().__call__(doc)  # type: ignore[no-any-return]
        try:
            self._set(doc, self._rules)
            return doc
        except Exception as exc:
            return self.get_error_handler()(self.name, self, [doc], exc)  # type: ignore[no-any-return]

    def _set(self, doc: Doc, rules: list[_Rule]) -> None:
        n = len(doc)
        read = self._read
        table = doc.to_array(read).reshape(n, len(read)) if read else None  # type: ignore[arg-type]
        columns: dict[Any, np.ndarray] = {a: table[:, i] for i, a in enumerate(read)}  # type: ignore[index]
        present: dict[int, set[int]] = {}
        masks: dict[tuple[int, str, Any], np.ndarray] = {}
        written: dict[int | str, np.ndarray] = {}
        for rule in rules:
            attr, value = rule.anchor
            if attr >= 0:
                if attr not in present:
                    present[attr] = set(np.unique(columns[attr]).tolist())
                if value not in present[attr]:
                    continue
            for alt in rule.tokens:
                length = len(alt)
                if length > n:
                    continue
                starts: np.ndarray | None = None
                for k, tok in enumerate(alt):
                    for pred in tok:
                        mask = masks.get(pred)
                        if mask is None:
                            mask = masks[pred] = self._mask(columns[pred[0]], pred)
                        here = mask[k : n - length + 1 + k]
                        starts = here if starts is None else starts & here
                if starts is None:  # only {} tokens: every position
                    starts = np.ones(n - length + 1, dtype=bool)
                targets = starts.nonzero()[0] + rule.target % length
                if not len(targets):
                    continue
                for out_attr, out_value in rule.writes:
                    if out_attr not in written:
                        written[out_attr] = doc.to_array([out_attr]).reshape(n)
                    written[out_attr][targets] = out_value
        if written:
            attrs = list(written)
            doc.from_array(attrs, np.stack([written[a] for a in attrs], axis=1))  # type: ignore[arg-type]

    def _mask(self, column: np.ndarray, pred: Predicate) -> np.ndarray:
        attr, op, values = pred
        if op == "==":
            return column == values  # type: ignore[no-any-return]
        if op == "REGEX":
            strings = self.vocab.strings
            hits = []
            for v in np.unique(column).tolist():
                key = (values.pattern, v)
                hit = self._regex_cache.get(key)
                if hit is None:
                    hit = self._regex_cache[key] = bool(values.search(strings[v]))
                if hit:
                    hits.append(v)
            return np.isin(column, np.asarray(hits, dtype=column.dtype))
        found = np.isin(column, np.frombuffer(values, dtype=np.uint64))
        return found if op == "IN" else ~found


class _Rule:
    """One rule of the ruler: its patterns as predicates per token, where it writes."""

    __slots__ = ("anchor", "target", "tokens", "writes")

    def __init__(
        self,
        tokens: list[list[tuple[Predicate, ...]]],
        target: int,
        writes: tuple[tuple[int, int], ...],
    ) -> None:
        self.tokens = tokens
        self.target = target
        self.writes = writes
        # a value the rule cannot match without: an ==-predicate of a one-pattern rule
        self.anchor = (-1, 0)
        if len(tokens) == 1:
            for tok in tokens[0]:
                for attr, op, value in tok:
                    if op == "==":
                        self.anchor = (attr, int(value))

    def reads(self) -> set[int]:
        return {pred[0] for alt in self.tokens for tok in alt for pred in tok}


def _compile(ruler: AttributeRuler) -> list[_Rule]:
    """The ruler's rules, or [] when one of them needs spaCy's Matcher."""
    rules = []
    for i, pattern in enumerate(ruler.patterns):
        alternatives: list[list[dict[str, Any]]] = pattern["patterns"]  # type: ignore[assignment]
        attrs, index = ruler.attrs[i], ruler.indices[i]
        if not all(isinstance(a, int) and a in _WRITABLE for a in attrs):
            return []
        tokens = []
        for alt in alternatives:
            preds = [_predicates(ruler.vocab, spec) for spec in alt]
            if not alt or any(p is None for p in preds):
                return []
            if not -len(alt) <= index < len(alt):  # spaCy's E1001 when it matches
                return []
            tokens.append(preds)
        writes = tuple((int(a), int(v)) for a, v in attrs.items())
        rules.append(_Rule(tokens, index, writes))  # type: ignore[arg-type]
    return rules


def _predicates(vocab: Vocab, spec: dict[str, Any]) -> tuple[Predicate, ...] | None:
    """A token pattern as predicates, as spaCy's Matcher reads it; None if it cannot be."""
    out: list[Predicate] = []
    for name, value in spec.items():
        attr = "ORTH" if name.upper() == "TEXT" else name.upper()
        flag = attr.startswith("IS_") and attr in IDS and IDS[attr] < 64
        if attr not in _READABLE and not flag:
            return None
        key = IDS[attr]
        if isinstance(value, bool):
            out.append((key, "==", np.uint64(value)))
        elif isinstance(value, int) and value >= 0:
            out.append((key, "==", np.uint64(value)))
        elif isinstance(value, str) and not flag:
            out.append((key, "==", np.uint64(vocab.strings.add(value))))
        elif isinstance(value, dict) and value and not flag:
            for op, arg in value.items():
                if op in ("IN", "NOT_IN") and all(isinstance(v, (str, int)) for v in arg):
                    ids = np.asarray(sorted({get_string_id(v) for v in arg}), dtype=np.uint64)
                    out.append((key, op, ids.tobytes()))
                elif op == "REGEX" and isinstance(arg, str):
                    out.append((key, op, re.compile(arg)))
                else:
                    return None
        else:
            return None
    return tuple(out)
