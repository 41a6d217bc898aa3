"""The server process's cycle-collector tuning (labelwise.api.app.tune_gc)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from labelwise.api.app import GC_THRESHOLDS, tune_gc


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_gc")
def test_tune_gc_freezes_what_exists_and_raises_the_young_threshold() -> None:
    kept = [[] for _ in range(1000)]  # container objects alive before the call
    gc.unfreeze()
    tune_gc()
    assert gc.get_threshold() == GC_THRESHOLDS == (50_000, 20, 10)
    assert gc.get_freeze_count() >= len(kept)
    scanned = {id(x) for x in gc.get_objects()}  # the frozen are not among them
    assert [x for x in kept if id(x) in scanned] == []
    later: list[list[int]] = [[]]
    assert id(later[0]) in {id(x) for x in gc.get_objects()}


@pytest.mark.usefixtures("restored_gc")
def test_cycles_made_after_tuning_are_still_collected() -> None:
    tune_gc()

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # type: ignore[attr-defined]
    gc.collect()  # settle what is pending, so the count below is only our pair
    del a, b
    assert gc.collect() >= 2
