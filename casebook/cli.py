"""The ``casebook`` command line.

Every failure a user can cause ends in one line on stderr and a non-zero
exit, never a traceback; so does a bug (exit status 70), its details in a
report file (``db.crash``). Text read from a case file is made visible (control
and bidi characters shown as placeholders) before it reaches the terminal.
"""

from __future__ import annotations

import signal
import sqlite3
import sys

import click

from db import CaseError, casefile
from db.crash import crash_line
from db.errors import sqlite_problem
from db.text import visible

from .commands_annotations import COMMANDS as ANNOTATION_COMMANDS
from .commands_browse import open_command
from .commands_case import check, new, seed
from .commands_claims import annotate, claims
from .commands_curation import COMMANDS as CURATION_COMMANDS
from .commands_export import export, import_case
from .commands_generate import generate
from .commands_ingest import add_source
from .commands_mentions import COMMANDS as MENTION_COMMANDS
from .commands_relationships import COMMANDS as RELATIONSHIP_COMMANDS
from .commands_search import search
from .demo import open_demo
from .offline import forbid_network


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="casebook", message="casebook %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> int | None:
    """Casebook: a terminal case browser for investigative analysts.

    With no command, opens the demo case in the browser (built on first use).
    """
    if ctx.invoked_subcommand is None:
        return open_demo()   # its exit status
    return None


for command in (open_command, seed, new, check, search, claims, annotate, add_source, export,
                import_case, generate, *ANNOTATION_COMMANDS, *CURATION_COMMANDS,
                *RELATIONSHIP_COMMANDS, *MENTION_COMMANDS):
    cli.add_command(command)


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
    command = next((word for word in words if word in cli.commands), "")
    return f"casebook {command}".strip()


def main(argv: list[str] | None = None) -> None:
    forbid_network()
    casefile.warn = lambda text: click.echo(f"casebook: warning: {visible(text)}", err=True)
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
