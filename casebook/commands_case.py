"""Commands that make and check case files: seed, new, check."""

from __future__ import annotations

import re
from pathlib import Path

import click

from db import create_case, open_case
from db.check import check_case
from seed.build import build_case

from .output import echo_json, line

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
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: every problem, with the row it is in where it is one row's.")
def check(path: Path, as_json: bool) -> int:
    """Check a case file: schema, integrity, and every excerpt against its source."""
    with open_case(path, read_only=True) as case:
        report = check_case(case)
    if as_json:
        echo_json({"path": str(path), "ok": report.ok, "schema_version": report.schema_version,
                   "sources": report.sources, "excerpts": report.excerpts,
                   "problems": [problem_row(problem) for problem in report.problems]})
        return 0 if report.ok else 1
    if report.ok:
        click.echo(
            f"ok: {path} (schema v{report.schema_version}, {report.sources} sources, "
            f"{report.excerpts} excerpts verified)"
        )
        return 0
    for problem in report.problems:
        click.echo(f"casebook: check: {path}: {line(problem)}", err=True)
    return 1


_ROW = re.compile(r"(source|excerpt|entity|event|claim|mark) (\d+)\b")


def problem_row(problem: str) -> dict[str, object]:
    """A problem as ``check --json`` lists it: the kind and id of the row it names first."""
    found = _ROW.match(problem)
    return {"problem": problem, "kind": found[1] if found else None,
            "id": int(found[2]) if found else None}
