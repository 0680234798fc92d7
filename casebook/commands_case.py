"""Commands that make and check case files: seed, new, check."""

from __future__ import annotations

import re
from pathlib import Path

import click

from db import create_case, open_case
from db.check import check_case
from db.repair import repair_copy
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
@click.option("--repair", "repair_to", type=PATH, default=None, metavar="OUT",
              help="Write a repaired copy to OUT (a new file; PATH is never changed) and list "
                   "what could not be repaired.")
def check(path: Path, as_json: bool, repair_to: Path | None) -> int:
    """Check a case file: schema, integrity, and every excerpt against its source."""
    if repair_to is not None:
        return _repair(path, repair_to)
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


def _repair(path: Path, out: Path) -> int:
    with open_case(path, read_only=True) as case:
        report = repair_copy(case, out)
    click.echo(f"repaired copy of {path} written to {out} ({path} is unchanged)")
    for fixed in report.fixed:
        click.echo(f"  fixed: {line(fixed)}")
    if not report.remaining:
        click.echo(f"ok: {out}")
        return 0
    for problem in report.remaining:
        click.echo(f"casebook: check: {out}: not repaired: {line(problem)}", err=True)
    return 1
