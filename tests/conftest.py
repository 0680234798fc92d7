"""Shared fixtures: real case files on disk, the real CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import db
from seed.build import build_case

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seed_case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Brussels demo case, built once per test session. Do not modify it."""
    path = tmp_path_factory.mktemp("seed") / "brussels.casebook"
    build_case(path)
    return path


@pytest.fixture
def seed_case_copy(seed_case_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo case that a test may change."""
    path = tmp_path / "brussels.casebook"
    shutil.copyfile(seed_case_file, path)
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def seed_case(seed_case_file: Path):
    """The demo case opened read-only."""
    with db.open_case(seed_case_file, read_only=True) as case:
        yield case


@pytest.fixture
def empty_case(tmp_path: Path):
    with db.create_case(tmp_path / "empty.casebook", title="Empty") as case:
        yield case


def run_cli(*args: str | os.PathLike[str], env: dict[str, str] | None = None,
            cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``casebook`` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "casebook", *map(str, args)],
        capture_output=True, text=True, env={**os.environ, **(env or {})},
        cwd=cwd, input=input, timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """A user error: non-zero exit, one line on stderr naming the problem, no traceback."""
    assert result.returncode != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("casebook: "), lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
