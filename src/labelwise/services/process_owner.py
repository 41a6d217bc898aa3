"""Which process holds a piece of long work (an import, a background job), as ``host:pid``, and whether
that process is gone: how work left behind by a killed process is found and recovered."""

from __future__ import annotations

import os
import socket


def this_process() -> str:
    """``host:pid`` of the running process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_dead(owner: str) -> bool:
    """Whether the process that wrote ``owner`` (host:pid) is gone; unknowable for another host."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
