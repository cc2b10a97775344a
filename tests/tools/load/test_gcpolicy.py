"""The load workers' GC policy and the watch that times collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from voxsim.tools.load import GC_POLICIES, GcWatch, apply_gc_policy
from voxsim.tools.load.gcpolicy import LEAN_THRESHOLDS, TUNED_THRESHOLDS


@pytest.fixture
def restore_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_watch_times_full_and_young_collections() -> None:
    watch = GcWatch().start()
    try:
        gc.collect(0)
        gc.collect(2)
        gc.collect(2)
    finally:
        stats = watch.stop()
    assert stats.full == 2 and stats.young >= 1
    assert stats.full_total_ms >= stats.full_max_ms > 0.0 and stats.full_max_cpu_ms >= 0.0
    gc.collect(2)
    assert watch.stats.full == 2  # stopped: no longer counting


def test_freeze_hides_what_exists_from_full_passes_but_new_cycles_are_still_collected(restore_gc: None) -> None:
    before = len(gc.get_objects())
    apply_gc_policy("freeze")
    assert gc.get_freeze_count() > 0 and len(gc.get_objects()) < before / 2
    _Cycle()  # unreachable at once: only the collector can free it
    assert gc.collect() >= 1


def test_tuned_freezes_and_sets_rarer_full_passes(restore_gc: None) -> None:
    apply_gc_policy("tuned")
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == TUNED_THRESHOLDS


def test_default_changes_nothing_and_an_unknown_policy_is_an_error(restore_gc: None) -> None:
    thresholds = gc.get_threshold()
    frozen = gc.get_freeze_count()
    apply_gc_policy("default")
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == frozen
    with pytest.raises(ValueError, match="unknown GC policy"):
        apply_gc_policy("off")
    assert set(GC_POLICIES) == {"default", "freeze", "tuned", "lean"}


def test_lean_freezes_and_makes_full_passes_rare(restore_gc: None) -> None:
    apply_gc_policy("lean")
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == LEAN_THRESHOLDS and LEAN_THRESHOLDS[2] > TUNED_THRESHOLDS[2]
