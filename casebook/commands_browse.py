"""casebook open: the browser (and ``casebook`` alone: the demo case in it).

The case is opened and validated here, before the app starts, so a bad path
gets the usual one-line error instead of a broken screen.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from db import InvalidValueError, open_case


def browse(path: Path, *, read_only: bool = False, annotator: str | None = None) -> int:
    """Open the case at ``path`` in the browser; returns the exit status."""
    if annotator is not None and not annotator.strip():
        raise InvalidValueError("--annotator needs a name")
    with open_case(path, read_only=read_only) as case:
        # Imported here: the other commands do not pay for loading Textual.
        from tui.app import CasebookApp
        from tui.terminal import palette_for

        app = CasebookApp(case, annotator=annotator.strip() if annotator else None,
                          palette=palette_for(os.environ))
        app.run()
        return app.return_code or 0


@click.command(name="open")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--read-only", is_flag=True, help="Browse without being able to change the case.")
@click.option("--annotator", default=None,
              help="Who marks claims (default: $CASEBOOK_ANNOTATOR, else your login name).")
def open_command(path: Path, read_only: bool, annotator: str | None) -> int:
    """Open the case at PATH in the browser."""
    return browse(path, read_only=read_only, annotator=annotator)
