"""Agreement between annotators, on constructed cases with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

import db
from db.agreement import (
    claim_agreement,
    count_disagreements,
    disagreement_ids,
    kappa_for,
    pair_agreements,
    shared_claim_pages,
)
from db.claims import add_claim, add_note, mark_claim, undo_last_mark


def new_claims(case, count: int) -> list[int]:
    return [add_claim(case, statement=f"Claim {i}").id for i in range(count)]


def mark_pairs(case, claim_ids, pattern, first="ana", second="bob"):
    """pattern: [(status by first, status by second, how many claims)]."""
    ids = iter(claim_ids)
    for status_a, status_b, count in pattern:
        for _ in range(count):
            claim_id = next(ids)
            mark_claim(case, claim_id, status_a, annotator=first)
            mark_claim(case, claim_id, status_b, annotator=second)


@pytest.fixture
def fifty(tmp_path: Path):
    """Cohen's textbook example: 50 items, two raters, yes/no.
    Both yes 20, A yes B no 5, A no B yes 10, both no 15: p_o 0.7, p_e 0.5, kappa 0.4."""
    path = tmp_path / "fifty.casebook"
    with db.create_case(path, title="Fifty") as case:
        ids = new_claims(case, 60)
        mark_pairs(case, ids, [("confirmed", "confirmed", 20), ("confirmed", "denied", 5),
                               ("denied", "confirmed", 10), ("denied", "denied", 15)])
    return path


def test_kappa_of_the_textbook_example(fifty: Path):
    with db.open_case(fifty, read_only=True) as case:
        [pair] = pair_agreements(case)
    assert (pair.annotator_a, pair.annotator_b) == ("ana", "bob")
    assert (pair.claims, pair.agreements, pair.disagreements) == (50, 35, 15)
    assert pair.observed == pytest.approx(0.7)
    assert pair.expected == pytest.approx(0.5)
    assert pair.kappa == pytest.approx(0.4)
    assert pair.table["confirmed"]["denied"] == 5 and pair.table["denied"]["confirmed"] == 10


def test_kappa_over_three_statuses():
    table = {("confirmed", "confirmed"): 4, ("confirmed", "disputed"): 1,
             ("disputed", "disputed"): 3, ("denied", "denied"): 2, ("denied", "confirmed"): 1}
    # p_o = 9/11; marginals a (5, 3, 3), b (5, 4, 2): p_e = 43/121; kappa = 56/78.
    pair = kappa_for("a", "b", table)
    assert pair.observed == pytest.approx(9 / 11)
    assert pair.expected == pytest.approx(43 / 121)
    assert pair.kappa == pytest.approx(28 / 39)


def test_degenerate_pairs_say_why_there_is_no_kappa():
    none = kappa_for("a", "b", {})
    assert (none.claims, none.kappa, none.kappa_note) == (0, None, "no claim judged by both")
    same = kappa_for("a", "b", {("denied", "denied"): 3})
    assert (same.agreements, same.observed, same.expected, same.kappa) == (3, 1.0, 1.0, None)
    assert same.kappa_note.startswith("undefined")
    opposite = kappa_for("a", "b", {("denied", "confirmed"): 3})
    assert opposite.kappa == 0.0 and opposite.observed == 0.0  # p_e 0: defined, and zero


def test_standing_marks_skip_notes_undone_marks_withdrawals_and_seed(tmp_path: Path):
    with db.create_case(tmp_path / "c.casebook", title="C") as case:
        one, two, three = new_claims(case, 3)
        mark_claim(case, one, "confirmed", annotator="seed")   # the source's stance
        mark_claim(case, one, "confirmed", annotator="ana")
        mark_claim(case, one, "denied", annotator="ana")
        undo_last_mark(case, one, annotator="ana")               # ana stands by confirmed
        add_note(case, one, "I would deny it", annotator="bob")  # a note is no judgement
        mark_claim(case, one, "confirmed", annotator="bob")
        mark_claim(case, two, "denied", annotator="ana")
        mark_claim(case, two, "unreviewed", annotator="bob")    # bob withdrew his judgement
        mark_claim(case, three, "confirmed", annotator="ana")
        mark_claim(case, three, "disputed", annotator="bob")

        first = claim_agreement(case, one)
        assert {(m.annotator, m.status) for m in first.marks} == {("ana", "confirmed"),
                                                                 ("bob", "confirmed")}
        assert (first.agreeing_pairs, first.disagreement) == (1, False)
        assert [m.annotator for m in claim_agreement(case, two).marks] == ["ana"]
        third = claim_agreement(case, three)
        assert (third.disagreeing_pairs, third.disagreement) == (1, True)
        assert disagreement_ids(case) == [three] and count_disagreements(case) == 1
        with_seed = claim_agreement(case, one, exclude=())
        assert {m.annotator for m in with_seed.marks} == {"ana", "bob", "seed"}


def test_pairs_without_overlap_are_listed_without_kappa(fifty: Path):
    with db.open_case(fifty) as case:
        mark_claim(case, 51, "denied", annotator="carol")
        for claim_id in (52, 53, 54):
            mark_claim(case, claim_id, "confirmed", annotator="dave")
            mark_claim(case, claim_id, "confirmed", annotator="erin")
        pairs = {(p.annotator_a, p.annotator_b): p for p in pair_agreements(case)}
    assert len(pairs) == 10  # every pair of the five annotators
    assert pairs[("ana", "carol")].kappa_note == "no claim judged by both"
    assert pairs[("dave", "erin")].kappa is None and pairs[("dave", "erin")].agreements == 3
    assert pairs[("ana", "bob")].kappa == pytest.approx(0.4)


def test_shared_claims_come_in_pages_by_key_each_claim_once(fifty: Path):
    with db.open_case(fifty) as case:
        mark_claim(case, 55, "denied", annotator="carol")            # one judge: not shared
        mark_claim(case, 56, "denied", annotator="carol")
        mark_claim(case, 56, "confirmed", annotator="dave")          # shared, past the fifty
        pages = list(shared_claim_pages(case, page=7))
        whole = list(shared_claim_pages(case, page=1000))
    assert [len(ids) for ids in pages] == [7] * 7 + [2]
    assert [i for ids in pages for i in ids] == whole[0] == [*range(1, 51), 56]


def test_cli_agreement(fifty: Path):
    result = run_cli("agreement", fifty, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["excluded_annotators"] == ["seed"]
    assert data["annotators"] == {"ana": 50, "bob": 50}
    assert data["pairs"][0]["kappa"] == pytest.approx(0.4)
    assert len(data["claims"]) == 50
    assert sum(claim["disagreement"] for claim in data["claims"]) == 15
    text = run_cli("agreement", fifty)
    assert "ana / bob" in text.stdout and "0.400" in text.stdout
    assert "50 claims judged by two or more; 15 in disagreement" in text.stdout


def test_cli_agreement_on_the_seed_case(seed_case_file: Path):
    result = run_cli("agreement", seed_case_file)
    assert result.returncode == 0
    assert "no annotator has judged a claim yet (seed marks are not counted)" in result.stdout
    with_seed = json.loads(run_cli("agreement", seed_case_file, "--include-seed", "--json").stdout)
    assert with_seed["excluded_annotators"] == [] and "seed" in with_seed["annotators"]
