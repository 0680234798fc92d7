"""Writing export files safely.

An export is written to a hidden temporary file in the target's directory and
renamed over the target only when complete: a reader (or a crash) never sees
half a file, and ``rename`` replaces a directory entry, so nothing is ever
written through a symbolic link. A target that is a symbolic link is refused
outright, and an existing one is replaced only when asked (``force``). Files
are created 0600, like case files: they hold the same research.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from .errors import CaseError


class OutputError(CaseError):
    """An export's target cannot be written as asked."""


def check_target(path: Path, *, force: bool, directory: bool = False) -> bool:
    """Raise if ``path`` may not be written; True if it exists (and may be replaced)."""
    if path.is_symlink():
        raise OutputError(f"{path}: is a symbolic link; casebook does not write through one")
    if path.exists():
        if directory and not path.is_dir():
            raise OutputError(f"{path}: exists and is not a directory")
        if not directory and path.is_dir():
            raise OutputError(f"{path}: is a directory")
        if not force:
            what = "its CSV files" if directory else "it"
            raise OutputError(f"{path}: already exists (--force replaces {what})")
        return True
    if not path.parent.is_dir():
        raise OutputError(f"{path.parent}: no such directory")
    return False


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[TextIO]:
    """A text file (UTF-8, ``\\n`` line ends) that appears at ``path`` complete, or not at all."""
    path = Path(path)
    if _is_stream(path):
        # A device or a named pipe (/dev/null, a FIFO another program reads):
        # written to as a stream, like standard output, and never replaced.
        with open(path, "w", encoding="utf-8", newline="") as handle:
            yield handle
        return
    existed = check_target(path, force=force)
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if existed:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # never replaces a file that appeared meanwhile
            except FileExistsError:
                raise OutputError(f"{path}: already exists (--force replaces it)") from None
            os.unlink(temporary)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _is_stream(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not path.is_symlink() and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode))


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """A directory to write files into (each with :func:`atomic_file`).

    A new directory is filled under a hidden name beside ``path`` and renamed
    into place when complete. With ``force``, an existing directory is written
    into instead: each file is replaced whole, and files casebook did not
    write are left alone.
    """
    path = Path(path)
    if check_target(path, force=force, directory=True):
        yield path
        return
    try:
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part"))
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror})") from None
    try:
        yield staging
        if path.exists() or path.is_symlink():
            raise OutputError(f"{path}: already exists (--force replaces its CSV files)")
        os.rename(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
