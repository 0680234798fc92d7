"""export --format ftm: FollowTheMoney entities, checked with followthemoney itself."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from followthemoney import model
from followthemoney.exc import InvalidData

from conftest import run_cli
from worked_case import worked_case_file  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def exported(worked_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("ftm") / "case.ftm.json"
    result = run_cli("export", worked_case_file, "--format", "ftm", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def entities(exported: Path) -> list[dict]:
    return [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]


def canonical(entity: dict) -> tuple:
    return entity["id"], entity["schema"], {k: sorted(v) for k, v in entity["properties"].items()}


def test_the_ftm_tool_validates_it_unchanged(exported: Path, entities: list[dict], tmp_path: Path):
    """``ftm validate`` (what Aleph and OpenSanctions pipelines run) re-parses
    every entity; what comes out is what went in."""
    validated = tmp_path / "validated.json"
    ftm = Path(sys.executable).with_name("ftm")
    result = subprocess.run([ftm, "validate", "-i", exported, "-o", validated], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    again = [json.loads(line) for line in validated.read_text(encoding="utf-8").splitlines()]
    assert [canonical(e) for e in again] == [canonical(e) for e in entities]


def test_every_line_is_a_valid_clean_followthemoney_entity(entities: list[dict]):
    for data in entities:
        assert set(data) == {"id", "schema", "properties"}
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract, data["schema"]
        try:
            schema.validate(data)
        except InvalidData as error:  # pragma: no cover - the message is the point
            pytest.fail(f"{data['schema']} {data['id']}: {error.errors}")
        missing = [name for name in schema.required if not data["properties"].get(name)]
        assert missing == [], (data["schema"], missing)
        proxy = model.get_proxy(data, cleaned=False)
        cleaned = proxy.to_dict()["properties"]
        for name, values in data["properties"].items():
            assert name in schema.properties, (data["schema"], name)
            assert all(isinstance(value, str) for value in values)
            # Already in FollowTheMoney's canonical form: cleaning changes nothing.
            assert sorted(cleaned.get(name, [])) == sorted(values), (data["schema"], name, values)


def test_references_point_at_entities_of_the_right_schema(entities: list[dict]):
    by_id = {data["id"]: data for data in entities}
    assert len(by_id) == len(entities)  # ids are unique
    checked = 0
    for data in entities:
        schema = model.get(data["schema"])
        for name, values in data["properties"].items():
            prop = schema.properties[name]
            if prop.type.name != "entity":
                continue
            for value in values:
                assert value in by_id, (data["schema"], name, value)
                assert model.get(by_id[value]["schema"]).is_a(prop.range), (name, by_id[value]["schema"])
                checked += 1
    assert checked > 300


def test_what_maps_to_what(entities: list[dict]):
    kinds = Counter(data["schema"] for data in entities)
    assert set(kinds) == {"Article", "PlainText", "Person", "Organization", "PublicBody", "Address",
                          "LegalEntity", "Mention", "Event", "Note"}
    named = {data["properties"].get("name", [""])[0]: data for data in entities if data["schema"] != "Mention"}
    assert named["Kirill Logvinov"]["schema"] == "Person"
    assert named["Kirill Logvinov"]["properties"]["alias"] == ["Logvinov"]
    assert named["European Commission"]["schema"] == "PublicBody"
    assert named["Chinese Communist Party"]["schema"] == "Organization"
    assert named["TikTok"]["schema"] == "LegalEntity"
    article = next(d for d in entities if d["properties"].get("title") ==
                   ["Brussels remains a hub for Russian espionage, investigation finds"])
    assert article["schema"] == "Article"
    assert article["properties"]["publishedAt"] == ["2023-10-26"]
    assert article["properties"]["bodyText"][0].startswith("Before Russia's full-scale invasion")
    mentions = [d for d in entities if d["schema"] == "Mention" and d["properties"]["document"] == [article["id"]]]
    assert {m["properties"]["name"][0] for m in mentions} >= {"Kirill Logvinov", "Milan Uhrík"}


def test_events_keep_their_precision(entities: list[dict]):
    events = {d["properties"]["name"][0]: d["properties"] for d in entities if d["schema"] == "Event"}
    mgimo = events["Logvinov graduates from MGIMO"]
    assert (mgimo["startDate"], mgimo["endDate"]) == (["1990"], ["1999"])
    berlin = events["Logvinov posted to Berlin"]
    assert (berlin["startDate"], berlin["endDate"]) == (["2010"], ["2014"])
    assert events["Barring of Russian diplomats from the Parliament reported"]["date"] == ["2022-03"]
    assert "date" not in events["Chizhov placed on the EU sanctions list"]


def test_claims_and_marks_are_notes(entities: list[dict]):
    notes = [d for d in entities if d["schema"] == "Note"]
    claims = [n for n in notes if "casebook claim" in n["properties"]["keywords"]]
    marks = [n for n in notes if "casebook mark" in n["properties"]["keywords"]]
    assert len(claims) == 61 and len(marks) >= 13
    claim = next(c for c in claims if "cannot expel its head alone" in c["properties"]["description"][0])
    assert claim["properties"]["summary"] == ["Claim unreviewed; claimed by A Belgian official (anonymous)"]
    on_it = [m["properties"]["description"][0] for m in marks if m["properties"]["entity"] == [claim["id"]]]
    assert on_it == ["ana marked it confirmed (was unreviewed): Matches the ministry's line.",
                     "bruno marked it disputed (was confirmed): One anonymous source.",
                     "bruno marked it unreviewed (was disputed): Undo: wrong claim."]
    kinds = {k for n in notes for k in n["properties"]["keywords"] if k.startswith("casebook ")}
    assert {"casebook note", "casebook undo"} <= kinds
