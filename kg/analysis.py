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
from kg.graph.results import short, table
from kg.graph.store import open_store
from kg.graph.vocab import KG, RELATIONS

# The union default graph repeats a triple once per document graph holding it, hence DISTINCT.
# ?p and ?docid are projected because pyoxigraph substitutes only projected variables.
_EVIDENCE = """
SELECT DISTINCT ?ev ?s ?p ?o ?docid ?title ?date ?sentence ?pattern ?confidence WHERE {
  ?ev a kg:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:document ?doc .
  ?doc dcterms:identifier ?docid .
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:date ?date }
  OPTIONAL { ?ev kg:sentence ?sentence }
  OPTIONAL { ?ev kg:pattern ?pattern }
  OPTIONAL { ?ev kg:confidence ?confidence }
}
"""

_PROPERTIES = """
SELECT DISTINCT ?p ?label ?quad ?root WHERE {
  ?p a ?type . FILTER(?type IN (owl:ObjectProperty, rdf:Property))
  OPTIONAL { ?p rdfs:label ?label }
  OPTIONAL { ?p kg:cameoQuadClass ?quad }
  OPTIONAL { ?p kg:cameoRoot ?root }
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


@dataclass(frozen=True)
class Property:
    label: str
    kind: str  # "cooperation", "conflict" or "neutral"
    cameo_root: str


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
    """Label and cooperation/conflict kind of every property, read from the ontology's
    CAMEO annotations (a quad class such as "verbal conflict")."""
    out: dict[str, Property] = {}
    for row in store.query(_PROPERTIES):
        iri = row["p"].value
        quad = _value(row["quad"]).lower()
        kind = (
            "conflict"
            if "conflict" in quad
            else "cooperation"
            if "cooperation" in quad
            else "neutral"
        )
        out[iri] = Property(_value(row["label"]) or local_name(iri), kind, _value(row["root"]))
    return out


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
        "sentence": _value(row["sentence"]),
        "pattern": _value(row["pattern"]),
        "confidence": float(confidence.value) if confidence is not None else 0.0,
        "evidence": row["ev"].value,
    }


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
    graph = nx.MultiDiGraph()
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
    graph = nx.MultiDiGraph()
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
                sentence="",
                pattern="",
                confidence=0.0,
                evidence="",
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
    document, sentence, and labels); empty when no chain links them."""
    if a_iri not in graph or b_iri not in graph or a_iri == b_iri:
        return []
    simple = _simple_undirected(graph)
    chains: list[list[dict[str, Any]]] = []
    try:
        for nodes in nx.shortest_simple_paths(simple, a_iri, b_iri):
            chains.append([_edge_dict(graph, u, v) for u, v in itertools.pairwise(nodes)])
            if len(chains) >= limit:
                break
    except nx.NetworkXNoPath:
        pass
    return chains


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
    """The one entity a user means by `text` (a name, an alias, an IRI or a prefixed name):
    the only match, or the only one whose label is exactly `text`. Otherwise `KgError`
    E073 (none) or E084 (several, listed with their prefixed names)."""
    hits = find_entities(store, text)
    if not hits:
        raise KgError("E073", text=text)
    exact = [h for h in hits if h.label.casefold() == text.strip().strip("\"'").casefold()]
    if len(hits) == 1 or len(exact) == 1:
        return exact[0] if exact else hits[0]
    listed = "; ".join(
        f"{h.label} ({h.kind}, {short(ox.NamedNode(h.iri))})" for h in hits[:MAX_CANDIDATES]
    )
    more = f" and {len(hits) - MAX_CANDIDATES} more" if len(hits) > MAX_CANDIDATES else ""
    raise KgError("E084", text=text, count=len(hits), listed=listed + more)


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


def describe_paths(chains: list[list[dict[str, Any]]]) -> str:
    """Chains as text: one line per edge, then where it is said."""
    lines = []
    for number, chain in enumerate(chains, 1):
        lines.append(f"chain {number} ({len(chain)} step{'s' if len(chain) != 1 else ''}):")
        for edge in chain:
            lines.append(f"  {edge['subject_label']} --{edge['label']}--> {edge['object_label']}")
            where = edge["document"] + (f" ({edge['date']})" if edge["date"] else "")
            if edge["title"]:
                where += f" {edge['title']}"
            lines.append(f"      {where}")
            if edge["sentence"]:
                lines.append(f'      "{" ".join(edge["sentence"].split())}"')
    return "\n".join(lines)


# -- kg stats ------------------------------------------------------------------------

GROUP_NAMES = 6

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


def summary(store_path: Path | None, top: int = 10, relations: Iterable[str] = ()) -> str:
    """Counts from SPARQL, then the network analysis: the most central actors and the
    connected groups of actors (restricted to `relations` when given)."""
    store = open_store(store_path)
    docs = next(iter(store.query(SUMMARY_QUERIES["documents"])))["n"].value
    parts = [f"store: {store.path}  quads: {len(store)}  documents: {docs}", ""]
    for name in ("entities", "relations"):
        rows = [[r[0].value, r[1].value] for r in store.query(SUMMARY_QUERIES[name])]
        parts += [table(["class" if name == "entities" else "relation", "count"], rows), ""]
    graph = relation_graph(store, relations=list(relations) or None)
    scope = f" ({', '.join(relations)})" if relations else ""
    central = centrality(graph, top=top)
    parts += [
        f"most central actors{scope}",
        table(
            ["actor", "class", "partners", "relations", "betweenness"],
            [
                [c.label, c.kind, str(c.degree), str(c.relations), f"{c.betweenness:.3f}"]
                for c in central
            ],
        ),
        "",
    ]
    found = groups(graph)
    rows = []
    for number, members in enumerate(found[:top], 1):
        names = [graph.nodes[m].get("label", m) for m in members[:GROUP_NAMES]]
        more = f" … (+{len(members) - GROUP_NAMES})" if len(members) > GROUP_NAMES else ""
        rows.append([str(number), str(len(members)), ", ".join(names) + more])
    parts += [
        f"connected groups of actors{scope}: {len(found)}",
        table(["group", "actors", "members (most connected first)"], rows),
    ]
    return "\n".join(parts).rstrip()
