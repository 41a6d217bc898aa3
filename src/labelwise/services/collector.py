"""Python's cyclic garbage collector, paused while bulk work makes many short-lived objects.

An export page, or an import batch, builds and drops tens of thousands of small dicts, lists and tuples;
they hold no reference cycles (reference counting frees them), but while alive they trigger collections
that walk every object of the process: half the CPU time of a label-format export went to them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def paused(chunks: Iterable[T]) -> Iterator[T]:
    """``chunks``, each made with the collector paused: only while one chunk is being made (a page, a
    batch: milliseconds), switched back on after it, unless something else had it off. A chunk may
    not be None."""
    it = iter(chunks)
    while True:
        enabled = gc.isenabled()
        gc.disable()
        try:
            chunk = next(it, None)
        finally:
            if enabled:
                gc.enable()
        if chunk is None:
            return
        yield chunk
