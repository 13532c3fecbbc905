"""The README's command tables against the program (as datasette checks its docs against
--help): every command in `kg --help` has a row in "## Commands" and no row names a command
that does not exist; the same for the shell's table and `\\help`. Summaries may differ."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def kg(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_STORE": str(cwd / "no-default-store"), "KG_CONFIG_DIR": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def section(heading: str) -> str:
    """The README text under a `## ` heading, up to the next one."""
    start = README.index(f"\n## {heading}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def first_cells(text: str) -> list[str]:
    """The first cell of each row of the markdown tables in text (header rows left out)."""
    cells = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            cells.append(re.split(r"(?<!\\)\|", line)[1].strip())
    return cells


def command_names(table: str) -> list[str]:
    """`kg build PATHS...` -> build, for each row of the tables in table."""
    names = []
    for cell in first_cells(table):
        match = re.fullmatch(r"`kg ([a-z-]+)[^`]*`", cell)
        if match:
            names.append(match.group(1))
    return names


def shell_command_names(table: str) -> list[str]:
    """`\\prefixes`, `\\classes` -> prefixes, classes, for each row of the tables in table."""
    names = []
    for cell in first_cells(table):
        names.extend(re.findall(r"`\\([a-z]+)", cell))
    return names


def help_commands(text: str) -> list[str]:
    listing = text.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]


def same(program: list[str], documented: list[str], source: str, table: str) -> str:
    return (
        f"in {source} but not in {table}: {sorted(set(program) - set(documented))}; "
        f"in {table} but not in {source}: {sorted(set(documented) - set(program))}"
    )


def test_readme_command_table_matches_kg_help(tmp_path: Path) -> None:
    run = kg("--help", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    program = help_commands(run.stdout)
    documented = command_names(section("Commands"))
    assert len(program) >= 10 and len(documented) == len(set(documented))
    assert sorted(documented) == sorted(program), same(
        program, documented, "kg --help", "the README's ## Commands"
    )


def test_readme_shell_table_matches_help(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "talks.txt").write_text(
        "Leaders hold talks\n\nEmmanuel Macron met Olaf Scholz in Berlin.\n", encoding="utf-8"
    )
    store = tmp_path / "store"
    built = kg("build", articles, "--store", store, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    run = kg("shell", "--store", store, "-e", "\\help", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    program = re.findall(r"^\\([a-z]+)", run.stdout, re.M)
    documented = shell_command_names(section("The shell: `kg shell`"))
    assert len(program) >= 15 and len(documented) == len(set(documented))
    assert sorted(documented) == sorted(program), same(
        program, documented, "\\help", "the README's shell table"
    )


def test_readme_table_parsers_read_command_names() -> None:
    table = (
        "| command | what it does |\n"
        "|---|---|\n"
        "| `kg build PATHS...` | a \\| b |\n"
        "| `kg eval --gold GOLD PATHS...` | c |\n"
        "| `\\prefixes`, `\\classes` | d |\n"
        "| `\\q` | e |\n"
    )
    assert command_names(table) == ["build", "eval"]
    assert shell_command_names(table) == ["prefixes", "classes", "q"]
