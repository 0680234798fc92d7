"""Datasette finds the search index of every table: a real Datasette on
127.0.0.1, asked with ``?_search=`` as its search box does.

(Before schema v4, ``entities?_search=`` was silently ignored and every
entity came back.)
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def datasette(seed_case_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("datasette")
    case = folder / "brussels.casebook"
    case.write_bytes(seed_case_file.read_bytes())
    port = free_port()
    server = subprocess.Popen(
        [Path(sys.executable).with_name("datasette"), "serve", case, "--host", "127.0.0.1",
         "--port", str(port), "--setting", "sql_time_limit_ms", "5000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    said = server.stderr.read() if server.stderr else ""
                    raise AssertionError(f"datasette did not start: {said}") from None
                time.sleep(0.2)
        yield f"{base}/brussels"
    finally:
        server.terminate()
        server.wait(timeout=30)


def ask(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def search(database: str, table: str, words: str) -> dict:
    query = urllib.parse.urlencode({"_search": words, "_size": "max"})
    return ask(f"{database}/{table}.json?{query}")


@pytest.mark.parametrize("table, words, column, expected", [
    ("entities", "Logvinov", "name", "Kirill Logvinov"),
    ("entities", "Austrevicius", "name", "Petras Auštrevičius"),   # by an alias, diacritics folded
    ("events", "MGIMO", "title", "Logvinov graduates from MGIMO"),
    ("excerpts", "Uhrik", "text", "Uhrík"),
    ("claims", "Logvinov", "statement", "Logvinov"),
])
def test_search_finds_rows_of_every_table(datasette: str, table: str, words: str, column: str,
                                          expected: str):
    everything = ask(f"{datasette}/{table}.json?_size=max")
    found = search(datasette, table, words)
    columns = found["columns"]
    rows = [dict(zip(columns, row, strict=True)) for row in found["rows"]]
    assert rows, (table, words)
    assert len(rows) < len(everything["rows"])  # the search was applied, not ignored
    assert all(expected in row[column] or words.lower() in json.dumps(row).lower() for row in rows)
    assert any(expected in row[column] for row in rows)


def test_each_table_page_has_the_search_box(datasette: str):
    """Datasette shows its search box only on a table whose index it found."""
    for table in ("entities", "events", "excerpts", "claims"):
        with urllib.request.urlopen(f"{datasette}/{table}?_size=1", timeout=30) as response:
            page = response.read().decode("utf-8")
        assert 'name="_search"' in page, table
    with urllib.request.urlopen(f"{datasette}/sources?_size=1", timeout=30) as response:
        assert 'name="_search"' not in response.read().decode("utf-8")  # no index: no box
