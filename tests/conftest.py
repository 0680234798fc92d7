"""Shared fixtures: real case files on disk, the real CLI in a subprocess."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import db
from seed.build import build_case

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _crash_reports_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Crash reports (``db.crash``) of the tests and their subprocesses stay out of ~/.local/state."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))


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


def unprivileged() -> list[str]:
    """A command prefix that takes away root's power to write any file.

    Tests of "a file this user cannot write" mean nothing as root, which CI
    runs as: setpriv drops the capabilities that bypass file permissions, so
    root is held to a file's mode like anyone else.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot take away root's file access")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def run_cli(*args: str | os.PathLike[str], env: dict[str, str] | None = None,
            cwd: Path | None = None, input: str | None = None,
            as_unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real ``casebook`` command in a subprocess (as an ordinary user's
    process with ``as_unprivileged``, even when the tests run as root)."""
    prefix = unprivileged() if as_unprivileged else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "casebook", *map(str, args)],
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


# -- files written ------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    """Hidden entries: the helper's temporary files are ``.NAME.XXXXXXXX.part``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class FifoReader:
    """A named pipe with a thread reading it, as another tool would."""

    def __init__(self, path: Path):
        self.path = path
        self.received = b""
        os.mkfifo(path)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as pipe:
            self.received = pipe.read()

    def finish(self) -> bytes:
        """Everything written to the pipe (a reader never written to is let go)."""
        import time

        deadline = time.monotonic() + 30
        while self._thread.is_alive():
            assert time.monotonic() < deadline, "the reader never finished"
            try:  # a writer that opens and closes lets a reader waiting in open() go
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError as error:
                assert error.errno == errno.ENXIO  # no reader in open() yet, or any more
            self._thread.join(timeout=0.05)
        return self.received


# -- the browser, driven by Pilot --------------------------------------------


async def settle(pilot, rounds: int = 50) -> None:
    """Let every worker finish and every message it posted be handled."""
    from textual.worker import WorkerCancelled

    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            # An exclusive worker superseded while waited for (keys still being
            # handled start newer ones, a loaded machine widens the window):
            # it is done with; the rounds look again at what still runs.
            pass
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            if not any(worker.is_running for worker in app.workers):
                return
    raise AssertionError("the app did not settle")


async def press(pilot, *keys: str) -> None:
    """Press each key and let the app settle after it, as a person reading the screen would."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


KEY_CHARACTERS = {"enter": "\r", "escape": "\x1b", "tab": "\t", "space": " ",
                  "backspace": "\x7f", "slash": "/", "question_mark": "?", "colon": ":"}


async def bunched(pilot, *keys: str) -> None:
    """Keys arriving in one terminal read (a paste without brackets, SSH lag,
    key repeat): posted to the app back to back, as the driver does, with no
    pause between them (``pilot.press`` waits for the app after each key)."""
    from textual import events

    app = pilot.app
    for key in keys:
        character = KEY_CHARACTERS.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))
    await settle(pilot)


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


class PtyApp:
    """The real ``casebook`` in a pseudo-terminal: send keys, read every byte it writes.

    With ``code``, Python runs that instead of ``-m casebook`` (with the same
    arguments in ``sys.argv``): a test that injects a fault, then calls ``main()``."""

    def __init__(self, *args: str | os.PathLike[str], env: dict[str, str] | None = None,
                 size: tuple[int, int] = (24, 80), as_unprivileged: bool = False,
                 code: str | None = None):
        import fcntl
        import pty
        import struct
        import termios

        import pyte

        self.output = bytearray()
        self.status: int | None = None
        self.screen = pyte.Screen(size[1], size[0])
        self._stream = pyte.ByteStream(self.screen)
        start = ["-m", "casebook"] if code is None else ["-c", code]
        command = [*(unprivileged() if as_unprivileged else []), sys.executable, *start,
                   *map(str, args)]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become casebook
            os.environ.pop("NO_COLOR", None)
            os.environ.update({"TERM": "xterm-256color", "COLORTERM": "", **(env or {})})
            os.execv(command[0], command)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))

    def read(self, quiet: float = 0.6, limit: float = 3.0) -> bytes:
        """Read until the app has written nothing for ``quiet`` seconds (a blinking
        cursor never stops writing: ``limit`` bounds the wait)."""
        import select
        import time

        start = len(self.output)
        deadline = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last < quiet:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                self.output.extend(data)
                self._stream.feed(data)
                last = time.monotonic()
        return bytes(self.output[start:])

    def read_to_end(self, limit: float = 60.0) -> bytes:
        """Read until the app closes the terminal (it has exited): a condition, not a
        pause, for an app that ends by itself (a slow start writes nothing for a while)."""
        return self.read(quiet=limit, limit=limit)

    @property
    def text(self) -> str:
        """The terminal's screen now, as a terminal emulator (pyte) sees it."""
        return "\n".join(self.screen.display)

    def wait_for(self, text: str, limit: float = 20.0) -> None:
        """Wait until ``text`` is on the screen."""
        import time

        deadline = time.monotonic() + limit
        while text not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared on:\n{self.text}")
            self.read(quiet=0.2, limit=1.0)

    def send(self, *keys: bytes | str) -> bytes:
        for key in keys:
            os.write(self.fd, key.encode() if isinstance(key, str) else key)
            self.read(quiet=0.15, limit=1.5)
        return self.read(quiet=0.4)

    def alive(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is None

    def close(self) -> int:
        """Quit (Ctrl+Q, which works on every screen); returns the exit status."""
        import signal
        import time

        if self.alive():
            os.write(self.fd, b"\x11")
            deadline = time.monotonic() + 10
            while self.alive() and time.monotonic() < deadline:
                self.read(quiet=0.1, limit=0.5)
            if self.alive():
                os.kill(self.pid, signal.SIGKILL)
                _, status = os.waitpid(self.pid, 0)
                self.status = os.waitstatus_to_exitcode(status)
        self.read(quiet=0.1, limit=1.0)
        os.close(self.fd)
        return self.status


def reversed_rows(app: PtyApp) -> list[str]:
    """The screen rows drawn in reverse video (the cursor, when there is no colour)."""
    rows = []
    for y, line in enumerate(app.screen.display):
        cells = app.screen.buffer[y]
        text = [x for x in range(len(line)) if line[x].strip()]
        if text and all(cells[x].reverse for x in text):
            rows.append(line.strip())
    return rows


# The build-a-case tests' case: documents just added with the real CLI (see build_flow.py).
OBSERVER_DATA = Path(__file__).resolve().parent / "data" / "ingest"


@pytest.fixture(scope="session")
def observer_case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new case holding the Observer article and the mixed documents. Do not modify it."""
    path = tmp_path_factory.mktemp("observer") / "observer.casebook"
    assert run_cli("new", path, "--title", "Observer").returncode == 0
    added = run_cli("add-source", path, OBSERVER_DATA / "brussels-observer-article.html",
                    OBSERVER_DATA / "mixed")
    assert added.returncode == 0, added.stderr
    return path


@pytest.fixture
def observer_case(observer_case_file: Path, tmp_path: Path):
    """A private, writable copy of the Observer case, open."""
    path = tmp_path / "observer.casebook"
    shutil.copyfile(observer_case_file, path)
    os.chmod(path, 0o600)
    with db.open_case(path) as case:
        yield case
