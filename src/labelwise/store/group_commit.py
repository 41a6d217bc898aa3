"""Group commit for SQLite's short write use cases (the annotation queue).

SQLite has one writer at a time, and each commit writes every page the transaction touched to the
WAL. Calls that arrive while a group runs wait for the next group; a group runs its calls one after
another in one transaction on the writer thread, each ``ctx.db.write()`` inside them a SAVEPOINT of it
(an exception rolls back that call's writes and goes to that caller only), then COMMITs once. Every
caller is answered after that COMMIT: if it fails, every caller of the group gets the error, so nothing
acknowledged is lost and nothing is half-applied. At most ``MAX_CALLS`` calls share a group, so a call
waits for at most one group before its own. A grouped call must do its writes through ``ctx.db.write()``
(it gets the group's connection there); a ``ctx.db.read()`` inside it sees what was committed before the
group, not the group's own writes.

This is a batch in memory of one process, not a task queue: nothing waits across a restart. A call
that was answered is committed; one cut off before its answer may or may not be, as without groups.
PostgreSQL does not use it (row locks let its transactions run in parallel).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio.to_thread

if TYPE_CHECKING:
    from labelwise.store.database import Database

#: 8, not 32: the same throughput under 32 annotators and a shorter tail (docs/benchmarks.md, sixth round:
#: next p99 82 ms against 123 ms with 32)
MAX_CALLS = 8


class GroupCommit:
    """The calls waiting for the next group of one event loop, and the task that runs the groups."""

    def __init__(self, db: Database, *, max_calls: int = MAX_CALLS) -> None:
        self.db = db
        self.max_calls = max_calls
        self._waiting: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def run(self, fn: Callable[[], Any]) -> Any:
        """``fn()`` run in a group on the writer thread; its result once the group has committed."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((fn, done))
        if self._runner is None:
            self._runner = loop.create_task(self._run_groups())
        return await done

    async def _run_groups(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting[:self.max_calls], self._waiting[self.max_calls:]
                try:
                    outcomes = await anyio.to_thread.run_sync(self.db.run_group, [fn for fn, _ in group])
                except Exception as exc:  # BEGIN or COMMIT failed: nobody's call stands
                    for _, done in group:
                        if not done.done():
                            done.set_exception(exc)
                    continue
                except BaseException:  # this task was cancelled (the loop ends): so are the callers
                    for _, done in group + self._waiting:
                        done.cancel()
                    self._waiting = []
                    raise
                for (_, done), (ok, value) in zip(group, outcomes, strict=True):
                    if done.done():  # the caller went away (cancelled); its call stands all the same
                        continue
                    if ok:
                        done.set_result(value)
                    else:
                        done.set_exception(value)
        finally:
            self._runner = None
