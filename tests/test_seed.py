"""The Brussels demo case: complete, honest, anchored, and rebuilt deterministically."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest

import db
from db.check import check_case
from db.claims import claim_evidence, claim_history
from db.events import timeline_page
from db.sources import list_sources
from seed.build import BRUSSELS, SEED_DIR, SeedError, build_case, load_definition

SHARED = Path(__file__).resolve().parents[2] / "shared" / "seed-documents"


def test_seed_sources_are_the_published_texts_unchanged(seed_case):
    definition = load_definition()
    for source, info in zip(definition.sources, list_sources(seed_case), strict=True):
        raw = (SEED_DIR / source.file).read_bytes()
        assert info.sha256 == hashlib.sha256(raw).hexdigest()
        if SHARED.is_dir():
            assert raw == (SHARED / Path(source.file).name).read_bytes()


def test_source_metadata_is_what_the_texts_give(seed_case):
    by_publisher = {s.publisher: s for s in list_sources(seed_case)}
    assert set(by_publisher) == {"Euromaidan Press", "The Epoch Times"}
    epoch = by_publisher["The Epoch Times"]
    assert epoch.title == "Chinese Spies Highly Active in EU’s Heartland: Report"
    assert epoch.author == "Hannah Ng" and epoch.published == "2023" and epoch.url == ""
    assert by_publisher["Euromaidan Press"].published == "2023"


def test_every_anchor_verifies(seed_case):
    report = check_case(seed_case)
    assert report.ok, report.problems
    assert report.excerpts == db.counts(seed_case).excerpts


def test_the_case_is_complete(seed_case):
    counts = db.counts(seed_case)
    assert counts.sources == 2
    assert counts.entities >= 50 and counts.events >= 20 and counts.claims >= 30
    kinds = {row[0] for row in seed_case.rows("SELECT DISTINCT kind FROM entities")}
    assert {"person", "organization", "place"} <= kinds
    # Each source is also split into paragraphs, so it can be read whole.
    paragraphs = seed_case.scalar("SELECT count(*) FROM excerpts WHERE kind = 'paragraph'")
    assert paragraphs > 80


def test_every_claim_cites_verbatim_evidence(seed_case):
    for (claim_id,) in seed_case.rows("SELECT id FROM claims"):
        evidence = claim_evidence(seed_case, claim_id)
        assert evidence, claim_id
        for item in evidence:
            assert item.excerpt.text.strip() and item.source_title


def test_seeded_stances_are_marked_by_seed_with_a_reason(seed_case):
    definition = {c.statement: c for c in load_definition().claims}
    seeded = 0
    for row in seed_case.rows("SELECT id, statement, status FROM claims"):
        history = claim_history(seed_case, row["id"])
        curated = definition[row["statement"]]
        if curated.seed_status:
            seeded += 1
            assert [(a.annotator, a.status) for a in history] == [("seed", curated.seed_status)]
            assert history[0].note and row["status"] == curated.seed_status
        else:
            assert history == [] and row["status"] == "unreviewed"
    assert seeded >= 5


def test_dates_keep_the_precision_the_sources_give(seed_case):
    events = {e.title: e for e in timeline_page(seed_case, offset=0, limit=1000)}
    labels = {e.date_label for e in events.values()}
    assert "June 2023" in labels          # Uhrík at Logvinov's reception
    assert "1990s" in labels              # Logvinov graduates from MGIMO
    assert "2010–2014" in labels          # the Berlin posting
    assert "18 March 2022" in labels
    assert not any(label.startswith("1 January") for label in labels)


def test_timeline_is_in_date_order_the_undated_last(seed_case):
    from db.events import year_position

    events = timeline_page(seed_case, offset=0, limit=1000)
    keys = [(not e.date_start, e.date_start, e.date_end) for e in events]
    assert keys == sorted(keys)
    assert events[0].date_start and not events[-1].date_start
    # A range sorts by its start, then its end: 2022–2023 among the 2022s.
    ranges = [i for i, e in enumerate(events) if e.date_label == "2022–2023"]
    assert ranges and events[ranges[0] - 1].date_start <= "2022" <= events[ranges[-1] + 1].date_start
    assert events[year_position(seed_case, 2022)].date_start.startswith("2022")
    assert year_position(seed_case, 3000) == sum(1 for e in events if e.date_start) - 1
    assert year_position(seed_case, 1) == 0


def test_mentions_are_linked_folding_diacritics(seed_case):
    uhrik = seed_case.scalar("SELECT id FROM entities WHERE name = 'Milan Uhrík'")
    linked = seed_case.scalar("SELECT count(*) FROM excerpt_entities WHERE entity_id = ?", [uhrik])
    assert linked >= 2


def test_rebuilds_are_identical(tmp_path: Path, seed_case):
    path = tmp_path / "again.casebook"
    build_case(path)
    with db.open_case(path, read_only=True) as again:
        for sql in ("SELECT uid, statement FROM claims ORDER BY id",
                    "SELECT id, claim_id, status, note, created_at FROM annotations ORDER BY id",
                    'SELECT source_id, start, "end", kind FROM excerpts ORDER BY id',
                    "SELECT value FROM case_meta WHERE key = 'case_uid'",
                    "SELECT uid, type, date_start, date_end, created_at FROM relationships ORDER BY id",
                    "SELECT id, relationship_id, status FROM relationship_annotations ORDER BY id"):
            assert [tuple(r) for r in again.rows(sql)] == [tuple(r) for r in seed_case.rows(sql)]


def _definition_with(tmp_path: Path, old: str, new: str) -> Path:
    text = BRUSSELS.read_text(encoding="utf-8")
    assert old in text
    copy = tmp_path / "case.toml"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "sources").symlink_to(SEED_DIR / "sources")
    return copy


def test_a_quote_not_in_the_source_fails_naming_it(tmp_path: Path):
    definition = load_definition()
    quote = definition.claims[0].evidence[0].quote
    broken = _definition_with(tmp_path, f'quote = "{quote}"', 'quote = "Logvinov was seen in Paris"')
    out = tmp_path / "out.casebook"
    with pytest.raises(SeedError, match="not found verbatim.*Logvinov was seen in Paris"):
        build_case(out, broken)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml", "sources"]


def test_an_ambiguous_quote_fails_naming_it(tmp_path: Path):
    quote = load_definition().claims[0].evidence[0].quote
    broken = _definition_with(tmp_path, f'quote = "{quote}"', 'quote = "Logvinov"')
    with pytest.raises(SeedError, match="ambiguous.*'Logvinov'"):
        build_case(tmp_path / "out.casebook", broken)


def test_an_invented_day_is_refused(tmp_path: Path):
    broken = _definition_with(tmp_path, 'date_start = "2023-06"', 'date_start = "2023-06-01"')
    with pytest.raises(SeedError, match="precision"):
        build_case(tmp_path / "out.casebook", broken)


def test_the_definition_is_valid_toml_with_unique_keys():
    raw = tomllib.loads(BRUSSELS.read_text(encoding="utf-8"))
    for section in ("entities", "events", "claims", "relationships"):
        keys = [item["key"] for item in raw[section]]
        assert len(keys) == len(set(keys)), section


# -- relationships --------------------------------------------------------------


def test_the_case_has_its_relationships_each_with_verbatim_evidence(seed_case):
    from db.relationships import relationship_evidence, relationship_history, relationships_page
    ties = relationships_page(seed_case, limit=1000)
    assert len(ties) >= 40
    sources = {s.id: s for s in list_sources(seed_case)}
    for tie in ties:
        evidence = relationship_evidence(seed_case, tie.id)
        assert evidence, tie
        for item in evidence:
            text = seed_case.scalar("SELECT substr(text, ?, ?) FROM sources WHERE id = ?",
                                    [item.excerpt.start + 1, item.excerpt.end - item.excerpt.start,
                                     item.excerpt.source_id])
            assert text == item.excerpt.text and item.excerpt.source_id in sources
    names = {row["id"]: row["name"] for row in seed_case.rows("SELECT id, name FROM entities")}
    stated = {(names[t.subject_entity_id], t.type, names[t.object_entity_id]): t for t in ties}
    heads = stated[("Kirill Logvinov", "leads", "Russian Permanent Mission to the EU")]
    assert (heads.date_label, heads.role) == ("since 27 September 2022", "head of mission")
    assert stated[("Arseniy Nedyak", "member_of", "Russian Foreign Intelligence Service (SVR)")].role \
        == "lieutenant colonel"
    reception = stated[("Milan Uhrík", "associate", "Kirill Logvinov")]
    assert reception.status == "disputed" and reception.date_label == "June 2023"
    assert [(m.annotator, m.status) for m in relationship_history(seed_case, reception.id)] == \
        [("seed", "disputed")]
    assert {e.stance for e in relationship_evidence(seed_case, reception.id)} == {"supports", "contradicts"}
    assert stated[("Dmitry Vishnyakov", "other", "FSB academy")].date_label == "1998–2003"


def test_a_relationship_quote_not_in_the_source_fails_naming_it(tmp_path: Path):
    quote = load_definition().relationships[0].evidence[0].quote
    broken = _definition_with(tmp_path, f'quote = "{quote}"', 'quote = "Logvinov heads the GRU"')
    with pytest.raises(SeedError, match="relationship 'logvinov-heads-mission'.*Logvinov heads the GRU"):
        build_case(tmp_path / "out.casebook", broken)
    assert not (tmp_path / "out.casebook").exists()


def test_a_relationship_to_an_unknown_entity_or_with_an_invented_day_fails(tmp_path: Path):
    broken = _definition_with(tmp_path, 'subject = "kirill-logvinov"', 'subject = "kirill"')
    named = "relationship 'logvinov-heads-mission' names unknown entity 'kirill'"
    with pytest.raises(SeedError, match=named):
        load_definition(broken)
    again = tmp_path / "again"
    again.mkdir()
    broken = _definition_with(again, 'role = "head of mission"\nstart = "2022-09-27"',
                              'role = "head of mission"\nstart = "2022-09-31"')
    no_day = "relationship 'logvinov-heads-mission': start '2022-09-31' is not a date"
    with pytest.raises(SeedError, match=no_day):
        load_definition(broken)
