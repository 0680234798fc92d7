"""export --format misp: one MISP event, built with PyMISP and read back by it,
every object valid against its MISP object template, every judgement an
Opinion and every note a Note on its claim."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli
from pymisp import MISPEvent
from worked_case import worked_case_file  # noqa: F401  (fixture)

import db


@pytest.fixture(scope="module")
def exported(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("misp") / "event.json"
    result = run_cli("export", worked_case_file, "--format", "misp", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def event(exported: Path) -> MISPEvent:
    loaded = MISPEvent()
    loaded.load_file(exported)
    return loaded


def objects(event: MISPEvent, name: str, kind: str | None = None) -> list:
    return [o for o in event.objects if o.name == name
            and (kind is None or any(a.object_relation == "type" and a.value.startswith(kind)
                                     for a in o.attributes))]


def value(misp_object, relation: str) -> str:
    return next(str(a.value) for a in misp_object.attributes if a.object_relation == relation)


def test_pymisp_reads_it_back_and_every_object_meets_its_template(event: MISPEvent):
    assert event.info == "Russian and Chinese intelligence in Brussels"
    assert len(event.objects) > 300
    for misp_object in event.objects:
        misp_object.to_json(strict=True)  # raises if the template's requirements are not met
    uuids = {o.uuid for o in event.objects}
    assert len(uuids) == len(event.objects)
    for misp_object in event.objects:
        for reference in misp_object.references:
            assert reference.referenced_uuid in uuids, (misp_object.name, reference.relationship_type)


def test_what_maps_to_what(event: MISPEvent, worked_case_file: Path):  # noqa: F811
    names = Counter(o.name for o in event.objects)
    with db.open_case(worked_case_file, read_only=True) as case:
        counts = db.counts(case)
        quotes = case.scalar("SELECT (SELECT count(*) FROM claim_excerpts) "
                             "+ (SELECT count(*) FROM relationship_excerpts)")
    assert names["temporal-event"] == counts.events
    assert len(objects(event, "annotation", "claim")) == counts.claims
    assert len(objects(event, "annotation", "evidence")) == quotes
    logvinov = next(o for o in objects(event, "person") if value(o, "full-name") == "Kirill Logvinov")
    assert value(logvinov, "alias") == "Logvinov"
    belgium = next(o for o in objects(event, "geolocation") if value(o, "address") == "Belgium")
    assert value(belgium, "countrycode") == "BE"
    berlin = next(o for o in objects(event, "temporal-event")
                  if value(o, "summary") == "Logvinov posted to Berlin")
    assert (str(berlin.first_seen)[:10], str(berlin.last_seen)[:10]) == ("2010-01-01", "2014-12-31")
    assert value(berlin, "description").startswith("2010–2014")


def test_claims_carry_their_evidence_and_marks(event: MISPEvent):
    claim = next(o for o in objects(event, "annotation", "claim")
                 if "cannot expel its head" in value(o, "text"))
    text = next(a for a in claim.attributes if a.object_relation == "text")
    assert [t.name for t in text.tags] == ['casebook:status="unreviewed"']
    assert value(claim, "format") == "claimed by A Belgian official (anonymous)"
    (quote,) = [o for o in objects(event, "annotation", "evidence")
                if any(r.referenced_uuid == claim.uuid for r in o.references)]
    assert value(quote, "text").startswith("« Nous suivons") and value(quote, "type") == "evidence (supports)"
    assert value(quote, "ref").startswith("https://www.brussels-observer.example/")
    assert quote.references[0].relationship_type == "supports"
    # ana's confirmation stands (100); bruno's judgement was withdrawn: a Note, never a standing Opinion.
    assert [(o.authors, int(o.opinion), o.comment) for o in claim.opinions] == [
        ("ana", 100, "Matches the ministry's line.")]
    notes = [n.note for n in claim.notes]
    assert any(n.startswith("bruno judged this claim disputed on 2026-11-26, then withdrew it")
               for n in notes)
    assert "Undo: wrong claim." in notes


def test_every_mark_is_there_once(event: MISPEvent, worked_case_file: Path):  # noqa: F811
    with db.open_case(worked_case_file, read_only=True) as case:
        judged = case.scalar(
            "SELECT count(*) FROM annotations WHERE kind = 'mark' AND status != 'unreviewed'")
        noted = case.scalar("SELECT count(*) FROM annotations WHERE kind = 'note'")
    opinions = [o for c in objects(event, "annotation", "claim") for o in c.opinions]
    notes = [n for c in objects(event, "annotation", "claim") for n in c.notes]
    withdrawn = [n for n in notes if " then withdrew it on " in n.note]
    assert len(opinions) + len(withdrawn) == judged
    assert len(notes) >= noted + len(withdrawn)
    assert {int(o.opinion) for o in opinions} <= {0, 50, 100}
    assert any(o.authors == "chloé" and int(o.opinion) == 0 for o in opinions)


def test_relationships_are_references_between_the_ends_and_carry_their_evidence_and_marks(
        event: MISPEvent, worked_case_file: Path):  # noqa: F811
    with db.open_case(worked_case_file, read_only=True) as case:
        ties = case.scalar("SELECT count(*) FROM relationships")
        quotes = case.scalar("SELECT count(*) FROM relationship_excerpts")
        judged = case.scalar("SELECT count(*) FROM relationship_annotations "
                             "WHERE kind = 'mark' AND status != 'unreviewed'")
    relationships = objects(event, "annotation", "relationship")
    assert len(relationships) == ties
    by_uuid = {o.uuid: o for o in event.objects}
    references = [r for o in event.objects for r in o.references
                  if getattr(r, "comment", "").startswith("casebook: ")]
    assert len(references) == ties
    logvinov = next(o for o in objects(event, "person") if value(o, "full-name") == "Kirill Logvinov")
    (leads,) = [r for r in logvinov.references if r.relationship_type == "controls"]
    assert value(by_uuid[leads.referenced_uuid], "name") == "Russian Permanent Mission to the EU"
    assert leads.comment == "casebook: leads; head of mission; since 27 September 2022; unreviewed"
    assert {r.relationship_type for r in references} <= set(
        ["member-of", "works-for", "controls", "is-in-relation-with", "associated-with", "owner-of",
         "directs", "represents", "located-at", "related-to"])
    uhrik = next(o for o in relationships if value(o, "text").startswith("Milan Uhrík associate"))
    assert value(uhrik, "type") == "relationship (associate)"
    text = next(a for a in uhrik.attributes if a.object_relation == "text")
    assert [t.name for t in text.tags] == ['casebook:status="disputed"']
    assert {by_uuid[r.referenced_uuid].name for r in uhrik.references} == {"person"}
    assert [(o.authors, int(o.opinion)) for o in uhrik.opinions] == [("seed", 50)]
    evidence = [o for o in objects(event, "annotation", "evidence")
                if any(r.referenced_uuid == uhrik.uuid for r in o.references)]
    assert any(value(o, "type") == "evidence (contradicts)" and "denied meeting Logvinov" in value(o, "text")
               for o in evidence)
    assert sum(1 for o in objects(event, "annotation", "evidence")
               if any(r.referenced_uuid in {t.uuid for t in relationships} for r in o.references)) == quotes
    opinions = [o for t in relationships for o in t.opinions]
    withdrawn = [n for t in relationships for n in t.notes if " then withdrew it on " in n.note]
    assert len(opinions) + len(withdrawn) == judged


def test_the_same_case_gives_the_same_file(exported: Path, worked_case_file: Path, tmp_path: Path):  # noqa: F811
    again = tmp_path / "again.json"
    assert run_cli("export", worked_case_file, "-f", "misp", "-o", again).returncode == 0
    assert again.read_bytes() == exported.read_bytes()
    assert json.loads(again.read_text(encoding="utf-8"))["Event"]["uuid"]


def test_without_pymisp_one_line_says_how_to_get_it(worked_case_file: Path, tmp_path: Path):  # noqa: F811
    blocker = tmp_path / "no-pymisp" / "pymisp"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('PyMISP is not installed here')\n")
    out = tmp_path / "event.json"
    result = run_cli("export", worked_case_file, "-f", "misp", "-o", out,
                     env={"PYTHONPATH": str(blocker.parent)})
    assert_one_line_error(result, "the misp format needs PyMISP: pip install 'casebook[misp]'")
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["no-pymisp"]
