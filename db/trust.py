"""A received case file's schema is casebook's own, or nothing is written to it.

Anyone may have added to a case file with ``sqlite3``: a trigger that
rewrites ``claims.status`` whenever a mark goes in, or re-attributes the mark;
a view; a table. SQLite's advice for untrusted files is ``PRAGMA
trusted_schema = OFF`` (and defensive mode), but casebook's own schema needs
trust: its CHECK constraints call ``json_valid()`` and its search triggers
call casebook's ``fold()``, which SQLite 3.40 and Python's ``sqlite3`` (no
``SQLITE_INNOCUOUS`` flag) do not mark innocuous, so with it OFF no write
goes through at all. Stronger, then: every trigger, view, table and index of
the file must be one casebook's migrations make, with casebook's SQL
(:func:`schema_problems`, against an empty case built in memory once per
process), before anything is written (``Case.write`` asks
:func:`require_trusted`) and in ``casebook check`` (db/check.py, which also
checks the file for the browser: ``FileCheck``). A file that fails
SQLite's ``quick_check`` (small files: it reads every page) accepts no write
either.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import CaseFileError
from .schema import migrate
from .text import register_functions

if TYPE_CHECKING:
    from .casefile import Case

# quick_check reads the whole file: before a write only on files up to this size.
QUICK_CHECK_BYTES = 64 * 1024 * 1024
_SCHEMA = "SELECT type, name, sql FROM main.sqlite_schema WHERE name NOT LIKE 'sqlite_%'"


class UntrustedSchemaError(CaseFileError):
    """The file holds triggers, views or tables that casebook did not create, or is damaged."""


def _normal(sql: str | None) -> str:
    return " ".join((sql or "").split())


@functools.cache
def expected_schema() -> dict[tuple[str, str], str]:
    """(type, name) -> SQL of every object casebook's migrations create."""
    from sqlite_utils import Database  # lazy: start-up (a file at today's version needs none)

    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        register_functions(connection)
        migrate(Database(connection, execute_plugins=False))
        return {(kind, name): _normal(sql) for kind, name, sql in connection.execute(_SCHEMA)}
    finally:
        connection.close()


def schema_problems(conn: sqlite3.Connection) -> Iterator[str]:
    """Each object of the file's schema that is not casebook's, each of casebook's it lacks."""
    expected = expected_schema()
    found = {(kind, name): _normal(sql) for kind, name, sql in conn.execute(_SCHEMA)}
    for (kind, name), sql in sorted(found.items()):
        if (kind, name) not in expected:
            yield f"the schema has a {kind} {name!r} that casebook did not create"
        elif expected[(kind, name)] != sql:
            yield f"the schema's {kind} {name!r} is not casebook's (it was changed)"
    for kind, name in sorted(expected.keys() - found.keys()):
        yield f"the schema lacks casebook's {kind} {name!r}"


def quick_check_problem(conn: sqlite3.Connection) -> str | None:
    """What SQLite's quick_check says is wrong with the file, if anything."""
    try:
        results = [row[0] for row in conn.execute("PRAGMA main.quick_check")]
    except sqlite3.DatabaseError as error:
        return f"quick_check failed: {error}"
    if results == ["ok"]:
        return None
    lines = [text.strip() for result in results for text in str(result).splitlines()
             if text.strip() and not text.startswith("*** in database")] or ["failed"]
    more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
    return f"the file is damaged: {lines[0]}{more}"


def write_problems(case: Case) -> list[str]:
    """Why nothing may be written to ``case``: a schema not casebook's, a damaged file."""
    problems = list(schema_problems(case.conn))
    try:
        small = case.path.stat().st_size <= QUICK_CHECK_BYTES
    except OSError:
        small = False
    if small and (damage := quick_check_problem(case.conn)):
        problems.append(damage)
    return problems


def require_trusted(case: Case) -> None:
    """Raise UntrustedSchemaError, naming the first problem, if ``case`` must not be written."""
    problems = write_problems(case)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UntrustedSchemaError(
            f"{case.path.name}: {problems[0]}{more}; nothing was changed "
            f"('casebook check {case.path}' lists every problem)")
