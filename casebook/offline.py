"""Casebook never opens a network connection, and this makes sure of it.

An audit hook (PEP 578) refuses, for the whole process, every connection,
name lookup and datagram a library might attempt: analysts' case files hold
sensitive research, and some run on machines that must stay silent. Local
IPC (AF_UNIX sockets, asyncio's self-pipe) is unaffected.
"""

from __future__ import annotations

import socket
import sys

_REFUSED = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "socket.sendmsg",
    "http.client.connect", "urllib.Request", "ftplib.connect", "smtplib.connect",
    "webbrowser.open",
})


class NetworkRefused(PermissionError):
    """Something tried to reach the network from inside casebook."""


def _refuse(event: str, args: tuple[object, ...]) -> None:
    if event not in _REFUSED:
        return
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock = args[0]
        if getattr(sock, "family", None) == socket.AF_UNIX:
            return
    raise NetworkRefused(f"casebook never uses the network (refused {event})")


_installed = False


def forbid_network() -> None:
    """Install the hook (once; audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_refuse)
        _installed = True
