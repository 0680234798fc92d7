"""Export from the browser: ``:`` ``export`` in the command palette.

One command per format (the CLI's, ``db.exports.FORMATS``); each asks for a
file name (beside the case, named after it), then writes it in a thread
worker through ``db.exports.export_file``, the CLI's own safe writing
(``db.outfile``): complete or not at all, never through a symbolic link, and
never over a file unless Enter is pressed again on the same name. A toast
says where it went, or the one line of what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from textual.message import Message

from db import Case, CaseError

DESCRIPTIONS = {
    "json": "the whole case (casebook import reads it back)",
    "csv": "a directory, a file per table",
    "markdown": "a report to read",
    "html": "the report as one page for any browser",
    "ftm": "FollowTheMoney JSON lines",
    "w3c": "W3C Web Annotations (JSON-LD)",
    "stix": "a STIX 2.1 bundle",
    "misp": "a MISP event (needs the misp extra)",
    "claimreview": "schema.org ClaimReview for settled claims",
    "graphml": "the network as GraphML (Gephi, yEd, Cytoscape)",
    "gexf": "the network as GEXF (Gephi)",
}


class ExportingHost(Protocol):
    """What exporting needs from the app."""

    case: Case

    def open_screen(self, screen: Any, callback: Callable[[Any], None] | None = None) -> None: ...

    def run_in_thread(self, work: Callable[[], None], *, group: str) -> None: ...

    def post_message(self, message: Message) -> bool: ...

    def say(self, text: str, **options: Any) -> None: ...


class Exporting:
    """The export commands, their file-name prompt and the writing."""

    class Exported(Message, bubble=False):
        def __init__(self, format_: str, path: Path, items: int | None, error: str = "") -> None:
            super().__init__()
            self.format = format_
            self.path = path
            self.items = items
            self.error = error

    def __init__(self, host: ExportingHost) -> None:
        self.host = host

    def commands(self) -> Iterator[tuple[str, str, Callable[[], None]]]:
        # db.exports when first asked for: the browser's start-up does not load the writers.
        from db.exports import FORMATS

        for format_ in FORMATS:
            yield (f"Export {format_}", f"Export the case: {DESCRIPTIONS[format_]}",
                   partial(self.start, format_))

    def default_path(self, format_: str) -> Path:
        from db.exports import SUFFIXES

        case_path = self.host.case.path
        return case_path.with_name(case_path.stem + SUFFIXES[format_])

    def target(self, answer: str) -> Path:
        """The file a typed name means: a relative one is beside the case."""
        path = Path(answer).expanduser()
        return path if path.is_absolute() else self.host.case.path.parent / path

    def start(self, format_: str) -> None:
        """Ask for the file name (Enter again on an existing one replaces it)."""
        confirmed: list[Path] = []

        def check(answer: str) -> str | None:
            if not answer:
                return "Type a file name (Esc cancels)."
            path = self.target(answer)
            if path.exists() and not path.is_symlink() and path not in confirmed:
                confirmed.append(path)
                return f"{path} exists: Enter again replaces it, or type another name."
            return None

        from ..screens.prompt import PromptScreen  # on first use (issue 17 point 9)

        prompt = PromptScreen(
            f"Export {format_}: {DESCRIPTIONS[format_]}",
            hint="Enter writes it · Esc cancels" + (" (a directory)" if format_ == "csv" else ""),
            value=str(self.default_path(format_)), check=check, id="export-prompt")
        self.host.open_screen(prompt, callback=partial(self._chosen, format_, confirmed))

    def _chosen(self, format_: str, confirmed: list[Path], answer: str | None) -> None:
        if not answer:
            return
        path = self.target(answer)
        replace = path in confirmed   # Enter twice on a file that was there
        case_path = self.host.case.path

        def write() -> None:
            from db.exports import export_file

            try:
                items = export_file(case_path, format_, path, force=replace)
            except (CaseError, OSError) as error:
                self.host.post_message(self.Exported(format_, path, None, str(error)))
                return
            self.host.post_message(self.Exported(format_, path, items))

        self.host.say(f"Exporting {format_}…", timeout=2)
        self.host.run_in_thread(write, group="export")

    def exported(self, message: Exported) -> None:
        if message.error:
            self.host.say(f"Export failed: {message.error}", severity="error", timeout=6,
                          markup=False)
            return
        what = "rows" if message.format == "csv" else "items"
        self.host.say(f"Exported {message.format} to {message.path} ({message.items:,} {what})",
                      timeout=6, markup=False)
