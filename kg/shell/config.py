"""Shell settings: the commented default file shipped in the package, then the user's file.

Directories follow XDG and can be pointed elsewhere (tests use a temporary folder):
``$KG_CONFIG_DIR`` (else ``$XDG_CONFIG_HOME/kg``) holds ``shellrc``; ``$KG_DATA_DIR``
(else ``$XDG_DATA_HOME/kg``) holds the ``history`` file.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.formats import QUERY

DEFAULTS = Path(__file__).with_name("shellrc")


def config_dir() -> Path:
    if "KG_CONFIG_DIR" in os.environ:
        return Path(os.environ["KG_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kg"


def data_dir() -> Path:
    if "KG_DATA_DIR" in os.environ:
        return Path(os.environ["KG_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kg"


@dataclass
class Config:
    format: str = "table"
    timing: bool = True
    labels: bool = False
    timeout: float = 0.0
    pager: str = ""
    style: str = "default"
    entity_suggestions: int = 30
    history: bool = True
    width: int = 80  # a table cell is cut at this many columns; 0 never cuts
    null: str = "∅"  # how an unbound value shows, unlike the empty string ""
    literals: bool = False  # show "chat"@fr and "5"^^xsd:integer as Turtle writes them
    expanded: str = "off"  # on: one block per row (\\x); auto: when a table is too wide
    max_rows: int = 10_000  # rows a query or command shows at most; 0 shows all

    @property
    def history_file(self) -> Path | None:
        return data_dir() / "history" if self.history else None


EXPANDED = ("on", "off", "auto")


def check(config: Config) -> str:
    """What is wrong with a setting's value ('' if nothing): a negative timeout would stop
    every query at once, a negative width or row count means nothing."""
    for name in ("timeout", "width", "max_rows", "entity_suggestions"):
        if getattr(config, name) < 0:
            return f"{name} = {getattr(config, name)} is negative; use 0 or more"
    if config.expanded not in EXPANDED:
        return f"expanded = {config.expanded} is not one of {', '.join(EXPANDED)}"
    return ""


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def load_config(user_file: Path | None = None) -> Config:
    """The packaged defaults overridden by the user's file (if it exists)."""
    user_file = user_file or config_dir() / "shellrc"
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(DEFAULTS, encoding="utf-8")
    try:
        parser.read(user_file, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise KgError("E076", str(user_file), reason=str(exc).splitlines()[0]) from exc
    main = parser["main"]
    try:
        config = Config(
            format=main.get("format", "table").strip(),
            timing=main.getboolean("timing", True),
            labels=main.getboolean("labels", False),
            timeout=main.getfloat("timeout", 0.0),
            pager=main.get("pager", "").strip() or os.environ.get("PAGER", ""),
            style=main.get("style", "default").strip(),
            entity_suggestions=main.getint("entity_suggestions", 30),
            history=main.getboolean("history", True),
            width=main.getint("width", 80),
            null=_unquoted(main.get("null", "∅")),
            literals=main.getboolean("literals", False),
            expanded=main.get("expanded", "off").strip().lower(),
            max_rows=main.getint("max_rows", 10_000),
        )
    except ValueError as exc:
        raise KgError("E076", str(user_file), reason=str(exc)) from exc
    problem = check(config)
    if problem:
        raise KgError("E076", str(user_file), reason=problem)
    try:
        config.format = QUERY.get(config.format).name
    except KgError as exc:
        raise KgError("E076", str(user_file), reason=exc.message) from None
    return config
