"""SQLite's WAL checkpoints, off the writers' path.

By default SQLite checkpoints inside the commit that takes the WAL past 1,000 pages: whichever writer
crosses it copies the WAL back into the database file and syncs both, a pause in that request (about
0.8 µs an item of a large import, measured). Here our connections checkpoint only as a backstop, past
``BACKSTOP_PAGES``, and each process runs a thread that makes PASSIVE checkpoints (they neither wait for
readers nor block writers) on a connection of its own, at most every ``INTERVAL`` seconds and only when
the WAL was written since the last one. SQLite runs them without holding the GIL, so the copying happens
beside the writers, not in their transactions: the arrangement SQLite's documentation suggests
(https://sqlite.org/wal.html#ckpt).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time

log = logging.getLogger("labelwise.checkpoints")

BACKSTOP_PAGES = 16_384  # 64 MiB of 4 KiB pages: if the thread falls behind, writers checkpoint again
INTERVAL = 0.25  # seconds between checkpoints, at least
POLL = 0.05  # seconds between looks at the WAL file (a stat)


class Checkpointer:
    """A thread checkpointing the WAL of the SQLite database at ``path`` until ``close()``."""

    def __init__(self, path: str, *, interval: float = INTERVAL) -> None:
        self.path, self.interval = path, interval
        self.runs = 0  # checkpoints that copied frames (tests wait for one)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="labelwise-checkpoints", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        wal = self.path + "-wal"
        seen = 0  # the WAL's modification time at the last checkpoint
        last = 0.0
        try:
            while not self._stop.wait(POLL):
                try:
                    changed = os.stat(wal).st_mtime_ns
                except FileNotFoundError:
                    continue
                if changed == seen or time.monotonic() - last < self.interval:
                    continue
                if conn is None:
                    conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                seen, last = changed, time.monotonic()
                try:  # (busy, frames in the WAL, frames copied); busy: another process is checkpointing
                    busy, _, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.OperationalError:  # the database locked whole (a recovery): next time
                    log.debug("WAL checkpoint skipped for %s", self.path, exc_info=True)
                    continue
                if not busy and copied > 0:
                    self.runs += 1
        except Exception:  # writers' own (backstop) checkpoints take over
            log.exception("WAL checkpoints stopped for %s", self.path)
        finally:
            if conn is not None:
                conn.close()
