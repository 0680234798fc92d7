"""What an unexpected error leaves behind: one line for the user, a report on disk.

An error casebook did not foresee (a bug) never shows a traceback: the
browser's crash screen and Rich's tracebacks print local variables, which
hold rows of the case, on the screen of whoever is looking. Instead the
user reads one line naming where it failed and where the report is, and
the report, a file only its owner can read (0600) in the user's state
directory (``$XDG_STATE_HOME/casebook``, else ``~/.local/state/casebook``),
holds what a developer needs and nothing of the case: the exception's
type, and each frame's file, line and function. Never the message (a
validation error quotes the value it refused), never a local variable.
"""

from __future__ import annotations

import datetime
import os
import platform
import traceback
from pathlib import Path

import platformdirs

from .errors import OutputError

# Our own packages: the innermost frame in one of them names where it failed.
_OURS = ("db", "tui", "casebook", "seed")


def reports_dir() -> Path:
    """Where the reports go (platformdirs honours ``$XDG_STATE_HOME``)."""
    return platformdirs.user_state_path("casebook")


def _frames(error: BaseException) -> list[traceback.FrameSummary]:
    # lookup_lines=False, capture_locals=False: file, line and function only.
    return list(traceback.extract_tb(error.__traceback__))


def _module_of(filename: str) -> str | None:
    parts = Path(filename).with_suffix("").parts
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] in _OURS and "site-packages" not in parts[:index]:
            return ".".join(parts[index:])
    return None


def where(error: BaseException) -> str:
    """The innermost function of casebook's own that the error passed through."""
    for frame in reversed(_frames(error)):
        module = _module_of(frame.filename)
        if module is not None:
            return f"{module}.{frame.name}"
    return "casebook"


def _chain(error: BaseException) -> list[BaseException]:
    """The error and the ones it was raised from or during, outermost last."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(chain) < 20:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return list(reversed(chain))


def _type_name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def report_text(error: BaseException, *, context: str) -> str:
    """The report: versions, what was running, and each error's type and frames."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("casebook")
    except PackageNotFoundError:
        ours = "unknown"
    lines = [
        "casebook crash report",
        f"when: {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}",
        f"casebook {ours}, Python {platform.python_version()}, {platform.platform()}",
        f"while: {context}",
        f"where: {where(error)}",
        "(no error messages and no local variables: they may quote the case)",
        "",
    ]
    for index, link in enumerate(_chain(error)):
        if index:
            lines += ["", "which led to:"]
        lines.append(f"{_type_name(link)}, raised through:")
        for frame in _frames(link):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
    return "\n".join(lines) + "\n"


def write_report(error: BaseException, *, context: str) -> Path:
    """Write the report to a new 0600 file (``db.outfile``: complete or not at
    all, never through a symbolic link); returns its path (raises OSError or
    OutputError)."""
    from .outfile import atomic_file  # here: only a crash needs it, start-up does not load it

    folder = reports_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    text = report_text(error, context=context)
    for attempt in range(100):
        # The name has this process's id: only this process could have taken it.
        path = folder / f"crash-{stamp}-{os.getpid()}{f'-{attempt}' if attempt else ''}.txt"
        if os.path.lexists(path):
            continue
        with atomic_file(path) as report:
            report.write(text)
        return path
    raise FileExistsError(f"{folder}: too many reports this second")


def crash_line(error: BaseException, *, context: str) -> str:
    """Write the report and say, in one line, what failed and where the report is."""
    place = where(error)
    try:
        written = f"report written to {write_report(error, context=context)}"
    except OSError as failure:
        written = f"no report could be written ({failure.strerror or type(failure).__name__})"
    except OutputError as failure:   # db.outfile's one line names the file and why
        written = f"no report could be written ({failure})"
    return f"casebook: unexpected error in {place} ({type(error).__name__}); {written}"

