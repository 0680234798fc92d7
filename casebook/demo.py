"""The demo case: built from the Brussels seed on first use, in the user's data directory."""

from __future__ import annotations

from pathlib import Path

import click
import platformdirs

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


def open_demo() -> int:
    """Open the demo case in the browser, building it first if needed."""
    from .commands_browse import browse

    path, built = ensure_demo()
    if built:
        click.echo(f"Built the demo case at {path}", err=True)
    return browse(path)
