"""Shared fixtures: real case files on disk, the real CLI in a subprocess."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

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


def found_in(case_path: Path, query: str, source_title: str) -> list[dict[str, Any]]:
    """The excerpt hits of ``casebook search`` (the real CLI) that come from the source so named."""
    result = run_cli("search", case_path, query, "--kind", "excerpt", "--limit", "50", "--json")
    assert result.returncode == 0, result.stderr
    (group,) = json.loads(result.stdout)["groups"]
    return [hit for hit in group["hits"] if hit["detail"].startswith(f"{source_title} · ")]


def linked_entities(case_path: Path, excerpt_id: int) -> set[str]:
    """The entities ``casebook show`` lists as mentioned in an excerpt."""
    result = run_cli("show", case_path, "excerpt", str(excerpt_id), "--json")
    assert result.returncode == 0, result.stderr
    return {link["label"] for link in json.loads(result.stdout)["links"] if link["kind"] == "entity"}


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


# Every wait on the app in a pty ends on a condition; the ceiling only ends a wait
# that has already failed, so it is generous (a busy 2-core machine runs other suites).
PTY_LIMIT_S = 60.0


class PtyApp:
    """The real ``casebook`` in a pseudo-terminal: send keys, read every byte it writes.

    Every wait is for a condition, never a quiet spell that a busy machine
    outlasts: ``wait_for(text)``, ``wait_until(condition)``, ``send(..., until=)``;
    with nothing to wait for, ``settle()`` waits until the app has read every
    key sent and its screen has stopped changing. ``PTY_LIMIT_S`` only bounds
    a wait that has already failed.

    With ``code``, Python runs that instead of ``-m casebook`` (with the same
    arguments in ``sys.argv``): a test that injects a fault, then calls ``main()``."""

    def __init__(self, *args: str | os.PathLike[str], env: dict[str, str] | None = None,
                 size: tuple[int, int] = (24, 80), as_unprivileged: bool = False,
                 code: str | None = None):
        import fcntl
        import struct
        import termios

        import pyte

        self.output = bytearray()
        self.status: int | None = None
        self.closed = False                # the app closed the terminal: it has exited
        self.screen = pyte.Screen(size[1], size[0])
        self._stream = pyte.ByteStream(self.screen)
        start = ["-m", "casebook"] if code is None else ["-c", code]
        command = [*(unprivileged() if as_unprivileged else []), sys.executable, *start,
                   *map(str, args)]
        self.fd, terminal = os.openpty()
        # The size is set before the app starts: it never draws its first frame at another.
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        self._terminal_name = os.ttyname(terminal)   # to ask what the app has not read yet
        self.pid = os.fork()
        if self.pid == 0:  # the child: its own session on the terminal, then casebook
            try:
                os.close(self.fd)
                os.setsid()
                fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)
                for stream in (0, 1, 2):
                    os.dup2(terminal, stream)
                os.environ.pop("NO_COLOR", None)
                os.environ.update({"TERM": "xterm-256color", "COLORTERM": "", **(env or {})})
                os.execv(command[0], command)
            finally:
                os._exit(127)
        os.close(terminal)

    def _pump(self, timeout: float) -> bool:
        """Take in what the app wrote within ``timeout``; False once it has closed the terminal."""
        import select

        if self.closed:
            return False
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:        # EIO: the terminal's other end is closed
                data = b""
            if not data:
                self.closed = True
                return False
            self.output.extend(data)
            self._stream.feed(data)
        return True

    def read(self, quiet: float = 0.6, limit: float = 3.0) -> bytes:
        """Read until the app has written nothing for ``quiet`` seconds or ``limit``
        has passed: for a test that waits by itself (``wait_until`` is the condition)."""
        import time

        start = len(self.output)
        deadline = time.monotonic() + limit
        last, written = time.monotonic(), len(self.output)
        while time.monotonic() < deadline and time.monotonic() - last < quiet:
            if not self._pump(0.05):
                break
            if len(self.output) != written:
                last, written = time.monotonic(), len(self.output)
        return bytes(self.output[start:])

    def read_to_end(self, limit: float = 120.0) -> bytes:
        """Read until the app closes the terminal (it has exited)."""
        start = len(self.output)
        self.wait_until(lambda: self.closed, "the app's exit", limit=limit)
        return bytes(self.output[start:])

    @property
    def text(self) -> str:
        """The terminal's screen now, as a terminal emulator (pyte) sees it."""
        return "\n".join(self.screen.display)

    def wait_until(self, condition, what: str, limit: float = PTY_LIMIT_S) -> None:
        """Read what the app writes until ``condition()`` holds (checked after every read)."""
        import time

        deadline = time.monotonic() + limit
        while not condition():
            if self.closed:
                raise AssertionError(f"the app exited before {what}:\n{self.text}")
            if time.monotonic() > deadline:
                raise AssertionError(f"never came, in {limit:.0f} s: {what}\n{self.text}")
            self._pump(0.1)

    def wait_for(self, text: str, limit: float = PTY_LIMIT_S) -> None:
        """Wait until ``text`` is on the screen."""
        self.wait_until(lambda: text in self.text, f"{text!r} on the screen", limit=limit)

    def unread(self) -> int:
        """How many bytes sent to the app it has not read yet (the terminal's input queue)."""
        import fcntl
        import struct
        import termios

        try:
            terminal = os.open(self._terminal_name, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:            # the app has gone, and its terminal with it
            return 0
        try:
            queued = fcntl.ioctl(terminal, termios.FIONREAD, struct.pack("i", 0))
        finally:
            os.close(terminal)
        return int(struct.unpack("i", queued)[0])

    def settle(self, quiet: float = 0.5, limit: float = PTY_LIMIT_S) -> None:
        """Wait until the app has read every key sent and then its screen (the text
        on it: a blinking cursor changes no text) has not changed for ``quiet`` s."""
        import time

        self.wait_until(lambda: self.unread() == 0, "the app reading its keys", limit=limit)
        deadline = time.monotonic() + limit
        shown, since = self.text, time.monotonic()
        while time.monotonic() - since < quiet and self._pump(0.05):
            if self.text != shown:
                shown, since = self.text, time.monotonic()
            assert time.monotonic() < deadline, f"the screen never settled:\n{self.text}"

    def write(self, *keys: bytes | str) -> None:
        """Send ``keys`` in one write (one read for the app: a paste, SSH lag), waiting for nothing."""
        os.write(self.fd, b"".join(key.encode() if isinstance(key, str) else key for key in keys))

    def send(self, *keys: bytes | str, until: str | None = None) -> None:
        """Send each key as its own write, each read by the app before the next is
        written (keys typed one by one), then wait for ``until`` on the screen, or
        without it for the app to settle."""
        for key in keys:
            self.write(key)
            self.wait_until(lambda: self.unread() == 0, f"the app reading {key!r}")
        if until is None:
            self.settle()
        else:
            self.wait_for(until)

    def alive(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is None

    def close(self) -> int | None:
        """Quit (Ctrl+Q, which works on every screen); returns the exit status."""
        import signal
        import time

        if self.alive() and not self.closed:
            try:
                os.write(self.fd, b"\x11")
            except OSError:
                pass
            try:
                self.wait_until(lambda: self.closed, "the app's exit after Ctrl+Q", limit=30)
            except AssertionError:
                pass
        deadline = time.monotonic() + 30
        while self.alive() and time.monotonic() < deadline:   # its terminal closed: it is ending
            self._pump(0.05)
            if self.closed:
                time.sleep(0.01)
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
            self.status = os.waitstatus_to_exitcode(status)
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
