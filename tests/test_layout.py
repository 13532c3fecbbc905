"""The import rules that keep the layers of kg/ apart, checked on the source with `ast`.

Every import counts, at module level and inside functions (a function-level import is
still a dependency, and the way cycles hide); an import under `if TYPE_CHECKING:` does
not, since it never runs. A rule on a layer holds through other modules too: if
kg.graph.rdf imported kg.build, which imports the extraction layer, the graph layer would
depend on spaCy all the same, so the failure names the import and the chain that reaches it.

- plain modules (kg.model, kg.errors, kg.formats, kg.files, kg.resources, kg.settings)
  import only the standard library and each other;
- the graph layer (kg.graph.*) never reaches the extraction layer, spaCy or the views
  (kg.shell, kg.viz, kg.export, kg.analysis, kg.cli);
- the extraction layer (kg.extraction.*) never reaches the graph layer or the views;
- only kg/cli.py imports click;
- no import cycles among kg modules.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PLAIN = ("kg.model", "kg.errors", "kg.formats", "kg.files", "kg.resources", "kg.settings")
VIEWS = ("kg.shell", "kg.viz", "kg.export", "kg.analysis", "kg.cli")


@dataclass(frozen=True)
class Import:
    importer: str  # the importing module, e.g. kg.graph.store
    target: str  # what it imports, resolved to a module where it is one: kg.graph.remote
    path: Path
    line: int

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line}"


@dataclass
class Source:
    root: Path  # the folder that holds the package
    modules: dict[str, Path]  # module name -> file
    imports: list[Import]

    def of(self, module: str) -> list[Import]:
        return [imp for imp in self.imports if imp.importer == module]

    def internal(self, module: str) -> Iterator[tuple[str, Import]]:
        """The kg modules that importing `module` runs: each import's target and the
        packages above it that the importer is not already inside."""
        for imp in self.of(module):
            parts = imp.target.split(".")
            for end in range(1, len(parts) + 1):
                name = ".".join(parts[:end])
                if name in self.modules and name != module and not module.startswith(name + "."):
                    yield name, imp


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except the bodies of `if TYPE_CHECKING:`."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def _resolve(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]):
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        yield candidate if candidate in known else base


def scan(root: Path, package: str = "kg") -> Source:
    files = sorted(p for p in (root / package).rglob("*.py") if "__pycache__" not in p.parts)
    modules = {_module_name(path, root): path for path in files}
    known = set(modules)
    imports = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _import_nodes(tree):
            for target in _resolve(node, name, path.name == "__init__.py", known):
                imports.append(Import(name, target, path, node.lineno))
    imports.sort(key=lambda imp: (str(imp.path), imp.line, imp.target))
    return Source(root, modules, imports)


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer_violations(source: Source, layer: str, forbidden: Iterable[str]) -> list[str]:
    """Each import, in the layer or in a module the layer imports, of something the layer
    must not depend on: the import's place, and the chain from the layer that reaches it."""
    forbidden = tuple(forbidden)
    found: dict[Import, list[str]] = {}
    for start in sorted(m for m in source.modules if _within(m, [layer])):
        chain = {start: [start]}
        queue = deque([start])
        while queue:
            module = queue.popleft()
            for imp in source.of(module):
                if _within(imp.target, forbidden) and imp not in found:
                    found[imp] = chain[module]
            for target, _ in source.internal(module):
                if target not in chain:
                    chain[target] = [*chain[module], target]
                    queue.append(target)
    lines = []
    for imp, path in sorted(found.items(), key=lambda item: (str(item[0].path), item[0].line)):
        via = f" (via {' -> '.join(path)})" if len(path) > 1 else ""
        lines.append(f"{imp.where(source.root)}: {imp.importer} imports {imp.target}{via}")
    return lines


def plain_violations(source: Source, plain: Iterable[str]) -> list[str]:
    plain = tuple(plain)
    return [
        f"{imp.where(source.root)}: {imp.importer} imports {imp.target}"
        for imp in source.imports
        if imp.importer in plain
        and imp.target not in plain
        and imp.target.split(".")[0] not in sys.stdlib_module_names
    ]


def only_importer_violations(source: Source, library: str, allowed: str) -> list[str]:
    return [
        f"{imp.where(source.root)}: {imp.importer} imports {imp.target}"
        for imp in source.imports
        if imp.importer != allowed and imp.target.split(".")[0] == library
    ]


def cycles(source: Source) -> list[str]:
    """Each strongly connected group of kg modules, as one cycle through it with the
    file and line of every import on the way (Tarjan's algorithm)."""
    edges: dict[str, dict[str, Import]] = {m: {} for m in source.modules}
    for module in source.modules:
        for target, imp in source.internal(module):
            edges[module].setdefault(target, imp)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    found = []
    for group in groups:
        start = group[0]
        back = {start: [start]}  # a shortest path from start back to start, inside the group
        queue = deque([start])
        cycle: list[str] = []
        while queue and not cycle:
            node = queue.popleft()
            for nxt in sorted(edges[node]):
                if nxt == start:
                    cycle = [*back[node], start]
                    break
                if nxt in group and nxt not in back:
                    back[nxt] = [*back[node], nxt]
                    queue.append(nxt)
        steps = [start] + [f"{b} ({edges[a][b].where(source.root)})" for a, b in pairwise(cycle)]
        found.append(" -> ".join(steps) + f"   [group: {', '.join(group)}]")
    return found


def _report(what: str, violations: list[str]) -> str:
    return f"{len(violations)} {what}:\n  " + "\n  ".join(violations)


@pytest.fixture(scope="module")
def source() -> Source:
    return scan(ROOT)


# -- the rules, on kg/ --------------------------------------------------------------------


def test_layout_plain_modules_import_only_the_standard_library(source: Source) -> None:
    present = [m for m in PLAIN if m in source.modules]
    assert {"kg.model", "kg.errors", "kg.resources"} <= set(present)
    violations = plain_violations(source, PLAIN)
    assert not violations, _report("imports outside the standard library", violations)


def test_layout_graph_layer_never_reaches_extraction_spacy_or_views(source: Source) -> None:
    violations = layer_violations(source, "kg.graph", ("kg.extraction", "spacy", *VIEWS))
    assert not violations, _report("forbidden imports for kg.graph", violations)


def test_layout_extraction_layer_never_reaches_graph_or_views(source: Source) -> None:
    violations = layer_violations(source, "kg.extraction", ("kg.graph", *VIEWS))
    assert not violations, _report("forbidden imports for kg.extraction", violations)


def test_layout_only_the_cli_imports_click(source: Source) -> None:
    assert any(imp.target == "click" for imp in source.of("kg.cli"))
    violations = only_importer_violations(source, "click", "kg.cli")
    assert not violations, _report("click imports outside kg/cli.py", violations)


def test_layout_no_import_cycles(source: Source) -> None:
    found = cycles(source)
    assert not found, _report("import cycles", found)


def test_layout_scan_sees_every_module(source: Source) -> None:
    on_disk = {p for p in (ROOT / "kg").rglob("*.py") if "__pycache__" not in p.parts}
    assert set(source.modules.values()) == on_disk
    assert {"kg", "kg.cli", "kg.model", "kg.graph.store", "kg.extraction.nlp"} <= set(
        source.modules
    )


def documented_paths(text: str) -> list[str]:
    """The paths of the tree in docs/layout.md's code block: each line is an indented name
    (two spaces a level; a folder ends with /) and what it holds."""
    block = text.split("```", 2)[1]
    stack: list[str] = []
    paths = []
    for line in block.splitlines()[1:]:
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        stack[depth:] = [name.rstrip("/")]
        paths.append("/".join(stack) + ("/" if name.endswith("/") else ""))
    return paths


def test_layout_docs_name_every_module_and_nothing_gone() -> None:
    paths = documented_paths((ROOT / "docs" / "layout.md").read_text(encoding="utf-8"))
    gone = [p for p in paths if not list(ROOT.glob(p.rstrip("/")))]
    assert not gone, f"docs/layout.md names what does not exist: {gone}"
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "kg").rglob("*.py")
        if "__pycache__" not in p.parts and p.stat().st_size
    }
    missing = sorted(modules - set(paths))
    assert not missing, f"docs/layout.md has no line for: {missing}"


def test_layout_docs_tree_parser_builds_paths() -> None:
    text = "x\n```\nkg/\n  a.py   one\n  sub/   two\n    b.py three\n  c.py four\nontology/\n```\n"
    assert documented_paths(text) == [
        "kg/",
        "kg/a.py",
        "kg/sub/",
        "kg/sub/b.py",
        "kg/c.py",
        "ontology/",
    ]


# -- the checker itself, on small trees written here ----------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Source:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return scan(root)


def test_layout_scan_counts_function_imports_not_type_checking(tmp_path: Path) -> None:
    source = _tree(
        tmp_path,
        {
            "kg/__init__.py": "",
            "kg/graph/__init__.py": "",
            "kg/graph/store.py": """\
                from __future__ import annotations
                import typing
                from typing import TYPE_CHECKING
                from . import rdf
                from .rdf import to_quads
                if TYPE_CHECKING:
                    from kg.extraction.nlp import Language
                if typing.TYPE_CHECKING:
                    import spacy
                else:
                    import json
                def lazy():
                    import spacy.tokens
                    from ..extraction import nlp
                """,
            "kg/graph/rdf.py": "",
            "kg/extraction/__init__.py": "",
            "kg/extraction/nlp.py": "",
        },
    )
    found = {(imp.target, imp.line) for imp in source.of("kg.graph.store")}
    assert found == {
        ("__future__", 1),
        ("typing", 2),
        ("typing", 3),
        ("kg.graph.rdf", 4),
        ("kg.graph.rdf", 5),
        ("json", 11),
        ("spacy.tokens", 13),
        ("kg.extraction.nlp", 14),
    }
    violations = layer_violations(source, "kg.graph", ("kg.extraction", "spacy"))
    assert violations == [
        "kg/graph/store.py:13: kg.graph.store imports spacy.tokens",
        "kg/graph/store.py:14: kg.graph.store imports kg.extraction.nlp",
    ]


def test_layout_layer_rule_follows_imports_through_other_modules(tmp_path: Path) -> None:
    source = _tree(
        tmp_path,
        {
            "kg/__init__.py": "",
            "kg/build.py": "import kg.extraction.nlp\n",
            "kg/graph/__init__.py": "",
            "kg/graph/rdf.py": "def f():\n    from kg import build\n",
            "kg/extraction/__init__.py": "",
            "kg/extraction/nlp.py": "import spacy\n",
        },
    )
    assert layer_violations(source, "kg.graph", ("kg.extraction", "spacy")) == [
        "kg/build.py:1: kg.build imports kg.extraction.nlp (via kg.graph.rdf -> kg.build)",
        "kg/extraction/nlp.py:1: kg.extraction.nlp imports spacy "
        "(via kg.graph.rdf -> kg.build -> kg.extraction.nlp)",
    ]


def test_layout_plain_and_click_rules_name_the_import(tmp_path: Path) -> None:
    source = _tree(
        tmp_path,
        {
            "kg/__init__.py": "",
            "kg/model.py": "import json\nfrom kg.errors import KgError\nimport rdflib\n",
            "kg/errors.py": "import click\n",
            "kg/cli.py": "import click\n",
        },
    )
    assert plain_violations(source, ("kg.model", "kg.errors")) == [
        "kg/errors.py:1: kg.errors imports click",
        "kg/model.py:3: kg.model imports rdflib",
    ]
    assert only_importer_violations(source, "click", "kg.cli") == [
        "kg/errors.py:1: kg.errors imports click"
    ]


def test_layout_cycles_are_reported_with_their_path(tmp_path: Path) -> None:
    source = _tree(
        tmp_path,
        {
            "kg/__init__.py": "",
            "kg/a.py": "import kg.b\n",
            "kg/b.py": "\n\ndef f():\n    from kg import c\n",
            "kg/c.py": "from kg.a import thing\n",
            "kg/d.py": "import kg.a\n",
        },
    )
    assert cycles(source) == [
        "kg.a -> kg.b (kg/a.py:1) -> kg.c (kg/b.py:4) -> kg.a (kg/c.py:1)"
        "   [group: kg.a, kg.b, kg.c]"
    ]
    assert cycles(_tree(tmp_path / "ok", {"kg/__init__.py": "", "kg/a.py": "import kg\n"})) == []
