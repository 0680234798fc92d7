"""Errors the case-file layer raises. Each message is one line a user can act on."""

from __future__ import annotations


class CaseError(Exception):
    """Base class: anything wrong with a case file or a request against it."""


class CaseFileError(CaseError):
    """The path is not a usable case file (missing, not SQLite, damaged, too new...)."""


class OutputError(CaseFileError):
    """A file cannot be written where asked (it exists, is a symbolic link, has no directory...)."""


class ReadOnlyError(CaseError):
    """A write was asked of a case opened read-only."""


class NotFoundError(CaseError):
    """A claim, entity, event, excerpt or source id that the case does not hold."""


class ReadInterrupted(CaseError):
    """A read aborted by ``Case.interrupt()``: a newer request replaced it."""


class InvalidValueError(CaseError):
    """A value outside what the case-file format allows (a status, a kind, a date)."""


class UnknownLanguageError(InvalidValueError):
    """An alias tagged with two letters that are no ISO 639-1 language (``Moskva@xx``)."""


class UnchangedStatusError(CaseError):
    """A mark that would not change the claim's (or relationship's: ``noun``) status
    (asked not to be written)."""

    def __init__(self, claim_id: int, status: str, *, noun: str = "claim"):
        super().__init__(f"{noun} {claim_id} is already {status}: nothing was written")
        self.claim_id = claim_id
        self.status = status


class StaleClaimError(CaseError):
    """The claim (or relationship: ``noun``) changed since the annotator saw it
    (optimistic concurrency).

    Says who changed it to what. The caller chooses: mark again with
    ``expected_version=error.current_version`` (theirs is overridden, on the
    record) or leave the claim as the other annotator left it.
    """

    def __init__(self, claim_id: int, expected_version: int, current_version: int,
                 current_status: str, changed_by: str | None, changed_at: str | None,
                 *, change_kind: str = "mark", change_note: str = "", noun: str = "claim"):
        self.claim_id = claim_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.current_status = current_status
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.change_kind = change_kind
        self.change_note = change_note  # why they changed it, if they said
        self.noun = noun
        who = changed_by or "someone"
        when = f" at {changed_at}" if changed_at else ""
        what = {
            "note": f"{who} added a note{when} (status {current_status})",
            "undo": f"{who} undid a mark{when}, so it is {current_status}",
        }.get(change_kind, f"{who} marked it {current_status}{when}")
        super().__init__(
            f"{noun} {claim_id} changed since you saw it: {what} "
            f"(version {current_version}; you saw version {expected_version})"
        )


class CaseBusyError(CaseError):
    """Another process kept the case file's write lock for longer than we wait."""


class NothingToUndoError(CaseError):
    """Undo was asked where the latest mark on the claim is not the annotator's own.

    ``latest_by``: whose the latest mark is (None: there is none), for a
    browser's one-line toast; the message says it all, for the command line."""

    def __init__(self, message: str, *, latest_by: str | None = None) -> None:
        super().__init__(message)
        self.latest_by = latest_by


class LineageError(CaseError):
    """Two files to merge are copies of different cases."""


class MergeRefusedError(CaseError):
    """The copy to merge fails casebook's checks: nothing of it comes in."""


class AnnotationImportError(CaseError):
    """A JSON Lines file of annotations that cannot be imported (names the line)."""


class StaleRevisionError(CaseError):
    """An item changed since the person editing it saw it (optimistic concurrency).

    Says who changed what: the caller shows it and may revise again with
    ``expected_version=error.current_version`` or leave the item as it is.
    """

    def __init__(self, kind: str, item_id: int, expected_version: int, current_version: int,
                 who: str | None, what: str, at: str | None = None):
        self.kind = kind
        self.item_id = item_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.who = who
        self.what = what          # "revised name, aliases", "retired it", "marked it confirmed"
        self.at = at
        when = f" at {at}" if at else ""
        super().__init__(
            f"{kind} {item_id} changed since you saw it: {who or 'someone'} {what}{when} "
            f"(version {current_version}; you saw version {expected_version}); nothing was changed"
        )


# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xff) a user can act on.
_SQLITE_SAYS = {
    3: "permission denied",                                      # SQLITE_PERM
    5: "the file is busy: another process is writing to it",     # SQLITE_BUSY
    6: "the file is busy: another process is writing to it",     # SQLITE_LOCKED
    8: "the file cannot be written (no permission to write it or its folder, or a "
       "read-only file system)",                                 # SQLITE_READONLY
    10: "a read or write of the disk failed (I/O error)",        # SQLITE_IOERR
    13: "the disk is full",                                      # SQLITE_FULL
    14: "the file cannot be opened (permission denied, or its folder is gone)",  # SQLITE_CANTOPEN
    23: "permission denied",                                     # SQLITE_AUTH
}


def sqlite_problem(error: BaseException) -> str:
    """What a SQLite error means to a user, in a few words: a full disk or a
    permission is named as such, never called damage."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _SQLITE_SAYS:
        return f"{_SQLITE_SAYS[code & 0xFF]} ({error})"
    return f"the case file is damaged or unreadable ({error})"
