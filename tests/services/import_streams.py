"""JSONL rows for import tests, and a file that runs a step of the test between two of its lines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson


class PausingFile:
    """JSONL lines that call ``at_line`` before handing out line ``pause`` (the rows before it are
    written by then, in staged batches when the batch size is small)."""

    def __init__(self, lines: list[bytes], pause: int, at_line: Callable[[], None]) -> None:
        self.lines, self.pause, self.at_line = lines, pause, at_line

    def __iter__(self) -> Iterator[bytes]:
        for number, line in enumerate(self.lines, start=1):
            if number == self.pause:
                self.at_line()
            yield line


def jsonl_lines(n: int, *, annotated_by: str | None = None, predicted: bool = False) -> list[bytes]:
    """``n`` rows keyed k0, k1, ... with a text, each with a submitted annotation by ``annotated_by`` and
    a model's prediction if asked."""
    rows = []
    for i in range(n):
        row: dict[str, Any] = {"key": f"k{i}", "text": f"row {i}"}
        if annotated_by:
            row["annotations"] = [{"annotator": annotated_by, "result": {"sentiment": "positive"}}]
        if predicted:
            row["predictions"] = [{"model": "m", "score": 0.5, "result": {"sentiment": "negative"}}]
        rows.append(orjson.dumps(row) + b"\n")
    return rows
