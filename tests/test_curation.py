"""db/curation.py and migration m006: uids for everything, revisions, retirements,
combined entities and likely duplicates, on real case files."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
import sqlite_utils
from old_cases import older_case, v5_case
from rapidfuzz import fuzz

import db
from db import curation, trust
from db.check import check_case
from db.entities import add_entity, get_entity, tagged_names
from db.errors import InvalidValueError, NotFoundError, NothingToUndoError, StaleRevisionError
from db.events import get_event
from db.schema import SCHEMA_VERSION, UID_TABLES, migrations
from db.search import search
from db.text import register_functions

# -- the migration ------------------------------------------------------------------




def _uids(path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        return {table: [row[0] for row in conn.execute(f"SELECT uid FROM {table} ORDER BY uid")]
                for table in UID_TABLES}
    finally:
        conn.close()


def test_an_older_case_gets_uids_two_copies_agree_on(tmp_path: Path):
    first, second = tmp_path / "a.casebook", tmp_path / "b.casebook"
    v5_case(first)
    shutil.copyfile(first, second)
    for path in (first, second):
        with db.open_case(path) as case:
            assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION == 13
            assert case.scalar("SELECT count(*) FROM entities WHERE version = 0 AND retired = 0") == 2
    assert any(p.name.startswith("a.casebook.v5-") for p in tmp_path.iterdir())  # backed up first
    uids = _uids(first)
    assert uids == _uids(second)                      # deterministic: the copies agree
    every = [uid for table in uids.values() for uid in table]
    assert len(every) == len(set(every)) == 8         # the two Logvinovs differ too
    assert all(uuid.UUID(uid).version == 5 for uid in every)
    with db.open_case(first) as case:                 # a new row gets a random one
        entity = add_entity(case, kind="person", name="Ann")
        assert uuid.UUID(get_entity(case, entity.id).uid).version == 4


def test_every_item_of_a_new_case_has_a_uid(seed_case):
    for table in UID_TABLES:
        assert seed_case.scalar(f"SELECT count(*) FROM {table} WHERE uid = ''") == 0, table
        assert seed_case.scalar(f"SELECT count(*) FROM {table}") == \
            seed_case.scalar(f"SELECT count(DISTINCT uid) FROM {table}")


# -- revising ---------------------------------------------------------------------------


@pytest.fixture
def case(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as opened:
        yield opened


def _entity_named(case: db.Case, name: str) -> int:
    return int(case.scalar("SELECT id FROM entities WHERE name = ?", [name]))


def test_a_revision_changes_fields_on_the_record(case):
    entity_id = _entity_named(case, "Kirill Logvinov")
    before = get_entity(case, entity_id)
    revision = curation.revise(case, "entity", entity_id,
                               {"name": "Kirill V. Logvinov", "aliases": "Logvinov|K. Logvinov"},
                               annotator="ana", expected_version=before.version, note="full name")
    after = get_entity(case, entity_id)
    assert after.name == "Kirill V. Logvinov" and set(after.aliases) == {"Logvinov", "K. Logvinov"}
    assert after.version == before.version + 1 == revision.version
    assert revision.fields == {"name": ("Kirill Logvinov", "Kirill V. Logvinov"),
                               # held with their language tags, as the form shows them
                               "aliases": (tagged_names(before), ["Logvinov", "K. Logvinov"])}
    assert "Логвинов@ru" in tagged_names(before)
    history = curation.revisions(case, kind="entity", item_uid=after.uid)
    assert [(r.annotator, r.note) for r in history] == [("ana", "full name")]
    # search and the folded name follow
    hits = search(case, "logvinov", kinds=["entity"]).groups[0]
    assert entity_id in [hit.id for hit in hits.hits]
    assert case.scalar("SELECT sort_name FROM entities WHERE id = ?", [entity_id]) == "kirill v. logvinov"



def test_a_revision_of_aliases_writes_only_those_that_go_or_come(tmp_path: Path):
    """Each alias row written re-indexes the entity for search (a new index
    segment), so the unchanged aliases are left alone; search, the language
    tags and check follow all the same."""
    with db.create_case(tmp_path / "c.casebook", title="t") as case:
        entity = add_entity(case, kind="person", name="Jan Novák",
                            aliases=["Honza", "Staatsveiligheid@nl", "Johnny"])
        written: list[str] = []
        case.conn.set_trace_callback(written.append)
        curation.revise(case, "entity", entity.id or 0,
                        {"aliases": "Staatsveiligheid@nl|Johnny|Jean@fr"}, annotator="ana")
        case.conn.set_trace_callback(None)
        # (the trace repeats a statement for each statement its triggers run)
        alias_writes = [sql for sql in dict.fromkeys(written)
                        if sql.startswith(("INSERT OR IGNORE INTO entity_aliases",
                                           "DELETE FROM entity_aliases"))]
        assert alias_writes == [
            "DELETE FROM entity_aliases WHERE entity_id = 1 AND alias = 'Honza'",
            "INSERT OR IGNORE INTO entity_aliases (entity_id, alias) VALUES (1, 'Jean')"]
        after = get_entity(case, entity.id or 0)
        assert set(after.aliases) == {"Staatsveiligheid", "Johnny", "Jean"}
        assert dict(after.languages) == {"Staatsveiligheid": "nl", "Jean": "fr"}
        assert search(case, "honza", kinds=["entity"]).groups[0].total == 0
        assert search(case, "jean", kinds=["entity"]).groups[0].total == 1
        assert search(case, "johnny", kinds=["entity"]).groups[0].total == 1
        assert check_case(case).ok

def test_a_stale_revision_is_refused_saying_who_changed_what(case):
    event_id = int(case.scalar("SELECT min(id) FROM events"))
    version = get_event(case, event_id).version
    curation.revise(case, "event", event_id, {"title": "Renamed"}, annotator="ana",
                    expected_version=version)
    with pytest.raises(StaleRevisionError, match=r"ana revised title .*you saw version") as error:
        curation.revise(case, "event", event_id, {"description": "mine"}, annotator="ben",
                        expected_version=version)
    assert error.value.who == "ana" and error.value.current_version == version + 1
    assert get_event(case, event_id).description != "mine"


@pytest.mark.parametrize("kind, changes, message", [
    ("entity", {"colour": "red"}, "an entity has no field 'colour' to revise"),
    ("entity", {"kind": "dragon"}, "kind"),
    ("event", {"date_precision": "day", "date_start": "2023"}, "does not match precision"),
    ("event", {"title": "  "}, "an event needs a title"),
    ("excerpt", {"text": "x"}, "cannot be revised"),
    ("claim", {}, "nothing to change"),
])
def test_bad_revisions_are_refused_and_write_nothing(case, kind, changes, message):
    item_id = int(case.scalar(f"SELECT min(id) FROM {db.kinds.item_kind(kind).table}"))
    before = case.scalar("SELECT count(*) FROM revisions")
    with pytest.raises(InvalidValueError, match=message):
        curation.revise(case, kind, item_id, changes, annotator="ana")
    assert case.scalar("SELECT count(*) FROM revisions") == before


def test_an_unknown_item_is_refused(case):
    with pytest.raises(NotFoundError, match="no claim 9999"):
        curation.revise(case, "claim", 9999, {"statement": "x"}, annotator="ana")
    with pytest.raises(InvalidValueError, match="unknown kind 'thing'"):
        curation.revise(case, "thing", 1, {"statement": "x"}, annotator="ana")


def test_undo_takes_back_ones_own_latest_revision_only(case):
    claim_id = int(case.scalar("SELECT min(id) FROM claims"))
    statement = case.scalar("SELECT statement FROM claims WHERE id = ?", [claim_id])
    curation.revise(case, "claim", claim_id, {"statement": "Reworded."}, annotator="ana")
    with pytest.raises(NothingToUndoError, match="by ana"):
        curation.undo_own_latest_revision(case, "claim", claim_id, annotator="ben")
    undo = curation.undo_own_latest_revision(case, "claim", claim_id, annotator="ana")
    assert case.scalar("SELECT statement FROM claims WHERE id = ?", [claim_id]) == statement
    assert undo.undoes and undo.fields == {"statement": ("Reworded.", statement)}
    with pytest.raises(NothingToUndoError, match="each of its revisions is undone already"):
        curation.undo_own_latest_revision(case, "claim", claim_id, annotator="ana")
    with pytest.raises(NothingToUndoError, match="no revisions"):
        curation.undo_own_latest_revision(case, "claim", claim_id + 1, annotator="ana")


def test_concurrent_revisions_from_two_processes_never_lose_one(seed_case_copy: Path):
    """Two writers on one file, each revising against the version it read: one
    wins, the other is told, and both revisions of distinct fields land when retried."""
    errors: list[Exception] = []

    def edit(field: str, value: str, who: str) -> None:
        with db.open_case(seed_case_copy) as mine:
            for _ in range(20):
                version = get_event(mine, 1).version
                try:
                    curation.revise(mine, "event", 1, {field: value}, annotator=who,
                                    expected_version=version)
                    return
                except StaleRevisionError:
                    continue
                except Exception as error:   # anything else is a failure of the test
                    errors.append(error)
                    return

    threads = [threading.Thread(target=edit, args=("title", "T", "ana")),
               threading.Thread(target=edit, args=("description", "D", "ben"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.open_case(seed_case_copy) as case:
        event = get_event(case, 1)
        assert (event.title, event.description) == ("T", "D")
        assert {r.annotator for r in curation.revisions(case, kind="event", item_uid=event.uid)} \
            == {"ana", "ben"}


# -- retiring ------------------------------------------------------------------------------


def test_retire_and_restore_keep_the_item_and_its_links(case):
    entity_id = _entity_named(case, "Kirill Logvinov")
    links = case.scalar("SELECT count(*) FROM excerpt_entities WHERE entity_id = ?", [entity_id])
    with pytest.raises(InvalidValueError, match="needs a reason"):
        curation.retire(case, "entity", entity_id, reason=" ", annotator="ana")
    curation.retire(case, "entity", entity_id, reason="duplicate", annotator="ana")
    assert curation.is_retired(case, "entity", entity_id)
    assert case.scalar("SELECT count(*) FROM excerpt_entities WHERE entity_id = ?", [entity_id]) == links
    with pytest.raises(InvalidValueError, match="is retired"):
        curation.revise(case, "entity", entity_id, {"description": "x"}, annotator="ana")
    with pytest.raises(InvalidValueError, match="already retired"):
        curation.retire(case, "entity", entity_id, reason="again", annotator="ana")
    curation.restore(case, "entity", entity_id, annotator="ben")
    assert not curation.is_retired(case, "entity", entity_id)
    state = curation.item_state(case, "entity", entity_id)
    assert [(r.retired, r.annotator, r.reason) for r in state.retirements] == [
        (True, "ana", "duplicate"), (False, "ben", "")]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with case.write() as tx:
            tx.execute("DELETE FROM retirements")


def test_an_excerpt_can_be_retired(case):
    curation.retire(case, "excerpt", 1, reason="page debris", annotator="ana")
    assert curation.is_retired(case, "excerpt", 1)


# -- combining --------------------------------------------------------------------------------


def test_combine_moves_names_and_links_and_uncombine_restores_exactly(case):
    kept = add_entity(case, kind="person", name="K. Logvinov", aliases=["Kirill"])
    absorbed_id = _entity_named(case, "Kirill Logvinov")

    def links(entity_id: int) -> dict[str, set[tuple[object, ...]]]:
        return {
            "excerpts": {tuple(r) for r in case.rows(
                "SELECT excerpt_id FROM excerpt_entities WHERE entity_id = ?", [entity_id])},
            "events": {tuple(r) for r in case.rows(
                "SELECT event_id FROM event_entities WHERE entity_id = ?", [entity_id])},
            "claims": {tuple(r) for r in case.rows(
                "SELECT claim_id, role, uid FROM claim_entities WHERE entity_id = ?", [entity_id])},
        }

    # one shared link, so that uncombine must tell what kept had of its own
    shared = next(iter(links(absorbed_id)["excerpts"]))[0]
    with case.write() as tx:
        tx.execute("INSERT INTO excerpt_entities VALUES (?, ?)", [shared, kept.id])
    before = {"kept": links(kept.id), "absorbed": links(absorbed_id),
              "aliases": get_entity(case, kept.id).aliases, "absorbed_entity": get_entity(case, absorbed_id)}
    assert before["absorbed"]["claims"] and before["absorbed"]["events"]
    with pytest.raises(InvalidValueError, match="with itself"):
        curation.combine(case, kept.id, [kept.id], annotator="ana")
    [combination] = curation.combine(case, kept.id, [absorbed_id], annotator="ana", note="same man")
    merged = get_entity(case, kept.id)
    assert {"Kirill Logvinov", "Logvinov", "Kirill"} <= set(merged.aliases)
    assert links(absorbed_id) == {"excerpts": set(), "events": set(), "claims": set()}
    assert links(kept.id)["excerpts"] == before["kept"]["excerpts"] | before["absorbed"]["excerpts"]
    assert {c[:2] for c in links(kept.id)["claims"]} >= {c[:2] for c in before["absorbed"]["claims"]}
    assert curation.is_retired(case, "entity", absorbed_id)
    assert combination.absorbed_uid == before["absorbed_entity"].uid
    curation.uncombine(case, absorbed_id, annotator="ben")
    assert links(kept.id) == before["kept"] and links(absorbed_id) == before["absorbed"]
    assert get_entity(case, kept.id).aliases == before["aliases"]
    assert not curation.is_retired(case, "entity", absorbed_id)
    with pytest.raises(InvalidValueError, match="nothing to uncombine"):
        curation.uncombine(case, absorbed_id, annotator="ben")
    state = curation.item_state(case, "entity", kept.id)
    assert [(c.annotator, c.undone_by) for c in state.combinations] == [("ana", "ben")]


# -- likely duplicates ----------------------------------------------------------------------------


def test_likely_duplicates_propose_pairs_and_judgements_take_them_out(case):
    logvinov = _entity_named(case, "Kirill Logvinov")
    twin = add_entity(case, kind="person", name="Logvinov").id            # an alias of the first
    longer = add_entity(case, kind="person", name="Kirill Logvinov Jr").id  # contains it
    typo = add_entity(case, kind="person", name="Kiril Logvinof").id        # close spelling
    pairs = {(p.a.id, p.b.id): p.reason for p in curation.likely_duplicates(case, limit=500)}
    assert pairs[(logvinov, twin)] == "same name"
    assert pairs[(logvinov, longer)] == "one name contains the other"
    assert pairs[(logvinov, typo)] == "close spelling"
    assert all(a < b for a, b in pairs)
    curation.judge_pair(case, twin, logvinov, "not_same", annotator="ana")
    curation.judge_pair(case, typo, logvinov, "skip", annotator="ana")
    left = {(p.a.id, p.b.id) for p in curation.likely_duplicates(case, limit=500)}
    assert (logvinov, twin) not in left and (logvinov, typo) in left
    with pytest.raises(InvalidValueError, match="unknown judgement"):
        curation.judge_pair(case, twin, logvinov, "maybe", annotator="ana")
    curation.retire(case, "entity", longer, reason="test", annotator="ana")
    assert all(longer not in pair for pair in
               ((p.a.id, p.b.id) for p in curation.likely_duplicates(case, limit=500)))


def test_likely_duplicates_need_more_than_a_close_spelling(case):
    """Alike names of other countries' bodies, or with another word where they differ,
    are not proposed; a misspelt word still is."""
    def proposed(first: int, second: int) -> bool:
        return any({p.a.id, p.b.id} == {first, second}
                   for p in curation.likely_duplicates(case, limit=500))

    russian = _entity_named(case, "Russian Ministry of Foreign Affairs")
    belgian = _entity_named(case, "Belgian Ministry of Foreign Affairs")
    assert fuzz.ratio("russian ministry of foreign affairs", "belgian ministry of foreign affairs"
                      ) >= curation.CLOSE_SPELLING   # alike in spelling alone
    assert not proposed(russian, belgian)

    def org(name: str, *aliases: str, kind: str = "organization") -> int:
        return int(add_entity(case, kind=kind, name=name, aliases=list(aliases)).id or 0)

    chinese = org("Chinese Ministry of Foreign Affairs", "Chinese MFA")
    austrian, australian = org("Austrian Embassy in Brussels"), org("Australian Embassy in Brussels")
    first, second = org("Nord Stream 1", kind="other"), org("Nord Stream 2", kind="other")
    embassy, misspelt = org("Russian Embassy in Uccle"), org("Russian Embasy in Uccle")
    person, variant = (int(add_entity(case, kind="person", name=name).id or 0)
                       for name in ("Aleksandr Nedyakovsky", "Alexander Nedyakovsky"))
    assert not proposed(russian, chinese)          # each names its country: not the other's
    assert not proposed(austrian, australian)      # (88.9 alike as words)
    assert not proposed(first, second)             # the word that differs is another word
    assert proposed(embassy, misspelt)             # one country, a misspelt word
    assert proposed(person, variant)               # another spelling of one name


_SCHEMA_ROWS = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


def test_a_migrated_v5_file_has_exactly_the_schema_of_a_new_one(tmp_path: Path):
    """m006 to m009 on an old file (m008 rebuilds revisions and retirements with a
    wider CHECK) give the very SQL of a file built now: db.trust compares it."""
    old, new = tmp_path / "old.casebook", tmp_path / "new.casebook"
    v5_case(old)
    with db.open_case(old) as case:
        migrated = [tuple(row) for row in case.rows(_SCHEMA_ROWS)]
        assert list(trust.schema_problems(case.conn)) == []
    with db.create_case(new, title="new") as case:
        fresh = [tuple(row) for row in case.rows(_SCHEMA_ROWS)]
    assert migrated == fresh
    rebuilt = {name: sql for kind, name, _, sql in fresh if name in ("revisions", "retirements")}
    assert all(sql.startswith(f'CREATE TABLE "{name}" (') and "'claim', 'relationship')" in sql
               and "--" not in sql for name, sql in rebuilt.items())
    assert {name for kind, name, table, _ in fresh if kind == "trigger" and table == "retirements"} >= {
        "retirements_no_update", "retirements_no_delete", "entities_retired", "relationships_retired"}


def test_a_rebuild_refuses_a_table_without_that_check():
    from db.rebuild import widened_definition

    sql = "CREATE TABLE t (\n    kind TEXT CHECK (kind IN ('a')), -- the kind\n    n INTEGER\n)"
    assert widened_definition(sql, "t", "kind", ("a", "b"), name="t_rebuilt") == (
        "CREATE TABLE t_rebuilt (\n    kind TEXT CHECK (kind IN ('a', 'b')),\n    n INTEGER\n)")
    with pytest.raises(ValueError, match="no single CHECK"):
        widened_definition(sql, "t", "n", ("x",), name="t_rebuilt")


def test_migrating_to_v8_keeps_the_curation_records_and_curates_relationships(tmp_path: Path):
    """m008 rebuilds revisions and retirements to take relationships: a v7 file's
    rows stay as they were, and retiring works again for every kind."""
    path = tmp_path / "v7.casebook"
    v5_case(path)
    tools = sqlite_utils.Database(path)
    register_functions(tools.conn)
    migrations.apply(tools, stop_before="m008_relationships")
    tools.execute("PRAGMA user_version = 7")
    with tools.conn:
        uid = tools.execute("SELECT uid FROM entities WHERE id = 2").fetchone()[0]
        tools.execute("INSERT INTO retirements VALUES ('r1', 'entity', ?, 1, 'ana', "
                      "'2026-01-01T00:00:00.000000Z', 'a duplicate')", [uid])
        tools.execute("INSERT INTO revisions VALUES ('v1', 'entity', ?, 1, 'ana', "
                      "'2026-01-01T00:00:00.000000Z', '{\"name\": [\"L\", \"Logvinov\"]}', '', '')",
                      [uid])
    before = [tools.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
              for t in ("revisions", "retirements")]
    tools.close()
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION == 13
        after = [[tuple(row) for row in case.rows(f"SELECT * FROM {t} ORDER BY rowid")]
                 for t in ("revisions", "retirements")]
        assert after == [[tuple(row) for row in rows] for rows in before]
        assert case.scalar("SELECT retired FROM entities WHERE id = 2") == 1
        curation.restore(case, "entity", 2, annotator="ana")        # the flag still follows
        assert case.scalar("SELECT retired FROM entities WHERE id = 2") == 0
        with pytest.raises(sqlite3.IntegrityError):                 # still append-only
            case.conn.execute("DELETE FROM retirements")
        made = db.relationships.add_relationship(case, subject_entity_id=1, object_entity_id=2,
                                                 type="associate")
        curation.retire(case, "relationship", made.id or 0, reason="wrong", annotator="ana")
        assert case.scalar("SELECT retired FROM relationships WHERE id = ?", [made.id]) == 1
        assert case.scalar("SELECT count(*) FROM sqlite_master WHERE name = "
                           "'relationships_retired'") == 2     # its index and its trigger


def test_migrating_to_v11_leaves_who_added_what_unknown_never_invented(tmp_path: Path):
    """m011 adds created_at and created_by to entities, events and claims (after
    the backup open_case takes): the rows a v10 file has get '' (unknown), so the
    log lists no addition of them; what is added from then on is listed."""
    path = tmp_path / "v10.casebook"
    older_case(path, before="m011_who_added_items", version=10)
    with db.open_case(path) as case:
        assert case.scalar("PRAGMA user_version") == SCHEMA_VERSION == 13
        for table in ("entities", "events", "claims"):
            assert {tuple(row) for row in case.rows(
                f"SELECT created_at, created_by FROM {table}")} == {("", "")}, table
        assert [e for e in curation.activity(case) if e.action == "added"] == []
        made = curation.add_item(case, "entity", {"kind": "person", "name": "Ivan Petrov"},
                                 annotator="ana")
        [entry] = [e for e in curation.activity(case) if e.action == "added"]
        assert (entry.kind, entry.item_id, entry.annotator) == ("entity", made.id, "ana")
    backups = list(tmp_path.glob("v10.casebook.v10-*.bak"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 10
        assert "created_at" not in {row[1] for row in old.execute("PRAGMA table_info(entities)")}
    finally:
        old.close()
