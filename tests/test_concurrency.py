"""Several annotators on one case file, in separate processes, and crashes.

Nothing here mocks SQLite: real processes mark a real file at the same time.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

import db
from db.claims import get_claim, mark_claim

WORKER = ROOT / "tests" / "annotator_worker.py"


def start_worker(path: Path, annotator: str, count: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(path), annotator, str(count), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def acks(output: str) -> list[tuple[str, int, str]]:
    found = []
    for line in output.splitlines():
        word, annotation_id, claim_id, status = line.split()
        assert word == "ack"
        found.append((annotation_id, int(claim_id), status))
    return found


def assert_all_recorded(path: Path, annotator: str, acknowledged: list[tuple[str, int, str]]) -> None:
    with db.open_case(path, read_only=True) as case:
        stored = {row["id"]: (row["claim_id"], row["status"]) for row in case.rows(
            "SELECT id, claim_id, status FROM annotations WHERE annotator = ?", [annotator])}
    assert {a: (c, s) for a, c, s in acknowledged} == stored


@pytest.mark.parametrize("marks, mode", [(400, []), (100, ["--reopen"])],
                         ids=["open-case", "open-per-mark"])
def test_two_annotators_marking_at_once_both_succeed(seed_case_copy: Path, marks: int,
                                                     mode: list[str]):
    start = str(time.time() + 1.0)  # both begin together, after start-up
    workers = {who: start_worker(seed_case_copy, who, marks, "--start", start, *mode)
               for who in ("ana", "bob")}
    results = {who: worker.communicate(timeout=120) for who, worker in workers.items()}
    for who, (out, err) in results.items():
        assert workers[who].returncode == 0, err
        assert err == ""  # never "database is locked", never anything
        assert len(acks(out)) == marks
        assert_all_recorded(seed_case_copy, who, acks(out))
    check = run_cli("check", seed_case_copy)
    assert check.returncode == 0, check.stderr  # every claim's status matches its marks


def test_every_acknowledged_mark_survives_sigkill(seed_case_copy: Path):
    worker = start_worker(seed_case_copy, "ana", 0, "--forever")
    seen = []
    while len(seen) < 150:
        line = worker.stdout.readline()
        assert line, worker.stderr.read()
        seen.append(line)
    os.kill(worker.pid, signal.SIGKILL)  # mid-stream, right after an acknowledgement
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    # Acknowledgements written before the kill but not yet read are acknowledged too.
    seen.append(worker.stdout.read())
    acknowledged = acks("".join(seen))
    assert len(acknowledged) >= 150
    with db.open_case(seed_case_copy, read_only=True) as case:
        stored = {row[0] for row in case.rows("SELECT id FROM annotations WHERE annotator = 'ana'")}
    assert {a for a, _, _ in acknowledged} <= stored
    # At most the mark in flight when the kill came is extra; none is lost.
    assert len(stored) - len(acknowledged) <= 1
    check = run_cli("check", seed_case_copy)
    assert check.returncode == 0, check.stderr


def test_a_stale_mark_from_another_process_is_refused_and_offered(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        seen = get_claim(case, 7)
        other = start_worker(seed_case_copy, "bob", 1, "--claim", "7")
        out, err = other.communicate(timeout=60)
        assert other.returncode == 0, err
        [(_, _, status)] = acks(out)
        with pytest.raises(db.StaleClaimError) as caught:
            mark_claim(case, 7, "confirmed", annotator="ana", expected_version=seen.version)
        assert (caught.value.changed_by, caught.value.current_status) == ("bob", status)
        assert f"bob marked it {status}" in str(caught.value)
        # Offered the choice, ana keeps hers: marking against the new version works.
        mark_claim(case, 7, "confirmed", annotator="ana",
                   expected_version=caught.value.current_version)
        assert get_claim(case, 7).status == "confirmed"


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    held = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    return thread


def test_a_mark_waits_for_another_writer_then_succeeds(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        holder = hold_write_lock(seed_case_copy, 0.5)
        started = time.perf_counter()
        mark_claim(case, 1, "denied", annotator="ana")
        waited = time.perf_counter() - started
        holder.join()
    assert waited >= 0.4


def test_a_writer_that_never_lets_go_gives_a_clear_error(seed_case_copy: Path):
    with db.open_case(seed_case_copy) as case:
        case.conn.execute("PRAGMA busy_timeout = 200")
        holder = hold_write_lock(seed_case_copy, 0.8)
        with pytest.raises(db.CaseBusyError) as caught:
            mark_claim(case, 1, "denied", annotator="ana")
        holder.join()
        message = str(caught.value)
        assert "busy" in message and "nothing was changed" in message
        assert "database is locked" not in message
        assert get_claim(case, 1).status == "confirmed"
        mark_claim(case, 1, "denied", annotator="ana")  # and works once the file is free


def test_opening_the_file_again_in_one_process_keeps_its_locks(seed_case_copy: Path):
    """POSIX locks belong to the process: if opening a second Case read the
    file's header with Python, closing that descriptor would drop the first
    Case's locks, and another process closing the file would think itself the
    last user and delete the WAL under us."""
    wal = seed_case_copy.with_name(seed_case_copy.name + "-wal")
    with db.open_case(seed_case_copy) as case:
        mark_claim(case, 1, "denied", annotator="ana")
        db.open_case(seed_case_copy).close()
        assert run_cli("annotate", seed_case_copy, "2", "denied", "--annotator", "bob").returncode == 0
        assert wal.exists()  # still ours: the other process did not take it for the last user
        mark_claim(case, 3, "denied", annotator="ana")
    with db.open_case(seed_case_copy, read_only=True) as case:
        assert case.scalar("SELECT count(*) FROM annotations WHERE annotator IN ('ana', 'bob')") == 3
