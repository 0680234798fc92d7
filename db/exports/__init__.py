"""Exports: the case in the formats colleagues and other tools read.

Every exporter reads the case inside one snapshot (a consistent copy while
others keep working) and a page at a time, and writes as it reads.
"""

from __future__ import annotations

from collections.abc import Callable

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

__all__ = ["FORMATS", "STREAM_WRITERS", "write_csv_tables"]
