"""casebook add-source: bring documents into a case."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from db import CaseError, open_case
from db.documents import BadDocumentError, Document, read_document
from db.ingest import import_document, plan_paths, with_metadata
from db.mentions import MentionIndex
from db.sources import DuplicateSourceError

from .output import line

# Documents checked in the first pass are kept for the second up to this much
# text; past it they are read again rather than all held in memory at once.
_KEEP_CHARS = 64 * 1024 * 1024


@click.command("add-source")
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", help="The source's title (one document only).")
@click.option("--publisher", help="Who published it.")
@click.option("--author", help="Who wrote it.")
@click.option("--published", help="When: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--url", help="Where it was published (one document only).")
@click.option("--skip-bad", is_flag=True,
              help="Add the good documents even when some are bad (the bad are still "
                   "reported, and the exit status is 1).")
def add_source(path: Path, files: tuple[Path, ...], title: str | None, publisher: str | None,
               author: str | None, published: str | None, url: str | None,
               skip_bad: bool) -> int:
    """Add documents to the case at PATH: text (.txt), Markdown (.md) or web
    pages saved from a browser (.html). A directory adds the documents in it.

    Each document becomes a source, split into paragraphs that are indexed for
    search and linked to the entities they mention. Unless --skip-bad is
    given, one bad document (binary, not UTF-8, empty, too large, a page with
    no article) means none is added. The same document twice is skipped.
    """
    metadata = {"title": title, "publisher": publisher, "author": author,
                "published": published, "url": url}
    with open_case(path) as case:
        plan = plan_paths(files)
        for skipped in plan.skipped:
            _note(f"skipped {skipped.path}: {skipped.reason}")
        if not plan.files:
            raise CaseError(f"no documents to add in {', '.join(map(str, files))}")
        if (title is not None or url is not None) and len(plan.files) > 1:
            raise CaseError(f"--title and --url describe one document; "
                            f"{len(plan.files)} documents were given")
        checked, bad = _check(plan.files, metadata)
        for error in bad:
            _error(str(error))
        if bad and not skip_bad:
            if len(plan.files) > 1:
                _error(f"nothing added: {len(bad)} of {len(plan.files)} documents are bad "
                       "(--skip-bad adds the others)")
            return 1
        added, failed = _add(case, checked, metadata)
    if len(plan.files) > 1:
        click.echo(f"added {added} of {len(plan.files)} documents to {path}")
    return 1 if bad or failed else 0


def _check(files: tuple[str, ...], metadata: dict[str, str | None],
           ) -> tuple[list[tuple[str, Document | None]], list[BadDocumentError]]:
    """Read every document once; keep them (up to a budget) for adding."""
    checked: list[tuple[str, Document | None]] = []
    bad: list[BadDocumentError] = []
    kept = 0
    with _progress(len(files), "Reading") as advance:
        for name in files:
            try:
                document = with_metadata(read_document(name), **metadata)
            except BadDocumentError as error:
                bad.append(error)
            else:
                keep = kept + len(document.text) <= _KEEP_CHARS
                kept += len(document.text) if keep else 0
                checked.append((name, document if keep else None))
            advance(1)
    return checked, bad


def _add(case, checked: list[tuple[str, Document | None]],
         metadata: dict[str, str | None]) -> tuple[int, int]:
    """Add each document in its own transaction; returns (added, failed)."""
    index = MentionIndex.of_case(case)
    added = failed = 0
    # Progress counts documents, each one finely (a large text takes seconds).
    steps = 1000
    with _progress(len(checked) * steps, "Adding") as advance:
        for name, document in checked:
            done = 0

            def progress(fraction: float) -> None:
                nonlocal done
                now = int(fraction * steps)
                advance(now - done)
                done = now

            try:
                document = document or with_metadata(read_document(name), **metadata)
                result = import_document(case, document, index=index, progress=progress)
            except DuplicateSourceError as duplicate:
                _note(f"skipped {name}: {duplicate}")
            except BadDocumentError as error:  # changed since it was checked
                _error(str(error))
                failed += 1
            else:
                added += 1
                mentions = f", {result.mentions} mentions" if result.mentions else ""
                click.echo(f"added {name} as source {result.source.id}: "
                           f"{line(result.source.title, 80)} "
                           f"({result.paragraphs} paragraphs{mentions})")
            advance(steps - done)
    return added, failed


@contextlib.contextmanager
def _progress(length: int, label: str) -> Iterator:
    """A progress bar on stderr when it is a terminal; silence otherwise."""
    if not sys.stderr.isatty() or length <= 1:
        yield lambda steps: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def _note(message: str) -> None:
    click.echo(f"casebook: {line(message)}", err=True)


def _error(message: str) -> None:
    click.echo(f"casebook: error: {line(message)}", err=True)
