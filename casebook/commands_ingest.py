"""casebook add-source: bring documents into a case."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any

import click

from db import Case, CaseError, open_case
from db.documents import ListedFile, read_documents
from db.ingest import Added, import_document, plan_paths, with_metadata
from db.possible_mentions import NameForms
from db.readers.common import EXTRACTIONS, ReadOptions
from db.readers.document import BadDocumentError, Document
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
@click.option("--password", help="The password of encrypted PDFs.")
@click.option("--extraction", type=click.Choice(EXTRACTIONS), default="precise", show_default=True,
              help="Web pages: the article favouring precision (precise), the article as "
                   "trafilatura balances precision and recall (balanced), or all the page's "
                   "visible text (full).")
@click.option("--skip-bad", is_flag=True,
              help="Add the good documents even when some are bad (the bad are still "
                   "reported, and the exit status is 1).")
def add_source(path: Path, files: tuple[Path, ...], title: str | None, publisher: str | None,
               author: str | None, published: str | None, url: str | None, password: str | None,
               extraction: str, skip_bad: bool) -> int:
    """Add documents to the case at PATH: text (.txt), Markdown (.md), web
    pages saved from a browser (.html, .mhtml), PDF, Word (.docx),
    OpenDocument (.odt), EPUB, e-mail (.eml) and mailboxes (.mbox, a source
    per message). A directory adds the documents in it.

    Each document becomes a source, split into paragraphs that are indexed for
    search and linked to the entities they mention; an e-mail's attachments
    in these formats become sources of their own. Unless --skip-bad is given,
    one bad document (binary, not UTF-8, empty, too large, encrypted,
    damaged, a scan with no text, a page with no article) means none is
    added. The same document twice is skipped.
    """
    metadata = {"title": title, "publisher": publisher, "author": author,
                "published": published, "url": url}
    options = ReadOptions(password=password, extraction=extraction)  # type: ignore[arg-type]
    with open_case(path) as case:
        plan = plan_paths(files)
        for skipped in plan.skipped:
            _note(f"skipped {skipped.path}: {skipped.reason}")
        if not plan.files:
            raise CaseError(f"no documents to add in {', '.join(map(str, files))}")
        if (title is not None or url is not None) and len(plan.files) > 1:
            raise CaseError(f"--title and --url describe one document; "
                            f"{len(plan.files)} documents were given")
        checked, bad = _check(plan.files, metadata, options, plan.listed)
        for error in bad:
            _error(str(error))
        if bad and not skip_bad:
            if len(plan.files) > 1:
                _error(f"nothing added: {len(bad)} of {len(plan.files)} documents are bad "
                       "(--skip-bad adds the others)")
            return 1
        added, present, failed = _add(case, checked, metadata, options, plan.listed)
    if len(plan.files) > 1:
        refused = len(bad) + failed
        also = [f"{refused} refused"] if refused else []
        also += [f"{present} already in the case"] if present else []
        click.echo(f"added {added} of {len(plan.files)} documents to {line(str(path))}"
                   + (f" ({', '.join(also)})" if also else ""))
    return 1 if bad or failed else 0


Checked = tuple[str, "list[Document] | None"]


def _check(files: tuple[str, ...], metadata: dict[str, str | None], options: ReadOptions,
           listed: dict[str, ListedFile]) -> tuple[list[Checked], list[BadDocumentError]]:
    """Read every document once; keep them (up to a budget) for adding."""
    checked: list[Checked] = []
    bad: list[BadDocumentError] = []
    kept = 0
    with Progress("Reading", [_size(name) for name in files]) as progress:
        for number, name in enumerate(files):
            try:
                documents = _read(name, metadata, options, listed.get(name))
            except BadDocumentError as error:
                bad.append(error)
            else:
                size = sum(len(each.text) for document in documents for each in document.all_documents())
                keep = kept + size <= _KEEP_CHARS
                kept += size if keep else 0
                checked.append((name, documents if keep else None))
            progress.done(number)
    return checked, bad


def _read(name: str, metadata: dict[str, str | None], options: ReadOptions,
          listed: ListedFile | None) -> list[Document]:
    documents = read_documents(name, options=options, listed=listed)
    if len(documents) > 1 and any(metadata[key] is not None for key in ("title", "url")):
        raise BadDocumentError(name, f"holds {len(documents)} messages: --title and --url describe one")
    return [with_metadata(document, **metadata) for document in documents]


def _add(case: Case, checked: list[Checked], metadata: dict[str, str | None],
         options: ReadOptions, listed: dict[str, ListedFile]) -> tuple[int, int, int]:
    """Add each document in its own transaction; returns (added, already there, failed)."""
    added = present = failed = 0
    forms = NameForms.reading(case)   # for possible mentions: each name read once, as documents need it
    with Progress("Adding", [_size(name) for name, _ in checked]) as progress:
        for number, (name, documents) in enumerate(checked):
            try:
                documents = documents or _read(name, metadata, options, listed.get(name))
            except BadDocumentError as error:  # changed since it was checked
                progress.say(f"casebook: error: {line(str(error))}", err=True)
                failed += 1
                progress.done(number)
                continue
            new = 0
            for document in documents:
                where = document.path
                for notice in _notices(document):
                    progress.say(f"casebook: {line(notice)}", err=True)
                try:
                    result = import_document(case, document, forms=forms,
                                             progress=partial(progress.within, number))
                except DuplicateSourceError as duplicate:
                    progress.say(f"casebook: {line(f'skipped {where}: {duplicate}')}", err=True)
                else:
                    new += 1
                    _say_added(progress, where, result)
            if new:
                added += 1
            else:
                present += 1
            progress.done(number)
    return added, present, failed


def _notices(document: Document) -> list[str]:
    """What the reader said about a document and its attachments, each naming its file."""
    said = [f"{document.path}: {notice}" for notice in document.notices]
    for attachment in document.attachments:
        if attachment.document is None:
            kind = attachment.media_type or "unknown type"
            said.append(f"{document.path}: attachment {attachment.name} ({kind}, {_bytes(attachment.size)}) "
                        f"{attachment.note}")
        else:
            said += _notices(attachment.document)
    return said


def _counted(count: int, thing: str, things: str) -> str:
    return f"{count} {thing if count == 1 else things}"


def _say_added(progress: "Progress", name: str, result: Added, indent: str = "") -> None:
    mentions = f", {_counted(result.mentions, 'mention', 'mentions')} linked" if result.mentions else ""
    mentions += (f", {_counted(result.proposed, 'possible mention', 'possible mentions')} proposed"
                 if result.proposed else "")
    pages = f", {_counted(result.pages, 'page', 'pages')}" if result.pages else ""
    what = f"attachment {name}" if indent else name
    progress.say(f"{indent}added {line(what)} as source {result.source.id}: {line(result.source.title, 80)} "
                 f"({_counted(result.paragraphs, 'paragraph', 'paragraphs')}{pages}{mentions})")
    for child in result.attachments:
        _say_added(progress, child.name, child, indent + "  ")
    for attachment, source_id in result.known:
        progress.say(f"{indent}  attachment {line(attachment)} is already in the case as source {source_id}")


def _bytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 2**20:.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size} bytes"


def _size(name: str) -> int:
    try:
        return max(Path(name).stat().st_size, 1)
    except OSError:
        return 1


class Progress:
    """A progress bar on stderr, when it is a terminal, over a list of
    documents weighted by their size (a 30 MB text is most of the work).

    Messages go through :meth:`say`, which clears the bar's line first so
    they never run into it.
    """

    def __init__(self, label: str, sizes: list[int]):
        self.label = label
        self.starts = [sum(sizes[:i]) for i in range(len(sizes))]
        self.sizes = sizes
        self.shown = 0
        self.bar: Any = None
        self._context: Any = None
        if sys.stderr.isatty() and len(sizes) and (len(sizes) > 1 or label == "Adding"):
            self._context = click.progressbar(length=sum(sizes), label=label, file=sys.stderr)

    def __enter__(self) -> "Progress":
        if self._context is not None:
            self.bar = self._context.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)

    def within(self, number: int, fraction: float) -> None:
        self._move_to(self.starts[number] + int(self.sizes[number] * min(fraction, 1.0)))

    def done(self, number: int) -> None:
        self._move_to(self.starts[number] + self.sizes[number])

    def _move_to(self, position: int) -> None:
        if self.bar is not None and position > self.shown:
            self.bar.update(position - self.shown)
            self.shown = position

    def say(self, message: str, *, err: bool = False) -> None:
        if self.bar is not None:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
        click.echo(message, err=err)
        if self.bar is not None:
            self.bar.render_progress()


def _note(message: str) -> None:
    click.echo(f"casebook: {line(message)}", err=True)


def _error(message: str) -> None:
    click.echo(f"casebook: error: {line(message)}", err=True)
