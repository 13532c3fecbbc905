"""The interactive loop: a prompt_toolkit session around `Shell.execute`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import Completer, Completion, ThreadedCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import DynamicLexer, Lexer, PygmentsLexer
from prompt_toolkit.styles import BaseStyle, Style, merge_styles, style_from_pygments_cls
from pygments.lexers import SparqlLexer
from pygments.styles import get_style_by_name
from pygments.util import ClassNotFound

from kg.shell.completion import suggest
from kg.shell.engine import Shell, ShellExit

PROMPT = "kg> "
CONTINUATION = "...> "


class KgCompleter(Completer):
    """Wraps the pure `suggest()`, reading the shell's current completion snapshot. The
    session runs it in a thread (`ThreadedCompleter`), so typing never waits for it."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell

    def get_completions(self, document: Document, complete_event: Any) -> Iterable[Completion]:
        for s in suggest(document.text_before_cursor, self.shell.data):
            yield Completion(
                s.text, s.start, display=s.display or None, display_meta=s.meta or None
            )


def ready(text: str) -> bool:
    """Enter runs the input when it is a command, ends with ';', or is followed by an empty
    line; otherwise it starts a new line."""
    stripped = text.strip()
    return (
        not stripped
        or stripped.startswith("\\")
        or stripped.endswith(";")
        or text.endswith("\n")
        or text.rstrip(" \t").endswith("\n")
    )


def _history(shell: Shell) -> History:
    path = shell.config.history_file
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


def _style(name: str) -> BaseStyle:
    try:
        pygments_style = style_from_pygments_cls(get_style_by_name(name))
    except ClassNotFound:
        pygments_style = style_from_pygments_cls(get_style_by_name("default"))
    return merge_styles(
        [
            pygments_style,
            Style.from_dict(
                {
                    "bottom-toolbar": "noreverse bg:#222222 #aaaaaa",
                    "prompt": "ansigreen bold",
                    "continuation": "ansigreen",
                }
            ),
        ]
    )


class LateLexer(DynamicLexer):
    """SPARQL highlighting, installed after the first prompt is drawn: compiling pygments'
    SPARQL lexer is a tenth of the time to the first prompt. Plain text until then."""

    def __init__(self) -> None:
        self.lexer: Lexer | None = None
        super().__init__(lambda: self.lexer)

    def install(self) -> None:
        if self.lexer is None:
            self.lexer = PygmentsLexer(SparqlLexer)


def make_session(shell: Shell, input: Any = None, output: Any = None) -> PromptSession[str]:
    session_lexer = LateLexer()
    bindings = KeyBindings()

    @bindings.add("escape", "enter")
    def _run_now(event: Any) -> None:
        """Alt-Enter runs the input whatever it ends with."""
        event.current_buffer.validate_and_handle()

    # Ctrl-X Ctrl-E opens the input in $EDITOR (prompt_toolkit's emacs binding, enabled by
    # enable_open_in_editor below); the edited text comes back to the prompt.

    def toolbar() -> str:
        shell.check_generation()
        return shell.toolbar()

    # A coloured prompt is written out whole: prompt_toolkit drops an uncoloured trailing space
    # and moves the cursor instead, and scripts on a pty wait for the bytes "kg> ".
    session: PromptSession[str] = PromptSession(
        [("class:prompt", PROMPT)],
        prompt_continuation=[("class:continuation", CONTINUATION)],
        multiline=Condition(lambda: not ready(session.default_buffer.text)),
        lexer=session_lexer,
        completer=ThreadedCompleter(KgCompleter(shell)),
        complete_while_typing=True,
        auto_suggest=AutoSuggestFromHistory(),
        history=_history(shell),
        enable_history_search=False,  # Ctrl-R searches; arrows walk the history
        bottom_toolbar=toolbar,
        refresh_interval=1.0,
        style=_style(shell.config.style),
        include_default_pygments_style=False,
        key_bindings=bindings,
        enable_open_in_editor=True,
        input=input,
        output=output,
    )
    return session


def run(shell: Shell, input: Any = None, output: Any = None) -> None:
    """Prompt, execute, repeat, until \\q or Ctrl-D. Ctrl-C drops the input being typed
    (or stops the running query) and returns to the prompt."""
    session = make_session(shell, input, output)
    shell.interactive = True
    where = shell.root if shell.root is not None else "the endpoint"
    shell.status(f"kg shell on {where}: \\help lists the commands, Ctrl-D quits.")
    started = False

    def start_after_first_draw() -> None:
        # The worker process and the completion load start once the first prompt is on
        # screen: started earlier, their thread would hold the GIL while it is drawn.
        nonlocal started
        if not started:
            started = True
            loop = asyncio.get_running_loop()
            loop.call_soon(shell.start)
            if isinstance(session.lexer, LateLexer):
                loop.call_soon(session.lexer.install)

    try:
        while True:
            try:
                text = session.prompt(pre_run=start_after_first_draw)
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            try:
                shell.execute(text)
            except ShellExit:
                break
    finally:
        shell.close()
