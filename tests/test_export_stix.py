"""export --format stix: a STIX 2.1 bundle, checked by OASIS's stix2-validator
(--strict --interop), parsed by the stix2 library, and converted to a MISP
event by misp-stix (what MISP itself runs to import STIX) without losing a
judgement, a note or a quote."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
import stix2
from conftest import run_cli
from misp_stix_converter import ExternalSTIX2toMISPParser
from worked_case import worked_case_file  # noqa: F401  (fixture)

import db
from db.exports.stix import OPINIONS, stix_id


@pytest.fixture(scope="module")
def exported(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("stix") / "bundle.json"
    result = run_cli("export", worked_case_file, "--format", "stix", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def bundle(exported: Path) -> dict:
    return dict(json.loads(exported.read_text(encoding="utf-8")))


def objects(bundle: dict, kind: str, label: str | None = None) -> list[dict]:
    return [o for o in bundle["objects"]
            if o["type"] == kind and (label is None or label in o.get("labels", []))]


def test_stix2_validator_strict_and_interop_finds_nothing(exported: Path):
    validator = Path(sys.executable).with_name("stix2_validator")
    result = subprocess.run([validator, "--strict", "--interop", exported], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "[+] STIX JSON: Valid" in result.stdout
    assert "[X]" not in result.stdout and "[!]" not in result.stdout


def test_the_validator_is_not_a_rubber_stamp(exported: Path, tmp_path: Path):
    """The same run fails a bundle with the faults the issue found (a v5 id, no created_by_ref)."""
    broken = json.loads(exported.read_text(encoding="utf-8"))
    broken["objects"][0]["id"] = f"identity--{uuid.uuid5(uuid.NAMESPACE_URL, 'x')}"
    del broken["objects"][1]["created_by_ref"]
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    validator = Path(sys.executable).with_name("stix2_validator")
    result = subprocess.run([validator, "--strict", "--interop", tmp_path / "broken.json"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "UUIDv4" in result.stdout and "created_by_ref" in result.stdout


def test_the_stix2_library_parses_it_strictly(bundle: dict):
    parsed = stix2.parse(bundle, allow_custom=False)
    assert len(parsed.objects) == len(bundle["objects"])


def test_each_object_once_made_by_someone_and_every_reference_resolves(bundle: dict):
    ids = [o["id"] for o in bundle["objects"]]
    assert len(ids) == len(set(ids))  # a revoked opinion is its latest version only
    by_id = {o["id"]: o for o in bundle["objects"]}
    for obj in bundle["objects"]:
        assert by_id[obj["created_by_ref"]]["type"] == "identity", obj["id"]
        for ref in obj.get("object_refs", []):
            assert ref in by_id, (obj["id"], ref)
        assert uuid.UUID(obj["id"].split("--")[1]).version == 4
    (report,) = objects(bundle, "report")
    assert report["report_types"] == ["threat-report"]
    assert set(report["object_refs"]) == set(ids) - {report["id"]}
    assert {r["source_name"] for r in report["external_references"]} >= {
        "Brussels remains a hub for Russian espionage, investigation finds"}
    assert all(len(r["hashes"]["SHA-256"]) == 64 for r in report["external_references"])


def test_annotators_and_the_case_author_are_identities(bundle: dict):
    identities = {o["name"]: o for o in objects(bundle, "identity")}
    for annotator in ("ana", "bruno", "chloé", "dora", "seed"):
        assert identities[annotator]["identity_class"] == "individual"
    author = identities["Russian and Chinese intelligence in Brussels (casebook case)"]
    assert author["identity_class"] == "group"
    for opinion in objects(bundle, "opinion"):
        assert opinion["created_by_ref"] == identities[opinion["authors"][0]]["id"]
    assert all(o["created_by_ref"] == author["id"] for o in objects(bundle, "note", "casebook-claim"))


def test_entities_places_and_aliases(bundle: dict):
    identities = {o["name"]: o for o in objects(bundle, "identity")}
    assert identities["Kirill Logvinov"]["identity_class"] == "individual"
    assert identities["European Commission"]["identity_class"] == "organization"
    extension = objects(bundle, "extension-definition")[0]["id"]
    assert identities["Kirill Logvinov"]["extensions"][extension]["aliases"] == [
        "Logvinov", "Кирилл Логвинов", "Логвинов"]
    locations = {o["name"]: o for o in objects(bundle, "location")}
    assert (locations["Belgium"]["country"], locations["Belgium"]["region"]) == ("BE", "western-europe")
    assert (locations["Brussels"]["country"], locations["Russia"]["country"]) == ("BE", "RU")
    assert "Regentlaan" not in locations and "Crimea" not in locations  # no country to say
    documents = [o["abstract"] for o in objects(bundle, "note", "casebook-document")]
    assert "Document: Tanks for Kidneys" in documents


def test_events_are_dated_notes_on_who_took_part(bundle: dict):
    events = {o["abstract"]: o for o in objects(bundle, "note", "casebook-event")}
    berlin = events["Event, 2010–2014: Logvinov posted to Berlin"]
    assert {"date-precision:year", "date-start:2010", "date-end:2014"} <= set(berlin["labels"])
    people = {o["id"]: o["name"] for o in objects(bundle, "identity")}
    assert "Kirill Logvinov" in {people.get(ref) for ref in berlin["object_refs"]}
    assert "Event, 1990s: Logvinov graduates from MGIMO" in events
    reported = events["Event, March 2022: Barring of Russian diplomats from the Parliament reported"]
    assert "“Logvinov is known for lavish dinners”" in reported["content"]


def test_claims_keep_statement_claimant_and_every_quote(bundle: dict, worked_case_file: Path):  # noqa: F811
    claims = objects(bundle, "note", "casebook-claim")
    assert len(claims) == 61
    claim = next(n for n in claims if "cannot expel its head alone" in n["content"])
    assert "authors" not in claim  # the claimant is not the author of the analyst's note
    assert "Claimed by: A Belgian official (anonymous)" in claim["content"]
    assert "- supports: “« Nous suivons" in claim["content"]
    assert claim["external_references"][0]["url"].startswith("https://www.brussels-observer.example/")
    with db.open_case(worked_case_file, read_only=True) as case:
        quotes = case.scalar("SELECT count(*) FROM claim_excerpts")
    assert sum(len(n.get("external_references", [])) for n in claims) == quotes


def test_marks_are_opinions_on_the_claim_and_what_it_is_about(bundle: dict):
    claim = next(n for n in objects(bundle, "note", "casebook-claim") if "cannot expel" in n["content"])
    on_it = [o for o in objects(bundle, "opinion") if o["object_refs"][0] == claim["id"]]
    # ana agrees; bruno's "neutral" was withdrawn (his mark back to unreviewed): revoked, said so.
    assert [(o["authors"], o["opinion"], o.get("revoked", False)) for o in on_it] == [
        (["ana"], "agree", False), (["bruno"], "neutral", True)]
    assert on_it[0]["explanation"] == "Matches the ministry's line."
    assert on_it[1]["explanation"].startswith("Withdrawn by bruno on 2026-11-26. Their note: One anonymous")
    assert on_it[0]["object_refs"][1:] == claim["object_refs"]
    assert any(o["authors"] == ["chloé"] and o["opinion"] == "disagree" for o in objects(bundle, "opinion"))
    assert set(OPINIONS.values()) == {"agree", "neutral", "disagree"}
    (remark,) = objects(bundle, "note", "casebook-annotation-note")
    assert remark["content"] == "Asked the desk for the second source." and remark["authors"] == ["ana"]


# -- through misp-stix, into MISP ---------------------------------------------


@pytest.fixture(scope="module")
def misp_event(bundle: dict):
    parser = ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(stix2.parse(bundle, allow_custom=True))
    parser.parse_stix_bundle()
    return parser.misp_event


def analyst_data(event, kind: str) -> list:
    layers = [event, *event.attributes, *event.objects, *(a for o in event.objects for a in o.attributes)]
    return [item for layer in layers for item in getattr(layer, kind, [])]


def test_misp_keeps_every_opinion(bundle: dict, misp_event):
    kept = Counter((o.authors, o.comment) for o in analyst_data(misp_event, "opinions"))
    for opinion in objects(bundle, "opinion"):
        assert kept[(", ".join(opinion["authors"]), opinion.get("explanation", ""))], opinion
    # misp-stix's scale: agree 75, neutral 50, disagree 25.
    assert {int(o.opinion) for o in analyst_data(misp_event, "opinions")} == {25, 50, 75}


def test_misp_keeps_every_note_and_quote(bundle: dict, misp_event, worked_case_file: Path):  # noqa: F811
    kept = {note.note for note in analyst_data(misp_event, "notes")}
    for note in objects(bundle, "note"):
        assert note["content"] in kept, note["abstract"]
    with db.open_case(worked_case_file, read_only=True) as case:
        quotes = [row[0] for row in case.rows(
            "SELECT x.text FROM claim_excerpts c JOIN excerpts x ON x.id = c.excerpt_id")]
    text = "\n".join(kept)
    assert all(f"“{quote}”" in text for quote in quotes)
    authors = {note.authors for note in analyst_data(misp_event, "notes") if getattr(note, "authors", None)}
    assert "A Belgian official (anonymous)" not in authors  # a claimant is never shown as a note's author


def test_ids_are_deterministic(bundle: dict, worked_case_file: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "again.json"
    assert run_cli("export", worked_case_file, "-f", "stix", "-o", out).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == bundle
    assert stix_id("note", "x") == stix_id("note", "x") != stix_id("note", "y")


def test_relationships_are_stix_relationships_with_their_evidence_and_marks(
        bundle: dict, worked_case_file: Path):  # noqa: F811
    by_id = {o["id"]: o for o in bundle["objects"]}
    ties = objects(bundle, "relationship")
    with db.open_case(worked_case_file, read_only=True) as case:
        live = case.scalar("SELECT count(*) FROM relationships WHERE retired = 0")
        marked = case.scalar("SELECT count(*) FROM relationship_annotations WHERE kind = 'mark' "
                             "AND status != 'unreviewed'")
    # a tie to a place STIX has no location for, or to a document, is left out
    assert 40 <= len(ties) <= live
    for tie in ties:
        assert tie["relationship_type"] in ("related-to", "located-at")
        assert by_id[tie["source_ref"]]["type"] in ("identity", "location")
        assert by_id[tie["target_ref"]]["type"] in ("identity", "location")
        assert "casebook-relationship" in tie["labels"]
        if tie["relationship_type"] == "located-at":
            assert "casebook-type:located_in" in tie["labels"]
            assert by_id[tie["target_ref"]]["type"] == "location"
    lead = next(t for t in ties if t["description"].startswith(
        "Kirill Logvinov leads Russian Permanent Mission to the EU (head of mission"))
    assert lead["start_time"] == "2022-09-27T00:00:00.000Z" and "stop_time" not in lead
    assert "date-start:2022-09-27" in lead["labels"]
    assert any("Logvinov became the head" in r["description"] for r in lead["external_references"])
    # month, year and decade dates are labels only: no day is invented
    assert all(len(t["labels"][-1]) > 0 for t in ties)
    assert all("start_time" not in t for t in ties
               if not any(label.startswith("date-start:") and len(label) == 21
                          for label in t["labels"]))
    opinions = [o for o in objects(bundle, "opinion")
                if o["object_refs"][0].startswith("relationship--")]
    assert 1 <= len(opinions) <= marked
    for opinion in opinions:
        tie = by_id[opinion["object_refs"][0]]
        assert opinion["object_refs"][1:] == [tie["source_ref"], tie["target_ref"]]
