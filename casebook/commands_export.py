"""casebook export / import: the case out in other formats, and back in from JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from db import CaseError, damage, open_case
from db.exports import FORMATS, export_file, write_stream
from db.importing import import_case_json

from .output import line, to_stdout

FORMAT_HELP = (
    "json: the whole case (casebook import reads it back); csv: a file per table, in the "
    "directory -o names; markdown: a report to read; html: the report as one page for any "
    "browser; ftm: FollowTheMoney JSON lines; w3c: W3C Web Annotations (JSON-LD); stix: a "
    "STIX 2.1 bundle; misp: a MISP event (needs the misp extra); claimreview: schema.org "
    "ClaimReview JSON-LD for settled claims; graphml, gexf: the network of entities and "
    "relationships, for Gephi, yEd and Cytoscape."
)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "-f", "format_", type=click.Choice(FORMATS), required=True,
              help=FORMAT_HELP)
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write to this file (a directory for csv) instead of standard output.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@click.option("--include-retired", is_flag=True,
              help="Keep retired items (and the links to them, the marks on them); every "
                   "format but json leaves them out. json is the whole case, retired items "
                   "and all, so that import rebuilds it.")
@click.option("--raw", is_flag=True,
              help="csv only: write cells as they are, without the leading ' that keeps "
                   "spreadsheets from running a cell as a formula.")
def export(path: Path, format_: str, output: Path | None, force: bool, include_retired: bool,
           raw: bool) -> None:
    """Export the case at PATH in another format."""
    with damage.tally() as damaged:
        if output is not None:
            items = export_file(path, format_, output, force=force, raw=raw,
                                include_retired=include_retired,
                                force_hint="--force replaces it")
            if format_ == "csv":
                click.echo(f"exported csv to {output}/ ({items} rows)")
            else:
                click.echo(f"exported {format_} to {output} ({items} items)")
        else:
            if raw and format_ != "csv":
                raise CaseError("--raw applies to csv only (the formula guard of spreadsheet cells)")
            with open_case(path, read_only=True) as case:
                if format_ == "csv":
                    raise CaseError("csv writes one file per table: give a directory with -o DIR")
                to_stdout(lambda out: write_stream(case, format_, out,
                                                   include_retired=include_retired))
    say_damaged(damaged, path)


def say_damaged(damaged: dict[tuple[str, int], str], path: Path, *, shown: int = 5) -> None:
    """On stderr: the damaged rows an export wrote as far as they could be read."""
    if not damaged:
        return
    rows = "1 damaged row was written as far as it" if len(damaged) == 1 else \
        f"{len(damaged)} damaged rows were written as far as they"
    click.echo(f"casebook: {rows} could be read "
               f"('casebook check {line(str(path))}' lists every problem):", err=True)
    for (kind, item_id), why in sorted(damaged.items())[:shown]:
        click.echo(f"  {kind} {item_id}: {line(why, 200)}", err=True)
    if len(damaged) > shown:
        click.echo(f"  and {len(damaged) - shown} more", err=True)


@click.command("import")
@click.argument("json_path", metavar="JSON", type=click.Path(path_type=Path))
@click.argument("new_path", metavar="NEWPATH", type=click.Path(path_type=Path))
def import_case(json_path: Path, new_path: Path) -> None:
    """Build a new case file at NEWPATH from a JSON export (casebook export --format json)."""
    with _ReadingBar("Importing") as bar:
        counts = import_case_json(json_path, new_path, progress=bar.update)
    click.echo(f"imported {new_path}: {counts.sources} sources, {counts.excerpts} excerpts, "
               f"{counts.entities} entities, {counts.events} events, {counts.claims} claims, "
               f"{counts.annotations} annotations")


class _ReadingBar:
    """A progress bar over the bytes of a file being read, on stderr when it is
    a terminal; drawn from the first read on (a bad path is said without one)
    and wiped when the work ends, so an error line stands alone."""

    def __init__(self, label: str):
        self.label = label
        self.bar: Any = None   # click's progress bar, from the first read on
        self.shown = 0

    def __enter__(self) -> "_ReadingBar":
        return self

    def update(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        if done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.render_finish = lambda: None   # no finished bar left behind
            self.bar.__exit__(None, None, None)
            sys.stderr.write("\r\x1b[2K\x1b[?25h")   # wipe the line; show the cursor again
            sys.stderr.flush()


