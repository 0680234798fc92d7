"""export --format w3c: W3C Web Annotations, their required fields and anchors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import db
from conftest import run_cli
from db.exports.w3c import CONTEXT, ni_uri
from db.sources import get_source
from worked_case import worked_case_file  # noqa: F401  (fixture)

MOTIVATIONS = {"assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
               "highlighting", "identifying", "linking", "moderating", "questioning", "replying", "tagging"}
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


@pytest.fixture(scope="module")
def collection(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # noqa: F811
    out = tmp_path_factory.mktemp("w3c") / "annotations.jsonld"
    result = run_cli("export", worked_case_file, "--format", "w3c", "-o", out)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def source_texts(path: Path) -> dict[str, str]:
    """Source IRI (URL, or ni: URI of its text) -> text."""
    with db.open_case(path, read_only=True) as case:
        sources = [get_source(case, row[0]) for row in case.rows("SELECT id FROM sources")]
    return {source.url or ni_uri(source.sha256): source.text for source in sources}


def test_the_collection(collection: dict, worked_case_file: Path):  # noqa: F811
    assert collection["@context"] == CONTEXT
    assert collection["type"] == "AnnotationCollection"
    assert collection["id"].startswith("urn:uuid:")
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    with db.open_case(worked_case_file, read_only=True) as case:
        expected = case.scalar("SELECT (SELECT count(*) FROM claim_excerpts) + "
                               "(SELECT count(*) FROM event_excerpts) + (SELECT count(*) FROM annotations)")
    assert collection["total"] == len(page["items"]) == expected


def test_every_annotation_has_the_required_fields(collection: dict):
    ids = set()
    for item in collection["first"]["items"]:
        assert item["type"] == "Annotation"
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", item["id"])
        ids.add(item["id"])
        assert item["motivation"] in MOTIVATIONS
        assert item["target"]  # 1 or more
        for body in item["body"]:
            if body.get("type") == "TextualBody":
                assert isinstance(body["value"], str)
                assert body.get("purpose", "tagging") in MOTIVATIONS
        if "created" in item:
            assert DATETIME.fullmatch(item["created"])
            assert item["creator"]["type"] == "Person" and item["creator"]["name"]
    assert len(ids) == collection["total"]  # unique


def test_every_text_target_anchors_in_its_source(collection: dict, worked_case_file: Path):  # noqa: F811
    texts = source_texts(worked_case_file)
    anchored = 0
    for item in collection["first"]["items"]:
        targets = item["target"] if isinstance(item["target"], list) else [item["target"]]
        for target in targets:
            if isinstance(target, str):
                continue  # a claim without evidence
            assert target["type"] == "SpecificResource"
            text = texts[target["source"]]
            quote, position = target["selector"]
            assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
            start, end = position["start"], position["end"]
            assert isinstance(start, int) and isinstance(end, int) and 0 <= start < end
            assert text[start:end] == quote["exact"]
            assert text[:start].endswith(quote["prefix"]) and text[end:].startswith(quote["suffix"])
            assert len(quote["prefix"]) == min(32, start)
            assert text.count(quote["prefix"] + quote["exact"] + quote["suffix"]) >= 1
            anchored += 1
    assert anchored > 150


def test_evidence_and_marks(collection: dict):
    items = collection["first"]["items"]
    official = [i for i in items if any("cannot expel its head alone" in b.get("value", "") for b in i["body"])]
    evidence = [i for i in official if i["motivation"] == "linking"]
    marks = [i for i in official if i["motivation"] == "assessing"]
    assert len(evidence) == 1
    assert evidence[0]["target"]["selector"][0]["exact"].startswith("« Nous suivons")
    assert evidence[0]["target"]["source"].startswith("https://www.brussels-observer.example/")
    assert [b["value"] for b in evidence[0]["body"]][1] == "supports"
    assert [(m["creator"]["name"], m["body"][0]["value"]) for m in marks] == [
        ("ana", "confirmed"), ("bruno", "disputed"), ("bruno", "unreviewed")]
    assert marks[0]["created"] == "2026-11-26T09:00:00.000001Z"
    assert marks[0]["target"] == [evidence[0]["target"]]
    assert any(b.get("purpose") == "commenting" and b["value"] == "Matches the ministry's line."
               for b in marks[0]["body"])
    events = [i for i in items if any("(March 2022)" in b.get("value", "") for b in i["body"])]
    assert len(events) == 1 and events[0]["target"]["selector"][0]["exact"] == "Logvinov is known for lavish dinners"


def test_ids_are_stable(collection: dict, worked_case_file: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "again.jsonld"
    assert run_cli("export", worked_case_file, "-f", "w3c", "-o", out).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == collection
