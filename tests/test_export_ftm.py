"""export --format ftm: FollowTheMoney entities, checked with followthemoney itself."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import run_cli
from followthemoney import model
from followthemoney.exc import InvalidData
from worked_case import worked_case_file  # noqa: F401  (fixture)

import db
from db.exports.ftm import TEXT_TOTAL_LIMIT, TEXT_VALUE_LIMIT, ftm_id, text_values
from db.sources import add_source, get_source


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
    result = subprocess.run([ftm, "validate", "-i", exported, "-o", validated], capture_output=True,
                            text=True)
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
                          "LegalEntity", "Mention", "Event", "Note", "Documentation", "UnknownLink",
                          "Membership", "Employment", "Directorship", "Associate",
                          "Representation"}
    named = {data["properties"].get("name", [""])[0]: data for data in entities
             if data["schema"] != "Mention"}
    assert named["Kirill Logvinov"]["schema"] == "Person"
    assert named["Kirill Logvinov"]["properties"]["alias"] == ["Logvinov", "Кирилл Логвинов", "Логвинов"]
    assert named["European Commission"]["schema"] == "PublicBody"
    assert named["Chinese Communist Party"]["schema"] == "Organization"
    assert named["TikTok"]["schema"] == "LegalEntity"
    article = next(d for d in entities if d["properties"].get("title") ==
                   ["Brussels remains a hub for Russian espionage, investigation finds"])
    assert article["schema"] == "Article"
    assert article["properties"]["publishedAt"] == ["2023-10-26"]
    assert article["properties"]["bodyText"][0].startswith("Before Russia's full-scale invasion")
    excerpts = {d["id"] for d in entities if d["properties"].get("proof") == [article["id"]]
                and "casebook excerpt" in d["properties"].get("keywords", [])}
    mentions = [d for d in entities
                if d["schema"] == "Mention" and d["properties"]["document"][0] in excerpts]
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


# -- the evidence structure -------------------------------------------------------


def by_id(entities: list[dict]) -> dict[str, dict]:
    return {data["id"]: data for data in entities}


def keyword(data: dict, prefix: str) -> str:
    return next(k.removeprefix(prefix) for k in data["properties"]["keywords"] if k.startswith(prefix))


def test_excerpts_keep_their_text_and_offsets(entities: list[dict], worked_case_file: Path):  # noqa: F811
    found = by_id(entities)
    excerpts = [d for d in entities if "casebook excerpt" in d["properties"].get("keywords", [])]
    with db.open_case(worked_case_file, read_only=True) as case:
        assert len(excerpts) == case.scalar("SELECT count(*) FROM excerpts")
        texts = {row["sha256"]: get_source(case, row["id"]).text
                 for row in case.rows("SELECT id, sha256 FROM sources")}
    sources = {ftm_id("source", sha): text for sha, text in texts.items()}
    for excerpt in excerpts:
        (source,) = excerpt["properties"]["proof"]
        assert found[source]["schema"] in ("Article", "PlainText")
        start, end = int(keyword(excerpt, "offset-start:")), int(keyword(excerpt, "offset-end:"))
        assert sources[source][start:end].strip() == excerpt["properties"]["bodyText"][0]
        assert f"characters {start}–{end}" in excerpt["properties"]["title"][0]


def test_mentions_are_per_excerpt(entities: list[dict], worked_case_file: Path):  # noqa: F811
    with db.open_case(worked_case_file, read_only=True) as case:
        links = case.scalar("SELECT count(*) FROM excerpt_entities")
    assert len([d for d in entities if d["schema"] == "Mention"]) == links


def test_each_evidence_link_keeps_its_stance(entities: list[dict], worked_case_file: Path):  # noqa: F811
    found = by_id(entities)
    documentation = [d for d in entities if d["schema"] == "Documentation"]
    with db.open_case(worked_case_file, read_only=True) as case:
        stances = Counter(row[0] for row in case.rows("SELECT stance FROM claim_excerpts"))
        event_evidence = case.scalar("SELECT count(*) FROM event_excerpts")
    roles = Counter(d["properties"]["role"][0] for d in documentation)
    assert roles == {**stances, "evidence": event_evidence}
    assert roles["contradicts"] > 0  # contradicting evidence no longer reads as support
    for link in documentation:
        (document,), (target,) = link["properties"]["document"], link["properties"]["entity"]
        assert "casebook excerpt" in found[document]["properties"]["keywords"]
        assert found[target]["schema"] in ("Note", "Event")


def test_claimants_are_links_and_marks_say_who_and_what(entities: list[dict]):
    found = by_id(entities)
    claimants = [d for d in entities if d["schema"] == "UnknownLink"
                 and "recordId" not in d["properties"]]   # (relationships have one)
    assert claimants and all(d["properties"]["role"] == ["claimant"] for d in claimants)
    vsquare = [d for d in claimants
               if found[d["properties"]["subject"][0]]["properties"]["name"] == ["VSquare"]]
    assert vsquare and found[vsquare[0]["properties"]["object"][0]]["schema"] == "Note"
    marks = [d for d in entities if d["schema"] == "Note" and "casebook mark" in d["properties"]["keywords"]]
    ana = next(m for m in marks if "Matches the ministry's line." in m["properties"]["description"][0])
    assert ana["properties"]["publisher"] == ["ana"]
    assert {"annotator:ana", "status:confirmed", "previous-status:unreviewed"} <= \
        set(ana["properties"]["keywords"])


def test_places_keep_aliases_and_country(entities: list[dict]):
    places = {d["properties"]["full"][0]: d["properties"] for d in entities if d["schema"] == "Address"}
    assert places["Regentlaan"]["alias"] == ["Regentlaan Boulevard"]
    assert places["Belgium"]["country"] == ["be"] and "country" not in places["Regentlaan"]


def test_long_text_is_split_where_ftm_requires_and_urls_are_checked(tmp_path: Path):
    paragraph = "Logvinov hosted a reception in Brussels. " * 40
    text = "\n".join(f"{number}: {paragraph}" for number in range(120))  # about 200,000 characters
    path = tmp_path / "long.casebook"
    with db.create_case(path, title="Long") as case:
        add_source(case, text=text, title="A long source", url="javascript:alert(1)")
        add_source(case, text="Short.", title="Web", url="https://example.org/a page")
    out, validated = tmp_path / "long.json", tmp_path / "validated.json"
    assert run_cli("export", path, "-f", "ftm", "-o", out).returncode == 0
    ftm = Path(sys.executable).with_name("ftm")
    assert subprocess.run([ftm, "validate", "-i", out, "-o", validated], capture_output=True).returncode == 0
    for written in (out, validated):  # FtM's own reading keeps every piece
        sources = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()
                   if json.loads(line)["properties"].get("title") in (["A long source"], ["Web"])]
        body = sources[0]["properties"]["bodyText"]
        assert len(body) > 3 and all(len(value) <= TEXT_VALUE_LIMIT for value in body)
        # Joined with line ends they give the text back, but for the spaces FtM trims at the cuts.
        assert all(value in text for value in body) and "\n".join(body).split() == text.split()
        assert all("sourceUrl" not in s["properties"] for s in sources)  # javascript:, and a space


def test_text_past_ftms_limit_for_an_entity_is_cut_and_said():
    values, cut = text_values("x" * 100 + "\n" + "y" * (TEXT_TOTAL_LIMIT + 10))
    assert cut and sum(map(len, values)) <= TEXT_TOTAL_LIMIT and values[0] == "x" * 100 + "\n"
    assert all(len(value) <= TEXT_VALUE_LIMIT for value in values)
    assert text_values("short") == (["short"], False)


# -- relationships: FtM interval schemata ---------------------------------------------


def test_the_interval_ranges_are_followthemoneys():
    from db.exports.ftm import _IN_RANGE, _INTERVAL_RANGES, INTERVAL_ENDS

    for name, (source, target) in INTERVAL_ENDS.items():
        schema = model.get(name)
        assert schema is not None and schema.is_a(model.get("Interval")), name
        assert (schema.edge_source, schema.edge_target) == (source, target), name
        if name in _INTERVAL_RANGES:
            ranges = tuple(schema.properties[end].range.name for end in (source, target))
            assert ranges == _INTERVAL_RANGES[name], name
    for range_name, members in _IN_RANGE.items():
        assert {n for n in ("Person", "Organization", "PublicBody", "LegalEntity", "Address",
                            "Article") if model.get(n).is_a(model.get(range_name))} == members


def test_relationships_are_intervals_with_their_dates_role_status_and_evidence(
        entities: list[dict], worked_case_file: Path):  # noqa: F811
    ids = by_id(entities)
    intervals = [d for d in entities if model.get(d["schema"]).is_a(model.get("Interval"))
                 and "recordId" in d["properties"]]
    with db.open_case(worked_case_file, read_only=True) as case:
        live = case.scalar("SELECT count(*) FROM relationships WHERE retired = 0")
        uids = {row[0]: row for row in case.rows(
            "SELECT uid, id, type, role, status, date_start, start_precision, date_end, "
            "end_precision FROM relationships")}
        evidence = case.scalar("SELECT count(*) FROM relationship_excerpts")
    assert len(intervals) == live >= 40
    proofs = 0

    def name_of(ref: str) -> str:
        props = ids[ref]["properties"]
        return (props.get("name") or props.get("full"))[0]

    for interval in intervals:
        schema = model.get(interval["schema"])
        row = uids[interval["properties"]["recordId"][0]]
        source, target = (interval["properties"][schema.edge_source],
                          interval["properties"][schema.edge_target])
        assert len(source) == len(target) == 1
        assert all(ref in ids for ref in interval["properties"].get("proof", []))
        proofs += len(interval["properties"].get("proof", []))
        if row["status"] != "unreviewed" and "status" in schema.properties:
            assert interval["properties"]["status"] == [row["status"]]
    assert proofs == evidence
    leads = {(name_of(i["properties"]["director"][0]), name_of(i["properties"]["organization"][0])):
             i for i in intervals if i["schema"] == "Directorship"}
    logvinov = leads[("Kirill Logvinov", "Russian Permanent Mission to the EU")]["properties"]
    assert logvinov["role"] == ["head of mission"] and logvinov["startDate"] == ["2022-09-27"]
    assert "endDate" not in logvinov
    members = [i for i in intervals if i["schema"] == "Membership"]
    assert ("Arseniy Nedyak", "Russian Foreign Intelligence Service (SVR)") in {
        (name_of(i["properties"]["member"][0]), name_of(i["properties"]["organization"][0]))
        for i in members}
    # a decade is its first year to start with (MGIMO: graduated in the 1990s, an end)
    mgimo = next(i for i in intervals if i["schema"] == "UnknownLink" and
                 "Moscow State Institute" in name_of(i["properties"]["object"][0]))
    assert mgimo["properties"]["endDate"] == ["1999"] and mgimo["properties"]["role"] == ["graduate"]
    # a type FtM has no interval for (located in) is an UnknownLink saying it in words
    located = [i for i in intervals if i["properties"].get("role") == ["current rotation"]]
    assert [i["schema"] for i in located] == ["UnknownLink"]


def test_relationship_marks_are_notes_on_both_entities(entities: list[dict]):
    notes = [d for d in entities if d["schema"] == "Note" and
             any(k.startswith("casebook relationship ") for k in d["properties"]["keywords"])]
    assert notes, "the seed marks relationships"
    ids = by_id(entities)
    for note in notes:
        assert len(note["properties"]["entity"]) == 2
        assert all(ids[ref]["schema"] != "Note" for ref in note["properties"]["entity"])
        assert "the relationship “" in note["properties"]["description"][0]
