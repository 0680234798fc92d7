"""casebook open: the browser (and ``casebook demo``, or ``casebook`` alone: the demo case in it).

The case is opened and validated here, before the app starts, so a bad path
gets the usual one-line error instead of a broken screen.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
from pathlib import Path

import click

from db import CaseError, InvalidValueError, open_case
from tui.terminal import EXIT_WHEN_READY, palette_for


class NoTerminalError(CaseError):
    """The browser was asked for without a terminal to draw on."""


def _has_terminal() -> bool:
    # Textual reads keys from stdin and draws on stderr.
    return all(stream is not None and stream.isatty() for stream in (sys.__stdin__, sys.__stderr__))


def browse(path: Path, *, read_only: bool = False, annotator: str | None = None,
           despite_damage: bool = False) -> int:
    """Open the case at ``path`` in the browser; returns the exit status."""
    if annotator is not None and not annotator.strip():
        raise InvalidValueError("--annotator needs a name")
    with open_case(path, read_only=read_only) as case:
        if not _has_terminal() and os.environ.get(EXIT_WHEN_READY) != "1":
            raise NoTerminalError(
                "the browser needs a terminal (for output to a file or a pipe, "
                "use 'casebook search' or 'casebook claims')"
            )
        # Imported here: the other commands do not pay for loading Textual.
        from tui.app import CasebookApp
        from tui.widgets.key_gate import use_alt_aware_parser

        use_alt_aware_parser()     # Esc / from tmux: Esc, then / (not a bare /)

        app = CasebookApp(case, annotator=annotator.strip() if annotator else None,
                          palette=palette_for(os.environ), despite_damage=despite_damage)
        # Every mark is on disk when it is shown: the browser may simply end on
        # SIGTERM or SIGHUP (unwinding through Textual's loop could leave the
        # terminal in its application mode).
        for stopping in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(stopping, signal.SIG_DFL)
        app.run()
        if app.crash_line is not None:   # a bug: one line, its report written (db.crash)
            click.echo(app.crash_line, err=True)
            return 70
        return app.return_code or 0


@click.command(name="open")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--read-only", is_flag=True, help="Browse without being able to change the case.")
@click.option("--annotator", default=None,
              help="Who marks claims (default: $CASEBOOK_ANNOTATOR, else your login name).")
@click.option("--despite-damage", is_flag=True,
              help="Keep a case whose rows 'casebook check' finds damaged writable (a schema that "
                   "is not casebook's, or a file SQLite finds damaged, is never written).")
def open_command(path: Path, read_only: bool, annotator: str | None, despite_damage: bool) -> int:
    """Open the case at PATH in the browser (read-only if 'casebook check' finds it damaged)."""
    return browse(path, read_only=read_only, annotator=annotator, despite_damage=despite_damage)


@click.command()
@click.option("--rebuild", is_flag=True,
              help="Build the demo case afresh from the seed, keeping the old one "
                   "(with its marks) as a backup beside it.")
@click.option("--path", "only_path", is_flag=True, help="Print where the demo case is, and stop.")
def demo(rebuild: bool, only_path: bool) -> int:
    """Open the demo case (the Brussels seed), building it first if needed.

    Running `casebook` with no command does the same.
    """
    from .demo import demo_path, open_demo, rebuild_demo  # the seed's builder only now

    if only_path:
        click.echo(str(demo_path()))
        return 0
    if rebuild:
        path, backup = rebuild_demo()
        click.echo(f"Rebuilt the demo case at {path} from the seed.", err=True)
        if backup is not None:
            click.echo(f"The old one, with its marks, is at {backup} "
                       f"('casebook merge {shlex.quote(str(path))} {shlex.quote(str(backup))}' "
                       "brings its work back).", err=True)
    return open_demo()
