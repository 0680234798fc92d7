"""The demo case: built from the Brussels seed on first use, in the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

import click
import platformdirs

from db.casefile import set_aside
from db.outfile import atomic_path
from seed.build import build_case

DEMO_NAME = "brussels-demo.casebook"


def demo_path() -> Path:
    """Where the demo case lives ($XDG_DATA_HOME/casebook on Linux)."""
    return platformdirs.user_data_path("casebook") / DEMO_NAME


def ensure_demo() -> tuple[Path, bool]:
    """The demo case's path, building it first if needed; and whether it was built now."""
    path = demo_path()
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    build_case(path)
    return path, True


def rebuild_demo() -> tuple[Path, Path | None]:
    """Build the demo case afresh from the seed (a demo built by an older
    casebook keeps its old content: a migration changes the schema, not the
    seed). The old one, with every mark made on it, is kept beside it as a
    backup: (the demo's path, the backup's, or None if there was none)."""
    path = demo_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with atomic_path(path, force=True, what="the demo case") as fresh:
        os.unlink(fresh)          # build_case writes a file that does not exist yet
        build_case(fresh)         # the old demo is untouched until the new one is whole
        backup = set_aside(path) if path.exists() else None
    return path, backup


def open_demo() -> int:
    """Open the demo case in the browser, building it first if needed."""
    from .commands_browse import browse

    path, built = ensure_demo()
    if built:
        click.echo(f"Built the demo case at {path}", err=True)
    return browse(path)
