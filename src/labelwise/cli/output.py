"""What the CLI prints: errors as one line plus a table of row/field problems, and progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
MAX_ROWS_SHOWN = 50


def where(loc: Any) -> str:
    if isinstance(loc, list | tuple):
        return ".".join(str(part) for part in loc)
    return "" if loc is None else str(loc)


def errors_table(errors: list[dict[str, Any]]) -> Table:
    """Row / field / message table of an error's ``errors`` list (the first ``MAX_ROWS_SHOWN``)."""
    has_rows = any("row" in e for e in errors)
    table = Table(show_edge=False, header_style="bold")
    if has_rows:
        table.add_column("row", justify="right")
    table.add_column("field")
    table.add_column("problem", overflow="fold")
    for e in errors[:MAX_ROWS_SHOWN]:
        cells = [where(e.get("loc")), str(e.get("msg", ""))]
        table.add_row(*([str(e.get("row", ""))] if has_rows else []), *cells)
    return table


def print_error(message: str, errors: list[dict[str, Any]] | None = None) -> None:
    err.print(f"[bold red]Error:[/] {message}", markup=True, highlight=False)
    if errors:
        err.print(errors_table(errors))
        if len(errors) > MAX_ROWS_SHOWN:
            err.print(f"... and {len(errors) - MAX_ROWS_SHOWN} more", highlight=False)


class Bar:
    """One progress bar; ``update(done, **fields)`` moves it."""

    def __init__(self, progress: Progress, task: Any) -> None:
        self._progress, self._task = progress, task

    def update(self, completed: float | None = None, total: float | None = None, **fields: Any) -> None:
        self._progress.update(self._task, completed=completed, total=total, **fields)

    def advance(self, amount: float) -> None:
        self._progress.advance(self._task, amount)


@contextmanager
def progress_bar(description: str, *, total: float | None, unit: str = "bytes") -> Iterator[Bar]:
    """A Rich progress bar on stderr, counting ``bytes`` (shown as sizes) or ``items``."""
    counter = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
    columns = [TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), counter,
               TextColumn("{task.fields[note]}"), TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(description, total=total, note="")
        yield Bar(progress, task)
