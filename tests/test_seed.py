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
                    "SELECT value FROM case_meta WHERE key = 'case_uid'"):
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
    for section in ("entities", "events", "claims"):
        keys = [item["key"] for item in raw[section]]
        assert len(keys) == len(set(keys)), section
