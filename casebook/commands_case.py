"""Commands that make and check case files: seed, new, check."""

from __future__ import annotations

from pathlib import Path

import click

from db import create_case, open_case
from db.check import check_case
from seed.build import build_case

from .output import line

PATH = click.Path(path_type=Path, dir_okay=True, file_okay=True)


@click.command()
@click.argument("path", type=PATH)
def seed(path: Path) -> None:
    """Build the Brussels demo case at PATH (a new file)."""
    build_case(path, progress=lambda message: click.echo(f"  {message}", err=True))
    click.echo(f"Built the demo case at {path}")


@click.command()
@click.argument("path", type=PATH)
@click.option("--title", required=True, help="The case's title.")
def new(path: Path, title: str) -> None:
    """Create an empty case file at PATH (a new file, mode 0600)."""
    with create_case(path, title=title):
        pass
    click.echo(f"Created {path}")


@click.command()
@click.argument("path", type=PATH)
def check(path: Path) -> int:
    """Check a case file: schema, integrity, and every excerpt against its source."""
    with open_case(path, read_only=True) as case:
        report = check_case(case)
    if report.ok:
        click.echo(
            f"ok: {path} (schema v{report.schema_version}, {report.sources} sources, "
            f"{report.excerpts} excerpts verified)"
        )
        return 0
    for problem in report.problems:
        click.echo(f"casebook: check: {path}: {line(problem)}", err=True)
    return 1
