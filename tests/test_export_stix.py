"""export --format stix: a STIX 2.1 bundle, checked field by field and by the
OASIS stix2 library."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
import stix2

from conftest import run_cli
from db.exports.stix import OPINIONS
from worked_case import worked_case_file  # noqa: F401  (fixture)

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,}Z")  # millisecond precision or finer
REQUIRED = {
    "identity": {"name"},
    "note": {"content", "object_refs"},
    "opinion": {"opinion", "object_refs"},
    "report": {"name", "published", "object_refs"},
}


@pytest.fixture(scope="module")
def bundle(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:  # noqa: F811
    out = tmp_path_factory.mktemp("stix") / "bundle.json"
    result = run_cli("export", worked_case_file, "--format", "stix", "-o", out)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_bundle_and_its_objects_have_the_required_properties(bundle: dict):
    assert bundle["type"] == "bundle" and "spec_version" not in bundle
    assert uuid.UUID(bundle["id"].removeprefix("bundle--"))
    for obj in bundle["objects"]:
        kind = obj["type"]
        assert obj["spec_version"] == "2.1"
        prefix, _, value = obj["id"].partition("--")
        assert prefix == kind and uuid.UUID(value).version in (4, 5)
        assert TIMESTAMP.fullmatch(obj["created"]) and TIMESTAMP.fullmatch(obj["modified"])
        assert obj["modified"] >= obj["created"]
        assert REQUIRED[kind] <= set(obj), kind
        if "object_refs" in obj:
            assert obj["object_refs"] and all(isinstance(ref, str) for ref in obj["object_refs"])


def test_the_stix2_library_parses_it_strictly(bundle: dict):
    parsed = stix2.parse(bundle, allow_custom=False)
    assert len(parsed.objects) == len(bundle["objects"])


def test_references_resolve(bundle: dict):
    ids = {obj["id"] for obj in bundle["objects"]}
    for obj in bundle["objects"]:
        for ref in obj.get("object_refs", []):
            assert ref in ids, (obj["id"], ref)


def test_claims_are_notes_and_marks_are_opinions(bundle: dict):
    notes = [o for o in bundle["objects"] if o["type"] == "note" and "casebook-claim" in o["labels"]]
    assert len(notes) == 61
    note = next(n for n in notes if "cannot expel its head alone" in n["content"])
    assert note["authors"] == ["A Belgian official (anonymous)"]
    assert note["external_references"][0]["description"].startswith("supports: “« Nous suivons")
    assert note["external_references"][0]["url"].startswith("https://www.brussels-observer.example/")
    opinions = [o for o in bundle["objects"] if o["type"] == "opinion" and o["object_refs"] == [note["id"]]]
    # ana agrees; bruno's "neutral" is revoked by his undo, as a newer version of the same opinion.
    assert [(o["authors"], o["opinion"], o.get("revoked", False)) for o in opinions] == [
        (["ana"], "agree", False), (["bruno"], "neutral", False), (["bruno"], "neutral", True)]
    assert opinions[1]["id"] == opinions[2]["id"] and opinions[2]["modified"] > opinions[1]["modified"]
    assert opinions[0]["explanation"] == "Matches the ministry's line."
    denied = [o for o in bundle["objects"] if o["type"] == "opinion" and o["opinion"] == "disagree"]
    assert any(o["authors"] == ["chloé"] for o in denied)
    assert set(OPINIONS.values()) == {"agree", "neutral", "disagree"}


def test_notes_and_undos_of_annotators(bundle: dict):
    (remark,) = [o for o in bundle["objects"] if o["type"] == "note"
                 and "casebook-annotation-note" in o.get("labels", [])]
    assert remark["content"] == "Asked the desk for the second source." and remark["authors"] == ["ana"]
    # ana's confirmation of claim 4, then her undo: the opinion, then its revoked version.
    agreed = [o for o in bundle["objects"] if o["type"] == "opinion" and o["authors"] == ["ana"]
              and o["opinion"] == "agree" and o["id"] != remark["id"]]
    revoked = [o for o in agreed if o.get("revoked")]
    assert len(revoked) == 1 and any(o["id"] == revoked[0]["id"] and not o.get("revoked") for o in agreed)


def test_identities_and_the_report(bundle: dict):
    identities = {o["name"]: o for o in bundle["objects"] if o["type"] == "identity"}
    assert identities["Kirill Logvinov"]["identity_class"] == "individual"
    assert identities["European Commission"]["identity_class"] == "organization"
    assert "Brussels" not in identities  # places have no STIX identity
    (report,) = [o for o in bundle["objects"] if o["type"] == "report"]
    assert report["name"] == "Russian and Chinese intelligence in Brussels"
    assert set(report["object_refs"]) == {o["id"] for o in bundle["objects"] if o["type"] != "report"}


def test_ids_are_deterministic(bundle: dict, worked_case_file: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "again.json"
    assert run_cli("export", worked_case_file, "-f", "stix", "-o", out).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == bundle
    claim_note = stix2.parse(bundle)["objects"]
    assert claim_note
