"""casebook's case-file layer: schema, models, paged reads, short writes, search.

Reachable without the TUI: nothing here imports textual or rich.
"""

from .casefile import Case, Upgrade, backup_case_file, create_case, open_case, utc_now
from .errors import (
    AnnotationImportError,
    CaseBusyError,
    CaseError,
    CaseFileError,
    InvalidValueError,
    LineageError,
    NotFoundError,
    NothingToUndoError,
    ReadInterrupted,
    ReadOnlyError,
    StaleClaimError,
    StaleRevisionError,
    UnchangedStatusError,
)
from .models import (
    DATE_PRECISIONS,
    ENTITY_KINDS,
    STANCES,
    STATUSES,
    Annotation,
    CaseCounts,
    Claim,
    Entity,
    Event,
    Evidence,
    Excerpt,
    Source,
    SourceInfo,
)
from .schema import APPLICATION_ID, SCHEMA_VERSION
from .tables import TABLES


def counts(case: Case, *, include_retired: bool = False) -> CaseCounts:
    """How many of everything, in one query (each field counts the table of its
    name), retired items left out unless ``include_retired`` (counted apart on
    their partial index, so the count stays as quick as SQLite's own)."""
    fields = list(CaseCounts.model_fields)

    def count(table: str) -> str:
        if include_retired or "retired" not in TABLES[table].kept:
            return f"(SELECT count(*) FROM {table})"
        return (f"((SELECT count(*) FROM {table}) - "
                f"(SELECT count(*) FROM {table} WHERE retired = 1))")

    row = case.row("SELECT " + ", ".join(count(table) for table in fields))
    return CaseCounts(**dict(zip(fields, row or [0] * len(fields), strict=True)))


__all__ = [
    "APPLICATION_ID", "AnnotationImportError", "CaseBusyError", "LineageError",
    "NothingToUndoError", "DATE_PRECISIONS", "ENTITY_KINDS", "SCHEMA_VERSION", "STANCES",
    "STATUSES", "Annotation", "Case", "CaseCounts", "CaseError", "CaseFileError", "Claim",
    "Entity", "Event", "Evidence", "Excerpt", "InvalidValueError", "NotFoundError",
    "ReadInterrupted", "ReadOnlyError", "Source", "SourceInfo", "StaleClaimError",
    "StaleRevisionError", "UnchangedStatusError", "Upgrade",
    "backup_case_file",
    "counts", "create_case", "open_case", "utc_now",
]
