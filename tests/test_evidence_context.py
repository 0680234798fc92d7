"""db.claims.claim_evidence_in_context: a claim's evidence with the text around it, in one query."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import db
from db.claims import add_claim, claim_evidence, claim_evidence_in_context
from db.errors import NotFoundError
from db.sources import add_quote, add_source, excerpt_context


def traced(case: db.Case) -> list[str]:
    statements: list[str] = []
    case.conn.set_trace_callback(statements.append)
    return statements


@pytest.mark.parametrize("chars", [0, 1, 40, 160, 400, 10**7, -3])
def test_the_same_evidence_and_context_as_excerpt_context_gives(seed_case, chars):
    claim_ids = [row[0] for row in seed_case.rows("SELECT id FROM claims ORDER BY id")]
    compared = 0
    for claim_id in claim_ids:
        together = claim_evidence_in_context(seed_case, claim_id, chars=chars)
        assert [e.model_dump(exclude={"before", "after"}) for e in together] == \
            [e.model_dump() for e in claim_evidence(seed_case, claim_id)]
        for evidence in together:
            before, excerpt, after = excerpt_context(seed_case, evidence.excerpt.id, chars=chars)
            assert (evidence.before, evidence.excerpt, evidence.after) == (before, excerpt, after)
            compared += 1
    assert compared > len(claim_ids)


def test_one_query_however_much_evidence(seed_case):
    most, count = seed_case.row(
        "SELECT claim_id, count(*) FROM claim_excerpts GROUP BY claim_id ORDER BY 2 DESC, 1 LIMIT 1")
    one = seed_case.scalar(
        "SELECT claim_id FROM claim_excerpts GROUP BY claim_id HAVING count(*) = 1 LIMIT 1")
    assert count > 3 and one is not None
    for claim_id, items in ((most, count), (one, 1)):
        statements = traced(seed_case)
        assert len(claim_evidence_in_context(seed_case, claim_id, chars=160)) == items
        assert len(statements) == 1
    statements = traced(seed_case)
    assert len(claim_evidence_in_context(seed_case, most, limit=2)) == 2
    assert claim_evidence_in_context(seed_case, 10**9) == []
    assert len(statements) == 2


def test_context_stops_at_the_ends_of_the_source(empty_case):
    text = "Alpha beta gamma.\nDelta epsilon zeta, eta theta."
    source = add_source(empty_case, text=text, title="Short")
    first, last = add_quote(empty_case, source.id, "Alpha"), add_quote(empty_case, source.id, "theta.")
    claim = add_claim(empty_case, statement="s", evidence=[(first, "supports"), (last, "context")])
    start, end = claim_evidence_in_context(empty_case, claim.id, chars=10)
    assert (start.before, start.excerpt.text, start.after) == ("", "Alpha", " beta gamm")
    assert (end.before, end.excerpt.text, end.after) == ("zeta, eta ", "theta.", "")
    assert (start.stance, end.stance, start.source_title) == ("supports", "context", "Short")


def test_a_source_missing_from_an_edited_file_gives_no_context_not_an_error(
        seed_case_file: Path, tmp_path: Path):
    path = tmp_path / "edited.casebook"
    shutil.copyfile(seed_case_file, path)
    claim_id, source_id = sqlite3.connect(path).execute(
        "SELECT x.claim_id, e.source_id FROM claim_excerpts x JOIN excerpts e ON e.id = x.excerpt_id "
        "ORDER BY x.claim_id LIMIT 1").fetchone()
    with sqlite3.connect(path) as raw:   # foreign keys are off in a bare connection
        raw.execute("DELETE FROM sources WHERE id = ?", [source_id])
    with db.open_case(path, read_only=True) as case:
        evidence = claim_evidence_in_context(case, claim_id)
        cut_off = [e for e in evidence if e.excerpt.source_id == source_id]
        assert cut_off and all((e.before, e.after, e.source_title) == ("", "", "") for e in cut_off)
        with pytest.raises(NotFoundError):
            excerpt_context(case, cut_off[0].excerpt.id or 0)
