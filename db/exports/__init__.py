"""Exports: the case in the formats colleagues and other tools read.

Every exporter reads the case inside one snapshot (a consistent copy while
others keep working) and a page at a time, and writes as it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ..casefile import Case, open_case
from ..errors import CaseError, InvalidValueError
from ..outfile import atomic_file
from .case_json import write_case_json
from .claimreview import write_claim_reviews
from .csv_tables import write_csv_tables
from .ftm import write_ftm
from .graph import write_gexf, write_graphml
from .html_report import write_html_report
from .markdown_report import write_markdown_report
from .misp import write_misp_event
from .stix import write_stix_bundle
from .w3c import write_w3c_annotations

# Formats written as one stream (a file, or stdout): writer(case, out) -> items written;
# every writer but json's also takes include_retired= (json is the whole case, always).
STREAM_WRITERS: dict[str, Callable[..., int]] = {
    "json": write_case_json,
    "markdown": write_markdown_report,
    "html": write_html_report,
    "ftm": write_ftm,
    "w3c": write_w3c_annotations,
    "stix": write_stix_bundle,
    "misp": write_misp_event,
    "claimreview": write_claim_reviews,
    "graphml": write_graphml,
    "gexf": write_gexf,
}
# csv writes a directory: one file per table.
FORMATS: tuple[str, ...] = ("json", "csv", "markdown", "html", "ftm", "w3c", "stix", "misp", "claimreview",
                            "graphml", "gexf")

# A file name for each format (csv: a directory), for a browser that asks for one.
SUFFIXES: dict[str, str] = {
    "json": ".json", "csv": "-csv", "markdown": ".md", "html": ".html", "ftm": ".ftm.json",
    "w3c": ".w3c.jsonld", "stix": ".stix.json", "misp": ".misp.json",
    "claimreview": ".claimreview.jsonld", "graphml": ".graphml", "gexf": ".gexf",
}


def is_case_file(output: Path, case_path: Path) -> bool:
    """Whether ``output`` is the case file itself (or SQLite's files beside it)."""
    try:
        target = output.resolve()
        case = case_path.resolve()
    except OSError:
        return False
    return target in {case, case.with_name(case.name + "-wal"), case.with_name(case.name + "-shm")}


def write_stream(case: Case, format_: str, out: TextIO, *, include_retired: bool = False) -> int:
    """Write the case in ``format_`` (not csv) to ``out``. json is the whole
    case, retired items and all (import rebuilds it); every other format
    leaves retired items out unless ``include_retired``."""
    if format_ == "json":
        return write_case_json(case, out)
    return STREAM_WRITERS[format_](case, out, include_retired=include_retired)


def export_file(case_path: Path, format_: str, output: Path, *, force: bool = False,
                raw: bool = False, include_retired: bool = False, force_hint: str = "") -> int:
    """Export the case at ``case_path`` to ``output`` (a directory for csv),
    through ``db.outfile``: complete or not at all, never over a file unless
    ``force``, never through a symbolic link. Read on a connection of its own
    (one snapshot, while others keep working). Returns the items (csv: rows)
    written; a bad format, target or case raises a one-line ``CaseError``."""
    if format_ not in FORMATS:
        raise InvalidValueError(f"{format_}: not an export format ({', '.join(FORMATS)})")
    if raw and format_ != "csv":
        raise CaseError("--raw applies to csv only (the formula guard of spreadsheet cells)")
    if is_case_file(output, case_path):
        raise CaseError(f"{output}: is the case file itself")
    with open_case(case_path, read_only=True) as case:
        if format_ == "csv":
            return write_csv_tables(case, output, force=force, raw=raw,
                                    include_retired=include_retired)
        with atomic_file(output, force=force, force_hint=force_hint) as handle:
            return write_stream(case, format_, handle, include_retired=include_retired)


__all__ = ["FORMATS", "STREAM_WRITERS", "SUFFIXES", "export_file", "is_case_file",
           "write_stream",
           "write_csv_tables"]
