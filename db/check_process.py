"""``check_case`` in a process of its own, for the browser's check of a whole
file after its first frame (db.check.FileCheck). At a million excerpts the
check is a minute of Python: in a thread of the browser it would hold the GIL
against every keystroke; in its own process, at a lower priority, it takes the
other core and leaves the browser's as it was.

    python -m db.check_process PATH

prints ``{"problems": [...]}`` (JSON, one line) and exits 0; a file that
cannot be checked is one problem. Anything else: one line on stderr, exit 2.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .casefile import open_case
from .check import check_case
from .errors import CaseError


def problems_of(path: Path) -> list[str]:
    try:
        with open_case(path, read_only=True) as case, case.snapshot():
            return check_case(case).problems
    except CaseError as error:
        return [str(error)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m db.check_process PATH", file=sys.stderr)
        return 2
    try:
        os.nice(10)   # the browser's keystrokes first
    except OSError:
        pass
    try:
        found = problems_of(Path(argv[0]))
    except Exception as error:  # noqa: BLE001 - one line, never a traceback (it may hold case text)
        print(f"{type(error).__name__}: {str(error)[:200]}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps({"problems": found}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
