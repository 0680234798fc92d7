"""A case worked on as analysts would: the Brussels seed, more documents added
with the real CLI, evidence quoted from them, claims marked by several
annotators (and a mark undone). The export tests read it; none may change it.

Import the fixtures into a test module to use them:
``from worked_case import worked_case_file  # noqa: F401``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

import db
from db.building import claim_from_excerpt, entity_from_excerpt, event_from_excerpt
from db.claims import add_note, mark_claim, undo_last_mark
from db.merge import merge_case_files
from db.sources import get_excerpt

DATA = Path(__file__).resolve().parent / "data" / "ingest"
ARTICLE = DATA / "brussels-observer-article.html"
MIXED = DATA / "mixed"


def excerpt_containing(case: db.Case, fragment: str) -> int:
    row = case.row("SELECT id FROM excerpts WHERE kind = 'paragraph' AND instr(text, ?) > 0 "
                   "ORDER BY id LIMIT 1", [fragment])
    assert row is not None, fragment
    return row[0]


def work_on(path: Path) -> None:
    """Add documents and make evidence and marks, as an analyst would."""
    added = run_cli("add-source", path, ARTICLE, MIXED)
    assert added.returncode == 0, added.stderr
    with db.open_case(path) as case:
        lavish = excerpt_containing(case, "Logvinov is known for lavish dinners")
        entity_from_excerpt(case, lavish, kind="organization", name="The Brussels Observer",
                            description="A newspaper (test fixture).")
        official = excerpt_containing(case, "A Belgian official, speaking on condition")
        text = get_excerpt(case, official).text
        start = text.index("« Nous suivons")
        end = text.index("»", start) + 1
        claim = claim_from_excerpt(
            case, official,
            statement="Belgium follows the Russian mission closely but cannot expel its head alone.",
            claimant="A Belgian official (anonymous)", span=(start, end),
        )
        event_from_excerpt(case, lavish, title="Barring of Russian diplomats from the Parliament reported",
                           date_start="2022-03", date_precision="month", span=(0, 36))
        mark_claim(case, claim.id, "confirmed", annotator="ana", note="Matches the ministry's line.",
                   created_at="2026-11-26T09:00:00.000001Z")
        mark_claim(case, claim.id, "disputed", annotator="bruno", note="One anonymous source.",
                   created_at="2026-11-26T10:00:00.000002Z")
        mark_claim(case, claim.id, "unreviewed", annotator="bruno", note="Undo: wrong claim.",
                   created_at="2026-11-26T10:05:00.000003Z")
        mark_claim(case, 3, "denied", annotator="chloé", note="Contradicted by <b>two</b> [sources](x).",
                   created_at="2026-11-26T11:00:00.000004Z")
        add_note(case, 3, "Asked the desk for the second source.", annotator="ana")
        mark_claim(case, 4, "confirmed", annotator="ana")
        undo_last_mark(case, 4, annotator="ana")
        # A laptop copy marks claim 5 one way while the case marks it another: a merge conflict.
        laptop = path.with_name(path.stem + "-laptop.casebook")
        db.backup_case_file(case.conn, laptop)
    with db.open_case(laptop) as copy:
        mark_claim(copy, 5, "confirmed", annotator="dora", note="Seen in the registry.")
    with db.open_case(path) as case:
        mark_claim(case, 5, "denied", annotator="ana", note="The registry entry is someone else.")
        report = merge_case_files(case, laptop)
        assert report.conflicts_found == 1, report
    laptop.unlink()


@pytest.fixture(scope="session")
def worked_case_file(seed_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("worked") / "worked.casebook"
    shutil.copyfile(seed_case_file, path)
    os.chmod(path, 0o600)
    work_on(path)
    return path
