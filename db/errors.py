"""Errors the case-file layer raises. Each message is one line a user can act on."""

from __future__ import annotations


class CaseError(Exception):
    """Base class: anything wrong with a case file or a request against it."""


class CaseFileError(CaseError):
    """The path is not a usable case file (missing, not SQLite, damaged, too new...)."""


class ReadOnlyError(CaseError):
    """A write was asked of a case opened read-only."""


class NotFoundError(CaseError):
    """A claim, entity, event, excerpt or source id that the case does not hold."""


class ReadInterrupted(CaseError):
    """A read aborted by ``Case.interrupt()``: a newer request replaced it."""


class InvalidValueError(CaseError):
    """A value outside what the case-file format allows (a status, a kind, a date)."""


class StaleClaimError(CaseError):
    """The claim changed since the annotator saw it (optimistic concurrency)."""

    def __init__(self, claim_id: int, expected_version: int, current_version: int,
                 current_status: str, changed_by: str | None, changed_at: str | None):
        self.claim_id = claim_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.current_status = current_status
        self.changed_by = changed_by
        self.changed_at = changed_at
        who = changed_by or "someone"
        super().__init__(
            f"claim {claim_id} changed since you saw it: {who} marked it "
            f"{current_status} (version {current_version}, you saw {expected_version})"
        )
