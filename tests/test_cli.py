"""The real ``casebook`` command in a subprocess."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli


def test_new_creates_a_private_case(tmp_path: Path):
    path = tmp_path / "op.casebook"
    result = run_cli("new", path, "--title", "Operation X")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    check = run_cli("check", path)
    assert check.returncode == 0 and check.stdout.startswith("ok:")


def test_seed_then_check(tmp_path: Path):
    path = tmp_path / "demo.casebook"
    result = run_cli("seed", path)
    assert result.returncode == 0, result.stderr
    check = run_cli("check", path)
    assert check.returncode == 0, check.stderr
    assert "excerpts verified" in check.stdout


def test_seed_refuses_to_overwrite(tmp_path: Path):
    path = tmp_path / "demo.casebook"
    path.write_text("mine")
    assert_one_line_error(run_cli("seed", path), "already exists")
    assert path.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.casebook"]


def test_search_folds_and_prints_json(seed_case_file: Path):
    result = run_cli("search", seed_case_file, "Austrevicius", "--kind", "entity", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["groups"][0]["kind"] == "entity"
    assert data["groups"][0]["hits"][0]["title"] == "Petras Auštrevičius"


def test_search_text_output(seed_case_file: Path):
    result = run_cli("search", seed_case_file, "Uhrik")
    assert result.returncode == 0
    assert "Milan Uhrík" in result.stdout and "entities (" in result.stdout


@pytest.mark.parametrize("query", ['"abc', "AND", "*", "NEAR(", "C++", "e-mail", '"', "'"])
def test_search_any_query(seed_case_file: Path, query: str):
    result = run_cli("search", seed_case_file, query)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_claims_lists_status_and_filters(seed_case_file: Path):
    everything = json.loads(run_cli("claims", seed_case_file, "--json").stdout)
    assert len(everything) >= 30
    confirmed = json.loads(run_cli("claims", seed_case_file, "--status", "confirmed", "--json").stdout)
    assert confirmed and all(claim["status"] == "confirmed" for claim in confirmed)
    text = run_cli("claims", seed_case_file)
    assert text.returncode == 0 and "unreviewed" in text.stdout


def test_annotate_records_who_and_why(seed_case_copy: Path):
    result = run_cli("annotate", seed_case_copy, "1", "disputed", "--note", "single source",
                     "--annotator", "ana")
    assert result.returncode == 0, result.stderr
    assert "→ disputed by ana" in result.stdout
    claims = json.loads(run_cli("claims", seed_case_copy, "--json").stdout)
    assert next(c for c in claims if c["id"] == 1)["status"] == "disputed"


def test_annotator_defaults_to_the_environment(seed_case_copy: Path):
    result = run_cli("annotate", seed_case_copy, "2", "confirmed",
                     env={"CASEBOOK_ANNOTATOR": "env-annotator"})
    assert "by env-annotator" in result.stdout


def test_annotate_names_an_unknown_claim_or_status(seed_case_copy: Path):
    before = seed_case_copy.read_bytes()
    assert_one_line_error(run_cli("annotate", seed_case_copy, "9999", "confirmed"), "9999")
    assert_one_line_error(run_cli("annotate", seed_case_copy, "1", "maybe"), "'maybe'")
    assert_one_line_error(run_cli("annotate", seed_case_copy, "one", "confirmed"), "'one'")
    assert seed_case_copy.read_bytes() == before


@pytest.mark.parametrize("command", [["check"], ["claims"], ["search", "x"], ["annotate", "1", "denied"]])
def test_bad_paths_get_one_line(tmp_path: Path, command: list[str]):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    for path, message in [(tmp_path / "missing.casebook", "no such file"),
                          (tmp_path, "is a directory"), (text_file, "not a SQLite database")]:
        args = [command[0], path, *command[1:]]
        assert_one_line_error(run_cli(*args), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_check_finds_a_corrupt_page(seed_case_copy: Path):
    import sqlite3

    conn = sqlite3.connect(seed_case_copy)
    page = conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'excerpts' AND pagetype = 'leaf' LIMIT 1"
    ).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with seed_case_copy.open("r+b") as handle:
        handle.seek((page - 1) * page_size + 200)
        handle.write(b"\xff" * 1500)
    assert_one_line_error(run_cli("check", seed_case_copy), "damaged")


def test_usage_errors_are_one_line(tmp_path: Path):
    assert_one_line_error(run_cli("new", tmp_path / "x.casebook"), "--title")
    assert_one_line_error(run_cli("search", tmp_path / "x.casebook", "q", "--kind", "spy"), "--kind")
    assert_one_line_error(run_cli("frobnicate"), "frobnicate")
    assert list(tmp_path.iterdir()) == []


def test_untrusted_text_is_not_sent_raw_to_the_terminal(tmp_path: Path):
    import db
    from db.claims import add_claim

    path = tmp_path / "hostile.casebook"
    with db.create_case(path, title="Hostile") as case:
        add_claim(case, statement="evil \x1b]0;pwned\x07 \x1b[2J \u202etxt.exe \x9b31m",
                  claimant="\x1b[31mred")
    result = run_cli("claims", path)
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout and "\u202e" not in result.stdout
    assert "␛]0;pwned␇" in result.stdout
    as_json = run_cli("claims", path, "--json")
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout
    assert json.loads(as_json.stdout)[0]["statement"].startswith("evil \x1b]0;pwned")


def test_a_hostile_entity_name_is_drawn_visibly_by_every_listing(seed_case_copy: Path):
    name = "Evil \x1b]0;pwned\x07 \x1b[2J \u202eX \x9b31m"
    added = run_cli("add", seed_case_copy, "entity", "kind=person", f"name={name}")
    assert added.returncode == 0, added.stderr
    item = added.stdout.strip()
    for command in (("show", seed_case_copy, "entity", item), ("search", seed_case_copy, "Evil"),
                    ("log", seed_case_copy), ("likely-duplicates", seed_case_copy),
                    ("check", seed_case_copy)):
        result = run_cli(*command)
        assert "Traceback" not in result.stderr, command
        for raw in ("\x1b", "\x9b", "\u202e", "\x07"):
            assert raw not in result.stdout and raw not in result.stderr, (command, raw)
    assert "␛]0;pwned␇" in run_cli("show", seed_case_copy, "entity", item).stdout


def test_reading_a_case_leaves_no_files_behind(seed_case_copy: Path, tmp_path: Path):
    """search, claims and check only read: no -wal or -shm file outlives them."""
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["search", seed_case_copy, "Logvinov"], ["claims", seed_case_copy],
                 ["check", seed_case_copy]):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == before, args


def test_a_read_only_case_refuses_writes_in_sqlite_too(seed_case_copy: Path):
    import sqlite3

    import db

    with db.open_case(seed_case_copy, read_only=True) as case:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            case.conn.execute("DELETE FROM case_meta")


def test_the_command_refuses_the_network_itself():
    """Defence in depth: inside casebook, a library's connection attempt fails."""
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "import socket, sys\n"
        "from casebook.offline import forbid_network, NetworkRefused\n"
        "forbid_network()\n"
        "a, b = socket.socketpair(); a.send(b'x'); assert b.recv(1) == b'x'  # local IPC still works\n"
        "for attempt in (lambda: socket.create_connection(('127.0.0.1', 9), timeout=1),\n"
        "                lambda: socket.getaddrinfo('example.org', 443),\n"
        "                lambda: __import__('urllib.request').request.urlopen('http://example.org')):\n"
        "    try:\n"
        "        attempt()\n"
        "    except NetworkRefused as error:\n"
        "        print('refused', error)\n"
        "    except Exception as error:\n"
        "        print('other', type(error).__name__, error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("refused") for line in lines), lines
