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


# -- the browser, driven by Pilot --------------------------------------------


async def settle(pilot, rounds: int = 50) -> None:
    """Let every worker finish and every message it posted be handled."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            if not any(worker.is_running for worker in app.workers):
                return
    raise AssertionError("the app did not settle")


def screen_lines(app) -> list[str]:
    """The text of the screen as drawn, one string per terminal line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


def browser(case, **options):
    """The real browser app over an open case (imported here: db tests stay light)."""
    from tui.app import CasebookApp

    options.setdefault("annotator", "tester")
    return CasebookApp(case, **options)
