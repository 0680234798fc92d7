"""Opening, creating and backing up case files.

Every path is checked before SQLite sees it, because ``sqlite3.connect``
would silently create a missing file or open a text file only to fail later
with a confusing message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sqlite3
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CaseBusyError, CaseFileError, ReadInterrupted, ReadOnlyError
from .outfile import atomic_path
from .schema import APPLICATION_ID, SCHEMA_VERSION, migrate, schema_version
from .tables import CASE_META
from .text import register_functions, visible
from .trust import require_trusted

if TYPE_CHECKING:
    from sqlite_utils import Database


def sqlite_tools(conn: sqlite3.Connection) -> Database:
    """sqlite_utils over ``conn``, imported when first asked for: opening and
    browsing a case never needs it (issue 17 point 9: start-up)."""
    from sqlite_utils import Database

    return Database(conn, execute_plugins=False)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6

# Why a case is read-only, for the message a user sees when a write is refused.
OPENED_READ_ONLY = "it was opened read-only"
NOT_WRITABLE = "you do not have permission to write the file"
FOLDER_NOT_WRITABLE = ("you do not have permission to write the folder it is in, where SQLite "
                       "keeps the -wal and -shm files of a file being written")


@dataclass(frozen=True)
class Upgrade:
    """What opening a case file did to it: its schema upgraded, after a backup."""

    path: Path
    from_version: int
    to_version: int
    backup: Path

    @property
    def message(self) -> str:
        """One line for a person (the CLI prints it on stderr, the browser notifies it)."""
        return (f"{visible(str(self.path))}: upgraded from schema v{self.from_version} to "
                f"v{self.to_version}; a backup is at {visible(str(self.backup))}")


def new_uid() -> str:
    """A new item's uid: a random UUID, the same in every copy of the case it goes to."""
    return str(uuid.uuid4())


def utc_now() -> str:
    """UTC timestamp, ISO 8601 with microseconds: sorts as text."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Case:
    """An open case file: one SQLite connection, safe to share between threads.

    Reads go through :meth:`rows`/:meth:`row`/:meth:`scalar`; writes through
    :meth:`write`, a short ``BEGIN IMMEDIATE`` transaction. A lock serialises
    both, so a worker thread never reads inside another's transaction.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool,
                 read_only_reason: str = OPENED_READ_ONLY):
        self.conn = conn
        self.path = path
        self.read_only = read_only
        self.read_only_reason = read_only_reason if read_only else ""
        self._lock = threading.RLock()
        self._file_key: tuple[int, int] | None = None
        self._trusted_schema: int | None = None   # the schema cookie last found casebook's own
        self.permission_warning = ""   # others may write or read the file (``permission_warning``)
        self.being_built = False       # made here, under its hidden name (``building_case``)
        self.upgrade: Upgrade | None = None   # opening it upgraded its schema (``open_case``)

    @functools.cached_property
    def db(self) -> Database:
        """sqlite_utils over this case's connection, made on first use."""
        return sqlite_tools(self.conn)

    # -- reading -------------------------------------------------------------

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock, _interruptible():
            return self.conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        with self._lock, _interruptible():
            found: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return found

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        found = self.row(sql, params)
        return None if found is None else found[0]

    def data_version(self) -> int:
        """Changes whenever another connection commits to this file."""
        return int(self.scalar("PRAGMA data_version"))

    def interrupt(self) -> None:
        """Abort the query running on this connection (from any thread).

        The aborted read raises :class:`ReadInterrupted`. A browser gives
        searches their own ``Case`` so that this never hits its other reads.
        """
        self.conn.interrupt()

    # -- writing -------------------------------------------------------------

    @contextlib.contextmanager
    def scratch(self) -> Iterator[sqlite3.Connection]:
        """A transaction for work in TEMP tables and reads of the case, without
        the case's write lock, so long preparation (a merge reading another
        file) does not keep annotators waiting. Must not write the case."""
        with self._lock:
            self.conn.execute("BEGIN")
            with self._until_commit() as conn:
                yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` takes the write lock up front,
        so a busy file makes us wait (busy_timeout) rather than fail mid-way.

        Raises ReadOnlyError on a read-only case, and CaseBusyError (never
        SQLite's "database is locked") if another process held the write lock
        for longer than the busy timeout.
        """
        self.require_writable()
        with self._lock:
            if self.conn.in_transaction:
                # Nested use joins the outer transaction.
                yield self.conn
                return
            self._require_trusted()
            self._begin_immediate()
            with self._until_commit() as conn:
                yield conn

    def _require_trusted(self) -> None:
        """Nothing is written to a file whose schema is not casebook's (a trigger
        someone added runs on every write) or that fails quick_check
        (``db.trust``): asked again whenever the schema changes."""
        if self.being_built:
            return   # a case this process is making (its indexes may be off while it fills)
        cookie = int(self.conn.execute("PRAGMA main.schema_version").fetchone()[0])
        if cookie != self._trusted_schema:
            require_trusted(self)
            self._trusted_schema = cookie

    @contextlib.contextmanager
    def _until_commit(self) -> Iterator[sqlite3.Connection]:
        """The open transaction: committed at the end, rolled back on any error."""
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def require_writable(self) -> None:
        """Raise ReadOnlyError, saying why, if this case cannot be changed."""
        if self.read_only:
            raise ReadOnlyError(
                f"{self.path.name} is read-only ({self.read_only_reason}): nothing was changed"
            )

    def _begin_immediate(self) -> None:
        """Take the write lock, asking again every half millisecond.

        SQLite's own busy handler sleeps longer and longer between tries (up
        to 100 ms), so a writer waiting on another that commits non-stop was
        passed over for up to 430 ms (benchmarks/marks.py); asking often
        takes the lock at the first gap. Gives up after busy_timeout.
        """
        waited_since = time.monotonic()
        timeout = self.busy_timeout_s()
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if not _is_busy(error):
                        raise
                waited = time.monotonic() - waited_since
                if waited >= timeout:
                    raise CaseBusyError(
                        f"{self.path.name} is busy: another process has been writing to it "
                        f"for over {timeout:g} s; nothing was changed, try again"
                    )
                time.sleep(0.0005 if waited < 0.2 else 0.005)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {round(timeout * 1000):d}")

    def busy_timeout_s(self) -> float:
        return int(self.scalar("PRAGMA busy_timeout")) / 1000

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside the block see the case as it was when it began (one read
        transaction), however long they take and whoever writes meanwhile: an
        export is a consistent copy. Other threads of this Case wait meanwhile.
        """
        with self._lock:
            if self.conn.in_transaction:
                yield
                return
            self.conn.execute("BEGIN")
            try:
                self.conn.execute("SELECT count(*) FROM case_meta").fetchone()  # fix the snapshot now
                yield
            finally:
                if _in_transaction(self.conn):   # (an error may have ended it already)
                    self.conn.execute("ROLLBACK")  # nothing was written: ending it is enough

    # -- case metadata -------------------------------------------------------

    def meta(self, key: str, default: str = "") -> str:
        value = self.scalar("SELECT value FROM case_meta WHERE key = ?", [key])
        return default if value is None else value

    @property
    def title(self) -> str:
        return self.meta("title", self.path.stem)

    def close(self) -> None:
        with self._lock:
            self.conn.close()
            _unregister(self._file_key)
            self._file_key = None

    def __enter__(self) -> "Case":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _in_transaction(conn: sqlite3.Connection) -> bool:
    return conn.in_transaction


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as error:
        if str(error) == "interrupted":
            raise ReadInterrupted("the read was interrupted by a newer one") from None
        raise


# -- checking a path before SQLite sees it ---------------------------------


# Case files this process has open, by (device, inode). SQLite's locks are
# POSIX advisory locks, which belong to the process: closing *any* descriptor
# of the file drops them all, even ones SQLite holds through another
# connection. Reading the header of a file that is already open here would
# then let another process believe it is the file's last user, checkpoint and
# delete the WAL under us (measured: "disk I/O error" in concurrent markers).
# So a file already open in this process is not read again by Python.
_open_files: dict[tuple[int, int], int] = {}
_open_files_lock = threading.Lock()


def _file_key(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino


def _register(key: tuple[int, int]) -> None:
    with _open_files_lock:
        _open_files[key] = _open_files.get(key, 0) + 1


def _unregister(key: tuple[int, int] | None) -> None:
    if key is None:
        return
    with _open_files_lock:
        left = _open_files.get(key, 0) - 1
        if left > 0:
            _open_files[key] = left
        else:
            _open_files.pop(key, None)


def _is_open_here(path: Path) -> bool:
    with _open_files_lock:
        return _file_key(path) in _open_files


def _check_path(path: Path) -> None:
    if not path.exists():
        raise CaseFileError(f"{path}: no such file")
    if path.is_dir():
        raise CaseFileError(f"{path}: is a directory, not a case file")
    if not path.is_file():
        raise CaseFileError(f"{path}: is not a regular file")
    if _is_open_here(path):
        return  # checked when first opened; reading it now would drop SQLite's locks
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError:
        raise CaseFileError(f"{path}: permission denied") from None
    size = path.stat().st_size
    if size == 0:
        raise CaseFileError(f"{path}: is empty, not a case file")
    if not header.startswith(SQLITE_HEADER):
        raise CaseFileError(f"{path}: is not a case file (not a SQLite database)")
    if len(header) < 100:
        raise CaseFileError(f"{path}: is truncated (only {size} bytes)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise CaseFileError(f"{path}: is damaged (invalid page size in header)")
    header_valid = header[24:28] == header[92:96]
    pages_in_header = int.from_bytes(header[28:32], "big")
    wal = path.with_name(path.name + "-wal")
    if size % page_size or (
        header_valid and pages_in_header * page_size > size and not wal.exists()
    ):
        raise CaseFileError(f"{path}: is truncated or damaged ({size} bytes)")


# Told of a case file that others may change or read (the CLI prints it on stderr).
warn: Callable[[str], None] | None = None
_warned: set[str] = set()   # each file is warned about once a process
# Told when opening a case file upgraded its schema (the CLI prints it on stderr).
upgraded: Callable[[Upgrade], None] | None = None

# Set to "group" for a case shared with a group on purpose: what the group may
# do (read, write) is then not warned about; what anyone may do still is.
SHARED_WITH_GROUP = "CASEBOOK_SHARED_WITH_GROUP"


def permission_warning(path: Path) -> str:
    """A case file that other users may write can be changed behind its owner's
    back (a trigger added, a mark rewritten); one they may read tells them the
    research it holds. Said, never refused. Reading is warned about only to the
    file's owner while they may write it: a colleague (or the owner, through a
    copy made read-only) reads a case shared with them because it is readable."""
    try:
        status = path.stat()
    except OSError:
        return ""
    mode = others = status.st_mode & 0o777
    if os.environ.get(SHARED_WITH_GROUP, "").strip().lower() in ("1", "group", "yes"):
        others &= ~0o070
    if others & 0o022:
        who, may = ("anyone" if others & 0o002 else "its group"), "write"
    elif others & 0o044 and status.st_uid == os.getuid() and os.access(path, os.W_OK):
        who, may = ("anyone" if others & 0o004 else "its group"), "read"
    else:
        return ""
    hint = "" if who == "anyone" else f"; shared with the group on purpose: {SHARED_WITH_GROUP}=1"
    return (f"{path}: {who} may {may} this case file (mode {mode:04o}); "
            f"'chmod 600 {path}' keeps it yours{hint}")


def _warn_once(path: Path, text: str) -> None:
    key = str(path.absolute())
    if warn is not None and key not in _warned:
        _warned.add(key)
        warn(text)


def _second_name(path: Path) -> str:
    """Why a case is not written through ``path`` ("" if it may be). A case is
    written through one name only: SQLite keeps a file's lock state (its -wal
    and -shm) by name, so two writers through two names (a hard link, a
    symbolic link) can corrupt it and lose acknowledged marks."""
    if path.is_symlink():
        return (f"it is a symbolic link: casebook writes a case through its own name only, "
                f"{path.resolve()}")
    links = path.stat().st_nlink
    if links > 1:
        return (f"it has {links} names (hard links), and two writers through two names can "
                "corrupt it: remove the other names, or copy it with 'casebook backup'")
    return ""


def _connect(path: Path, *, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
    # A URI with mode=rw/ro never creates the file.
    mode = "ro" if read_only else "rw"
    uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode={mode}"
    if immutable:
        uri += "&immutable=1"
    conn = sqlite3.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    register_functions(conn)   # the search indexes' triggers fold with casebook's fold
    return conn


def _configure(conn: sqlite3.Connection, *, read_only: bool) -> None:
    if not read_only:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
    else:
        conn.execute("PRAGMA query_only = ON")
    # FULL: a mark acknowledged to an annotator survives power loss.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def _is_case_file(conn: sqlite3.Connection, path: Path) -> int:
    """Return the file's schema version, or raise if it is not a case file."""
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise CaseFileError(f"{path}: is damaged ({error})") from None
    if application_id != APPLICATION_ID:
        raise CaseFileError(f"{path}: is a SQLite database but not a casebook case file")
    if version > SCHEMA_VERSION:
        raise CaseFileError(
            f"{path}: was written by a newer casebook (schema v{version}; "
            f"this casebook reads up to v{SCHEMA_VERSION})"
        )
    return version


def open_case(path: str | os.PathLike[str], *, read_only: bool = False) -> Case:
    """Open an existing case file, migrating it (after a backup) if it is older.

    A file this user cannot write is opened read-only.
    """
    path = Path(path)
    _check_path(path)
    reason = OPENED_READ_ONLY
    if not read_only and not os.access(path, os.W_OK):
        read_only, reason = True, NOT_WRITABLE
    elif not read_only and not os.access(path.absolute().parent, os.W_OK):
        read_only, reason = True, FOLDER_NOT_WRITABLE
    elif not read_only and (second_name := _second_name(path)):
        read_only, reason = True, second_name
    # Read-only to casebook is not always read-only to SQLite: a read-only
    # SQLite connection cannot remove the -wal and -shm files it creates, so
    # they would outlive a mere `casebook search`. Where the file could be
    # written, read through a writable connection that refuses writes
    # (query_only): the last one to close tidies up, as with any writer.
    sqlite_read_only = read_only and not (
        os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK))
    # Reading a file this user may not write while no one writes it (no -wal):
    # SQLite is told it is immutable, so it makes no -shm beside it, which it
    # cannot in a folder this user may not write, and which (owned by this
    # reader) would keep the owner from writing afterwards. With a -wal there,
    # the writer's -shm is read as usual.
    immutable = sqlite_read_only and not path.with_name(path.name + "-wal").exists()
    try:
        conn = _connect(path, read_only=sqlite_read_only, immutable=immutable)
    except sqlite3.Error as error:
        raise CaseFileError(f"{path}: cannot open ({error})") from None
    upgrade = None
    try:
        version = _is_case_file(conn, path)
        if version < SCHEMA_VERSION:
            if read_only:
                how = ("open it once for writing to upgrade it ('casebook open' without --read-only; "
                       "a backup is kept)" if reason == OPENED_READ_ONLY
                       else f"but it is read-only here ({reason})")
                raise CaseFileError(
                    f"{path}: uses schema v{version} and needs upgrading to "
                    f"v{SCHEMA_VERSION}; {how}"
                )
            backup = _backup_path(path, version)
            backup_case_file(conn, backup)
            upgrade = Upgrade(path=path, from_version=version,
                              to_version=migrate(sqlite_tools(conn)), backup=backup)
        _configure(conn, read_only=read_only)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise CaseFileError(f"{path}: is damaged ({error})") from None
    except BaseException:
        conn.close()
        raise
    case = Case(conn, path, read_only=read_only, read_only_reason=reason)
    case.upgrade = upgrade
    if upgrade is not None and upgraded is not None:
        upgraded(upgrade)
    case.permission_warning = permission_warning(path)
    if case.permission_warning:
        _warn_once(path, case.permission_warning)
    case._file_key = _file_key(path)
    _register(case._file_key)
    return case


def create_case(path: str | os.PathLike[str], *, title: str, case_uid: str | None = None) -> Case:
    """Create a new, empty case file (mode 0600: cases hold sensitive research)."""
    with building_case(path, title=title, case_uid=case_uid):
        pass
    return open_case(path)


@contextlib.contextmanager
def building_case(
    path: str | os.PathLike[str], *, title: str, case_uid: str | None = None
) -> Iterator[Case]:
    """Create a case file at ``path`` all at once.

    It is built under a hidden name beside ``path`` and appears there only when
    the block ends without error, so a failure leaves nothing behind and no
    reader ever sees half a case. ``path`` must not exist. It is packed
    (``VACUUM``) once complete: the migrations' rebuilds and the writes leave
    free pages, and a new file has none.
    """
    with atomic_path(path, what="a case file") as building:
        with _empty_case(building, title=title, case_uid=case_uid) as case:
            yield case
            with case._lock:
                case.conn.execute("VACUUM")


def _empty_case(path: Path, *, title: str, case_uid: str | None) -> Case:
    """A new case in the empty file at ``path``."""
    conn = _connect(path, read_only=False)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(sqlite_tools(conn))
        _configure(conn, read_only=False)
        case = Case(conn, path, read_only=False)
        case.being_built = True
        with case.write() as tx:
            tx.executemany(
                CASE_META.insert().sql,
                [("title", title), ("case_uid", case_uid or str(uuid.uuid4())), ("created_at", utc_now())],
            )
    except BaseException:
        conn.close()
        raise
    case._file_key = _file_key(path)
    _register(case._file_key)
    return case


def _backup_path(path: Path, version: int) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


def backup_case_file(conn: sqlite3.Connection, out: str | os.PathLike[str]) -> None:
    """Copy a live database with SQLite's backup API into a new 0600 file, which
    appears at ``out`` complete or not at all.

    A plain file copy of a WAL database can miss committed pages still in the WAL.
    """
    with atomic_path(out, what="a backup") as copying:
        target = sqlite3.connect(copying)
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()


def set_aside(path: str | os.PathLike[str]) -> Path:
    """Copy the case file at ``path`` whole to a ``.bak`` beside it (SQLite's
    backup API, so nothing in its WAL is missed), for a caller about to put
    another file in its place; the backup's path.

    Refused while another program has the file open: its writes would go on
    into the file that is replaced, and be lost.
    """
    path = Path(path)
    _check_path(path)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    conn = _connect(path, read_only=False)
    try:
        _is_case_file(conn, path)
        backup_case_file(conn, backup)
    finally:
        conn.close()
    # The last connection to close removes the WAL: one still there is another program's.
    if path.with_name(path.name + "-wal").exists():
        backup.unlink()
        raise CaseFileError(f"{path}: is open in another program (close it and try again)")
    return backup


def file_schema_version(case: Case) -> int:
    return schema_version(case.db)
