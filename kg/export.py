"""`kg export` and `kg stats`: the stored graph written out or summarised."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.results import table
from kg.store import open_store


def export_file(store_path: Path | None, fmt: str, output: Path) -> int:
    """Serialise the store into `output` atomically; returns the number of statements."""
    store = open_store(store_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    os.close(fd)
    try:
        store.export(fmt, tmp)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(store)


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


def summary(store_path: Path | None) -> str:
    store = open_store(store_path)
    docs = next(iter(store.query(SUMMARY_QUERIES["documents"])))["n"].value
    parts = [f"store: {store.path}  quads: {len(store)}  documents: {docs}", ""]
    for name in ("entities", "relations"):
        rows = [[r[0].value, r[1].value] for r in store.query(SUMMARY_QUERIES[name])]
        parts += [table(["class" if name == "entities" else "relation", "count"], rows), ""]
    return "\n".join(parts).rstrip()
