"""The ``casebook`` command line.

Every failure a user can cause ends in one line on stderr and a non-zero
exit, never a traceback; so does a bug (exit status 70), its details in a
report file (``db.crash``). Text read from a case file is made visible (control
and bidi characters shown as placeholders) before it reaches the terminal.
"""

from __future__ import annotations

import importlib
import signal
import sqlite3
import sys

import click

from db import CaseError, casefile
from db.crash import crash_line
from db.errors import sqlite_problem
from db.text import visible

from .offline import forbid_network

# Each command and the module that defines it, imported when the command runs
# (or for --help): ``casebook open`` does not pay for loading the exports,
# merge or ingest, nor ``casebook search`` for the rest (issue 17, point 9).
# tests/test_startup.py holds this list to the commands the modules define.
COMMAND_MODULES: dict[str, str] = {
    "open": "commands_browse",
    "demo": "commands_browse",
    **dict.fromkeys(("seed", "new", "check"), "commands_case"),
    "search": "commands_search",
    **dict.fromkeys(("claims", "annotate"), "commands_claims"),
    "add-source": "commands_ingest",
    **dict.fromkeys(("export", "import"), "commands_export"),
    "generate": "commands_generate",
    **dict.fromkeys(("note", "undo", "history", "agreement", "conflicts", "resolve", "backup",
                     "merge", "export-annotations", "import-annotations"), "commands_annotations"),
    **dict.fromkeys(("add", "revise", "retire", "restore", "combine", "uncombine",
                     "likely-duplicates", "judge", "show", "log", "settle"), "commands_curation"),
    **dict.fromkeys(("relationships", "path"), "commands_relationships"),
    **dict.fromkeys(("mentions", "judge-mention"), "commands_mentions"),
}


def command_in(module_name: str, name: str) -> click.Command | None:
    """The command called ``name`` that ``casebook.<module_name>`` defines."""
    module = importlib.import_module(f"{__package__}.{module_name}")
    return next((value for value in vars(module).values()
                 if isinstance(value, click.Command) and value.name == name), None)


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (click's documented
    pattern for lazily loaded subcommands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            command = command_in(COMMAND_MODULES[cmd_name], cmd_name)
            if command is not None:
                self.add_command(command)
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="casebook", message="casebook %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> int | None:
    """Casebook: a terminal case browser for investigative analysts.

    With no command, opens the demo case in the browser (built on first use).
    """
    if ctx.invoked_subcommand is None:
        from .demo import open_demo  # the seed's builder only when the demo is asked for

        return open_demo()   # its exit status
    return None


def _fail(message: str, code: int = 1) -> int:
    click.echo(f"casebook: error: {visible(message)}", err=True)
    return code


class Stopped(BaseException):
    """SIGTERM, or SIGHUP when an SSH session closes: unwound like Ctrl+C, so a
    transaction rolls back and a half-built case file is removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


def _command_name(argv: list[str] | None) -> str:
    words = sys.argv[1:] if argv is None else argv
    command = next((word for word in words if word in COMMAND_MODULES), "")
    return f"casebook {command}".strip()


def main(argv: list[str] | None = None) -> None:
    forbid_network()
    casefile.warn = lambda text: click.echo(f"casebook: warning: {visible(text)}", err=True)
    casefile.upgraded = lambda upgrade: click.echo(f"casebook: {upgrade.message}", err=True)
    for stopping in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stopping, _stop)
    try:
        result = cli.main(args=argv, prog_name="casebook", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except click.exceptions.Abort:
        click.echo("casebook: interrupted", err=True)
        code = 130
    except click.UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        code = _fail(error.format_message().strip() + hint, error.exit_code)
    except click.ClickException as error:
        code = _fail(error.format_message().strip(), error.exit_code)
    except CaseError as error:
        code = _fail(str(error))
    except sqlite3.DatabaseError as error:
        code = _fail(sqlite_problem(error))
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        code = _fail(f"{error.strerror or error}{where}")
    except KeyboardInterrupt:
        click.echo("casebook: interrupted", err=True)
        code = 130
    except Exception as error:   # a bug: one line, the details in a report without the case's text
        click.echo(crash_line(error, context=_command_name(argv)), err=True)
        code = 70   # EX_SOFTWARE
    except Stopped as stop:
        code = 128 + stop.signum
        try:   # after SIGHUP there may be no terminal left to say it on
            click.echo(f"casebook: stopped ({signal.Signals(stop.signum).name})", err=True)
        except OSError:
            pass
    sys.exit(code)


if __name__ == "__main__":
    main()
