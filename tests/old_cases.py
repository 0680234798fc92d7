"""Case files as older casebooks wrote them, with a few rows: for the tests of migrations."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from db.schema import APPLICATION_ID, migrations
from db.text import register_functions


def v5_case(path: Path) -> None:
    """A case file at schema v5 with rows: two entities alike in name, a claim linking them."""
    tools = sqlite_utils.Database(path)
    migrations.apply(tools, stop_before="m006_curation")
    tools.execute("PRAGMA user_version = 5")
    tools.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    text = "Kirill Logvinov met Logvinov."
    with tools.conn:
        tools.execute("INSERT INTO case_meta VALUES ('title', 'old'), ('case_uid', 'case-1')")
        tools.execute("INSERT INTO sources (title, text, sha256, added_at) VALUES ('s', ?, 'abc', "
                      "'2026-01-01T00:00:00.000000Z')", [text])
        tools.execute("INSERT INTO excerpts (source_id, start, \"end\", text) VALUES (1, 0, ?, ?)",
                      [len(text), text])
        tools.execute("INSERT INTO entities (kind, name, sort_name) VALUES "
                      "('person', 'Logvinov', 'logvinov'), ('person', 'Logvinov', 'logvinov')")
        tools.execute("INSERT INTO events (title, date_precision) VALUES ('Meeting', 'unknown')")
        tools.execute("INSERT INTO claims (uid, statement) VALUES ('c1', 'They met')")
        tools.execute("INSERT INTO claim_entities VALUES (1, 1, 'subject'), (1, 2, 'subject')")
        tools.execute("INSERT INTO claim_excerpts VALUES (1, 1, 'supports')")
        tools.execute("INSERT INTO excerpt_entities VALUES (1, 1)")
    tools.close()


def older_case(path: Path, *, before: str, version: int) -> None:
    """The v5 case (``v5_case``) migrated up to the migration named ``before``,
    which makes schema ``version + 1``; mode 0600, so opening it warns of nothing."""
    v5_case(path)
    tools = sqlite_utils.Database(path)
    register_functions(tools.conn)
    migrations.apply(tools, stop_before=before)
    tools.execute(f"PRAGMA user_version = {version}")
    tools.close()
    path.chmod(0o600)
