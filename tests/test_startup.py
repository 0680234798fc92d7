"""Start-up loads only what the first screen needs (issue 17, point 9).

The figures are measured by benchmarks/startup.py; these tests hold the
imports that made the difference: the browser's start does not load the
exports (networkx), merge, ingest, fuzzy matching, sqlite_utils or any screen
but the first, and the command line imports a command's module only when that
command runs. The first frame composes only the pane in sight (the others are
mounted after it), and pydantic never looks for plugins.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

import casebook
from casebook.cli import COMMAND_MODULES, cli

ROOT = Path(__file__).resolve().parent.parent

# Loaded later, when a feature asks for them: never by the first frame.
# The screens (search, help, forms, dialogs) are imported when one first opens;
# sqlite_utils (and dateutil through it) only for a migration or an export.
NOT_AT_START = ("networkx", "rapidfuzz", "db.exports", "db.merge", "db.ingest", "db.importing",
                "db.generate", "trafilatura", "seed.build", "casebook.commands_export",
                "casebook.commands_annotations", "casebook.commands_ingest", "sqlite_utils",
                "dateutil")
# Of the screens only the message the app handles from the start (its subclasses
# come with their screens).
SCREENS_AT_START = {"tui.screens", "tui.screens.built"}


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _loaded(modules: set[str], name: str) -> bool:
    return any(module == name or module.startswith(name + ".") for module in modules)


@pytest.mark.parametrize("code", [
    "import tui.app",
    # what `casebook open` imports before its first frame
    "import casebook.cli\ncasebook.cli.cli.get_command(None, 'open')\nimport tui.app",
])
def test_the_browser_start_does_not_import_the_exports_or_networkx(code):
    modules = _modules_after(code)
    assert "tui.app" in modules
    assert [name for name in NOT_AT_START if _loaded(modules, name)] == []
    assert {name for name in modules if _loaded({name}, "tui.screens")} == SCREENS_AT_START


def test_the_browser_loads_the_exports_when_an_export_is_asked_for(seed_case_file):
    """The lazy import is still there when it is needed: the palette lists the formats."""
    code = ("from db import open_case\nfrom tui.app import CasebookApp\n"
            f"case = open_case({str(seed_case_file)!r}, read_only=True)\n"
            "app = CasebookApp(case)\n"
            "print(len(list(app.exporting.commands())))\n")
    modules = _modules_after(code)
    assert _loaded(modules, "db.exports") and _loaded(modules, "networkx") is False


def test_a_command_imports_only_its_own_module(seed_case_file):
    modules = _modules_after(
        "from casebook.cli import main\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main(['search', {str(seed_case_file)!r}, 'Logvinov'])\n"
        "    except SystemExit:\n"
        "        pass\n")
    commands = {name for name in modules if name.startswith("casebook.commands_")}
    assert commands == {"casebook.commands_search"}


def _defined_commands() -> dict[str, str]:
    """Every command the casebook.commands_* modules define, and its module."""
    found: dict[str, str] = {}
    for module_info in pkgutil.iter_modules(casebook.__path__):
        if not module_info.name.startswith("commands_"):
            continue
        module = importlib.import_module(f"casebook.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, click.Command) and value.callback is not None \
                    and value.callback.__module__ == module.__name__:
                found[value.name or ""] = module_info.name
    return found


def test_the_lazy_command_list_names_every_command_and_its_module():
    assert COMMAND_MODULES == _defined_commands()


def test_help_lists_every_command(seed_case_file):
    result = subprocess.run([sys.executable, "-m", "casebook", "--help"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines()
              if line.startswith("  ")}
    assert listed == set(COMMAND_MODULES)
    assert sorted(cli.list_commands(click.Context(cli))) == sorted(COMMAND_MODULES)


def test_an_unknown_command_is_one_line():
    result = subprocess.run([sys.executable, "-m", "casebook", "opne", "x"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "No such command 'opne'" in result.stderr


def test_models_built_on_first_use_are_safe_to_first_use_from_many_threads(seed_case_file):
    """defer_build: the browser's thread workers may be the first to validate a
    model, several at once; each read is whole and none is taken for damage."""
    code = (
        "import threading\n"
        "import db\n"
        "from db.entities import entities_by_ids\n"
        "from db.events import events_by_ids\n"
        f"case = db.open_case({str(seed_case_file)!r}, read_only=True)\n"
        "barrier, found, failed = threading.Barrier(8), [], []\n"
        "def read(n):\n"
        "    barrier.wait()\n"
        "    try:\n"
        "        items = (entities_by_ids if n % 2 else events_by_ids)(case, list(range(1, 40)))\n"
        "        found.append(sum(1 for item in items if item.damage))\n"
        "        found.append(-1 if db.counts(case).entities == 0 else 0)\n"
        "    except Exception as error:\n"
        "        failed.append(repr(error))\n"
        "threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(failed, sorted(set(found)))\n")
    for _ in range(3):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                cwd=ROOT, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[] [0]", result.stdout


def _first_frame_recorder():
    """The browser, noting which panes were mounted when its first frame was drawn."""
    from tui.app import CasebookApp

    class Recording(CasebookApp):
        at_first_frame: list[str] | None = None

        def _announce_ready(self) -> None:
            self.at_first_frame = [pane.kind for pane in self.panes()]
            super()._announce_ready()

    return Recording


@pytest.mark.parametrize("start", ["entity", "claim"])
async def test_the_first_frame_mounts_only_the_pane_in_sight_and_the_rest_follow(seed_case, start):
    from conftest import screen_text, settle

    from tui.kinds import KINDS

    app = _first_frame_recorder()(seed_case, annotator="tester", pane=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.at_first_frame == [start]
        # Once it is drawn, the others are mounted, in their order, and read.
        assert [pane.kind for pane in app.panes()] == [kind.name for kind in KINDS]
        assert app.active_kind == start
        for kind in KINDS:
            await pilot.press(kind.key)
            await settle(pilot)
            assert app.active_kind == kind.name
            pane = app.active_pane
            assert pane.paged_list.total and pane.paged_list.cursor_item_id is not None
            assert pane.detail.text.splitlines()[0][:20] in screen_text(app)


async def test_a_pane_asked_for_before_it_is_mounted_is_mounted_then(seed_case):
    """Keys may come before the first frame is drawn: the pane they ask for is
    mounted at once (hidden), with its list and detail."""
    from conftest import settle

    from tui.app import CasebookApp

    class Early(CasebookApp):
        def on_mount(self) -> None:
            super().on_mount()
            self.action_show_pane("excerpt")   # before any frame

    app = Early(seed_case, annotator="tester")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.active_kind == "excerpt" and app.is_ready
        assert [pane.kind for pane in app.panes()] == ["entity", "event", "excerpt", "claim"]
        assert app.active_pane.paged_list.has_focus
        assert app.active_pane.paged_list.cursor_item_id is not None


def _fake_pydantic_plugin(folder: Path) -> None:
    """An installed package that offers a pydantic plugin, and says when it is loaded."""
    (folder / "fakeplugin.py").write_text(
        "print('PLUGIN LOADED')\n"
        "class Plugin:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None\n"
        "plugin = Plugin()\n")
    info = folder / "fakeplugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeplugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[pydantic]\nfake = fakeplugin:plugin\n")


@pytest.mark.parametrize("setting, loaded", [(None, False), ("", True)])
def test_pydantic_plugins_are_not_looked_for_or_loaded(seed_case_file, tmp_path, setting, loaded):
    """Finding plugins reads every installed package's metadata when the first
    model is built (a large part of the first frame), and a plugin would run
    code from the environment on every row read. A value the user set is kept:
    with an empty one, the plugin loads (so this test can fail)."""
    _fake_pydantic_plugin(tmp_path)
    env = {key: value for key, value in os.environ.items() if key != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    if setting is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = setting
    code = ("import warnings; warnings.simplefilter('ignore')\n"
            "import db\n"
            f"case = db.open_case({str(seed_case_file)!r}, read_only=True)\n"
            "print('entities', db.counts(case).entities)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "entities " in result.stdout
    assert ("PLUGIN LOADED" in result.stdout) is loaded


async def test_what_start_up_made_is_frozen_out_of_the_collectors_sight_until_the_app_ends(
        seed_case_copy):
    """A full garbage collection walks every object the app holds: at a million
    excerpts 50 ms landing on a keystroke (benchmarks/bench_typing.py). Once the
    first frame is drawn the app's objects are frozen; at exit they are given back."""
    import gc

    import db
    from tui.app import CasebookApp

    assert gc.get_freeze_count() == 0
    with db.open_case(seed_case_copy) as case:
        app = CasebookApp(case)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(200):   # a condition, not a fixed time: the freeze follows the first frame
                if gc.get_freeze_count():
                    break
                await pilot.pause(0.05)
            assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0


def test_a_pane_a_key_and_quit_right_after_the_first_frame_exit_cleanly(seed_case_copy):
    """A pane asked for, a key and Ctrl+Q in one read right after the first frame,
    while start-up's deferred work (the panes out of sight, the file check) may
    still be to come: the app quits with status 0, never an unexpected error (a
    pane mounted into a closing app was one, seen 1 in 15 runs of another test)."""
    from conftest import PtyApp

    for _ in range(5):
        app = PtyApp("open", seed_case_copy)
        app.wait_for("Entities")   # its terminal is raw: Ctrl+Q is a key, not the tty's XON
        app.write("4j\x11")       # all at once, right after the first frame
        assert app.close() == 0, app.text
        assert "unexpected error" not in app.output.decode("utf-8", "replace")
