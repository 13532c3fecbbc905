"""The stored graph as a networkx graph of actors, for drawing, paths and centrality.

`relation_graph` reads one edge per evidence node, so a relation reported twice is two edges,
each with its own sentence and document. Everything is read with SPARQL through
`store.query(sparql, substitutions)`, so the embedded store and a remote endpoint both work,
and values a user typed (a relation, a document id) are bound, never pasted into a query.
"""

from __future__ import annotations

import difflib
import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.errors import KgError
from kg.graph.lookup import EntityHit, Queryable, find_entities
from kg.graph.results import short
from kg.graph.store import open_store
from kg.graph.vocab import KG, RELATIONS

# The union default graph repeats a triple once per document graph holding it, hence DISTINCT.
# ?p and ?docid are projected because pyoxigraph substitutes only projected variables.
_EVIDENCE = """
SELECT DISTINCT ?ev ?s ?p ?o ?docid ?title ?date ?url ?sentence ?pattern ?confidence WHERE {
  ?ev a kg:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:document ?doc .
  ?doc dcterms:identifier ?docid .
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:date ?date }
  OPTIONAL { ?doc schema:url ?url }
  OPTIONAL { ?ev kg:sentence ?sentence }
  OPTIONAL { ?ev kg:pattern ?pattern }
  OPTIONAL { ?ev kg:confidence ?confidence }
}
"""

_PROPERTIES = """
SELECT DISTINCT ?p ?label ?quad ?root ?code WHERE {
  ?p a ?type . FILTER(?type IN (owl:ObjectProperty, rdf:Property))
  OPTIONAL { ?p rdfs:label ?label }
  OPTIONAL { ?p kg:cameoQuadClass ?quad }
  OPTIONAL { ?p kg:cameoRoot ?root }
  OPTIONAL { ?p kg:cameoCode ?code }
}
"""

_CLASSES = """
SELECT DISTINCT ?c ?label WHERE {
  ?c a owl:Class ; rdfs:label ?label . FILTER(STRSTARTS(STR(?c), STR(kg:)))
}
"""

# Entities and statements: anything typed with a class of the ontology except the
# bookkeeping nodes. Labels and aliases come separately to keep the row count linear.
_NODES = """
SELECT DISTINCT ?e ?cls ?pref ?text WHERE {
  ?e a ?cls . FILTER(STRSTARTS(STR(?cls), STR(kg:)))
  FILTER(?cls NOT IN (kg:Evidence, kg:Document, kg:Actor))
  OPTIONAL { ?e skos:prefLabel ?pref }
  OPTIONAL { ?e kg:text ?text }
}
"""
_ALIASES = "SELECT DISTINCT ?e ?alt WHERE { ?e skos:altLabel ?alt }"
_DOC_IDS = "SELECT DISTINCT ?id WHERE { ?d a kg:Document ; dcterms:identifier ?id }"

#: Node kinds that are things said rather than actors: left out of centrality and groups.
NOT_ACTORS = frozenset({"Statement", "Claim"})
STATEMENT_LABEL_CHARS = 60
MAX_CANDIDATES = 8
#: How many shortest chains `shortest_paths` looks at to find `limit` distinct ones.
PATH_CANDIDATES = 200


#: What an edge's `kind` says, from the relation's CAMEO annotations in the ontology: one of
#: CAMEO's four quad classes, or one of the two speech acts that CAMEO files under "verbal
#: cooperation" although they cooperate with no one (root 01, "make public statement": a
#: statement or a letter; 016, "deny responsibility": a denial), or "neutral" for a relation
#: that is no event (represents). The page's colours and legend, the exports and `kg stats`
#: all read these names.
KINDS = (
    "verbal cooperation",
    "material cooperation",
    "verbal conflict",
    "material conflict",
    "statement",
    "denial",
    "neutral",
)


@dataclass(frozen=True)
class Property:
    label: str
    kind: str  # one of KINDS
    cameo_root: str
    cameo_code: str = ""
    quad_class: str = ""  # as the ontology says it ("verbal cooperation"), or ""


def cameo_kind(code: str, quad: str) -> str:
    """The `KINDS` name of a relation with this CAMEO code and quad class."""
    if code.startswith("01"):
        return "denial" if code == "016" else "statement"
    quad = " ".join(quad.lower().split())
    return quad if quad in KINDS[:4] else "neutral"


@dataclass(frozen=True)
class Central:
    iri: str
    label: str
    kind: str
    degree: int  # distinct actors it is linked to, either direction
    relations: int  # edges (evidence occurrences) touching it
    betweenness: float


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _value(term: Any) -> str:
    return "" if term is None else str(term.value)


def properties(store: Queryable) -> dict[str, Property]:
    """Label, kind (`KINDS`) and CAMEO code of every property, read from the ontology."""
    out: dict[str, Property] = {}
    for row in store.query(_PROPERTIES):
        iri = row["p"].value
        code, quad = _value(row["code"]), _value(row["quad"])
        out[iri] = Property(
            _value(row["label"]) or local_name(iri),
            cameo_kind(code, quad),
            _value(row["root"]),
            code,
            quad,
        )
    return out


def class_labels(store: Queryable) -> dict[str, str]:
    """Each class of the ontology by local name -> the name people read ("UNOffice" ->
    "UN office", "Person" -> "Person"): the page's legend and `kg stats` use these."""
    out = {}
    for row in store.query(_CLASSES):
        label = row["label"].value
        out[local_name(row["c"].value)] = label[:1].upper() + label[1:]
    return out


def class_label(kind: str, labels: dict[str, str]) -> str:
    return labels.get(kind) or kind or "(untyped)"


def _relation_iris(relations: Iterable[str]) -> list[str]:
    by_name = {r.lower(): r for r in RELATIONS}
    out = []
    for name in relations:
        key = local_name(name.split(":", 1)[-1]).lower()
        if key not in by_name:
            raise KgError("E080", name=name, known=", ".join(RELATIONS))
        out.append(str(KG[by_name[key]]))
    return out


def _check_docs(store: Queryable, docs: Iterable[str]) -> list[str]:
    known = {row["id"].value for row in store.query(_DOC_IDS)}
    out = []
    for doc in docs:
        if doc not in known:
            near = difflib.get_close_matches(doc, sorted(known), n=3, cutoff=0.3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise KgError("E081", doc_id=doc, hint=hint)
        out.append(doc)
    return out


def _evidence_rows(
    store: Queryable, relations: list[str] | None, docs: list[str] | None
) -> list[Any]:
    subs: list[dict[str, Any]] = [{}]
    if relations:
        subs = [{"p": ox.NamedNode(r)} for r in relations]
    if docs:
        subs = [dict(s, docid=ox.Literal(d)) for s, d in itertools.product(subs, docs)]
    rows: list[Any] = []
    for sub in subs:
        rows.extend(store.query(_EVIDENCE, substitutions=sub or None))
    return rows


def _node_attrs(store: Queryable) -> dict[str, dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}
    for row in store.query(_NODES):
        iri = row["e"].value
        attrs = nodes.setdefault(iri, {"label": "", "kind": "", "aliases": []})
        kind = local_name(row["cls"].value)
        # a Claim is also typed Statement in some graphs: keep the more specific class
        if not attrs["kind"] or (attrs["kind"] == "Statement" and kind == "Claim"):
            attrs["kind"] = kind
        label = _value(row["pref"])
        if label and (not attrs["label"] or label < attrs["label"]):
            attrs["label"] = label
        text = _value(row["text"])
        if text and not attrs["label"]:
            attrs["text"] = text
            attrs["label"] = _shorten(text)
    aliases: dict[str, set[str]] = {}
    for row in store.query(_ALIASES):
        aliases.setdefault(row["e"].value, set()).add(row["alt"].value)
    for iri, names in aliases.items():
        if iri in nodes:
            nodes[iri]["aliases"] = sorted(names - {nodes[iri]["label"]})
    return nodes


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return (
        text
        if len(text) <= STATEMENT_LABEL_CHARS
        else text[: STATEMENT_LABEL_CHARS - 1].rstrip() + "…"
    )


def _edge_attrs(row: Any, props: dict[str, Property]) -> dict[str, Any]:
    p = row["p"].value
    prop = props.get(p, Property(local_name(p), "neutral", ""))
    confidence = row["confidence"]
    return {
        "relation": local_name(p),
        "label": prop.label,
        "kind": prop.kind,
        "document": _value(row["docid"]),
        "title": _value(row["title"]),
        "date": _value(row["date"]),
        "url": _web_url(_value(row["url"])),
        "sentence": _value(row["sentence"]),
        "pattern": _value(row["pattern"]),
        "confidence": float(confidence.value) if confidence is not None else 0.0,
        "evidence": row["ev"].value,
        "cameo": prop.cameo_code,
    }


def _web_url(url: str) -> str:
    """The document's URL when it is a web address (http or https), else "": a page links
    to it, and `javascript:` or `file:` addresses from a document must never become links."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return url if scheme in ("http", "https") and not any(c.isspace() for c in url) else ""


def _add_node(graph: nx.MultiDiGraph, iri: str, nodes: dict[str, dict[str, Any]]) -> None:
    if iri not in graph:
        attrs = nodes.get(iri) or {"label": local_name(iri), "kind": "", "aliases": []}
        graph.add_node(iri, **{**attrs, "aliases": list(attrs["aliases"])})


def relation_graph(
    store: Queryable, *, relations: Iterable[str] | None = None, docs: Iterable[str] | None = None
) -> nx.MultiDiGraph:
    """Entities as nodes, one edge per relation occurrence with its evidence.

    `relations` are local names ("boycotts") or prefixed ("kg:boycotts"); `docs` are
    document ids. Unknown ones raise `KgError` E080/E081 naming what exists."""
    rel_iris = _relation_iris(relations) if relations else None
    doc_ids = _check_docs(store, docs) if docs else None
    props = properties(store)
    nodes = _node_attrs(store)
    graph = nx.MultiDiGraph(class_labels=class_labels(store))
    rows = sorted(_evidence_rows(store, rel_iris, doc_ids), key=lambda r: r["ev"].value)
    for row in rows:
        s, o = row["s"].value, row["o"].value
        _add_node(graph, s, nodes)
        _add_node(graph, o, nodes)
        graph.add_edge(s, o, key=row["ev"].value, **_edge_attrs(row, props))
    return graph


def graph_from_triples(store: Queryable, triples: Iterable[Any]) -> nx.MultiDiGraph:
    """The graph of the given triples (pyoxigraph `Triple`s or (s, p, o) term tuples, as a
    CONSTRUCT or a `SELECT ?s ?p ?o` gives them): one edge per evidence occurrence when the
    store has evidence for the triple, else one bare edge. Literal objects are left out: a
    network view draws resources."""
    wanted: list[tuple[str, str, str]] = []
    for triple in triples:
        s, p, o = (
            (triple.subject, triple.predicate, triple.object)
            if isinstance(triple, ox.Triple)
            else tuple(triple)
        )
        if isinstance(o, ox.Literal) or not isinstance(p, ox.NamedNode):
            continue
        wanted.append((s.value, p.value, o.value))
    props = properties(store)
    nodes = _node_attrs(store)
    evidence: dict[tuple[str, str, str], list[Any]] = {}
    if wanted:
        for row in store.query(_EVIDENCE):
            key = (row["s"].value, row["p"].value, row["o"].value)
            evidence.setdefault(key, []).append(row)
    graph = nx.MultiDiGraph(class_labels=class_labels(store))
    for s, p, o in dict.fromkeys(wanted):
        _add_node(graph, s, nodes)
        _add_node(graph, o, nodes)
        rows = sorted(evidence.get((s, p, o), []), key=lambda r: r["ev"].value)
        for row in rows:
            graph.add_edge(s, o, key=row["ev"].value, **_edge_attrs(row, props))
        if not rows:
            prop = props.get(p, Property(local_name(p), "neutral", ""))
            graph.add_edge(
                s,
                o,
                key=f"{s} {p} {o}",
                relation=local_name(p),
                label=prop.label,
                kind=prop.kind,
                document="",
                title="",
                date="",
                url="",
                sentence="",
                pattern="",
                confidence=0.0,
                evidence="",
                cameo=prop.cameo_code,
            )
    return graph


def ego(graph: nx.MultiDiGraph, center_iri: str, depth: int) -> nx.MultiDiGraph:
    """Everything within `depth` hops of `center_iri`, following edges either way."""
    if center_iri not in graph:
        return nx.MultiDiGraph()
    sub: nx.MultiDiGraph = nx.ego_graph(graph, center_iri, radius=depth, undirected=True)
    return sub


def _simple_undirected(graph: nx.MultiDiGraph) -> nx.Graph:
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    return simple


def _edge_dict(graph: nx.MultiDiGraph, u: str, v: str) -> dict[str, Any]:
    """The best-attested edge between u and v (either direction): highest confidence."""
    found = [
        (a, b, data)
        for a, b in ((u, v), (v, u))
        if graph.has_edge(a, b)
        for data in graph[a][b].values()
    ]
    a, b, data = max(found, key=lambda x: (x[2].get("confidence", 0.0), x[2].get("evidence", "")))
    return {
        "subject": a,
        "subject_label": graph.nodes[a].get("label", local_name(a)),
        "relation": data.get("relation", ""),
        "label": data.get("label", ""),
        "object": b,
        "object_label": graph.nodes[b].get("label", local_name(b)),
        "document": data.get("document", ""),
        "title": data.get("title", ""),
        "date": data.get("date", ""),
        "sentence": data.get("sentence", ""),
    }


def shortest_paths(
    graph: nx.MultiDiGraph, a_iri: str, b_iri: str, limit: int = 5
) -> list[list[dict[str, Any]]]:
    """Up to `limit` shortest chains of relations from a to b, shortest first, edges taken
    in either direction. Each chain is a list of edge dicts (subject, relation, object,
    document, sentence, and labels); empty when no chain links them.

    The chains are distinct, not only different: a chain that goes through more than half
    of the intermediate entities of a chain already chosen (the same route with one stop
    swapped) is left out, so five chains are five routes."""
    if a_iri not in graph or b_iri not in graph or a_iri == b_iri:
        return []
    simple = _simple_undirected(graph)
    chosen: list[list[str]] = []
    tried = 0
    try:
        for nodes in nx.shortest_simple_paths(simple, a_iri, b_iri):
            tried += 1
            middle = set(nodes[1:-1])
            if not any(
                len(middle & set(other[1:-1])) * 2 > len(middle) for other in chosen if middle
            ):
                chosen.append(nodes)
            if len(chosen) >= limit or tried >= PATH_CANDIDATES:
                break
    except nx.NetworkXNoPath:
        pass
    return [[_edge_dict(graph, u, v) for u, v in itertools.pairwise(nodes)] for nodes in chosen]


def actors(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph without statement and claim nodes (what is said, not who)."""
    keep = [n for n, kind in graph.nodes(data="kind") if kind not in NOT_ACTORS]
    sub: nx.MultiDiGraph = graph.subgraph(keep)
    return sub


def centrality(graph: nx.MultiDiGraph, top: int | None = 10) -> list[Central]:
    """The most central actors: by degree (distinct partners), then betweenness on the
    undirected graph of actors. Betweenness is sampled (seeded) above 1,000 nodes."""
    sub = actors(graph)
    simple = _simple_undirected(sub)
    n = simple.number_of_nodes()
    if n == 0:
        return []
    sample = min(n, 500) if n > 1000 else None
    between = nx.betweenness_centrality(simple, k=sample, seed=0 if sample else None)
    edges = Counter[str]()
    for u, v in sub.edges():
        edges[u] += 1
        edges[v] += 1
    rows = [
        Central(
            iri,
            sub.nodes[iri].get("label", ""),
            sub.nodes[iri].get("kind", ""),
            simple.degree(iri),
            edges[iri],
            round(between[iri], 4),
        )
        for iri in simple.nodes
    ]
    rows.sort(key=lambda c: (-c.degree, -c.betweenness, c.label, c.iri))
    return rows[:top] if top is not None else rows


def groups(graph: nx.MultiDiGraph) -> list[list[str]]:
    """Connected groups of actors (edges either way), largest first; each group's members
    ordered by degree, then label."""
    sub = actors(graph)
    simple = _simple_undirected(sub)
    out = []
    for comp in nx.connected_components(simple):
        members = sorted(comp, key=lambda n: (-simple.degree(n), sub.nodes[n].get("label", ""), n))
        out.append(members)
    out.sort(key=lambda m: (-len(m), sub.nodes[m[0]].get("label", "")))
    return out


def resolve_entity(store: Queryable, text: str) -> EntityHit:
    """The one entity a user means by `text` (a name, an alias, an IRI or a prefixed name).

    An exact preferred name or alias wins (`kg.graph.lookup`): the one entity whose preferred
    name is `text`, else the one with `text` as an alias, else the only match. Otherwise
    `KgError` E073 (none) or E084 (several: the candidates ranked, exact matches first, each
    with its class and prefixed name)."""
    hits = find_entities(store, text, limit=10_000)
    if not hits:
        raise KgError("E073", text=text)
    best = [h for h in hits if h.rank == hits[0].rank]
    if len(hits) == 1 or (hits[0].exact and len(best) == 1):
        return hits[0]
    shown = hits[:MAX_CANDIDATES]
    listed = "; ".join(_candidate(h) for h in shown)
    more = f" and {len(hits) - len(shown)} more" if len(hits) > len(shown) else ""
    raise KgError("E084", text=text, count=len(hits), listed=listed + more)


def _candidate(hit: EntityHit) -> str:
    how = ""
    if hit.rank == 0:
        how = ", its name"
    elif hit.exact:
        how = f", alias {hit.matched!r}"
    return f"{hit.label} ({hit.kind}, {short(ox.NamedNode(hit.iri))}{how})"


def _query_graph(store: Queryable, sparql: str) -> nx.MultiDiGraph:
    answer = store.query(sparql)
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        if not {"s", "p", "o"} <= set(names):
            raise KgError("E085", reason=f"it selects {', '.join('?' + n for n in names)}")
        return graph_from_triples(
            store,
            ((r["s"], r["p"], r["o"]) for r in answer if None not in (r["s"], r["p"], r["o"])),
        )
    if isinstance(answer, (bool, ox.QueryBoolean)):
        raise KgError("E085", reason="it is an ASK query")
    return graph_from_triples(store, answer)


def _keep_edges(
    graph: nx.MultiDiGraph, relations: list[str] | None, docs: list[str] | None
) -> nx.MultiDiGraph:
    names = {local_name(r) for r in relations or ()}
    keep = [
        (u, v, k)
        for u, v, k, data in graph.edges(keys=True, data=True)
        if (not names or data.get("relation") in names)
        and (not docs or data.get("document") in docs)
    ]
    sub: nx.MultiDiGraph = graph.edge_subgraph(keep).copy()
    return sub


def select(
    store: Queryable,
    *,
    around: str | None = None,
    depth: int = 1,
    relations: Iterable[str] = (),
    docs: Iterable[str] = (),
    query: str | None = None,
) -> tuple[nx.MultiDiGraph, str]:
    """The subset `kg viz` draws, and a title describing it: the relation graph (or the
    triples of `query`), restricted to `relations` and `docs`, then to the ego network of
    `around` within `depth` hops. Raises E086 when nothing is left."""
    rels = _relation_iris(relations) if relations else None
    doc_ids = _check_docs(store, docs) if docs else None
    parts = []
    if query is not None:
        graph = _keep_edges(_query_graph(store, query), rels, doc_ids)
        parts.append("query")
    else:
        graph = relation_graph(store, relations=rels, docs=doc_ids)
    if rels:
        parts.append(", ".join(local_name(r) for r in rels))
    if doc_ids:
        parts.append(", ".join(doc_ids))
    if around is not None:
        hit = resolve_entity(store, around)
        if hit.iri not in graph:
            raise KgError("E086", reason=f"{hit.label} has no relations in this selection")
        graph = ego(graph, hit.iri, depth)
        parts.append(f"around {hit.label}, depth {depth}")
    if graph.number_of_nodes() == 0:
        raise KgError("E086", reason="the selection has no relations")
    return graph, "kg network" + (f": {'; '.join(parts)}" if parts else "")


def _walk(chain: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """The chain's entities in the order walked, as (iri, the step into it was taken along
    the edge's direction); the first has True."""
    first = chain[0]
    if len(chain) > 1 and first["subject"] in (chain[1]["subject"], chain[1]["object"]):
        here = first["object"]
    else:
        here = first["subject"]
    walk = [(here, True)]
    for edge in chain:
        forward = edge["subject"] == here
        here = edge["object"] if forward else edge["subject"]
        walk.append((here, forward))
    return walk


def _label_of(chain: list[dict[str, Any]], iri: str) -> str:
    for edge in chain:
        if edge["subject"] == iri:
            return str(edge["subject_label"])
        if edge["object"] == iri:
            return str(edge["object_label"])
    return local_name(iri)


def _wrap_items(items: list[str], width: int, indent: str, first: str = "") -> list[str]:
    """Items on lines of at most `width` characters, broken only between items (an item is
    never cut; one longer than the width has a line to itself)."""
    lines, line = [], first
    for item in items:
        if line.strip() and len(line) + len(item) > width:
            lines.append(line.rstrip())
            line = indent
            item = item.lstrip()
        line += item
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _wrap_text(text: str, width: int, indent: str) -> list[str]:
    return _wrap_items([w + " " for w in text.split()], width, indent, indent)


def describe_paths(chains: list[list[dict[str, Any]]], width: int = 100) -> str:
    """Chains as text a terminal shows whole: a summary line; per chain the route on one
    line (wrapped between steps), then each step with its document and sentence (wrapped,
    never cut; a sentence the step before gave is not repeated)."""
    if not chains:
        return ""
    first, last = _walk(chains[0])[0][0], _walk(chains[0])[-1][0]
    lengths = Counter(len(chain) for chain in chains)
    counts = ", ".join(
        f"{n} of {k} step{'s' if k != 1 else ''}" for k, n in sorted(lengths.items())
    )
    lines = [
        f"{_label_of(chains[0], first)} and {_label_of(chains[0], last)}: "
        f"{len(chains)} chain{'s' if len(chains) != 1 else ''} ({counts}), shortest first"
    ]
    for number, chain in enumerate(chains, 1):
        walk = _walk(chain)
        lead = f"{number}. "
        items = [_label_of(chain, walk[0][0])]
        for edge, (iri, forward) in zip(chain, walk[1:], strict=True):
            arrow = f"--{edge['label']}-->" if forward else f"<--{edge['label']}--"
            items.append(f" {arrow} {_label_of(chain, iri)}")
        lines += ["", *_wrap_items(items, width, " " * (len(lead) + 2), lead)]
        said = ""
        for edge in chain:
            lines.append(f"   {edge['subject_label']} --{edge['label']}--> {edge['object_label']}")
            where = edge["document"] + (f" ({edge['date']})" if edge["date"] else "")
            sentence = " ".join(edge["sentence"].split())
            if sentence and sentence == said:
                lines.append(f"     {where}: the same sentence")
                continue
            if edge["title"]:
                where += f" {edge['title']}"
            lines += _wrap_text(where, width, "     ")
            if sentence:
                lines += _wrap_text(f'"{sentence}"', width, "     ")
            said = sentence
    return "\n".join(lines)


def path_report(
    store: Queryable,
    a: str,
    b: str,
    *,
    limit: int = 5,
    relations: Iterable[str] = (),
    width: int = 100,
) -> str:
    """`kg path A B`: the shortest distinct chains between the entities that A and B name
    (`resolve_entity`), as `describe_paths` prints them. A and B naming one entity is a
    user error (E074); no chain is a sentence, not an error."""
    start, end = resolve_entity(store, a), resolve_entity(store, b)
    if start.iri == end.iri:
        same = f"{start.label} ({short(ox.NamedNode(start.iri))})"
        raise KgError(
            "E074",
            usage=f"kg path A B, with two different entities; {a!r} and {b!r} are both {same}",
        )
    graph = relation_graph(store, relations=list(relations) or None)
    chains = shortest_paths(graph, start.iri, end.iri, limit=limit)
    if not chains:
        return f"no chain of relations links {start.label} and {end.label}"
    return describe_paths(chains, width=width)


# -- kg stats ------------------------------------------------------------------------

GROUP_NAMES = 8

SUMMARY_QUERIES = {
    "documents": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document }",
    "entities": "SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e a ?c } "
    "FILTER(?g != graph:ontology) ?c rdfs:label ?class "
    "FILTER(?c NOT IN (kg:Document, kg:Evidence, kg:Statement, kg:Claim)) } "
    "GROUP BY ?class ORDER BY DESC(?n)",
    "relations": "SELECT ?relation (COUNT(*) AS ?n) WHERE { ?e a kg:Evidence ; rdf:predicate ?p . "
    "BIND(STRAFTER(STR(?p), STR(kg:)) AS ?relation) } GROUP BY ?relation "
    "ORDER BY DESC(?n)",
}


_CLASS_COUNTS = """
SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE {
  GRAPH ?g { ?e a ?c } FILTER(?g != graph:ontology)
  FILTER(STRSTARTS(STR(?c), STR(kg:)) && ?c NOT IN (kg:Document, kg:Evidence, kg:Actor))
} GROUP BY ?c
"""


def _aligned(headers: list[str], rows: list[list[str]]) -> str:
    """A table whose cells are never cut (kg.graph.results.table clips at 80 characters)."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), "-+-".join("-" * w for w in widths), *map(line, rows)])


def summary(
    store_path: Path | None, top: int = 10, relations: Iterable[str] = (), width: int = 100
) -> str:
    """`kg stats`: counts from SPARQL, then the network analysis (the most central actors
    and the connected groups of actors, restricted to `relations` when given). Classes and
    relations are named and counted as the `kg viz` page's legend and filters name and count
    them; no name is cut."""
    store = open_store(store_path)
    docs = next(iter(store.query(SUMMARY_QUERIES["documents"])))["n"].value
    graph = relation_graph(store, relations=list(relations) or None)
    labels: dict[str, str] = graph.graph.get("class_labels", {})
    scope = f" ({', '.join(relations)})" if relations else ""
    parts = [f"store: {store.path}  quads: {len(store)}  documents: {docs}", ""]
    stored = {local_name(r["c"].value): int(r["n"].value) for r in store.query(_CLASS_COUNTS)}
    drawn = Counter(kind for _, kind in graph.nodes(data="kind"))
    classes = sorted(set(stored) | set(drawn), key=lambda k: (-drawn[k], -stored.get(k, 0), k))
    if relations:  # the classes the selection reaches
        classes = [k for k in classes if drawn[k]]
    parts += [
        _aligned(
            ["class", "entities", f"in the network{scope}"],
            [[class_label(k, labels), str(stored.get(k, 0)), str(drawn[k])] for k in classes],
        ),
        "",
    ]
    props = {local_name(iri): p for iri, p in properties(store).items()}
    counts = Counter(data["relation"] for *_, data in graph.edges(data=True))
    parts += [
        _aligned(
            ["relation", "sentences", "kind (CAMEO)"],
            [
                [r, str(n), props[r].kind if r in props else ""]
                for r, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
            ],
        ),
        "",
    ]
    central = centrality(graph, top=top)
    parts += [
        f"most central actors{scope}",
        _aligned(
            ["actor", "class", "partners", "relations", "betweenness"],
            [
                [c.label, class_label(c.kind, labels), str(c.degree), str(c.relations)]
                + [f"{c.betweenness:.3f}"]
                for c in central
            ],
        ),
        "",
    ]
    found = groups(graph)
    parts.append(f"connected groups of actors{scope}: {len(found)}")
    for number, members in enumerate(found[:top], 1):
        names = [str(graph.nodes[m].get("label", m)) for m in members[:GROUP_NAMES]]
        items = [n + ", " for n in names[:-1]] + [names[-1]]
        if len(members) > GROUP_NAMES:
            items[-1] += ","
            items.append(f" and {len(members) - GROUP_NAMES} more")
        lead = f"{number}. {len(members)} actor{'s' if len(members) != 1 else ''}: "
        parts += _wrap_items(items, width, " " * len(lead), lead)
    if len(found) > top:
        parts.append(f"… and {len(found) - top} more groups (--top)")
    return "\n".join(parts).rstrip()
