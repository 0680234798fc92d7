"""Writing new files safely: every file casebook writes goes through here.

A file is written under a hidden temporary name beside its target,
``.NAME.XXXXXXXX.part``, created mode 0600 (case files and exports hold
sensitive research), and put in place only when complete, so a reader, a
crash or Ctrl+C never leaves half a file; a failure removes the temporary
file. A new file is hard-linked into place, so a file that appeared
meanwhile is never replaced; an existing one is replaced (renamed over)
only when asked (``force``). Either way a directory entry is replaced and
nothing is written through it, and a target that is a symbolic link is
refused outright. A device or a named pipe (``-o /dev/null``, a FIFO another
tool reads) is written to as a stream, never replaced.

- :func:`atomic_file` / :func:`atomic_binary_file`: a file to write into;
- :func:`atomic_path`: a temporary path, for code that writes by name
  (SQLite: a backup, a case being built); it cannot stream;
- :func:`atomic_directory`: a directory to fill with such files (csv).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO

from .errors import OutputError

__all__ = ["OutputError", "atomic_binary_file", "atomic_directory", "atomic_file", "atomic_path",
           "check_target"]

# What SQLite may leave beside a file it writes: removed with the temporary file.
_SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")
# link() fails so on file systems without hard links (FAT and exFAT memory sticks, some FUSE).
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


def check_target(path: str | os.PathLike[str], *, force: bool = False, force_hint: str = "",
                 directory: bool = False, what: str = "this file") -> bool:
    """Raise, in one line, if ``path`` may not be written whole; True if it
    exists and is to be replaced.

    ``force_hint`` is added to "already exists" where the caller can be
    asked to replace (``"--force replaces it"``); ``what`` names what is
    written, for the device that cannot take it.
    """
    path = Path(path)
    if path.is_symlink():
        raise OutputError(f"{path}: is a symbolic link; casebook does not write through one")
    if path.exists():
        if directory and not path.is_dir():
            raise OutputError(f"{path}: exists and is not a directory")
        if not directory and path.is_dir():
            raise OutputError(f"{path}: is a directory")
        if _is_stream(path.stat().st_mode):
            raise OutputError(f"{path}: is a device or a named pipe, and {what} cannot be streamed "
                              "into one")
        if not directory and not path.is_file():
            raise OutputError(f"{path}: is not a regular file")
        if not force:
            raise _exists(path, force_hint)
        return True
    if not path.parent.is_dir():
        raise OutputError(f"{path.parent}: no such directory")
    return False


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, force: bool = False, force_hint: str = "",
                what: str = "this file") -> Iterator[Path]:
    """A temporary path beside ``path`` (an empty file, mode 0600) for code that
    writes by name; put at ``path`` when the block ends without error.

    The writer must have closed the file by then. What SQLite leaves beside
    it (``-journal``, ``-wal``, ``-shm``) is removed with it.
    """
    path = Path(path)
    replace = check_target(path, force=force, force_hint=force_hint, what=what)
    temporary = _temporary(path)
    try:
        yield temporary
        _sync(temporary)
        _place(temporary, path, replace=replace, force_hint=force_hint)
    finally:
        for leftover in (temporary, *(_beside(temporary, suffix) for suffix in _SQLITE_COMPANIONS)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], *, force: bool = False,
                force_hint: str = "") -> Iterator[TextIO]:
    """A text file (UTF-8, line ends as written) that appears at ``path`` complete, or not at all."""
    with _atomic_handle(path, "w", force=force, force_hint=force_hint) as handle:
        yield handle


@contextlib.contextmanager
def atomic_binary_file(path: str | os.PathLike[str], *, force: bool = False,
                       force_hint: str = "") -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` complete, or not at all."""
    with _atomic_handle(path, "wb", force=force, force_hint=force_hint) as handle:
        yield handle


@contextlib.contextmanager
def _atomic_handle(path: str | os.PathLike[str], mode: str, *, force: bool,
                   force_hint: str) -> Iterator[Any]:
    path = Path(path)
    stream = _open_stream(path)
    if stream is not None:
        with _fdopen(stream, mode) as handle:
            yield handle
        return
    with atomic_path(path, force=force, force_hint=force_hint) as temporary:
        # The temporary file is ours (mkstemp); O_NOFOLLOW in case it was swapped for a link.
        fd = os.open(temporary, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW)
        with _fdopen(fd, mode) as handle:
            yield handle


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str], *, force: bool = False,
                     force_hint: str = "") -> Iterator[Path]:
    """A directory to write files into (each with :func:`atomic_file`).

    A new directory (mode 0700) is filled under a hidden name beside
    ``path`` and renamed into place when complete. With ``force``, an
    existing directory is written into instead: each file is replaced whole,
    and files casebook did not write are left alone.
    """
    path = Path(path)
    if check_target(path, force=force, force_hint=force_hint, directory=True):
        yield path
        return
    staging = _temporary(path, directory=True)
    try:
        yield staging
        try:
            # rename() replaces nothing here but an empty directory: one holding
            # files, or a file, that appeared meanwhile makes it fail.
            os.rename(staging, path)
        except OSError as error:
            if error.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
                raise _exists(path, force_hint) from None
            raise _cannot_write(path, error) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# -- the parts ---------------------------------------------------------------------


def _temporary(path: Path, *, directory: bool = False) -> Path:
    """A new hidden file (mode 0600) or directory (0700) beside ``path``,
    named with this process's id (``.NAME.PID.XXXXXXXX.part``), so that one a
    killed run left behind is known for what it is and removed (:func:`remove_stale`)."""
    remove_stale(path)
    parent, prefix, suffix = path.parent, f".{path.name}.{os.getpid()}.", ".part"
    try:
        if directory:
            return Path(tempfile.mkdtemp(dir=parent, prefix=prefix, suffix=suffix))
        fd, name = tempfile.mkstemp(dir=parent, prefix=prefix, suffix=suffix)
    except OSError as error:
        raise _cannot_write(path, error) from None
    os.close(fd)
    return Path(name)


def remove_stale(path: Path) -> list[Path]:
    """Remove the hidden temporary files (and what SQLite left beside them) that
    a run killed while writing ``path`` left behind: this user's, of a process
    that is gone. Returns what was removed."""
    removed: list[Path] = []
    try:
        candidates = list(path.parent.glob(f".{glob_escape(path.name)}.*.part"))
    except OSError:
        return removed
    for stale in candidates:
        pid = stale.name[len(path.name) + 2:].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            if stale.lstat().st_uid != os.getuid():
                continue
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()
        except OSError:
            continue
        removed.append(stale)
        for suffix in _SQLITE_COMPANIONS:
            with contextlib.suppress(OSError):
                _beside(stale, suffix).unlink()
    return removed


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True   # another user's process (or not a pid at all): left alone
    return True


def _sync(temporary: Path) -> None:
    """On disk before it appears: a crash never leaves an empty file at the target."""
    fd = os.open(temporary, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _place(temporary: Path, path: Path, *, replace: bool, force_hint: str) -> None:
    """Put the complete temporary file at ``path``."""
    try:
        if replace:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # never replaces a file that appeared meanwhile
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            # No hard links here: claim the name (O_EXCL fails if it is
            # taken), then rename the complete file over our own empty one.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
            try:
                os.replace(temporary, path)
            except OSError:
                path.unlink()
                raise
    except FileExistsError:
        raise _exists(path, force_hint) from None
    except OSError as error:
        raise _cannot_write(path, error) from None


def _open_stream(path: Path) -> int | None:
    """A descriptor to write to ``path`` if it is a device or a named pipe, else None."""
    try:
        if not _is_stream(os.lstat(path).st_mode):
            return None
        # No O_CREAT: this never makes a file. A FIFO waits here for its reader.
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NOCTTY)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _cannot_write(path, error) from None
    if _is_stream(os.fstat(fd).st_mode):
        return fd
    os.close(fd)  # replaced by a file meanwhile: write it as a file
    return None


def _fdopen(fd: int, mode: str) -> IO[Any]:
    if "b" in mode:
        return os.fdopen(fd, mode)
    return os.fdopen(fd, mode, encoding="utf-8", newline="")


def _is_stream(mode: int) -> bool:
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _exists(path: Path, force_hint: str) -> OutputError:
    return OutputError(f"{path}: already exists" + (f" ({force_hint})" if force_hint else ""))


def _cannot_write(path: Path, error: OSError) -> OutputError:
    return OutputError(f"{path}: cannot write ({error.strerror or error})")
