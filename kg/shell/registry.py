"""The table of backslash commands, which the commands module fills (`@command`) and the
engine reads; neither imports the other for it (as litecli's `special` registry).
`\\help` and completion are generated from this table, so they cannot drift from it."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.errors import KgError

if TYPE_CHECKING:
    from kg.shell.engine import Shell


class ShellExit(Exception):
    """\\q or Ctrl-D: leave the shell."""


@dataclass(frozen=True)
class Command:
    name: str
    args: str
    summary: str
    complete: str  # what its arguments complete to: entity, file, format, export, on|off, ...
    run: Callable[[Shell, str], None]


COMMANDS: dict[str, Command] = {}
ALIASES: dict[str, str] = {}


def command(
    name: str, args: str = "", complete: str = "", aliases: tuple[str, ...] = ()
) -> Callable[[Callable[[Shell, str], None]], Callable[[Shell, str], None]]:
    def register(func: Callable[[Shell, str], None]) -> Callable[[Shell, str], None]:
        summary = (func.__doc__ or "").strip().splitlines()[0]
        COMMANDS[name] = Command(name, args, summary, complete, func)
        ALIASES.update({alias: name for alias in aliases})
        return func

    return register


def run_command(shell: Shell, line: str) -> None:
    name, _, arg = line[1:].strip().partition(" ")
    name = ALIASES.get(name, name)
    cmd = COMMANDS.get(name)
    if cmd is None:
        close = difflib.get_close_matches(name, [*COMMANDS, *ALIASES], n=1, cutoff=0.5)
        hint = f" (did you mean \\{ALIASES.get(close[0], close[0])}?)" if close else ""
        raise KgError("E072", command=f"\\{name}", hint=hint)
    cmd.run(shell, arg.strip())


def usage(name: str) -> KgError:
    cmd = COMMANDS[name]
    return KgError("E074", usage=f"\\{name} {cmd.args}".rstrip())
