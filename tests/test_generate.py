"""The large-case generator: shape, determinism, a valid case, and the command."""

from __future__ import annotations

import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli

import db
from db.check import check_case
from db.claims import claim_history, claims_page
from db.events import timeline_page
from db.generate import generate_case
from db.search import search
from db.sources import add_source, get_source
from db.text import fold

SMALL = 2_000


@pytest.fixture(scope="session")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated case of 2,000 excerpts, built once per session. Do not modify it."""
    path = tmp_path_factory.mktemp("generated") / "small.casebook"
    generate_case(path, excerpts=SMALL, seed=7)
    return path


@pytest.fixture
def generated(generated_file: Path):
    with db.open_case(generated_file, read_only=True) as case:
        yield case


def table_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every case table (not the search indexes, nor the migration log's times)."""
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' "
            "AND name NOT LIKE 'sqlite_%' AND name <> '_sqlite_migrations' ORDER BY name")]
        order = {t: "1, 2" if len(conn.execute(f'SELECT * FROM "{t}" LIMIT 0').description) > 1 else "1"
                 for t in tables}
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY {order[t]}').fetchall() for t in tables}
    finally:
        conn.close()


def test_counts_follow_the_excerpts(generated):
    counts = db.counts(generated)
    assert counts.excerpts == SMALL
    assert counts.entities == SMALL // 10 and counts.events == SMALL // 10
    assert counts.claims == SMALL // 20
    assert 0 < counts.annotations < 3 * counts.claims
    assert counts.sources >= SMALL // 115


def test_sources_are_a_few_thousand_words_split_into_paragraphs(generated):
    sources = generated.rows("SELECT id FROM sources ORDER BY id")
    for row in sources[:-1]:  # the last one takes what is left
        words = len(get_source(generated, row["id"]).text.split())
        assert 1_000 <= words <= 8_000, words
    per_source = generated.rows("SELECT count(*) FROM excerpts GROUP BY source_id")
    assert all(count[0] <= 115 for count in per_source)


def test_the_generated_file_is_packed(generated):
    assert generated.scalar("PRAGMA freelist_count") == 0


def test_the_case_checks_ok(generated):
    report = check_case(generated)
    assert report.ok, report.problems
    assert report.excerpts == SMALL


def test_names_have_diacritics_aliases_and_kinds(generated):
    names = [row[0] for row in generated.rows("SELECT name FROM entities")]
    assert sum(fold(name) != name.lower() for name in names) > len(names) // 5
    kinds = dict(generated.rows("SELECT kind, count(*) FROM entities GROUP BY kind"))
    assert kinds["person"] > kinds["organization"] > kinds["place"] > 0
    assert generated.scalar("SELECT count(DISTINCT entity_id) FROM entity_aliases") > len(names) // 2


def test_linked_excerpts_really_mention_their_entities(generated):
    links = generated.rows(
        "SELECT x.text, e.name, (SELECT group_concat(alias, char(31)) FROM entity_aliases a "
        "WHERE a.entity_id = e.id) AS aliases FROM excerpt_entities l "
        "JOIN excerpts x ON x.id = l.excerpt_id JOIN entities e ON e.id = l.entity_id"
    )
    assert len(links) > SMALL // 2
    for link in links:
        forms = [link["name"], *(link["aliases"] or "").split("\x1f")]
        assert any(form and form in link["text"] for form in forms), (link["text"], forms)


def test_a_few_entities_are_everywhere_and_most_are_rare(generated):
    per_entity = [row[0] for row in generated.rows(
        "SELECT count(*) FROM excerpt_entities GROUP BY entity_id ORDER BY 1 DESC")]
    assert per_entity[0] > 20 * per_entity[len(per_entity) // 2]


def test_events_keep_dates_at_their_precision(generated):
    events = timeline_page(generated, offset=0, limit=SMALL)  # validated by the Event model
    precisions = {event.date_precision for event in events}
    assert precisions == {"day", "month", "year", "decade", "unknown"}
    assert any(event.date_end for event in events)
    assert generated.scalar("SELECT count(*) FROM event_entities") >= len(events)
    assert generated.scalar("SELECT count(*) FROM event_excerpts") >= len(events)


def test_a_claims_status_is_its_latest_mark(generated):
    claims = claims_page(generated, offset=0, limit=SMALL)
    statuses = {claim.status for claim in claims}
    assert statuses == {"unreviewed", "confirmed", "disputed", "denied"}
    for claim in claims:
        history = claim_history(generated, claim.id)
        assert claim.version == len(history)
        assert claim.status == (history[-1].status if history else "unreviewed")
        previous = "unreviewed"
        for mark in history:
            assert mark.previous_status == previous
            previous = mark.status
    assert generated.scalar("SELECT count(*) FROM claim_excerpts") >= len(claims)


def test_search_finds_a_name_typed_without_diacritics(generated):
    name = generated.scalar(
        "SELECT e.name FROM entities e JOIN excerpt_entities l ON l.entity_id = e.id "
        "WHERE e.kind = 'person' AND e.name <> e.sort_name GROUP BY e.id "
        "ORDER BY count(*) DESC, e.id LIMIT 1"
    )
    typed = fold(name)
    assert typed != name.lower()
    results = search(generated, typed, limit=50)
    entities = next(group for group in results.groups if group.kind == "entity")
    assert name in [hit.title for hit in entities.hits]
    excerpts = next(group for group in results.groups if group.kind == "excerpt")
    assert excerpts.total > 0


def test_the_same_seed_gives_the_same_case(generated_file: Path, tmp_path: Path):
    again = tmp_path / "again.casebook"
    generate_case(again, excerpts=SMALL, seed=7)
    assert table_rows(again) == table_rows(generated_file)
    other = tmp_path / "other.casebook"
    generate_case(other, excerpts=SMALL, seed=8)
    assert table_rows(other)["excerpts"] != table_rows(generated_file)["excerpts"]


def test_a_generated_case_stays_searchable_as_it_grows(tmp_path: Path):
    """Bulk loading suspends the search triggers; they must be back afterwards."""
    path = tmp_path / "grow.casebook"
    generate_case(path, excerpts=300)
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA journal_mode") == "wal"
        assert case.scalar("PRAGMA synchronous") == 2  # FULL
        add_source(case, text="A zanzibarite ledger.\nSecond paragraph.", title="New")
        assert search(case, "zanzibarite", kinds=["excerpt"]).groups[0].total == 1
        case.conn.execute("INSERT INTO entity_aliases VALUES (1, 'Quuxworth')")
        hits = search(case, "quuxworth", kinds=["entity"]).groups[0].hits
        assert [hit.id for hit in hits] == [1]
        assert check_case(case).ok


def test_an_interrupted_generation_leaves_nothing(tmp_path: Path):
    def interrupt(stage: str, done: int, total: int) -> None:
        if stage == "excerpts":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_case(tmp_path / "x.casebook", excerpts=500, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_generate_command(tmp_path: Path):
    path = tmp_path / "big.casebook"
    result = run_cli("generate", path, "--excerpts", "400", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "400 excerpts" in result.stdout and "40 entities" in result.stdout
    assert "search index" in result.stderr  # the progress bar
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    check = run_cli("check", path)
    assert check.returncode == 0 and "400 excerpts verified" in check.stdout


@pytest.mark.parametrize("args, message", [
    (["--excerpts", "0"], "0 is not in the range"),
    (["--excerpts", "-5"], "-5 is not in the range"),
    (["--excerpts", "many"], "not a valid integer"),
    ([], "Missing option '--excerpts'"),
])
def test_generate_refuses_a_bad_count(tmp_path: Path, args: list[str], message: str):
    assert_one_line_error(run_cli("generate", tmp_path / "x.casebook", *args), message)
    assert list(tmp_path.iterdir()) == []


def test_generate_refuses_an_existing_path_or_a_missing_directory(tmp_path: Path):
    existing = tmp_path / "mine.casebook"
    existing.write_text("mine")
    assert_one_line_error(run_cli("generate", existing, "--excerpts", "10"), "already exists")
    assert existing.read_text() == "mine"
    assert_one_line_error(run_cli("generate", tmp_path, "--excerpts", "10"), "is a directory")
    assert_one_line_error(run_cli("generate", tmp_path / "no" / "x.casebook", "--excerpts", "10"),
                          "no such directory")
    assert [p.name for p in tmp_path.iterdir()] == ["mine.casebook"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_generation_stopped_by_a_signal_leaves_nothing(tmp_path: Path, stop: signal.Signals):
    """kill, or an SSH session closing (SIGHUP), mid-way through a long build."""
    path = tmp_path / "big.casebook"
    process = subprocess.Popen([sys.executable, "-m", "casebook", "generate", path,
                                "--excerpts", "1000000"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60

    def part_size() -> int:
        parts = list(tmp_path.glob(".big.casebook.*.part"))
        return sum(p.stat().st_size for p in parts if p.exists())

    # Well into the build: the part file has rows in it, however busy the machine.
    while part_size() < 256 * 1024:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + stop
    assert err.strip().splitlines()[-1] == f"casebook: stopped ({stop.name})"
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_relationships_are_about_two_per_entity_sound_and_with_evidence(generated):
    from db.models import Relationship
    from db.relationships import relationships_page, shortest_paths

    counts = db.counts(generated)
    assert 1.8 * counts.entities <= counts.relationships <= 2 * counts.entities
    page = relationships_page(generated, limit=10_000)
    assert len(page) == counts.relationships
    for relationship in page:   # each one as the model (and add_relationship) would take it
        Relationship.model_validate(relationship.model_dump())
    assert generated.scalar("SELECT count(*) FROM relationships r WHERE NOT EXISTS (SELECT 1 "
                            "FROM relationship_excerpts x WHERE x.relationship_id = r.id)") == 0
    marked = generated.scalar("SELECT count(*) FROM relationships WHERE status != 'unreviewed'")
    assert marked == generated.scalar("SELECT count(*) FROM relationship_annotations") > 0
    types = {r.type for r in page}
    assert {"member_of", "employed_by", "associate", "located_in"} <= types
    # hubs: a few entities are in many ties, so most pairs are a few hops apart
    ends = [r.subject_entity_id for r in page] + [r.object_entity_id for r in page]
    assert max(ends.count(e) for e in set(ends)) > 20
    assert shortest_paths(generated, page[0].subject_entity_id, page[-1].object_entity_id,
                          max_hops=6)
