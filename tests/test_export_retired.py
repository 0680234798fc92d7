"""Retired items leave every export but JSON unless ``--include-retired``:
the worked case with an entity, an event, an excerpt and a claim retired,
exported with the real CLI in every format, and each peer's validator run on
what comes out (ftm validate, stix2-validator, the W3C suite, PyMISP)."""

from __future__ import annotations

import csv
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli
from pymisp import MISPEvent
from test_export_w3c import failed
from worked_case import worked_case_file  # noqa: F401  (fixture)

import db
from db import curation


@pytest.fixture(scope="module")
def retired_case(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: F811
    """The worked case with one item of each kind retired: the entity, event
    and excerpt a live claim links to, and a marked claim; what each was."""
    path = tmp_path_factory.mktemp("retired") / "retired.casebook"
    shutil.copyfile(worked_case_file, path)
    with db.open_case(path) as case:
        claim_id = int(case.scalar("SELECT claim_id FROM annotations ORDER BY rowid LIMIT 1"))
        entity_id = int(case.scalar(
            "SELECT entity_id FROM claim_entities WHERE claim_id != ? ORDER BY claim_id LIMIT 1",
            [claim_id]))
        excerpt_id = int(case.scalar(
            "SELECT excerpt_id FROM claim_excerpts WHERE claim_id != ? ORDER BY claim_id LIMIT 1",
            [claim_id]))
        event_id = int(case.scalar("SELECT id FROM events ORDER BY id LIMIT 1"))
        # Names found nowhere else in the case, so an export holds them only with the items.
        curation.revise(case, "entity", entity_id, {"name": "Quillon Retiredsen"}, annotator="ana")
        curation.revise(case, "event", event_id, {"title": "The retired gathering"},
                        annotator="ana")
        gone = {}
        for kind, item_id in (("claim", claim_id), ("entity", entity_id), ("excerpt", excerpt_id),
                              ("event", event_id)):
            curation.retire(case, kind, item_id, reason="a test", annotator="ana")
            gone[kind] = (item_id, curation.uid_of(case, kind, item_id))
        names = {
            "claim": case.scalar("SELECT statement FROM claims WHERE id = ?", [claim_id]),
            "entity": case.scalar("SELECT name FROM entities WHERE id = ?", [entity_id]),
            "event": case.scalar("SELECT title FROM events WHERE id = ?", [event_id]),
        }
    return path, gone, names


def _export(path: Path, format_: str, out: Path, *more: str) -> Path:
    result = run_cli("export", path, "--format", format_, "-o", out, *more)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("format_", ["ftm", "stix", "w3c", "misp", "markdown", "html",
                                     "claimreview"])
def test_retired_items_are_left_out_unless_asked(retired_case, tmp_path: Path, format_: str):
    path, gone, names = retired_case
    left_out = _export(path, format_, tmp_path / "out").read_text(encoding="utf-8")
    kept = _export(path, format_, tmp_path / "all", "--include-retired").read_text(encoding="utf-8")
    claim_uid = gone["claim"][1]
    statement = names["claim"]
    if format_ in ("w3c", "claimreview", "html", "markdown"):
        # These name claims by their text or uid (claimreview: settled claims only).
        shown = {"html": html.escape(statement, quote=True), "markdown": statement}.get(
            format_, claim_uid)
        assert shown not in left_out
        if format_ != "claimreview" or shown in kept:
            assert shown in kept or json.dumps(shown)[1:-1] in kept
    else:
        assert json.dumps(statement)[1:-1] not in left_out
        assert json.dumps(statement)[1:-1] in kept
    if format_ in ("ftm", "stix", "misp", "markdown", "html"):
        entity = json.dumps(names["entity"])[1:-1]
        event = json.dumps(names["event"])[1:-1]
        assert entity not in left_out and entity in kept
        assert event not in left_out and event in kept
    assert len(left_out) < len(kept)


def test_json_keeps_every_item_retired_or_not(retired_case, tmp_path: Path):
    path, gone, _ = retired_case
    document = json.loads(_export(path, "json", tmp_path / "case.json").read_text(encoding="utf-8"))
    for kind, section in (("claim", "claims"), ("entity", "entities"), ("excerpt", "excerpts"),
                          ("event", "events")):
        assert gone[kind][1] in {item["uid"] for item in document[section]}
    assert {r["item_uid"] for r in document["retirements"]} >= {uid for _, uid in gone.values()}


def test_csv_leaves_out_retired_rows_and_rows_that_point_at_them(retired_case, tmp_path: Path):
    path, gone, _ = retired_case

    def ids(folder: Path, table: str, column: str) -> set[str]:
        with open(folder / f"{table}.csv", encoding="utf-8-sig", newline="") as handle:
            return {row[column] for row in csv.DictReader(handle)}

    left_out = _export(path, "csv", tmp_path / "csv")
    kept = _export(path, "csv", tmp_path / "csv-all", "--include-retired")
    for kind, table in (("claim", "claims"), ("entity", "entities"), ("excerpt", "excerpts"),
                        ("event", "events")):
        item_id = str(gone[kind][0])
        assert item_id not in ids(left_out, table, "id")
        assert item_id in ids(kept, table, "id")
    assert str(gone["claim"][0]) not in ids(left_out, "annotations", "claim_id")
    assert str(gone["claim"][0]) in ids(kept, "annotations", "claim_id")
    assert str(gone["entity"][0]) not in ids(left_out, "claim_entities", "entity_id")
    assert str(gone["excerpt"][0]) not in ids(left_out, "claim_excerpts", "excerpt_id")
    # The record of the retirements is kept whole.
    assert ids(left_out, "retirements", "uid") == ids(kept, "retirements", "uid")


def test_ftm_validate_takes_the_export_unchanged(retired_case, tmp_path: Path):
    path, _, _ = retired_case
    exported = _export(path, "ftm", tmp_path / "case.ftm.json")
    validated = tmp_path / "validated.json"
    ftm = Path(sys.executable).with_name("ftm")
    result = subprocess.run([ftm, "validate", "-i", exported, "-o", validated],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert len(validated.read_text(encoding="utf-8").splitlines()) == len(lines)
    entities = {e["id"]: e for e in map(json.loads, lines)}
    for entity in entities.values():   # every reference points at an entity exported
        for name in ("document", "entity", "resolved", "subject", "object", "proof"):
            for ref in entity["properties"].get(name, []):
                assert ref in entities, (entity["schema"], name)


def test_stix2_validator_finds_nothing(retired_case, tmp_path: Path):
    path, _, _ = retired_case
    exported = _export(path, "stix", tmp_path / "bundle.json")
    validator = Path(sys.executable).with_name("stix2_validator")
    result = subprocess.run([validator, "--strict", "--interop", exported], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "[X]" not in result.stdout and "[!]" not in result.stdout
    bundle = json.loads(exported.read_text(encoding="utf-8"))
    ids = {o["id"] for o in bundle["objects"]}
    for stix_object in bundle["objects"]:
        for ref in stix_object.get("object_refs", []):
            assert ref in ids


def test_w3c_suite_passes_every_annotation_and_the_total_counts_them(retired_case, tmp_path: Path):
    path, _, _ = retired_case
    collection = json.loads(_export(path, "w3c", tmp_path / "w3c.json").read_text(encoding="utf-8"))
    items = collection["first"]["items"]
    assert collection["total"] == len(items) > 0
    for item in items:
        assert failed("annotations/annotationMusts.test", item) == [], item["id"]


def test_pymisp_reads_the_misp_event_back_with_every_reference_resolved(retired_case,
                                                                         tmp_path: Path):
    path, _, _ = retired_case
    exported = _export(path, "misp", tmp_path / "misp.json")
    event = MISPEvent()
    event.load_file(str(exported))
    uuids = {o.uuid for o in event.objects}
    for misp_object in event.objects:
        misp_object.to_json(strict=True)
        for reference in misp_object.references:
            assert reference.referenced_uuid in uuids


def test_csv_leaves_out_a_retired_relationship_its_evidence_and_marks_and_ties_to_a_retired_entity(
        worked_case_file: Path, tmp_path: Path):  # noqa: F811
    """As the other exports do: a retired relationship, and one whose subject or
    object is retired, leaves relationships.csv with its evidence, marks and conflicts."""
    path = tmp_path / "ties.casebook"
    shutil.copyfile(worked_case_file, path)
    with db.open_case(path) as case:
        retired_tie, to_retired_end = (int(row[0]) for row in case.rows(
            "SELECT id FROM relationships WHERE id IN (SELECT relationship_id FROM relationship_excerpts) "
            "ORDER BY id LIMIT 2"))
        db.relationships.mark_relationship(case, retired_tie, "confirmed", annotator="ana")
        db.relationships.mark_relationship(case, to_retired_end, "denied", annotator="ana")
        end = int(case.scalar("SELECT subject_entity_id FROM relationships WHERE id = ?", [to_retired_end]))
        curation.retire(case, "relationship", retired_tie, reason="misread", annotator="ana")
        curation.retire(case, "entity", end, reason="not one person", annotator="ana")

    def ids(folder: Path, table: str, column: str) -> set[str]:
        with open(folder / f"{table}.csv", encoding="utf-8-sig", newline="") as handle:
            return {row[column] for row in csv.DictReader(handle)}

    left_out = _export(path, "csv", tmp_path / "csv")
    kept = _export(path, "csv", tmp_path / "csv-all", "--include-retired")
    for tie in (str(retired_tie), str(to_retired_end)):
        assert tie not in ids(left_out, "relationships", "id")
        assert tie in ids(kept, "relationships", "id")
        for table in ("relationship_excerpts", "relationship_annotations"):
            assert tie not in ids(left_out, table, "relationship_id")
            assert tie in ids(kept, table, "relationship_id")
    assert ids(left_out, "relationships", "id")   # the others stay


@pytest.mark.parametrize("format_", ["markdown", "misp", "stix"])
def test_a_retired_excerpt_leaves_a_relationships_evidence(worked_case_file: Path, tmp_path: Path,  # noqa: F811
                                                           format_: str):
    """As it leaves a claim's: the quote is not in the export unless --include-retired."""
    path = tmp_path / "quote.casebook"
    shutil.copyfile(worked_case_file, path)
    with db.open_case(path) as case:
        excerpt_id, text = case.row(
            "SELECT id, text FROM excerpts WHERE id IN (SELECT excerpt_id FROM relationship_excerpts) "
            "AND id NOT IN (SELECT excerpt_id FROM claim_excerpts) "
            "AND id NOT IN (SELECT excerpt_id FROM event_excerpts) ORDER BY length(text) DESC LIMIT 1")
        curation.retire(case, "excerpt", excerpt_id, reason="misquoted", annotator="ana")
    quoted = json.dumps(text[:60])[1:-1] if format_ != "markdown" else text[:20]
    left_out = _export(path, format_, tmp_path / "out").read_text(encoding="utf-8")
    kept = _export(path, format_, tmp_path / "all", "--include-retired").read_text(encoding="utf-8")
    assert quoted not in left_out
    assert quoted in kept
