"""Running a document reader within a bound of time and memory.

A PDF, Word file or e-mail is untrusted input read by code casebook does not
control (PDFium, the XML parser, the MIME parser): a stream that inflates to
gigabytes, a page tree that loops, a crafted object that crashes the reader.
:func:`run_bounded` reads such a file in a child process, forked so it
starts at once, with an address-space limit and a CPU-time limit, and waits
for it only so long. What the child returns comes back whole or not at all,
so nothing half-read is ever added; a child that runs out of memory or
time, or dies, becomes a :class:`ReaderLimitError` with one line.

Where fork is not available (Windows) the reader runs in this process,
bounded only by the readers' own limits.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import CaseError

T = TypeVar("T")

# A reader may use this much memory above what the process had when it forked
# (PDFium decodes an image or a stream whole; 1 GiB is ample for any real
# document and well within a laptop).
READER_MEMORY_BYTES = 1024 * 1024 * 1024
# CPU seconds one document may take to read (a 2,000-page PDF takes about 20).
READER_SECONDS = 120


class ReaderLimitError(CaseError):
    """Reading a document went past a limit, or the reader died."""


def _virtual_size() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _child(conn: Any, limit_bytes: int, seconds: int, function: Callable[..., Any],
           args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    import resource

    try:
        if sys.platform.startswith("linux"):
            limit = _virtual_size() + limit_bytes
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    except (ValueError, OSError):
        pass
    try:
        outcome: tuple[str, Any] = ("ok", function(*args, **kwargs))
    except MemoryError:
        outcome = ("memory", None)
    except RecursionError:
        outcome = ("error", ReaderLimitError("is nested too deeply to read"))
    except BaseException as error:  # sent back whole: the parent raises it
        outcome = ("error", error)
    try:
        conn.send_bytes(pickle.dumps(outcome))
    except (MemoryError, pickle.PicklingError, TypeError, AttributeError):
        conn.send_bytes(pickle.dumps(("error", ReaderLimitError("could not be read (its reader failed)"))))
    conn.close()


def run_bounded(function: Callable[..., T], *args: Any, memory: int = READER_MEMORY_BYTES,
                seconds: int = READER_SECONDS, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a child process with at most ``memory``
    bytes more than this one and ``seconds`` of CPU time; its result, or the
    exception it raised. Raises ReaderLimitError when a limit is hit or the
    child dies."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return function(*args, **kwargs)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, memory, seconds, function, args, kwargs),
                            daemon=True)
    child.start()
    send.close()
    try:
        data = None
        # Wall time allows for a busy machine; CPU time is the child's own limit.
        if receive.poll(seconds * 3):
            try:
                data = receive.recv_bytes()
            except EOFError:
                data = None
        child.join(5)
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        receive.close()
    if data is None:
        raise ReaderLimitError(_death(child.exitcode, memory, seconds))
    status, value = pickle.loads(data)
    if status == "memory":
        raise ReaderLimitError(f"needs more than {memory // 2**20:,} MiB of memory to read "
                               "(a decompression bomb?)")
    if status == "error":
        raise value
    return value  # type: ignore[no-any-return]


def _death(exitcode: int | None, memory: int, seconds: int) -> str:
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL) or exitcode is None:
        return f"took more than {seconds} s to read (the limit for one document)"
    if exitcode is not None and exitcode < 0:
        # PDFium aborts when an allocation fails: the memory limit, almost always.
        return (f"could not be read: its reader stopped ({signal.Signals(-exitcode).name}), "
                f"most likely past the {memory // 2**20:,} MiB memory limit (a decompression bomb?)")
    return "could not be read: its reader stopped unexpectedly"
