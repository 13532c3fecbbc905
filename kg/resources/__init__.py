"""Every data file the program reads, found with `importlib.resources`, so that an installed
wheel works as well as a checkout.

- ``kg.resources`` (this folder): general knowledge as data (gazetteers, the lexicon of
  English word lists) and the assets of the `kg viz` page;
- ``kg.ontology``: the top-level ``ontology/`` folder (``kg.ttl``, ``shapes.ttl`` and the
  relation rules in ``patterns/``), which pyproject.toml maps onto this package name;
- ``kg.queries``: the top-level ``data/queries/`` folder of example queries, mapped likewise.

Standard library only: the shell and the graph layer read these without spaCy or rdflib.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["ontology_path", "queries_folder", "read_json", "resource_path", "rules_path"]


def _folder(package: str) -> Path:
    # pip installs wheels unpacked, and an editable install points at the checkout, so the
    # package folder is a real directory (pyoxigraph and jinja2 want file-system paths).
    return Path(str(files(package)))


def resource_path(*parts: str) -> Path:
    """A file or folder of kg/resources: ``resource_path("viz", "network.js")``."""
    return _folder("kg.resources").joinpath(*parts)


@cache
def read_json(name: str) -> Any:
    """A JSON file of kg/resources, read once per process."""
    return json.loads(resource_path(name).read_text(encoding="utf-8"))


def ontology_path(name: str = "kg.ttl") -> Path:
    """A file of ontology/: ``kg.ttl`` (the ontology), ``shapes.ttl`` (SHACL shapes)."""
    return _folder("kg.ontology") / name


def rules_path() -> Path:
    """The relation rules: ontology/patterns/relations.json."""
    return _folder("kg.ontology") / "patterns" / "relations.json"


def queries_folder() -> Path:
    """The folder of example queries, data/queries/ (``*.rq``)."""
    return _folder("kg.queries")
